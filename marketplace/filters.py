"""Query-string filters for listings and organisations (django-filter FilterSets).

The FilterSets only narrow a queryset that a selector has already restricted to what the viewer
may see, so `status` lets owners and brokers pick drafts etc., while outsiders can only ever
narrow the published listings they see anyway.

Mode filters (`transfer_mode`, `cooperation_mode`) test membership in a JSON list. `__contains`
on a JSONField is not available on SQLite, so they match the quoted code inside the stored JSON
text (`icontains '"licence"'`), which works the same on SQLite and PostgreSQL: the codes are
distinct words, none contains another in quotes.

Boolean filters (`verified`) take true/false/1/0 (`StrictBooleanFilter`); any other value is
a 400 naming the parameter, never silently ignored. Choice filters refuse unknown values the
same way (django-filter's form validation; the DRF filter backend raises it as a 400).

Id filters (`owner`) take a whole number 1..2**63-1 (`IdFilter`): anything else (``1e30``,
``99999999999999999999999``, ``1.5``) is a 400 with a message on the parameter, never a
database overflow.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from marketplace.choices import (
    ClaimStatus,
    Field,
    IpType,
    ListingStatus,
    OrganizationKind,
    Stage,
    TransferMode,
    VerificationStatus,
)
from marketplace.models import (
    ID_MAX,
    Organization,
    OrganizationClaim,
    ResearchResult,
    TechnologyNeed,
)

if TYPE_CHECKING:
    from collections.abc import Mapping



class IdFilter(django_filters.NumberFilter):
    """An id parameter: a whole number 1..`ID_MAX` (a Django `IntegerField` with bounds)."""

    # types-django-filter declares NumberFilter.field_class as DecimalField only; django-filter
    # accepts any form field class here.
    field_class = forms.IntegerField  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class StrictBooleanWidget(BooleanWidget):
    """django-filter's BooleanWidget (true/false/1/0, any case), except that any other text is
    passed on to the field, which refuses it, instead of becoming "no filter"."""

    def value_from_datadict(
        self, data: Mapping[str, Any], files: Mapping[str, Any], name: str
    ) -> Any:
        raw = data.get(name)
        value = super().value_from_datadict(data, files, name)
        if value is None and raw not in (None, ""):
            return raw
        return value


class StrictBooleanField(forms.NullBooleanField):
    widget = StrictBooleanWidget
    default_error_messages = {"invalid": _("Give true or false (or 1 or 0).")}

    # The stubs declare NullBooleanField.to_python as returning bool; Django's returns
    # bool | None (None: no filter).
    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value is None or value == "" or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value: Any) -> None:
        return None


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A boolean parameter: true/false/1/0; anything else is a 400 on the parameter."""

    field_class = StrictBooleanField


def _json_list_contains_any(queryset: QuerySet[Any], name: str, codes: list[str]) -> QuerySet[Any]:
    """Rows whose JSON list `name` contains at least one of `codes` (portable, see above)."""
    if not codes:
        return queryset
    condition = Q()
    for code in codes:
        condition |= Q(**{f"{name}__icontains": f'"{code}"'})
    return queryset.filter(condition)


class ListingFilter(django_filters.FilterSet):
    """Filters shared by research results and technology needs."""

    q = django_filters.CharFilter(method="filter_q", label=_("Title contains"))
    field = django_filters.ChoiceFilter(choices=Field.choices, label=_("Field"))
    province = django_filters.CharFilter(label=_("Province"))
    city = django_filters.CharFilter(label=_("City"))
    status = django_filters.ChoiceFilter(choices=ListingStatus.choices, label=_("Status"))
    trl_min = django_filters.NumberFilter(
        field_name="trl", lookup_expr="gte", label=_("Minimum TRL")
    )
    trl_max = django_filters.NumberFilter(
        field_name="trl", lookup_expr="lte", label=_("Maximum TRL")
    )
    owner = IdFilter(field_name="owner_id", label=_("Owner organisation id"))
    ordering = django_filters.OrderingFilter(
        fields=(("published_at", "published_at"), ("trl", "trl"), ("title", "title")),
        label=_("Ordering"),
    )

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(title_en__icontains=value))


class ResearchResultFilter(ListingFilter):
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    ip_type = django_filters.ChoiceFilter(choices=IpType.choices, label=_("IP type"))
    transfer_mode = django_filters.MultipleChoiceFilter(
        field_name="transfer_modes",
        choices=TransferMode.choices,
        method="filter_modes",
        label=_("Transfer mode (any of)"),
    )
    price_min = django_filters.NumberFilter(
        field_name="asking_price_cny", lookup_expr="gte", label=_("Minimum asking price (CNY)")
    )
    price_max = django_filters.NumberFilter(
        field_name="asking_price_cny", lookup_expr="lte", label=_("Maximum asking price (CNY)")
    )

    class Meta:
        model = ResearchResult
        fields: list[str] = []

    def filter_modes(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        return _json_list_contains_any(queryset, name, value)


class TechnologyNeedFilter(ListingFilter):
    """`budget_min` / `budget_max` (CNY) keep needs whose budget range overlaps the given one;
    needs without any budget are left out when either is given."""

    cooperation_mode = django_filters.MultipleChoiceFilter(
        field_name="cooperation_modes",
        choices=TransferMode.choices,
        method="filter_modes",
        label=_("Cooperation mode (any of)"),
    )
    budget_min = django_filters.NumberFilter(
        method="filter_budget_min", label=_("Budget from (CNY)")
    )
    budget_max = django_filters.NumberFilter(
        method="filter_budget_max", label=_("Budget up to (CNY)")
    )
    deadline_after = django_filters.DateFilter(
        field_name="deadline", lookup_expr="gte", label=_("Deadline on or after")
    )

    class Meta:
        model = TechnologyNeed
        fields: list[str] = []

    def filter_modes(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        return _json_list_contains_any(queryset, name, value)

    def filter_budget_min(
        self, queryset: QuerySet[Any], name: str, value: Decimal
    ) -> QuerySet[Any]:
        return queryset.filter(
            Q(budget_max_cny__gte=value)
            | Q(budget_max_cny__isnull=True, budget_min_cny__gte=value)
        )

    def filter_budget_max(
        self, queryset: QuerySet[Any], name: str, value: Decimal
    ) -> QuerySet[Any]:
        return queryset.filter(
            Q(budget_min_cny__lte=value)
            | Q(budget_min_cny__isnull=True, budget_max_cny__lte=value)
        )


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name contains"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("Type"))
    verified = StrictBooleanFilter(label=_("Verified"))
    verification_status = django_filters.ChoiceFilter(
        choices=VerificationStatus.choices, label=_("Verification")
    )
    province = django_filters.CharFilter(label=_("Province"))

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(legal_name__icontains=value) | Q(name_en__icontains=value))


class OrganizationDirectoryFilter(OrganizationFilter):
    """The directory page's form: `OrganizationFilter` without `verified`, whose choice is
    already one of `verification_status` ("verified"); two controls for one question, the
    first with Django's "unknown" for "any", confused the form. The API keeps both."""

    # django-filter leaves out a parent's filter that the subclass names (FilterSetMetaclass).
    verified = None  # type: ignore[assignment]


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ClaimStatus.choices, label=_("Status"))

    class Meta:
        model = OrganizationClaim
        fields: list[str] = []
