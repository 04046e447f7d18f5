"""SATUSEHAT KYC endpoints: the token, generate-url (encrypted or clear), challenge-code, and the
validation page with the two calls its script makes."""

import hmac
import json
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Path, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from mock_server.core.deps import RecordDep
from mock_server.core.errors import ProviderError
from mock_server.core.pipeline import NO_TELEMETRY, install_error_handlers
from mock_server.core.provider import ProviderContext
from mock_server.providers.kyc.envelope import (
    BEGIN,
    EnvelopeError,
    load_public_key,
    open_message,
    seal,
)
from mock_server.providers.kyc.errors import (
    BAD_CREDENTIALS,
    bad_envelope,
    bad_request,
    envelope_diagnosis,
    metadata,
    operation_outcome,
    render_error,
)
from mock_server.providers.kyc.keys import load_server_key
from mock_server.providers.kyc.page import render_page, render_unusable
from mock_server.providers.kyc.schemas import (
    ChallengeRequest,
    GenerateUrl,
    Patient,
    VerifyRequest,
    parse_json,
    validate,
)
from mock_server.providers.kyc.state import KycState

REQUEST_PER_NIK = "request_per_nik"  # the only method the doc lists
FORM = "application/x-www-form-urlencoded"
GENERATE_EXAMPLE = '{"agent_name": "...", "agent_nik": "16 digits", "public_key": "PEM"}'
CHALLENGE_EXAMPLE = (
    '{"metadata": {"method": "request_per_nik"}, "data": {"nik": "...", "name": "..."}}'
)
Token = Annotated[str, Path(max_length=64)]


def ok(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(metadata(200, "OK", data))


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def build_app(ctx: ProviderContext) -> FastAPI:
    settings = ctx.settings
    state = KycState(ctx)
    server_key = load_server_key(settings.server_private_key)
    app = FastAPI(
        telemetry=NO_TELEMETRY, title="SATUSEHAT KYC (mock)", docs_url=None, redoc_url=None
    )
    install_error_handlers(app, render_error)

    def public_base(request: Request) -> str:
        if settings.public_base_url:
            return settings.public_base_url.rstrip("/")
        host = request.headers.get("host") or f"127.0.0.1:{settings.port}"
        return f"{request.url.scheme}://{host}"

    @app.post("/oauth2/v1/accesstoken")
    async def access_token(request: Request, record: RecordDep) -> JSONResponse:
        """OAuth2 client_credentials: form-encoded client_id and client_secret."""
        grant_type = request.query_params.get("grant_type")
        if grant_type != "client_credentials":
            hint = ""
            if "grant_type=" in record.body.decode("latin-1"):
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
        form = parse_qs(record.body.decode("utf-8", "replace"))
        client_id = (form.get("client_id") or [""])[0]
        client_secret = (form.get("client_secret") or [""])[0]
        client = state.client(client_id) if client_id else None
        record.client_id = client_id[:128] or None
        # These are the client's own credentials, not the gateway's bearer check: they answer
        # their documented OperationOutcome in lenient mode too, since no token can be issued
        # without a client (and a token handed to an unknown client would be a lie).
        if client is None or not _same(client.client_secret, client_secret):
            raise operation_outcome(
                401,
                "credentials",
                BAD_CREDENTIALS,
                detail="client_id unknown"
                if client is None
                else "client_secret does not match this client_id",
            )
        if not client.active:
            raise operation_outcome(
                401,
                "client_inactive",
                BAD_CREDENTIALS,
                detail="this client was deactivated on the control plane",
            )
        token, issued = state.issue_token(client.client_id)
        # Field order and values as the doc's example; every value is a string there.
        return JSONResponse(
            {
                "refresh_token_expires_in": "0",
                "api_product_list": "[api-sandbox]",
                "api_product_list_json": ["api-sandbox"],
                "organization_name": client.organization_name,
                "developer.email": client.developer_email,
                "token_type": "BearerToken",
                "issued_at": str(int(issued * 1000)),
                "client_id": client.client_id,
                "access_token": token,
                "application_name": client.application_name,
                "scope": "",
                "expires_in": str(settings.token_lifetime),
                "refresh_count": "0",
                "status": "approved",
            }
        )

    @app.post("/kyc/v1/generate-url")
    async def generate_url(request: Request, record: RecordDep) -> Response:
        """A validation-web URL for an agent: encrypted (text/plain) or clear (application/json)."""
        body = record.body
        encrypted = content_type(request) == "text/plain" or body.lstrip().startswith(
            BEGIN.encode()
        )
        if encrypted:
            try:
                plaintext = open_message(body, server_key)
            except EnvelopeError as exc:
                raise bad_envelope(exc) from None
            try:
                payload = parse_json(plaintext, GENERATE_EXAMPLE)
            except ProviderError as err:
                # Decrypted fine, but what the client sealed is not the JSON object expected.
                err.diagnosis.update(envelope_diagnosis("json"))
                raise
        else:
            payload = parse_json(body, GENERATE_EXAMPLE)
        fields = validate(GenerateUrl, payload)
        try:
            client_key = load_public_key(fields.public_key)
        except EnvelopeError as exc:
            raise bad_request(
                str(exc),
                rule="public_key",
                diagnosis=envelope_diagnosis("public_key") if encrypted else None,
            ) from None
        token = state.create_session(record.client_id or "", fields.agent_name, fields.agent_nik)
        reply = metadata(
            200,
            "OK",
            {
                "agent_name": fields.agent_name,
                "agent_nik": fields.agent_nik,
                "token": token,
                "url": f"{public_base(request)}/kyc/v1/validation-web/{token}",
            },
        )
        if not encrypted:
            return JSONResponse(reply)
        sealed = seal(json.dumps(reply, separators=(",", ":")).encode(), client_key)
        # The doc says every reply is application/json, the encrypted one included.
        return Response(sealed, media_type="application/json")

    @app.post("/kyc/v1/challenge-code")
    async def challenge_code(record: RecordDep) -> JSONResponse:
        """A 6-digit code the patient sees in SATUSEHAT Mobile, valid 5 minutes."""
        payload = parse_json(record.body, CHALLENGE_EXAMPLE)
        meta = payload.get("metadata")
        method = meta.get("method") if isinstance(meta, dict) else None
        if method is not None and method != REQUEST_PER_NIK:
            raise bad_request(
                f"metadata.method {str(method)[:64]!r} is unknown; "
                f"the only method is {REQUEST_PER_NIK}",
                rule="method",
            )
        fields = validate(ChallengeRequest, payload)
        return ok(state.challenge(fields.data.nik, fields.data.name))

    @app.get("/kyc/v1/validation-web/{token}", response_class=HTMLResponse)
    async def validation_web(token: Token) -> HTMLResponse:
        """The page the facility shows in an iframe, where the operator validates a patient."""
        session = state.session(token)
        if session is None:
            return render_unusable("unknown", 404)
        if session.status != "validated" and state.now >= session.expires_at:
            return render_unusable("expired", 410)
        return render_page(session, challenge_seconds=300)

    @app.post("/kyc/v1/validation-web/{token}/challenge-code")
    async def page_challenge(token: Token, record: RecordDep) -> JSONResponse:
        """The page's call: a challenge code for the patient the operator entered."""
        patient = validate(Patient, parse_json(record.body, '{"nik": "...", "name": "..."}'))
        session = state.live_session(token)
        record.client_id = session.client_id
        return ok(state.page_challenge(token, patient.nik, patient.name))

    @app.post("/kyc/v1/validation-web/{token}/verify")
    async def page_verify(token: Token, record: RecordDep) -> JSONResponse:
        """The page's call: the code the patient read from the app -> the verdict."""
        fields = validate(VerifyRequest, parse_json(record.body, '{"challenge_code": "123456"}'))
        result = state.verify(token, fields.challenge_code)
        record.client_id = result.session["client_id"]
        if result.verdict != "validated":
            messages = {
                "wrong_code": "the challenge code does not match",
                "expired": "the challenge code has expired; request a new one",
            }
            raise ProviderError(
                400,
                f"challenge_{result.verdict}",
                "Bad Request",
                detail=messages[result.verdict],
                body=metadata(
                    400,
                    "Bad Request",
                    {"verdict": result.verdict, "error": messages[result.verdict]}
                    | {"session": result.session},
                ),
            )
        return ok({"verdict": "validated", "session": result.session})

    return app


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
