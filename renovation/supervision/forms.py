"""Forms of the supervisors' and construction units' mobile pages. They parse input; the
services decide and validate the domain rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renovation.files.forms import PhotosField

from .models import IssueCategory, IssueSeverity


class IssueReportForm(forms.Form):
    project = forms.ModelChoiceField(queryset=None, label=_("Project"), empty_label=None)
    category = forms.ChoiceField(
        choices=IssueCategory.choices, label=_("What kind of problem"), widget=forms.RadioSelect
    )
    severity = forms.ChoiceField(
        choices=IssueSeverity.choices, label=_("How serious"), widget=forms.RadioSelect, initial=IssueSeverity.GENERAL
    )
    description = forms.CharField(label=_("What is wrong"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    location = forms.CharField(
        label=_("Where on site"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 3幢2单元 stairwell")}),
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    photos = PhotosField(label=_("Photos (1 to 9)"))

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        if projects.count() == 1:
            self.fields["project"].initial = projects.first()


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(NoteForm):
    deadline = forms.DateTimeField(
        label=_("Rectify by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty for the default: safety 24 hours, quality 72 hours, others 7 days."),
    )


class RectifyForm(NoteForm):
    photos = PhotosField(label=_("Photos after rectification (1 to 9)"))
