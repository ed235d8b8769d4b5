"""Building blocks of the apps' admin pages (this module registers nothing).

- `ReadOnlyAdmin`: a model the admin shows but never adds, changes or deletes, because
  its rows are records written by a service (payments by the provider flow, audit trails).
- `ReadOnlyInline`: the same for rows shown inside their parent's page.
- `URL_FIELDS_ASSUME_HTTPS`: the `formfield_overrides` of models with web addresses.
- `column`: a `list_display` column of a field whose model gives it no (translated) verbose
  name, under a translated heading, sortable by the field; a field with choices shows its label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import Model
from django.http import HttpRequest
from django_stubs_ext import StrOrPromise

# Addresses typed without a scheme are taken as https (Django 6.0's default for
# forms.URLField; Django 5.2 still assumes http and warns).
URL_FIELDS_ASSUME_HTTPS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}

_ModelT = TypeVar("_ModelT", bound=Model)
_ParentT = TypeVar("_ParentT", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[_ModelT]):
    """Shown (list, filters, search, the view page) but never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[_ModelT, _ParentT]):
    """Rows shown inside their parent's page, never added, changed or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: _ParentT | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def column(field: str, description: StrOrPromise) -> Callable[[Model], Any]:
    """A `list_display` entry showing `field` of each row under `description` (the value as
    it is, so that the admin formats dates and shows its empty mark for None, hence `Any`)."""

    @admin.display(description=description, ordering=field)
    def value(obj: Model) -> Any:
        label = getattr(obj, f"get_{field}_display", None)
        return label() if label is not None else getattr(obj, field)

    value.__name__ = value.__qualname__ = f"column_{field}"
    return value
