"""A hand-built deal funnel with known dates and amounts (the figures each test expects are
worked out in `test_funnel.py`).

Listings (published): R1 and R2, the two agenda projects of a roadshow (owners P1, P2), and a
technology need N1 of enterprise E2 in 河北; plus a draft result (never published, not counted).

Deals (match requests), times from START (09:00 Beijing time on 2025-06-10):

- D1  E0 asks about R1 at +1h, accepted +2h, 1:1 meeting E0-P1 on R1's slot at +5h, agreement
  drafted +3d, signed +10d, 120,000.00.
- D2  E1 asks about R1 at +3d, accepted +4d, drafted +6d, not signed, no meeting.
- D3  E2 asks about R2 at +1d, declined.
- D4  P1 proposes R1 to N1 (result_to_need, addressee E2) at +2d, accepted +5d, drafted +7d,
  signed +9d for 80,000.50, then amended: the amendment signed +20d for 90,000.00.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from contracts.choices import AgreementStatus, ContractSubtype, ContractType
from contracts.models import Agreement, AgreementVersion
from marketplace import roles
from marketplace.choices import Field, ListingStatus
from matching.models import MatchRequest, MatchRequestDirection, MatchRequestStatus
from projects.meetings import console, scheduling
from projects.meetings import services as meetings
from projects.models import Meeting
from tests import factories
from tests.projects.meeting_support import START, Event, make_event

H = timedelta(hours=1)
D = timedelta(days=1)


@dataclass
class Scenario:
    event: Event
    orgs: dict[str, Any]
    listings: dict[str, Any]
    deals: dict[str, MatchRequest]


def _deal(direction, result, requester, addressee, user, *, created, need=None,
          accepted=None, declined=None):
    deal = MatchRequest.objects.create(
        direction=direction, research_result=result, technology_need=need,
        requester=requester, addressee=addressee, created_by=user, message="希望对接",
    )
    status, decided = MatchRequestStatus.OPEN, None
    if accepted is not None:
        status, decided = MatchRequestStatus.ACCEPTED, START + accepted
    if declined is not None:
        status, decided = MatchRequestStatus.DECLINED, START + declined
    MatchRequest.objects.filter(pk=deal.pk).update(created_at=START + created, status=status,
                                                   decided_at=decided)
    deal.refresh_from_db()
    return deal


# Never exhausted: every build in one test session takes new numbers (6 digits print).
_numbers = itertools.count(1)


def agreement(deal, *, drafted, signed=None, total=None, amends=None):
    row = Agreement.objects.create(
        number=f"KQ-2025-{next(_numbers):06d}", contract_type=ContractType.LICENCE,
        subtype=ContractSubtype.PATENT_LICENCE,
        status=AgreementStatus.SIGNED if signed is not None else AgreementStatus.DRAFT,
        match_request=deal, research_result=deal.research_result, party_a=deal.requester,
        party_b=deal.addressee, created_by=deal.created_by, amends=amends,
        signed_at=START + signed if signed is not None else None,
    )
    version = AgreementVersion.objects.create(
        agreement=row, number=1, author=deal.created_by,
        payment={"total_cny": total} if total is not None else {}, sha256="0" * 64,
    )
    Agreement.objects.filter(pk=row.pk).update(
        created_at=START + drafted, frozen_version=version if signed is not None else None)
    row.refresh_from_db()
    return row


def _meeting(event: Event) -> Meeting:
    """E0's attendee meets P1 about slot 1 in the first slot of a block at START + 5h."""
    roadshow, attendee = event.roadshow, event.attendees[0]
    meetings.meeting_block_create(roadshow=roadshow, actor=event.host_staff,
                                  starts_at=START + 5 * H, ends_at=START + 6 * H, rooms=["T1"])
    request = meetings.meeting_request_create(roadshow=roadshow, slot=event.slots[0],
                                              requester=attendee, reason="洽谈")
    meetings.meeting_request_accept(request=request, actor=event.presenters[0])
    scheduling.meetings_schedule(roadshow=roadshow, actor=event.host_staff)
    console.schedule_publish(roadshow=roadshow, actor=event.host_staff)
    return Meeting.objects.get(request=request)


def build() -> Scenario:
    event = make_event(presenters=2, attendees=3)
    p1, p2 = (roles.primary_organization(u) for u in event.presenters)
    e0, e1, e2 = (roles.primary_organization(u) for u in event.attendees)
    r1, r2 = (s.research_result for s in event.slots)
    n1 = factories.TechnologyNeedFactory(owner=e2, province="河北")
    draft = factories.ResearchResultFactory(owner=p1, status=ListingStatus.DRAFT,
                                            published_at=None)
    type(r1).objects.filter(pk=r1.pk).update(published_at=START - 20 * D)
    type(r2).objects.filter(pk=r2.pk).update(published_at=START - 10 * D,
                                             field=Field.BIOMEDICINE)
    type(n1).objects.filter(pk=n1.pk).update(published_at=START - 5 * D)
    a0, a1, a2 = event.attendees
    researcher = event.presenters[0]
    need_to_result = MatchRequestDirection.NEED_TO_RESULT
    d1 = _deal(need_to_result, r1, e0, p1, a0, created=H, accepted=2 * H)
    d2 = _deal(need_to_result, r1, e1, p1, a1, created=3 * D, accepted=4 * D)
    d3 = _deal(need_to_result, r2, e2, p2, a2, created=D, declined=2 * D)
    d4 = _deal(MatchRequestDirection.RESULT_TO_NEED, r1, p1, e2, researcher, need=n1,
               created=2 * D, accepted=5 * D)
    meeting = _meeting(event)
    assert meeting.starts_at == START + 5 * H
    agreement(d1, drafted=3 * D, signed=10 * D, total="120000.00")
    agreement(d2, drafted=6 * D)
    original = agreement(d4, drafted=7 * D, signed=9 * D, total="80000.50")
    agreement(d4, drafted=15 * D, signed=20 * D, total="90000.00", amends=original)
    assert timezone.is_aware(START)
    return Scenario(
        event=event,
        orgs={"P1": p1, "P2": p2, "E0": e0, "E1": e1, "E2": e2},
        listings={"R1": r1, "R2": r2, "N1": n1, "draft": draft},
        deals={"D1": d1, "D2": d2, "D3": d3, "D4": d4},
    )
