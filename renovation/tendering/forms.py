"""Forms of the public tendering pages; the services do the checking that matters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from renovation.places.models import Street
from renovation.sms.codes import phone_number_normalise

from .models import Bidder, TenderStatus


class BidderForm(forms.ModelForm):
    class Meta:
        model = Bidder
        fields = ["name", "uscc", "contact_name", "contact_phone", "address"]
        help_texts = {"uscc": _("18 characters, as on the business licence (营业执照).")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The service normalises and validates the code (check character), and reports duplicates.
        self.fields["uscc"].validators = []
        self.fields["uscc"].max_length = 40
        self.fields["uscc"].widget.attrs.update({"autocapitalize": "characters", "spellcheck": "false"})

    def validate_unique(self) -> None:
        """Uniqueness is checked by the service, with the normalised code."""


class BidForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Bid amount (yuan)"), max_digits=14, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"})
    )
    duration_days = forms.IntegerField(label=_("Duration (days)"), min_value=1)
    proposal = forms.FileField(
        label=_("Technical proposal"),
        help_text=_("PDF, Word, Excel, images or an archive, up to 20 MB. It stays sealed until the opening."),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Document"), max_length=120, help_text=_("e.g. business licence, qualification certificate")
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF or image."))


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Your objection"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


class BidderSignUpForm(forms.Form):
    """A company registers without an account: the company, its contact's mobile (SMS-verified)
    and the password of its account, whose name is the credit code."""

    name = forms.CharField(label=_("Company name"), max_length=200)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as on the business licence (营业执照). You sign in with it."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=60)
    mobile = forms.CharField(
        label=_("Contact person's mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    sms_code = forms.CharField(
        label=_("SMS code"),
        max_length=6,
        required=False,
        help_text=_("Press “Send the code”, then enter the 6 digits sent to the mobile number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"), required=False, help_text=_("For notices and to reset the password.")
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_mobile(self) -> str:
        return phone_number_normalise(self.cleaned_data["mobile"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class BidderSendCodeForm(forms.Form):
    """Only the mobile number matters for sending the code."""

    mobile = BidderSignUpForm.base_fields["mobile"]
    clean_mobile = BidderSignUpForm.clean_mobile


class BidderReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approved", _("Approve: the company may bid")), ("rejected", _("Reject, with a reason"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


# The states the public list filters by: every status the public sees (drafts are never public).
PUBLIC_STATES = [(value, label) for value, label in TenderStatus.choices if value != TenderStatus.DRAFT]


class _ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices read in one plain query: Django's iterator reads them through
    ``QuerySet.iterator()``, a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three
    round trips for a handful of streets on every list page)."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class _ListedModelChoiceField(forms.ModelChoiceField):
    iterator = _ListedChoiceIterator


class TenderFilterForm(forms.Form):
    """The filters of the public tender list (a GET form: every field optional, a bad value is
    reported and ignored)."""

    street = _ListedModelChoiceField(
        label=_("Street"),
        queryset=Street.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All streets"),
        error_messages={"invalid_choice": _("There is no such street; choose one from the list.")},
    )
    state = forms.ChoiceField(
        label=pgettext_lazy("tender filter", "State"),
        choices=[("", _("All states")), *PUBLIC_STATES],
        required=False,
        error_messages={"invalid_choice": _("There is no such tender state; choose one from the list.")},
    )
    year = forms.TypedChoiceField(
        label=_("Year of opening"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": _("No tender opens in that year; choose one from the list.")},
    )

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(year, str(year)) for year in years]]

    def filters(self) -> dict:
        """The filters that are valid (a bad one is left out, not guessed)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in ("street", "state", "year") if data.get(name) not in (None, "")}
