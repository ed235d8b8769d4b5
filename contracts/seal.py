"""The platform seal: PAdES signatures on agreement PDFs. The only module that imports
pyHanko.

- `seal_pdf` adds one invisible PAdES baseline signature (field ``KeqiaoSeal``, SHA-256,
  subfilter ETSI.CAdES.detached) made with the platform certificate, in one incremental
  update that also embeds the agreement metadata as the attachment ``keqiao-agreement.json``
  and, when given, appends the pages of another PDF (the signing record) after the last page
  (so both are covered by the signature). An incremental update only appends bytes
  (ISO 32000-2 §7.5.6): the input is the sealed file's first revision, byte for byte. With
  ``SEAL_TSA_URL`` set, an RFC 3161 signature timestamp from that authority is added (PAdES
  B-T); otherwise B-B.
- `verify_pdf` validates every embedded signature with pyHanko's validator, trusting only
  the platform certificate, and reads the embedded metadata. It never raises on bad input.

The platform certificate: ``SEAL_CERTIFICATE_FILE`` and ``SEAL_KEY_FILE`` (PEM; the key may be
encrypted with ``SEAL_KEY_PASSPHRASE``) in production. When they are empty, a development
ECDSA P-256 key pair and a self-signed certificate are generated on first use under
``VAR_DIR/seal/`` (directory 0700, key 0600; ``var/`` is git-ignored, never commit it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

with warnings.catch_warnings():
    # pyHanko still imports cryptography's DSA key types, which cryptography 47+ deprecates;
    # the platform seal never uses DSA, and the warning would precede every command's output.
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, FileSpec, embed_file
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import load_cert_from_pemder
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

SEAL_FIELD_NAME = "KeqiaoSeal"
METADATA_FILE_NAME = "keqiao-agreement.json"
DEV_SEAL_SUBJECT = "Keqiao development seal (not for production)"
_PDF_HEADER = b"%PDF-"
#: Room for the CMS signature (certificate chain, signature, attributes); doubled with a TSA.
RESERVED_SIGNATURE_BYTES = 16 * 1024


class SealError(Exception):
    """The PDF could not be sealed (unreadable input, bad key material, TSA unreachable)."""


@dataclass(frozen=True)
class CertificateInfo:
    """A certificate as shown to people: RFC 4514-style subject and issuer, SHA-256
    fingerprint in lowercase hex, validity as aware UTC datetimes."""

    subject: str
    issuer: str
    sha256_fingerprint: str
    not_before: dt.datetime
    not_after: dt.datetime


@dataclass
class SealVerification:
    """What `verify_pdf` found. Times are aware UTC datetimes.

    - ``is_pdf``: the bytes parse as a PDF.
    - ``signed``: at least one signature is embedded.
    - ``intact``: every signature is cryptographically valid, its digest matches, and the
      last one covers the entire file (no byte changed or appended after sealing).
    - ``trusted``: the (last) signature was made with our platform certificate.
    - ``signer``: the (last) signature's certificate; ``signing_time`` the time the signer
      reported, ``timestamp`` the RFC 3161 time if a TSA token is present.
    - ``modification_level``: pyHanko's ``ModificationLevel`` name (``NONE``, ``LTA_UPDATES``,
      ``FORM_FILLING``, ``ANNOTATIONS``, ``OTHER``) or ``None`` when not determined.
    - ``metadata``: the embedded ``keqiao-agreement.json`` (as passed to `seal_pdf`), if any.
    - ``sha256``: SHA-256 of the verified bytes, lowercase hex.
    - ``messages``: short English notes for logs and debugging (not for end users).
    """

    is_pdf: bool = False
    signed: bool = False
    intact: bool = False
    trusted: bool = False
    signer: CertificateInfo | None = None
    signing_time: dt.datetime | None = None
    timestamp: dt.datetime | None = None
    modification_level: str | None = None
    coverage: str | None = None
    signature_count: int = 0
    metadata: dict[str, Any] | None = None
    sha256: str = ""
    messages: list[str] = field(default_factory=list)


# --- Key material ----------------------------------------------------------------------------


def _seal_dir() -> Path:
    return Path(settings.VAR_DIR) / "seal"


def _generate_dev_credentials(directory: Path) -> None:
    """Create ``key.pem`` (0600) and ``cert.pem`` in `directory` (0700), atomically: the pair
    is written to a temporary sibling directory that is renamed into place, so concurrent
    first uses end with one consistent pair."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    # ECDSA P-256 (FIPS 186-4): accepted by PAdES validators and ~40x faster to load than RSA.
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Keqiao"),
            x509.NameAttribute(NameOID.COMMON_NAME, DEV_SEAL_SUBJECT),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    staging = Path(tempfile.mkdtemp(prefix=".seal-", dir=directory.parent))
    try:
        os.chmod(staging, 0o700)
        key_path = staging / "key.pem"
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        (staging / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        try:
            os.rename(staging, directory)
        except OSError:
            if not (directory / "key.pem").is_file():
                raise
            # Another process won the race; use its pair.
    finally:
        if staging.exists():
            for child in staging.iterdir():
                child.unlink()
            staging.rmdir()
    logger.warning("Generated a development seal key pair in %s (not for production).", directory)


def _credential_paths() -> tuple[Path, Path, bytes | None]:
    """(certificate, key, passphrase) from settings, or the development pair."""
    cert_file = getattr(settings, "SEAL_CERTIFICATE_FILE", "")
    key_file = getattr(settings, "SEAL_KEY_FILE", "")
    if cert_file or key_file:
        if not (cert_file and key_file):
            raise SealError("Set both SEAL_CERTIFICATE_FILE and SEAL_KEY_FILE, or neither.")
        passphrase = getattr(settings, "SEAL_KEY_PASSPHRASE", "") or None
        return Path(cert_file), Path(key_file), passphrase.encode() if passphrase else None
    directory = _seal_dir()
    if not (directory / "key.pem").is_file() or not (directory / "cert.pem").is_file():
        _generate_dev_credentials(directory)
    return directory / "cert.pem", directory / "key.pem", None


_cache_lock = threading.Lock()
_signer_cache: dict[tuple[str, str, float, float], signers.SimpleSigner] = {}


def _signer() -> signers.SimpleSigner:
    cert_path, key_path, passphrase = _credential_paths()
    try:
        cache_key = (
            str(cert_path),
            str(key_path),
            cert_path.stat().st_mtime,
            key_path.stat().st_mtime,
        )
    except OSError as exc:
        raise SealError(f"Seal certificate or key is missing: {exc}") from exc
    with _cache_lock:
        cached = _signer_cache.get(cache_key)
        if cached is None:
            loaded = signers.SimpleSigner.load(
                str(key_path), str(cert_path), key_passphrase=passphrase
            )
            if loaded is None:
                raise SealError(f"Cannot load the seal key {key_path} and certificate {cert_path}.")
            _signer_cache.clear()
            _signer_cache[cache_key] = cached = loaded
    return cached


def platform_certificate() -> asn1_x509.Certificate:
    """The platform's signing certificate (generating the development pair if needed)."""
    cert_path, _, _ = _credential_paths()
    return load_cert_from_pemder(str(cert_path))


def _certificate_info(cert: asn1_x509.Certificate) -> CertificateInfo:
    parsed = x509.load_der_x509_certificate(cert.dump())
    return CertificateInfo(
        subject=parsed.subject.rfc4514_string(),
        issuer=parsed.issuer.rfc4514_string(),
        sha256_fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
    )


def platform_certificate_info() -> CertificateInfo:
    """Subject, issuer and SHA-256 fingerprint of the platform certificate (for display)."""
    return _certificate_info(platform_certificate())


# --- Sealing ---------------------------------------------------------------------------------


def embed_metadata(writer: IncrementalPdfFileWriter, metadata: Mapping[str, Any]) -> None:
    """Attach `metadata` as ``keqiao-agreement.json`` (JSON with Django's encoder, keys
    sorted) to the revision `writer` is making (in `seal_pdf`: the revision its signature
    covers)."""
    payload = json.dumps(
        dict(metadata), cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True
    ).encode()
    embed_file(
        writer,
        FileSpec(
            file_spec_string=METADATA_FILE_NAME,
            file_name=METADATA_FILE_NAME,
            embedded_data=EmbeddedFileObject.from_file_data(
                writer, data=payload, mime_type="application/json"
            ),
            description="Keqiao agreement metadata",
            af_relationship=generic.NameObject("/Data"),
        ),
    )


def append_pages(writer: IncrementalPdfFileWriter, appendix: bytes) -> None:
    """Add every page of the PDF `appendix` after the last page of the revision `writer` is
    making: each page's content becomes a form XObject (pyHanko's import_page_as_xobject,
    fonts and images with it) drawn on a new page of the same size. Text stays text."""
    name = generic.NameObject
    source = PdfFileReader(BytesIO(appendix), strict=False)
    for index in range(int(source.root["/Pages"]["/Count"])):
        xobject = writer.import_page_as_xobject(source, page_ix=index)
        resources = {name("/XObject"): generic.DictionaryObject({name("/Appended"): xobject})}
        page = {
            name("/Type"): name("/Page"),
            name("/MediaBox"): generic.ArrayObject(xobject.get_object()["/BBox"]),
            name("/Resources"): generic.DictionaryObject(resources),
            name("/Contents"): writer.add_object(
                generic.StreamObject(stream_data=b"q /Appended Do Q")
            ),
        }
        writer.insert_page(generic.DictionaryObject(page))


def seal_pdf(
    pdf: bytes,
    *,
    reason: str,
    location: str,
    signer_name: str = "Keqiao",
    metadata: Mapping[str, Any] | None = None,
    appendix: bytes | None = None,
) -> bytes:
    """Seal `pdf` with the platform certificate and return the sealed PDF bytes.

    `metadata` (JSON-serialisable with Django's encoder: datetimes, dates and Decimals are
    fine) is embedded as the attachment ``keqiao-agreement.json`` in the same revision as the
    signature, e.g. ``{"agreement_id": 12, "number": "KQ-2025-000012",
    "document_sha256": "<hex>", "signers": [{"name": ..., "signed_at": ...}]}``.
    `verify_pdf` returns it as ``SealVerification.metadata``. The pages of `appendix` (a PDF)
    are appended after the last page in the same revision (`append_pages`). The result starts
    with `pdf` byte for byte.

    Raises `SealError` when `pdf` is not a readable PDF, the key material cannot be loaded or
    the time-stamping authority (``SEAL_TSA_URL``) fails. Takes ~15 ms without a TSA
    (development EC key; an RSA production key adds ~35 ms to load).
    """
    if not pdf.startswith(_PDF_HEADER):
        raise SealError("Not a PDF.")
    signer = _signer()
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        if metadata is not None:
            embed_metadata(writer, metadata)
        if appendix is not None:
            append_pages(writer, appendix)
        timestamper = None
        tsa_url = getattr(settings, "SEAL_TSA_URL", "")
        if tsa_url:
            timestamper = HTTPTimeStamper(tsa_url, timeout=10)
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name=SEAL_FIELD_NAME,
                reason=reason,
                location=location,
                name=signer_name,
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
            ),
            signer=signer,
            timestamper=timestamper,
        )
        # Reserving the signature space skips pyHanko's dry-run signature (one key load and,
        # with a TSA, one timestamp request fewer). Hex-encoded in the file: twice this size.
        output = pdf_signer.sign_pdf(
            writer, bytes_reserved=RESERVED_SIGNATURE_BYTES * (2 if timestamper else 1)
        )
    except SealError:
        raise
    except Exception as exc:  # pyHanko raises many types (PdfReadError, SigningError, ...)
        raise SealError(f"Sealing failed: {exc}") from exc
    return bytes(output.getvalue())


# --- Verification ----------------------------------------------------------------------------


def _read_metadata(reader: PdfFileReader) -> dict[str, Any] | None:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except (KeyError, TypeError):
        return None
    for index in range(0, len(names) - 1, 2):
        if str(names[index]) != METADATA_FILE_NAME:
            continue
        spec = names[index + 1].get_object()
        stream = spec["/EF"]["/F"].get_object()
        value = json.loads(stream.data.decode("utf-8"))
        return value if isinstance(value, dict) else None
    return None


def _raise_if_out_of_memory(exc: BaseException) -> None:
    """Raise MemoryError if `exc` is, or was caused by, one (pyHanko wraps some errors in its
    own) or by a SystemError (C code that failed to allocate under an address-space limit
    can fail with "error return without exception set"): a memory limit
    (contracts.verification.limits) is not a verdict on the file."""
    seen: BaseException | None = exc
    for _ in range(50):  # exception chains may loop
        if seen is None:
            return
        if isinstance(seen, MemoryError | SystemError):
            raise MemoryError("out of memory while checking the file") from exc
        seen = seen.__cause__ or seen.__context__


def _validate_signatures(
    embedded: list[EmbeddedPdfSignature],
    platform: asn1_x509.Certificate | None,
    result: SealVerification,
) -> tuple[PdfSignatureStatus | None, bool]:
    """(the last signature's pyHanko status or None when it could not be validated, whether
    every signature is intact and valid), each validated against `platform` as the only trust
    root, without fetching; problems are appended to `result.messages`."""
    trust_roots = [platform] if platform is not None else []
    all_valid = True
    status = None
    for position, signature in enumerate(embedded):
        context = ValidationContext(trust_roots=trust_roots, allow_fetching=False)
        try:
            status = validate_pdf_signature(signature, signer_validation_context=context)
        except Exception as exc:
            _raise_if_out_of_memory(exc)
            result.messages.append(f"Signature {position + 1} could not be validated: {exc}")
            all_valid = False
            status = None
            continue
        if not (status.intact and status.valid):
            all_valid = False
            result.messages.append(f"Signature {position + 1}: digest or signature mismatch.")
    return status, all_valid


def verify_pdf(data: bytes) -> SealVerification:
    """Check the seal of `data` (any bytes; never raises on bad input, but raises MemoryError
    when memory runs out, so that a memory limit is not mistaken for an unreadable file).

    The last embedded signature is validated with pyHanko's ``validate_pdf_signature``
    against a validation context whose only trust root is the platform certificate (no
    network fetching); earlier signatures must be valid too. See `SealVerification` for the
    fields. Sources: ISO 32000-2 §12.8 (signatures), ETSI EN 319 142-1 (PAdES).
    """
    result = SealVerification(sha256=hashlib.sha256(data).hexdigest())
    if _PDF_HEADER not in data[:1024]:  # ISO 32000: the header is within the first 1 KiB
        result.messages.append("Not a PDF: no %PDF- header.")
        return result
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        reader.root  # noqa: B018 - forces the catalog to be read
    except Exception as exc:  # unreadable structure
        _raise_if_out_of_memory(exc)
        result.messages.append(f"Not a readable PDF: {exc}")
        return result
    result.is_pdf = True
    try:
        result.metadata = _read_metadata(reader)
    except Exception as exc:
        _raise_if_out_of_memory(exc)
        result.messages.append(f"Embedded metadata unreadable: {exc}")
    try:
        embedded = reader.embedded_signatures
    except Exception as exc:
        _raise_if_out_of_memory(exc)
        result.messages.append(f"Signatures unreadable: {exc}")
        return result
    result.signature_count = len(embedded)
    if not embedded:
        result.messages.append("The PDF carries no signature.")
        return result
    result.signed = True
    try:
        platform = platform_certificate()
    except Exception as exc:
        _raise_if_out_of_memory(exc)
        result.messages.append(f"Platform certificate unavailable: {exc}")
        platform = None
    status, all_valid = _validate_signatures(embedded, platform, result)
    last = embedded[-1]
    if status is None:
        with contextlib.suppress(Exception):  # the certificate may be unreadable too
            result.signer = _certificate_info(last.signer_cert)
        return result
    result.signer = _certificate_info(status.signing_cert)
    if status.signer_reported_dt is not None:
        result.signing_time = status.signer_reported_dt.astimezone(dt.UTC)
    if status.timestamp_validity is not None:
        result.timestamp = status.timestamp_validity.timestamp.astimezone(dt.UTC)
    level = status.modification_level
    result.modification_level = level.name if level is not None else None
    result.coverage = status.coverage.name if status.coverage is not None else None
    covers_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not covers_file:
        result.messages.append("Bytes were added or changed after the last signature.")
    result.intact = all_valid and covers_file
    is_ours = platform is not None and (
        result.signer.sha256_fingerprint == hashlib.sha256(platform.dump()).hexdigest()
    )
    result.trusted = bool(is_ours and status.trusted)
    if not result.trusted:
        result.messages.append("The signature was not made with the Keqiao platform certificate.")
    return result
