"""The admin site: Keqiao's name, every section, model and list column in zh-Hans, every list,
add and change page answering for a superuser on the demo data, and payments and the audit
trails read-only."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from payments.models import Payment
from tests import factories
from tests.marketplace.admin_objects import TOKEN_DIGEST, make_admin_objects

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")
# Headings that are the same in both languages.
OUR_APPS = {"marketplace", "matching", "payments", "projects", "contracts"}
SAME_IN_BOTH = {"ID", "IP", "URL", "SHA-256"}
# django-rest-knox's token model has no verbose name (Django derives "auth token" from the
# class name, untranslated); naming it would take a migration of the library's own app.
LIBRARY_MODEL_NAMES = {"auth token", "auth tokens"}


def chinese(text: object) -> bool:
    return bool(HAN.search(str(text))) or str(text) in SAME_IN_BOTH


@pytest.fixture
def superuser_client(settings) -> Client:
    settings.DEBUG = True  # load_demo's demo password
    settings.LANGUAGE_CODE = "zh-hans"
    call_command("load_demo", stdout=StringIO())
    user = factories.admin()
    make_admin_objects(user)
    client = Client()
    client.force_login(user)
    return client


def registered() -> list[tuple[type[Model], admin.ModelAdmin[Model]]]:
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_section_model_and_column_has_its_chinese_name():
    untranslated = []
    with translation.override("zh-hans"):
        for model, model_admin in registered():
            opts = model._meta
            names = [opts.app_config.verbose_name, opts.verbose_name, opts.verbose_name_plural]
            for name in names:
                if not chinese(name) and str(name) not in LIBRARY_MODEL_NAMES:
                    untranslated.append(f"{opts.label}: {name}")
            for column in model_admin.get_list_display(None):  # type: ignore[arg-type]
                label = label_for_field(column, model, model_admin)
                if not chinese(label):
                    name = getattr(column, "__name__", column)
                    untranslated.append(f"{opts.label} column {name}: {label}")
            for action in model_admin._get_base_actions():
                if not chinese(action[2]):
                    untranslated.append(f"{opts.label} action {action[1]}: {action[2]}")
    assert untranslated == [], "\n".join(untranslated)


def test_the_site_carries_keqiaos_name_and_its_index_names_every_section_in_chinese(
    superuser_client,
):
    page = superuser_client.get(reverse("admin:index")).content.decode()
    assert "<title>科桥管理" in page and "科桥管理</a>" in page
    assert "Django" not in page
    # Section captions and model rows, e.g. <caption><a ...>匹配与对接</a></caption>.
    names = re.findall(r'<(?:caption|th scope="row")[^>]*>\s*(?:<a[^>]*>)?([^<]+)<', page)
    assert len(names) > 30
    english = [n.strip() for n in names
               if not chinese(n.strip()) and n.strip().lower() not in LIBRARY_MODEL_NAMES]
    assert english == []


def test_every_list_add_and_change_page_answers_for_a_superuser(superuser_client):
    failures, without_objects = [], []
    for model, model_admin in registered():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        urls = [reverse(f"{prefix}_changelist")]
        if model_admin.has_add_permission(_request(superuser_client)):
            urls.append(reverse(f"{prefix}_add"))
        obj = model._default_manager.first()
        if obj is not None:
            urls.append(reverse(f"{prefix}_change", args=[obj.pk]))
        elif opts.app_label in OUR_APPS:
            without_objects.append(opts.label)
        for url in urls:
            response = superuser_client.get(url)
            if response.status_code != 200:
                failures.append(f"{url}: {response.status_code}")
    assert failures == []
    assert without_objects == []


def _request(client: Client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = factories.admin()
    return request


def test_payments_are_read_only(superuser_client):
    payment = Payment.objects.get()
    change = reverse("admin:payments_payment_change", args=[payment.pk])
    page = superuser_client.get(change).content.decode()
    assert 'name="_save"' not in page and "200.00" in page
    assert superuser_client.post(change, {"status": "refunded"}).status_code == 403
    assert superuser_client.get(reverse("admin:payments_payment_add")).status_code == 403
    delete = reverse("admin:payments_payment_delete", args=[payment.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    payment.refresh_from_db()
    assert payment.status == "paid"
    listing = superuser_client.get(reverse("admin:payments_payment_changelist"))
    assert "delete_selected" not in listing.content.decode()


def test_an_invitations_page_never_shows_its_token_digest(superuser_client):
    from marketplace.models import Invitation

    invitation = Invitation.objects.get()
    for url in (reverse("admin:marketplace_invitation_change", args=[invitation.pk]),
                reverse("admin:marketplace_invitation_changelist")):
        assert TOKEN_DIGEST not in superuser_client.get(url).content.decode()
