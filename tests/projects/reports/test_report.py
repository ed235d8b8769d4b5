"""The roadshow outcome report: counting rules, CSV, the chart and the PDF (rendered by the
shared WeasyPrint renderer), and host-staff-only access."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from contracts.choices import AgreementStatus, ContractSubtype, ContractType
from contracts.models import Agreement, AgreementVersion
from kernel.pdf.render import FONT_FAMILY
from matching.models import MatchRequest, MatchRequestDirection
from projects.choices import RoadshowStatus
from projects.meetings import scheduling
from projects.meetings import services as meetings
from projects.models import Intent, Question
from projects.reports.export import report_chart, report_csv, report_pdf
from projects.reports.selectors import roadshow_report
from tests import factories
from tests.contracts.pdf_inspect import KEQIAO_FONT_FAMILIES, pdf_fonts
from tests.projects.meeting_support import START, make_event

pytestmark = pytest.mark.django_db


def _match_request(event, slot, requester_user, *, created_at):
    from marketplace import roles

    mr = MatchRequest.objects.create(
        direction=MatchRequestDirection.NEED_TO_RESULT, research_result=slot.research_result,
        requester=roles.primary_organization(requester_user), addressee=slot.presenter,
        created_by=requester_user, message="路演后希望对接",
    )
    MatchRequest.objects.filter(pk=mr.pk).update(created_at=created_at)
    return mr


def _signed_agreement(mr, *, signed_at, total="120000.00", number="KQ-2025-000001"):
    agreement = Agreement.objects.create(
        number=number, contract_type=ContractType.LICENCE,
        subtype=ContractSubtype.PATENT_LICENCE, status=AgreementStatus.SIGNED, match_request=mr,
        research_result=mr.research_result, party_a=mr.requester, party_b=mr.addressee,
        created_by=mr.created_by, signed_at=signed_at,
    )
    version = AgreementVersion.objects.create(
        agreement=agreement, number=1, author=mr.created_by,
        payment={"total_cny": total} if total is not None else {}, sha256="0" * 64,
    )
    agreement.frozen_version = version
    agreement.save(update_fields=["frozen_version"])
    return agreement


@pytest.fixture
def event():
    event = make_event(presenters=2, attendees=3)
    roadshow = event.roadshow
    s1, s2 = event.slots
    roadshow.status = RoadshowStatus.ENDED
    roadshow.current_slot = s2  # ended while the last project was presenting
    roadshow.save(update_fields=["status", "current_slot"])
    a0, a1, a2 = event.attendees
    event.registrations[0].checked_in_at = timezone.now()
    event.registrations[0].save(update_fields=["checked_in_at"])
    Intent.objects.create(roadshow=roadshow, slot=s1, user=a0)
    Intent.objects.create(roadshow=roadshow, slot=s1, user=a1)
    Intent.objects.create(roadshow=roadshow, slot=s2, user=a2)
    Question.objects.create(slot=s1, author=a0, text="许可费用？")
    Question.objects.create(slot=s1, author=a1, text="中试?", hidden=True)
    # Meetings: one requested and held (in the past), one requested and declined.
    block_start = START + timedelta(hours=5)  # the afternoon of the event: in the past
    meetings.meeting_block_create(roadshow=roadshow, actor=event.host_staff,
                                  starts_at=block_start, ends_at=block_start + timedelta(hours=1),
                                  rooms=["T1"])
    r = meetings.meeting_request_create(roadshow=roadshow, slot=s1, requester=a0, reason="洽谈")
    meetings.meeting_request_accept(request=r, actor=event.presenters[0])
    d = meetings.meeting_request_create(roadshow=roadshow, slot=s2, requester=a1, reason="洽谈")
    meetings.meeting_request_decline(request=d, actor=event.presenters[1], reason="暂不考虑")
    scheduling.meetings_schedule(roadshow=roadshow, actor=event.host_staff)
    # Match requests: two during/after the event on s1, one before it (not counted).
    during = _match_request(event, s1, a0, created_at=START + timedelta(hours=1))
    _match_request(event, s1, a1, created_at=START + timedelta(days=3))
    before = _match_request(event, s1, a2, created_at=START - timedelta(days=1))
    _signed_agreement(during, signed_at=START + timedelta(days=10), total="120000.00")
    _signed_agreement(before, signed_at=START + timedelta(days=11), total="999.00",
                      number="KQ-2025-000002")  # its match request predates the event
    return event


def test_report_counts_follow_the_documented_rules(event):
    report = roadshow_report(roadshow=event.roadshow)
    assert report.projects_presented == report.projects_on_agenda == 2
    assert (report.registrations, report.checked_in) == (3, 1)
    assert (report.intents, report.questions) == (3, 2)
    assert (report.meetings_requested, report.meetings_accepted) == (2, 1)
    assert (report.meetings_scheduled, report.meetings_held) == (1, 1)
    assert report.match_requests == 2
    assert report.agreements_signed == 1
    assert report.agreements_value_cny == Decimal("120000.00")
    first, second = report.projects
    assert (first.intents, first.questions, first.match_requests, first.meetings_held) == (
        2, 2, 2, 1)
    assert (second.intents, second.meetings_requested, second.match_requests) == (1, 1, 0)


def test_match_requests_after_the_window_are_not_counted(event, settings):
    settings.ROADSHOW_REPORT_WINDOW_DAYS = 1
    report = roadshow_report(roadshow=event.roadshow)
    assert report.match_requests == 1  # the one three days later falls outside


def test_only_slots_up_to_the_current_one_count_as_presented_while_live(event):
    roadshow = event.roadshow
    roadshow.status = RoadshowStatus.LIVE
    roadshow.current_slot = event.slots[0]
    roadshow.save(update_fields=["status", "current_slot"])
    report = roadshow_report(roadshow=roadshow)
    assert report.projects_presented == 1
    assert [p.presented for p in report.projects] == [True, False]


def test_ended_early_counts_only_slots_up_to_the_one_presenting_when_it_ended(event):
    roadshow = event.roadshow
    roadshow.current_slot = event.slots[0]  # ended early, at project 1 of 2
    roadshow.save(update_fields=["current_slot"])
    report = roadshow_report(roadshow=roadshow)
    assert (report.projects_presented, report.projects_on_agenda) == (1, 2)
    assert [p.presented for p in report.projects] == [True, False]


def test_ended_with_no_slot_presenting_counts_none_as_presented(event):
    roadshow = event.roadshow
    roadshow.current_slot = None
    roadshow.save(update_fields=["current_slot"])
    assert roadshow_report(roadshow=roadshow).projects_presented == 0


def test_agreement_without_amount_counts_as_zero_and_is_flagged(event):
    mr = MatchRequest.objects.filter(created_at__gte=START).order_by("created_at").last()
    _signed_agreement(mr, signed_at=START + timedelta(days=20), total=None,
                      number="KQ-2025-000003")
    report = roadshow_report(roadshow=event.roadshow)
    assert report.agreements_signed == 2
    assert report.agreements_value_cny == Decimal("120000.00")
    assert [a.value_missing for a in report.agreements] == [False, True]


def test_report_csv_has_summary_projects_and_agreements(event):
    text = report_csv(roadshow_report(roadshow=event.roadshow)).decode("utf-8-sig")
    assert "Agreement value (CNY),120000.00" in text
    assert event.slots[0].listing.title in text
    assert "KQ-2025-000001" in text and "KQ-2025-000002" not in text


def test_chart_bars_scale_to_the_largest_value(event):
    chart = report_chart(roadshow_report(roadshow=event.roadshow))
    first_row = chart["rows"][0]["bars"]
    assert chart["max"] == 2
    assert [b["value"] for b in first_row] == [2, 1, 2]
    assert first_row[0]["width"] == 330 and first_row[1]["width"] == 165


def test_report_pdf_renders_chinese_in_the_embedded_cjk_font(event, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    with translation.override("zh-hans"):
        pdf = report_pdf(roadshow_report(roadshow=event.roadshow))
    assert pdf.startswith(b"%PDF")
    fonts = [f for f in pdf_fonts(pdf) if FONT_FAMILY.replace(" ", "-") in f.base_font]
    assert fonts and all(f.embedded and f.family in KEQIAO_FONT_FAMILIES for f in fonts)
    mapped = "".join(f.unicode_text for f in fonts)
    assert set(event.roadshow.title) <= set(mapped)
    assert set(event.slots[0].listing.title) <= set(mapped)


def test_report_api_is_for_host_staff_only(event, api_client):
    url = f"/api/v1/roadshows/{event.roadshow.pk}/report/"
    api_client.force_authenticate(event.attendees[0])
    assert api_client.get(url).status_code == 403
    api_client.force_authenticate(factories.broker())  # a broker of another organisation
    assert api_client.get(url).status_code == 403
    api_client.force_authenticate(event.host_staff)
    data = api_client.get(url).json()
    assert data["agreements_value_cny"] == "120000.00"
    assert data["projects"][0]["intents"] == 2
    csv_response = api_client.get(f"/api/v1/roadshows/{event.roadshow.pk}/report.csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    pdf_response = api_client.get(f"/api/v1/roadshows/{event.roadshow.pk}/report.pdf")
    assert pdf_response["Content-Type"] == "application/pdf"
    assert pdf_response.content.startswith(b"%PDF")


def test_report_page_shows_the_inline_svg_chart(event):
    client = factories.login(event.host_staff)
    response = client.get(f"/roadshows/{event.roadshow.pk}/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "report-chart" in html and "<script" not in html.split("<main>")[1]
    assert factories.login(event.attendees[0]).get(
        f"/roadshows/{event.roadshow.pk}/report/").status_code == 403


def test_report_page_scrolls_its_wide_table_and_chart_on_phones(event):
    html = factories.login(event.host_staff).get(
        f"/roadshows/{event.roadshow.pk}/report/").content.decode()
    chart = html.split('<div class="scroll-x chart-scroll">')[1]
    assert chart.lstrip().startswith("<svg")
    assert '<div class="scroll-x"><table class="grid report-projects">' in html
    css = (django_settings.BASE_DIR / "static" / "css" / "keqiao.css").read_text(encoding="utf-8")
    assert ".scroll-x { overflow-x: auto;" in css
    assert ".chart-scroll .report-chart { display: block; width: 100%; max-width: 560px;" in css


def test_ending_a_roadshow_early_reports_the_projects_up_to_where_it_stopped():
    event = make_event(presenters=3, attendees=1)
    roadshow, staff = event.roadshow, event.host_staff
    from projects.roadshows.live import services as live_services

    live_services.roadshow_go_live(roadshow=roadshow, actor=staff)
    live_services.roadshow_advance(roadshow=roadshow, actor=staff, to="next")
    live_services.roadshow_end(roadshow=roadshow, actor=staff)
    roadshow.refresh_from_db()
    assert roadshow.current_slot_id is None
    report = roadshow_report(roadshow=roadshow)
    assert sum(1 for p in report.projects if p.presented) == 2


def test_report_reads_no_stored_pdf(event):
    """The report reads the agreements' terms, never their sealed PDF or signing preview (a
    few hundred kB each) out of the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = roadshow_report(roadshow=event.roadshow)
    assert report.agreements_value_cny == Decimal("120000.00")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"sealed_pdf"' not in sql  # the column, not sealed_pdf_sha256
    assert '"preview_pdf"' not in sql
