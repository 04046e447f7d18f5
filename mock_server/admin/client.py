"""The admin protocol over HTTP: the client the CLI and the pytest plugin use (and usable from
any test: ``AdminClient("http://127.0.0.1:7100").count(outcome="rejected")``)."""

from datetime import datetime
from typing import Any

import httpx

from mock_server.admin.protocol import AdminError, AdminUnreachable

__all__ = ["AdminClient", "AdminError", "AdminUnreachable"]


class AdminClient:
    def __init__(
        self, url: str = "http://127.0.0.1:7100", token: str | None = None, timeout: float = 10.0
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "AdminClient":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

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

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise AdminUnreachable(f"no control plane answers at {self.url} ({exc})") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise AdminError(
                f"{method} {path}: {response.status_code} {detail}", status=response.status_code
            )
        return response.json()

    # -- health ---------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        try:
            body: dict[str, Any] = self._http.get("/__admin/health").json()
            return body
        except httpx.TransportError as exc:
            raise AdminUnreachable(f"no control plane answers at {self.url} ({exc})") from None

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
