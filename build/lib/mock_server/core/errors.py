"""The one exception every layer raises to reject a request.

Each provider renders it in its own documented error shape; this module knows no shape.
"""

from typing import Any


class ProviderError(Exception):
    """A rejection: the HTTP status, the rule that failed, and what to tell the client.

    ``rule`` is a stable identifier recorded in the journal (``missing_headers``, ``signature``).
    ``message`` is the provider's own wording. ``detail`` says exactly what was wrong, for the
    developer. ``diagnosis`` goes to the journal only, never to the response body, and must not
    hold a secret. ``body``, when given, is the exact response body a provider documents for this
    case; renderers send it as it is.
    """

    def __init__(
        self,
        status: int,
        rule: str,
        message: str,
        *,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        diagnosis: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.rule = rule
        self.message = message
        self.detail = detail
        self.errors = errors
        self.diagnosis = diagnosis or {}
        self.headers = headers or {}
        self.body = body

    def __repr__(self) -> str:
        return f"ProviderError({self.status}, {self.rule!r}, {self.message!r})"
