"""The admin protocol in-process, over the sandbox's services: what the control-plane app serves."""

import dataclasses
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from mock_server.admin.protocol import (
    AdminError,
    ClientIn,
    ClockChange,
    Conflict,
    ControlIn,
    FaultIn,
    NotFound,
    Unsupported,
)
from mock_server.core import postman
from mock_server.core.clock import parse_iso8601
from mock_server.core.har import batches, har_log
from mock_server.core.journal import JournalQuery
from mock_server.core.locations import url_host
from mock_server.core.provider import CredentialStore
from mock_server.core.services import Services, UnknownProvider
from mock_server.core.stubs.book import StubConflict
from mock_server.core.stubs.model import StubInvalid

JOURNAL_FILTERS = frozenset(f.name for f in dataclasses.fields(JournalQuery))
MAX_PER_PAGE = 500


def in_range(timestamp: float) -> bool:
    """Every date the sandbox prints (UTC, WIB) must exist."""
    return 0 <= timestamp < 253_370_764_800  # 9998-12-31


def instant(value: Any, name: str) -> float | None:
    """ISO 8601 or unix seconds."""
    if value is None or isinstance(value, int | float):
        return value
    try:
        return float(value)
    except ValueError:
        moment = parse_iso8601(str(value))
        if moment is None:
            raise AdminError(f"{name} must be ISO 8601 or unix seconds, got {value!r}") from None
        return moment.timestamp()


def invalid(exc: ValidationError) -> AdminError:
    problems = "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()
    )
    return AdminError(problems, status=422)


class LocalAdmin:
    def __init__(
        self,
        services: Services,
        *,
        ports: Callable[[], Mapping[str, tuple[int, bool]]],
        openapi: Mapping[str, Callable[[], dict[str, Any]]],
    ) -> None:
        """``ports``: each provider's port and whether it is listening now; ``openapi``: each
        provider's OpenAPI document."""
        self._services = services
        self._ports = ports
        self._openapi = openapi

    def _provider(self, name: str) -> str:
        try:
            return self._services.provider(name).name
        except UnknownProvider as exc:
            raise NotFound(str(exc)) from None

    # -- providers ------------------------------------------------------------------------------
    def providers(self) -> list[dict[str, Any]]:
        ports = self._ports()
        out = []
        for provider in self._services.providers:
            port, listening = ports[provider.name]
            out.append(
                {
                    "name": provider.name,
                    "title": provider.title,
                    "port": port,
                    "listening": listening,
                    "auth": provider.auth,
                    "demo_credentials": [
                        {"role": c.role, "client_id": c.client_id}
                        for c in provider.demo_credentials
                    ],
                }
            )
        return out

    def health(self) -> dict[str, Any]:
        listed = self.providers()
        ready = all(p["listening"] for p in listed)
        return {
            "status": "ok" if ready else "starting",
            "providers": {
                p["name"]: {"port": p["port"], "listening": p["listening"]} for p in listed
            },
        }

    def openapi(self, provider: str) -> dict[str, Any]:
        return self._openapi[self._provider(provider)]()

    def postman(
        self, provider: str, host: str = "127.0.0.1", admin_url: str | None = None
    ) -> dict[str, Any]:
        found = self._services.provider(self._provider(provider))
        if found.postman is None:
            raise Unsupported(f"{found.name} has no Postman collection")
        settings = self._services.settings
        port, _ = self._ports()[found.name]
        scheme = "https" if settings.provider_tls else "http"
        shown = url_host(host, any_address="127.0.0.1")
        base_url = f"{scheme}://{shown}:{port}"
        admin_url = admin_url or f"http://{shown}:{settings.admin_port}"
        document = self.openapi(found.name)
        spec = found.postman(self._services.provider_settings[found.name])
        return postman.export(found.name, found.title, spec, document, base_url, admin_url)

    # -- journal --------------------------------------------------------------------------------
    def _query(self, filters: Mapping[str, Any]) -> JournalQuery:
        # A filter that matched nothing because it was misspelt would pass a CI check that
        # counts zero rejections: unknown keys and provider names are refused, naming the valid.
        unknown = sorted(set(filters) - JOURNAL_FILTERS)
        if unknown:
            raise AdminError(
                f"unknown journal filter {', '.join(unknown)}; known: "
                + ", ".join(sorted(JOURNAL_FILTERS))
            )
        given = {k: v for k, v in filters.items() if v is not None}
        if "provider" in given:
            try:
                given["provider"] = self._services.provider(given["provider"]).name
            except UnknownProvider as exc:
                raise AdminError(str(exc)) from None
        for name in ("since", "until"):
            if name in given:
                given[name] = instant(given[name], name)
        query = JournalQuery(**given)
        if not (1 <= query.per_page <= MAX_PER_PAGE and 1 <= query.page <= 100_000):
            raise AdminError(f"page must be 1-100000 and per_page 1-{MAX_PER_PAGE}")
        return query

    def journal(self, **filters: Any) -> dict[str, Any]:
        query = self._query(filters)
        entries, total = self._services.journal.query(query)
        meta = {"page": query.page, "per_page": query.per_page, "total": total}
        return {"data": entries, "meta": meta}

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.journal(**filters)["data"]
        return entries

    def request(self, journal_id: str) -> dict[str, Any]:
        entry = self._services.journal.get(journal_id)
        if entry is None:
            raise NotFound(f"no journal entry {journal_id!r} (it may have been pruned)")
        return entry

    def count(self, **filters: Any) -> int:
        return self._services.journal.count(self._query(filters))

    def har(self, **filters: Any) -> dict[str, Any]:
        return har_log([e for batch in batches(self.requests, filters) for e in batch])

    def clear_journal(self) -> int:
        journal = self._services.journal
        count = journal.count()
        journal.clear()
        return count

    # -- clock ----------------------------------------------------------------------------------
    def _change_clock(self, **change: Any) -> dict[str, Any]:
        try:
            parsed = ClockChange.model_validate(change)
        except ValidationError as exc:
            raise invalid(exc) from None
        clock = self._services.clock
        if parsed.freeze is not None:
            if parsed.freeze == "now":
                clock.freeze()
            else:
                moment = parse_iso8601(parsed.freeze)
                if moment is None or not in_range(moment.timestamp()):
                    raise AdminError(
                        f"freeze must be ISO 8601 (1970 to 9998) or 'now', got {parsed.freeze!r}"
                    )
                clock.freeze(moment)
        elif parsed.advance_seconds is not None:
            if not in_range(clock.timestamp() + parsed.advance_seconds):
                raise AdminError("that would move the clock before 1970 or past 9998")
            clock.advance(parsed.advance_seconds)
        else:
            clock.resume()
        return clock.state()

    def clock(self) -> dict[str, Any]:
        return self._services.clock.state()

    def freeze(self, at: datetime | str = "now") -> dict[str, Any]:
        return self._change_clock(freeze=at.isoformat() if isinstance(at, datetime) else at)

    def advance(self, seconds: float) -> dict[str, Any]:
        return self._change_clock(advance_seconds=seconds)

    def resume(self) -> dict[str, Any]:
        return self._change_clock(resume=True)

    # -- faults ---------------------------------------------------------------------------------
    def add_fault(self, provider: str, **rule: Any) -> dict[str, Any]:
        try:
            fault = FaultIn.model_validate({"provider": provider, **rule})
        except ValidationError as exc:
            raise invalid(exc) from None
        self._provider(fault.provider)
        values = fault.model_dump(exclude={"times"}) | {"remaining": fault.times}
        if values["action"] == "status" and values["status"] == 429:
            # A 429 without Retry-After teaches clients nothing.
            values["retry_after"] = 1 if values["retry_after"] is None else values["retry_after"]
        return dict(self._services.faults.add(**values))

    def faults(self, provider: str | None = None) -> list[dict[str, Any]]:
        return [dict(rule) for rule in self._services.faults.rules(provider)]

    def delete_fault(self, rule_id: str) -> int:
        if not self._services.faults.delete(rule_id):
            raise NotFound(f"no fault rule {rule_id!r}")
        return 1

    def clear_faults(self) -> int:
        return self._services.faults.delete()

    # -- switches and state ---------------------------------------------------------------------
    def control(self, provider: str, **changes: Any) -> dict[str, Any]:
        name = self._provider(provider)
        controls = self._services.controls
        if not changes:
            return dataclasses.asdict(controls.get(name))
        try:
            parsed = ControlIn.model_validate(changes)
        except ValidationError as exc:
            raise invalid(exc) from None
        return dataclasses.asdict(controls.set(name, **parsed.model_dump()))

    def reset(self, provider: str | None = None) -> dict[str, Any]:
        if provider is None:
            seconds = self._services.reset()
            return {
                "reset": [p.name for p in self._services.providers],
                "ms": round(seconds * 1000),
            }
        name = self._provider(provider)
        started = time.perf_counter()
        self._services.reset_provider(name)
        return {"reset": [name], "ms": round((time.perf_counter() - started) * 1000)}

    # -- stubs ----------------------------------------------------------------------------------
    def stubs(self, provider: str) -> list[dict[str, Any]]:
        name = self._provider(provider)
        return [stub.describe() for stub in self._services.stubs.listed(name)]

    def add_stub(self, provider: str, /, **stub: Any) -> dict[str, Any]:
        name = self._provider(provider)
        try:
            return self._services.stubs.add(name, stub).describe()
        except StubInvalid as exc:
            raise AdminError(f"invalid stub: {exc}") from None
        except StubConflict as exc:
            raise Conflict(str(exc)) from None

    def delete_stub(self, provider: str, stub_id: str) -> int:
        name = self._provider(provider)
        book = self._services.stubs
        if not book.delete(name, stub_id):
            from_file = book.file_stub(name, stub_id)
            if from_file is not None:
                raise Conflict(
                    f"stub {stub_id!r} comes from {from_file.source}: edit the file and restart"
                )
            raise NotFound(f"no {name} stub {stub_id!r}")
        return 1

    def clear_stubs(self, provider: str) -> int:
        return self._services.stubs.delete(self._provider(provider))

    # -- clients --------------------------------------------------------------------------------
    def _store(self, provider: str) -> CredentialStore:
        name = self._provider(provider)
        factory = self._services.provider(name).credentials
        if factory is None:
            raise Unsupported(f"{name} does not manage clients through the control plane")
        return factory(self._services.context(name))

    def clients(self, provider: str) -> list[dict[str, Any]]:
        return self._store(provider).list()

    def create_client(
        self, provider: str, client_id: str | None = None, name: str = ""
    ) -> dict[str, Any]:
        try:
            wanted = ClientIn(client_id=client_id, name=name)
        except ValidationError as exc:
            raise invalid(exc) from None
        store = self._store(provider)
        if wanted.client_id and any(c["client_id"] == wanted.client_id for c in store.list()):
            raise Conflict(f"client {wanted.client_id!r} exists")
        return store.create(wanted.client_id, wanted.name)

    def rotate_client(self, provider: str, client_id: str) -> dict[str, Any]:
        try:
            return self._store(provider).rotate(client_id)
        except KeyError:
            raise NotFound(f"no {provider} client {client_id!r}") from None

    def set_client_active(self, provider: str, client_id: str, active: bool) -> dict[str, Any]:
        try:
            return self._store(provider).set_active(client_id, active)
        except KeyError:
            raise NotFound(f"no {provider} client {client_id!r}") from None
