"""Web pages of organisations: the public page, registering one, asking to join, answering join
requests, claiming one nobody represents yet, evidence (private: uploaded by members, fetched
by members and brokers through `evidence_download`, a claim's by its claimant and brokers
through `claim_evidence_download`, never a static or media URL), the brokers' verification
queue and their queue of claims."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.pages import page_of
from kernel.web import ServiceRun, form_page_status, request_actor, run_service
from marketplace import roles, selectors, services
from marketplace.choices import Field, choice_label
from marketplace.filters import OrganizationDirectoryFilter
from marketplace.models import Organization
from marketplace.organizations import selectors as org_selectors
from marketplace.organizations.forms import (
    ClaimForm,
    EvidenceForm,
    JoinForm,
    OrganizationEditForm,
    OrganizationForm,
    ReasonForm,
)
from marketplace.organizations.storage import download_name
from marketplace.regions import province_label, region_label


def _fields_of(listings: org_selectors.PublicListings) -> list[str]:
    """The technical fields of the organisation's published listings, labelled, each once."""
    codes = {r.field for r in listings.research_results} | {n.field for n in listings.needs}
    return sorted(choice_label(Field, code) for code in codes if code)


ORGANIZATIONS_PER_PAGE = 30


def organization_directory(request: HttpRequest) -> HttpResponse:
    """GET /organizations/: every organisation (they are public), by legal name, narrowed by
    `OrganizationDirectoryFilter` (name, type, verification status, province); 30 a page
    (``?page=``, `kernel.pages.page_of`: a bad number or one below 1 shows the first page, one
    past the end the last). Invalid filters are shown on the form and list nothing.
    How a newcomer finds the organisation to join or claim."""
    filterset = OrganizationDirectoryFilter(
        request.GET or None, queryset=selectors.organization_list().order_by("legal_name", "pk")
    )
    valid = not filterset.is_bound or filterset.is_valid()
    queryset = filterset.qs if valid else Organization.objects.none()
    page = page_of(queryset, ORGANIZATIONS_PER_PAGE, request.GET.get("page"))
    return render(
        request,
        "marketplace/organization_directory.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "total": page.paginator.count,
            "pager_keep": tuple(filterset.form.fields),  # the filters, nothing else
        },
    )


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /organizations/<pk>/: the public page (published listings, verified mark, region,
    fields, the unclaimed mark); contact details under the contact rule; evidence, decisions
    and the buttons for its members, administrators and brokers."""
    organization = selectors.organization_get(pk=pk)
    viewer = request.user
    listings = org_selectors.published_listings(organization=organization)
    member = roles.is_member(viewer, organization)
    broker = roles.is_broker(viewer)
    context = {
        "organization": organization,
        "listings": listings,
        "fields": _fields_of(listings),
        # Without a region code, the stored province in the page's language ("Beijing").
        "region_name": region_label(organization.region_code)
        or province_label(organization.province),
        "unclaimed": selectors.is_unclaimed(organization),
        # The contact rule (ORGANIZATION_CONTACT_FIELDS: e-mail, phone).
        "show_contacts": selectors.can_see_contacts(viewer, organization),
        "member": member,
        "broker": broker,
        "may_manage": roles.may_manage_members(viewer, organization),
        "held_reason": roles.unverified_reason(organization) if member else "",
        "evidence": org_selectors.evidence_list(viewer=viewer, organization=organization),
        "decisions": org_selectors.decisions(viewer=viewer, organization=organization)[:10],
        "pending_join": org_selectors.own_pending_join_request(
            viewer=viewer, organization=organization
        ),
        "pending_claim": org_selectors.own_pending_claim(
            viewer=viewer, organization=organization
        ),
        "evidence_form": EvidenceForm(),
        "join_form": JoinForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "marketplace/organization_detail.html", context)


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    """GET/POST /organizations/new/: register an organisation with its business licence; the
    user becomes its administrator and it waits for a broker."""
    form = OrganizationForm(request.POST or None, request.FILES or None)
    run: ServiceRun[Organization] | None = None
    if request.method == "POST" and form.is_valid():
        user = request_actor(request)
        data = {k: v for k, v in form.cleaned_data.items() if k != "file"}

        def create() -> Organization:
            with transaction.atomic():
                organization = services.organization_create(actor=user, data=data)
                services.organization_evidence_add(
                    organization=organization, actor=user, upload=form.cleaned_data["file"]
                )
                return organization

        run = run_service(request, create, form)
        if run.ok and run.result is not None:
            messages.success(request, _("Registered. A broker will verify your organisation."))
            return redirect("organization-detail", pk=run.result.pk)
    return render(
        request, "marketplace/organization_form.html", {"form": form},
        status=form_page_status(request, run),
    )


@login_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /organizations/<pk>/edit/: change its details (its administrators and
    brokers; 403 for everyone else) through `organization_update`, so a member's change of
    its name, code or type sends a verified organisation back to verification."""
    organization = selectors.organization_get(pk=pk)
    user = request_actor(request)
    if not roles.may_manage_members(user, organization):
        raise PermissionDenied(_("Only the organisation's administrators or brokers can edit it."))
    broker = roles.is_broker(user)
    # The form validates a copy: ModelForm writes its input on its instance, and the service
    # compares the stored details with the new ones.
    form = OrganizationEditForm(
        request.POST or None, instance=selectors.organization_get(pk=pk),
        may_change_kind=broker,
    )
    run = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if broker or k != "kind"}
        verified = organization.verified
        run = run_service(
            request,
            lambda: services.organization_update(organization=organization, actor=user, data=data),
            form,
        )
        if run.ok:
            messages.success(request, _("The details were saved."))
            if verified and not organization.verified:
                messages.info(request, _("The organisation goes back to verification."))
            return redirect("organization-detail", pk=organization.pk)
    context = {"form": form, "organization": organization, "broker": broker}
    return render(
        request, "marketplace/organization_edit.html", context,
        status=form_page_status(request, run),
    )


@require_POST
@login_required
def organization_join(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /organizations/<pk>/join/: ask to join (its administrators answer)."""
    organization = selectors.organization_get(pk=pk)
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The message is too long."))
    else:
        user = request_actor(request)
        run = run_service(
            request,
            lambda: services.join_request_create(
                actor=user, organization=organization, message=form.cleaned_data["message"]
            ),
            permission_as_message=True,
        )
        if run.ok:
            messages.success(request, _("Your request was sent to the organisation."))
    return redirect("organization-detail", pk=organization.pk)


@login_required
def organization_join_requests(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /organizations/<pk>/join-requests/: requests to join (administrators, brokers)."""
    organization = selectors.organization_get(pk=pk)
    if not roles.may_manage_members(request.user, organization):
        raise PermissionDenied
    requests = org_selectors.join_request_list(viewer=request.user, organization=organization)
    return render(
        request,
        "marketplace/join_requests.html",
        {"organization": organization, "join_requests": requests, "reason_form": ReasonForm()},
    )


@require_POST
@login_required
def join_request_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """POST /join-requests/<pk>/approve/ or /reject/ (optional `reason`)."""
    join_request = org_selectors.join_request_get(viewer=request.user, pk=pk)
    user = request_actor(request)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if decision == "approve":
        run = run_service(
            request, lambda: services.join_request_approve(join_request=join_request, actor=user)
        )
    elif decision == "reject":
        run = run_service(
            request,
            lambda: services.join_request_reject(
                join_request=join_request, actor=user, reason=reason
            ),
        )
    else:
        raise Http404
    if run.ok:
        messages.success(request, _("Answered: %(user)s") % {
            "user": join_request.user.get_username()
        })
    return redirect("organization-join-requests", pk=join_request.organization_id)


@require_POST
@login_required
def organization_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """POST /organizations/<pk>/verify/ or /reject/ (with `reason`): brokers only."""
    roles.require_broker(request.user, _("Only brokers can verify organisations."))
    organization = selectors.organization_get(pk=pk)
    user = request_actor(request)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if decision == "verify":
        run = run_service(
            request, lambda: services.organization_verify(organization=organization, actor=user)
        )
    elif decision == "reject":
        run = run_service(
            request,
            lambda: services.organization_reject(
                organization=organization, actor=user, reason=reason
            ),
        )
    else:
        raise Http404
    if run.ok:
        messages.success(request, _("Decision recorded: %(name)s") % {
            "name": organization.legal_name
        })
    return redirect("organization-detail", pk=organization.pk)


@require_POST
@login_required
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /organizations/<pk>/evidence/: add a business licence (members, brokers)."""
    organization = selectors.organization_get(pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        user = request_actor(request)
        run = run_service(
            request,
            lambda: services.organization_evidence_add(
                organization=organization, actor=user, upload=form.cleaned_data["file"]
            ),
        )
        if run.ok:
            messages.success(request, _("The file was added."))
    return redirect("organization-detail", pk=organization.pk)


def _private_file(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A private file sent as an attachment, never rendered inline nor cached, named after
    its checked content type (`storage.download_name`)."""
    response = FileResponse(
        file.open("rb"), as_attachment=True,
        filename=download_name(filename, content_type), content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """GET /organizations/evidence/<pk>/: one evidence file, for the organisation's members and
    brokers (404 for everyone else); sent as an attachment, never rendered inline."""
    evidence = org_selectors.evidence_get(viewer=request.user, pk=pk)
    return _private_file(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
def claim_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """GET /organizations/claims/<pk>/evidence/: a claim's evidence, for its claimant and
    brokers (404 for everyone else)."""
    claim = org_selectors.claim_get(viewer=request.user, pk=pk)
    return _private_file(claim.file, filename=claim.original_name, content_type=claim.content_type)


@login_required
def organization_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /organizations/<pk>/claim/: claim an organisation nobody represents yet, with
    evidence; a broker checks it."""
    organization = selectors.organization_get(pk=pk)
    form = ClaimForm(request.POST or None, request.FILES or None)
    run = None
    if request.method == "POST" and form.is_valid():
        user = request_actor(request)
        run = run_service(
            request,
            lambda: services.claim_create(
                actor=user, organization=organization, upload=form.cleaned_data["file"],
                message=form.cleaned_data["message"],
            ),
            form,
            permission_as_message=True,
        )
        if run.ok:
            messages.success(request, _("Your claim was sent. A broker will check your evidence."))
            return redirect("organization-detail", pk=organization.pk)
    context = {
        "organization": organization,
        "form": form,
        "unclaimed": selectors.is_unclaimed(organization),
        "pending_claim": org_selectors.own_pending_claim(
            viewer=request.user, organization=organization
        ),
    }
    return render(
        request, "marketplace/claim_form.html", context, status=form_page_status(request, run)
    )


@login_required
def claim_queue(request: HttpRequest) -> HttpResponse:
    """GET /organizations/claims/: open claims, oldest first (brokers)."""
    roles.require_broker(request.user, _("Only brokers answer claims of organisations."))
    queue = org_selectors.claim_queue(viewer=request.user)
    return render(request, "marketplace/claim_queue.html", {"claims": queue})


@require_POST
@login_required
def claim_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """POST /organizations/claims/<pk>/approve/ or /reject/ (with `reason`): brokers only."""
    roles.require_broker(request.user, _("Only brokers can answer claims of organisations."))
    claim = org_selectors.claim_get(viewer=request.user, pk=pk)
    user = request_actor(request)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if decision == "approve":
        run = run_service(request, lambda: services.claim_approve(claim=claim, actor=user))
    elif decision == "reject":
        run = run_service(
            request, lambda: services.claim_reject(claim=claim, actor=user, reason=reason)
        )
    else:
        raise Http404
    if run.ok:
        messages.success(request, _("Decision recorded: %(name)s") % {
            "name": claim.organization.legal_name
        })
    return redirect("organization-claim-queue")


@login_required
def verification_queue(request: HttpRequest) -> HttpResponse:
    """GET /organizations/review/: organisations waiting for verification (brokers)."""
    roles.require_broker(request.user, _("Only brokers verify organisations."))
    queue = org_selectors.verification_queue(viewer=request.user)
    return render(request, "marketplace/verification_queue.html", {"organizations": queue})
