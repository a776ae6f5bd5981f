"""Forms of the residents' account pages. They check input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from renovation.sms.codes import phone_number_normalise


def _number_field() -> forms.CharField:
    return forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "13812345678"}),
    )


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("SMS code (6 digits)"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )


class NumberForm(forms.Form):
    number = _number_field()

    def clean_number(self) -> str:
        return phone_number_normalise(self.cleaned_data["number"])


class JoinStartForm(NumberForm):
    code = forms.CharField(
        label=_("Household code (on your letter)"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ["code", "number", "consent"]
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is used as it says."),
        error_messages={"required": _("Joining needs your agreement to the privacy notice.")},
    )


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    password_user: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, self.password_user)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class JoinConfirmForm(PasswordPairMixin):
    sms_code = _code_field()
    sms_opt_in = forms.BooleanField(
        label=_("Also send me important notifications by SMS (a vote to take part in)"), required=False
    )
    field_order = ["sms_code", "password1", "password2", "sms_opt_in"]


class CodeForm(forms.Form):
    sms_code = _code_field()


class ResetConfirmForm(PasswordPairMixin):
    sms_code = _code_field()
    field_order = ["sms_code", "password1", "password2"]


class OptInForm(forms.Form):
    sms_opt_in = forms.BooleanField(label=_("Send me important notifications by SMS too"), required=False)


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my account and personal data are removed, my household's recorded answers stay."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
