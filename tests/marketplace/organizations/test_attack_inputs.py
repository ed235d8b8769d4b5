"""Attack with bad input on the new endpoints: ids, uploads' names, organisation texts. Each test
names the rule it checks and fails on main at the time of writing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from marketplace import services
from tests import factories
from tests.marketplace.organizations.conftest import PDF
from tests.marketplace.organizations.members_helpers import SITE, organization_with_administrator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE  # absolute links (invitations) under a fixed site address


# --- ids of the mediation queue ------------------------------------------------------------------

# str.isdigit() is True for these, int() refuses them (superscripts, circled digits).
NOT_INT_DIGITS = ["match_request-²", "meeting_request-①", "match_request-1²"]


@pytest.mark.parametrize("item_id", NOT_INT_DIGITS)
def test_mediated_item_id_with_a_digit_int_refuses_is_404_in_the_error_shape(broker, item_id):
    """An id that names no request in the queue is 404 (README: every error in the one
    shape), never a 500: `mediated_request_get` checks ``number.isdigit()`` and then calls
    ``int(number)``, which raises ValueError for "²"."""
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(broker)
    response = client.post(f"/api/v1/mediated-requests/{item_id}/accept/", {}, format="json")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "code", "fields"}


@pytest.mark.parametrize("item_id", NOT_INT_DIGITS)
def test_mediation_page_action_with_a_digit_int_refuses_is_404(broker, item_id):
    client = factories.login(broker)
    client.raise_request_exception = False
    response = client.post(f"/mediation/{item_id}/accept/", {"note": ""})
    assert response.status_code == 404


# --- private files are downloaded under the type that was checked -----------------------------


@pytest.mark.parametrize("name", ["licence.hta", "licence.html", "licence.exe", "licence"])
def test_claim_evidence_is_downloaded_under_the_suffix_of_its_checked_type(
    api_client, broker, name
):
    """Evidence is checked by its content (here a PDF), never its name; but the download
    offers the uploader's name, extension included. A file that starts with ``%PDF-`` and
    carries an HTML application after it, uploaded as "licence.hta", reaches the broker's
    disk as licence.hta, which Windows runs with mshta when opened. The attachment's name
    must end with the checked type's suffix (.pdf)."""
    organization = factories.OrganizationFactory()
    claimant = factories.UserFactory()
    body = PDF + b"<hta:application><script>alert(1)</script>"
    claim = services.claim_create(
        actor=claimant, organization=organization,
        upload=SimpleUploadedFile(name, body, content_type="application/pdf"),
    )
    response = factories.login(broker).get(f"/organizations/claims/{claim.pk}/evidence/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.endswith('.pdf"'), disposition


def test_organisation_evidence_is_downloaded_under_the_suffix_of_its_checked_type(api_client):
    organization, administrator = organization_with_administrator()
    api_client.force_authenticate(administrator)
    response = api_client.post(
        f"/api/v1/organizations/{organization.pk}/evidence/",
        {"file": SimpleUploadedFile("scan.html", PDF, content_type="text/html")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    download = factories.login(administrator).get(response.json()["url"])
    assert download["Content-Disposition"].endswith('.pdf"'), download["Content-Disposition"]


# --- organisation texts: no invisible or control characters ----------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_name", "某某\u202e学大江浙"),  # RIGHT-TO-LEFT OVERRIDE: shown reversed
        ("legal_name", "浙江大学\u200b"),  # ZERO WIDTH SPACE: looks like an existing name
        ("name_en", "Zhejiang\u2066 University"),  # LEFT-TO-RIGHT ISOLATE
        ("contact_phone", "0571\u0007\u0008"),  # BEL, BACKSPACE
        ("address", "杭州\u001b[2J"),  # ESC: a terminal escape in exports and logs
    ],
    ids=["rlo", "zwsp", "lri", "bel", "esc"],
)
def test_organisation_texts_refuse_invisible_and_control_characters(api_client, field, value):
    """The legal name is what people trust on the public page, in match requests and in
    agreements; invisible format characters (bidi overrides, zero-width spaces) let a new
    organisation look like a verified one (the unique constraint sees two names) and control
    characters end up in e-mails, CSV/XLSX exports and logs. Both must be 400 on the field."""
    factories.OrganizationFactory(legal_name="浙江大学")
    user = factories.UserFactory()
    api_client.force_authenticate(user)
    data = {"kind": "university", "legal_name": "新机构", field: value}
    response = api_client.post("/api/v1/organizations/", data, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
