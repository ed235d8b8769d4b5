"""The roadshow set-up pages (host staff): create and edit with the stream preview, the agenda
(search and add, remove, reorder, a slot's presenter, start and minutes), the XLSX import with
its row report and template, publishing. Permissions, bad input (400 with errors per field in
both languages, nothing written) and the draft's visibility."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from marketplace import roles
from marketplace.choices import ListingStatus
from projects.choices import RoadshowStatus
from projects.models import Roadshow, RoadshowSlot
from tests import factories
from tests.projects.roadshows.test_drafts import make_draft

pytestmark = pytest.mark.django_db

STREAM = "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"


def event_form(host_id: int | None = None, **extra: str) -> dict[str, str]:
    year = timezone.now().year + 1
    data = {
        "title": "京津冀新材料成果发布会", "description": "十个新材料项目路演",
        "starts_at": f"{year}-05-01T09:00", "ends_at": f"{year}-05-01T12:00",
        "venue": "天津滨海会议中心", "capacity": "80", "ticket_price_cny": "0",
        "stream_embed_url": STREAM, **extra,
    }
    if host_id is not None:
        data["host"] = str(host_id)
    return data


def test_setup_pages_need_host_staff(broker, enterprise_user, client):
    draft = make_draft(broker)
    pages = [reverse("roadshow-new"), reverse("roadshow-edit", args=[draft.pk]),
             reverse("roadshow-agenda", args=[draft.pk]),
             reverse("roadshow-agenda-import", args=[draft.pk]),
             reverse("roadshow-agenda-template", args=[draft.pk])]
    for page in pages:
        assert client.get(page).status_code == 302  # to the login page
        assert factories.login(enterprise_user).get(page).status_code in (403, 404)
    published = make_draft(broker)
    Roadshow.objects.filter(pk=published.pk).update(status=RoadshowStatus.SCHEDULED)
    other = factories.login(factories.broker())
    for name in ("roadshow-edit", "roadshow-agenda", "roadshow-agenda-import"):
        assert other.get(reverse(name, args=[published.pk])).status_code == 403
    assert other.post(reverse("roadshow-publish", args=[draft.pk])).status_code == 404
    assert factories.login(enterprise_user).get(reverse("roadshow-new")).status_code == 403


def test_a_broker_creates_a_draft_in_beijing_time(broker):
    host = roles.primary_organization(broker)
    web = factories.login(broker)
    page = web.get(reverse("roadshow-list")).content.decode()
    assert reverse("roadshow-new") in page
    response = web.post(reverse("roadshow-new"), event_form(host.pk))
    roadshow = Roadshow.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("roadshow-agenda", args=[roadshow.pk])
    assert roadshow.status == RoadshowStatus.DRAFT and roadshow.host == host
    year = timezone.now().year + 1
    assert roadshow.starts_at == datetime(year, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 UTC+8
    edit = web.get(reverse("roadshow-edit", args=[roadshow.pk])).content.decode()
    assert f'value="{year}-05-01T09:00"' in edit


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "The end must be after the start."), ("zh-hans", "结束时间必须晚于开始时间")],
)
def test_bad_event_input_is_shown_per_field_in_both_languages(
    broker, language, expected, settings
):
    host = roles.primary_organization(broker)
    web = factories.login(broker)
    web.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = web.post(
        reverse("roadshow-new"),
        event_form(host.pk, ends_at=f"{timezone.now().year + 1}-05-01T08:00",
                   stream_embed_url="http://evil.example/x", capacity="0"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"ends_at", "stream_embed_url", "capacity"}
    assert expected in response.content.decode()
    assert not Roadshow.objects.exists()


def test_the_stream_preview_shows_the_audience_player_and_saves_nothing(broker):
    host = roles.primary_organization(broker)
    web = factories.login(broker)
    response = web.post(reverse("roadshow-new"), {**event_form(host.pk), "preview": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and not Roadshow.objects.exists()
    assert f'<iframe src="{STREAM.replace("&", "&amp;")}"' in body
    assert "data-player-state=\"failed\"" in body  # the audience page's fallback
    without = web.post(reverse("roadshow-new"),
                       {**event_form(host.pk, stream_embed_url=""), "preview": "1"})
    assert "<iframe" not in without.content.decode()


def test_editing_a_roadshow(broker):
    draft = make_draft(broker)
    web = factories.login(broker)
    response = web.post(reverse("roadshow-edit", args=[draft.pk]),
                        event_form(title="改名后的推介会", capacity="30"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "改名后的推介会" and draft.capacity == 30
    assert draft.status == RoadshowStatus.DRAFT
    bad = web.post(reverse("roadshow-edit", args=[draft.pk]), event_form(title=""))
    assert bad.status_code == 400 and "title" in bad.context["form"].errors
    draft.refresh_from_db()
    assert draft.title == "改名后的推介会"


def test_search_and_add_listings(broker):
    draft = make_draft(broker, projects=0)
    owner = factories.OrganizationFactory()
    result = factories.ResearchResultFactory(owner=owner, title="高温超导带材制备工艺")
    need = factories.TechnologyNeedFactory(owner=owner, title="超导磁体冷却需求")
    hidden = factories.ResearchResultFactory(owner=owner, title="超导未发布成果",
                                             status=ListingStatus.DRAFT)
    web = factories.login(broker)
    page = web.get(reverse("roadshow-agenda", args=[draft.pk]), {"q": "超导"})
    results = page.context["search_results"]
    assert {(k, item.pk) for k, item in results} == {("result", result.pk), ("need", need.pk)}
    assert hidden.title not in page.content.decode()
    add = reverse("roadshow-agenda-add", args=[draft.pk])
    assert web.post(add, {"listing": f"result:{result.pk}"}).status_code == 302
    assert web.post(add, {"listing": f"need:{need.pk}"}).status_code == 302
    again = web.post(add, {"listing": f"result:{result.pk}"})
    assert again.status_code == 400
    for bad in (f"result:{hidden.pk}", "result:999999", "nonsense"):
        assert web.post(add, {"listing": bad}).status_code == 400
    assert list(RoadshowSlot.objects.filter(roadshow=draft).order_by("order").values_list(
        "research_result_id", "technology_need_id")) == [(result.pk, None), (None, need.pk)]
    page = web.get(reverse("roadshow-agenda", args=[draft.pk]), {"q": "超导"})
    assert page.context["search_results"] == []  # already on the agenda


def _order(roadshow: Roadshow) -> list[int]:
    return list(RoadshowSlot.objects.filter(roadshow=roadshow).order_by("order").values_list(
        "pk", flat=True))


def test_reorder_by_buttons_or_whole_order_and_remove(broker):
    draft = make_draft(broker, projects=3)
    a, b, c = _order(draft)
    web = factories.login(broker)
    reorder = reverse("roadshow-agenda-reorder", args=[draft.pk])
    assert web.post(reorder, {"move": c, "direction": "up"}).status_code == 302
    assert _order(draft) == [a, c, b]
    assert web.post(reorder, {"slot_ids": [b, a, c]}).status_code == 302
    assert _order(draft) == [b, a, c]
    for bad in ({"slot_ids": [b, a]}, {"slot_ids": [b, a, a]}, {"slot_ids": [b, a, 999]},
                {"move": "x", "direction": "up"}, {}):
        assert web.post(reorder, bad).status_code == 400
    assert _order(draft) == [b, a, c]
    response = web.post(reverse("roadshow-agenda-remove", args=[draft.pk, a]))
    assert response.status_code == 302 and _order(draft) == [b, c]
    orders = RoadshowSlot.objects.filter(roadshow=draft).order_by("order")
    assert list(orders.values_list("order", flat=True)) == [1, 2]


def test_a_slots_presenter_start_and_minutes(broker):
    draft = make_draft(broker, projects=1)
    slot = RoadshowSlot.objects.get(roadshow=draft)
    presenter = factories.OrganizationFactory(legal_name="北京示例大学技术转移办公室")
    web = factories.login(broker)
    target = reverse("roadshow-agenda-slot", args=[draft.pk, slot.pk])
    local = timezone.localtime(draft.starts_at + timedelta(minutes=30))
    prefix = f"slot-{slot.pk}-"
    response = web.post(target, {prefix + "presenter": presenter.legal_name,
                                 prefix + "planned_start": local.strftime("%Y-%m-%dT%H:%M"),
                                 prefix + "minutes": "15"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.presenter == presenter and slot.minutes == 15
    assert slot.planned_start == (draft.starts_at + timedelta(minutes=30)).replace(second=0,
                                                                                 microsecond=0)
    bad = web.post(target, {prefix + "presenter": "没有这个单位", prefix + "minutes": "0"})
    assert bad.status_code == 400
    assert "No organisation has this name." in bad.content.decode()
    slot.refresh_from_db()
    assert slot.presenter == presenter and slot.minutes == 15


def _xlsx(rows: list[list[object]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["order", "source_id", "title", "presenter", "planned_start", "minutes"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("agenda.xlsx", buffer.getvalue())


def test_import_with_a_row_report_and_the_template(broker):
    draft = make_draft(broker, projects=0)
    owner = factories.OrganizationFactory()
    first = factories.ResearchResultFactory(owner=owner, source_id="R9001")
    second = factories.ResearchResultFactory(owner=owner, source_id="R9002")
    web = factories.login(broker)
    target = reverse("roadshow-agenda-import", args=[draft.pk])
    bad = web.post(target, {"file": _xlsx([[1, "R9001", "", "", "", 10],
                                           [2, "R0000", "", "", "", 999]])})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "No listing has the source id R0000." in body and "row-report" in body
    assert not RoadshowSlot.objects.filter(roadshow=draft).exists()
    not_xlsx = web.post(target, {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")})
    assert not_xlsx.status_code == 400 and "file" in not_xlsx.context["form"].errors
    good = web.post(target, {"file": _xlsx([[2, "R9002", "", "", "", 12],
                                            [1, "R9001", "", "", "", 10]])})
    assert good.status_code == 302
    slots = RoadshowSlot.objects.filter(roadshow=draft).order_by("order")
    assert [s.research_result_id for s in slots] == [first.pk, second.pk]
    template = web.get(reverse("roadshow-agenda-template", args=[draft.pk]))
    assert template.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["order", "source_id", "title", "presenter",
                                           "planned_start", "minutes"]


def test_publishing_from_the_agenda_page(broker, enterprise_user):
    empty = make_draft(broker, projects=0)
    web = factories.login(broker)
    page = web.get(reverse("roadshow-agenda", args=[empty.pk]))
    assert "Add at least one project to the agenda." in page.content.decode()
    refused = web.post(reverse("roadshow-publish", args=[empty.pk]))
    assert refused.status_code == 400
    empty.refresh_from_db()
    assert empty.status == RoadshowStatus.DRAFT
    ready = make_draft(broker, projects=1)
    response = web.post(reverse("roadshow-publish", args=[ready.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("roadshow-detail", args=[ready.pk])
    public = factories.login(enterprise_user).get(reverse("roadshow-list")).content.decode()
    assert ready.title in public and reverse("roadshow-new") not in public
    assert web.post(reverse("roadshow-publish", args=[ready.pk])).status_code == 409


def test_links_to_the_setup_pages(broker):
    roadshow = make_draft(broker)
    web = factories.login(broker)
    agenda = reverse("roadshow-agenda", args=[roadshow.pk])
    for name in ("roadshow-detail", "roadshow-control"):
        assert agenda in web.get(reverse(name, args=[roadshow.pk])).content.decode()


def test_times_at_the_ends_of_the_calendar_are_400_per_field_not_500(broker, settings):
    """Days outside the site's date range (`kernel.moments`, from 2000-01-01) are refused on
    their field: 0001-01-01 00:00 Beijing time has no UTC equivalent to store."""
    from tests.projects.roadshow_support import client_for

    draft = make_draft(broker, projects=1)
    slot = RoadshowSlot.objects.get(roadshow=draft)
    web = factories.login(broker)
    web.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    edit = web.post(reverse("roadshow-edit", args=[draft.pk]),
                    event_form(starts_at="0001-01-01T00:00", ends_at="0001-01-01T05:00"))
    assert edit.status_code == 400
    assert "starts_at" in edit.context["form"].errors
    assert "2000-01-01 及以后的时间" in edit.content.decode()
    prefix = f"slot-{slot.pk}-"
    moved = web.post(reverse("roadshow-agenda-slot", args=[draft.pk, slot.pk]),
                     {prefix + "planned_start": "0001-01-01T00:00", prefix + "minutes": "10"})
    assert moved.status_code == 400
    api = client_for(broker)
    body = {"title": "API", "host": draft.host_id, "starts_at": "0001-01-01T00:00:00+08:00",
            "ends_at": "0001-01-01T05:00:00+08:00", "capacity": 10, "draft": True}
    created = api.post("/api/v1/roadshows/", body, format="json")
    assert created.status_code == 400 and "starts_at" in created.json()["fields"]
    draft.refresh_from_db()
    slot.refresh_from_db()
    assert draft.starts_at.year > 2000 and slot.planned_start is None
    assert Roadshow.objects.count() == 1
