"""SATUSEHAT KYC's three documented error shapes.

- the token endpoint: a FHIR ``OperationOutcome``;
- a missing, unknown or expired bearer: the gateway's ``fault`` object;
- everything else: ``{"metadata": {"code": "400", "message": "Bad Request"}, "data": {...}}``,
  ``code`` a string as in the doc's examples, ``data.error`` saying what was wrong.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from mock_server.core.errors import ProviderError
from mock_server.providers.kyc.envelope import STEPS, EnvelopeError
from mock_server.providers.kyc.signing import TOKEN_PATH

BAD_CREDENTIALS = (
    "The user or system was not able to be authenticated "
    "(either client_id or client_secret combination is unacceptable)"
)
INVALID_TOKEN = "Invalid Access Token"
INVALID_TOKEN_FAULT = {
    "fault": {
        "faultstring": INVALID_TOKEN,
        "detail": {"errorcode": "keymanagement.service.invalid_access_token"},
    }
}


def render_error(err: ProviderError, request: Request) -> JSONResponse:
    if err.body is not None:
        return JSONResponse(err.body, status_code=err.status)
    if request.url.path == TOKEN_PATH:
        # The doc files every token error (wrong method, bad format) under OperationOutcome.
        return JSONResponse(outcome_body(err.detail or err.message), status_code=err.status)
    data: dict[str, Any] = {"error": err.detail or err.message}
    if err.errors:
        data["errors"] = err.errors
    return JSONResponse(metadata(err.status, err.message, data), status_code=err.status)


def metadata(status: int, message: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"code": str(status), "message": message}, "data": data}


def outcome_body(text: str) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "invalid", "code": "value", "details": {"text": text}}],
    }


def operation_outcome(status: int, rule: str, text: str, detail: str) -> ProviderError:
    return ProviderError(status, rule, text, detail=detail, body=outcome_body(text))


def invalid_token(rule: str, detail: str, diagnosis: dict[str, Any] | None = None) -> ProviderError:
    """A failure of the gateway's bearer check: its documented fault, whatever went wrong."""
    return ProviderError(
        401, rule, INVALID_TOKEN, detail=detail, diagnosis=diagnosis, body=INVALID_TOKEN_FAULT
    )


def bad_request(detail: str, rule: str = "validation", **kwargs: Any) -> ProviderError:
    return ProviderError(400, rule, "Bad Request", detail=detail, **kwargs)


def envelope_diagnosis(step: str) -> dict[str, Any]:
    """Which step of opening the message failed, and which ones it got through."""
    passed = list(STEPS[: STEPS.index(step)]) if step in STEPS else list(STEPS)
    return {"envelope": {"failed_step": step, "passed_steps": passed}}


def bad_envelope(exc: EnvelopeError, public_key_url: str) -> ProviderError:
    """``public_key_url``: where the sandbox's own public key is served, for the hint."""
    # The one real envelope failure seen says "Error: Bad Request" (provider-docs/README.md).
    diagnosis = envelope_diagnosis(exc.step)
    if exc.step == "rsa_unwrap":
        diagnosis["hints"] = [
            exc.hint,
            "this sandbox has its own key pair (the real server's private key is not public): "
            "encrypt to the key `mock-server kyc-public-key` prints, or "
            f"GET {public_key_url}",
        ]
    elif exc.hint:
        diagnosis["hints"] = [exc.hint]
    return ProviderError(
        400,
        "envelope",
        "Error: Bad Request",
        detail=str(exc),  # the response's words are unchanged; the step goes to the journal
        diagnosis=diagnosis,
    )


def not_found(detail: str, rule: str = "not_found") -> ProviderError:
    return ProviderError(404, rule, "Not Found", detail=detail)
