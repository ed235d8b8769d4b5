"""Row locks for services that read a row, check it and write it back in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import models
from django.db.models import QuerySet

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
    return lock_row_by_pk(type(instance), instance.pk, related=related)


def lock_row_by_pk(
    model: type[ModelT], pk: object, *, related: Sequence[str] = ()
) -> ModelT:
    """`lock_row` for a caller that holds only the primary key `pk` of a `model` row."""
    return _for_update(model._default_manager.all(), related).get(pk=pk)


def lock_row_in(
    queryset: QuerySet[ModelT], pk: object, *, related: Sequence[str] = ()
) -> ModelT | None:
    """`lock_row_by_pk` for a row that must still match `queryset`'s conditions: the row with
    primary key `pk` locked, or None when `queryset` no longer holds it (deleted, or changed
    since the caller read it). PostgreSQL checks the conditions again on the latest version
    of a row after waiting for a concurrent writer's lock, so a row changed meanwhile is not
    returned."""
    return _for_update(queryset, related).filter(pk=pk).first()


def _for_update(queryset: QuerySet[ModelT], related: Sequence[str]) -> QuerySet[ModelT]:
    queryset = queryset.select_for_update(of=("self",))
    return queryset.select_related(*related) if related else queryset


def copy_locked_fields(
    locked: ModelT, target: ModelT, *, fields: Sequence[str] | None = None
) -> None:
    """Copy the fields a service saved on its `locked` copy (from `lock_row`) back onto the
    caller's `target` instance of the same row, so the caller sees the new state without
    another query. `fields` names attributes (``decided_by_id`` for a foreign key); None
    copies every concrete field. A cached related object whose id changed is dropped by
    Django's foreign-key descriptor and read again when next used."""
    if locked is target:
        return
    names = fields if fields is not None else [f.attname for f in locked._meta.concrete_fields]
    for name in names:
        setattr(target, name, getattr(locked, name))
