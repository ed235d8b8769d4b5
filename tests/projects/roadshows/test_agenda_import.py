"""Agenda XLSX import: validated row by row, all or nothing, with a row report."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.choices import ListingStatus
from projects.models import RoadshowSlot
from tests import factories
from tests.projects.roadshow_support import client_for, make_roadshow, url

pytestmark = pytest.mark.django_db

HEADER = ["order", "source_id", "title", "presenter", "planned_start", "minutes"]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        "agenda.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def roadshow(broker):
    return make_roadshow(broker, projects=0)


@pytest.fixture
def listings():
    owner = factories.OrganizationFactory(legal_name="天津示范大学")
    return [
        factories.ResearchResultFactory(owner=owner, source_id=f"RX{i}", title=f"成果{i}")
        for i in range(3)
    ]


def post(client, roadshow, upload):
    return client.post(url("agenda-import", roadshow), {"file": upload}, format="multipart")


def test_valid_file_appends_every_row_in_order(roadshow, broker, listings):
    # A naive Excel date-time is local time (TIME_ZONE).
    start = timezone.localtime(roadshow.starts_at + timedelta(hours=1)).replace(
        tzinfo=None, microsecond=0
    )
    need = factories.TechnologyNeedFactory(source_id="NX1")
    upload = xlsx([
        [2, "RX1", "", "", None, 15],
        [1, "", "成果0", "天津示范大学", start, None],
        [3, "NX1", "", "", "", 5],
    ])
    response = post(client_for(broker), roadshow, upload)
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 3
    slots = list(RoadshowSlot.objects.filter(roadshow=roadshow).order_by("order"))
    assert [s.order for s in slots] == [1, 2, 3]
    assert [s.listing.pk for s in slots] == [listings[0].pk, listings[1].pk, need.pk]
    assert slots[0].planned_start == timezone.make_aware(start)
    assert [s.minutes for s in slots] == [10, 15, 5]
    assert slots[2].presenter == need.owner


def test_bad_rows_write_nothing_and_are_reported_row_by_row(roadshow, broker, listings):
    draft = factories.ResearchResultFactory(source_id="RDRAFT", status=ListingStatus.DRAFT)
    assert draft.pk
    upload = xlsx([
        [1, "RX0", "", "", None, 10],  # valid
        [1, "RX1", "", "", None, 10],  # order repeated
        ["x", "R-NONE", "", "", None, 10],  # bad order, unknown id
        [4, "RDRAFT", "", "不存在的单位", "tomorrow", 999],  # draft, presenter, time, minutes
        [5, "RX0", "", "", None, 10],  # same listing twice
        [6, "", "", "", None, 10],  # no listing at all
    ])
    response = post(client_for(broker), roadshow, upload)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    rows = body["fields"]["rows"]
    assert set(rows) == {"2", "3", "4", "5", "6"}
    assert set(rows["2"]) == {"order"}
    assert set(rows["3"]) == {"order", "source_id"}
    assert set(rows["4"]) == {"source_id", "presenter", "planned_start", "minutes"}
    assert set(rows["5"]) == {"source_id"} and set(rows["6"]) == {"source_id"}
    assert not RoadshowSlot.objects.exists()


def test_planned_start_outside_the_event_is_a_row_error(roadshow, broker, listings):
    too_early = f"{timezone.localtime(roadshow.starts_at - timedelta(days=2)):%Y-%m-%d %H:%M}"
    response = post(client_for(broker), roadshow, xlsx([[1, "RX0", "", "", too_early, 10]]))
    assert response.status_code == 400
    assert "planned_start" in response.json()["fields"]["rows"]["1"]


def test_listing_already_on_the_agenda_is_a_row_error(roadshow, broker, listings):
    first = post(client_for(broker), roadshow, xlsx([[1, "RX0", "", "", None, 10]]))
    assert first.status_code == 201
    response = post(client_for(broker), roadshow, xlsx([[1, "RX0", "", "", None, 10]]))
    assert response.status_code == 400
    assert RoadshowSlot.objects.count() == 1


def test_chinese_headers_are_understood(roadshow, broker, listings):
    upload = xlsx([[1, "RX2", 12]], header=["序号", "成果编号", "时长"])
    response = post(client_for(broker), roadshow, upload)
    assert response.status_code == 201
    assert RoadshowSlot.objects.get().minutes == 12


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("agenda.xlsx", b"not a workbook"),
        xlsx([], header=HEADER),
        xlsx([[1, "x"]], header=["minutes", "presenter"]),
    ],
    ids=["not-xlsx", "no-rows", "no-order-column"],
)
def test_unreadable_file_is_400_on_file(roadshow, broker, upload):
    response = post(client_for(broker), roadshow, upload)
    assert response.status_code == 400 and "file" in response.json()["fields"]


def test_only_host_staff_import(roadshow, enterprise_user, listings):
    response = post(client_for(enterprise_user), roadshow, xlsx([[1, "RX0", "", "", None, 10]]))
    assert response.status_code == 403
    assert not RoadshowSlot.objects.exists()


def test_a_workbook_whose_sheet_xml_is_broken_is_a_file_error_not_a_crash():
    import io
    import zipfile

    from openpyxl import Workbook

    from projects.roadshows.agenda_import import AgendaImportFileError, read_rows

    source = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["order", "source_id"])
    workbook.active.append([1, "R0001"])
    workbook.save(source)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as original, zipfile.ZipFile(
        broken, "w"
    ) as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # truncated XML
            copy.writestr(info, data)
    with pytest.raises(AgendaImportFileError):
        read_rows(broken.getvalue())
