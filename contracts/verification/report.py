"""Verification of uploaded agreement PDFs: is it a Keqiao agreement, is the seal intact and
whose certificate made it, who signed and when, and does it match our copy.

`verify_upload` combines the seal check (`contracts.verification.limits.verify_pdf_bounded`, i.e.
`contracts.seal.verify_pdf` in a bounded child process) with the database:

- ``valid``: the SHA-256 of the uploaded bytes equals the stored ``Agreement.sealed_pdf_sha256``
  of a signed agreement, and the seal is intact.
- ``tampered``: the file carries a seal made with the platform certificate, but the seal is
  broken, bytes were appended, or the bytes are not a copy on record. One changed byte lands
  here.
- ``not_keqiao``: a readable PDF without a seal made with the platform certificate, whatever
  its embedded metadata claims. When its bytes are exactly a stored signing preview
  (``AgreementVersion.preview_sha256``) the report says so (``unsigned_preview``): the file is
  an unsigned preview, not a signed agreement. Only someone who holds the preview, and so
  already reads its terms, can learn that.

Bad uploads are errors, not reports (`UnreadableUpload`, HTTP 400): ``not_pdf`` when the
bytes do not start like a PDF (no ``%PDF-`` header in the first KiB, ISO 32000-2 §7.5.2),
``unreadable_pdf`` when they do but cannot be parsed.

Privacy: only ``valid`` reports anything from the database (number, type, parties, signers'
typed names and times): the uploader then holds the very document that shows them. Any other
upload learns nothing about stored agreements: the agreement id an unsealed or altered file
names is never looked up, so a forged file cannot probe which agreements exist. A tampered
report shows only what the file itself claims (its embedded signer list).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from contracts.choices import AgreementStatus, zh_label
from contracts.models import Agreement, AgreementVersion
from contracts.verification.limits import verify_pdf_bounded
from kernel.errors import DomainError

if TYPE_CHECKING:
    # pyHanko (about 0.3 s to import) loads with the first seal check, not with the URLs.
    from contracts.seal import CertificateInfo, SealVerification

STATUS_VALID = "valid"
STATUS_TAMPERED = "tampered"
STATUS_NOT_KEQIAO = "not_keqiao"
STATUSES = (STATUS_VALID, STATUS_TAMPERED, STATUS_NOT_KEQIAO)
#: ISO 32000-2 §7.5.2: the header; readers look for it within the first 1024 bytes.
_PDF_HEADER = b"%PDF-"


class UnreadableUpload(DomainError):
    """The upload is not a PDF (code ``not_pdf``) or not a readable one (``unreadable_pdf``);
    answered 400 with the message under the field ``file``."""

    default_code = "not_pdf"


@dataclass(frozen=True)
class SignerInfo:
    """A signature as reported: party code ("a"/"b"), organisation, typed name, aware UTC time."""

    party: str
    organization: str
    typed_name: str
    signed_at: dt.datetime | None
    #: SHA-256 of the signing preview the signer approved ("" for agreements sealed before
    #: signing previews).
    preview_sha256: str = ""


@dataclass
class VerificationReport:
    """The answer to "is this our agreement?". ``reasons`` are translated sentences for people
    (active language); ``signers_source`` is ``"record"`` (our database, status valid),
    ``"file"`` (the file's own metadata) or ``""`` (none)."""

    status: str
    sha256: str
    size: int
    seal: SealVerification
    reasons: list[str] = field(default_factory=list)
    agreement_id: int | None = None
    agreement_number: str = ""
    contract_type: str = ""
    matches_stored_copy: bool | None = None
    signers: list[SignerInfo] = field(default_factory=list)
    signers_source: str = ""
    #: SHA-256 of the file's first revision, the signing preview (its length is in the
    #: sealed metadata); "" when the file names none. `preview_approved`: every signer
    #: approved exactly that hash (None when unknown).
    preview_sha256: str = ""
    preview_approved: bool | None = None
    #: The file is exactly a stored signing preview (unsigned, status not_keqiao).
    unsigned_preview: bool = False

    @property
    def is_keqiao(self) -> bool:
        return self.status in (STATUS_VALID, STATUS_TAMPERED)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready shape (the API's response body)."""
        signer = self.seal.signer
        return {
            "status": self.status,
            "is_keqiao_agreement": self.is_keqiao,
            "reasons": list(self.reasons),
            "sha256": self.sha256,
            "size": self.size,
            "agreement": (
                {
                    "id": self.agreement_id,
                    "number": self.agreement_number,
                    "contract_type": self.contract_type,
                }
                if self.agreement_id is not None
                else None
            ),
            "matches_stored_copy": self.matches_stored_copy,
            "seal": {
                "is_pdf": self.seal.is_pdf,
                "signed": self.seal.signed,
                "intact": self.seal.intact,
                "trusted": self.seal.trusted,
                "signature_count": self.seal.signature_count,
                "coverage": self.seal.coverage,
                "modification_level": self.seal.modification_level,
                "signing_time": _iso(self.seal.signing_time),
                "timestamp": _iso(self.seal.timestamp),
                "certificate": (
                    {
                        "subject": signer.subject,
                        "issuer": signer.issuer,
                        "sha256_fingerprint": signer.sha256_fingerprint,
                    }
                    if signer
                    else None
                ),
            },
            "signers": [
                {
                    "party": s.party,
                    "organization": s.organization,
                    "typed_name": s.typed_name,
                    "signed_at": _iso(s.signed_at),
                    "preview_sha256": s.preview_sha256,
                }
                for s in self.signers
            ],
            "signers_source": self.signers_source,
            "preview_sha256": self.preview_sha256,
            "preview_approved": self.preview_approved,
            "unsigned_preview": self.unsigned_preview,
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def seal_metadata(agreement: Agreement) -> dict[str, Any]:
    """The metadata to pass to `contracts.seal.seal_pdf(..., metadata=...)` for `agreement`
    (call after the last signature, before sealing). Shape::

        {"keqiao_agreement": "KQ-...", "agreement_id": 12, "contract_type": "transfer",
         "subtype": "patent_assignment", "version": 3, "document_sha256": "<hex>",
         "parties": {"a": "<legal name>", "b": "<legal name>"},
         "signers": [{"party": "a", "organization": "...", "typed_name": "...",
                      "signed_at": "<ISO 8601 UTC>", "preview_sha256": "<hex>"}]}

    The sealing step adds "preview_sha256" and "preview_bytes": the hash and length of the
    signing preview, the sealed file's first revision.
    """
    signatures = agreement.signatures.select_related("organization").order_by("position", "party")
    return {
        "keqiao_agreement": agreement.number,
        "agreement_id": agreement.pk,
        "contract_type": agreement.contract_type,
        "subtype": agreement.subtype,
        "version": agreement.frozen_version.number if agreement.frozen_version else None,
        "document_sha256": agreement.document_sha256,
        "parties": {"a": agreement.party_a.legal_name, "b": agreement.party_b.legal_name},
        "signers": [
            {
                "party": s.party,
                "organization": s.organization.legal_name,
                "typed_name": s.typed_name,
                "signed_at": _iso(s.signed_at),
                "preview_sha256": s.preview_sha256,
            }
            for s in signatures
        ],
    }


def _is_unsigned_preview(report: VerificationReport) -> bool:
    """Whether the unsealed upload is exactly a stored signing preview; if so, says so in
    `report` (``unsigned_preview`` and a reason)."""
    if report.seal.signed or not AgreementVersion.objects.filter(
        preview_sha256=report.sha256
    ).exists():
        return False
    report.unsigned_preview = True
    report.reasons.append(
        _("This is the unsigned signing preview of a Keqiao agreement, not a signed "
          "agreement: only the copy downloaded after every party signed carries the "
          "Keqiao seal.")
    )
    return True


def _first_revision(report: VerificationReport, data: bytes) -> None:
    """Set `preview_sha256` (SHA-256 of the first ``preview_bytes`` bytes, as the file's
    metadata says) and `preview_approved` (it is the preview the metadata names and every
    signer approved it; None when a signer signed before signing previews) on `report`."""
    metadata = report.seal.metadata or {}
    length = metadata.get("preview_bytes")
    if not isinstance(length, int) or isinstance(length, bool) or not 0 < length < len(data):
        return
    report.preview_sha256 = hashlib.sha256(data[:length]).hexdigest()
    approved = [signer.preview_sha256 for signer in report.signers]
    if not approved or not all(approved):
        return  # signed before signing previews: nobody's approval to compare with
    report.preview_approved = metadata.get("preview_sha256") == report.preview_sha256 and all(
        value == report.preview_sha256 for value in approved
    )


def _signers_from_metadata(metadata: dict[str, Any]) -> list[SignerInfo]:
    result = []
    raw = metadata.get("signers")
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        signed_at = None
        if isinstance(item.get("signed_at"), str):
            try:
                signed_at = parse_datetime(item["signed_at"])
            except ValueError:
                signed_at = None
        result.append(
            SignerInfo(
                party=str(item.get("party", ""))[:10],
                organization=str(item.get("organization", ""))[:200],
                typed_name=str(item.get("typed_name", ""))[:100],
                signed_at=signed_at,
                preview_sha256=str(item.get("preview_sha256", ""))[:64],
            )
        )
    return result[:20]


def carries_platform_certificate(
    seal: SealVerification, certificate: CertificateInfo | None = None
) -> bool:
    """True when the file's (last) seal was made with the platform certificate: trusted, or
    its certificate's SHA-256 fingerprint is the platform certificate's (a changed file is no
    longer `trusted`, but it still carries our certificate)."""
    if seal.trusted:
        return True
    if seal.signer is None or not seal.signer.sha256_fingerprint:
        return False
    if certificate is None:
        from contracts.seal import platform_certificate_info  # imports pyHanko

        try:
            certificate = platform_certificate_info()
        except Exception:  # no platform certificate: nothing can carry it
            return False
    return seal.signer.sha256_fingerprint == certificate.sha256_fingerprint


def _unreadable(code: str) -> UnreadableUpload:
    if code == "not_pdf":
        message = _("The file is not a PDF document.")
    else:
        message = _("The file looks like a PDF but cannot be read; it may be damaged.")
    return UnreadableUpload(message, code=code, fields={"file": [message]})


def verify_upload(data: bytes) -> VerificationReport:
    """Verify uploaded bytes; see the module docstring for the statuses and the privacy rule.

    Raises `UnreadableUpload` (``not_pdf`` / ``unreadable_pdf``) for bad bytes, and what
    `verify_pdf_bounded` raises when the check exceeds its limits or no slot is free. The
    caller enforces the size limit (``VERIFY_MAX_UPLOAD_BYTES``)."""
    if _PDF_HEADER not in data[:1024]:
        raise _unreadable("not_pdf")
    sha256 = hashlib.sha256(data).hexdigest()
    seal = verify_pdf_bounded(data)
    if not seal.is_pdf:
        raise _unreadable("unreadable_pdf")
    report = VerificationReport(
        status=STATUS_NOT_KEQIAO, sha256=sha256, size=len(data), seal=seal
    )

    stored = (
        Agreement.objects.filter(sealed_pdf_sha256=sha256, status=AgreementStatus.SIGNED)
        .exclude(sealed_pdf_sha256="")
        .first()
    )
    if stored is not None and seal.intact:
        # The bytes are exactly the copy we sealed and stored. (After a key rotation an old
        # copy is no longer `trusted` by the current certificate, but it is still ours.)
        report.status = STATUS_VALID
        report.matches_stored_copy = True
        report.agreement_id = stored.pk
        report.agreement_number = stored.number
        report.contract_type = zh_label(stored.contract_type)
        report.signers = [
            SignerInfo(
                party=s.party,
                organization=s.organization.legal_name,
                typed_name=s.typed_name,
                signed_at=s.signed_at,
                preview_sha256=s.preview_sha256,
            )
            for s in stored.signatures.select_related("organization").order_by("position", "party")
        ]
        report.signers_source = "record"
        report.reasons.append(
            _("The seal is intact and the file is identical to the agreement on record.")
        )
        _first_revision(report, data)
        if report.preview_approved:
            report.reasons.append(
                _("The file begins with the signing preview every signer approved, unchanged; "
                  "the signing record and the seal follow it.")
            )
        return report

    if not carries_platform_certificate(seal):
        if _is_unsigned_preview(report):
            return report
        if seal.signed:
            report.reasons.append(_("The file is not sealed by Keqiao."))
        else:
            report.reasons.append(_("The file carries no signature."))
        if seal.metadata:
            report.reasons.append(
                _("What the file says about an agreement is not checked: it carries no "
                  "Keqiao seal.")
            )
        return report

    report.status = STATUS_TAMPERED
    if seal.metadata:
        report.signers = _signers_from_metadata(seal.metadata)
        report.signers_source = "file" if report.signers else ""
        _first_revision(report, data)
    if not seal.intact:
        report.reasons.append(
            _("The seal is broken: the file was changed after it was sealed.")
        )
    else:
        report.reasons.append(_("The file differs from the agreement on record."))
    return report


@dataclass(frozen=True)
class StoredSealCheck:
    """One stored sealed PDF re-verified: the agreement's id and number, the `verify_upload`
    status of its stored bytes (one of `STATUSES`), whether the seal was made with the platform
    certificate configured now (`trusted`), and the SHA-256 fingerprint of the certificate
    that made it ("" when there is none)."""

    agreement_id: int
    number: str
    status: str
    trusted: bool
    fingerprint: str

    @property
    def ok(self) -> bool:
        return self.status == STATUS_VALID and self.trusted


def verify_stored_seals() -> Iterator[StoredSealCheck]:
    """Re-verify the stored sealed PDF of every agreement that has one, oldest first, against
    the database and the platform certificate configured now (settings ``SEAL_*``, or the
    development pair in ``VAR_DIR/seal/``). After a restore (docs/operations.md) every check
    must be `ok`: ``trusted`` False means the seal certificate was not restored with the
    database (or the key was rotated since). Reads one PDF at a time."""
    sealed = Agreement.objects.exclude(sealed_pdf=None).order_by("pk")
    for agreement_id in sealed.values_list("pk", flat=True).iterator():
        agreement = Agreement.objects.only("pk", "number", "sealed_pdf").get(pk=agreement_id)
        report = verify_upload(bytes(agreement.sealed_pdf or b""))
        signer = report.seal.signer
        yield StoredSealCheck(
            agreement_id=agreement.pk,
            number=agreement.number,
            status=report.status,
            trusted=report.seal.trusted,
            fingerprint=signer.sha256_fingerprint if signer else "",
        )
