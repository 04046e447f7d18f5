"""The x-app-key API's OpenAPI document: bodies, the doc's headers and the error answers.

The doc's headers: ``x-app-key`` and ``x-user-token`` are API keys; ``Authorization`` is a
bearer whose token depends on the operation (``auth.REQUIREMENTS``), so each kind is a scheme of
its own (``private_key``, ``access_token``, ``refresh_token``, ``user_token_bearer``) and each
operation names the one it takes. ``x-request-id`` and ``x-language`` are header parameters.
Every example error is what ``render_error`` answers without x-language (Bahasa Indonesia).
"""

from mock_server.core import openapi
from mock_server.core.errors import ProviderError
from mock_server.core.openapi import Document, ErrorAnswer, header
from mock_server.providers.appkey.errors import AppKeyError, render_error
from mock_server.providers.appkey.messages import both
from mock_server.providers.appkey.schemas import AddressBody, LoginBody
from mock_server.providers.appkey.signing import REQUIREMENTS, Requirement

LOGIN_EXAMPLE = {"username": "demo@example.com", "password": "demo-password"}
ADDRESS_EXAMPLE = {
    "label": "Rumah",
    "recipient_name": "Budi",
    "phone": "081234567890",
    "street": "Jl. Merdeka No. 1",
    "city": "Bandung",
    "province_code": "32",
    "postal_code": "40111",
}


def _bearer(description: str) -> dict[str, str]:
    return {"type": "http", "scheme": "bearer", "description": description}


SECURITY_SCHEMES = {
    "x-app-key": {
        "type": "apiKey",
        "in": "header",
        "name": "x-app-key",
        "description": "The public key provided to you; identifies the client system "
        "initiating the API request.",
    },
    "x-user-token": {
        "type": "apiKey",
        "in": "header",
        "name": "x-user-token",
        "description": "Issued upon successful user authentication; include it in requests to "
        "endpoints that access data specific to the authenticated user.",
    },
    "private_key": _bearer("Authorization: Bearer <the app's private key>, to log a user in."),
    "access_token": _bearer(
        "Authorization: Bearer <access_token>, obtained after a successful authentication, "
        "for regular API requests."
    ),
    "refresh_token": _bearer(
        "Authorization: Bearer <refresh_token>, to obtain a new access token."
    ),
    "user_token_bearer": _bearer(
        "Authorization: Bearer <x-user-token>, to request a new refresh token."
    ),
}
BEARER_SCHEME = {
    "private_key": "private_key",
    "access": "access_token",
    "refresh": "refresh_token",
    "user": "user_token_bearer",
}
HEADERS = [
    header(
        "x-request-id",
        "The identity of each API request; the value should be unique (a second use by this "
        "app is 409).",
        {"type": "string", "minLength": 1, "maxLength": 128},
    ),
    header(
        "x-language",
        "The language of the messages in the response: id (Bahasa Indonesia, the default) or "
        "en (English); any other value falls back to id.",
        {"type": "string", "enum": ["id", "en"], "default": "id"},
        required=False,
    ),
]
ERROR_SCHEMA = {
    "type": "object",
    "description": "The error envelope (the mock's choice; the doc gives no error body), in "
    "the language x-language asks for. code is stable across languages.",
    "required": ["success", "code", "message"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "code": {"type": "string", "example": "TOKEN_EXPIRED"},
        "message": {"type": "string"},
        "detail": {"type": "string"},
        "errors": openapi.FIELD_ERRORS,
    },
}


def requirement_of(path: str) -> Requirement | None:
    return next((r for pattern, r in REQUIREMENTS if pattern.fullmatch(path)), None)


def _errors() -> dict[str, ErrorAnswer]:
    a = AppKeyError
    errors: dict[str, ProviderError] = {
        "app_key_missing": a(401, "app_key_missing"),
        "app_key_unknown": a(401, "app_key_unknown"),
        "app_key_inactive": a(401, "app_key_inactive"),
        "request_id_missing": a(400, "request_id_missing"),
        "authorization_missing": a(401, "authorization_missing"),
        "private_key": a(401, "private_key"),
        "token_expired": a(
            401,
            "token_expired",
            details=both("access token kedaluwarsa", "the access token has expired"),
        ),
        "token_revoked": a(401, "token_revoked"),
        "user_token_missing": a(401, "user_token_missing"),
        "user_token_mismatch": a(401, "user_token_mismatch"),
        "login": a(401, "login"),
        "validation": a(
            400,
            "validation",
            details=both("isian tidak valid", "invalid fields"),
            errors=[{"field": "phone", "message": both("formatnya tidak valid", "invalid")}],
        ),
        "not_found": a(
            404,
            "not_found",
            details=both("alamat dengan id 99 tidak ditemukan", "no address with id 99"),
        ),
        "replay": a(409, "replay"),
        **openapi.pipeline_errors(),
    }
    return {
        rule: openapi.answer(render_error, "Error", err, err.message)
        for rule, err in errors.items()
    }


def complete(document: Document) -> None:
    openapi.add_models(document, (LoginBody, AddressBody))
    openapi.add_schemas(document, {"Error": ERROR_SCHEMA})
    openapi.add_security_schemes(document, SECURITY_SCHEMES)
    answers = _errors()
    for method, path, operation in openapi.operations(document):
        requirement = requirement_of(path) or Requirement("access")
        security: dict[str, list[str]] = {"x-app-key": [], BEARER_SCHEME[requirement.bearer]: []}
        if requirement.user_token:
            security["x-user-token"] = []
        operation["security"] = [security]
        openapi.add_parameters(operation, HEADERS)
        rules = [
            "app_key_missing",
            "app_key_unknown",
            "app_key_inactive",
            "request_id_missing",
            "authorization_missing",
        ]
        if requirement.bearer == "private_key":
            rules += ["private_key", "login"]
        else:
            rules += ["token_expired", "token_revoked"]
        if requirement.user_token:
            rules += ["user_token_missing", "user_token_mismatch"]
        if "requestBody" in operation or "{" in path:
            rules.append("validation")
        if "{" in path:
            rules.append("not_found")
        rules += ["replay", "rate_limit", "fault"]
        if method != "GET":
            rules.append("body_too_large")
        openapi.add_errors(operation, (answers[r] for r in rules))
