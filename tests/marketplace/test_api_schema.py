"""The OpenAPI schema documents what the API answers: the error statuses of every operation in
the one error shape, file content types, optional confidential fields, and list-field errors
as arrays (kernel.api.schema, kernel.api.errors)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from kernel.api.errors import exception_handler

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return dict(SchemaGenerator().get_schema(request=None, public=True))


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_documents_400_401_403_and_429_in_the_error_shape(schema) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(schema):
        for code in ("400", "401", "403", "429"):
            response = operation["responses"].get(code)
            assert response, f"{method} {path} lacks {code}"
            assert response["content"]["application/json"]["schema"] == error
        assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_objects_in_the_path_or_body_and_pages_may_be_404_and_writes_409(schema) -> None:
    for path, method, operation in operations(schema):
        names_an_object = "{" in path or "requestBody" in operation
        paginated = any(p["name"] == "page" for p in operation.get("parameters", []))
        if names_an_object or paginated:
            assert "404" in operation["responses"], f"{method} {path}"
        if method != "get":
            assert "409" in operation["responses"], f"{method} {path}"


def test_error_shape_component_allows_nested_objects(schema) -> None:
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["message", "code", "fields"]
    fields = components["ErrorFields"]["additionalProperties"]["oneOf"]
    assert {"type": "array", "items": {"type": "string"}} in fields


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/agreements/{id}/pdf/", "application/pdf"),
        ("/api/v1/agreements/{id}/registration.pdf", "application/pdf"),
        (
            "/api/v1/agreements/{id}/registration.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("/api/v1/roadshows/{roadshow_id}/report.csv", "text/csv"),
        ("/api/v1/roadshows/{roadshow_id}/my-schedule.ics", "text/calendar"),
    ],
)
def test_downloads_document_their_content_type(schema, path, media_type) -> None:
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]
    assert list(content) == [media_type]
    assert content[media_type]["schema"] == {"type": "string", "format": "binary"}


def test_verification_upload_documents_its_read_timeout_and_length_required(schema) -> None:
    responses = schema["paths"]["/api/v1/agreements/verify/"]["post"]["responses"]
    error = {"$ref": "#/components/schemas/Error"}
    for code, error_code in (("408", "upload_timeout"), ("411", "length_required")):
        assert error_code in responses[code]["description"]
        assert responses[code]["content"]["application/json"]["schema"] == error
    assert "busy" in responses["503"]["description"]


def test_confidential_and_contact_fields_are_optional_in_responses(schema) -> None:
    components = schema["components"]["schemas"]
    assert "confidential_details" not in components["ResearchResultOutput"]["required"]
    assert "contact_email" not in components["OrganizationOutput"]["required"]
    assert "title" in components["ResearchResultOutput"]["required"]


def test_agreement_times_are_documented_as_utc_and_beijing_objects(schema) -> None:
    signed_at = schema["components"]["schemas"]["Agreement"]["properties"]["signed_at"]
    assert signed_at["type"] == "object" and signed_at["nullable"] is True
    assert set(signed_at["properties"]) == {"utc", "beijing"}


def test_paginated_lists_document_the_paginated_shape(schema) -> None:
    for path in ("/api/v1/agreements/", "/api/v1/roadshows/", "/api/v1/notifications/"):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
        assert set(schema["components"]["schemas"][ref]["properties"]) == {
            "count", "next", "previous", "results"
        }


def test_urls_that_may_be_blank_or_internationalised_are_plain_strings(schema) -> None:
    source_url = schema["components"]["schemas"]["ResearchResultOutput"]["properties"][
        "source_url"
    ]
    assert source_url["type"] == "string" and "format" not in source_url


def test_list_field_errors_are_arrays_naming_each_item() -> None:
    exc = serializers.ValidationError({"slot_ids": {0: ["Not a number."], 2: ["Too big."]}})
    response = exception_handler(exc, {})
    assert response is not None and response.status_code == 400
    assert response.data["fields"] == {"slot_ids": ["Item 1: Not a number.", "Item 3: Too big."]}


def test_errors_of_a_list_of_objects_are_arrays_naming_each_item() -> None:
    exc = serializers.ValidationError({"rows": [{}, {"title": ["Required."]}]})
    response = exception_handler(exc, {})
    assert response is not None
    assert response.data["fields"] == {"rows": ["Item 2: Required."]}


def test_nested_object_errors_stay_objects() -> None:
    exc = serializers.ValidationError({"parties": {"a": {"name": ["Required."]}}})
    response = exception_handler(exc, {})
    assert response is not None
    assert response.data["fields"] == {"parties": {"a": {"name": ["Required."]}}}


def test_search_list_parameter_errors_come_back_as_an_array(client) -> None:
    response = client.get("/api/v1/search/", {"field": "new_energy,alchemy"})
    assert response.status_code == 400
    messages = response.json()["fields"]["field"]
    assert isinstance(messages, list) and len(messages) == 1
    assert messages[0].startswith("Item 2: ")


def test_list_field_error_items_are_translated(client) -> None:
    response = client.get(
        "/api/v1/search/", {"field": "alchemy"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["fields"]["field"][0].startswith("第 1 项：")


def test_a_body_with_too_many_fields_answers_400_in_the_error_shape(client) -> None:
    body = "&".join(f"f{i}=1" for i in range(1200))
    response = client.post(
        "/api/v1/auth/token/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_body_over_the_size_limit_answers_413_in_the_error_shape(client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/auth/token/", {"username": "x" * 2000, "password": "y"},
        content_type="application/json",
    )
    assert response.status_code == 413
    assert set(response.json()) == {"message", "code", "fields"}
    assert response.json()["code"] == "too_large"


def test_a_request_django_refuses_before_any_view_answers_json_on_api_paths(client) -> None:
    api = client.get("/api/v1/search/", HTTP_HOST="elsewhere.invalid")
    assert api.status_code == 400
    assert set(api.json()) == {"message", "code", "fields"}
    web = client.get("/", HTTP_HOST="elsewhere.invalid")
    assert web.status_code == 400
    assert web["Content-Type"].startswith("text/html")
