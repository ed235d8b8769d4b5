"""Builders for the live-page tests: a roadshow hosted by a broker's transfer centre with an
agenda of published research results, and confirmed attendees. Everything goes through the
roadshow services, as the site does it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from marketplace import roles
from projects.models import Registration, Roadshow
from projects.registrations import services as registration_services
from projects.roadshows import services
from tests import factories


def roadshow_with_agenda(
    broker: Any,
    *,
    projects: int = 3,
    price: Decimal = Decimal("0.00"),
    stream_embed_url: str = "",
    titles: list[str] | None = None,
) -> Roadshow:
    """A scheduled roadshow hosted by `broker`'s transfer centre, tomorrow, with `projects`
    published research results on its agenda (titles from `titles` when given)."""
    host = roles.primary_organization(broker)
    assert host is not None
    start = timezone.now() + timedelta(days=1)
    roadshow = services.roadshow_create(
        actor=broker,
        host=host,
        title="京津冀科技成果发布推介会",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        capacity=100,
        ticket_price_cny=price,
        venue="北京会议中心",
        stream_embed_url=stream_embed_url,
    )
    university = factories.OrganizationFactory()
    for i in range(projects):
        extra = {"title": titles[i]} if titles else {}
        result = factories.ResearchResultFactory(owner=university, **extra)
        services.roadshow_slot_add(roadshow=roadshow, actor=broker, research_result=result)
    roadshow.refresh_from_db()
    return roadshow


def register(roadshow: Roadshow, user: Any) -> Registration:
    """A confirmed registration of `user` (the roadshow must be free)."""
    outcome = registration_services.registration_create(
        roadshow=roadshow,
        user=user,
        success_url="https://example.com/ok",
        cancel_url="https://example.com/cancel",
    )
    return outcome.registration
