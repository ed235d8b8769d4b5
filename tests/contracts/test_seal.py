"""The platform seal (contracts/seal.py): PAdES signatures made with the platform certificate,
validated with pyHanko's own validator; development key pair generated on first use."""

from __future__ import annotations

import datetime as dt
import re
import stat
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from contracts import seal
from contracts.seal import SealError, platform_certificate, seal_pdf, verify_pdf
from kernel.pdf.render import render_pdf
from tests.contracts.samples import agreement_context

METADATA = {"agreement_id": 7, "keqiao_agreement": "KQ-2025-000007", "signers": [
    {"party": "a", "organization": "北京示例新材料科技有限公司", "typed_name": "张三",
     "signed_at": "2025-03-01T02:15:30+00:00"}]}


@pytest.fixture(scope="module")
def unsealed() -> bytes:
    return render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context())


@pytest.fixture(scope="module")
def sealed(unsealed: bytes) -> bytes:
    return seal_pdf(unsealed, reason="双方签署完成", location="北京", metadata=METADATA)


def test_seal_validates_with_pyhankos_validator_against_the_platform_certificate(sealed):
    reader = PdfFileReader(BytesIO(sealed))
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=[platform_certificate()], allow_fetching=False)
    status = validate_pdf_signature(signature, signer_validation_context=context)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert signature.field_name == seal.SEAL_FIELD_NAME
    assert str(signature.sig_object["/Reason"]) == "双方签署完成"
    assert str(signature.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"  # PAdES


def test_verify_pdf_reports_an_intact_trusted_seal_with_its_metadata(sealed):
    result = verify_pdf(sealed)
    assert (result.is_pdf, result.signed, result.intact, result.trusted) == (True,) * 4
    assert result.metadata == METADATA
    assert result.modification_level == "NONE"
    assert result.signer is not None
    assert result.signer.sha256_fingerprint == seal.platform_certificate_info().sha256_fingerprint
    assert "Keqiao" in result.signer.subject
    assert result.signing_time is not None
    assert abs(result.signing_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)
    assert result.messages == []


def _signed_byte_positions(pdf: bytes) -> list[int]:
    """Every offset the last signature's /ByteRange covers (the /Contents hex string, which
    holds the signature itself and its zero padding, is the one range it leaves out)."""
    ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    start1, length1, start2, length2 = (int(n) for n in ranges[-1])
    return [*range(start1, start1 + length1), *range(start2, start2 + length2)]


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95])
def test_one_changed_byte_breaks_the_seal(sealed, fraction):
    covered = _signed_byte_positions(sealed)
    position = covered[int(len(covered) * fraction)]
    tampered = bytearray(sealed)
    tampered[position] ^= 0x01
    result = verify_pdf(bytes(tampered))
    assert not result.intact


def test_appended_bytes_break_full_coverage(sealed):
    result = verify_pdf(sealed + b"\n% appended\n")
    assert not result.intact


def test_unsigned_pdf_is_reported_unsigned(unsealed):
    result = verify_pdf(unsealed)
    assert result.is_pdf and not result.signed and not result.intact and not result.trusted


@pytest.mark.parametrize(
    "data", [b"", b"garbage", b"%PDF-1.7\n garbage", b"\x00" * 5000, b"%PDF-" + b"\xff" * 100]
)
def test_verify_pdf_never_raises_on_garbage(data):
    result = verify_pdf(data)
    assert not result.intact and not result.trusted


def test_seal_made_with_another_certificate_is_not_trusted(sealed, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # a fresh development key pair = another certificate
    result = verify_pdf(sealed)
    assert result.intact  # cryptographically fine ...
    assert not result.trusted  # ... but not made by this platform


def test_development_key_pair_is_generated_once_with_restrictive_permissions(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = platform_certificate()
    directory = tmp_path / "seal"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "key.pem").stat().st_mode) == 0o600
    assert platform_certificate().dump() == first.dump()  # reused, not regenerated


def test_production_certificate_comes_from_settings(settings, tmp_path, unsealed):
    settings.VAR_DIR = tmp_path / "dev"
    dev_cert = platform_certificate()  # generate a pair, then configure it as "production"
    settings.SEAL_CERTIFICATE_FILE = str(tmp_path / "dev" / "seal" / "cert.pem")
    settings.SEAL_KEY_FILE = str(tmp_path / "dev" / "seal" / "key.pem")
    settings.VAR_DIR = tmp_path / "other"
    sealed = seal_pdf(unsealed, reason="r", location="l")
    signer = verify_pdf(sealed).signer
    assert signer is not None
    assert signer.sha256_fingerprint == seal._certificate_info(dev_cert).sha256_fingerprint
    assert not (tmp_path / "other" / "seal").exists()


def test_half_configured_production_certificate_is_an_error(settings, unsealed):
    settings.SEAL_CERTIFICATE_FILE = "/nonexistent/cert.pem"
    settings.SEAL_KEY_FILE = ""
    with pytest.raises(SealError):
        seal_pdf(unsealed, reason="r", location="l")


def test_sealing_garbage_is_a_seal_error():
    with pytest.raises(SealError):
        seal_pdf(b"not a pdf", reason="r", location="l")
