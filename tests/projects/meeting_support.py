"""Builders shared by the meeting, report and check-in tests: a roadshow with a host broker,
two presenting organisations with a slot each and confirmed attendees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from marketplace import roles
from marketplace.choices import OrganizationKind
from projects.choices import AttendeeKind, RegistrationStatus
from projects.models import Registration, Roadshow, RoadshowSlot
from tests import factories

START = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)  # 09:00 Beijing time


@dataclass
class Event:
    roadshow: Roadshow
    host_staff: Any
    presenters: list[Any]  # one member per presenting organisation
    slots: list[RoadshowSlot]
    attendees: list[Any]
    registrations: list[Registration]


def register(roadshow: Roadshow, user: Any, status: str = RegistrationStatus.CONFIRMED
             ) -> Registration:
    return Registration.objects.create(
        roadshow=roadshow, user=user, organization=roles.primary_organization(user),
        kind=AttendeeKind.ENTERPRISE_MEMBER, status=status,
    )


def make_event(*, presenters: int = 2, attendees: int = 3) -> Event:
    host_staff = factories.broker()
    host = roles.primary_organization(host_staff)
    roadshow = Roadshow.objects.create(
        title="京津冀成果发布推介会", host=host, venue="衡水 会议中心", starts_at=START,
        ends_at=START + timedelta(hours=8), capacity=200,
    )
    presenter_users, slots = [], []
    for i in range(presenters):
        user = factories.researcher()
        org = roles.primary_organization(user)
        result = factories.ResearchResultFactory(owner=org)
        slots.append(RoadshowSlot.objects.create(
            roadshow=roadshow, order=i + 1, research_result=result, presenter=org,
            planned_start=START + timedelta(minutes=10 * i), minutes=10,
        ))
        presenter_users.append(user)
    attendee_users = [factories.member("enterprise_member", OrganizationKind.ENTERPRISE)
                      for _ in range(attendees)]
    regs = [register(roadshow, u) for u in attendee_users]
    return Event(roadshow, host_staff, presenter_users, slots, attendee_users, regs)
