"""Tables of the x-app-key API. Secrets (private keys, passwords, tokens) are stored hashed only."""

from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, String, Table

from mock_server.core.db import METADATA

# A client system: its public app key and the SHA-256 of its private key.
AppKeyApp = Table(
    "appkey_app",
    METADATA,
    Column("app_key", String(128), primary_key=True),
    Column("private_key_sha256", String(64), nullable=False),
    Column("name", String, nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
)


# An end user who logs in through a client app.
AppKeyUser = Table(
    "appkey_user",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("user_id", String(32), nullable=False, unique=True),  # public id, e.g. usr_…
    Column("username", String(254), nullable=False, unique=True),
    Column("password_salt", String(32), nullable=False),
    Column("password_hash", String(64), nullable=False),  # PBKDF2-SHA256, hex
    Column("full_name", String, nullable=False),
    Column("email", String, nullable=False),
    Column("phone", String, nullable=False),
    Column("birth_date", String, nullable=False),
    Column("city", String, nullable=False),
    Column("created_at", Float, nullable=False),
)


# An issued token, by the SHA-256 of its text. Revocation and rotation are rows, not lists.
AppKeyToken = Table(
    "appkey_token",
    METADATA,
    Column("token_sha256", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),  # access, refresh or user
    Column("app_key", String(128), nullable=False),
    Column("user_pk", Integer, ForeignKey("appkey_user.id"), nullable=False),
    Column("session_id", String(32), nullable=False, index=True),
    Column("issued_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float),
    Column("revoked_reason", String(16)),  # rotated, logout
)


# App-level reference data: Indonesia's provinces (Kemendagri codes).
AppKeyProvince = Table(
    "appkey_province",
    METADATA,
    Column("code", String(2), primary_key=True),
    Column("name", String, nullable=False),
    Column("capital", String, nullable=False),
)


# The user-owned list: a user's saved delivery addresses.
AppKeyAddress = Table(
    "appkey_address",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("user_pk", Integer, ForeignKey("appkey_user.id"), nullable=False, index=True),
    Column("label", String, nullable=False),
    Column("recipient_name", String, nullable=False),
    Column("phone", String, nullable=False),
    Column("street", String, nullable=False),
    Column("city", String, nullable=False),
    Column("province_code", String, ForeignKey("appkey_province.code"), nullable=False),
    Column("postal_code", String(5), nullable=False),
    Column("is_primary", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
)
