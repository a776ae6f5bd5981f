"""Telling people that something concerns them: an in-app notification and, if they have an
address, an e-mail copy. The copies are background jobs that commit with the change (a rolled-back
change notifies nobody) and run on the worker, never in the web request."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.figures import format_percent, format_yuan
from renovation.jobs.queue import enqueue_on_commit

from .models import Follow, FollowKind, Notification

logger = logging.getLogger(__name__)


def notify(
    *, recipients: Iterable[Any], title: str, body: str = "", url: str = "", exclude: Any = None, sms: bool = False
) -> int:
    """Notify each distinct active recipient once; returns how many were notified.

    ``sms=True`` marks a notification that matters on a phone: recipients who opted in get it as
    a text message too (after commit, to their own verified number only)."""
    seen: set[int] = set()
    notifications = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        if exclude is not None and user.pk == getattr(exclude, "pk", None):
            continue
        seen.add(user.pk)
        notifications.append(Notification(recipient=user, title=title[:200], body=body, url=url[:300]))
    Notification.objects.bulk_create(notifications)
    emailed = [n.pk for n in notifications if n.recipient.email]
    if emailed:
        from .tasks import notification_emails_send

        enqueue_on_commit(notification_emails_send, notification_ids=emailed)
    if sms and notifications:
        from renovation.sms.notify import sms_notify_on_commit

        sms_notify_on_commit(notifications=notifications)
    return len(notifications)


class DeliveryIncomplete(Exception):
    """Some copies could not be sent; the job fails so that staff see it and may retry it.
    Its message counts them and names nobody (no address, no number)."""


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Send the e-mail copy of each notification that has not had it yet; returns how many went.
    Each sent copy is marked at once, so a retry (or a run after a lost worker) sends only the
    rest. A mail server outage fails the job, never the change that was notified."""
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("recipient")
    sent = failed = 0
    for notification in pending:
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active:
            continue
        try:
            send_mail(notification.title, _email_text(notification), settings.DEFAULT_FROM_EMAIL, [recipient.email])
        except Exception as error:  # its text may hold the address: log only its kind
            failed += 1
            logger.warning("the e-mail copy of notification %s failed: %s", notification.pk, type(error).__name__)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    if failed:
        raise DeliveryIncomplete(f"{failed} of {sent + failed} notification e-mails could not be sent")
    return sent


def notification_link(url: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def _email_text(notification: Notification) -> str:
    return f"{notification.body}\n\n{notification_link(notification.url)}".strip()


def notifications_mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())


# Following a project or a street ----------------------------------------------------------------


def _follow_target(*, project: Any, street: Any) -> dict[str, Any]:
    if (project is None) == (street is None):
        raise ValidationError(_("Follow either a project or a street."))
    return {"project": project} if project is not None else {"street": street}


def _require_signed_in(actor: Any) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in to follow a project or a street."))


def follow_start(*, actor: Any, project: Any = None, street: Any = None) -> Follow:
    """The signed-in user (any role, residents included) follows a project or a street; following
    twice changes nothing."""
    _require_signed_in(actor)
    target = _follow_target(project=project, street=street)
    existing = Follow.objects.filter(user=actor, **target).first()
    if existing is not None:
        return existing
    follow = Follow(user=actor, **target)
    follow._change_reason = "follow_start"
    try:
        with transaction.atomic():
            follow.save()
    except IntegrityError:  # a second click raced the first: the follow exists, which is what was asked
        return Follow.objects.get(user=actor, **target)
    return follow


def follow_stop(*, actor: Any, project: Any = None, street: Any = None) -> bool:
    """Stop following; returns whether the user was following."""
    _require_signed_in(actor)
    target = _follow_target(project=project, street=street)
    stopped = False
    with transaction.atomic():
        for follow in Follow.objects.filter(user=actor, **target):
            follow._change_reason = "follow_stop"
            follow.delete()
            stopped = True
    return stopped


def followers_notify(
    *,
    kind: str,
    project: Any = None,
    street: Any = None,
    title: str,
    body: str = "",
    url: str = "",
    exclude: Any = None,
) -> None:
    """Notify everyone who follows ``project`` (or the street it lies in) or ``street``.

    This is the hook for anything followers hear about: confirmed progress and tender results call
    it from their services, and a notice (通知公告) calls it when it is published, with
    ``kind=FollowKind.NOTICE``, the notice's project or street, its title (``title`` is the
    sentence the follower reads) and its page URL. Call it inside the transaction that makes the
    change: the fan-out is a background job that commits with the change (a rolled-back change
    notifies nobody) and runs on the worker, never in the web request. ``exclude`` (the actor) is
    not notified of their own change."""
    if kind not in FollowKind.values:
        raise ValueError(f"unknown follow kind {kind!r}")
    if (project is None) == (street is None):
        raise ValueError("followers_notify needs a project or a street")
    from .tasks import followers_notify_send

    enqueue_on_commit(
        followers_notify_send,
        kind=str(kind),
        project_id=getattr(project, "pk", None),
        street_id=getattr(street, "pk", None),
        title=str(title)[:200],
        body=str(body),
        url=str(url)[:300],
        exclude_id=getattr(exclude, "pk", None),
    )


def followers_notify_send(
    *, kind: str, project_id: int | None, street_id: int | None, title: str, body: str, url: str, exclude_id: int | None
) -> int:
    """The job behind ``followers_notify``: one notification per follower (a user following both
    the project and its street hears once); returns how many were notified."""
    if project_id is not None:
        project = apps.get_model("projects", "Project")
        street_id = (
            project.objects.filter(pk=project_id).values_list("neighbourhood__community__street", flat=True).first()
        )
    follows = Follow.objects.filter(
        Q(project_id=project_id, project_id__isnull=False) | Q(street_id=street_id, street_id__isnull=False)
    )
    recipients = get_user_model().objects.filter(pk__in=follows.values("user_id")).order_by("pk")
    return notify(recipients=recipients, title=title, body=body, url=url, exclude=_Pk(exclude_id))


class _Pk:
    """Stands for a user known only by id (``notify`` compares ``exclude.pk``)."""

    def __init__(self, pk: int | None) -> None:
        self.pk = pk


def project_url(project: Any) -> str:
    return f"/projects/{project.slug}/"


def followers_notify_progress(*, report: Any, actor: Any = None) -> None:
    """A progress report was confirmed: tell the project's followers, in one sentence."""
    item = report.work_item
    project = item.project
    followers_notify(
        kind=FollowKind.PROGRESS,
        project=project,
        title=_("%(project)s: progress on “%(item)s” confirmed at %(percent)s")
        % {"project": project.name, "item": item.description, "percent": format_percent(report.percent)},
        body=_("The whole project is now %(progress)s done.") % {"progress": format_percent(project.progress)},
        url=project_url(project),
        exclude=actor,
    )


def followers_notify_award(*, award: Any, actor: Any = None) -> None:
    """A tender was awarded: tell the project's followers who won, for how much."""
    tender = award.tender
    project = tender.project
    followers_notify(
        kind=FollowKind.TENDER_RESULT,
        project=project,
        title=_("%(project)s: the tender “%(tender)s” was awarded to %(winner)s")
        % {"project": project.name, "tender": tender.title, "winner": award.bidder.name},
        body=_("Award amount %(amount)s, %(days)s days.")
        % {"amount": format_yuan(award.amount), "days": award.duration_days},
        url=f"/tenders/{tender.pk}/",
        exclude=actor,
    )


def followers_notify_notice(
    *, title: str, url: str, project: Any = None, street: Any = None, actor: Any = None
) -> None:
    """A notice (通知公告) was published for a project or a street: the hook the notices pages call
    on publish (one line, inside the publishing transaction), e.g. from a Wagtail
    ``after_publish_page`` hook or the page's publish service::

        followers_notify_notice(title=page.title, url=page.url, project=page.project, actor=user)

    Followers of the project (and of its street), or of the street, read one sentence naming the
    place and the notice, with a link to it."""
    place = project.name if project is not None else getattr(street, "name", "")
    followers_notify(
        kind=FollowKind.NOTICE,
        project=project,
        street=street if project is None else None,
        title=_("%(place)s: new notice “%(notice)s”") % {"place": place, "notice": title},
        url=url,
        exclude=actor,
    )
