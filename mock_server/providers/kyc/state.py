"""What the KYC endpoints do to the state: tokens, patients, validation sessions, challenge codes.

Kept apart from HTTP so the API, the validation page and the control plane share one behaviour.
"""

import contextlib
import secrets
import string
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam

from mock_server.core.errors import ProviderError
from mock_server.core.provider import ProviderContext
from mock_server.core.db import IntegrityError
from mock_server.providers.kyc.errors import not_found
from mock_server.providers.kyc.models import (
    KycChallenge,
    KycClient,
    KycPatient,
    KycSession,
    KycToken,
)
from mock_server.providers.kyc.schemas import wib
from mock_server.providers.kyc.seed import birth_date_from, ihs_number_for

CHALLENGE_SECONDS = 300  # "valid 5 minutes": the doc's example expires 5 minutes after creation
_TOKEN_ALPHABET = string.ascii_letters + string.digits

C = KycClient.__table__.c  # type: ignore[attr-defined]
T = KycToken.__table__  # type: ignore[attr-defined]
P = KycPatient.__table__  # type: ignore[attr-defined]
S = KycSession.__table__  # type: ignore[attr-defined]
CH = KycChallenge.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Verdict:
    verdict: str  # validated, wrong_code, expired
    session: dict[str, Any]


class KycState:
    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx
        db = ctx.db
        self.select_client = db.prepare(
            KycClient.__table__.select().where(C.client_id == bindparam("client_id"))  # type: ignore[attr-defined]
        )
        self.select_patient = db.prepare(P.select().where(P.c.nik == bindparam("nik")))
        self.select_session = db.prepare(S.select().where(S.c.token == bindparam("token")))

    @property
    def now(self) -> float:
        return self.ctx.clock.timestamp()

    # -- tokens --------------------------------------------------------------------------------
    def client(self, client_id: str) -> Any:
        return self.select_client.first(client_id=client_id)

    def issue_token(self, client_id: str) -> tuple[str, float]:
        """A 28-character alphanumeric token (the shape Apigee issues) and its issue time."""
        token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(28))
        issued = self.now
        self.ctx.db.connection().execute(
            T.insert().values(
                access_token=token,
                client_id=client_id,
                issued_at=issued,
                expires_at=issued + self.ctx.settings.token_lifetime,
            )
        )
        return token, issued

    # -- patients ------------------------------------------------------------------------------
    def patient(self, nik: str, name: str) -> Any:
        """The patient with this NIK; created on first use unless strict patients mode is on."""
        row = self.select_patient.first(nik=nik)
        if row is not None:
            return row
        if self.ctx.settings.strict_patients:
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
            conn.execute(P.insert().values(values))
        return self.select_patient.first(nik=nik)

    # -- challenge codes -----------------------------------------------------------------------
    def challenge(self, nik: str, name: str, session_token: str | None = None) -> dict[str, Any]:
        """A fresh 6-digit code for the patient, valid 5 minutes: the documented reply's data."""
        patient = self.patient(nik, name)
        created = int(self.now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        self.ctx.db.connection().execute(
            CH.insert().values(
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

    # -- validation sessions -------------------------------------------------------------------
    def create_session(self, client_id: str, agent_name: str, agent_nik: str) -> str:
        token = str(uuid.uuid4())
        now = self.now
        self.ctx.db.connection().execute(
            S.insert().values(
                token=token,
                client_id=client_id,
                agent_name=agent_name,
                agent_nik=agent_nik,
                created_at=now,
                expires_at=now + self.ctx.settings.session_lifetime,
            )
        )
        return token

    def session(self, token: str) -> Any:
        return self.select_session.first(token=token)

    def live_session(self, token: str) -> Any:
        """The session behind a validation-web URL; 404 unknown, 410 expired (page calls)."""
        row = self.session(token)
        if row is None:
            raise not_found("this validation link is unknown", rule="session_unknown")
        if self.now >= row.expires_at and row.status != "validated":
            raise ProviderError(
                410, "session_expired", "Gone", detail="this validation link has expired"
            )
        return row

    def page_challenge(self, token: str, nik: str, name: str) -> dict[str, Any]:
        session = self.live_session(token)
        data = self.challenge(nik, name, session.token)
        self.ctx.db.connection().execute(
            S.update()
            .where(S.c.token == session.token)
            .values(nik=data["nik"], patient_name=data["name"], ihs_number=data["ihs_number"])
        )
        return data

    def verify(self, token: str, code: str) -> Verdict:
        """Check the code the patient read out against the newest one issued for their NIK."""
        session = self.live_session(token)
        if not session.nik:
            raise ProviderError(
                400,
                "challenge_missing",
                "Bad Request",
                detail="request a challenge code for the patient first",
            )
        conn = self.ctx.db.connection()
        latest = conn.execute(
            CH.select().where(CH.c.nik == session.nik).order_by(CH.c.id.desc()).limit(1)
        ).first()
        now = self.now
        if latest is None or not secrets.compare_digest(latest.challenge_code, code.strip()):
            verdict = "wrong_code"
        elif now >= latest.expires_at:
            verdict = "expired"
        else:
            verdict = "validated"
        values: dict[str, Any] = {"last_verdict": verdict, "attempts": session.attempts + 1}
        if verdict == "validated":
            values |= {"status": "validated", "validated_at": now}
            conn.execute(CH.update().where(CH.c.id == latest.id).values(used=True))
        conn.execute(S.update().where(S.c.token == session.token).values(values))
        return Verdict(verdict, session_json(self.session(session.token), now))

    def patients(self, limit: int) -> list[dict[str, Any]]:
        rows = self.ctx.db.connection().execute(
            P.select().order_by(P.c.seeded.desc(), P.c.nik).limit(limit)
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

    def sessions(self, limit: int) -> list[dict[str, Any]]:
        rows = self.ctx.db.connection().execute(
            S.select().order_by(S.c.created_at.desc()).limit(limit)
        )
        now = self.now
        return [session_json(r, now) for r in rows]


def session_json(row: Any, now: float) -> dict[str, Any]:
    """A session as the control plane shows it."""
    status = row.status
    if status != "validated" and now >= row.expires_at:
        status = "expired"
    return {
        "token": row.token,
        "client_id": row.client_id,
        "agent_name": row.agent_name,
        "agent_nik": row.agent_nik,
        "status": status,
        "nik": row.nik,
        "patient_name": row.patient_name,
        "ihs_number": row.ihs_number,
        "last_verdict": row.last_verdict,
        "attempts": row.attempts,
        "created_timestamp": wib(row.created_at),
        "expired_timestamp": wib(row.expires_at),
        "validated_timestamp": wib(row.validated_at) if row.validated_at else None,
    }
