"""Forms of the resident pages and the staff screens. They check input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renovation.projects.models import WorkCategory

from .deliberation_models import Outcome, Stage
from .desk_forms import HouseholdField
from .models import Channel, DecisionItem, DecisionOption, IntentChoice

SCORES = [(score, str(score)) for score in range(5, 0, -1)]
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class IntentForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Do you agree to renovate?"), choices=IntentChoice.choices, widget=forms.RadioSelect
    )
    # Shown only when a paper letter is on record: the resident confirms replacing it.
    replace_paper = forms.BooleanField(label=_("Replace the paper answer on record with this answer"), required=False)


class VoteForm(forms.Form):
    option = forms.TypedChoiceField(label=_("Your choice"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args: Any, item: DecisionItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["option"].choices = [(option.pk, option.label) for option in item.options.all()]
        self.fields["option"].label = item.question


class RatingForm(forms.Form):
    overall = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you?"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (public, without your name or address)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(WorkCategory.choices)
        for code in categories:
            self.fields[f"score_{code}"] = forms.TypedChoiceField(
                label=labels[code], choices=SCORES, coerce=int, required=False, widget=forms.RadioSelect
            )
        self.category_fields = [self[f"score_{code}"] for code in categories]

    def scores(self) -> dict[str, int]:
        return {
            name.removeprefix("score_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("score_") and value not in (None, "")
        }


class StaffEntryMixin(forms.Form):
    """Paper letters and on-site answers: staff say how and when the household answered."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PAPER)
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)

    def __init__(self, *args: Any, register: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"] = HouseholdField(register=register)
        self.order_fields(["household", *[name for name in self.fields if name != "household"]])


class StaffIntentForm(StaffEntryMixin, IntentForm):
    replace_paper = None  # staff correct an answer as such; the confirmation is the resident's


class BallotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, option: Any) -> str:
        return f"{option.item.question} · {option.label}"


class StaffVoteForm(StaffEntryMixin, forms.Form):
    option = BallotChoiceField(label=_("Item and option on the ballot"), queryset=DecisionOption.objects.none())

    def __init__(self, *args: Any, options: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = options


class StaffRatingForm(StaffEntryMixin, RatingForm):
    pass


class ThresholdForm(forms.Form):
    numerator = forms.IntegerField(label=_("Households agreeing (numerator)"), min_value=1, max_value=99)
    denominator = forms.IntegerField(label=_("of (denominator)"), min_value=1, max_value=99)
    intent_closes_on = forms.DateField(
        label=_("Households answer by"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Shown to residents above the question; answers dated later are refused. Empty: no date."),
    )


class DecisionItemForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    options = forms.CharField(label=_("Options, one per line"), widget=forms.Textarea(attrs={"rows": 4}))
    opens_on = forms.DateField(label=_("Voting opens"), widget=DATE_INPUT)
    closes_on = forms.DateField(label=_("Voting closes"), widget=DATE_INPUT)

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class DeliberationStartForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("What is decided"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label=_("Attachment (minutes, scan)"), required=False)


class FileForm(forms.Form):
    filed_on = forms.DateField(label=_("Filed on"), widget=DATE_INPUT, initial=timezone.localdate)
    filed_with = forms.CharField(
        label=_("Filed with"),
        max_length=100,
        required=False,
        help_text=_("Leave empty for the project's street office."),
    )


class RegisterUploadForm(forms.Form):
    workbook = forms.FileField(label=_("Household register (.xlsx)"))
