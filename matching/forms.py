"""Web forms of matching: the search box with its filters, match requests (对接) and their
message thread.

Forms only validate and shape input; views pass `cleaned_data` to `matching.services` or turn
it into a `SearchQuery`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from marketplace.choices import Field, Stage, TransferMode
from marketplace.models import ResearchResult, TechnologyNeed
from matching.models import DeclineReason
from matching.search.backends.base import SearchQuery

PAGE_SIZE = 20
MAX_PAGE = 500

KIND_CHOICES = [("result", _("Research results")), ("need", _("Technology needs"))]


class SearchForm(forms.Form):
    """The home page's search: free text, listing type, facet filters (lists mean "any of")
    and the page number. Unknown or bad values are dropped rather than refused, so a mangled
    link still shows results."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False)
    field = forms.MultipleChoiceField(choices=Field.choices, required=False)
    province = forms.CharField(max_length=20, required=False)
    stage = forms.MultipleChoiceField(choices=Stage.choices, required=False)
    modes = forms.MultipleChoiceField(choices=TransferMode.choices, required=False)
    trl_min = forms.IntegerField(min_value=1, max_value=9, required=False)
    trl_max = forms.IntegerField(min_value=1, max_value=9, required=False)
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def query(self) -> SearchQuery:
        """The `SearchQuery` for the valid part of the input (call after `is_valid()`)."""
        data: dict[str, Any] = {}
        cleaned = getattr(self, "cleaned_data", {})
        for name in self.fields:
            if name in cleaned and name not in self.errors:
                data[name] = cleaned[name]
        return SearchQuery(
            text=(data.get("q") or "").strip(),
            kind=data.get("kind") or "result",
            fields=tuple(data.get("field") or ()),
            provinces=(data["province"],) if data.get("province") else (),
            stages=tuple(data.get("stage") or ()),
            modes=tuple(data.get("modes") or ()),
            trl_min=data.get("trl_min"),
            trl_max=data.get("trl_max"),
            page=data.get("page") or 1,
            page_size=PAGE_SIZE,
        )


class MatchRequestForm(forms.Form):
    """An enterprise asks to be introduced to a result's owner (申请对接), optionally naming
    one of its organisation's needs."""

    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Introduce your organisation and say what you want to discuss."),
    )
    technology_need = forms.ModelChoiceField(
        label=_("For our technology need (optional)"),
        queryset=TechnologyNeed.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, needs: QuerySet[TechnologyNeed], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technology_need"].queryset = needs  # type: ignore[attr-defined]


class ProposeForm(forms.Form):
    """A researcher proposes one of their organisation's results to a need (推荐给需求)."""

    research_result = forms.ModelChoiceField(
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
        self.fields["research_result"].queryset = results  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    """Why the addressee declines; an explanation is required for "Other" (the service
    checks that too and its per-field error is shown on `text`)."""

    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    text = forms.CharField(
        label=_("Explanation"),
        max_length=5000,
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
