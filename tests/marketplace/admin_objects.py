"""Rows of every kind the admin shows that the demo data (`load_demo`) does not make: match
requests and their thread, questions and intents, 1:1 meetings, payments, the records of
organisations joining, notifications, the search outbox, alerts and the alerts outbox. Written
directly, as the admin only reads them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from marketplace.models import (
    Invitation,
    JoinRequest,
    MembershipEvent,
    Notification,
    OrganizationClaim,
    OrganizationDecision,
    OrganizationEvidence,
    TechnologyNeed,
)
from matching.alerts.models import Alert, AlertOutbox
from matching.models import (
    MatchRequest,
    MatchRequestMediationEvent,
    MatchRequestMessage,
    SearchOutbox,
)
from payments.models import Payment, WebhookEvent
from projects.models import (
    Intent,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    MeetingRequestMediationEvent,
    MeetingSchedulePublication,
    Question,
    Roadshow,
    Unavailability,
)
from tests import factories

TOKEN_DIGEST = "d" * 64


def make_admin_objects(user: Any) -> None:
    """One row of each kind, on the demo roadshow and the demo listings."""
    roadshow = Roadshow.objects.filter(is_demo=True).first()
    assert roadshow is not None
    slot = roadshow.slots.first()
    assert slot is not None
    result = slot.research_result
    assert result is not None
    need = TechnologyNeed.objects.exclude(owner=result.owner).first()
    assert need is not None
    organization = need.owner
    _matching(user, result, need)
    Question.objects.create(slot=slot, author=user, text="中试需要多少资金？")
    Intent.objects.create(roadshow=roadshow, slot=slot, user=user, organization=organization)
    start = roadshow.starts_at
    MeetingBlock.objects.create(
        roadshow=roadshow, starts_at=start, ends_at=start + timedelta(hours=2),
        rooms=["A1", "A2"], created_by=user,
    )
    request = MeetingRequest.objects.create(
        roadshow=roadshow, slot=slot, requester=user, requester_organization=organization,
        presenter_organization=slot.presenter, reason="想了解中试条件", status="scheduled",
        mediated_at=timezone.now(), mediation_reason="unanswered",
    )
    MeetingRequestMediationEvent.objects.create(request=request, action="mediated", actor=user)
    Meeting.objects.create(request=request, roadshow=roadshow, room="A1", starts_at=start,
                           ends_at=start + timedelta(minutes=20))
    MeetingSchedulePublication.objects.create(roadshow=roadshow, published_by=user,
                                              published_at=timezone.now())
    Unavailability.objects.create(roadshow=roadshow, user=user, starts_at=start,
                                  ends_at=start + timedelta(minutes=40))
    payment = Payment.objects.create(
        purpose="registration", reference="registration:1", description="门票",
        amount_cny=Decimal("200.00"), provider="dummy", status="paid", payer=user,
        paid_at=timezone.now(),
    )
    WebhookEvent.objects.create(provider="dummy", event_id="evt_1", type="checkout.completed",
                                payload={}, payment=payment, result="paid")
    _organisations(user, organization)


def _matching(user: Any, result: Any, need: TechnologyNeed) -> None:
    match_request = MatchRequest.objects.create(
        direction="need_to_result", research_result=result, technology_need=need,
        requester=need.owner, addressee=result.owner, created_by=user, message="希望对接",
        status="accepted", decided_by=user, decided_at=timezone.now(), score=0.8,
    )
    MatchRequestMessage.objects.create(match_request=match_request, author=user, body="您好")
    MatchRequestMediationEvent.objects.create(match_request=match_request, action="mediated")
    SearchOutbox.objects.create(kind="result", object_id=result.pk, op="index")
    AlertOutbox.objects.create(kind="need", object_id=need.pk)
    Alert.objects.create(
        recipient=user, kind="need", object_id=need.pk, reason="match",
        source=f"result:{result.pk}", verb="alert.need_for_result",
        params={"listing": need.pk, "kind": "need", "title": need.title, "own": result.title},
    )


def _organisations(user: Any, organization: Any) -> None:
    newcomer = factories.UserFactory()
    JoinRequest.objects.create(user=newcomer, organization=organization, message="请批准")
    upload = {"file": "evidence/licence.pdf", "original_name": "营业执照.pdf",
              "content_type": "application/pdf", "size": 1000}
    OrganizationClaim.objects.create(organization=organization, claimant=newcomer, **upload)
    OrganizationEvidence.objects.create(organization=organization, uploaded_by=user, **upload)
    OrganizationDecision.objects.create(organization=organization, decision="verified",
                                        decided_by=user)
    Invitation.objects.create(
        organization=organization, email="invitee@example.com", token_digest=TOKEN_DIGEST,
        invited_by=user, expires_at=timezone.now() + timedelta(days=7),
    )
    MembershipEvent.objects.create(organization=organization, action="invited", actor=user,
                                   email="invitee@example.com", role="member")
    Notification.objects.create(recipient=user, verb="listing.approved", message="已通过")
