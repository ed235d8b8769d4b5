"""Inputs that once produced a 500: each must now get a clear 4xx and write nothing."""

import pytest
from django.urls import reverse

from marketplace.models import TechnologyNeed


@pytest.fixture
def as_enterprise(api_client, enterprise_user):
    api_client.force_authenticate(enterprise_user)
    return api_client


@pytest.mark.django_db
@pytest.mark.parametrize("deadline", ["9999-12-31", "1900-01-01"])
def test_deadline_far_outside_any_plausible_range_is_a_field_error(as_enterprise, deadline):
    response = as_enterprise.post(
        reverse("api-need-list"), {"title": "需求", "deadline": deadline}, format="json"
    )
    assert response.status_code == 400
    assert "deadline" in response.json()["fields"]
    assert not TechnologyNeed.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("source_date", ["abc", "2024-13", "2024-02-30"])
def test_source_date_must_be_a_real_year_month_or_date(as_enterprise, source_date):
    response = as_enterprise.post(
        reverse("api-need-list"), {"title": "需求", "source_date": source_date}, format="json"
    )
    assert response.status_code == 400
    assert "source_date" in response.json()["fields"]


@pytest.mark.django_db
def test_lone_surrogate_in_json_is_a_parse_error(as_enterprise):
    response = as_enterprise.post(
        reverse("api-need-list"),
        data='{"title": "t", "field": "\\ud800x"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not TechnologyNeed.objects.exists()


@pytest.mark.django_db
def test_deeply_nested_json_is_a_parse_error(as_enterprise):
    response = as_enterprise.post(
        reverse("api-need-list"), data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
    )
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/match-requests/abc/", "/api/v1/needs/-1/matches/", "/api/v1/nowhere/"]
)
def test_unknown_api_paths_answer_404_in_the_error_shape(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found", "fields": {}}


@pytest.mark.django_db
def test_unauthenticated_write_gets_401_with_a_token_challenge(api_client):
    response = api_client.post(reverse("api-need-list"), {"title": "需求"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
