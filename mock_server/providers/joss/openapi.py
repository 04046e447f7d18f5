"""JOSS's OpenAPI document: the bodies, the signature headers and the error answers.

The credentials are the doc's request headers: ``Client-Id`` and ``Signature`` as API keys (they
are what proves the caller), ``Request-Id`` and ``Request-Timestamp`` as header parameters, since
a security scheme cannot say their form (a schema can). Accept and Content-Type are not
parameters (OpenAPI ignores parameters of those names): the operation says what they take and
the 406 and 415 answers what happens otherwise. Every example error is what ``render_error``
answers.
"""

from typing import Any

from mock_server.core import openapi
from mock_server.core.errors import ProviderError
from mock_server.core.openapi import Document, ErrorAnswer, header
from mock_server.providers.joss.auth import EXPIRED, INVALID
from mock_server.providers.joss.errors import FORBIDDEN, NOT_FOUND, VALIDATION, render_error
from mock_server.providers.joss.render import JSON, XML
from mock_server.providers.joss.schemas import Company, IndustrialVacancy

COMPANY_ID = "1edd9893-f1a3-45dd-89d4-bc4dc9a071d0"  # the doc site's example employer id
# Seeded reference ids (uuid5 of kind and name, see the fixture): Kota Jakarta Selatan, Kota
# Bandung, KBLI J Informasi dan Komunikasi, Sarjana (S1), Teknologi Informasi, PKWT.
JAKARTA_SELATAN = "97e4f94f-80cc-5912-8638-bee245531d06"
BANDUNG = "dc477e83-5857-557a-bd93-253567d711fb"
INFOKOM = "69535fde-b53b-57d4-8d62-4179e7fdd134"
SARJANA = "8f9e8866-c137-52b8-b946-77fd9a43592e"
IT = "bbfc6660-b680-577b-8758-2a2a33022711"
PKWT = "8679e4e1-944b-5bea-aec3-63e4be2ff66e"

# The employer of the doc site's example, with seeded reference ids.
COMPANY_EXAMPLE: dict[str, Any] = {
    "region": {"type": "city", "id": JAKARTA_SELATAN, "country_code": "ID"},
    "name": "PT Testing",
    "postal_code": "12850",
    "address": "Gedung Semanggi Square, Jl. Semanggi Raya No.1A, Kota Jakarta Selatan",
    "phone": "021-8791124",
    "email": "info@testing.com",
    "license_number": "909201921212",
    "industry": INFOKOM,
    "about": "PT Testing adalah perusahaan yang berfokus pada pengelolaan kelapa sawit.",
    "website": "https://www.testing.com",
    "latitude": "-6.238028583492814",
    "longitude": "106.82998199652216",
    "logo_uri": "https://example.com/logo.png",
}
VACANCY_EXAMPLE: dict[str, Any] = {
    "title": "Junior Administrator",
    "employer": {"id": COMPANY_ID, **COMPANY_EXAMPLE},
    "position": "Administrator Sistem",
    "job_function": IT,
    "description": "Mengelola server dan jaringan kantor.",
    "workers_needed": 2,
    "valid_from": "2025-11-01",
    "valid_until": "2025-12-31",
    "age": {"min": 20, "max": 35},
    "gender": "any",
    "education_level": SARJANA,
    "skills": ["Linux", "Jaringan komputer"],
    "min_experience_years": 1,
    "salary": {"min": 6_000_000, "max": 9_000_000, "currency": "IDR"},
    "work_location": {
        "region": {"type": "city", "id": BANDUNG, "country_code": "ID"},
        "address": "Jl. Asia Afrika No. 1, Bandung",
    },
    "employment_type": PKWT,
    "status": "open",
}

SECURITY_SCHEMES = {
    "Client-Id": {
        "type": "apiKey",
        "in": "header",
        "name": "Client-Id",
        "description": "Client ID retrieved from Indonesia Ministry of Man Power; staging and "
        "production have their own.",
    },
    "Signature": {
        "type": "apiKey",
        "in": "header",
        "name": "Signature",
        "description": '"HMACSHA256=" + base64(HMAC-SHA256(client secret, string to sign)); '
        "the string to sign is the lines Client-Id:<Client-Id>, Request-Id:<Request-Id>, "
        "Request-Timestamp:<Request-Timestamp>, Request-Target:<path as sent, without the "
        "query string> and, only when there is a body, Digest:<base64 SHA-256 of the raw body "
        "bytes>, joined by \\n with no trailing newline.",
    },
}
SIGNED: list[dict[str, list[str]]] = [{"Client-Id": [], "Signature": []}]
HEADERS = [
    header(
        "Request-Id",
        "Unique random string generated from client side to protect duplicate request: "
        "every request but GET needs a fresh one (a duplicate is 409). Signed.",
        {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[\\x21-\\x7e]+$"},
    ),
    header(
        "Request-Timestamp",
        "Timestamp request on UTC time in ISO8601 UTC+0 format (WIB minus 7 hours), e.g. "
        "2022-09-22T01:51:00Z; within 300 s of the sandbox clock. Signed.",
        {"type": "string", "format": "date-time", "example": "2022-09-22T01:51:00Z"},
    ),
]
ERROR_SCHEMA = {
    "type": "object",
    "description": "JOSS's error envelope (the mock's choice; the doc shows no error body), in "
    "JSON or XML (under <response>) by Accept.",
    "required": ["status", "message"],
    "properties": {
        "status": {"type": "integer", "description": "the HTTP status"},
        "message": {"type": "string", "description": "the doc's wording for the status"},
        "detail": {"type": "string", "description": "what exactly"},
        "errors": openapi.FIELD_ERRORS,
    },
    "xml": {"name": "response"},
}


def _answer(err: ProviderError, description: str) -> ErrorAnswer:
    return ErrorAnswer(
        err.status, description, "Error", openapi.rendered(render_error, err), err.rule
    )


def _errors() -> dict[str, ErrorAnswer]:
    e = ProviderError
    answers = {
        "missing_headers": _answer(
            e(
                400,
                "missing_headers",
                "Missing required headers",
                detail="missing: Request-Id, Signature",
                errors=[
                    {"field": "Request-Id", "message": "required"},
                    {"field": "Signature", "message": "required"},
                ],
            ),
            "a required header is missing",
        ),
        "header_format": _answer(
            e(
                400,
                "header_format",
                "Invalid request headers",
                detail="Request-Timestamp '2022-09-22 08:51:00' is not ISO 8601 UTC with Z, "
                "e.g. 2022-09-22T01:51:00Z (08:51:00 WIB minus 7 hours)",
            ),
            "a header is malformed",
        ),
        "bad_request": _answer(
            e(
                400,
                "bad_request",
                "Bad Request",
                detail="malformed JSON: Expecting value at line 1 column 1",
            ),
            "the body is not JSON",
        ),
        "timestamp_window": _answer(
            e(
                401,
                "timestamp_window",
                EXPIRED,
                detail="Request-Timestamp is 420 s from the sandbox clock; the window is "
                "+/-300 s (the timestamp is UTC: WIB minus 7 hours)",
            ),
            "Request-Timestamp outside the window",
        ),
        "client": _answer(
            e(401, "client", INVALID, detail="unknown Client-Id 'joss-nobody'"),
            "unknown Client-Id",
        ),
        "environment": _answer(
            e(
                401,
                "environment",
                INVALID,
                detail="Client-Id 'joss-production-client' is a production credential; this "
                "is staging",
            ),
            "a credential of the other environment",
        ),
        "signature": _answer(
            e(
                401,
                "signature",
                INVALID,
                detail="HMACSHA256 over Client-Id, Request-Id, Request-Timestamp, "
                "Request-Target and Digest does not match",
            ),
            "Invalid signature",
        ),
        "client_inactive": _answer(
            e(
                403,
                "client_inactive",
                FORBIDDEN,
                detail="Client-Id 'joss-inactive-client' is inactive",
            ),
            "the client is inactive",
        ),
        "ownership": _answer(
            e(
                403,
                "ownership",
                FORBIDDEN,
                detail=f"company {COMPANY_ID} belongs to another client",
            ),
            "another client's resource",
        ),
        "not_found": _answer(
            e(404, "not_found", NOT_FOUND, detail=f"no company with id {COMPANY_ID}"),
            "The specified resource does not exist",
        ),
        "accept": _answer(
            e(
                406,
                "accept",
                "Not Acceptable",
                detail="Accept 'text/html': only "
                "application/json and application/xml are supported",
            ),
            "Accept is neither application/json nor application/xml",
        ),
        "replay": _answer(
            e(
                409,
                "replay",
                "Conflict",
                detail="duplicate Request-Id 'b7e1…': it was already used by this client",
            ),
            "duplicate Request-Id",
        ),
        "content_type": _answer(
            e(
                415,
                "content_type",
                "Unsupported Media Type",
                detail="Content-Type 'text/plain': only application/json is supported",
            ),
            "Content-Type is not application/json",
        ),
        "validation": _answer(
            e(
                422,
                "validation",
                VALIDATION,
                detail="invalid fields: region.id, postal_code",
                errors=[
                    {"field": "region.id", "message": "Input should be a valid UUID"},
                    {"field": "postal_code", "message": "String should match pattern"},
                ],
            ),
            "Validation error",
        ),
    }
    for rule, err in openapi.pipeline_errors().items():
        answers[rule] = _answer(err, err.message)
    return answers


def complete(document: Document) -> None:
    openapi.add_models(document, (Company, IndustrialVacancy))
    openapi.add_schemas(document, {"Error": ERROR_SCHEMA})
    openapi.add_security_schemes(document, SECURITY_SCHEMES)
    answers = _errors()
    for method, path, operation in openapi.operations(document):
        operation["security"] = SIGNED
        openapi.add_parameters(operation, HEADERS)
        rules = [
            "missing_headers",
            "header_format",
            "timestamp_window",
            "client",
            "environment",
            "signature",
            "client_inactive",
            "accept",
            "rate_limit",
            "fault",
        ]
        if "{" in path:
            rules += ["not_found"] if "/references/" in path else ["ownership", "not_found"]
        if any(p["in"] == "query" for p in operation.get("parameters", [])) or "{" in path:
            rules.append("validation")
        if method != "GET":
            rules.append("replay")
        if "requestBody" in operation:
            rules += ["bad_request", "content_type", "validation", "body_too_large"]
        openapi.add_errors(operation, (answers[r] for r in dict.fromkeys(rules)), (JSON, XML))
        operation["description"] = (
            operation.get("description", "")
            + "\n\nAccept: application/json or application/xml (the answer's media type)."
            + ("\nContent-Type: application/json." if "requestBody" in operation else "")
        ).strip()
