"""Forms of the public tendering pages; the services do the checking that matters."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

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


class _RememberedSelect(forms.Select):
    """A ``<select>`` of the public list's filters, rendered once per process for each language,
    name, value, attributes and choices (its whole input): the same few are asked for on every
    request, and rendering them through the form templates was a fifth of the page's time."""

    rendered: ClassVar[dict[tuple[Any, ...], SafeString]] = {}
    LIMIT: ClassVar[int] = 512  # odd values from the query string must not grow it without bound

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        key = (
            get_language(),
            name,
            type(value),
            str(value),
            tuple(sorted((str(k), str(v)) for k, v in (attrs or {}).items())),
            tuple((str(choice), str(label)) for choice, label in self.choices),
            id(renderer),
        )
        found = self.rendered.get(key)
        if found is None:
            if len(self.rendered) >= self.LIMIT:
                self.rendered.clear()
            found = self.rendered[key] = super().render(name, value, attrs, renderer)
        return found


class _StreetChoiceField(forms.ChoiceField):
    """A street by its code, from choices the view read; a NUL character is named as such, as
    Django's ``ModelChoiceField`` names it."""

    def to_python(self, value: object) -> str:
        if value not in self.empty_values:
            ProhibitNullCharactersValidator()(value)
        return super().to_python(value)


class TenderFilterForm(forms.Form):
    """The filters of the public tender list (a GET form: every field optional, a bad value is
    reported and ignored)."""

    street = _StreetChoiceField(  # by code; ``streets`` gives the choices, read with the page's queries
        label=_("Street"),
        widget=_RememberedSelect,
        required=False,
        error_messages={"invalid_choice": _("There is no such street; choose one from the list.")},
    )
    state = forms.ChoiceField(
        label=pgettext_lazy("tender filter", "State"),
        choices=[("", _("All states")), *PUBLIC_STATES],
        widget=_RememberedSelect,
        required=False,
        error_messages={"invalid_choice": _("There is no such tender state; choose one from the list.")},
    )
    year = forms.TypedChoiceField(
        label=_("Year of opening"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=_RememberedSelect,
        error_messages={"invalid_choice": _("No tender opens in that year; choose one from the list.")},
    )

    def __init__(self, *args, years: list[int], streets: list[tuple[int, str, str]], **kwargs) -> None:
        """``streets``: (id, code, name) of every street, in the order listed."""
        super().__init__(*args, **kwargs)
        self.street_ids = {code: pk for pk, code, _name in streets}
        self.fields["street"].choices = [("", _("All streets")), *[(code, name) for _pk, code, name in streets]]
        self.fields["year"].choices = [("", _("All years")), *[(year, str(year)) for year in years]]

    def filters(self) -> dict:
        """The filters that are valid (a bad one is left out, not guessed); the street by its id."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        found = {name: data[name] for name in ("street", "state", "year") if data.get(name) not in (None, "")}
        if "street" in found:
            found["street"] = self.street_ids[found["street"]]
        return found
