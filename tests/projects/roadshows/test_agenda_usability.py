"""The agenda page helps its user: presenter suggestions (an HTML datalist of organisation
names) and help text saying it is the presenting organisation; a planned start outside the
event's times is refused on its field; after adding a listing the search stays; after an up
or down move the moved row's button keeps the keyboard focus."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import RoadshowSlot
from tests import factories
from tests.projects.roadshows.test_drafts import make_draft

pytestmark = pytest.mark.django_db


def _order(roadshow) -> list[int]:
    return list(RoadshowSlot.objects.filter(roadshow=roadshow).order_by("order").values_list(
        "pk", flat=True))


def test_the_presenter_field_suggests_organisation_names_and_says_what_it_is(broker):
    draft = make_draft(broker, projects=1)
    other = factories.OrganizationFactory(legal_name="天津示例研究院")
    slot = RoadshowSlot.objects.get(roadshow=draft)
    page = factories.login(broker).get(reverse("roadshow-agenda", args=[draft.pk]))
    html = page.content.decode()
    field = re.search(rf'<input[^>]*name="slot-{slot.pk}-presenter"[^>]*>', html)
    assert field and 'list="presenter-organisations"' in field.group(0)
    datalist = html.split('<datalist id="presenter-organisations">')[1].split("</datalist>")[0]
    assert f'<option value="{other.legal_name}">' in datalist
    assert f'<option value="{slot.listing.owner.legal_name}">' in datalist
    assert "The organisation that presents this project" in html


@pytest.mark.parametrize("offset", [timedelta(hours=-1), timedelta(hours=3),
                                    timedelta(days=5)])
def test_a_planned_start_outside_the_events_times_is_refused_on_its_field(broker, offset):
    draft = make_draft(broker, projects=1)
    slot = RoadshowSlot.objects.get(roadshow=draft)
    target = reverse("roadshow-agenda-slot", args=[draft.pk, slot.pk])
    local = timezone.localtime(draft.starts_at + offset).replace(second=0, microsecond=0)
    if offset == timedelta(hours=3):
        local = timezone.localtime(draft.ends_at).replace(second=0, microsecond=0) + timedelta(
            minutes=1)
    prefix = f"slot-{slot.pk}-"
    response = factories.login(broker).post(target, {
        prefix + "planned_start": local.strftime("%Y-%m-%dT%H:%M"), prefix + "minutes": "15"})
    assert response.status_code == 400
    form = response.context["rows"][0][1]
    assert "planned_start" in form.errors
    slot.refresh_from_db()
    assert slot.planned_start is None or draft.starts_at <= slot.planned_start < draft.ends_at


def test_after_adding_a_listing_the_search_and_its_results_stay(broker):
    draft = make_draft(broker, projects=0)
    owner = factories.OrganizationFactory()
    first = factories.ResearchResultFactory(owner=owner, title="超导带材制备工艺")
    second = factories.ResearchResultFactory(owner=owner, title="超导磁体设计")
    web = factories.login(broker)
    page = web.get(reverse("roadshow-agenda", args=[draft.pk]), {"q": "超导", "kind": "result"})
    assert 'name="q" value="超导"' in page.content.decode()
    added = web.post(reverse("roadshow-agenda-add", args=[draft.pk]),
                     {"listing": f"result:{first.pk}", "q": "超导", "kind": "result"})
    assert added.status_code == 302
    after = web.get(added["Location"])
    assert [item.pk for _kind, item in after.context["search_results"]] == [second.pk]
    assert after.context["search_form"].cleaned_data["q"] == "超导"


def test_after_a_move_the_moved_rows_button_keeps_the_focus(broker):
    draft = make_draft(broker, projects=3)
    a, b, c = _order(draft)
    web = factories.login(broker)
    reorder = reverse("roadshow-agenda-reorder", args=[draft.pk])
    moved = web.post(reorder, {"move": b, "direction": "up"})
    assert moved.status_code == 302 and _order(draft) == [b, a, c]
    html = web.get(moved["Location"]).content.decode()
    focused = re.findall(r"<button[^>]*autofocus[^>]*>", html)
    # b is first now: its up button is disabled, so its down button takes the focus.
    assert len(focused) == 1 and 'value="down"' in focused[0] and "disabled" not in focused[0]
    row = html.split(f'data-slot-id="{b}"')[1].split("</li>")[0]
    assert "autofocus" in row
    moved = web.post(reorder, {"move": c, "direction": "up"})
    html = web.get(moved["Location"]).content.decode()
    row = html.split(f'data-slot-id="{c}"')[1].split("</li>")[0]
    assert re.search(r'value="up"[^>]*autofocus', row)
