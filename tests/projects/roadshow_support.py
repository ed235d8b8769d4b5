"""Builders for the roadshow tests (helper "roadshow"): a roadshow hosted by a broker's
transfer centre with an agenda of published research results, and confirmed attendees.
Everything goes through the services, as the site does it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace import roles
from projects.models import Registration, Roadshow
from projects.registrations import services as registration_services
from projects.roadshows import services
from tests import factories

OK, BACK = "https://example.com/paid", "https://example.com/back"


def make_roadshow(
    broker: Any, *, projects: int = 3, price: str = "0.00", capacity: int = 100
) -> Roadshow:
    host = roles.primary_organization(broker)
    assert host is not None
    start = timezone.now() + timedelta(days=1)
    roadshow = services.roadshow_create(
        actor=broker,
        host=host,
        title="京津冀科技成果发布推介会",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        capacity=capacity,
        ticket_price_cny=Decimal(price),
    )
    university = factories.OrganizationFactory()
    for _ in range(projects):
        result = factories.ResearchResultFactory(owner=university)
        services.roadshow_slot_add(roadshow=roadshow, actor=broker, research_result=result)
    roadshow.refresh_from_db()
    return roadshow


def register(roadshow: Roadshow, user: Any) -> Registration:
    """A registration of `user` through the service (confirmed at once for a free event)."""
    return registration_services.registration_create(
        roadshow=roadshow, user=user, success_url=OK, cancel_url=BACK
    ).registration


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(name: str, roadshow: Roadshow, **kwargs: Any) -> str:
    return reverse(f"api-roadshow-{name}", kwargs={"pk": roadshow.pk, **kwargs})
