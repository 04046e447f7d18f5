"""JSON or XML by the Accept header, with the same content (JOSS: "For now only support for
application/json and application/xml").

The XML form is the mock's choice, since the doc shows none: the JSON document under a
``<response>`` root, each key an element, each list item an ``<item>`` element, ``null`` an empty
element, booleans ``true``/``false``.
"""

import json
import re
from typing import Any
from xml.sax.saxutils import escape

from starlette.responses import Response

JSON = "application/json"
XML = "application/xml"
_BY_MEDIA = {JSON: JSON, XML: XML, "*/*": JSON, "application/*": JSON}
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Characters XML 1.0 cannot carry at all (a JSON string may hold them as \u0001): replaced.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts neither JSON nor XML.

    No Accept header (or ``*/*``, as curl and httpx send) gets JSON; q-values are honoured and,
    between equals, the first listed wins.
    """
    if accept is None or not accept.strip():
        return JSON
    best: str | None = None
    best_q = 0.0
    for part in accept.split(","):
        media, *params = part.split(";")
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        chosen = _BY_MEDIA.get(media.strip().lower())
        if chosen and q > best_q:
            best, best_q = chosen, q
    return best


def render(body: dict[str, Any], status: int, media: str | None) -> Response:
    if media == XML:
        return Response(to_xml(body), status_code=status, media_type=XML)
    return Response(_encode_json(body).encode(), status_code=status, media_type=JSON)


def to_xml(body: dict[str, Any]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _element("response", body, out)
    return "".join(out).encode("utf-8")


def _element(name: str, value: Any, out: list[str]) -> None:
    if not _XML_NAME.match(name):
        out.append(f'<entry key="{escape(_clean(name), {chr(34): "&quot;"})}">')
        _content(value, out)
        out.append("</entry>")
        return
    if value is None or value == [] or value == {}:
        out.append(f"<{name}/>")
        return
    out.append(f"<{name}>")
    _content(value, out)
    out.append(f"</{name}>")


def _content(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _element(str(key), item, out)
    elif isinstance(value, list):
        for item in value:
            _element("item", item, out)
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    elif value is not None:
        out.append(escape(_clean(str(value))))


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
