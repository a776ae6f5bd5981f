"""E-mail copies of notifications, as background jobs (enqueued by services.notify)."""

from django_tasks import task

from .services import notification_emails_send as send


@task()
def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Send the e-mail copies still missing; returns how many went."""
    return send(notification_ids=notification_ids)
