"""KYC state: OAuth clients and their tokens, patients, validation sessions, challenge codes.

Times are unix seconds by the sandbox clock.
"""

from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, String, Table

from mock_server.core.db import METADATA

# OAuth2 client credentials, as the DTO Kemenkes issues them to a facility's system.
KycClient = Table(
    "kyc_client",
    METADATA,
    Column("client_id", String(128), primary_key=True),
    Column("client_secret", String(256), nullable=False),
    Column("organization_name", String, nullable=False, default=""),
    Column(
        "application_name", String, nullable=False, default=""
    ),  # a uuid, as the real token reply has
    Column("developer_email", String, nullable=False, default=""),
    # Deactivated from the control plane: refused at the token endpoint, and its tokens with it.
    Column("active", Boolean, nullable=False, default=True),
)


KycToken = Table(
    "kyc_token",
    METADATA,
    Column("access_token", String(64), primary_key=True),
    Column("client_id", String, ForeignKey("kyc_client.client_id"), nullable=False, index=True),
    Column("issued_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)


KycPatient = Table(
    "kyc_patient",
    METADATA,
    Column("nik", String(16), primary_key=True),
    Column("name", String, nullable=False),
    Column("birth_date", String(10), nullable=False),  # YYYY-MM-DD
    Column("ihs_number", String(12), nullable=False, unique=True),  # P followed by 11 digits
    Column("seeded", Boolean, nullable=False, default=True),
)


# One validation-web URL: the agent who asked for it and what became of the validation.
KycSession = Table(
    "kyc_session",
    METADATA,
    Column("token", String(36), primary_key=True),
    Column("client_id", String(128), nullable=False),
    Column("agent_name", String, nullable=False),
    Column("agent_nik", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),  # pending or validated
    Column("nik", String(16)),
    Column("patient_name", String),
    Column("ihs_number", String(12)),
    Column("last_verdict", String(16)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("validated_at", Float),
)


KycChallenge = Table(
    "kyc_challenge",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("nik", String(16), nullable=False, index=True),
    Column("challenge_code", String(6), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("session_token", String(36)),
    Column("used", Boolean, nullable=False, default=False),
)
