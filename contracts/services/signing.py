"""Signing the frozen document, and the hook run once every party has signed.

`agreement_sign`: the signer re-enters their password, types their name, which must be their
name on record (`name_on_record`, compared by `same_name`), and sends the SHA-256 of the signing
preview they were shown (`contracts.services.preview`; it must equal the frozen version's, and
is stored with the signature) and of the terms (it must equal `document_sha256`). In
sequential mode a slot may be signed only after all earlier ones (409 `not_your_turn`,
checked on the server whatever link was used).
Signing runs the registration check again and refuses while it finds blocking errors. The last
signature moves the agreement to SIGNED and calls `agreement_on_fully_signed` (platform fee
hook) in the signing transaction; the PDF is rendered and sealed after commit, outside the
transaction and with a time limit (`contracts.services.sealing`: SIGNED → sealed, retried by
`manage.py seal_agreements`).
"""

from __future__ import annotations

import math
import unicodedata
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.checks import check_agreement
from contracts.choices import AgreementStatus, EventKind, Party
from contracts.limits import TYPED_NAME_MAX_LENGTH
from contracts.models import Agreement, AgreementEvent, AgreementSignature
from contracts.selectors import is_turn, next_signature_for
from contracts.services.audit import ClientInfo, agreement_event_record
from contracts.services.guards import (
    SHOWN_WITH,
    registration_check_error,
    require_party,
)
from contracts.services.notifying import notify_parties
from contracts.services.sealing import agreement_seal_after_commit
from kernel.errors import ConflictError, DomainError, TooManyAttemptsError
from kernel.locking import copy_locked_fields, lock_row
from marketplace.validators import validate_visible_text
from payments.fees import platform_fee_payment_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from marketplace.roles import AnyUser

VERB_SIGNED = "agreement.signed"
WRONG_PASSWORD_CODE = "wrong_password"  # noqa: S105  (an error code, not a password)
VERB_SIGNED_BY_ALL = "agreement.signed_by_all"


def _slot_to_sign(agreement: Agreement, actor: User) -> AgreementSignature:
    """The actor's unsigned slot whose turn it is; 409 `agreement_signed`, `not_frozen`,
    `already_signed`, `not_your_turn`, 403 for a non-member."""
    if agreement.status == AgreementStatus.SIGNED:
        raise ConflictError(_("This agreement is already signed."), code="agreement_signed")
    if agreement.status == AgreementStatus.DRAFT or agreement.frozen_version is None:
        raise ConflictError(
            _("Both parties must approve the final version before signing."), code="not_frozen"
        )
    require_party(agreement, actor)
    slot = next_signature_for(agreement, actor)
    if slot is None:
        raise ConflictError(_("Your party has already signed."), code="already_signed")
    if not is_turn(agreement, slot):
        raise ConflictError(
            _("It is not your turn to sign: the other party signs first."), code="not_your_turn"
        )
    return slot


def name_on_record(user: AnyUser) -> str:
    """The account's name on record (姓名): Django's name fields, which the account settings
    page sets (the whole name in ``first_name``); "" when none is set (or anonymous)."""
    full_name = getattr(user, "get_full_name", None)
    return str(full_name()).strip() if callable(full_name) else ""


def same_name(typed: str, on_record: str) -> bool:
    """Whether a typed name is the name on record: equal after Unicode NFKC (full-width
    letters, compatibility forms) with every whitespace character (space separators, line and
    paragraph separators, tab and line breaks) removed."""

    def key(value: str) -> str:
        # Real whitespace only: separators (Zs, Zl, Zp) and tab and line breaks; str.split()
        # also drops control characters such as U+001C..U+001F and U+0085, which would then
        # match and be stored (they are refused before, `_check_typed_name`).
        return "".join(char for char in unicodedata.normalize("NFKC", value)
                       if char not in "\t\n\r"
                       and unicodedata.category(char) not in ("Zs", "Zl", "Zp"))

    return bool(key(on_record)) and key(typed) == key(on_record)


def _check_typed_name(actor: User, typed_name: str) -> str:
    """The typed name, stripped; 400 per field when it is empty or too long, when it has
    invisible characters (`invisible_characters`), when the account has no name on record
    (`name_not_on_record`) or when it differs from it (`typed_name_mismatch`)."""
    name = (typed_name or "").strip()
    if not name or len(name) > TYPED_NAME_MAX_LENGTH:
        message = _("Type your full name to sign.")
        raise DomainError(message, code="typed_name_required", fields={"typed_name": [message]})
    try:  # what is signed must be what the parties see (kernel.invisible_text)
        validate_visible_text(name)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invisible_characters",
                          fields={"typed_name": list(exc.messages)}) from exc
    on_record = name_on_record(actor)
    if not on_record:
        message = _("Your account has no name on record: set it in your account settings "
                    "before signing.")
        raise DomainError(message, code="name_not_on_record", fields={"typed_name": [message]})
    if not same_name(name, on_record):
        message = _("Type your name exactly as on record in your account settings.")
        raise DomainError(message, code="typed_name_mismatch", fields={"typed_name": [message]})
    return name


def _check_signer_input(
    agreement: Agreement, actor: User, *, password: str, typed_name: str,
    document_sha256: str, preview_sha256: str,
) -> str:
    """The typed name, stripped, once the password (400), typed name (400), preview hash (409
    `preview_changed`), document hash (409 `document_changed`) and registration check (400)
    pass."""
    if not password or not actor.check_password(password):
        raise DomainError(
            _("The password is not correct."),
            code=WRONG_PASSWORD_CODE,
            fields={"password": [_("The password is not correct.")]},
        )
    name = _check_typed_name(actor, typed_name)
    version = agreement.frozen_version
    expected = version.preview_sha256 if version is not None else ""
    if not expected or (preview_sha256 or "").strip().lower() != expected:
        raise ConflictError(
            _("The PDF you saw is not the current signing preview; reload and check its hash."),
            code="preview_changed",
        )
    if (document_sha256 or "").strip().lower() != agreement.document_sha256:
        raise ConflictError(
            _("The document you saw is not the frozen document; reload and check its hash."),
            code="document_changed",
        )
    report = check_agreement(agreement=agreement, version=agreement.frozen_version)
    if not report.ok:
        raise registration_check_error(
            report,
            _("The registration check found blocking errors; reopen the agreement to fix them."),
        )
    return name


def _after_signature(
    agreement: Agreement, *, actor: User, client: ClientInfo, slot: AgreementSignature
) -> None:
    """SIGNING while a slot is unsigned; otherwise SIGNED, the fully-signed hook and the seal
    after commit. The other party is notified either way."""
    if agreement.signatures.filter(signed_at__isnull=True).exists():
        agreement.status = AgreementStatus.SIGNING
        agreement.save(update_fields=["status", "updated_at"])
        notify_parties(
            agreement,
            actor=actor,
            verb=VERB_SIGNED,
            params={} if slot.party == Party.A else {"variant": "party_b"},
        )
        return
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_at = slot.signed_at
    agreement.save(update_fields=["status", "signed_at", "updated_at"])
    agreement_on_fully_signed(agreement=agreement, actor=actor, client=client)
    # The final render and seal run after commit, outside this transaction and its row
    # lock, with a time limit; `manage.py seal_agreements` retries what fails.
    agreement_seal_after_commit(agreement_id=agreement.pk, client=client)
    notify_parties(agreement, actor=actor, verb=VERB_SIGNED_BY_ALL)


def _refused_recently(agreement: Agreement, actor: User) -> list[AgreementEvent]:
    """The actor's refused signing attempts on `agreement` (wrong password) within the
    window, oldest first."""
    since = timezone.now() - timedelta(minutes=settings.SIGNING_PASSWORD_WINDOW_MINUTES)
    return list(
        AgreementEvent.objects.filter(
            agreement=agreement, actor=actor, kind=EventKind.SIGNING_REFUSED,
            created_at__gte=since,
        ).order_by("created_at")
    )


def _require_attempts_left(agreement: Agreement, actor: User) -> None:
    """429 `signing_locked` (with the seconds to wait) once the actor has given a wrong
    password SIGNING_PASSWORD_FAILURE_LIMIT times for this agreement within the window."""
    refused = _refused_recently(agreement, actor)
    if len(refused) < settings.SIGNING_PASSWORD_FAILURE_LIMIT:
        return
    window = timedelta(minutes=settings.SIGNING_PASSWORD_WINDOW_MINUTES)
    # Free again when the oldest refusal that counts leaves the window.
    oldest = refused[-settings.SIGNING_PASSWORD_FAILURE_LIMIT]
    wait = max(1, math.ceil((oldest.created_at + window - timezone.now()).total_seconds()))
    raise TooManyAttemptsError(
        _("Too many wrong passwords: signing this agreement is locked for %(minutes)d "
          "minutes.") % {"minutes": math.ceil(wait / 60)},
        code="signing_locked",
        retry_after=wait,
    )


def agreement_sign(
    *,
    agreement: Agreement,
    actor: User,
    client: ClientInfo,
    password: str,
    typed_name: str,
    document_sha256: str,
    preview_sha256: str,
) -> Agreement:
    """Sign the frozen document for the actor's party.

    Checks, in order: the actor has not given SIGNING_PASSWORD_FAILURE_LIMIT wrong passwords
    for this agreement within SIGNING_PASSWORD_WINDOW_MINUTES (429 `signing_locked`, with
    ``retry_after`` seconds); the agreement is frozen and not fully signed (409 `not_frozen`,
    `agreement_signed`); the actor is a member of a party (403) whose slot is unsigned (409
    `already_signed`); it is that slot's turn (409 `not_your_turn`, sequential mode); the
    password is the actor's (400 `wrong_password`, recorded in the audit trail as
    `signing_refused` in a transaction of its own, so the refusal stays although the signing
    is rolled back); a typed name that is the actor's name on record (400 `typed_name_required`,
    `name_not_on_record`, `typed_name_mismatch`, under ``typed_name``); `preview_sha256` is the
    SHA-256 of the frozen version's signing preview as stored (409 `preview_changed`: the
    version changed or its preview was never shown); `document_sha256` is the frozen
    document's hash (409 `document_changed`); the registration check finds no blocking error (400
    `registration_check_failed`, per field). The last signature renders, seals and stores the
    PDF (see module docstring) and calls `agreement_on_fully_signed`.
    """
    if actor.is_authenticated:
        _require_attempts_left(agreement, actor)
    try:
        return _sign(
            agreement, actor=actor, client=client, password=password, typed_name=typed_name,
            document_sha256=document_sha256, preview_sha256=preview_sha256,
        )
    except DomainError as exc:
        if exc.code == WRONG_PASSWORD_CODE:
            agreement_event_record(
                agreement=agreement, kind=EventKind.SIGNING_REFUSED, actor=actor, client=client,
                details={"reason": WRONG_PASSWORD_CODE},
            )
        raise


@transaction.atomic
def _sign(
    agreement: Agreement,
    *,
    actor: User,
    client: ClientInfo,
    password: str,
    typed_name: str,
    document_sha256: str,
    preview_sha256: str,
) -> Agreement:
    locked = lock_row(agreement, related=SHOWN_WITH)
    slot = _slot_to_sign(locked, actor)
    name = _check_signer_input(
        locked,
        actor,
        password=password,
        typed_name=typed_name,
        document_sha256=document_sha256,
        preview_sha256=preview_sha256,
    )
    slot.signer = actor
    slot.typed_name = name
    slot.signed_at = timezone.now()
    slot.document_sha256 = locked.document_sha256
    slot.preview_sha256 = preview_sha256.strip().lower()
    slot.ip_address = client.ip_address
    slot.user_agent = client.user_agent[:500]
    slot.save()
    agreement_event_record(
        agreement=locked,
        kind=EventKind.SIGNED,
        actor=actor,
        client=client,
        document_sha256=locked.document_sha256,
        details={"party": slot.party, "typed_name": name, "position": slot.position,
                 "preview_sha256": slot.preview_sha256},
    )
    _after_signature(locked, actor=actor, client=client, slot=slot)
    copy_locked_fields(locked, agreement)
    return agreement


def agreement_on_fully_signed(*, agreement: Agreement, actor: User, client: ClientInfo) -> None:
    """Hook called once, inside the signing transaction, right after the last signature
    (status SIGNED; the sealed PDF follows after commit, `contracts.services.sealing`).

    Platform fee: when `settings.PLATFORM_FEE_PERCENT` > 0, a payment of that percentage of
    the contract value (`frozen_version.payment["total_cny"]`, CNY) is created through the
    payment-provider interface for the last signer to settle; it commits or rolls back with
    the signature. A pure royalty agreement has no fixed value and so no fee here. Raises
    `PaymentNotConfigured` (503) when a fee is due but no paying provider is configured:
    signing then fails as a whole rather than leaving an unbilled agreement.
    """
    version = agreement.frozen_version
    total = (version.payment or {}).get("total_cny") if version is not None else ""
    if not total:
        return
    payment = platform_fee_payment_create(
        reference=f"agreement:{agreement.pk}", contract_value_cny=Decimal(total), payer=actor
    )
    if payment is not None:
        agreement_event_record(
            agreement=agreement,
            kind=EventKind.PLATFORM_FEE,
            actor=actor,
            client=client,
            details={"payment_id": payment.pk, "amount_cny": str(payment.amount_cny)},
        )


__all__ = ["agreement_on_fully_signed", "agreement_sign", "name_on_record", "same_name"]
