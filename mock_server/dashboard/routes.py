"""The dashboard's pages and fragments. Every change goes through the admin protocol, as JSON
(htmx's json-enc extension): the control plane's guard refuses form posts, and stays as it is."""

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Body, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from mock_server.admin.explain import explanation
from mock_server.admin.protocol import Admin, AdminError, NotFound
from mock_server.core.config import Settings
from mock_server.core.locations import url_host
from mock_server.core.provider import Provider
from mock_server.dashboard.assets import render, static_file
from mock_server.dashboard.curl import signed_curl
from mock_server.dashboard.live import LiveFeed, sse

UI = "/__admin/ui"
STATIC = f"{UI}/static"
DOCS = "/__admin/docs"


def dashboard_owns(path: str) -> bool:
    """The paths the dashboard serves: its journal page at ``/``, its pages and the API docs."""
    return path == "/" or path == UI or path.startswith((UI + "/", DOCS))


ROWS_SHOWN = 200  # a page's table; older entries are a filter away
FILTERS = ("provider", "outcome", "status", "rule", "client_id")

# Fault presets: each is added with no body, so the provider's own error shape is answered.
FAULT_PRESETS: dict[str, dict[str, Any]] = {
    "outage-503": {"action": "status", "status": 503},
    "rate-limited-429": {"action": "status", "status": 429, "retry_after": 30},
    "error-500": {"action": "status", "status": 500},
    "bad-gateway-502": {"action": "status", "status": 502},
    "timeout-504": {"action": "status", "status": 504},
    "slow-3s": {"action": "latency", "latency_ms": 3000},
    "drop": {"action": "drop"},
}
PRESET_LABELS = {
    "outage-503": "503 outage",
    "rate-limited-429": "429 rate limited (Retry-After 30)",
    "error-500": "500 server error",
    "bad-gateway-502": "502 bad gateway",
    "timeout-504": "504 gateway timeout",
    "slow-3s": "3 s latency",
    "drop": "drop the connection",
}

JsonBody = Annotated[dict[str, Any], Body(default_factory=dict)]


def html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def given(body: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The fields a form filled in: json-enc sends every input, empty ones as ""."""
    return {n: body[n] for n in names if body.get(n) not in (None, "")}


def journal_filters(params: Mapping[str, str]) -> dict[str, Any]:
    filters: dict[str, Any] = {n: params[n] for n in FILTERS if params.get(n)}
    if "status" in filters:
        if not filters["status"].isdigit():
            raise AdminError(f"status {filters['status']!r} is not an HTTP status code")
        filters["status"] = int(filters["status"])
    if filters.get("outcome") not in (None, "accepted", "rejected"):
        raise AdminError("outcome is accepted or rejected")
    return filters


def build_dashboard(
    admin: Admin,
    feed: LiveFeed,
    providers: Sequence[Provider[Any]],
    provider_settings: Mapping[str, Any],
    settings: Settings,
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    by_name = {p.name: p for p in providers}
    host = url_host(settings.host, any_address="127.0.0.1")

    def provider_of(name: str) -> Provider[Any]:
        if name not in by_name:
            raise NotFound(f"unknown provider {name!r}; known: {', '.join(by_name)}")
        return by_name[name]

    def base_urls() -> dict[str, str]:
        return {p["name"]: f"http://{host}:{p['port']}" for p in admin.providers()}

    def page(template: str, **context: Any) -> HTMLResponse:
        return html(
            render(
                template,
                static=STATIC,
                ui=UI,
                clock=admin.clock(),
                providers=[p.name for p in providers],
                **context,
            )
        )

    # -- pages ----------------------------------------------------------------------------------
    async def journal_page(request: Request) -> HTMLResponse:
        filters = journal_filters(request.query_params)
        entries = admin.requests(**filters, per_page=ROWS_SHOWN)
        return page("journal.html", entries=entries, filters=filters, tab="journal")

    router.add_api_route("/", journal_page, methods=["GET"])
    router.add_api_route(UI, journal_page, methods=["GET"])

    @router.get(f"{UI}/controls")
    async def controls_page() -> HTMLResponse:
        return page(
            "controls.html",
            tab="controls",
            faults=admin.faults(),
            presets=PRESET_LABELS,
            controls={p.name: admin.control(p.name) for p in providers},
            with_clients=[p.name for p in providers if p.credentials is not None],
        )

    @router.get(f"{UI}/flows")
    async def flows_page() -> HTMLResponse:
        from mock_server.dashboard.flows import FLOWS  # httpx and the KYC envelope: on first use

        flows = [(name, FLOWS[name].title) for name in by_name if name in FLOWS]
        return page("flows.html", tab="flows", flows=flows)

    @router.get(f"{UI}/docs")
    async def docs_index() -> HTMLResponse:
        return page("docs.html", tab="docs")

    # -- the journal ----------------------------------------------------------------------------
    @router.get(f"{UI}/rows")
    async def rows(request: Request) -> HTMLResponse:
        entries = admin.requests(**journal_filters(request.query_params), per_page=ROWS_SHOWN)
        return html(render("_rows.html", entries=entries, ui=UI))

    @router.get(f"{UI}/events")
    async def events(request: Request) -> StreamingResponse:
        """New entries matching the filters, as ``rows`` events of table rows, newest first; a
        ``reset`` event when the journal was cleared (its numbering starts over)."""
        filters = journal_filters(request.query_params)
        after = request.query_params.get("after_seq", "0")
        last = int(after) if after.isdigit() else 0

        async def stream() -> AsyncIterator[str]:
            nonlocal last
            yield "retry: 1000\n\n"
            async for woke in feed.changes():
                if not woke:
                    yield ": still here\n\n"
                    continue
                newest = admin.requests(per_page=1)
                if last and (not newest or newest[0]["seq"] < last):
                    last = 0
                    yield sse("reset", "")
                entries = admin.requests(**filters, after_seq=last, per_page=ROWS_SHOWN)
                if entries:
                    last = entries[0]["seq"]
                    yield sse("rows", render("_rows.html", entries=entries, ui=UI))

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @router.get(UI + "/requests/{journal_id}")
    async def detail(journal_id: str) -> HTMLResponse:
        entry = admin.request(journal_id)
        body = entry["body_excerpt"]
        try:
            shown_body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            shown_body = body
        return html(
            render(
                "_detail.html",
                entry=entry,
                body=shown_body,
                explanation=explanation(entry),
                ui=UI,
            )
        )

    @router.get(UI + "/requests/{journal_id}/curl")
    async def curl(journal_id: str) -> HTMLResponse:
        entry = admin.request(journal_id)
        provider = provider_of(entry["provider"])
        now = datetime.fromisoformat(admin.clock()["now"].replace("Z", "+00:00"))
        base = base_urls()[provider.name]
        try:
            # In a worker thread: a signer may fetch a token from this very server.
            made = await anyio.to_thread.run_sync(
                signed_curl, entry, provider, provider_settings[provider.name], base, now
            )
        except Exception as exc:
            return html(render("_curl.html", error=f"{type(exc).__name__}: {exc}"))
        return html(render("_curl.html", curl=made))

    # -- clock ----------------------------------------------------------------------------------
    @router.get(f"{UI}/clock")
    async def clock() -> HTMLResponse:
        return html(render("_clock.html", clock=admin.clock()))

    @router.post(f"{UI}/clock")
    async def change_clock(body: JsonBody) -> HTMLResponse:
        action = body.get("action")
        if action == "freeze":
            state = admin.freeze(body.get("at") or "now")
        elif action == "advance":
            try:
                seconds = float(body.get("seconds", ""))
            except (TypeError, ValueError):
                raise AdminError("advance by how many seconds? (a number)") from None
            state = admin.advance(seconds)
        elif action == "resume":
            state = admin.resume()
        else:
            raise AdminError("action is freeze, advance or resume")
        return html(render("_clock.html", clock=state))

    # -- faults ---------------------------------------------------------------------------------
    def faults_fragment() -> HTMLResponse:
        return html(render("_faults.html", faults=admin.faults(), ui=UI))

    @router.post(f"{UI}/faults")
    async def add_fault(body: JsonBody) -> HTMLResponse:
        preset = FAULT_PRESETS.get(str(body.get("preset")))
        if preset is None:
            raise AdminError(f"preset is one of {', '.join(FAULT_PRESETS)}")
        provider = provider_of(str(body.get("provider", "")))
        admin.add_fault(provider.name, **preset, **given(body, "path", "method", "times"))
        return faults_fragment()

    @router.delete(UI + "/faults/{rule_id}")
    async def delete_fault(rule_id: str) -> HTMLResponse:
        admin.delete_fault(rule_id)
        return faults_fragment()

    # -- per provider ---------------------------------------------------------------------------
    @router.post(UI + "/providers/{name}/control")
    async def change_control(name: str, body: JsonBody) -> HTMLResponse:
        state = admin.control(name, **given(body, "auth_mode", "rate_limit", "rate_limit_window"))
        return html(render("_control.html", name=name, control=state, ui=UI, saved=True))

    def clients_fragment(name: str, shown: dict[str, Any] | None = None) -> HTMLResponse:
        return html(
            render("_clients.html", name=name, clients=admin.clients(name), shown=shown, ui=UI)
        )

    @router.get(UI + "/providers/{name}/clients")
    async def clients(name: str) -> HTMLResponse:
        return clients_fragment(name)

    @router.post(UI + "/providers/{name}/clients")
    async def create_client(name: str, body: JsonBody) -> HTMLResponse:
        made = admin.create_client(name, body.get("client_id") or None, body.get("name") or "")
        return clients_fragment(name, made)

    @router.post(UI + "/providers/{name}/clients/{client_id}/rotate")
    async def rotate_client(name: str, client_id: str) -> HTMLResponse:
        return clients_fragment(name, admin.rotate_client(name, client_id))

    @router.post(UI + "/providers/{name}/clients/{client_id}/active")
    async def set_active(name: str, client_id: str, body: JsonBody) -> HTMLResponse:
        admin.set_client_active(name, client_id, body.get("active") in (True, "true"))
        return clients_fragment(name)

    @router.post(f"{UI}/reset")
    async def reset(body: JsonBody) -> HTMLResponse:
        name = body.get("provider") or None
        admin.reset(provider_of(name).name if name else None)
        said = f"{name} is back to its seed" if name else "every provider is back to its seed"
        return html(render("_said.html", said=said))

    # -- guided flows ---------------------------------------------------------------------------
    @router.post(UI + "/flows/{name}")
    async def run_flow(name: str) -> StreamingResponse:
        """Each step's request and response as an HTML fragment, sent as soon as it is done."""
        from mock_server.dashboard.flows import FLOWS, FlowContext, step_html

        provider = provider_of(name)
        if name not in FLOWS:
            raise NotFound(f"{name} has no guided flow")
        ctx = FlowContext(
            provider=provider,
            settings=provider_settings[name],
            base_url=base_urls()[name],
            admin=admin,
        )

        def steps() -> Any:
            # A plain iterator: Starlette runs it in a worker thread, so the flow's own HTTP
            # calls to this server are answered meanwhile.
            for step in FLOWS[name].run(ctx):
                yield step_html(step)

        return StreamingResponse(
            steps(), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"}
        )

    # -- static assets and API docs -------------------------------------------------------------
    @router.get(STATIC + "/{path:path}")
    async def static(path: str) -> Response:
        found = static_file(path)
        if found is None:
            return JSONResponse({"detail": f"no asset {path!r}"}, status_code=404)
        return found

    def swagger(openapi_url: str, title: str) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{STATIC}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/swagger-ui/favicon-32x32.png",
        )

    @router.get(DOCS)
    async def admin_docs() -> HTMLResponse:
        return swagger("/__admin/openapi.json", "mock-server control plane")

    @router.get(DOCS + "/{name}")
    async def provider_docs(name: str) -> HTMLResponse:
        provider = provider_of(name)
        return swagger(f"/__admin/providers/{name}/openapi.json", f"{provider.title} (sandbox)")

    return router
