"""Intents (改不改): a household's answer recorded online, on site or from a paper letter, one by
one or as a stack of letters. Re-exported by ``services``; the checks on the household, the date and
the project's status are shared with the votes and ratings there."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from renovation.changelog.records import save_recorded
from renovation.projects.models import Project, ProjectStatus
from renovation.projects.services import require_project_manager
from renovation.public.cache import Change, pages_changed

from .models import Channel, ConsultationRule, Household, Intent, IntentChoice
from .permissions import require_household_voice


def _require_household_of(project: Project, household: Household) -> None:
    if household.neighbourhood_id != project.neighbourhood_id:
        raise ValidationError({"household": _("This household does not live in the project's neighbourhood.")})


def _require_not_future(day: date | None, field: str) -> date:
    today = timezone.localdate()
    if day is None:
        return today
    if day > today:
        raise ValidationError({field: _("The date cannot be in the future.")})
    return day


def _require_consulting(project: Project) -> None:
    if project.status != ProjectStatus.CONSULTING:
        raise ValidationError(
            _("Intents are collected only while the project is consulting residents (now: %(status)s).")
            % {"status": project.get_status_display()}
        )


def _require_before_deadline(project: Project, day: date) -> None:
    closes_on = ConsultationRule.objects.filter(project=project).values_list("intent_closes_on", flat=True).first()
    if closes_on is not None and day > closes_on:
        message = _("The consultation closed on %(date)s; answers dated later are not counted.") % {
            "date": closes_on.isoformat()
        }
        raise ValidationError({"responded_on": message})


def intent_record(
    *,
    actor: Any,
    project: Project,
    household: Household,
    choice: str,
    channel: str = Channel.ONLINE,
    responded_on: date | None = None,
    replace_paper: bool = False,
) -> Intent:
    """Record (or replace) a household's intent. A linked resident's own answer is online, today.

    A paper letter (or an answer given on site) that staff recorded is the household's signed
    word: a resident replaces it online only when saying so (``replace_paper``), and the history
    names the replacement."""
    is_staff = require_household_voice(actor, project, household)
    _require_household_of(project, household)
    _require_consulting(project)
    if not is_staff:
        channel, responded_on = Channel.ONLINE, None
    responded_on = _require_not_future(responded_on, "responded_on")
    _require_before_deadline(project, responded_on)
    with transaction.atomic():
        # Lock the household: two phones of one household answering at once take turns here
        # (locking the intent row itself cannot help while it does not exist yet).
        Household.objects.select_for_update().filter(pk=household.pk).first()
        intent = Intent.objects.filter(project=project, household=household).first()
        replaces_paper = intent is not None and intent.channel != Channel.ONLINE and not is_staff
        if replaces_paper and not replace_paper:
            raise ValidationError(
                {
                    "replace_paper": _(
                        "Your household's %(channel)s answer (%(choice)s, %(date)s) is already recorded. "
                        "Tick the box to confirm that this answer replaces it."
                    )
                    % {
                        "channel": intent.get_channel_display(),
                        "choice": intent.get_choice_display(),
                        "date": intent.responded_on.isoformat(),
                    }
                }
            )
        intent = intent or Intent(project=project, household=household)
        intent.choice, intent.channel = choice, channel
        intent.responded_on = responded_on
        intent.recorded_by = actor
        reason = "intent_replace_paper" if replaces_paper else ("intent_change" if intent.pk else "intent_record")
        save_recorded(intent, actor=actor, reason=reason)
        pages_changed(Change.CONSULTATION, project_id=project.pk)
    return intent


@dataclass(frozen=True)
class PaperLetter:
    """One row of a stack of paper intention letters (意向书) entered on the desk."""

    row: int
    household: Household
    choice: str
    received_on: date


def intent_letters_record(*, actor: Any, project: Project, letters: Sequence[PaperLetter]) -> int:
    """A stack of paper letters, each with its own date: all saved, or none. Every refused row is
    named in the message (第 3 行：…), so staff correct the sheet and send it again. Households that
    already answered are refused, not overwritten: correcting an answer is done one by one."""
    require_project_manager(actor, project)
    _require_consulting(project)
    if not letters:
        raise ValidationError(_("Enter at least one letter."))
    rule = ConsultationRule.objects.filter(project=project).first()
    closes_on = rule.intent_closes_on if rule else None
    today = timezone.localdate()
    existing = {
        intent.household_id: intent
        for intent in Intent.objects.filter(
            project=project, household_id__in=[letter.household.pk for letter in letters]
        )
    }
    choices = set(IntentChoice.values)
    seen: dict[int, int] = {}
    errors: list[str] = []
    for letter in letters:
        problem = _letter_problem(project, letter, existing, seen, choices, today, closes_on)
        if problem:
            errors.append(_("Row %(row)s: %(problem)s") % {"row": letter.row, "problem": problem})
        seen.setdefault(letter.household.pk, letter.row)
    if errors:
        raise ValidationError(errors)
    intents = [
        Intent(
            project=project,
            household=letter.household,
            choice=letter.choice,
            channel=Channel.PAPER,
            responded_on=letter.received_on,
            recorded_by=actor,
        )
        for letter in letters
    ]
    try:
        with transaction.atomic():
            bulk_create_with_history(
                intents, Intent, batch_size=500, default_user=actor, default_change_reason="intent_letters_record"
            )
            pages_changed(Change.CONSULTATION, project_id=project.pk)
    except IntegrityError:
        # Someone recorded one of these households between the check and the write.
        raise ValidationError(
            _("One of these households was recorded by someone else meanwhile; nothing was saved. Try again.")
        ) from None
    return len(intents)


def _letter_problem(
    project: Project,
    letter: PaperLetter,
    existing: Mapping[int, Intent],
    seen: Mapping[int, int],
    choices: set[str],
    today: date,
    closes_on: date | None,
) -> str | None:
    household = letter.household
    if household.neighbourhood_id != project.neighbourhood_id:
        return _("%(address)s does not live in the project's neighbourhood.") % {"address": household.address}
    if letter.choice not in choices:
        return _("choose agree, disagree or abstain.")
    if letter.received_on is None or letter.received_on > today:
        return _("the date received cannot be in the future.")
    if closes_on is not None and letter.received_on > closes_on:
        return _("the consultation closed on %(date)s.") % {"date": closes_on.isoformat()}
    if household.pk in seen:
        return _("%(address)s is already on row %(other)s.") % {
            "address": household.address,
            "other": seen[household.pk],
        }
    intent = existing.get(household.pk)
    if intent is not None:
        return _("%(address)s has already answered (%(choice)s, %(channel)s, %(date)s).") % {
            "address": household.address,
            "choice": intent.get_choice_display(),
            "channel": intent.get_channel_display(),
            "date": intent.responded_on.isoformat(),
        }
    return None


def intents_record_batch(
    *, actor: Any, project: Project, answers: Iterable[tuple[Household, str]], channel: str, responded_on: date
) -> int:
    """A stack of paper letters entered at once (new answers only): a fixed number of queries."""
    require_project_manager(actor, project)
    _require_consulting(project)
    _require_not_future(responded_on, "responded_on")
    answered = set(Intent.objects.filter(project=project).values_list("household_id", flat=True))
    intents = []
    for household, choice in answers:
        _require_household_of(project, household)
        if household.pk not in answered:
            intent = Intent(
                project=project,
                household=household,
                choice=choice,
                channel=channel,
                responded_on=responded_on,
                recorded_by=actor,
            )
            # The relations were checked above; validating them again would cost queries per letter.
            intent.full_clean(exclude=["project", "household", "recorded_by"], validate_constraints=False)
            intents.append(intent)
            answered.add(household.pk)
    with transaction.atomic():
        bulk_create_with_history(
            intents, Intent, batch_size=500, default_user=actor, default_change_reason="intent_record"
        )
        pages_changed(Change.CONSULTATION, project_id=project.pk)
    return len(intents)
