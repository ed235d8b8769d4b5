"""The demo roadshow for `manage.py load_demo`.

`create_demo_roadshow()` makes a free roadshow hosted by the demo broker's transfer centre
(【演示】科桥技术转移中心) whose agenda holds 30 real projects from the bundled data — the first
30 published research results from 京津冀 (Beijing, Tianjin, Hebei) by source id (R0011…R0040
in the bundled data) — presented by their owners in 10-minute slots, with the demo enterprise
user (username ``enterprise``) registered and confirmed. The broker (``broker``) and admin
(``admin``) are host staff and can run it from the control room while ``enterprise`` follows on
the audience page.

Idempotent: the roadshow is found by its title and host; missing slots are appended, the
registration is made only when missing, and its live state is left as it is. When a scheduled
demo's dates have passed (load_demo run again days later), they move to tomorrow so people can
still register.

The stream URL is a demo placeholder on an allowed host (player.bilibili.com); staff replace it
with their own live room's player address.

Must run after `marketplace.demo.load_bundled_listings` and `create_demo_accounts`.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kernel.local_time import BEIJING
from marketplace import roles
from marketplace.choices import ListingStatus
from marketplace.models import Organization, ResearchResult
from projects.choices import AttendeeKind, RegistrationStatus, RoadshowStatus
from projects.models import Registration, Roadshow, RoadshowSlot

HOST = "【演示】科桥技术转移中心"
TITLE = "【演示】京津冀科技成果发布推介会"
TITLE_EN = "[Demo] Beijing–Tianjin–Hebei research results launch"
ATTENDEE_USERNAME = "enterprise"
JINGJINJI = ("北京", "天津", "河北")
SLOT_COUNT = 30
SLOT_MINUTES = 10
# A placeholder: "0" is not a base58 character, so this id can never name a real video.
DEMO_STREAM_URL = "https://player.bilibili.com/player.html?bvid=BV1KQdemo000&autoplay=0"


class DemoDataMissing(Exception):
    """The demo accounts or the bundled listings are not loaded yet."""


def demo_projects() -> list[ResearchResult]:
    """The first 30 published, bundled research results from 京津冀, by source id."""
    return list(
        ResearchResult.objects.filter(
            status=ListingStatus.PUBLISHED, province__in=JINGJINJI, source_id__startswith="R"
        )
        .select_related("owner")
        .order_by("source_id")[:SLOT_COUNT]
    )


def _tomorrow_morning() -> datetime:
    """09:30 Beijing time tomorrow, as aware UTC."""
    day = timezone.now().astimezone(BEIJING).date() + timedelta(days=1)
    return datetime.combine(day, time(9, 30), tzinfo=BEIJING).astimezone(ZoneInfo("UTC"))


@transaction.atomic
def create_demo_roadshow() -> Roadshow:
    """Create (or complete) the demo roadshow; see the module docstring. Raises
    `DemoDataMissing` when the demo host, the enterprise user or 30 京津冀 results are missing."""
    host = Organization.objects.filter(legal_name=HOST).first()
    user = get_user_model().objects.filter(username=ATTENDEE_USERNAME).first()
    if host is None or user is None:
        raise DemoDataMissing("run marketplace.demo.create_demo_accounts first")
    projects = demo_projects()
    if len(projects) < SLOT_COUNT:
        raise DemoDataMissing(f"only {len(projects)} published 京津冀 results; load the data")
    starts_at = _tomorrow_morning()
    duration = timedelta(minutes=SLOT_MINUTES * SLOT_COUNT + 120)  # pitches + matchmaking
    roadshow, created = Roadshow.objects.get_or_create(
        title=TITLE,
        host=host,
        defaults={
            "description": (
                "演示用路演：30 项京津冀真实科技成果依次发布，会后安排一对一洽谈。"
                f"\n{TITLE_EN}: 30 real projects pitched one after another, then 1:1 talks."
            ),
            "venue": "北京市海淀区（演示地址）/ 线上直播",
            "starts_at": starts_at,
            "ends_at": starts_at + duration,
            "capacity": 200,
            "ticket_price_cny": Decimal("0.00"),
            "stream_embed_url": DEMO_STREAM_URL,
            "is_demo": True,
        },
    )
    if (
        not created
        and roadshow.status == RoadshowStatus.SCHEDULED
        and roadshow.ends_at <= timezone.now()
    ):
        roadshow.starts_at, roadshow.ends_at = starts_at, starts_at + duration
        roadshow.save(update_fields=["starts_at", "ends_at", "updated_at"])

    on_agenda = set(
        RoadshowSlot.objects.filter(roadshow=roadshow).values_list("research_result_id", flat=True)
    )
    order = int(
        RoadshowSlot.objects.filter(roadshow=roadshow).aggregate(m=Max("order"))["m"] or 0
    )
    for position, result in enumerate(projects):
        if result.pk in on_agenda:
            continue
        order += 1
        RoadshowSlot.objects.create(
            roadshow=roadshow,
            order=order,
            research_result=result,
            presenter=result.owner,
            planned_start=roadshow.starts_at + timedelta(minutes=SLOT_MINUTES * position),
            minutes=SLOT_MINUTES,
        )

    if not Registration.objects.filter(
        roadshow=roadshow,
        user=user,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_PAYMENT],
    ).exists():
        Registration.objects.create(
            roadshow=roadshow,
            user=user,
            organization=roles.primary_organization(user),
            kind=AttendeeKind.ENTERPRISE_MEMBER,
            status=RegistrationStatus.CONFIRMED,
            confirmed_at=timezone.now(),
        )
    return roadshow
