"""The KYC backend: OAuth clients and their tokens, patients, validation sessions, challenge codes
and the server key, over the database.

Plain objects, no HTTP: the API (``routes.py``), the gateway's bearer check (``auth.py``), the
validation page and the control plane (``admin.py``) are thin faces over these methods, so they
share one behaviour and a test can call them directly. Times are unix seconds by the sandbox
clock, passed in by the caller (a request's ``now``, read once).
"""

import contextlib
import json
import secrets
import string
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import bindparam, select

from mock_server.core.compare import constant_time_equal
from mock_server.core.db import IntegrityError
from mock_server.core.errors import ProviderError
from mock_server.core.locations import url_host
from mock_server.core.provider import ProviderContext
from mock_server.providers.kyc.config import KycSettings
from mock_server.providers.kyc.envelope import EnvelopeError, load_public_key, open_message, seal
from mock_server.providers.kyc.errors import (
    BAD_CREDENTIALS,
    bad_envelope,
    bad_request,
    envelope_diagnosis,
    metadata,
    not_found,
    operation_outcome,
)
from mock_server.providers.kyc.keys import load_server_key, public_pem
from mock_server.providers.kyc.models import (
    KycChallenge,
    KycClient,
    KycPatient,
    KycSession,
    KycToken,
)
from mock_server.providers.kyc.schemas import GenerateUrl, parse_json, wib
from mock_server.providers.kyc.seed import birth_date_from, ihs_number_for

CHALLENGE_SECONDS = 300  # "valid 5 minutes": the doc's example expires 5 minutes after creation
TOKEN_LENGTH = 28  # letters and digits, as Apigee's tokens
_TOKEN_ALPHABET = string.ascii_letters + string.digits
GENERATE_EXAMPLE = '{"agent_name": "...", "agent_nik": "16 digits", "public_key": "PEM"}'

CLIENT, TOKEN, PATIENT = KycClient, KycToken, KycPatient
SESSION, CHALLENGE = KycSession, KycChallenge


@dataclass(frozen=True)
class Verdict:
    verdict: str  # validated, wrong_code, expired
    session: dict[str, Any]


@dataclass(frozen=True)
class ValidationLink:
    """generate-url's answer: the documented reply, and that reply sealed to the client's key
    when the request came as an encrypted message (``None`` for the clear JSON form)."""

    reply: dict[str, Any]
    sealed: str | None


class KycState:
    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        self.settings: KycSettings = ctx.settings
        self.server_key = load_server_key(self.settings.server_private_key)
        self.public_pem = public_pem(self.server_key)
        db = ctx.db
        self.select_client = db.prepare(
            CLIENT.select().where(CLIENT.c.client_id == bindparam("client_id"))
        )
        # One lookup gives the token and whether its client is still active.
        self.select_bearer = db.prepare(
            select(TOKEN.c.client_id, TOKEN.c.issued_at, TOKEN.c.expires_at, CLIENT.c.active)
            .select_from(TOKEN.join(CLIENT))
            .where(TOKEN.c.access_token == bindparam("token"))
        )
        self.select_patient = db.prepare(PATIENT.select().where(PATIENT.c.nik == bindparam("nik")))
        self.select_session = db.prepare(
            SESSION.select().where(SESSION.c.token == bindparam("token"))
        )

    # -- clients and tokens --------------------------------------------------------------------
    def client(self, client_id: str) -> Any:
        return self.select_client.first(client_id=client_id)

    def grant(self, client_id: str, client_secret: str, now: float) -> dict[str, Any]:
        """client_credentials: the documented token reply, or the documented 401
        OperationOutcome for an unknown client, a wrong secret or a deactivated client."""
        client = self.client(client_id) if client_id else None
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
        token = self.issue_token(client.client_id, now)
        # Field order and values as the doc's example; every value is a string there.
        return {
            "refresh_token_expires_in": "0",
            "api_product_list": "[api-sandbox]",
            "api_product_list_json": ["api-sandbox"],
            "organization_name": client.organization_name,
            "developer.email": client.developer_email,
            "token_type": "BearerToken",
            "issued_at": str(int(now * 1000)),
            "client_id": client.client_id,
            "access_token": token,
            "application_name": client.application_name,
            "scope": "",
            "expires_in": str(self.settings.token_lifetime),
            "refresh_count": "0",
            "status": "approved",
        }

    def issue_token(self, client_id: str, now: float) -> str:
        """A fresh token in the shape Apigee issues, living ``token_lifetime`` seconds."""
        token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
        self.ctx.db.connection().execute(
            TOKEN.insert().values(
                access_token=token,
                client_id=client_id,
                issued_at=now,
                expires_at=now + self.settings.token_lifetime,
            )
        )
        return token

    def bearer(self, access_token: str) -> Any:
        """The issued token (client_id, issued_at, expires_at) and its client's ``active``."""
        return self.select_bearer.first(token=access_token)

    # -- patients ------------------------------------------------------------------------------
    def patient(self, nik: str, name: str) -> Any:
        """The patient with this NIK; created on first use unless strict patients mode is on."""
        row = self.select_patient.first(nik=nik)
        if row is not None:
            return row
        if self.settings.strict_patients:
            raise not_found(
                f"no patient with NIK {nik} (strict patients mode: only seeded NIKs exist)",
                rule="patient_unknown",
            )
        values = {
            "nik": nik,
            "name": name.strip(),
            "birth_date": birth_date_from(nik) or "",
            "ihs_number": ihs_number_for(nik),
            "seeded": False,
        }
        conn = self.ctx.db.connection()
        # A concurrent request may have created the patient first: then read theirs.
        with contextlib.suppress(IntegrityError):
            conn.execute(PATIENT.insert().values(values))
        return self.select_patient.first(nik=nik)

    def patients(self, limit: int) -> list[dict[str, Any]]:
        rows = self.ctx.db.connection().execute(
            PATIENT.select().order_by(PATIENT.c.seeded.desc(), PATIENT.c.nik).limit(limit)
        )
        return [
            {
                "nik": r.nik,
                "name": r.name,
                "birth_date": r.birth_date or None,
                "ihs_number": r.ihs_number,
                "seeded": bool(r.seeded),
            }
            for r in rows
        ]

    # -- challenge codes -----------------------------------------------------------------------
    def challenge(
        self, nik: str, name: str, now: float, session_token: str | None = None
    ) -> dict[str, Any]:
        """A fresh 6-digit code for the patient, valid 5 minutes: the documented reply's data."""
        patient = self.patient(nik, name)
        created = int(now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        self.ctx.db.connection().execute(
            CHALLENGE.insert().values(
                nik=patient.nik,
                challenge_code=code,
                created_at=created,
                expires_at=created + CHALLENGE_SECONDS,
                session_token=session_token,
            )
        )
        return {
            "nik": patient.nik,
            "name": patient.name,
            "ihs_number": patient.ihs_number,
            "challenge_code": code,
            "created_timestamp": wib(created),
            "expired_timestamp": wib(created + CHALLENGE_SECONDS),
        }

    # -- generate-url --------------------------------------------------------------------------
    def open_sealed(self, message: bytes) -> dict[str, Any]:
        """The JSON object sealed in an encrypted message to this sandbox's server key."""
        try:
            plaintext = open_message(message, self.server_key)
        except EnvelopeError as exc:
            raise bad_envelope(exc, self.public_key_url()) from None
        try:
            return parse_json(plaintext, GENERATE_EXAMPLE)
        except ProviderError as err:
            # Decrypted fine, but what the client sealed is not the JSON object expected.
            err.diagnosis.update(envelope_diagnosis("json"))
            raise

    def public_key_url(self) -> str:
        """The control-plane URL of this sandbox's public key, as the banner would show it."""
        core = self.ctx.core
        host = url_host(core.host)
        port = core.admin_port or "ADMIN_PORT"  # 0: a free port, only known once bound
        return f"http://{host}:{port}/__admin/kyc/public-key"

    def generate_url(
        self, fields: GenerateUrl, *, encrypted: bool, client_id: str, base_url: str, now: float
    ) -> ValidationLink:
        """A validation session for the agent, and the URL of its page under ``base_url``.
        ``encrypted``: the request was sealed, so the reply is sealed to the client's key."""
        try:
            client_key = load_public_key(fields.public_key)
        except EnvelopeError as exc:
            raise bad_request(
                str(exc),
                rule="public_key",
                diagnosis=envelope_diagnosis("public_key") if encrypted else None,
            ) from None
        token = self.create_session(client_id, fields.agent_name, fields.agent_nik, now)
        reply = metadata(
            200,
            "OK",
            {
                "agent_name": fields.agent_name,
                "agent_nik": fields.agent_nik,
                "token": token,
                "url": f"{base_url}/kyc/v1/validation-web/{token}",
            },
        )
        sealed = _seal_json(reply, client_key) if encrypted else None
        return ValidationLink(reply, sealed)

    # -- validation sessions -------------------------------------------------------------------
    def create_session(self, client_id: str, agent_name: str, agent_nik: str, now: float) -> str:
        token = str(uuid.uuid4())
        self.ctx.db.connection().execute(
            SESSION.insert().values(
                token=token,
                client_id=client_id,
                agent_name=agent_name,
                agent_nik=agent_nik,
                created_at=now,
                expires_at=now + self.settings.session_lifetime,
            )
        )
        return token

    def session(self, token: str) -> Any:
        return self.select_session.first(token=token)

    def live_session(self, token: str, now: float) -> Any:
        """The session behind a validation-web URL; 404 unknown, 410 expired (page calls)."""
        row = self.session(token)
        if row is None:
            raise not_found("this validation link is unknown", rule="session_unknown")
        if expired(row, now):
            raise ProviderError(
                410, "session_expired", "Gone", detail="this validation link has expired"
            )
        return row

    def page_challenge(self, session: Any, nik: str, name: str, now: float) -> dict[str, Any]:
        """A code for the patient the operator entered on the page; the session remembers them."""
        data = self.challenge(nik, name, now, session.token)
        self.ctx.db.connection().execute(
            SESSION.update()
            .where(SESSION.c.token == session.token)
            .values(nik=data["nik"], patient_name=data["name"], ihs_number=data["ihs_number"])
        )
        return data

    def verify(self, token: str, code: str, now: float) -> Verdict:
        """Check the code the patient read out against the newest one issued for their NIK."""
        session = self.live_session(token, now)
        if not session.nik:
            raise ProviderError(
                400,
                "challenge_missing",
                "Bad Request",
                detail="request a challenge code for the patient first",
            )
        conn = self.ctx.db.connection()
        latest = conn.execute(
            CHALLENGE.select()
            .where(CHALLENGE.c.nik == session.nik)
            .order_by(CHALLENGE.c.id.desc())
            .limit(1)
        ).first()
        values: dict[str, Any] = {"attempts": session.attempts + 1}
        if latest is None or not constant_time_equal(latest.challenge_code, code.strip()):
            verdict = "wrong_code"
        elif now >= latest.expires_at:
            verdict = "expired"
        else:
            verdict = "validated"
            values |= {"status": "validated", "validated_at": now}
            conn.execute(CHALLENGE.update().where(CHALLENGE.c.id == latest.id).values(used=True))
        values["last_verdict"] = verdict
        conn.execute(SESSION.update().where(SESSION.c.token == session.token).values(values))
        return Verdict(verdict, session_json(self.session(session.token), now))

    def sessions(self, limit: int, now: float) -> list[dict[str, Any]]:
        rows = self.ctx.db.connection().execute(
            SESSION.select().order_by(SESSION.c.created_at.desc()).limit(limit)
        )
        return [session_json(r, now) for r in rows]


def expired(session: Any, now: float) -> bool:
    """A validated session stays viewable; any other is over at its ``expires_at``."""
    return bool(session.status != "validated" and now >= session.expires_at)


def session_json(row: Any, now: float) -> dict[str, Any]:
    """A session as the control plane shows it."""
    return {
        "token": row.token,
        "client_id": row.client_id,
        "agent_name": row.agent_name,
        "agent_nik": row.agent_nik,
        "status": "expired" if expired(row, now) else row.status,
        "nik": row.nik,
        "patient_name": row.patient_name,
        "ihs_number": row.ihs_number,
        "last_verdict": row.last_verdict,
        "attempts": row.attempts,
        "created_timestamp": wib(row.created_at),
        "expired_timestamp": wib(row.expires_at),
        "validated_timestamp": wib(row.validated_at) if row.validated_at else None,
    }


def _seal_json(reply: dict[str, Any], key: rsa.RSAPublicKey) -> str:
    return seal(json.dumps(reply, separators=(",", ":")).encode(), key)


def _same(expected: str, given: str) -> bool:
    return constant_time_equal(expected.encode(), given.encode())
