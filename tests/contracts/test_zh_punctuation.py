"""Agreement pages in zh-Hans use full-width punctuation (GB/T 15834) where a label and its
value or a list are put together in the template: "：", "、", "。"."""

from __future__ import annotations

import pytest

from contracts import services
from tests.contracts import support
from tests.factories import login

pytestmark = pytest.mark.django_db


def _zh(user):
    client = login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_the_sign_page_shows_the_name_on_record_after_a_full_width_colon(frozen, enterprise_user):
    support.with_name(enterprise_user, "企业代表")
    page = _zh(enterprise_user).get(f"/agreements/{frozen.pk}/sign/").content.decode()
    assert "您登记的姓名：<strong" in page and "您登记的姓名: " not in page


def test_the_detail_page_lists_the_approving_parties_the_chinese_way(agreement, enterprise_user):
    page = _zh(enterprise_user).get(f"/agreements/{agreement.pk}/").content.decode()
    assert "已确认方：—。" in page and "已确认方: " not in page


def test_the_verify_page_labels_the_certificate_with_a_full_width_colon(client):
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/agreements/verify/").content.decode()
    assert "科桥签章证书：" in page and "科桥签章证书: " not in page


def test_an_uploaded_signing_preview_is_reported_as_an_unsigned_preview(client, frozen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    preview = services.agreement_preview(agreement=frozen)
    client.cookies["django_language"] = "zh-hans"
    page = client.post(
        "/agreements/verify/",
        {"file": SimpleUploadedFile("preview.pdf", preview.pdf, "application/pdf")},
    ).content.decode()
    assert "未签署的预览件" in page and "签署预览件，不是已签署的合同" in page


def test_an_audit_event_without_a_person_names_keqiao_in_the_pages_language(
    agreement, enterprise_user
):
    from contracts.models import AgreementEvent

    AgreementEvent.objects.create(agreement=agreement, kind=agreement.events.first().kind)
    page = _zh(enterprise_user).get(f"/agreements/{agreement.pk}/").content.decode()
    assert "<td>科桥</td>" in page and "<td>Keqiao</td>" not in page


def test_account_settings_put_a_full_width_colon_after_each_label(enterprise_user):
    page = _zh(enterprise_user).get("/accounts/settings/").content.decode()
    assert "用户名：" in page and "姓名：" in page and "用户名: " not in page
