"""Web forms of agreements: drafting, editing terms, signing.

Forms only validate and shape input; the terms' rules live in `contracts.services` (which
returns per-field errors with dotted paths such as ``payment.total_cny``; `field_name_for_path`
maps them to these forms' field names, dots becoming underscores).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.choices import (
    ContractSubtype,
    ContractType,
    Party,
    PaymentMethod,
    RoyaltyBase,
    SigningMode,
)
from contracts.clauses import PATENT_FIELDS, template_for
from contracts.limits import (
    NOTE_MAX_LENGTH,
    PARTY_FIELD_MAX_LENGTH,
    PATENT_FIELD_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SCHEDULE_MAX_ENTRIES,
    SCHEDULE_NOTE_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    TYPED_NAME_MAX_LENGTH,
    clause_max_length,
)
from contracts.models import Agreement, AgreementVersion
from contracts.services.content import PARTY_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PARTY_FIELD_LABELS = {
    "legal_name": _("Legal name"),
    "credit_code": _("Unified social credit code"),
    "address": _("Address"),
    "region_code": _("Administrative division code (GB/T 2260)"),
    "representative": _("Legal representative or authorised signatory"),
    "contact": _("Contact"),
}


class AgreementCreateForm(forms.Form):
    contract_type = forms.ChoiceField(
        label=_("Contract type"),
        choices=[("", _("Suggested from the match")), *ContractType.choices],
        required=False,
    )
    subtype = forms.ChoiceField(
        label=_("Sub-type"),
        choices=[("", _("Suggested from the match")), *ContractSubtype.choices],
        required=False,
    )


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Type your full name"),
        max_length=TYPED_NAME_MAX_LENGTH,
        help_text=_("Type your name as on record in your account settings: it is your "
                    "signature on the document shown above."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Re-enter your password to confirm that it is you who signs."),
    )
    document_sha256 = forms.RegexField(regex=r"^[0-9a-fA-F]{64}$", widget=forms.HiddenInput)
    preview_sha256 = forms.RegexField(regex=r"^[0-9a-fA-F]{64}$", widget=forms.HiddenInput)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen? (optional)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
    )


def _text(
    label: StrOrPromise,
    *,
    area: bool = False,
    rows: int = 4,
    max_length: int = SHORT_TEXT_MAX_LENGTH,
) -> forms.CharField:
    """An optional text field limited to `max_length` characters (`contracts.limits`; the
    service checks the same limits after stripping)."""
    widget = forms.Textarea(attrs={"rows": rows}) if area else forms.TextInput()
    return forms.CharField(
        label=label, required=False, widget=widget, strip=False, max_length=max_length
    )


class AgreementEditForm(forms.Form):
    """All terms of an agreement on one page; initial values from `version`."""

    note = forms.CharField(
        label=_("What did you change?"), max_length=NOTE_MAX_LENGTH, required=False
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, agreement: Agreement, version: AgreementVersion, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.template = template_for(agreement.contract_type, agreement.subtype)
        self.fields["base_version"].initial = version.number
        # Field order is page order: parties, clauses, patent, payment, validity, signing.
        self._add_party_fields(version)
        self._add_clause_fields(version)
        self._add_patent_fields(version)
        self._add_payment_fields(version)
        self._add_validity_fields(version)
        self._add_signing_fields(version)

    def _add_party_fields(self, version: AgreementVersion) -> None:
        """Each party's particulars (`party_fields` lists their names per party)."""
        self.party_fields: dict[str, list[str]] = {}
        for party in (Party.A, Party.B):
            names = []
            for key in PARTY_FIELDS:
                name = f"parties_{party.value}_{key}"
                self.fields[name] = _text(
                    f"{party.label} · {PARTY_FIELD_LABELS[key]}",
                    max_length=PARTY_FIELD_MAX_LENGTH[key],
                )
                self.fields[name].initial = (version.parties.get(party.value) or {}).get(key, "")
                names.append(name)
            self.party_fields[party.value] = names

    def _add_clause_fields(self, version: AgreementVersion) -> None:
        """The clauses of the contract type's template, in template order."""
        self.clause_fields = []
        for clause in self.template.clauses:
            name = f"clauses_{clause.key}"
            self.fields[name] = _text(
                clause.title_zh,
                area=clause.key != "project_name",
                rows=4,
                max_length=clause_max_length(clause.key),
            )
            self.fields[name].help_text = clause.source
            self.fields[name].initial = version.clauses.get(clause.key, "")
            self.clause_fields.append(name)

    def _add_patent_fields(self, version: AgreementVersion) -> None:
        """The patent particulars, for a template with a patent as its subject."""
        self.patent_fields = []
        if self.template.patent_subject:
            for field in PATENT_FIELDS:
                name = f"patent_{field.key}"
                self.fields[name] = _text(
                    field.title_zh, max_length=PATENT_FIELD_MAX_LENGTH[field.key]
                )
                if field.kind == "date":
                    self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
                self.fields[name].initial = version.patent.get(field.key, "")
                self.patent_fields.append(name)

    def _add_payment_fields(self, version: AgreementVersion) -> None:
        """Method, amounts (CNY), schedule (one instalment a line) and royalty."""
        payment = version.payment or {}
        royalty = payment.get("royalty") or {}
        self.fields["payment_method"] = forms.ChoiceField(
            label=_("Payment method"),
            choices=PaymentMethod.choices,
            initial=payment.get("method", PaymentMethod.LUMP_SUM),
        )
        self.fields["payment_total_cny"] = _text(_("Contract price, CNY (成交额)"))
        self.fields["payment_total_cny"].initial = payment.get("total_cny", "")
        self.fields["payment_technology_amount_cny"] = _text(
            _("Technology-transaction amount, CNY (技术交易额)")
        )
        self.fields["payment_technology_amount_cny"].initial = payment.get(
            "technology_amount_cny", ""
        )
        # Up to SCHEDULE_MAX_ENTRIES lines of date | amount | condition (each checked by the
        # service); 64 characters per line for the date, the amount and the separators.
        self.fields["payment_schedule"] = _text(
            _("Payment schedule"),
            area=True,
            rows=4,
            max_length=SCHEDULE_MAX_ENTRIES * (SCHEDULE_NOTE_MAX_LENGTH + 64),
        )
        self.fields["payment_schedule"].help_text = _(
            "One instalment per line: date | amount in CNY | condition, e.g. "
            "2026-03-31 | 100000.00 | after acceptance"
        )
        self.fields["payment_schedule"].initial = "\n".join(
            " | ".join([e.get("due_date", ""), e.get("amount_cny", ""), e.get("note", "")])
            for e in payment.get("schedule") or []
        )
        self.fields["payment_royalty_base"] = forms.ChoiceField(
            label=_("Royalty base"),
            choices=[("", "—"), *RoyaltyBase.choices],
            required=False,
            initial=royalty.get("base", ""),
        )
        self.fields["payment_royalty_rate_percent"] = _text(_("Royalty rate, %"))
        self.fields["payment_royalty_rate_percent"].initial = royalty.get("rate_percent", "")
        self.fields["payment_royalty_entry_fee_cny"] = _text(_("Entry fee, CNY"))
        self.fields["payment_royalty_entry_fee_cny"].initial = royalty.get("entry_fee_cny", "")

    def _add_validity_fields(self, version: AgreementVersion) -> None:
        """Validity dates and the place of signing."""
        validity = version.validity or {}
        for key, label in (
            ("valid_from", _("Valid from")),
            ("valid_until", _("Valid until")),
        ):
            self.fields[f"validity_{key}"] = _text(label)
            self.fields[f"validity_{key}"].widget = forms.DateInput(attrs={"type": "date"})
            self.fields[f"validity_{key}"].initial = validity.get(key, "")
        self.fields["validity_place"] = _text(
            _("Place of signing"), max_length=PLACE_MAX_LENGTH
        )
        self.fields["validity_place"].initial = validity.get("place", "")

    def _add_signing_fields(self, version: AgreementVersion) -> None:
        """Signing mode and which party signs first."""
        signing = version.signing or {}
        self.fields["signing_mode"] = forms.ChoiceField(
            label=_("Signing order"),
            choices=SigningMode.choices,
            initial=signing.get("mode", SigningMode.SEQUENTIAL),
        )
        self.fields["signing_first"] = forms.ChoiceField(
            label=_("Signs first (sequential mode)"),
            choices=Party.choices,
            initial=(signing.get("order") or ["a"])[0],
        )

    def clean_payment_schedule(self) -> list[dict[str, str]]:
        entries = []
        for number, line in enumerate(self.cleaned_data["payment_schedule"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or len(parts) > 3:
                raise forms.ValidationError(
                    _("Line %(n)d: write date | amount | condition."), params={"n": number}
                )
            note = parts[2] if len(parts) > 2 else ""
            entries.append({"due_date": parts[0], "amount_cny": parts[1], "note": note})
        return entries

    def changes(self) -> dict[str, Any]:
        """The cleaned form as `services.agreement_version_create` changes."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "parties": {
                party: {key: data[f"parties_{party}_{key}"] for key in PARTY_FIELDS}
                for party in ("a", "b")
            },
            "clauses": {c.key: data[f"clauses_{c.key}"] for c in self.template.clauses},
            "payment": {
                "method": data["payment_method"],
                "total_cny": data["payment_total_cny"],
                "technology_amount_cny": data["payment_technology_amount_cny"],
                "schedule": data["payment_schedule"],
            },
            "validity": {
                "valid_from": data["validity_valid_from"],
                "valid_until": data["validity_valid_until"],
                "place": data["validity_place"],
            },
            "signing": {
                "mode": data["signing_mode"],
                "order": ["a", "b"] if data["signing_first"] == "a" else ["b", "a"],
            },
        }
        royalty = {
            "base": data["payment_royalty_base"],
            "rate_percent": data["payment_royalty_rate_percent"],
            "entry_fee_cny": data["payment_royalty_entry_fee_cny"],
        }
        if any(royalty.values()):
            changes["payment"]["royalty"] = royalty
        if self.template.patent_subject:
            changes["patent"] = {f.key: data[f"patent_{f.key}"] for f in PATENT_FIELDS}
        return changes


def field_name_for_path(path: str, form: forms.BaseForm) -> str | None:
    """The form field for a service error path (``payment.schedule.2.amount_cny`` ->
    ``payment_schedule``), or None for errors of the form as a whole."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        name = "_".join(parts[:end])
        if name in form.fields:
            return name
    return None
