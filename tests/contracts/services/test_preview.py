"""Sign what you see: the signing preview PDF is rendered deterministically once per frozen
version, each signature stores the preview hash its signer approved, the sealed PDF begins with
the preview byte for byte, and the typed name must be the signer's name on record."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pdfplumber
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contracts import selectors, services
from contracts.models import AgreementVersion
from contracts.seal import verify_pdf
from contracts.services.preview import render_preview
from contracts.services.signing import same_name
from contracts.verification.report import verify_upload
from kernel.errors import ConflictError, DomainError
from tests.contracts import support
from tests.factories import PASSWORD, login

pytestmark = pytest.mark.django_db


def test_two_renders_of_one_version_are_the_same_bytes(frozen):
    first, second = render_preview(frozen), render_preview(frozen)
    assert first.startswith(b"%PDF") and first == second


def test_the_preview_is_rendered_once_and_stored_on_the_version(frozen):
    digest = services.preview_sha256(agreement=frozen)
    stored = AgreementVersion.objects.get(pk=frozen.frozen_version_id)
    assert stored.preview_sha256 == digest == hashlib.sha256(stored.preview_pdf).hexdigest()
    assert services.agreement_preview(agreement=frozen).pdf == bytes(stored.preview_pdf)


def test_the_preview_hash_equals_the_sealed_documents_first_revision(signed):
    preview = services.agreement_preview(agreement=signed)
    sealed = bytes(signed.sealed_pdf)
    first_revision = sealed[: len(preview.pdf)]
    assert hashlib.sha256(first_revision).hexdigest() == preview.sha256
    assert {s.preview_sha256 for s in signed.signatures.all()} == {preview.sha256}
    seal = verify_pdf(sealed)
    assert seal.intact and seal.trusted
    assert seal.metadata["preview_sha256"] == preview.sha256
    assert seal.metadata["preview_bytes"] == len(preview.pdf)
    assert [s["preview_sha256"] for s in seal.metadata["signers"]] == [preview.sha256] * 2
    report = verify_upload(sealed)
    assert report.status == "valid"
    assert report.preview_sha256 == preview.sha256 and report.preview_approved is True


def test_the_signing_record_is_appended_after_the_previews_pages(signed):
    preview_pdf = services.agreement_preview(agreement=signed).pdf
    with (
        pdfplumber.open(BytesIO(preview_pdf)) as preview,
        pdfplumber.open(BytesIO(bytes(signed.sealed_pdf))) as sealed,
    ):
        assert len(sealed.pages) > len(preview.pages)
        record = "".join(
            page.extract_text() or "" for page in sealed.pages[len(preview.pages) :]
        )
    record = record.replace(" ", "").replace("\n", "")
    for text in ("签署记录", "企业签署人", "大学签署人", "签署完成证明"):
        assert text in record


def test_signing_with_a_stale_preview_hash_is_409(frozen, enterprise_user):
    with pytest.raises(ConflictError) as exc:
        support.sign(frozen, enterprise_user, support.CLIENT_A, "企业代表",
                     preview_sha256="0" * 64)
    assert exc.value.code == "preview_changed"
    assert not frozen.signatures.filter(signed_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "exactly as on record"), ("zh-hans", "账户设置中登记的姓名")],
)
def test_a_typed_name_other_than_the_name_on_record_is_400(
    frozen, enterprise_user, language, message
):
    support.with_name(enterprise_user, "张三")
    with translation.override(language), pytest.raises(DomainError) as exc:
        services.agreement_sign(
            agreement=frozen, actor=enterprise_user, client=support.CLIENT_A,
            password=PASSWORD, typed_name="李四", document_sha256=frozen.document_sha256,
            preview_sha256=services.preview_sha256(agreement=frozen),
        )
    assert exc.value.code == "typed_name_mismatch"
    assert message in str(exc.value.fields["typed_name"][0])


def test_a_signer_without_a_name_on_record_is_refused(frozen, enterprise_user):
    with pytest.raises(DomainError) as exc:
        services.agreement_sign(
            agreement=frozen, actor=enterprise_user, client=support.CLIENT_A,
            password=PASSWORD, typed_name="张三", document_sha256=frozen.document_sha256,
            preview_sha256=services.preview_sha256(agreement=frozen),
        )
    assert exc.value.code == "name_not_on_record" and "typed_name" in exc.value.fields


def test_names_compare_after_nfkc_without_whitespace():
    assert same_name("张 三", "张三") and same_name("ＺＨＡＮＧ San", "ZHANGSan")
    assert not same_name("张三", "张山") and not same_name("", "")


def test_the_api_answers_a_wrong_name_with_400_on_the_field(frozen, enterprise_user):
    from tests.contracts.test_api import client_for, url

    support.with_name(enterprise_user, "张三")
    body = {
        "password": PASSWORD, "typed_name": "李四", "document_sha256": frozen.document_sha256,
        "preview_sha256": services.preview_sha256(agreement=frozen),
    }
    response = client_for(enterprise_user).post(url(frozen, "sign/"), body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "typed_name_mismatch"
    assert "typed_name" in response.json()["fields"]
    stale = client_for(enterprise_user).post(
        url(frozen, "sign/"), {**body, "typed_name": "张三", "preview_sha256": "1" * 64},
        format="json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "preview_changed"


def test_the_sign_page_sends_a_signer_without_a_name_to_set_it_first(frozen, enterprise_user):
    client = login(enterprise_user)
    response = client.get(f"/agreements/{frozen.pk}/sign/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/name/?next=%2Fagreements%2F{frozen.pk}%2Fsign%2F"
    sign_page = f"/agreements/{frozen.pk}/sign/"
    saved = client.post("/accounts/name/", {"name": "张三", "next": sign_page})
    assert saved.status_code == 302 and saved["Location"] == f"/agreements/{frozen.pk}/sign/"
    page = client.get(f"/agreements/{frozen.pk}/sign/").content.decode()
    assert services.preview_sha256(agreement=frozen) in page and "张三" in page
    assert f"/agreements/{frozen.pk}/preview.pdf" in page


def test_the_preview_opens_in_the_browser_with_its_hash(frozen, enterprise_user, outsider):
    response = login(enterprise_user).get(f"/agreements/{frozen.pk}/preview.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest()
    assert login(outsider).get(f"/agreements/{frozen.pk}/preview.pdf").status_code == 404


def test_the_verification_page_shows_the_preview_hash(signed, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.pdf", bytes(signed.sealed_pdf), "application/pdf")
    page = client.post("/agreements/verify/", {"file": upload}).content.decode()
    assert signed.frozen_version.preview_sha256 in page
    assert "Every signer approved exactly this PDF" in page


@pytest.mark.parametrize("name", ["", "   ", "张\u202e三", "x" * 101])
def test_the_name_page_refuses_bad_names_per_field(enterprise_user, name):
    response = login(enterprise_user).post("/accounts/name/", {"name": name})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    enterprise_user.refresh_from_db()
    assert enterprise_user.first_name == ""


def test_reading_a_version_leaves_the_preview_bytes_out_until_asked(frozen):
    services.preview_sha256(agreement=frozen)
    agreement = type(frozen).objects.get(pk=frozen.pk)
    with CaptureQueriesContext(connection) as queries:
        version = agreement.frozen_version
        listed = list(AgreementVersion.objects.filter(agreement=agreement))
    assert version is not None and listed
    assert all('"preview_pdf"' not in query["sql"] for query in queries.captured_queries)


def test_the_agreement_list_leaves_the_stored_pdfs_out(frozen, enterprise_user):
    services.preview_sha256(agreement=frozen)
    with CaptureQueriesContext(connection) as queries:
        listed = list(selectors.agreement_list(viewer=enterprise_user))
    assert listed and listed[0].frozen_version is not None
    assert [q["sql"] for q in queries.captured_queries
            if '"preview_pdf"' in q["sql"] or '"sealed_pdf"' in q["sql"]] == []
