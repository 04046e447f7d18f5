"""SATUSEHAT KYC endpoints: the token, generate-url (encrypted or clear), challenge-code, and the
validation page with the two calls its script makes. Each handler reads the request and answers;
what it does to the state is ``KycState``'s."""

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from mock_server.core.apps import provider_app
from mock_server.core.context import RequestContext, request_context
from mock_server.core.edge import public_origin
from mock_server.core.errors import ProviderError
from mock_server.providers.kyc.envelope import BEGIN
from mock_server.providers.kyc.errors import bad_request, metadata, operation_outcome, render_error
from mock_server.providers.kyc.page import render_page, render_unusable
from mock_server.providers.kyc.schemas import (
    ChallengeRequest,
    GenerateUrl,
    Patient,
    VerifyRequest,
    parse_json,
    validate,
)
from mock_server.providers.kyc.signing import FORM
from mock_server.providers.kyc.state import (
    CHALLENGE_SECONDS,
    GENERATE_EXAMPLE,
    KycState,
    expired,
)

REQUEST_PER_NIK = "request_per_nik"  # the only method the doc lists
CHALLENGE_EXAMPLE = (
    '{"metadata": {"method": "request_per_nik"}, "data": {"nik": "...", "name": "..."}}'
)
VERDICT_ERRORS = {
    "wrong_code": "the challenge code does not match",
    "expired": "the challenge code has expired; request a new one",
}
Token = Annotated[str, Path(max_length=64)]
# The request, and through it the KYC state: one dependency per handler.
Call = Annotated[RequestContext[KycState], Depends(request_context)]


def bearer_client(ctx: RequestContext[KycState]) -> str:
    """The client whose bearer the gateway accepted; "" when none did (lenient mode serves a
    request without a valid token too)."""
    return ctx.principal.client_id or ""


router = APIRouter()


def ok(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(metadata(200, "OK", data))


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def public_base(request: Request, state: KycState) -> str:
    """Where the validation page is reached: the configured base, else where the request reached
    this sandbox (the edge's host name, or this port's own address; see ``public_origin``)."""
    if state.settings.public_base_url:
        return state.settings.public_base_url.rstrip("/")
    return public_origin(request.scope, state.ctx.core.trusted_proxy_addresses)


@router.post("/oauth2/v1/accesstoken")
async def access_token(request: Request, ctx: Call) -> JSONResponse:
    """OAuth2 client_credentials: form-encoded client_id and client_secret."""
    grant_type = request.query_params.get("grant_type")
    if grant_type != "client_credentials":
        hint = ""
        if "grant_type=" in ctx.body.decode("latin-1"):
            hint = " (grant_type goes in the query string, not the form body)"
        raise operation_outcome(
            400,
            "grant_type",
            "grant_type must be client_credentials",
            detail=f"query grant_type is {grant_type!r}; send ?grant_type=client_credentials"
            + hint,
        )
    if content_type(request) != FORM:
        raise operation_outcome(
            400,
            "content_type",
            f"Content-Type must be {FORM}",
            detail=f"got {request.headers.get('content-type', 'none')!r}",
        )
    form = parse_qs(ctx.body.decode("utf-8", "replace"))
    client_id = (form.get("client_id") or [""])[0]
    client_secret = (form.get("client_secret") or [""])[0]
    ctx.identify(client_id[:128] or None)
    # These are the client's own credentials, not the gateway's bearer check: they answer
    # their documented OperationOutcome in lenient mode too, since no token can be issued
    # without a client (and a token handed to an unknown client would be a lie).
    return JSONResponse(ctx.backend.grant(client_id, client_secret, ctx.now))


@router.post("/kyc/v1/generate-url")
async def generate_url(request: Request, ctx: Call) -> Response:
    """A validation-web URL for an agent: encrypted (text/plain) or clear (application/json)."""
    encrypted = content_type(request) == "text/plain" or ctx.body.lstrip().startswith(
        BEGIN.encode()
    )
    payload = (
        ctx.backend.open_sealed(ctx.body) if encrypted else parse_json(ctx.body, GENERATE_EXAMPLE)
    )
    link = ctx.backend.generate_url(
        validate(GenerateUrl, payload),
        encrypted=encrypted,
        client_id=bearer_client(ctx),
        base_url=public_base(request, ctx.backend),
        now=ctx.now,
    )
    if link.sealed is None:
        return JSONResponse(link.reply)
    # The doc says every reply is application/json, the encrypted one included.
    return Response(link.sealed, media_type="application/json")


@router.post("/kyc/v1/challenge-code")
async def challenge_code(ctx: Call) -> JSONResponse:
    """A 6-digit code the patient sees in SATUSEHAT Mobile, valid 5 minutes."""
    payload = parse_json(ctx.body, CHALLENGE_EXAMPLE)
    meta = payload.get("metadata")
    method = meta.get("method") if isinstance(meta, dict) else None
    if method is not None and method != REQUEST_PER_NIK:
        raise bad_request(
            f"metadata.method {str(method)[:64]!r} is unknown; "
            f"the only method is {REQUEST_PER_NIK}",
            rule="method",
        )
    fields = validate(ChallengeRequest, payload)
    return ok(ctx.backend.challenge(fields.data.nik, fields.data.name, ctx.now))


@router.get("/kyc/v1/validation-web/{token}", response_class=HTMLResponse)
async def validation_web(token: Token, ctx: Call) -> HTMLResponse:
    """The page the facility shows in an iframe, where the operator validates a patient."""
    session = ctx.backend.session(token)
    if session is None:
        return render_unusable("unknown", 404)
    if expired(session, ctx.now):
        return render_unusable("expired", 410)
    return render_page(session, challenge_seconds=CHALLENGE_SECONDS)


@router.post("/kyc/v1/validation-web/{token}/challenge-code")
async def page_challenge(token: Token, ctx: Call) -> JSONResponse:
    """The page's call: a challenge code for the patient the operator entered."""
    patient = validate(Patient, parse_json(ctx.body, '{"nik": "...", "name": "..."}'))
    session = ctx.backend.live_session(token, ctx.now)
    # The page has no bearer: the journal names the client the session was made for.
    ctx.identify(session.client_id)
    return ok(ctx.backend.page_challenge(session, patient.nik, patient.name, ctx.now))


@router.post("/kyc/v1/validation-web/{token}/verify")
async def page_verify(token: Token, ctx: Call) -> JSONResponse:
    """The page's call: the code the patient read from the app -> the verdict."""
    fields = validate(VerifyRequest, parse_json(ctx.body, '{"challenge_code": "123456"}'))
    result = ctx.backend.verify(token, fields.challenge_code, ctx.now)
    ctx.identify(result.session["client_id"])
    if result.verdict != "validated":
        error = VERDICT_ERRORS[result.verdict]
        raise ProviderError(
            400,
            f"challenge_{result.verdict}",
            "Bad Request",
            detail=error,
            body=metadata(
                400,
                "Bad Request",
                {"verdict": result.verdict, "error": error} | {"session": result.session},
            ),
        )
    return ok({"verdict": "validated", "session": result.session})


def build_app(state: KycState) -> FastAPI:
    return provider_app([router], render_error, title="SATUSEHAT KYC (mock)")
