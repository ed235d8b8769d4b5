"""Row locks for services that read a row, check it and write it back in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


def lock_row(instance: ModelT, *, related: Sequence[str] = ()) -> ModelT:
    """`instance`'s row read again under a row lock (SELECT ... FOR UPDATE) held until the
    transaction ends; call it inside `transaction.atomic`, so that concurrent writers of the
    row wait for each other. `related` names foreign keys read in the same query
    (`select_related`) for display.

    Only the row itself is locked (``of=("self",)``): PostgreSQL refuses FOR UPDATE on the
    nullable side of an outer join, which `related` may add. Raises the model's DoesNotExist
    when the row was deleted meanwhile.
    """
    queryset = type(instance)._default_manager.select_for_update(of=("self",))
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=instance.pk)
