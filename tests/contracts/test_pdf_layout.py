"""The longest allowed agreement, made of unbreakable strings, lays out inside the page; the
length limits of `contracts.limits` are the ones the services enforce."""

from __future__ import annotations

from io import BytesIO

import pdfplumber
import pytest

from contracts import services
from contracts.limits import (
    PARTY_FIELD_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    SCHEDULE_MAX_ENTRIES,
    clause_max_length,
)
from contracts.services.audit import ClientInfo
from contracts.templatetags.contract_pdf import SOFT_WRAP_CHUNK, ZERO_WIDTH_SPACE, soft_wrap
from kernel.errors import DomainError
from tests.contracts import support
from tests.contracts.worst_case import (
    USER_AGENT_LENGTH,
    USERNAME_MAX_LENGTH,
    max_length_changes,
    unbreakable,
)

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
#: Left and right page margins of static/contracts/pdf.css (20 mm), in PDF points.
SIDE_MARGIN = 20 * MM
TOLERANCE = 1.0  # points
#: The user agent is made of this character, which occurs nowhere else in the document.
AGENT_CHAR = "^"


def _overlap(a: dict, b: dict) -> float:  # type: ignore[type-arg]
    width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return width * height if width > 0 and height > 0 else 0.0


@pytest.fixture
def worst_case_pdf(
    enterprise_user, researcher, patent_result, django_capture_on_commit_callbacks
):
    """The sealed PDF of an agreement whose every field is at its maximum length, made of
    unbreakable letters and digits, signed by users with the longest usernames, from clients
    sending the longest user agents."""
    agreement = support.drafted(
        enterprise_user=enterprise_user, researcher=researcher, result=patent_result
    )
    enterprise_user.username = "E" + unbreakable(USERNAME_MAX_LENGTH - 1)
    researcher.username = "R" + unbreakable(USERNAME_MAX_LENGTH - 1, offset=7)
    enterprise_user.save()
    researcher.save()
    agent = AGENT_CHAR * USER_AGENT_LENGTH
    client_a = ClientInfo(ip_address="2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", user_agent=agent)
    client_b = ClientInfo(ip_address="2001:db8:eeee:eeee:eeee:eeee:eeee:eeee", user_agent=agent)
    services.agreement_version_create(
        agreement=agreement,
        actor=enterprise_user,
        client=client_a,
        changes=max_length_changes(agreement),
    )
    services.agreement_approve(agreement=agreement, actor=enterprise_user, client=client_a)
    services.agreement_approve(agreement=agreement, actor=researcher, client=client_b)
    agreement.refresh_from_db()
    for user, client in ((enterprise_user, client_a), (researcher, client_b)):
        with django_capture_on_commit_callbacks(execute=True):
            support.sign(agreement, user, client, unbreakable(100))
    agreement.refresh_from_db()
    assert agreement.sealed_pdf, agreement.seal_error
    return bytes(agreement.sealed_pdf)


def test_every_glyph_of_the_worst_case_agreement_lies_inside_the_page(worst_case_pdf):
    with pdfplumber.open(BytesIO(worst_case_pdf)) as pdf:
        assert len(pdf.pages) > 10
        agent_chars = 0
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"].strip()]
            assert chars, f"page {page.page_number} is empty"
            for char in chars:
                where = f"{char['text']!r} on page {page.page_number} at {char['x0']:.1f}"
                # Inside the page box, and horizontally inside the content area (no text in
                # the side margins: long strings wrap instead of running off).
                assert char["top"] >= -TOLERANCE and char["bottom"] <= page.height + TOLERANCE
                assert char["x0"] >= SIDE_MARGIN - TOLERANCE, where
                assert char["x1"] <= page.width - SIDE_MARGIN + TOLERANCE, where
            # The user agent on the certificate page never prints over other text (the hash).
            agents = [c for c in chars if c["text"] == AGENT_CHAR]
            others = [c for c in chars if c["text"] != AGENT_CHAR]
            agent_chars += len(agents)
            for agent in agents:
                assert not any(_overlap(agent, other) > 0.5 for other in others), agent
        assert agent_chars >= 80  # the certificate shows the user agents


def test_terms_at_their_limits_are_accepted_and_one_more_character_is_refused(
    agreement, enterprise_user
):
    services.agreement_version_create(
        agreement=agreement,
        actor=enterprise_user,
        client=support.CLIENT_A,
        changes=max_length_changes(agreement),
    )
    too_long = {
        "clauses.subject": {"clauses": {"subject": "甲" * (clause_max_length("subject") + 1)}},
        "clauses.project_name": {
            "clauses": {"project_name": "甲" * (clause_max_length("project_name") + 1)}
        },
        "parties.a.address": {
            "parties": {"a": {"address": "甲" * (PARTY_FIELD_MAX_LENGTH["address"] + 1)}}
        },
        "validity.place": {"validity": {"place": "甲" * (PLACE_MAX_LENGTH + 1)}},
        "payment.schedule": {
            "payment": {
                "schedule": [{"due_date": "", "amount_cny": "1.00"}] * (SCHEDULE_MAX_ENTRIES + 1)
            }
        },
    }
    for path, changes in too_long.items():
        with pytest.raises(DomainError) as exc:
            services.agreement_version_create(
                agreement=agreement, actor=enterprise_user, client=support.CLIENT_A,
                changes=changes,
            )
        assert path in exc.value.fields, (path, exc.value.fields)
    assert agreement.versions.count() == 2


def test_edit_form_limits_each_field_like_the_service(agreement, enterprise_user):
    from contracts.forms import AgreementEditForm

    form = AgreementEditForm(agreement=agreement, version=agreement.latest_version())
    assert form.fields["clauses_subject"].max_length == clause_max_length("subject")
    assert form.fields["clauses_project_name"].max_length == clause_max_length("project_name")
    assert form.fields["parties_a_address"].max_length == PARTY_FIELD_MAX_LENGTH["address"]
    assert form.fields["validity_place"].max_length == PLACE_MAX_LENGTH


def test_soft_wrap_breaks_only_long_runs_without_break_opportunities():
    assert soft_wrap("北京市海淀区中关村大街1号 Zhongguancun Street") == (
        "北京市海淀区中关村大街1号 Zhongguancun Street"
    )
    long_run = "https://example.com/" + "a" * 200
    wrapped = soft_wrap(long_run)
    assert wrapped.replace(ZERO_WIDTH_SPACE, "") == long_run
    assert all(len(part) <= SOFT_WRAP_CHUNK for part in wrapped.split(ZERO_WIDTH_SPACE))
    assert soft_wrap(None) == ""
