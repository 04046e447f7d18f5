"""The one JSON parser for what clients send: every provider's bodies and the control plane's.

``json.loads`` alone lets through what a real partner API would refuse and what crashes the code
behind it: ``NaN`` and ``Infinity`` (not JSON, yet Python reads them), ``1e400`` (read as
infinity), integers too long for ``int()`` (a ``ValueError`` that is no ``JSONDecodeError``), and
nesting deep enough to exhaust the interpreter's stack (a ``RecursionError``). Each is refused
here as a ``json.JSONDecodeError``, so the callers' existing "malformed JSON" answers cover them.
"""

import json
import math
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

MAX_DEPTH = 64  # the documented bodies nest 4 levels at most
MAX_NUMBER_DIGITS = 64  # far above any id, amount or timestamp, far below int()'s 4,300 limit

# A string (with its escapes) or a bracket: the depth scan skips strings in one regex step.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class _Refused(Exception):
    def __init__(self, msg: str, token: str) -> None:
        self.msg, self.token = msg, token


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number", name)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS * 2:
        raise _Refused(f"a number of {len(text)} characters", text)
    value = float(text)
    if math.isinf(value):
        raise _Refused(f"{text[:20]} is too large for a number", text)
    return value


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _Refused(f"an integer of {len(text)} digits", text)
    return int(text)


_decoder = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_float=_float, parse_int=_int, strict=True
)


def too_deep(text: str, max_depth: int = MAX_DEPTH) -> int | None:
    """Where the text first nests deeper than ``max_depth`` (outside strings), or None.
    A loop, never a recursion: the point is to refuse before the recursive parser runs."""
    if text.count("[") + text.count("{") <= max_depth:
        return None  # the common case, at the speed of str.count
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a client's JSON. Raises ``UnicodeDecodeError`` for bytes that are not UTF-8 and
    ``json.JSONDecodeError`` for anything that is not plain JSON within the limits above."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    at = too_deep(text, max_depth)
    if at is not None:
        raise json.JSONDecodeError(f"nested deeper than {max_depth} levels", text, at)
    try:
        return _decoder.decode(text)
    except _Refused as refused:
        raise json.JSONDecodeError(refused.msg, text, max(text.find(refused.token), 0)) from None
    except RecursionError:  # a depth the scan cannot see (it cannot happen below MAX_DEPTH)
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


class JSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class JSONRoute(APIRoute):
    """A route whose JSON body parameters are read by ``loads``: FastAPI turns its
    ``JSONDecodeError`` into the same 422 as for any malformed body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_json_request(request: Request) -> Response:
            return await handler(JSONRequest(request.scope, request.receive))

        return with_json_request
