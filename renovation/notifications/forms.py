"""What the notification pages accept: which project or street to follow."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renovation.places.models import Street
from renovation.projects.models import Project


class FollowForm(forms.Form):
    """Follow or stop following one project or one street (exactly one of them)."""

    project = forms.ModelChoiceField(queryset=Project.objects.all(), required=False)
    street = forms.ModelChoiceField(queryset=Street.objects.all(), to_field_name="code", required=False)
    action = forms.ChoiceField(choices=[("follow", _("Follow")), ("unfollow", _("Stop following"))])

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and (data.get("project") is None) == (data.get("street") is None):
            raise forms.ValidationError(_("Follow either a project or a street."))
        return data
