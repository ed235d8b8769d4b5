"""OpenAPI schema generation (drf-spectacular): the schema states what the API really answers.

- `AutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]):
  - A read-only serializer field declared with ``required=False`` may be left out of a
    response (confidential fields, contacts), so it is not listed as required.
  - A model field that may be blank (``blank=True``) may come back as ``""``: its choices
    include ``""`` and a formatted string (an e-mail) also allows ``""``.
  - URLs carry no ``uri`` format: Django's URLValidator accepts internationalised URLs
    (IRIs, e.g. a path in Chinese), which are not RFC 3986 URIs.
- `add_error_responses` (a postprocessing hook) adds to every operation the error statuses
  that the shared plumbing can answer for it, each in the one error shape
  (`kernel.api.errors`), unless the view documents that status itself:
  400 (bad parameters or body, invalid UTF-8 in the query string), 401 (missing, wrong or
  expired credentials), 403 (not allowed), 429 (throttled; ``Retry-After`` in seconds), 404
  where the path or the body names an object or a list is paginated (a page past the end),
  409 for writes (a state conflict), 413 and 415 where there is a request body (too large,
  an unsupported content type). A 4xx that a view documents without a body gets the error
  shape as its body, and a 429 always documents ``Retry-After`` (throttling and the log-in
  lock-out both send it).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers

ERROR_COMPONENT = "Error"
ERROR_FIELDS_COMPONENT = "ErrorFields"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

#: The error shape of `kernel.api.errors`: `fields` maps a field name to its messages, or
#: for a nested object to the same shape one level down; a list field's item errors are one
#: array of strings, each naming its item.
ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    ERROR_COMPONENT: {
        "type": "object",
        "description": "The one error shape of the API. Messages are in the request's "
        "language (zh-Hans or en).",
        "properties": {
            "message": {"type": "string"},
            "code": {"type": "string"},
            "fields": {"$ref": f"#/components/schemas/{ERROR_FIELDS_COMPONENT}"},
        },
        "required": ["message", "code", "fields"],
    },
    ERROR_FIELDS_COMPONENT: {
        "type": "object",
        "description": "Field name → messages; a nested object's fields one level down.",
        "additionalProperties": {
            "oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"$ref": f"#/components/schemas/{ERROR_FIELDS_COMPONENT}"},
            ]
        },
    },
}

_UNSAFE_METHODS = {"post", "put", "patch", "delete"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if headers:
        response["headers"] = headers
    return response


def _error_statuses(method: str, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    parameters = operation.get("parameters", [])
    in_path = any(p.get("in") == "path" for p in parameters)
    paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
    statuses = {
        "400": _error("Invalid parameters or body (`fields` names each bad one)."),
        "401": _error("Credentials are missing, wrong or expired."),
        "403": _error("The user may not do this."),
        "429": _error("Too many requests; try again after Retry-After seconds.", _RETRY_AFTER),
    }
    if in_path or paginated or "requestBody" in operation:
        statuses["404"] = _error("Not found, not visible to the user, or a page past the end.")
    if method in _UNSAFE_METHODS:
        statuses["409"] = _error("The object's state does not allow this now.")
    if "requestBody" in operation:
        statuses["413"] = _error("The request body is too large.")
        statuses["415"] = _error("Unsupported request content type.")
    return statuses


def add_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: error responses on every operation (see module
    docstring) and the `Error` components. Statuses a view documents itself are kept."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_SCHEMAS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in _error_statuses(method, operation).items():
                responses.setdefault(code, response)
            if "429" in responses:  # a view's own 429 (e.g. log-in lockout) sends it too
                responses["429"].setdefault("headers", _RETRY_AFTER)
            for code, response in responses.items():
                if code.startswith("4") and "content" not in response:
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
            if "Retry-After" not in responses["429"].setdefault("headers", {}):
                responses["429"]["headers"].update(_RETRY_AFTER)
    return result


#: A serializer field of any value, data and representation type.
AnySerializerField = serializers.Field[Any, Any, Any, Any]


def _model_field(field: AnySerializerField) -> models.Field[Any, Any] | None:
    """The model field behind a ModelSerializer field, if any."""
    parent = field.parent
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        model_field = model._meta.get_field(source)
    except Exception:  # FieldDoesNotExist or a property: no model field
        return None
    return model_field if isinstance(model_field, models.Field) else None


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema with the corrections in the module docstring."""

    def _map_serializer_field(
        self, field: AnySerializerField, direction: str, bypass_extensions: bool = False
    ) -> Any:
        model_field = _model_field(field)
        may_be_blank = bool(
            model_field is not None
            and model_field.blank
            and isinstance(model_field, models.CharField | models.TextField)
            and isinstance(field, serializers.CharField | serializers.ChoiceField)
        )
        if may_be_blank:
            setattr(field, "allow_blank", True)  # noqa: B010 - not declared on Field
        # drf-spectacular leaves it unannotated; untyped_calls_exclude skips super() calls.
        return super()._map_serializer_field(  # type: ignore[no-untyped-call]
            field, direction, bypass_extensions
        )

    def _insert_field_validators(
        self, field: AnySerializerField, schema: dict[str, Any]
    ) -> None:
        # drf-spectacular leaves it unannotated; untyped_calls_exclude skips super() calls.
        super()._insert_field_validators(field, schema)  # type: ignore[no-untyped-call]
        if not isinstance(field, serializers.URLField):
            return
        for part in [schema, *schema.get("oneOf", [])]:
            if part.get("format") == "uri":
                del part["format"]
        if "oneOf" in schema:  # [the URL, ""]: without its format the first allows "" too
            schema.update(schema.pop("oneOf")[0])

    def _map_basic_serializer(self, serializer: Any, direction: str) -> Any:
        # drf-spectacular leaves it unannotated; untyped_calls_exclude skips super() calls.
        schema = super()._map_basic_serializer(serializer, direction)  # type: ignore[no-untyped-call]
        fields = force_instance(serializer).fields
        optional = {
            name
            for name, field in fields.items()
            if field.read_only and field._kwargs.get("required") is False
        }
        if optional and "required" in schema:
            required = [name for name in schema["required"] if name not in optional]
            if required:
                schema["required"] = required
            else:
                del schema["required"]
        return schema
