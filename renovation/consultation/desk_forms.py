"""The desk's household picker and the batch entry of paper letters.

Staff type the address as it is written on the letter: 3幢2单元301, 3-2-301, 3/2/301, 3 2 301, or
3-301 when the building has no units (or only one household has that room in the building). The
input is tied to a <datalist> of the estate's households, so the browser offers the matching
addresses as one types, with no script; the field resolves the text against the register, read
once for the page, so a screen of many rows costs the same queries as one row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Household, Intent, IntentChoice
from .services import PaperLetter

DATALIST_ID = "desk-households"
LETTER_ROWS = 10
MAX_LETTER_ROWS = 200
_SEPARATORS = re.compile(r"[\s\-/,，、.．—－_]+")
_WRITTEN = re.compile(r"^(?P<building>.+?)(?:幢|栋|号楼)(?:(?P<unit>.+?)单元)?(?P<room>.+?)(?:室|号)?$")


def address_parts(text: str) -> tuple[str, str | None, str] | None:
    """(building, unit or None when not given, room), or None if the text is not an address."""
    text = (text or "").strip()
    written = _WRITTEN.match(text)
    if written:
        return written["building"].strip(), (written["unit"] or "").strip() or None, written["room"].strip()
    parts = [part for part in _SEPARATORS.split(text.removesuffix("室").removesuffix("号")) if part]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return parts[0], None, parts[1]
    return None


@dataclass
class HouseholdRegister:
    """The households of one estate, by address, with the answer each has given (if any)."""

    households: list[Household]
    intents: dict[int, Intent]

    def __post_init__(self) -> None:
        self.by_address = {(h.building, h.unit, h.room): h for h in self.households}
        self.by_room: dict[tuple[str, str], list[Household]] = defaultdict(list)
        for household in self.households:
            self.by_room[(household.building, household.room)].append(household)

    @classmethod
    def of(cls, project: Any) -> HouseholdRegister:
        households = list(
            Household.objects.filter(neighbourhood_id=project.neighbourhood_id).order_by("building", "unit", "room")
        )
        intents = {intent.household_id: intent for intent in Intent.objects.filter(project=project)}
        return cls(households, intents)

    def find(self, text: str) -> Household:
        parts = address_parts(text)
        if parts is None:
            raise ValidationError(
                _("Write the address as building-unit-room, e.g. 3-2-301 or 3幢2单元301 (“%(text)s”).") % {"text": text}
            )
        building, unit, room = parts
        if unit is not None:
            household = self.by_address.get((building, unit, room))
            if household is None and unit in ("", "0"):
                household = self.by_address.get((building, "", room))
            if household is not None:
                return household
        else:
            matches = self.by_room.get((building, room), [])
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise ValidationError(
                    _("Building %(building)s has room %(room)s in several units: give the unit too.")
                    % {"building": building, "room": room}
                )
        raise ValidationError(_("No household %(text)s in this estate's register.") % {"text": text.strip()})

    def options(self) -> list[tuple[str, str]]:
        """(value, label) of the datalist: the address, and the answer already on record."""
        rows = []
        for household in self.households:
            intent = self.intents.get(household.pk)
            label = (
                _("answered: %(choice)s (%(channel)s)")
                % {"choice": intent.get_choice_display(), "channel": intent.get_channel_display()}
                if intent
                else _("not answered")
            )
            rows.append((household.address, label))
        return rows


class HouseholdField(forms.Field):
    """A text input resolved to a Household of the register; offers the addresses as one types."""

    widget = forms.TextInput

    def __init__(self, *, register: HouseholdRegister, **kwargs: Any) -> None:
        kwargs.setdefault("label", gettext_lazy("Household (building-unit-room)"))
        super().__init__(**kwargs)
        self.register = register
        self.widget.attrs.update(
            {
                "list": DATALIST_ID,
                "autocomplete": "off",
                "maxlength": "60",
                "placeholder": "3-2-301",
                "class": "household-picker",
            }
        )

    def to_python(self, value: Any) -> Household | None:
        text = (value or "").strip() if isinstance(value, str) else value
        if text in self.empty_values:
            return None
        return self.register.find(text[:60])

    def prepare_value(self, value: Any) -> Any:
        return value.address if isinstance(value, Household) else value


class LetterRowForm(forms.Form):
    """One paper letter: whose, the answer, the day it was received."""

    household = forms.CharField(required=False)  # replaced by a HouseholdField in __init__
    choice = forms.ChoiceField(label=gettext_lazy("Answer"), choices=[("", "—"), *IntentChoice.choices], required=False)
    received_on = forms.DateField(
        label=gettext_lazy("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, register: HouseholdRegister, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"] = HouseholdField(register=register, required=False)
        self.order_fields(["household", "choice", "received_on"])

    @property
    def is_blank(self) -> bool:
        return not any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_blank:
            return data
        for name in ("household", "choice"):
            if name in data and not data[name]:
                self.add_error(name, _("This field is required."))
        return data


class BaseLetterFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, register: HouseholdRegister, **kwargs: Any) -> None:
        self.register = register
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"register": self.register}

    def letters(self, default_day: date) -> list[PaperLetter]:
        """The filled rows, numbered as on the screen; a row without a date takes ``default_day``."""
        return [
            PaperLetter(
                row=index + 1,
                household=form.cleaned_data["household"],
                choice=form.cleaned_data["choice"],
                received_on=form.cleaned_data["received_on"] or default_day,
            )
            for index, form in enumerate(self.forms)
            if not form.is_blank
        ]

    def row_errors(self) -> Iterable[str]:
        """Each row's errors in one line naming the row (第 3 行：…), for the summary at the top."""
        for index, form in enumerate(self.forms):
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for error in errors:
                    problem = f"{label}：{error}" if label else error
                    yield _("Row %(row)s: %(problem)s") % {"row": index + 1, "problem": problem}


def letter_formset(data: Any, *, register: HouseholdRegister, rows: int = LETTER_ROWS) -> BaseLetterFormSet:
    """``rows`` empty rows to fill (a stack of 30 letters asks for 30); posted data keeps its own."""
    formset_class = forms.formset_factory(
        LetterRowForm,
        formset=BaseLetterFormSet,
        extra=max(1, min(rows, MAX_LETTER_ROWS)),
        max_num=MAX_LETTER_ROWS,
        absolute_max=MAX_LETTER_ROWS,
        validate_max=True,
    )
    return formset_class(data, prefix="letters", register=register)


class LetterBatchForm(forms.Form):
    """What the whole stack shares: the day letters without their own date were received."""

    received_on = forms.DateField(
        label=gettext_lazy("Received on (for rows without a date)"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
