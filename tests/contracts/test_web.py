"""Agreement web pages, one per step, in English and Chinese."""

from __future__ import annotations

import pytest
from django.conf import settings

from contracts import services
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
    assert response.status_code == 400
    assert "payment_total_cny" in response.context["form"].errors


def test_check_page_lists_blocking_errors(agreement, researcher):
    page = login(researcher).post(f"/agreements/{agreement.pk}/check/")
    assert page.status_code == 200
    assert "Blocking errors" in page.content.decode()
    assert agreement.events.filter(kind="checked").exists()


@pytest.mark.django_db(transaction=True)
def test_sign_page_shows_the_hash_and_signs_in_turn(frozen, enterprise_user, researcher):
    support.with_name(enterprise_user, "企业代表")
    support.with_name(researcher, "大学代表")
    later = login(researcher)
    page = later.get(f"/agreements/{frozen.pk}/sign/").content.decode()
    preview = services.preview_sha256(agreement=frozen)
    assert preview in page
    assert "not your turn" in page
    # A copied form post does not help the later signer.
    later.post(
        f"/agreements/{frozen.pk}/sign/",
        {"typed_name": "大学代表", "password": PASSWORD, "document_sha256": frozen.document_sha256,
         "preview_sha256": preview},
    )
    assert not frozen.signatures.filter(signed_at__isnull=False).exists()

    first = login(enterprise_user)
    wrong = first.post(
        f"/agreements/{frozen.pk}/sign/",
        {"typed_name": "企业代表", "password": "wrong", "document_sha256": frozen.document_sha256,
         "preview_sha256": preview},
    )
    assert wrong.status_code == 400 and "password" in wrong.context["form"].errors
    ok = first.post(
        f"/agreements/{frozen.pk}/sign/",
        {"typed_name": "企业代表", "password": PASSWORD, "document_sha256": frozen.document_sha256,
         "preview_sha256": preview},
    )
    assert ok.status_code == 302
    later.post(
        f"/agreements/{frozen.pk}/sign/",
        {"typed_name": "大学代表", "password": PASSWORD, "document_sha256": frozen.document_sha256,
         "preview_sha256": preview},
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


# --- Presentation rules (new-user trial) ----------------------------------------------------


def _zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def test_signed_agreement_page_links_the_registration_form_exports(signed, agreement_parties):
    from django.urls import reverse

    xlsx = reverse("api-agreement-registration-xlsx", args=[signed.pk])
    pdf = reverse("api-agreement-registration-pdf", args=[signed.pk])
    for user in agreement_parties:
        page = login(user).get(f"/agreements/{signed.pk}/").content.decode()
        assert f'href="{xlsx}"' in page and f'href="{pdf}"' in page
        assert login(user).get(xlsx).status_code == 200


def test_draft_agreement_page_has_no_registration_form_links(agreement, enterprise_user):
    page = login(enterprise_user).get(f"/agreements/{agreement.pk}/").content.decode()
    assert "registration.xlsx" not in page and "registration.pdf" not in page


@pytest.fixture
def agreement_parties(enterprise_user, researcher):
    return [enterprise_user, researcher]


def test_version_page_shows_term_labels_and_human_values_not_raw_keys(agreement, researcher):
    zh = _zh(login(researcher)).get(f"/agreements/{agreement.pk}/versions/1/").content.decode()
    for raw in ("credit_code:", "legal_name:", "method: lump_sum", "total_cny:", "mode: sequential",
                "schedule: []", "order.1: a"):
        assert raw not in zh
    assert "统一社会信用代码" in zh and "支付方式：一次总算、一次总付" in zh
    assert "签署方式：依次签署" in zh and "签署顺序 · 第1项：甲方" in zh
    en = login(researcher).get(f"/agreements/{agreement.pk}/versions/1/").content.decode()
    assert "Payment method: Lump sum, paid at once" in en and "Signing order · #2: Party B" in en


def test_term_line_display_falls_back_to_the_key_for_unknown_keys():
    from contracts.selectors import term_line_display

    assert term_line_display("mystery.1.thing: x\n", "en") == "mystery · #1 · thing: x\n"
    assert term_line_display("schedule.1.amount_cny: 100\n", "zh-hans") == (
        "分期支付 · 第1项 · 金额（元）：100\n"
    )
    assert term_line_display("no separator", "en") == "no separator"


def test_agreement_page_shows_the_signing_order_in_words(agreement, enterprise_user):
    zh = _zh(login(enterprise_user)).get(f"/agreements/{agreement.pk}/").content.decode()
    assert "依次签署：甲方 → 乙方" in zh and "sequential" not in zh
    en = login(enterprise_user).get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Sequential: Party A → Party B" in en


def test_parallel_signing_order_reads_in_parallel():
    from contracts.selectors import signing_order_display

    assert signing_order_display({"mode": "parallel", "order": []}) == "In parallel"


def test_check_page_hides_internal_codes(agreement, researcher):
    page = login(researcher).get(f"/agreements/{agreement.pk}/check/")
    html = page.content.decode()
    assert page.context["report"].errors  # there are findings, with codes in the report
    for finding in page.context["report"].errors + page.context["report"].warnings:
        assert finding.code not in html
        if finding.field:
            assert finding.field not in html


def test_drafting_again_from_a_request_with_an_agreement_leads_to_it(agreement, enterprise_user):
    client = login(enterprise_user)
    response = client.get(f"/agreements/new/{agreement.match_request_id}/", follow=True)
    assert response.redirect_chain[-1][0] == f"/agreements/{agreement.pk}/"
    assert "An agreement already exists for this match request" in response.content.decode()
    post = client.post(f"/agreements/new/{agreement.match_request_id}/", {"contract_type": ""})
    assert post.status_code == 302 and post["Location"] == f"/agreements/{agreement.pk}/"
    assert agreement.match_request.agreements.count() == 1


def test_agreement_tables_do_not_break_codes_on_phones(agreement, enterprise_user):
    listing = login(enterprise_user).get("/agreements/").content.decode()
    assert '<div class="table-wrap">' in listing and 'class="nowrap"' in listing
    detail = login(enterprise_user).get(f"/agreements/{agreement.pk}/").content.decode()
    assert 'class="list small audit"' in detail
    assert "/static/contracts/agreements.css" in detail
    css = (settings.BASE_DIR / "static" / "contracts" / "agreements.css").read_text()
    assert "table.audit td, table.audit th { white-space: nowrap; }" in css


def test_header_links_to_roadshows_for_everyone(client, enterprise_user):
    assert 'href="/roadshows/"' in client.get("/").content.decode()
    zh = _zh(login(enterprise_user)).get("/agreements/").content.decode()
    assert '<a href="/roadshows/">路演</a>' in zh


def test_agreement_page_shows_amounts_with_thousands_separators(complete, enterprise_user):
    page = login(enterprise_user).get(f"/agreements/{complete.pk}/").content.decode()
    assert "<dd>¥300,000.00</dd>" in page  # the contract price
    assert "· ¥200,000.00 ·" in page  # an instalment
