"""Web forms for listings: create/edit a research result or a technology need, and the
broker's rejection reason.

Forms only validate and shape input; the views hand `cleaned_data` to the listing services
(`marketplace.services`), which check permissions and write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kernel.amount_fields import AmountFormField
from kernel.cells import split_items
from marketplace.choices import TransferMode
from marketplace.listing_records import ipc_symbols
from marketplace.models import (
    LISTING_DESCRIPTION_FIELDS,
    LISTING_PLACE_AND_SOURCE_FIELDS,
    RESEARCH_RESULT_OWN_FIELDS,
    TECHNOLOGY_NEED_OWN_FIELDS,
    Organization,
    ResearchResult,
    TechnologyNeed,
)
from marketplace.validators import normalize_patent_number


class CommaSeparatedListField(forms.CharField):
    """A list of short strings typed as one line: "储能, 电池、热管理" → ["储能", "电池", "热管理"]
    (separators: ASCII and full-width commas and semicolons, 、 and line breaks;
    `kernel.cells.split_items`).

    Duplicates and empty items are dropped; order is kept. Shown back as "a, b, c".
    """

    def __init__(self, *, max_items: int = 20, max_item_length: int = 60, **kwargs: Any) -> None:
        self.max_items = max_items
        self.max_item_length = max_item_length
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    # A CharField (its widget, strip and length handling) whose cleaned value is a list of
    # strings, where CharField's is a string.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return list(dict.fromkeys(item for item in (str(v).strip() for v in value) if item))
        return split_items(str(value or ""), line_breaks=True)

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.max_items:
            raise ValidationError(
                _("At most %(max)d items."), code="too_many", params={"max": self.max_items}
            )
        for item in value:
            if len(item) > self.max_item_length:
                raise ValidationError(
                    _("Each item may have at most %(max)d characters."),
                    code="too_long",
                    params={"max": self.max_item_length},
                )


class IpcListField(CommaSeparatedListField):
    """IPC symbols separated by commas or semicolons, normalised ("h01m10/052" → "H01M 10/052")
    and checked against the WIPO symbol grammar."""

    # A list of strings, as CommaSeparatedListField.to_python (see there).
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [v.upper() for v in super().to_python(value)]

    def clean(self, value: Any) -> list[str]:
        return ipc_symbols(super().clean(value))


def _source_url_field() -> forms.URLField:
    return forms.URLField(
        label=_("source URL"), max_length=500, required=False, assume_scheme="https"
    )


def _modes_field(label: Any) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label,
        choices=TransferMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ResearchResultForm(forms.ModelForm[ResearchResult]):
    """Create or edit a research result (科技成果). Drafts may be incomplete; the submit
    service checks completeness (`Listing.missing_for_submission`)."""

    keywords = CommaSeparatedListField(
        label=_("keywords"), help_text=_("Separate keywords with commas, e.g. 储能, 电池")
    )
    ipc = IpcListField(
        label=_("IPC symbols"), help_text=_("e.g. H01M 10/052; separate with commas")
    )
    transfer_modes = _modes_field(_("transfer modes"))
    source_url = _source_url_field()

    class Meta:
        model = ResearchResult
        fields = [
            *LISTING_DESCRIPTION_FIELDS[:3],
            "summary",
            *LISTING_DESCRIPTION_FIELDS[3:],
            *RESEARCH_RESULT_OWN_FIELDS,
            *LISTING_PLACE_AND_SOURCE_FIELDS,
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 8}),
            "confidential_details": forms.Textarea(attrs={"rows": 3}),
            "trl": forms.NumberInput(attrs={"min": 1, "max": 9}),
        }
        field_classes = {"asking_price_cny": AmountFormField}  # 50万 as the importer reads it

    def clean_patent_no(self) -> str:
        value: str = (self.cleaned_data.get("patent_no") or "").strip()
        return normalize_patent_number(value) if value else ""


class TechnologyNeedForm(forms.ModelForm[TechnologyNeed]):
    """Create or edit a technology need (企业技术需求). `trl` is the lowest maturity wanted."""

    keywords = CommaSeparatedListField(
        label=_("keywords"), help_text=_("Separate keywords with commas, e.g. 储能, 电池")
    )
    ipc = IpcListField(
        label=_("IPC symbols"), help_text=_("e.g. H01M 10/052; separate with commas")
    )
    cooperation_modes = _modes_field(_("cooperation modes"))
    source_url = _source_url_field()

    class Meta:
        model = TechnologyNeed
        fields = [
            *LISTING_DESCRIPTION_FIELDS[:3],
            "description",
            *LISTING_DESCRIPTION_FIELDS[3:],
            *TECHNOLOGY_NEED_OWN_FIELDS,
            *LISTING_PLACE_AND_SOURCE_FIELDS,
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "confidential_details": forms.Textarea(attrs={"rows": 3}),
            "trl": forms.NumberInput(attrs={"min": 1, "max": 9}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        field_classes = {"budget_min_cny": AmountFormField, "budget_max_cny": AmountFormField}


def add_owner_field(
    form: forms.BaseForm, organizations: QuerySet[Organization], initial: Organization | None
) -> None:
    """Give a new listing's `form` a required first field ``owner``: which of `organizations`
    (those of a member of several) lists it, `initial` preselected."""
    form.fields["owner"] = forms.ModelChoiceField(
        queryset=organizations, label=_("Listed by"), initial=initial, empty_label=None
    )
    form.order_fields(["owner"])


class RejectListingForm(forms.Form):
    """A broker's reason for sending a listing back to its owner (shown to the owner)."""

    reason = forms.CharField(
        label=_("rejection reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
