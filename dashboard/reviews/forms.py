"""The review pages' forms: starting a queue, one verdict, undo, labels and scorer settings."""

from __future__ import annotations

import math
from typing import Any

from django import forms

from dashboard.scores.forms import ScoreFilterForm

from .models import ReviewLabel, ScorerReviewSetting, Verdict
from .queues import MAX_QUEUE, PICKS

NOTE_MAX = 5_000
DEFAULT_SIZE = 25


class StartQueueForm(ScoreFilterForm):
    """The scorer page's filters (range, source, entity…) plus what to pick and how many."""

    scorer = forms.CharField(max_length=255, required=False)
    #: Optional so a scorer page's link (filters only) opens the form; the defaults fill them.
    pick = forms.ChoiceField(choices=list(PICKS.items()), required=False)
    size = forms.IntegerField(min_value=1, max_value=MAX_QUEUE, required=False, label="Scores")
    unreviewed_only = forms.BooleanField(required=False, initial=True, label="Unreviewed only")
    reviews_wanted = forms.IntegerField(
        min_value=1,
        max_value=5,
        initial=1,
        required=False,
        label="Reviewers per score",
        help_text="1 splits the scores between reviewers; 2 or more has each reviewed by that many people.",
    )
    name = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, starting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Starting needs an explicit choice (the form always sends one); a link may leave them out.
        self.fields["pick"].required = self.fields["size"].required = starting

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["pick"] = data.get("pick") or "worst"
        data["size"] = data.get("size") or DEFAULT_SIZE
        return data


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise forms.ValidationError("Enter a finite number.")
    return value


class ReviewForm(forms.Form):
    """One save of a reviewer's verdict; every change on the page posts the whole form."""

    verdict = forms.ChoiceField(choices=[("", "none"), *Verdict.choices], required=False)
    human_score = forms.FloatField(required=False, label="Your score")
    labels = forms.ModelMultipleChoiceField(
        queryset=ReviewLabel.objects.all(), required=False, to_field_name="name"
    )
    note = forms.CharField(max_length=NOTE_MAX, required=False, widget=forms.Textarea)
    #: The revision of the review the page shows (0: no review yet).
    revision = forms.IntegerField(min_value=0)
    queue = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args: Any, setting: ScorerReviewSetting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setting = setting

    def clean_human_score(self) -> float | None:
        value = _finite(self.cleaned_data.get("human_score"))
        low, high = self.setting.scale_min, self.setting.scale_max
        if value is not None and not low <= value <= high:
            raise forms.ValidationError(f"Give a score from {low:g} to {high:g} (this scorer's scale).")
        return value


class UndoForm(forms.Form):
    event = forms.IntegerField(min_value=1)
    revision = forms.IntegerField(min_value=0)


class LabelForm(forms.ModelForm):
    class Meta:
        model = ReviewLabel
        fields = ("name", "description", "active")

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError("A label needs a name.")
        return name


class ScorerSettingForm(forms.ModelForm):
    class Meta:
        model = ScorerReviewSetting
        fields = ("threshold", "scale_min", "scale_max")
        labels = {
            "threshold": "Pass threshold (for Cohen's κ)",
            "scale_min": "Lowest score",
            "scale_max": "Highest score",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("threshold", "scale_min", "scale_max"):
            value = data.get(name)
            if value is not None and not math.isfinite(value):
                self.add_error(name, "Enter a finite number.")
        low, high, threshold = data.get("scale_min"), data.get("scale_max"), data.get("threshold")
        if low is not None and high is not None and low >= high:
            self.add_error("scale_max", "The highest score must be above the lowest.")
        elif None not in (low, high, threshold) and not low <= threshold <= high:  # type: ignore[operator]
            self.add_error("threshold", "The threshold must lie on the scale.")
        return data


class AgreementForm(forms.Form):
    scorer = forms.CharField(max_length=255, required=False)
    trend = forms.ChoiceField(choices=[("week", "week"), ("day", "day"), ("month", "month")], required=False)
