"""The GET forms that choose what an export contains, and say it back in words for its title row.

The ledger's fields carry the project index's query names (street, year, status, category, q), so a
filtered index address works for the ledger too. Street choices are limited to the user's scope.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.finance.models import previous_quarter, quarter_of
from renovation.places.models import Street
from renovation.projects.models import ProjectStatus, WorkCategory
from renovation.projects.selectors import plan_years
from renovation.spreadsheets.writer import describe_filters
from renovation.supervision.models import IssueCategory, IssueStatus

from .disclosure import DisclosureFilters
from .exports import IssueFilters, ProjectFilters

ALL = [("", _("All"))]


def street_choices(user: Any) -> list[tuple[str, str]]:
    streets = Street.objects.order_by("sort_order", "name")
    if not is_bureau(user):
        streets = streets.filter(pk=staff_street_id(user))
    return [*ALL, *streets.values_list("code", "name")]


class ExportForm(forms.Form):
    """Describes its cleaned values as "label: value" pairs, choices by their label."""

    # The reports page shows every form at once: ids must differ, names stay the index's.
    id_prefix = "export"

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)
        self.user = user

    def describe(self) -> str:
        parts = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if isinstance(field, forms.ChoiceField):
                value = dict(field.choices).get(value, dict(field.choices).get(str(value), value))
            parts.append((field.label, value))
        return describe_filters(parts)


class LedgerFilterForm(ExportForm):
    id_prefix = "ledger"
    street = forms.ChoiceField(label=_("Street"), required=False)
    year = forms.TypedChoiceField(label=_("Plan year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[*ALL, *ProjectStatus.choices])
    category = forms.ChoiceField(label=_("Work category"), required=False, choices=[*ALL, *WorkCategory.choices])
    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["street"].choices = street_choices(user)
        self.fields["year"].choices = [*ALL, *((year, year) for year in plan_years())]

    def filters(self) -> ProjectFilters:
        data = self.cleaned_data
        return ProjectFilters(
            street=data["street"] or None,
            plan_year=data["year"],
            status=data["status"] or None,
            category=data["category"] or None,
            search=data["q"].strip() or None,
        )


class MonthlyReportForm(ExportForm):
    id_prefix = "monthly"
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, choices=[(month, f"{month:02d}") for month in range(1, 13)]
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localdate()
        if data.get("year") and data.get("month") and (data["year"], data["month"]) > (today.year, today.month):
            raise ValidationError(_("A monthly report can only cover a month that has begun."))
        return data


class IssueRegisterForm(ExportForm):
    id_prefix = "issues"
    street = forms.ChoiceField(label=_("Street"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[*ALL, *IssueStatus.choices])
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[*ALL, *IssueCategory.choices])
    reported_from = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reported_to = forms.DateField(
        label=_("Reported to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["street"].choices = street_choices(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("reported_from"), data.get("reported_to")
        if first and last and last < first:
            raise ValidationError({"reported_to": _("The end date cannot be before the start date.")})
        return data

    def filters(self) -> IssueFilters:
        data = self.cleaned_data
        return IssueFilters(
            street=data["street"] or None,
            status=data["status"] or None,
            category=data["category"] or None,
            reported_from=data["reported_from"],
            reported_to=data["reported_to"],
        )


class DisclosureForm(ExportForm):
    id_prefix = "disclosure"
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)])
    street = forms.ChoiceField(label=_("Street"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["street"].choices = street_choices(user)
        # The quarter most often published is the one that has just ended.
        self.fields["year"].initial, self.fields["quarter"].initial = previous_quarter(timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localdate()
        year, quarter = data.get("year"), data.get("quarter")
        if year and quarter and (year, quarter) > quarter_of(today):
            raise ValidationError(_("A disclosure can only cover a quarter that has begun."))
        return data

    def filters(self) -> DisclosureFilters:
        data = self.cleaned_data
        return DisclosureFilters(year=data["year"], quarter=data["quarter"], street=data["street"] or None)
