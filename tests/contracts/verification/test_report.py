"""Verification of uploaded files (contracts/verification/, the public API and page):
a signed agreement's sealed PDF is valid; one changed byte is tampered; garbage is a 400
not_pdf / unreadable_pdf; a huge upload is 413; a file without the platform seal learns nothing
about stored agreements; never a 500."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contracts.seal import seal_pdf
from contracts.verification.report import UnreadableUpload, seal_metadata, verify_upload
from kernel.pdf.render import render_pdf
from tests.contracts.samples import agreement_context

pytestmark = pytest.mark.django_db

VERIFY_API = "/api/v1/agreements/verify/"
VERIFY_PAGE = "/agreements/verify/"


@pytest.fixture
def sealed_with_metadata(signed):
    """The agreement re-sealed with its metadata embedded (as `seal_metadata` describes),
    stored as the copy on record."""
    pdf = seal_pdf(
        render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context()),
        reason="test", location="北京", metadata=seal_metadata(signed),
    )
    signed.sealed_pdf = pdf
    signed.sealed_pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    signed.save(update_fields=["sealed_pdf", "sealed_pdf_sha256"])
    return signed


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def test_stored_sealed_pdf_verifies_as_valid_with_signers_on_record(signed):
    report = verify_upload(bytes(signed.sealed_pdf))
    assert report.status == "valid"
    assert report.matches_stored_copy is True
    assert report.agreement_number == signed.number
    assert report.seal.intact and report.seal.trusted
    assert [(s.party, s.typed_name) for s in report.signers] == [
        ("a", "企业签署人"), ("b", "大学签署人")
    ]
    assert all(s.signed_at is not None for s in report.signers)
    assert report.signers_source == "record"


def test_one_changed_byte_is_reported_tampered(sealed_with_metadata):
    pdf = bytes(sealed_with_metadata.sealed_pdf)
    report = verify_upload(_flip(pdf, len(pdf) // 2))
    assert report.status == "tampered"
    assert not report.seal.intact
    # A changed file is no longer the agreement on record: nothing is looked up.
    assert report.agreement_id is None and report.agreement_number == ""
    assert report.matches_stored_copy is None


def test_one_changed_byte_is_tampered_even_without_embedded_metadata(signed):
    pdf = bytes(signed.sealed_pdf)
    report = verify_upload(_flip(pdf, len(pdf) // 3))
    assert report.status == "tampered"


def test_tampered_report_does_not_reveal_records_only_what_the_file_claims(sealed_with_metadata):
    pdf = bytes(sealed_with_metadata.sealed_pdf)
    report = verify_upload(_flip(pdf, len(pdf) // 2))
    assert report.signers_source == "file"


def test_a_pdf_sealed_by_someone_else_naming_no_agreement_is_not_keqiao():
    pdf = render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context())
    assert verify_upload(pdf).status == "not_keqiao"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not_pdf"),
        (b"hello", "not_pdf"),
        (b"PK\x03\x04 zip", "not_pdf"),
        (b"%PDF-1.7 broken", "unreadable_pdf"),
        (b"%PDF-1.7\n" + b"\x00" * 5000, "unreadable_pdf"),
    ],
)
def test_bytes_that_are_not_a_readable_pdf_are_refused_with_a_specific_code(data, code):
    with pytest.raises(UnreadableUpload) as raised:
        verify_upload(data)
    assert raised.value.code == code


def test_api_reports_valid_and_tampered(api_client, signed):
    pdf = bytes(signed.sealed_pdf)
    ok = api_client.post(VERIFY_API, {"file": SimpleUploadedFile("a.pdf", pdf)}, format="multipart")
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["status"] == "valid" and body["is_keqiao_agreement"] is True
    assert body["seal"]["intact"] and body["seal"]["trusted"]
    assert body["seal"]["certificate"]["sha256_fingerprint"]
    assert body["agreement"]["number"] == signed.number
    assert [s["typed_name"] for s in body["signers"]] == ["企业签署人", "大学签署人"]

    bad = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("a.pdf", _flip(pdf, len(pdf) // 2))},
        format="multipart",
    )
    assert bad.status_code == 200
    assert bad.json()["status"] == "tampered"


@pytest.mark.parametrize(
    ("data", "code"), [(b"\x00garbage", "not_pdf"), (b"%PDF-1.4\ntruncated", "unreadable_pdf")]
)
def test_api_answers_400_with_a_specific_code_for_a_non_pdf_or_unreadable_upload(
    api_client, data, code
):
    response = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("x.bin", data)}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["fields"]["file"] == [body["message"]]


def test_api_missing_file_is_400_in_the_error_shape(api_client):
    response = api_client.post(VERIFY_API, {}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["code"] == "required" and "file" in body["fields"]


def test_api_json_body_is_a_clear_client_error(api_client):
    response = api_client.post(VERIFY_API, {"file": "x"}, format="json")
    assert response.status_code == 415
    assert set(response.json()) == {"message", "code", "fields"}


def test_api_too_large_upload_is_413(api_client, settings):
    settings.VERIFY_MAX_UPLOAD_BYTES = 1000
    response = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000)},
        format="multipart",
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and body["fields"] == {}
    assert "1000" in body["message"]


def test_api_huge_body_is_413_before_it_is_read(api_client, settings):
    settings.VERIFY_MAX_UPLOAD_BYTES = 1000
    response = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("big.pdf", b"0" * 200_000)}, format="multipart"
    )
    assert response.status_code == 413


def test_api_needs_no_login_and_no_csrf(signed):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    response = client.post(
        VERIFY_API, {"file": SimpleUploadedFile("a.pdf", bytes(signed.sealed_pdf))},
        format="multipart",
    )
    assert response.status_code == 200


def test_web_page_shows_the_form_and_the_report(client, signed):
    assert client.get(VERIFY_PAGE).status_code == 200
    pdf = bytes(signed.sealed_pdf)
    response = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("a.pdf", pdf)})
    assert response.status_code == 200
    assert "Valid: an intact Keqiao agreement" in response.content.decode()
    assert signed.number in response.content.decode()
    tampered = client.post(
        VERIFY_PAGE, {"file": SimpleUploadedFile("a.pdf", _flip(pdf, len(pdf) // 2))}
    )
    assert "Tampered" in tampered.content.decode()


def test_web_page_in_chinese(client, signed):
    client.cookies["django_language"] = "zh-hans"
    response = client.get(VERIFY_PAGE)
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_web_page_missing_file_is_400_and_huge_file_413(client, settings):
    assert client.post(VERIFY_PAGE, {}).status_code == 400
    settings.VERIFY_MAX_UPLOAD_BYTES = 1000
    response = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("b.pdf", b"0" * 5000)})
    assert response.status_code == 413
    response = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("b.pdf", b"0" * 500_000)})
    assert response.status_code == 413


def test_web_page_answers_400_with_a_clear_message_for_a_non_pdf_or_unreadable_upload(client):
    response = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("x.txt", b"hello")})
    assert response.status_code == 400
    assert "The file is not a PDF document." in response.content.decode()
    assert response.context["report"] is None
    response = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7 x")})
    assert response.status_code == 400
    assert "cannot be read" in response.content.decode()
    client.cookies["django_language"] = "zh-hans"
    response = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("x.txt", b"hello")})
    assert "该文件不是 PDF 文档。" in response.content.decode()


def test_web_page_too_large_shows_the_limit(client, settings):
    settings.VERIFY_MAX_UPLOAD_BYTES = 1000
    response = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("b.pdf", b"0" * 5000)})
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()


def test_real_signed_agreement_pdf_embeds_the_cjk_font_and_its_chinese_text(signed):
    from tests.contracts.pdf_inspect import KEQIAO_FONT_FAMILIES, pdf_fonts

    fonts = [f for f in pdf_fonts(bytes(signed.sealed_pdf)) if "Keqiao-CJK" in f.base_font]
    assert fonts and all(f.embedded and f.family in KEQIAO_FONT_FAMILIES for f in fonts)
    mapped = "".join(f.unicode_text for f in fonts)
    names = (signed.party_a.legal_name, signed.party_b.legal_name, "企业签署人", "签署完成证明")
    for text in names:
        assert set(text) <= set(mapped), text


def test_web_page_tampered_copy_with_the_platform_certificate_says_sealed_by_keqiao_then_changed(
    client, sealed_with_metadata
):
    pdf = bytes(sealed_with_metadata.sealed_pdf)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(
        VERIFY_PAGE, {"file": SimpleUploadedFile("a.pdf", _flip(pdf, len(pdf) // 2))}
    )
    html = response.content.decode()
    assert response.context["report"].status == "tampered"
    assert "签章已失效：文件在签章后被修改" in html
    assert "不是由科桥平台签章" not in html and "not sealed by Keqiao" not in html
    assert response.context["keqiao_certificate"] is True
    # The API keeps the verifier's own reasons.
    assert verify_upload(_flip(pdf, len(pdf) // 2)).status == "tampered"


def test_web_page_names_parties_and_beijing_time(client, signed):
    client.cookies["django_language"] = "zh-hans"
    pdf = bytes(signed.sealed_pdf)
    html = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("a.pdf", pdf)}).content.decode()
    assert "<td>甲方</td>" in html and "<td>乙方</td>" in html
    assert "北京时间" in html and "+08:00" in html and "CST" not in html
    english = Client().post(VERIFY_PAGE, {"file": SimpleUploadedFile("a.pdf", pdf)})
    assert "<td>Party A</td>" in english.content.decode()
    assert "Beijing time" in english.content.decode()


def _forged_unsealed(pdf: bytes, metadata: dict[str, object]) -> bytes:
    """`pdf` with a Keqiao-style metadata attachment naming an agreement, but no seal (what a
    forger can make without the platform key)."""
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from contracts.seal import embed_metadata

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    embed_metadata(writer, metadata)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_forged_unsealed_pdf_naming_a_signed_agreement_learns_nothing_about_it(
    api_client, client, signed
):
    forged = _forged_unsealed(
        render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context()),
        {"agreement_id": signed.pk, "keqiao_agreement": "KQ-FORGED", "contract_type": "x"},
    )
    assert verify_upload(forged).seal.metadata == {  # the forgery is well made
        "agreement_id": signed.pk, "keqiao_agreement": "KQ-FORGED", "contract_type": "x"
    }
    report = verify_upload(forged)
    assert report.status == "not_keqiao"
    assert report.agreement_id is None and report.agreement_number == ""
    assert report.contract_type == "" and report.signers == []
    assert report.matches_stored_copy is None

    body = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("f.pdf", forged)}, format="multipart"
    ).json()
    assert body["status"] == "not_keqiao" and body["agreement"] is None
    assert body["signers"] == [] and body["matches_stored_copy"] is None
    # The same answer as for an id that does not exist: nothing to tell them apart.
    unknown = _forged_unsealed(
        render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context()),
        {"agreement_id": signed.pk + 1000, "keqiao_agreement": "KQ-FORGED", "contract_type": "x"},
    )
    other = api_client.post(
        VERIFY_API, {"file": SimpleUploadedFile("f.pdf", unknown)}, format="multipart"
    ).json()
    assert other["reasons"] == body["reasons"] and other["agreement"] is None

    html = client.post(VERIFY_PAGE, {"file": SimpleUploadedFile("f.pdf", forged)})
    text = html.content.decode()
    assert html.status_code == 200
    assert signed.number not in text and signed.number not in str(body)
    assert signed.party_a.legal_name not in text and signed.party_b.legal_name not in text
