"""Web forms of match requests (对接): asking, proposing, declining and the message thread.

Forms only validate and shape input; views pass `cleaned_data` to
`matching.match_requests.services`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kernel.templatetags.keqiao import display_title
from marketplace.models import ResearchResult, TechnologyNeed
from matching.mediation.common import NOTE_MAX_LENGTH
from matching.models import DeclineReason


class ListingChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice among listings, each named by its title in the page's language
    (`display_title`: the English title on English pages when there is one)."""

    def label_from_instance(self, obj: Any) -> str:
        return display_title(obj)


class MatchRequestForm(forms.Form):
    """An enterprise asks to be introduced to a result's owner (申请对接), optionally naming
    one of its organisation's needs."""

    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Introduce your organisation and say what you want to discuss."),
    )
    technology_need = ListingChoiceField(
        label=_("For our technology need (optional)"),
        queryset=TechnologyNeed.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, needs: QuerySet[TechnologyNeed], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["technology_need"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = needs


class ProposeForm(forms.Form):
    """A researcher proposes one of their organisation's results to a need (推荐给需求)."""

    research_result = ListingChoiceField(
        label=_("Our research result"), queryset=ResearchResult.objects.none()
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say how your result answers this need."),
    )

    def __init__(self, *args: Any, results: QuerySet[ResearchResult], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["research_result"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = results


class DeclineForm(forms.Form):
    """Why the addressee declines; an explanation is required for "Other" (the service
    checks that too and its per-field error is shown on `text`)."""

    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    text = forms.CharField(
        label=_("Explanation"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("reason") == DeclineReason.OTHER and not cleaned.get("text", "").strip():
            self.add_error("text", _("Please explain why you decline."))
        return cleaned


class MessageForm(forms.Form):
    """A message in a request's thread."""

    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
