"""The demo roadshow of `manage.py load_demo`: 30 real 京津冀 projects, idempotent."""

from __future__ import annotations

import pytest

from marketplace import demo as marketplace_demo
from projects import permissions
from projects.demo import DEMO_STREAM_URL, HOST, create_demo_roadshow
from projects.models import Registration, Roadshow, RoadshowSlot, validate_stream_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data():
    marketplace_demo.load_bundled_listings()
    marketplace_demo.create_demo_accounts()


def test_demo_roadshow_has_30_real_projects_and_the_enterprise_registered(demo_data):
    roadshow = create_demo_roadshow()
    assert roadshow.host.legal_name == HOST and roadshow.is_free and roadshow.is_demo
    slots = list(roadshow.slots.order_by("order").select_related("research_result"))
    assert len(slots) == 30
    results = [s.research_result for s in slots]
    assert all(r is not None and r.province in ("北京", "天津", "河北") for r in results)
    assert all(r.source_id and not r.source_id.startswith("DEMO") for r in results)
    assert [r.source_id for r in results] == sorted(r.source_id for r in results)
    assert [s.presenter_id for s in slots] == [r.owner_id for r in results]
    registration = Registration.objects.get(roadshow=roadshow, user__username="enterprise")
    assert registration.status == "confirmed"
    validate_stream_url(DEMO_STREAM_URL)
    from django.contrib.auth import get_user_model

    broker = get_user_model().objects.get(username="broker")
    assert permissions.is_host_staff(user=broker, roadshow=roadshow)


def test_demo_roadshow_is_idempotent(demo_data):
    first = create_demo_roadshow()
    second = create_demo_roadshow()
    assert first.pk == second.pk
    assert Roadshow.objects.count() == 1
    assert RoadshowSlot.objects.count() == 30
    assert Registration.objects.count() == 1
