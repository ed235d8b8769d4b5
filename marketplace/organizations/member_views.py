"""Web pages of an organisation's members: the members page (members and their roles, the
invitation form, pending invitations, role changes, removal and leaving, the audit trail) and
the page an invitation's e-mailed link opens (accept, or sign in or sign up first), and
accepting one of the invitations to the account's own address listed on the dashboard."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.api.throttling import throttle_web
from kernel.errors import ConflictError, GoneError
from kernel.web import request_actor, run_service
from marketplace import roles, selectors, services
from marketplace.organizations import member_selectors
from marketplace.organizations.forms import InvitationForm, MemberRoleForm
from marketplace.services.members import member_role, refusal, same_address

#: How many audit entries the members page shows (the API pages through all of them).
EVENTS_SHOWN = 50


@login_required
def organization_members(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /organizations/<pk>/members/: its members (its members and brokers); invitations,
    role changes, removal and the audit trail for its administrators and brokers."""
    organization = selectors.organization_get(pk=pk)
    viewer = request.user
    if not member_selectors.may_see_members(viewer, organization):
        raise PermissionDenied
    may_manage = roles.may_manage_members(viewer, organization)
    members = [
        (membership, member_role(membership))
        for membership in member_selectors.member_list(viewer=viewer, organization=organization)
    ]
    administrators = [membership for membership, _role in members if membership.is_administrator]
    context = {
        "organization": organization,
        "members": members,
        # The only administrator may neither step down nor leave (the service refuses, 409):
        # the page offers neither.
        "sole_administrator_id": administrators[0].pk if len(administrators) == 1 else None,
        "may_manage": may_manage,
        "invite_form": InvitationForm(),
        "role_form": MemberRoleForm(),
        "invitations": (
            member_selectors.invitation_list(viewer=viewer, organization=organization)
            if may_manage else []
        ),
        "events": (
            member_selectors.membership_events(viewer=viewer, organization=organization)[
                :EVENTS_SHOWN
            ]
            if may_manage else []
        ),
    }
    return render(request, "marketplace/members.html", context)


@require_POST
@login_required
@throttle_web("invitation")
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /organizations/<pk>/invitations/: invite an address (administrators, brokers)."""
    organization = selectors.organization_get(pk=pk)
    if not roles.may_manage_members(request.user, organization):
        raise PermissionDenied
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
    else:
        user = request_actor(request)
        run = run_service(
            request,
            lambda: services.invitation_create(
                actor=user, organization=organization, email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            ),
        )
        if run.ok:
            messages.success(request, _("Invitation sent to %(email)s.") % {
                "email": form.cleaned_data["email"]
            })
    return redirect("organization-members", pk=organization.pk)


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """POST /organizations/<pk>/invitations/<invitation_pk>/revoke/."""
    organization = selectors.organization_get(pk=pk)
    user = request_actor(request)
    run = run_service(
        request,
        lambda: services.invitation_revoke(
            actor=user,
            invitation=member_selectors.invitation_get(
                viewer=user, organization=organization, pk=invitation_pk
            ),
        ),
    )
    if run.ok:
        messages.success(request, _("The invitation was revoked."))
    return redirect("organization-members", pk=organization.pk)


@require_POST
@login_required
def member_set_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """POST /organizations/<pk>/members/<membership_pk>/role/ (``role``)."""
    organization = selectors.organization_get(pk=pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose administrator or member."))
        return redirect("organization-members", pk=organization.pk)
    user = request_actor(request)
    run = run_service(
        request,
        lambda: services.member_set_role(
            actor=user,
            membership=member_selectors.membership_get(
                viewer=user, organization=organization, pk=membership_pk
            ),
            role=form.cleaned_data["role"],
        ),
    )
    if run.ok:
        messages.success(request, _("The role was changed."))
    return redirect("organization-members", pk=organization.pk)


@require_POST
@login_required
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """POST /organizations/<pk>/members/<membership_pk>/remove/: remove a member, or leave."""
    organization = selectors.organization_get(pk=pk)
    user = request_actor(request)
    if not member_selectors.may_see_members(user, organization):
        raise PermissionDenied
    membership = member_selectors.membership_get(
        viewer=user, organization=organization, pk=membership_pk
    )
    leaving = membership.user_id == user.pk
    run = run_service(
        request, lambda: services.member_remove(actor=user, membership=membership)
    )
    if not run.ok:
        return redirect("organization-members", pk=organization.pk)
    if leaving:
        messages.success(request, _("You left %(name)s.") % {"name": organization.legal_name})
        return redirect("organization-detail", pk=organization.pk)
    messages.success(request, _("The member was removed."))
    return redirect("organization-members", pk=organization.pk)


def _with_next(route: str, next_url: str, **query: str) -> str:
    return f"{reverse(route)}?{urlencode({'next': next_url, **query})}"


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """GET /invitations/<token>/: what the invitation offers, and a button to accept it (a POST:
    mail scanners that open links accept nothing). Anonymous visitors are sent to log in or
    sign up and back here. A used, expired or revoked link answers 410 with the reason."""
    invitation = member_selectors.invitation_by_token(token)
    here = reverse("invitation-accept", args=[token])
    status = 200
    if request.method == "POST" and refusal(invitation) is None:
        if not request.user.is_authenticated:
            return redirect(_with_next("login", here))
        user = request_actor(request)
        run = run_service(
            request,
            lambda: services.invitation_accept(actor=user, invitation=invitation),
            permission_as_message=True,
        )
        if run.ok:
            messages.success(request, _("Welcome to %(name)s.") % {
                "name": invitation.organization.legal_name
            })
            return redirect("organization-members", pk=invitation.organization_id)
        invitation.refresh_from_db()
        status = 409 if isinstance(run.error, ConflictError) else 403
    gone: GoneError | None = refusal(invitation)
    viewer_email = getattr(request.user, "email", "") or ""
    context = {
        "invitation": invitation,
        "gone": gone.message if gone else "",
        "other_address": request.user.is_authenticated
        and not same_address(viewer_email, invitation.email),
        "login_url": _with_next("login", here),
        # allauth's sign-up page fills in the address given as ``email``.
        "signup_url": _with_next("signup", here, email=invitation.email),
    }
    return render(
        request, "marketplace/invitation_accept.html", context, status=410 if gone else status
    )


@require_POST
@login_required
def invitation_accept_own(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /invitations/mine/<pk>/accept/: accept an invitation to the account's own address
    (`member_selectors.invitations_for`, listed on the dashboard): for the invitee who signed
    up from the link and came back through the log-in page instead of the link."""
    user = request_actor(request)
    invitation = member_selectors.invitation_for(viewer=user, pk=pk)
    run = run_service(
        request,
        lambda: services.invitation_accept(actor=user, invitation=invitation),
        permission_as_message=True,
    )
    if not run.ok:
        return redirect("dashboard")
    messages.success(request, _("Welcome to %(name)s.") % {
        "name": invitation.organization.legal_name
    })
    return redirect("organization-members", pk=invitation.organization_id)
