"""Every message the API sends, in both languages the doc names (``id`` default, ``en``).

The doc says only that messages follow ``x-language``. The wording is the mock's choice; the
stable ``code`` in each error body lets a client branch without parsing either language.
"""

from collections.abc import Mapping

DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")

Texts = Mapping[str, str]  # language -> text


def resolve_language(value: str | None) -> str:
    """``x-language`` to ``id`` or ``en``. A region tag (``en-US``) counts by its language; any
    other value falls back to ``id``, the documented default (and Content-Language says so)."""
    if not value:
        return DEFAULT_LANGUAGE
    primary = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def both(id_text: str, en_text: str) -> dict[str, str]:
    return {"id": id_text, "en": en_text}


SUCCESS = both("Berhasil", "Success")
CREATED = both("Berhasil dibuat", "Created")
LOGGED_OUT = both("Berhasil keluar", "Logged out")

# Token kinds as a developer reads them; Indonesian developers use the English terms too.
KIND_NAMES: dict[str, dict[str, str]] = {
    "access": both("access token", "access token"),
    "refresh": both("refresh token", "refresh token"),
    "user": both("x-user-token", "x-user-token"),
    "private_key": both("private key aplikasi", "the app's private key"),
}

MESSAGES: dict[str, dict[str, str]] = {
    # conventions
    "app_key_missing": both("Header x-app-key wajib diisi", "The x-app-key header is required"),
    "app_key_unknown": both("x-app-key tidak dikenal", "Unknown x-app-key"),
    "app_key_inactive": both("x-app-key tidak aktif", "The x-app-key is inactive"),
    "request_id_missing": both(
        "Header x-request-id wajib diisi", "The x-request-id header is required"
    ),
    "request_id_format": both("x-request-id tidak valid", "Invalid x-request-id"),
    "replay": both("x-request-id sudah pernah digunakan", "The x-request-id has already been used"),
    "authorization_missing": both(
        "Header Authorization wajib diisi (Bearer <token>)",
        "The Authorization header is required (Bearer <token>)",
    ),
    "authorization_scheme": both(
        "Header Authorization harus berformat Bearer <token>",
        "The Authorization header must be Bearer <token>",
    ),
    "user_token_missing": both(
        "Header x-user-token wajib diisi untuk data milik pengguna",
        "The x-user-token header is required for data that belongs to a user",
    ),
    # credentials and tokens
    "private_key": both("Private key aplikasi tidak valid", "Invalid app private key"),
    "token_tampered": both(
        "Token tidak valid atau telah diubah", "The token is invalid or has been tampered with"
    ),
    "token_unknown": both("Token tidak dikenal", "Unknown token"),
    "token_revoked": both("Token telah dicabut", "The token has been revoked"),
    "token_expired": both("Token telah kedaluwarsa", "The token has expired"),
    "token_other_app": both(
        "Token diterbitkan untuk aplikasi lain", "The token was issued to another app"
    ),
    "user_token_mismatch": both(
        "x-user-token dan access token bukan milik pengguna yang sama",
        "The x-user-token and the access token belong to different users",
    ),
    "login": both("Username atau password salah", "Invalid username or password"),
    # requests
    "validation": both("Permintaan tidak valid", "Bad request"),
    "content_length": both("Permintaan tidak valid", "Bad request"),
    "not_found": both("Data tidak ditemukan", "Not found"),
    "unknown_path": both("Endpoint tidak ditemukan", "Endpoint not found"),
    "method_not_allowed": both("Metode tidak diizinkan", "Method not allowed"),
    "body_too_large": both("Ukuran body terlalu besar", "Payload too large"),
    "body_timeout": both("Body permintaan terlambat", "Request timeout"),
    "body_incomplete": both("Body permintaan tidak lengkap", "Incomplete request body"),
    "database_busy": both("Layanan sedang sibuk, coba lagi", "Service busy, retry shortly"),
    "internal": both("Terjadi kesalahan pada server", "Internal server error"),
    "http_error": both("Permintaan tidak dapat diproses", "The request could not be processed"),
    # Stubs (docs/stubs.md): their details name the stub's own fields, so stay in English.
    "stub_template": both("Permintaan tidak lengkap untuk stub ini", "Bad request"),
    "stub_body": both("Body permintaan bukan JSON", "Bad request"),
    "stub_state": both("Data tidak ditemukan", "Not found"),
}


def token_kind_message(expected: str) -> dict[str, str]:
    """The 401 for a token of the wrong kind names the kind this operation takes."""
    name = KIND_NAMES[expected]
    return both(
        f"Jenis token salah: operasi ini memerlukan {name['id']}",
        f"Wrong kind of token: this operation requires {name['en']}",
    )


# pydantic error types -> a field message in both languages. Anything else falls back to
# "invalid value", with pydantic's English text kept in the English message.
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "missing": both("wajib diisi", "is required"),
    "string_type": both("harus berupa teks", "must be a string"),
    "bool_type": both("harus berupa boolean", "must be a boolean"),
    "bool_parsing": both("harus berupa boolean", "must be a boolean"),
    "string_too_short": both("terlalu pendek", "is too short"),
    "string_too_long": both("terlalu panjang", "is too long"),
    "string_pattern_mismatch": both("formatnya tidak valid", "has an invalid format"),
    "extra_forbidden": both("tidak dikenal", "is not a known field"),
}
