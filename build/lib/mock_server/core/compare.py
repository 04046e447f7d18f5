"""Comparing secrets in constant time, whatever the client sent."""

import hmac


def _as_bytes(value: str | bytes) -> bytes:
    # surrogatepass: a JSON string may hold a lone surrogate ("\ud800"); it still compares.
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value


def constant_time_equal(expected: str | bytes, given: str | bytes) -> bool:
    """``hmac.compare_digest`` for any text. It raises ``TypeError`` on a ``str`` holding a
    non-ASCII character, and a header or JSON value from a client may hold one (``Bearer é``);
    here both sides are compared as UTF-8 bytes, so that is a mismatch and never a crash."""
    return hmac.compare_digest(_as_bytes(expected), _as_bytes(given))
