"""Row locks (kernel.locking): the locked copy of a row, and its saved fields copied back onto
the caller's instance."""

from __future__ import annotations

import pytest
from django.db import transaction

from kernel.locking import copy_locked_fields, lock_row, lock_row_by_pk, lock_row_in
from marketplace.models import ResearchResult
from tests.factories import OrganizationFactory, ResearchResultFactory

pytestmark = pytest.mark.django_db


def test_lock_row_and_lock_row_by_pk_read_the_row_again() -> None:
    result = ResearchResultFactory()
    ResearchResult.objects.filter(pk=result.pk).update(title="新标题")
    with transaction.atomic():
        assert lock_row(result).title == "新标题"
        by_pk = lock_row_by_pk(ResearchResult, result.pk, related=["owner"])
        assert by_pk.title == "新标题"
        assert "owner" in by_pk._state.fields_cache
    ResearchResult.objects.filter(pk=result.pk).delete()
    with transaction.atomic(), pytest.raises(ResearchResult.DoesNotExist):
        lock_row(result)


def test_lock_row_in_returns_the_row_only_while_it_matches_the_query() -> None:
    result = ResearchResultFactory(trl=6)
    still_at_six = ResearchResult.objects.filter(trl=6)
    with transaction.atomic():
        locked = lock_row_in(still_at_six, result.pk, related=["owner"])
        assert locked is not None and locked.pk == result.pk
        assert "owner" in locked._state.fields_cache
    ResearchResult.objects.filter(pk=result.pk).update(trl=7)
    with transaction.atomic():
        assert lock_row_in(still_at_six, result.pk) is None


def test_copy_locked_fields_copies_every_concrete_field_or_the_named_ones() -> None:
    result = ResearchResultFactory()
    other_owner = OrganizationFactory()
    with transaction.atomic():
        locked = lock_row(result)
    locked.title = "新标题"
    locked.trl = 9
    locked.owner = other_owner

    named = ResearchResult.objects.get(pk=result.pk)
    copy_locked_fields(locked, named, fields=["title"])
    assert (named.title, named.trl) == ("新标题", 6)

    assert result.owner.pk != other_owner.pk  # the owner is cached on the caller's instance
    copy_locked_fields(locked, result)
    assert (result.title, result.trl, result.owner_id) == ("新标题", 9, other_owner.pk)
    assert result.owner == other_owner  # the stale cached owner was dropped

    copy_locked_fields(result, result)  # the same instance: nothing to do
    assert result.title == "新标题"
