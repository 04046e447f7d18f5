"""Keep secrets out of the journal and the console.

Header values named secret are replaced by a short fingerprint (enough to tell two tokens apart,
useless to an attacker). A JSON body is redacted on its parsed form, the one the server acts on,
so ``"client\u005fsecret"`` is the secret it means; an excerpt cut mid-document (or any other
body) is scrubbed by pattern, JSON keys read with their escapes decoded.
"""

import hashlib
import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from mock_server.core import jsonbody

ALWAYS_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-user-token"}
)

# JSON or form fields whose values are secrets in at least one provider.
SECRET_FIELDS = (
    "client_secret",
    "secret",
    "password",
    "private_key",
    "access_token",
    "refresh_token",
    "x-user-token",
    "token",
)
# Any spelling of a secret field: client_secret, clientSecret, client-secret, CLIENT_SECRET.
_fields = "|".join(
    "[_-]?".join(re.escape(part) for part in re.split(r"[_-]", name)) for name in SECRET_FIELDS
)
_JSON_FIELD = re.compile(rf'("(?:{_fields})"\s*:\s*")((?:[^"\\]|\\.)*)("|$)', re.IGNORECASE)
# A key written with escapes ("client\u005fsecret"): decoded, then compared by its plain name.
_ESCAPED_JSON_FIELD = re.compile(
    r'("((?:[^"\\]|\\.)*\\(?:[^"\\]|\\.)*)"\s*:\s*")((?:[^"\\]|\\.)*)("|$)'
)
_SECRET_KEYS = frozenset(re.sub(r"[_-]", "", name) for name in SECRET_FIELDS)


def is_secret_field(name: str) -> bool:
    """client_secret, clientSecret, client-secret, CLIENT_SECRET: one field, one secret."""
    return re.sub(r"[_-]", "", name).lower() in _SECRET_KEYS


_FORM_FIELD = re.compile(rf"(?:(?<=^)|(?<=&)|(?<=\?))((?:{_fields})=)([^&\s]*)", re.IGNORECASE)
# multipart/form-data: name="client_secret" then a blank line, then the value
_MULTIPART_FIELD = re.compile(
    rf'(name="(?:{_fields})"[^\r\n]*(?:\r?\n[^\r\n]+)*\r?\n\r?\n)([^\r\n]*)', re.IGNORECASE
)
_PEM_PRIVATE = re.compile(
    r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?(?:-----END \1PRIVATE KEY-----|$)", re.DOTALL
)
_PEM_ESCAPED_PRIVATE = re.compile(
    r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----(?:\\[rn]|[A-Za-z0-9+/=\s])*"
    r"(?:-----END \1PRIVATE KEY-----)?"
)


def fingerprint(value: str | bytes) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogateescape")
    return "sha256:" + hashlib.sha256(value).hexdigest()[:12]


def redact_header(value: str) -> str:
    """``Bearer eyJ…`` → ``Bearer <redacted sha256:…>``: the scheme stays readable."""
    scheme, _, credential = value.partition(" ")
    if credential and scheme.isalpha() and len(scheme) <= 16:
        return f"{scheme} <redacted {fingerprint(credential)}>"
    return f"<redacted {fingerprint(value)}>"


@cache
def _secret_names(provider_names: frozenset[str]) -> frozenset[bytes]:
    return frozenset(name.encode("latin-1") for name in ALWAYS_SECRET_HEADERS | provider_names)


def redact_headers(headers: Iterable[tuple[bytes, bytes]], secret_names: frozenset[str]) -> str:
    """ASGI headers (lower-case names) as ``name: value`` lines, secret values replaced by a
    fingerprint. Lines rather than JSON, joined as bytes and decoded once: this runs for every
    journal entry."""
    secret = _secret_names(secret_names)
    return b"\n".join(
        name
        + b": "
        + (redact_header(value.decode("latin-1")).encode("latin-1") if name in secret else value)
        for name, value in headers
    ).decode("latin-1")


def header_lines_to_dict(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.split("\n"):
        name, sep, value = line.partition(": ")
        if sep:
            out[name] = f"{out[name]}, {value}" if name in out else value
    return out


# Every secret field name and PEM marker contains one of these (or an escape that may spell one):
# text without any has nothing to redact, and most bodies are spared the passes below.
_STEMS = ("secret", "password", "private", "token", "\\")
_REDACTED = "<redacted>"


def _redact_parsed(value: Any) -> Any:
    # Recursion is bounded: jsonbody.loads refuses documents nested deeper than MAX_DEPTH.
    if isinstance(value, dict):
        return {
            key: _REDACTED
            if is_secret_field(key) and item not in (None, "")
            else _redact_parsed(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_parsed(item) for item in value]
    return value


def _unescaped_key(m: re.Match[str]) -> str:
    try:
        name = json.loads(f'"{m[2]}"')
    except ValueError:
        return m[0]
    return f"{m[1]}{_REDACTED}{m[4]}" if isinstance(name, str) and is_secret_field(name) else m[0]


def redact_text(text: str) -> str:
    lowered = text.lower()
    if not any(stem in lowered for stem in _STEMS):
        return text
    if text.lstrip()[:1] in ("{", "["):
        try:
            parsed = jsonbody.loads(text)
        except ValueError:
            pass  # an excerpt cut short, or not JSON after all: by pattern below
        else:
            redacted = _redact_parsed(parsed)
            if redacted != parsed:  # else keep the text as sent, byte for byte
                compact = '":' in text and '": ' not in text
                separators = (",", ":") if compact else (", ", ": ")
                text = json.dumps(redacted, ensure_ascii=False, separators=separators)
    text = _PEM_PRIVATE.sub(
        r"-----BEGIN \1PRIVATE KEY----- <redacted> -----END \1PRIVATE KEY-----", text
    )
    text = _PEM_ESCAPED_PRIVATE.sub(r"-----BEGIN \1PRIVATE KEY----- <redacted>", text)
    text = _JSON_FIELD.sub(lambda m: f"{m[1]}<redacted>{m[3]}", text)
    if "\\" in text:
        text = _ESCAPED_JSON_FIELD.sub(_unescaped_key, text)
    text = _MULTIPART_FIELD.sub(lambda m: f"{m[1]}<redacted>", text)
    return _FORM_FIELD.sub(lambda m: f"{m[1]}<redacted>", text)


def redact_path(path: str, secret: "re.Pattern[str] | None") -> str:
    """The path with ``secret``'s first group (a credential carried in the path) replaced by a
    fingerprint, as for a header; unchanged without a pattern or a match."""
    match = secret.match(path) if secret is not None else None
    if match is None:
        return path
    start, end = match.span(1)
    return f"{path[:start]}<redacted {fingerprint(path[start:end])}>{path[end:]}"


def redact_query(query: str) -> str:
    """A query string with secret parameters (``?access_token=…``) redacted."""
    return _FORM_FIELD.sub(lambda m: f"{m[1]}<redacted>", query) if "=" in query else query
