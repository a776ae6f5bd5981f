"""Forms of the public tendering pages; the services do the checking that matters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Bidder


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
