"""SATUSEHAT KYC's OpenAPI document: the token form, the bodies, the bearer and the three
documented error shapes.

The gateway's bearer is an OAuth2 client_credentials flow (``oauth2``), required by generate-url
and challenge-code. The token endpoint checks its own form credentials and the validation page
its URL token, so they take no scheme. Each error shape is a schema of its own: the token
endpoint's ``OperationOutcome``, the gateway's ``fault``, and the ``metadata`` envelope of
everything else. Every example error is what ``render_error`` answers.

The examples are the doc's, but for the NIKs, which the doc masks (``################``): a
16-digit NIK instead, as the sandbox requires.
"""

from mock_server.core import openapi
from mock_server.core.errors import ProviderError
from mock_server.core.openapi import Document, ErrorAnswer
from mock_server.providers.kyc.envelope import BEGIN
from mock_server.providers.kyc.errors import (
    BAD_CREDENTIALS,
    INVALID_TOKEN,
    INVALID_TOKEN_FAULT,
    render_error,
)
from mock_server.providers.kyc.schemas import ChallengeRequest, GenerateUrl, Patient, VerifyRequest
from mock_server.providers.kyc.signing import TOKEN_PATH

DOC_PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwqoicEXIYWYV3PvLIdvB\n"
    "qFkHn2IMhPGKTiB2XA56enpPb0UbI9oHoetRF41vfwMqfFsy5Yd5LABxMGyHJBbP\n"
    "+3fk2/PIfv+7+9/dKK7h1CaRTeT4lzJBiUM81hkCFlZjVFyHUFtaNfvQeO2OYb7U\n"
    "kK5JrdrB4sgf50gHikeDsyFUZD1o5JspdlfqDjANYAhfz3aam7kCjfYvjgneqkV8\n"
    "pZDVqJpQA3MHAWBjGEJ+R8y03hs0aafWRfFG9AcyaA5Ct5waUOKHWWV9sv5DQXmb\n"
    "EAoqcx0ZPzmHJDQYlihPW4FIvb93fMik+eW8eZF3A920DzuuFucpblWU9J9o5w+2\n"
    "oQIDAQAB\n-----END PUBLIC KEY-----"
)
GENERATE_URL_EXAMPLE = {
    "agent_name": "Bambang Wisanggeni",
    "agent_nik": "3174011201900001",
    "public_key": DOC_PUBLIC_KEY,
}
# The doc's encrypted example, shortened: a real one is sealed to this sandbox's public key.
ENCRYPTED_EXAMPLE = (
    f"{BEGIN}\r\nimR0er0J0xjdlqFi+0D148UN54vyid+h5NGz8/vB5sChiPUVtS+72Ancyqcj22l5/UihwNCXG35N\r\n"
    "...\r\n-----END ENCRYPTED MESSAGE-----"
)
CHALLENGE_EXAMPLE = {
    "metadata": {"method": "request_per_nik"},
    "data": {"nik": "3174015506850002", "name": "Budi Santoso"},
}
PATIENT_EXAMPLE = {"nik": "3174015506850002", "name": "Budi Santoso"}
VERIFY_EXAMPLE = {"challenge_code": "804821"}
TOKEN_FORM = {
    "type": "object",
    "required": ["client_id", "client_secret"],
    "properties": {
        "client_id": {"type": "string", "description": "from DTO Kementerian Kesehatan"},
        "client_secret": {"type": "string", "description": "from DTO Kementerian Kesehatan"},
    },
}
SECURITY_SCHEMES = {
    "oauth2": {
        "type": "oauth2",
        "description": "Authorization: Bearer <access_token> (token_type BearerToken), from "
        "POST /oauth2/v1/accesstoken?grant_type=client_credentials with the form-encoded "
        "client_id and client_secret; the sandbox clock decides expiry.",
        "flows": {
            "clientCredentials": {
                "tokenUrl": "/oauth2/v1/accesstoken?grant_type=client_credentials",
                "scopes": {},
            }
        },
    }
}
_TEXT = {"type": "string"}
SCHEMAS = {
    "OperationOutcome": {
        "type": "object",
        "description": "The token endpoint's errors (FHIR OperationOutcome).",
        "required": ["resourceType", "issue"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
            "issue": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "severity": _TEXT,
                        "code": _TEXT,
                        "details": {"type": "object", "properties": {"text": _TEXT}},
                    },
                },
            },
        },
    },
    "fault": {
        "type": "object",
        "description": "The gateway's answer to a missing, unknown or expired bearer.",
        "required": ["fault"],
        "properties": {
            "fault": {
                "type": "object",
                "properties": {
                    "faultstring": _TEXT,
                    "detail": {"type": "object", "properties": {"errorcode": _TEXT}},
                },
            }
        },
    },
    "metadata": {
        "type": "object",
        "description": "Every other error: metadata.code the status as a string (as in the "
        "doc's examples), data.error what was wrong.",
        "required": ["metadata", "data"],
        "properties": {
            "metadata": {
                "type": "object",
                "properties": {"code": _TEXT, "message": _TEXT},
            },
            "data": {"type": "object", "properties": {"error": _TEXT}},
        },
    },
}


def _token_errors() -> list[ErrorAnswer]:
    def outcome(status: int, rule: str, text: str) -> ErrorAnswer:
        err = ProviderError(status, rule, text, detail=text)
        return openapi.answer(render_error, "OperationOutcome", err, text, path=TOKEN_PATH)

    return [
        outcome(400, "grant_type", "grant_type must be client_credentials"),
        outcome(400, "content_type", "Content-Type must be application/x-www-form-urlencoded"),
        outcome(401, "credentials", BAD_CREDENTIALS),
    ]


def _metadata(err: ProviderError, description: str) -> ErrorAnswer:
    return openapi.answer(render_error, "metadata", err, description, path="/kyc/v1/")


def _errors() -> dict[str, ErrorAnswer]:
    e = ProviderError
    answers = {
        "bearer": openapi.answer(
            render_error,
            "fault",
            e(401, "bearer_expired", INVALID_TOKEN, body=INVALID_TOKEN_FAULT),
            "a missing, unknown or expired bearer, or a deactivated client's",
        ),
        "validation": _metadata(
            e(
                400,
                "validation",
                "Bad Request",
                detail="invalid fields: agent_nik: Value error, must be 16 digits",
                errors=[{"field": "agent_nik", "message": "Value error, must be 16 digits"}],
            ),
            "the body is not the JSON expected",
        ),
        "envelope": _metadata(
            e(
                400,
                "envelope",
                "Error: Bad Request",
                detail="failed to decrypt ciphertext: crypto/rsa: decryption error",
            ),
            "the encrypted message cannot be opened",
        ),
        "patient_unknown": _metadata(
            e(404, "patient_unknown", "Not Found", detail="no patient with NIK 3174015506850002"),
            "no such patient (strict patients mode)",
        ),
        "session_unknown": _metadata(
            e(404, "session_unknown", "Not Found", detail="this validation link is unknown"),
            "unknown validation link",
        ),
        "session_expired": _metadata(
            e(410, "session_expired", "Gone", detail="this validation link has expired"),
            "expired validation link",
        ),
    }
    for rule, err in openapi.pipeline_errors().items():
        answers[rule] = _metadata(err, err.message)
    return answers


def complete(document: Document) -> None:
    openapi.add_models(document, (GenerateUrl, ChallengeRequest, Patient, VerifyRequest))
    openapi.add_schemas(document, SCHEMAS)
    openapi.add_security_schemes(document, SECURITY_SCHEMES)
    answers = _errors()
    for method, path, operation in openapi.operations(document):
        if path == TOKEN_PATH:
            openapi.add_errors(operation, _token_errors())
            rules = ["rate_limit", "fault", "body_too_large"]
        elif path.startswith("/kyc/v1/validation-web/"):
            rules = ["session_unknown", "session_expired", "rate_limit", "fault"]
            if method == "POST":
                rules += ["validation", "body_too_large"]
        else:
            operation["security"] = [{"oauth2": []}]
            rules = ["bearer", "validation", "rate_limit", "fault", "body_too_large"]
            rules += ["envelope"] if path.endswith("generate-url") else ["patient_unknown"]
        if method == "GET":  # the page: its own HTML answers stay as the route declares them
            rules = [r for r in rules if not r.startswith("session_")]
        openapi.add_errors(operation, (answers[r] for r in rules))
