"""The bearer check SATUSEHAT's gateway runs before every KYC endpoint.

Missing, unknown or expired ``Authorization: Bearer`` -> 401 with the documented ``fault``.
Two paths pass through: the token endpoint (it checks its own form credentials) and the
validation page with its own calls (the browser in the iframe has no bearer; the uuid token in
the URL is its credential).
"""

from sqlalchemy import bindparam

from mock_server.core.pipeline import Incoming
from mock_server.core.provider import Authenticate, ProviderContext
from mock_server.providers.kyc.errors import TOKEN_PATH, invalid_token
from mock_server.providers.kyc.models import KycToken

VALIDATION_WEB = "/kyc/v1/validation-web/"


def build_authenticate(ctx: ProviderContext) -> Authenticate:
    tokens = KycToken.__table__
    select_token = ctx.db.prepare(
        tokens.select().where(tokens.c.access_token == bindparam("token"))  # type: ignore[attr-defined]
    )

    async def authenticate(req: Incoming) -> str | None:
        if req.path == TOKEN_PATH or req.path.startswith(VALIDATION_WEB):
            return None
        scheme, _, token = req.headers.get("authorization", "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise invalid_token(
                "bearer_missing",
                "send Authorization: Bearer <access_token> from /oauth2/v1/accesstoken",
            )
        row = select_token.first(token=token)
        if row is None:
            raise invalid_token(
                "bearer_unknown", "this access token was never issued by the sandbox"
            )
        req.record.client_id = row.client_id
        now = ctx.clock.timestamp()
        if now >= row.expires_at:
            raise invalid_token(
                "bearer_expired",
                f"the access token expired {now - row.expires_at:.0f} s ago (sandbox clock)",
            )
        return row.client_id

    return authenticate
