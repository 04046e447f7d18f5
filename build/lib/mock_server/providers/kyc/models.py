"""KYC state: OAuth clients and their tokens, patients, validation sessions, challenge codes.

Times are unix seconds by the sandbox clock.
"""

from sqlmodel import Field, SQLModel


class KycClient(SQLModel, table=True):
    """OAuth2 client credentials, as the DTO Kemenkes issues them to a facility's system."""

    __tablename__ = "kyc_client"
    client_id: str = Field(primary_key=True, max_length=128)
    client_secret: str = Field(max_length=256)
    organization_name: str = ""
    application_name: str = Field(default="", description="a uuid, as the real token reply has")
    developer_email: str = ""
    # Deactivated from the control plane: refused at the token endpoint, and its tokens with it.
    active: bool = True


class KycToken(SQLModel, table=True):
    __tablename__ = "kyc_token"
    access_token: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(foreign_key="kyc_client.client_id", index=True)
    issued_at: float
    expires_at: float


class KycPatient(SQLModel, table=True):
    __tablename__ = "kyc_patient"
    nik: str = Field(primary_key=True, max_length=16)
    name: str
    birth_date: str = Field(max_length=10, description="YYYY-MM-DD")
    ihs_number: str = Field(unique=True, max_length=12, description="P followed by 11 digits")
    seeded: bool = True


class KycSession(SQLModel, table=True):
    """One validation-web URL: the agent who asked for it and what became of the validation."""

    __tablename__ = "kyc_session"
    token: str = Field(primary_key=True, max_length=36)
    client_id: str = Field(max_length=128)
    agent_name: str
    agent_nik: str = Field(max_length=16)
    created_at: float
    expires_at: float
    status: str = Field(default="pending", max_length=16, description="pending or validated")
    nik: str | None = Field(default=None, max_length=16)
    patient_name: str | None = None
    ihs_number: str | None = Field(default=None, max_length=12)
    last_verdict: str | None = Field(default=None, max_length=16)
    attempts: int = 0
    validated_at: float | None = None


class KycChallenge(SQLModel, table=True):
    __tablename__ = "kyc_challenge"
    id: int | None = Field(default=None, primary_key=True)
    nik: str = Field(max_length=16, index=True)
    challenge_code: str = Field(max_length=6)
    created_at: float
    expires_at: float
    session_token: str | None = Field(default=None, max_length=36)
    used: bool = False
