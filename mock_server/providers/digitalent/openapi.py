"""Digitalent's OpenAPI document: the ``{"id"}`` bodies, the four signed headers and the
documented answers (400, 403, 408, 401, in the doc's check order, then 409).

``Client-Id`` and ``Signature`` are API keys (what proves the caller); ``Request-Id`` and
``Request-Timestamp`` header parameters, since a security scheme cannot say their form. Every
example error is what ``render_error`` answers.
"""

from mock_server.core import openapi
from mock_server.core.errors import ProviderError
from mock_server.core.openapi import Document, ErrorAnswer, header
from mock_server.providers.digitalent.errors import render_error
from mock_server.providers.digitalent.schemas import IdBody

ID_EXAMPLE = {"id": 10}  # the doc's example body
SECURITY_SCHEMES = {
    "Client-Id": {
        "type": "apiKey",
        "in": "header",
        "name": "Client-Id",
        "description": "Domain Client-Id, from the Digitalent Developer Console.",
    },
    "Signature": {
        "type": "apiKey",
        "in": "header",
        "name": "Signature",
        "description": "The computed HMAC-SHA256 signature: base64 of HMAC-SHA256 keyed with "
        "the client_secret over the base string ${method}:${urlPath}:${body}:${timestamp}:"
        "${requestId} (method upper case, urlPath without host and query, body the raw body "
        'text, empty when there is none), e.g. POST:/api/public/pelatihan/akademi:{"id":10}:'
        "2025-10-31T06:00:12.120Z:af01c41a-788a-4db1-a08c-14b7982c2d9a. URL-safe base64 (as "
        "the doc says) and standard base64 (as its Postman script sends) both verify, padded "
        "or not.",
    },
}
SIGNED: list[dict[str, list[str]]] = [{"Client-Id": [], "Signature": []}]
HEADERS = [
    header(
        "Request-Id",
        "Unique Request Identifier (UUIDv4), used once per client (a second use is 409). Signed.",
        {"type": "string", "format": "uuid", "example": "af01c41a-788a-4db1-a08c-14b7982c2d9a"},
    ),
    header(
        "Request-Timestamp",
        "UTC time when the request was made, ISO 8601, e.g. 2025-10-31T06:00:12.120Z; outside "
        "the window it is 408. Signed.",
        {"type": "string", "format": "date-time", "example": "2025-10-31T06:00:12.120Z"},
    ),
]
ERROR_SCHEMA = {
    "type": "object",
    "description": "Digitalent's error envelope (the mock's choice; the doc gives only the "
    "messages): the success envelope with success false.",
    "required": ["success", "message"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "message": {"type": "string", "description": "the documented message"},
        "detail": {"type": "string", "description": "what exactly"},
        "errors": openapi.FIELD_ERRORS,
    },
}


def _errors() -> dict[str, ErrorAnswer]:
    e = ProviderError
    errors = {
        "missing_headers": e(
            400, "missing_headers", "Missing required headers", detail="missing: Signature"
        ),
        "request_id_format": e(
            400,
            "request_id_format",
            "Invalid Request-Id",
            detail="Request-Id must be a UUID (UUIDv4), got 'abc'",
        ),
        "validation": e(
            400,
            "validation",
            "Bad Request",
            detail="invalid fields",
            errors=[{"field": "id", "message": "Input should be greater than or equal to 1"}],
        ),
        "client": e(
            403,
            "client",
            "Invalid or inactive Client ID",
            detail="client 'digitalent-inactive' is inactive",
        ),
        "timestamp_window": e(
            408,
            "timestamp_window",
            "Request timestamp expired",
            detail="Request-Timestamp is 420 s from the sandbox clock; the window is +/-300 s",
        ),
        "signature": e(
            401,
            "signature",
            "Invalid signature",
            detail="HMAC-SHA256 of METHOD:urlPath:body:timestamp:requestId does not match",
        ),
        "replay": e(
            409,
            "replay",
            "Duplicate Request-Id",
            detail="Request-Id af01c41a-788a-4db1-a08c-14b7982c2d9a was already used",
        ),
        "not_found": e(404, "not_found", "Akademi not found", detail="no akademi with id 999"),
        **openapi.pipeline_errors(),
    }
    return {
        rule: openapi.answer(render_error, "Error", err, err.message)
        for rule, err in errors.items()
    }


def complete(document: Document) -> None:
    openapi.add_models(document, (IdBody,))
    openapi.add_schemas(document, {"Error": ERROR_SCHEMA})
    openapi.add_security_schemes(document, SECURITY_SCHEMES)
    answers = _errors()
    for method, path, operation in openapi.operations(document):
        operation["security"] = SIGNED
        openapi.add_parameters(operation, HEADERS)
        # In the documented order; every request's id is single-use, GET's too.
        rules = [
            "missing_headers",
            "request_id_format",
            "client",
            "timestamp_window",
            "signature",
            "replay",
            "rate_limit",
            "fault",
        ]
        if "requestBody" in operation or operation.get("parameters"):
            rules.append("validation")
        if "requestBody" in operation or "{" in path:
            rules.append("not_found")
        if method != "GET":
            rules.append("body_too_large")
        openapi.add_errors(operation, (answers[r] for r in rules))
