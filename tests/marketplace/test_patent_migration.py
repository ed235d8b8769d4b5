"""The data migration that stores existing patent numbers in their canonical form, run on a
real database against rows written before the rule (bypassing validation, as old code did)."""

from __future__ import annotations

import importlib
import logging

import pytest
from django.apps import apps

from marketplace.models import ResearchResult
from tests import factories

pytestmark = pytest.mark.django_db

migration = importlib.import_module("marketplace.migrations.0004_canonical_patent_numbers")


def test_migration_canonicalises_stored_patent_numbers_and_reports_what_it_cannot(caplog):
    owner = factories.OrganizationFactory()
    stored = {
        "ZL202110123456.7": "202110123456.7",
        "CN202110123456.7": "202110123456.7",
        "202110123456": "202110123456.7",  # check character computed
        "cn116245100a": "CN116245100A",
        "CN218751475U": "CN218751475U",
        "": "",
        "CN1234567C": "CN1234567C",  # cannot be repaired: left as it is, and reported
    }
    rows = {}
    for old in stored:
        result = factories.ResearchResultFactory(owner=owner)
        ResearchResult.objects.filter(pk=result.pk).update(patent_no=old)
        rows[old] = result.pk
    with caplog.at_level(logging.WARNING):
        migration.canonicalise(apps, None)
    for old, new in stored.items():
        assert ResearchResult.objects.get(pk=rows[old]).patent_no == new, old
    assert "CN1234567C" in caplog.text and "7 digits" in caplog.text
