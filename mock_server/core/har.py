"""Journal entries as a HAR 1.2 log (http://www.softwareishard.com/blog/har-12-spec/), which a
browser's network panel, Postman and Insomnia open. Secrets are already redacted in the entries;
bodies are the journal's excerpts, so ``content.size`` (the real size) may exceed the text."""

from collections.abc import Callable, Iterator, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from mock_server import __version__

BATCH = 500


def batches(
    requests: Callable[..., list[dict[str, Any]]], filters: Mapping[str, Any]
) -> Iterator[list[dict[str, Any]]]:
    """Every entry ``requests(**filters)`` matches, newest first, ``BATCH`` at a time
    (``page``/``per_page`` ignored). A cursor (``before_seq``) rather than page numbers, so
    entries that arrive meanwhile neither repeat nor hide older ones."""
    given = {k: v for k, v in filters.items() if k not in {"page", "per_page"}}
    before: int | None = None
    while True:
        batch = requests(**given, before_seq=before, per_page=BATCH)
        if batch:
            yield batch
        if len(batch) < BATCH:
            return
        before = batch[-1]["seq"]


def har_log(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """``entries`` as the journal gives them, in any order; the log lists them oldest first."""
    ordered = sorted(entries, key=lambda e: e["seq"])
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "mock-server", "version": __version__},
            "entries": [har_entry(entry) for entry in ordered],
        }
    }


def har_entry(entry: dict[str, Any]) -> dict[str, Any]:
    request_headers = entry.get("request_headers") or {}
    response_headers = entry.get("response_headers") or {}
    host = request_headers.get("host", "127.0.0.1")
    query = entry.get("query") or ""
    url = f"http://{host}{entry['path']}" + (f"?{query}" if query else "")
    request: dict[str, Any] = {
        "method": entry["method"],
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": pairs(request_headers),
        "queryString": [
            {"name": n, "value": v} for n, v in parse_qsl(query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": entry.get("body_bytes", 0),
    }
    if entry.get("body_excerpt"):
        request["postData"] = {
            "mimeType": request_headers.get("content-type", "application/octet-stream"),
            "text": entry["body_excerpt"],
        }
    status = entry["status"]
    duration = float(entry.get("duration_ms") or 0)
    return {
        "startedDateTime": entry["at"],
        "time": duration,
        "request": request,
        "response": {
            "status": status,
            "statusText": status_text(status),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": pairs(response_headers),
            "content": {
                "size": entry.get("response_bytes", 0),
                "mimeType": response_headers.get("content-type", ""),
                "text": entry.get("response_excerpt", ""),
            },
            "redirectURL": response_headers.get("location", ""),
            "headersSize": -1,
            "bodySize": entry.get("response_bytes", 0),
        },
        "cache": {},
        "timings": {"send": 0, "wait": duration, "receive": 0},
        # Custom fields start with an underscore (HAR 1.2): what the journal adds.
        "_journalId": entry["id"],
        "_provider": entry["provider"],
        "_rule": entry.get("rule"),
        "_message": entry.get("message"),
    }


def pairs(headers: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers.items()]


def status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
