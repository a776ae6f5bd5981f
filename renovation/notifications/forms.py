"""What the notification pages accept: which project or street to follow."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Follow

# The followed things, through the model's own relations: a platform module imports no domain app.
Project = Follow._meta.get_field("project").related_model
Street = Follow._meta.get_field("street").related_model


class FollowForm(forms.Form):
    """Follow or stop following one project or one street (exactly one of them)."""

    project = forms.ModelChoiceField(
        queryset=Project.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("There is no such project.")},
    )
    street = forms.ModelChoiceField(
        queryset=Street.objects.all(),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": _("There is no such street.")},
    )
    action = forms.ChoiceField(
        choices=[("follow", pgettext_lazy("follow", "Follow")), ("unfollow", _("Stop following"))],
        error_messages={
            "required": _("Choose to follow or to stop following."),
            "invalid_choice": _("Choose to follow or to stop following."),
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and (data.get("project") is None) == (data.get("street") is None):
            raise forms.ValidationError(_("Follow either a project or a street."))
        return data
