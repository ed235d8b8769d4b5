"""The data migration that renames the stored notification verbs to the ``noun.verb`` style,
forward and back, on rows written under the old names."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from marketplace.models import Notification
from marketplace.notification_verbs import VERBS
from tests import factories

pytestmark = pytest.mark.django_db

migration = importlib.import_module("marketplace.migrations.0007_notification_verbs_dotted")


def test_every_renamed_verb_is_registered_under_its_new_name_only():
    for old, new in migration.RENAMED.items():
        assert new in VERBS and old not in VERBS


def test_migration_renames_stored_verbs_forward_and_back():
    user = factories.UserFactory()
    old_rows = {
        old: Notification.objects.create(recipient=user, verb=old, message="旧 / old").pk
        for old in migration.RENAMED
    }
    untouched = Notification.objects.create(
        recipient=user, verb="agreement.created", message="新 / new"
    ).pk

    migration.forward(apps, None)
    for old, pk in old_rows.items():
        assert Notification.objects.get(pk=pk).verb == migration.RENAMED[old]
    assert Notification.objects.get(pk=untouched).verb == "agreement.created"

    migration.backward(apps, None)
    for old, pk in old_rows.items():
        assert Notification.objects.get(pk=pk).verb == old
    assert Notification.objects.get(pk=untouched).verb == "agreement.created"
