"""Web pages of agreements, one per step: list, draft from a match request, detail (terms,
versions, approvals, signatures, audit trail), edit terms, a version with its diff, the
registration check, signing, the sealed PDF download, amendment.

Views are thin: forms validate input, services act, selectors read (invisible agreements are
404). Service errors are shown per field or as messages; permission errors are 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import selectors, services
from contracts.apis import pdf_response, preview_response, signing_state
from contracts.checks import check_agreement
from contracts.choices import AgreementStatus, ContractSubtype, ContractType, zh_label
from contracts.clauses import PATENT_FIELDS, template_for
from contracts.forms import (
    AgreementCreateForm,
    AgreementEditForm,
    ReopenForm,
    SignForm,
    field_name_for_path,
)
from contracts.models import Agreement
from contracts.services.audit import client_info
from contracts.services.sealing import is_seal_pending
from contracts.services.signing import name_on_record
from kernel.api.throttling import throttle_web
from kernel.errors import DomainError
from kernel.ids import id_from_text
from kernel.web import (
    ServiceRun,
    form_page_status,
    request_actor,
    run_service,
    show_domain_error,
)
from marketplace import roles
from matching.match_requests import selectors as match_selectors

if TYPE_CHECKING:
    from django.forms import BaseForm

ResultT = TypeVar("ResultT")


def _run(
    request: HttpRequest, call: Callable[[], ResultT], form: BaseForm | None = None
) -> ServiceRun[ResultT]:
    """`run_service` with the agreement forms' field names for the services' error paths."""
    return run_service(request, call, form, field_for=field_name_for_path)


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = selectors.agreement_list(viewer=request.user)[:200]
    return render(request, "contracts/agreement_list.html", {"agreements": agreements})


@login_required
def agreement_create(request: HttpRequest, match_request_pk: int) -> HttpResponse:
    match_request = match_selectors.match_request_get(viewer=request.user, pk=match_request_pk)
    existing = selectors.agreement_for_match_request(
        viewer=request.user, match_request_id=match_request.pk
    )
    if existing is not None:
        # One agreement per match request: the request page's "Draft an agreement" link leads
        # to the agreement once it exists (matching does not know about contracts).
        messages.info(
            request,
            _("An agreement already exists for this match request: %(number)s.")
            % {"number": existing.number},
        )
        return redirect("agreement-detail", pk=existing.pk)
    form = AgreementCreateForm(request.POST or None)
    run = None
    if request.method == "POST" and form.is_valid():
        run = _run(request, lambda: services.agreement_create_from_match_request(
            match_request=match_request,
            actor=request_actor(request),
            client=client_info(request),
            contract_type=form.cleaned_data["contract_type"] or None,
            subtype=form.cleaned_data["subtype"] or None,
        ), form)
        if run.result is not None:
            messages.success(request, _("The draft agreement was created."))
            return redirect("agreement-detail", pk=run.result.pk)
    suggested = services.infer_contract_type(match_request)
    return render(
        request,
        "contracts/agreement_create.html",
        {
            "form": form,
            "mr": match_request,
            "suggested_type": ContractType(suggested[0]).label,
            "suggested_subtype": ContractSubtype(suggested[1]).label,
        },
        status=form_page_status(request, run),
    )


def _clause_rows(agreement: Agreement, clauses: dict[str, Any]) -> list[dict[str, Any]]:
    template = template_for(agreement.contract_type, agreement.subtype)
    language = get_language()
    return [
        {
            "number": index,
            "title": clause.title(language),
            "title_zh": clause.title_zh,
            "source": clause.source,
            "text": clauses.get(clause.key, ""),
        }
        for index, clause in enumerate(template.clauses, start=1)
    ]


def _patent_rows(agreement: Agreement, patent: dict[str, Any]) -> list[dict[str, Any]]:
    if not template_for(agreement.contract_type, agreement.subtype).patent_subject:
        return []
    language = get_language()
    return [{"title": f.title(language), "value": patent.get(f.key, "")} for f in PATENT_FIELDS]


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    version = agreement.frozen_version or agreement.latest_version()
    assert version is not None
    parties = selectors.parties_of(agreement, request.user)
    approved = set(version.approvals.values_list("party", flat=True))
    notes = selectors.agreement_version_notes(agreement=agreement)
    versions = [
        (v, notes.get(v.number, "")) for v in selectors.agreement_versions(agreement=agreement)
    ]
    draft = agreement.status == AgreementStatus.DRAFT
    # Approval is refused while the registration check finds blocking errors: list them here.
    blocking = check_agreement(agreement=agreement, version=version).errors if draft else []
    context = {
        "agreement": agreement,
        "version": version,
        "versions": versions,
        "clauses": _clause_rows(agreement, version.clauses),
        "patent": _patent_rows(agreement, version.patent),
        "payment": version.payment,
        "payment_method_zh": zh_label(version.payment.get("method", "")),
        "royalty_base_zh": zh_label((version.payment.get("royalty") or {}).get("base", "")),
        "signing_order": selectors.signing_order_display(version.signing),
        "approved": sorted(approved),
        "signatures": list(selectors.agreement_signatures(agreement=agreement)),
        "events": list(selectors.agreement_events(agreement=agreement)),
        "is_party": bool(parties),
        "can_edit": bool(parties) and agreement.status == AgreementStatus.DRAFT,
        "can_approve": draft and any(p not in approved for p in parties),
        "blocking": blocking,
        "can_reopen": bool(parties)
        and agreement.status in (AgreementStatus.APPROVED, AgreementStatus.SIGNING),
        "reopen_form": ReopenForm(),
        "seal_pending": is_seal_pending(agreement),
        "can_sign": agreement.status in (AgreementStatus.APPROVED, AgreementStatus.SIGNING)
        and selectors.next_signature_for(agreement, request.user) is not None,
        "can_amend": bool(parties) and agreement.status == AgreementStatus.SIGNED,
        "can_check": bool(parties) or roles.is_broker(request.user),
        "amendments": list(agreement.amendments.all()),
    }
    return render(request, "contracts/agreement_detail.html", context)


@login_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    version = agreement.latest_version()
    assert version is not None
    if not selectors.parties_of(agreement, request.user):
        raise PermissionDenied
    if agreement.status != AgreementStatus.DRAFT:
        messages.error(request, _("This agreement is frozen and cannot be changed."))
        return redirect("agreement-detail", pk=agreement.pk)
    form = AgreementEditForm(request.POST or None, agreement=agreement, version=version)
    run = None
    if request.method == "POST" and form.is_valid():
        run = _run(request, lambda: services.agreement_version_create(
            agreement=agreement,
            actor=request_actor(request),
            client=client_info(request),
            changes=form.changes(),
            note=form.cleaned_data["note"],
            base_version=form.cleaned_data["base_version"],
        ), form)
        if run.result is not None:
            new = run.result
            messages.success(request, _("Version v%(n)d was saved.") % {"n": new.number})
            return redirect("agreement-version", pk=agreement.pk, number=new.number)
    return render(
        request,
        "contracts/agreement_edit.html",
        {"agreement": agreement, "version": version, "form": form},
        status=form_page_status(request, run),
    )


#: Diff sections compared as "key: value" lines (shown with labels, not raw keys).
_STRUCTURED_SECTIONS = frozenset({"parties.a", "parties.b", "payment", "validity", "signing"})


@login_required
def agreement_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    version = selectors.agreement_version_get(agreement=agreement, number=number)
    language = get_language()
    diff = [
        {
            "title": section.title(language),
            "ops": (
                [(op, selectors.term_line_display(text, language)) for op, text in section.ops]
                if section.key in _STRUCTURED_SECTIONS
                else section.ops
            ),
            "key": section.key,
        }
        for section in selectors.agreement_version_diff(version=version)
    ]
    return render(
        request,
        "contracts/agreement_version.html",
        {
            "agreement": agreement,
            "version": version,
            "note": selectors.agreement_version_notes(agreement=agreement).get(version.number, ""),
            "diff": diff,
            "clauses": _clause_rows(agreement, version.clauses),
        },
    )


@login_required
@require_POST
def agreement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    raw_version = request.POST.get("version") or ""
    # The version the page showed. Without one the latest is approved; one that names no
    # version (text, 0, a number past any id) is a stale version.
    version_number = (id_from_text(raw_version) or 0) if raw_version else None
    approved = _run(request, lambda: services.agreement_approve(
        agreement=agreement,
        actor=request_actor(request),
        client=client_info(request),
        version_number=version_number,
    ))
    if approved.error is not None:
        for field_messages in approved.error.fields.values():
            for message in field_messages:
                messages.error(request, str(message))
    else:
        if agreement.status == AgreementStatus.APPROVED:
            messages.success(request, _("Both parties approved: the agreement is frozen."))
        else:
            messages.success(request, _("You approved this version."))
    return redirect("agreement-detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
        return redirect("agreement-detail", pk=agreement.pk)
    version = _run(request, lambda: services.agreement_reopen(
        agreement=agreement,
        actor=request_actor(request),
        client=client_info(request),
        reason=form.cleaned_data["reason"],
    )).result
    if version is not None:
        messages.success(
            request,
            _("The agreement is a draft again: v%(n)d needs both parties' approval.")
            % {"n": version.number},
        )
    return redirect("agreement-detail", pk=agreement.pk)


@login_required
def agreement_check(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the check without recording it; POST runs it and records it in the audit
    trail."""
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    if request.method == "POST":
        checked = _run(request, lambda: services.agreement_check(
            agreement=agreement, actor=request_actor(request), client=client_info(request)
        )).result
        if checked is None:
            return redirect("agreement-detail", pk=agreement.pk)
        report = checked
    else:
        report = check_agreement(agreement=agreement)
    return render(
        request, "contracts/agreement_check.html", {"agreement": agreement, "report": report}
    )


def _needs_name_on_record(request: HttpRequest, agreement: Agreement) -> bool:
    """True when it is the viewer's turn to sign but they have no name on record to type."""
    if agreement.status not in (AgreementStatus.APPROVED, AgreementStatus.SIGNING):
        return False
    slot = selectors.next_signature_for(agreement, request.user)
    return (
        slot is not None
        and selectors.is_turn(agreement, slot)
        and not name_on_record(request_actor(request))
    )


@login_required
@throttle_web("sign")
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    if _needs_name_on_record(request, agreement):
        # The typed name must be the name on record: the signer sets it first, then returns.
        messages.info(request, _("Set your name on record before signing: you type it to sign."))
        target = reverse("agreement-sign", kwargs={"pk": agreement.pk})
        return redirect(f"{reverse('account-name')}?{urlencode({'next': target})}")
    form = SignForm(
        request.POST or None, initial={"document_sha256": agreement.document_sha256}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_sign(
                agreement=agreement,
                actor=request_actor(request),
                client=client_info(request),
                password=form.cleaned_data["password"],
                typed_name=form.cleaned_data["typed_name"],
                document_sha256=form.cleaned_data["document_sha256"],
                preview_sha256=form.cleaned_data["preview_sha256"],
            )
        except DomainError as exc:
            # Unlike `run_service`, the form is chosen by the error: a wrong password or typed
            # name is shown on the form again, anything else as a message on a fresh page.
            on_form = "password" in exc.fields or "typed_name" in exc.fields
            show_domain_error(
                request, exc, form if on_form else None, field_for=field_name_for_path
            )
            if not on_form:
                return redirect("agreement-sign", pk=agreement.pk)
        else:
            return _signed(request, agreement)
    state = signing_state(agreement, request.user)
    if not form.is_bound:
        form.initial["preview_sha256"] = state["preview_sha256"]
    return render(
        request,
        "contracts/agreement_sign.html",
        {"agreement": agreement, "form": form, "state": state},
        status=form_page_status(request),  # a wrong password or typed name
    )


def _signed(request: HttpRequest, agreement: Agreement) -> HttpResponse:
    agreement.refresh_from_db()
    if agreement.status == AgreementStatus.SIGNED and agreement.sealed_at is not None:
        messages.success(request, _("Signed by both parties; the sealed PDF is ready."))
    elif agreement.status == AgreementStatus.SIGNED:
        messages.warning(
            request,
            _("Signed by both parties. The sealed PDF is not ready yet; it is retried "
              "automatically."),
        )
    else:
        messages.success(request, _("You signed the agreement."))
    return redirect("agreement-detail", pk=agreement.pk)


@login_required
def agreement_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The signing preview PDF of the frozen version, shown in the browser."""
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    response = _run(request, lambda: preview_response(agreement)).result
    if response is None:
        return redirect("agreement-detail", pk=agreement.pk)
    return response


@login_required
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(viewer=request.user, pk=pk, with_pdf=True)
    response = _run(request, lambda: pdf_response(agreement, request)).result
    if response is None:
        return redirect("agreement-detail", pk=agreement.pk)
    return response


@login_required
@require_POST
def agreement_amend(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.agreement_get(viewer=request.user, pk=pk)
    amendment = _run(request, lambda: services.agreement_amend(
        agreement=agreement, actor=request_actor(request), client=client_info(request)
    )).result
    if amendment is None:
        return redirect("agreement-detail", pk=agreement.pk)
    messages.success(request, _("An amendment was started as a new draft agreement."))
    return redirect("agreement-detail", pk=amendment.pk)
