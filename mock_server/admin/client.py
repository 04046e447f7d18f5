"""The admin protocol over HTTP: the client the CLI and the pytest plugin use (and usable from
any test: ``AdminClient("http://127.0.0.1:7100").count(outcome="rejected")``)."""

import http.client
import json
import ssl
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from mock_server.admin.errors import AdminError, AdminUnreachable

__all__ = ["AdminClient", "AdminError", "AdminUnreachable"]


class AdminClient:
    """Over the standard library's http.client, one kept-alive connection: every CLI command
    that drives a sandbox starts with this, and httpx alone cost it ~60 ms of start-up."""

    def __init__(
        self, url: str = "http://127.0.0.1:7100", token: str | None = None, timeout: float = 10.0
    ) -> None:
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AdminUnreachable(f"{url!r} is not an http:// or https:// URL of a control plane")
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, parts.port
        self._prefix = parts.path
        self._timeout = timeout
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "AdminClient":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                # The system's CAs, or SSL_CERT_FILE (the sandbox CA: mock-server ca --path).
                self._conn = http.client.HTTPSConnection(
                    self._host,
                    self._port,
                    timeout=self._timeout,
                    context=ssl.create_default_context(),
                )
            else:
                self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
        return self._conn

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> tuple[int, bytes]:
        # Ids travel in the path: one with a space or a non-ASCII letter is quoted, not refused
        # by http.client with a traceback.
        target = self._prefix + quote(path, safe="/") + (f"?{urlencode(params)}" if params else "")
        headers = dict(self._headers)
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            reused = self._conn is not None
            conn = self._connection()
            try:
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError) as exc:
                self.close()
                # A kept-alive connection the server had closed fails on first use without an
                # answer: once more on a fresh one. Not a reset mid-answer: the server may have
                # acted on it, and a POST (a "next N" fault, a new client) must not run twice.
                if attempt == 2 or not reused:
                    raise AdminUnreachable(
                        f"no control plane answers at {self.url} ({exc or 'connection closed'})"
                    ) from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise AdminUnreachable(f"no control plane answers at {self.url} ({exc})") from None
        raise AssertionError("unreachable")

    def _object(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = self._call(method, path, **kwargs)
        if not isinstance(answer, dict):
            raise AdminError(f"{method} {path}: expected a JSON object, got {answer!r:.200}")
        return answer

    def _list(self, method: str, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        answer = self._call(method, path, **kwargs)
        if not isinstance(answer, list):
            raise AdminError(f"{method} {path}: expected a JSON array, got {answer!r:.200}")
        return answer

    def _number(self, method: str, path: str, key: str, **kwargs: Any) -> int:
        return int(self._object(method, path, **kwargs)[key])

    def _call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        status, content = self._send(method, path, params, json)
        answer = _json_of(content)
        if status >= 400:
            detail = answer.get("detail") if isinstance(answer, dict) else None
            raise AdminError(
                f"{method} {path}: {status} {detail or content.decode(errors='replace')}",
                status=status,
            )
        if answer is _NOT_JSON:
            raise AdminError(f"{method} {path}: {status}, not JSON: {content[:200]!r}")
        return answer

    # -- health ---------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        status, content = self._send("GET", "/__admin/health")
        body = _json_of(content)
        if not isinstance(body, dict):
            raise AdminError(f"GET /__admin/health: {status}, not a JSON object", status=status)
        return body

    def providers(self) -> list[dict[str, Any]]:
        return self._list("GET", "/__admin/providers")

    def openapi(self, provider: str) -> dict[str, Any]:
        return self._object("GET", f"/__admin/providers/{provider}/openapi.json")

    def postman(
        self, provider: str, host: str = "127.0.0.1", admin_url: str | None = None
    ) -> dict[str, Any]:
        # The sandbox points them at the host and port this client reached it at.
        return self._object("GET", f"/__admin/postman/{provider}")

    # -- clock ----------------------------------------------------------------------------------
    def clock(self) -> dict[str, Any]:
        return self._object("GET", "/__admin/clock")

    def freeze(self, at: datetime | str = "now") -> dict[str, Any]:
        value = at.isoformat() if isinstance(at, datetime) else at
        return self._object("POST", "/__admin/clock", json={"freeze": value})

    def advance(self, seconds: float) -> dict[str, Any]:
        return self._object("POST", "/__admin/clock", json={"advance_seconds": seconds})

    def resume(self) -> dict[str, Any]:
        return self._object("POST", "/__admin/clock", json={"resume": True})

    # -- journal --------------------------------------------------------------------------------
    def journal(self, **filters: Any) -> dict[str, Any]:
        return self._object("GET", "/__admin/requests", params=_params(filters))

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """Journal entries, newest first (filters as GET /__admin/requests takes them)."""
        entries: list[dict[str, Any]] = self.journal(**filters)["data"]
        return entries

    def request(self, journal_id: str) -> dict[str, Any]:
        return self._object("GET", f"/__admin/requests/{journal_id}")

    def count(self, **filters: Any) -> int:
        return self._number("GET", "/__admin/requests/count", "count", params=_params(filters))

    def har(self, **filters: Any) -> dict[str, Any]:
        return self._object("GET", "/__admin/requests.har", params=_params(filters))

    def clear_journal(self) -> int:
        return self._number("DELETE", "/__admin/requests", "deleted")

    # -- faults, control, reset -----------------------------------------------------------------
    def add_fault(self, provider: str, **rule: Any) -> dict[str, Any]:
        return self._object("POST", "/__admin/faults", json={"provider": provider, **rule})

    def faults(self, provider: str | None = None) -> list[dict[str, Any]]:
        return self._list("GET", "/__admin/faults", params=_params({"provider": provider}))

    def delete_fault(self, rule_id: str) -> int:
        return self._number("DELETE", f"/__admin/faults/{rule_id}", "deleted")

    def clear_faults(self) -> int:
        return self._number("DELETE", "/__admin/faults", "deleted")

    def control(self, provider: str, **changes: Any) -> dict[str, Any]:
        """auth_mode="lenient" | "strict", rate_limit=N, rate_limit_window=seconds."""
        if not changes:
            return self._object("GET", f"/__admin/providers/{provider}/control")
        return self._object("POST", f"/__admin/providers/{provider}/control", json=changes)

    def reset(self, provider: str | None = None) -> dict[str, Any]:
        path = f"/__admin/providers/{provider}/reset" if provider else "/__admin/reset"
        return self._object("POST", path)

    # -- stubs ----------------------------------------------------------------------------------
    def stubs(self, provider: str) -> list[dict[str, Any]]:
        return self._list("GET", f"/__admin/providers/{provider}/stubs")

    def add_stub(self, provider: str, /, **stub: Any) -> dict[str, Any]:
        return self._object("POST", f"/__admin/providers/{provider}/stubs", json=stub)

    def delete_stub(self, provider: str, stub_id: str) -> int:
        return self._number("DELETE", f"/__admin/providers/{provider}/stubs/{stub_id}", "deleted")

    def clear_stubs(self, provider: str) -> int:
        return self._number("DELETE", f"/__admin/providers/{provider}/stubs", "deleted")

    # -- clients --------------------------------------------------------------------------------
    def clients(self, provider: str) -> list[dict[str, Any]]:
        return self._list("GET", f"/__admin/providers/{provider}/clients")

    def create_client(
        self, provider: str, client_id: str | None = None, name: str = ""
    ) -> dict[str, Any]:
        body = {"client_id": client_id, "name": name}
        return self._object("POST", f"/__admin/providers/{provider}/clients", json=body)

    def rotate_client(self, provider: str, client_id: str) -> dict[str, Any]:
        return self._object("POST", f"/__admin/providers/{provider}/clients/{client_id}/rotate")

    def set_client_active(self, provider: str, client_id: str, active: bool) -> dict[str, Any]:
        path = f"/__admin/providers/{provider}/clients/{client_id}/active"
        return self._object("POST", path, json={"active": active})


def _params(filters: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (str(v).lower() if isinstance(v, bool) else v)
        for k, v in filters.items()
        if v is not None
    }


_NOT_JSON = object()  # what a body that is not JSON parses to


def _json_of(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return _NOT_JSON
