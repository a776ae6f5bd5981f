"""SMS copies of notifications, as background jobs (enqueued by notifications.services.notify)."""

from django_tasks import task

from .notify import notification_texts_send as send


@task()
def notification_texts_send(*, notification_ids: list[int]) -> int:
    """Send the SMS copies still missing; returns how many went."""
    return send(notification_ids=notification_ids)
