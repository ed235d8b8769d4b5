"""The mediation page's forms say who reads each note, a decline's reason is picked (no
default), and an organisation without e-mail or phone shows its listing's source page."""

from __future__ import annotations

import re

import pytest

from matching.match_requests import services as match_services
from matching.models import MatchRequestStatus
from tests import factories

pytestmark = pytest.mark.django_db

SOURCE = "https://www.example.edu.cn/kjcg/1234.html"


@pytest.fixture
def mediated(enterprise_user):
    org = factories.OrganizationFactory(contact_email="", contact_phone="")
    result = factories.ResearchResultFactory(owner=org, source_url=SOURCE)
    return match_services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )


def _label(html, field_id):
    found = re.search(rf'<label for="{field_id}">([^<]*)</label>', html)
    assert found, field_id
    return found.group(1)


def test_each_note_says_who_reads_it(mediated, broker):
    html = factories.login(broker).get("/mediation/").content.decode()
    item = f"match_request-{mediated.pk}"
    assert _label(html, f"outcome-note-{item}") == "Note (for the brokers)"
    assert _label(html, f"invite-note-{item}") == "Note (for the brokers)"
    assert _label(html, f"accept-note-{item}") == "Explanation for the requester"
    assert _label(html, f"decline-note-{item}") == "Explanation for the requester"


def test_decline_reason_has_no_default_and_must_be_picked(mediated, broker):
    client = factories.login(broker)
    html = client.get("/mediation/").content.decode()
    select = re.search(
        rf'<select id="decline-reason-match_request-{mediated.pk}"[^>]*>(.*?)</select>', html
    )
    assert select and " selected" not in select.group(1)
    assert select.group(1).startswith('<option value="">')
    client.post(f"/mediation/match_request-{mediated.pk}/decline/",
                {"reason": "", "note": "对方暂无合作意向"})
    mediated.refresh_from_db()
    assert mediated.status == MatchRequestStatus.OPEN
    client.post(f"/mediation/match_request-{mediated.pk}/decline/",
                {"reason": "field_mismatch", "note": "对方暂无合作意向"})
    mediated.refresh_from_db()
    assert (mediated.status, mediated.decline_reason) == (
        MatchRequestStatus.DECLINED, "field_mismatch"
    )


def test_organisation_without_contact_shows_its_listings_source(mediated, broker):
    html = factories.login(broker).get("/mediation/").content.decode()
    assert f'href="{SOURCE}"' in html
