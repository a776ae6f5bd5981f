"""E-mail copies of notifications, as background jobs (enqueued by services.notify)."""

from django_tasks import task

from .services import notification_emails_send as send


@task()
def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Send the e-mail copies still missing; returns how many went."""
    return send(notification_ids=notification_ids)


@task()
def followers_notify_send(
    *, kind: str, project_id: int | None, street_id: int | None, title: str, body: str, url: str, exclude_id: int | None
) -> int:
    """Notify the followers of a project or a street (enqueued by services.followers_notify)."""
    from .services import followers_notify_send as fan_out

    return fan_out(
        kind=kind, project_id=project_id, street_id=street_id, title=title, body=body, url=url, exclude_id=exclude_id
    )
