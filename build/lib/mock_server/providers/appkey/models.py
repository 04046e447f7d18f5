"""Tables of the x-app-key API. Secrets (private keys, passwords, tokens) are stored hashed only."""

from sqlmodel import Field, SQLModel


class AppKeyApp(SQLModel, table=True):
    """A client system: its public app key and the SHA-256 of its private key."""

    __tablename__ = "appkey_app"
    app_key: str = Field(primary_key=True, max_length=128)
    private_key_sha256: str = Field(max_length=64)
    name: str = ""
    active: bool = True


class AppKeyUser(SQLModel, table=True):
    """An end user who logs in through a client app."""

    __tablename__ = "appkey_user"
    id: int = Field(primary_key=True)
    user_id: str = Field(unique=True, max_length=32, description="public id, e.g. usr_…")
    username: str = Field(unique=True, max_length=254)
    password_salt: str = Field(max_length=32)
    password_hash: str = Field(max_length=64, description="PBKDF2-SHA256, hex")
    full_name: str
    email: str
    phone: str
    birth_date: str
    city: str
    created_at: float


class AppKeyToken(SQLModel, table=True):
    """An issued token, by the SHA-256 of its text. Revocation and rotation are rows, not lists."""

    __tablename__ = "appkey_token"
    token_sha256: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=8, description="access, refresh or user")
    app_key: str = Field(max_length=128)
    user_pk: int = Field(foreign_key="appkey_user.id")
    session_id: str = Field(index=True, max_length=32)
    issued_at: float
    expires_at: float
    revoked_at: float | None = None
    revoked_reason: str | None = Field(default=None, max_length=16, description="rotated, logout")


class AppKeyProvince(SQLModel, table=True):
    """App-level reference data: Indonesia's provinces (Kemendagri codes)."""

    __tablename__ = "appkey_province"
    code: str = Field(primary_key=True, max_length=2)
    name: str
    capital: str


class AppKeyAddress(SQLModel, table=True):
    """The user-owned list: a user's saved delivery addresses."""

    __tablename__ = "appkey_address"
    id: int | None = Field(default=None, primary_key=True)
    user_pk: int = Field(foreign_key="appkey_user.id", index=True)
    label: str
    recipient_name: str
    phone: str
    street: str
    city: str
    province_code: str = Field(foreign_key="appkey_province.code")
    postal_code: str = Field(max_length=5)
    is_primary: bool = False
    created_at: float
