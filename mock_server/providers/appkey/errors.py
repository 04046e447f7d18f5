"""The x-app-key API's error shape, in the language ``x-language`` asks for.

The doc gives no error body. The mock's choice, the same envelope as successes::

    {"success": false, "code": "TOKEN_EXPIRED", "message": "<in x-language>",
     "detail": "<what exactly, in x-language>", "errors": [{"field", "message"}]}

``code`` is the journal's rule in upper case: stable across languages, so clients can branch on it.
Every response says which language it used in ``Content-Language``.
"""

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from mock_server.core.errors import ProviderError
from mock_server.providers.appkey.messages import MESSAGES, resolve_language


class AppKeyError(ProviderError):
    """A rejection whose message and detail exist in both languages.

    ``message``/``detail`` (what the journal shows) are the English texts.
    """

    def __init__(
        self,
        status: int,
        rule: str,
        messages: dict[str, str] | None = None,
        details: dict[str, str] | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        diagnosis: dict[str, Any] | None = None,
    ) -> None:
        self.messages = messages or MESSAGES[rule]
        self.details = details
        # errors carry {"field", "message": {"id", "en"}} until rendered
        super().__init__(
            status,
            rule,
            self.messages["en"],
            detail=details["en"] if details else None,
            errors=errors,
            diagnosis=diagnosis,
        )


def language_of(request: Request) -> str:
    return resolve_language(request.headers.get("x-language"))


def render_error(err: ProviderError, request: Request) -> JSONResponse:
    lang = language_of(request)
    body: dict[str, Any] = {"success": False, "code": err.rule.upper()}
    if isinstance(err, AppKeyError):
        body["message"] = err.messages[lang]
        if err.details:
            body["detail"] = err.details[lang]
        if err.errors:
            body["errors"] = [
                {"field": e["field"], "message": e["message"][lang]} for e in err.errors
            ]
    else:
        # Raised by the shared pipeline or the router (413, 404, 405, query validation, 500):
        # translate by rule, so these too follow x-language.
        body["message"] = MESSAGES.get(err.rule, MESSAGES["http_error"])[lang]
        detail = err.detail if lang == "en" else _indonesian_detail(err, request)
        if detail:
            body["detail"] = detail
        if err.errors:
            body["errors"] = [
                {
                    "field": e.get("field"),
                    "message": e.get("message") if lang == "en" else "nilai tidak valid",
                }
                for e in err.errors
            ]
    response = JSONResponse(body, status_code=err.status)
    response.headers["content-language"] = lang
    response.headers["vary"] = "x-language"
    return response


def _indonesian_detail(err: ProviderError, request: Request) -> str | None:
    if err.detail is None:
        return None
    path = request.url.path
    numbers = re.findall(r"\d+", err.detail)
    if err.rule == "unknown_path":
        return f"tidak ada endpoint di {path}"
    if err.rule == "method_not_allowed":
        return f"metode {request.method} tidak diizinkan di {path}"
    if err.rule == "body_too_large" and len(numbers) == 2:
        return f"body permintaan berukuran {numbers[0]} byte; batasnya {numbers[1]} byte"
    if err.rule == "content_length":
        return "Content-Length bukan angka"
    if err.rule == "validation":
        return "parameter tidak valid"
    if err.rule.startswith("stub_"):  # it names the stub's fields, in the stub author's words
        return err.detail
    if err.rule == "internal":
        return "sandbox gagal memproses permintaan ini; traceback ada di konsolnya"
    return None


def bad_request(details: dict[str, str], errors: list[dict[str, Any]] | None = None) -> AppKeyError:
    return AppKeyError(400, "validation", details=details, errors=errors)


def not_found(what: dict[str, str], ident: object) -> AppKeyError:
    return AppKeyError(
        404,
        "not_found",
        details={
            "id": f"{what['id']} dengan id {ident} tidak ditemukan",
            "en": f"no {what['en']} with id {ident}",
        },
    )
