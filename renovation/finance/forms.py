"""Forms of the finance back office; each view hands the cleaned values to one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import previous_quarter


class PublishForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in range(1, 5)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The quarter that has just ended is the one to publish.
        self.fields["year"].initial, self.fields["quarter"].initial = previous_quarter(timezone.localdate())


class CorrectionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Change of amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Signed: -2000 takes 2,000 yuan off the entry; the whole amount with a minus sign reverses it."),
    )
    reason = forms.CharField(label=_("Reason (public)"), max_length=300)
    booked_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Today if empty.")
    )
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=80, required=False)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=60, required=False)


class StatementForm(forms.Form):
    workbook = forms.FileField(label=_("Bank statement (.xlsx)"))
