"""Agreement web pages, one per step, in English and Chinese."""

from __future__ import annotations

import pytest

from contracts.choices import AgreementStatus
from tests.contracts import support
from tests.factories import PASSWORD, login

pytestmark = pytest.mark.django_db


def test_detail_page_shows_terms_versions_and_audit_trail(agreement, enterprise_user, outsider):
    page = login(enterprise_user).get(f"/agreements/{agreement.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert agreement.number in text and "项目名称" in text and "Audit trail" in text
    assert login(outsider).get(f"/agreements/{agreement.pk}/").status_code == 404


def test_list_page(agreement, researcher):
    page = login(researcher).get("/agreements/")
    assert agreement.number in page.content.decode()


def test_create_page_drafts_from_an_accepted_request(enterprise_user, researcher, patent_result):
    request = support.accepted_request(
        enterprise_user=enterprise_user, researcher=researcher, result=patent_result
    )
    client = login(enterprise_user)
    assert client.get(f"/agreements/new/{request.pk}/").status_code == 200
    response = client.post(f"/agreements/new/{request.pk}/", {"contract_type": "", "subtype": ""})
    assert response.status_code == 302
    assert request.agreements.count() == 1


def test_edit_page_saves_a_new_version_and_shows_its_diff(agreement, researcher):
    client = login(researcher)
    form_page = client.get(f"/agreements/{agreement.pk}/edit/")
    assert form_page.status_code == 200
    form = form_page.context["form"]
    data = {name: field.initial or "" for name, field in form.fields.items()}
    data["clauses_breach"] = "违约方应赔偿守约方的全部损失。"
    data["note"] = "修改违约条款"
    response = client.post(f"/agreements/{agreement.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"].endswith(f"/agreements/{agreement.pk}/versions/2/")
    diff_page = client.get(response["Location"]).content.decode()
    assert "<ins>" in diff_page and "<del>" in diff_page
    assert "Liquidated damages" in diff_page  # the clause's title, in English
    assert "Payment" not in diff_page.split("Changes from the previous version")[1]


def test_edit_page_shows_service_errors_on_the_field(agreement, researcher):
    client = login(researcher)
    form = client.get(f"/agreements/{agreement.pk}/edit/").context["form"]
    data = {name: field.initial or "" for name, field in form.fields.items()}
    data["payment_total_cny"] = "-1"
    response = client.post(f"/agreements/{agreement.pk}/edit/", data)
    assert response.status_code == 200
    assert "payment_total_cny" in response.context["form"].errors


def test_check_page_lists_blocking_errors(agreement, researcher):
    page = login(researcher).post(f"/agreements/{agreement.pk}/check/")
    assert page.status_code == 200
    assert "Blocking errors" in page.content.decode()
    assert agreement.events.filter(kind="checked").exists()


def test_sign_page_shows_the_hash_and_signs_in_turn(frozen, enterprise_user, researcher):
    later = login(researcher)
    page = later.get(f"/agreements/{frozen.pk}/sign/").content.decode()
    assert frozen.document_sha256 in page
    assert "not your turn" in page
    # A copied form post does not help the later signer.
    later.post(
        f"/agreements/{frozen.pk}/sign/",
        {"typed_name": "大学代表", "password": PASSWORD, "document_sha256": frozen.document_sha256},
    )
    assert not frozen.signatures.filter(signed_at__isnull=False).exists()

    first = login(enterprise_user)
    wrong = first.post(
        f"/agreements/{frozen.pk}/sign/",
        {"typed_name": "企业代表", "password": "wrong", "document_sha256": frozen.document_sha256},
    )
    assert wrong.status_code == 200 and "password" in wrong.context["form"].errors
    ok = first.post(
        f"/agreements/{frozen.pk}/sign/",
        {"typed_name": "企业代表", "password": PASSWORD, "document_sha256": frozen.document_sha256},
    )
    assert ok.status_code == 302
    later.post(
        f"/agreements/{frozen.pk}/sign/",
        {"typed_name": "大学代表", "password": PASSWORD, "document_sha256": frozen.document_sha256},
    )
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.SIGNED
    pdf = later.get(f"/agreements/{frozen.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_pages_are_translated_to_chinese(agreement, enterprise_user, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = login(enterprise_user)
    page = client.get(f"/agreements/{agreement.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert page.context["LANGUAGE_CODE"].startswith("zh")
