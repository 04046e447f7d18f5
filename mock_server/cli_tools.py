"""`mock-server` commands that drive a running sandbox through its control plane, and `sign`.

mock-server sign digitalent POST /api/public/pelatihan/akademi --body '{"id":1}' --curl
mock-server journal --follow
mock-server explain 74add45100000a
mock-server clock --advance 43200
mock-server credentials digitalent rotate dts-demo-client
mock-server postman -o postman/
"""

import argparse
import difflib
import json
import os
import shlex
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mock_server.admin.errors import AdminError, AdminUnreachable
from mock_server.admin.explain import entry_line, explanation
from mock_server.core.locations import url_host
from mock_server.core.provider import SignInput
from mock_server.registry import PROVIDERS, by_name

if TYPE_CHECKING:
    from mock_server.admin.client import AdminClient

DEFAULT_ADMIN_URL = "http://127.0.0.1:7100"


def default_admin_url(environ: Mapping[str, str] = os.environ) -> str:
    """Where the server listens by the same environment: MOCK_ADMIN_URL, else MOCK_HOST and
    MOCK_ADMIN_PORT (an any-address host is reached on loopback), else 127.0.0.1:7100."""
    if url := environ.get("MOCK_ADMIN_URL"):
        return url
    host = url_host(environ.get("MOCK_HOST") or "127.0.0.1", any_address="127.0.0.1")
    return f"http://{host}:{environ.get('MOCK_ADMIN_PORT') or 7100}"


def add_admin_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--admin-url",
        metavar="URL",
        default=default_admin_url(),
        help="the running sandbox's control plane (MOCK_ADMIN_URL; default from MOCK_HOST and "
        f"MOCK_ADMIN_PORT as the server reads them, else {DEFAULT_ADMIN_URL})",
    )


def admin_client(ns: argparse.Namespace) -> "AdminClient":
    # Imported here: httpx is most of a command's start-up, and --help or a usage error need none.
    from mock_server.admin.client import AdminClient

    # The token comes from the environment only: a flag would show it in the process list.
    return AdminClient(ns.admin_url, token=os.environ.get("MOCK_ADMIN_TOKEN"))


def add_commands(sub: Any) -> None:
    names = [p.name for p in PROVIDERS]
    sign = sub.add_parser(
        "sign",
        help="print the headers (or a curl command) of a correctly signed request",
        epilog="example: mock-server sign digitalent POST /api/public/pelatihan/akademi "
        "--body '{\"id\":1}' --curl",
    )
    sign.add_argument("provider", choices=names)
    sign.add_argument("method", type=str.upper)
    sign.add_argument("path", help="as it will be sent, query string included")
    body = sign.add_mutually_exclusive_group()
    body.add_argument("--body", default="", help="the request body, exactly as it will be sent")
    body.add_argument("--body-file", help="read the body from this file (- for stdin)")
    sign.add_argument("--client-id", help="default: the provider's demo client")
    sign.add_argument("--secret", help="default: the demo client's secret")
    sign.add_argument("--key", dest="key_file", help="private key PEM, for RSA-signing providers")
    sign.add_argument("--base-url", help="the provider's URL (default: its default port)")
    sign.add_argument("--curl", action="store_true", help="print a ready curl command")
    sign.add_argument(
        "--local-clock",
        action="store_true",
        help="stamp the request with this machine's clock, without asking a running sandbox "
        "for its (possibly moved) time",
    )
    add_admin_flags(sign)
    sign.set_defaults(func=cmd_sign)

    journal = sub.add_parser(
        "journal",
        help="print the journal, newest last; --follow keeps tailing it; --har exports it",
        epilog="example: mock-server journal --provider digitalent --outcome rejected --follow\n"
        "         mock-server journal --outcome rejected --har rejected.har",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    journal.add_argument("--provider", choices=names)
    journal.add_argument("--client-id")
    journal.add_argument("--outcome", choices=["accepted", "rejected"])
    journal.add_argument("--status", type=int)
    journal.add_argument("--limit", type=int, default=20, help="entries to show first (max 500)")
    journal.add_argument("--follow", "-f", action="store_true", help="keep printing new entries")
    journal.add_argument(
        "--har",
        metavar="FILE",
        help="write every matching entry to FILE as HAR 1.2 (- for standard output) instead",
    )
    add_admin_flags(journal)
    journal.set_defaults(func=cmd_journal)

    explain = sub.add_parser(
        "explain",
        help="why a request was rejected (or would have been, in lenient mode)",
        epilog="example: mock-server explain 74add45100000a  (the X-Mock-Journal-Id header)",
    )
    explain.add_argument("journal_id")
    explain.add_argument("--json", action="store_true", help="the raw journal entry")
    add_admin_flags(explain)
    explain.set_defaults(func=cmd_explain)

    clock = sub.add_parser(
        "clock",
        help="show the sandbox clock, or freeze, advance or resume it",
        epilog="example: mock-server clock --advance 43200   (12 hours later)",
    )
    change = clock.add_mutually_exclusive_group()
    change.add_argument("--freeze", metavar="ISO|now", help="stop time at an instant")
    change.add_argument("--advance", type=float, metavar="SECONDS", help="move time forward")
    change.add_argument("--resume", action="store_true", help="back to real time")
    add_admin_flags(clock)
    clock.set_defaults(func=cmd_clock)

    credentials = sub.add_parser(
        "credentials",
        help="list, create, rotate, deactivate a provider's clients",
        epilog="example: mock-server credentials digitalent create --client-id partner-a",
    )
    credentials.add_argument("provider", choices=names)
    credentials.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "create", "rotate", "deactivate", "activate"],
    )
    credentials.add_argument("client", nargs="?", help="the client id (rotate, (de)activate)")
    credentials.add_argument("--client-id", help="for create: the id to use (default: generated)")
    credentials.add_argument("--name", default="", help="for create: a label")
    add_admin_flags(credentials)
    credentials.set_defaults(func=cmd_credentials)

    postman = sub.add_parser(
        "postman",
        help="write each provider's Postman collection and environment",
        epilog="example: mock-server postman joss sales_order -o postman/\n"
        "Asks the running sandbox (--admin-url), so the URLs are its own; with none "
        "answering, or with --offline, builds them here for the configured ports.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    postman.add_argument(
        "providers", nargs="*", metavar="PROVIDER", help=f"default: all ({', '.join(names)})"
    )
    postman.add_argument("-o", "--output", required=True, metavar="DIR", help="written into")
    postman.add_argument(
        "--offline",
        action="store_true",
        help="do not ask a running sandbox: build here, for the ports the settings name "
        "(--host, MOCK_<PROVIDER>_PORT, MOCK_ADMIN_PORT)",
    )
    postman.add_argument(
        "--host",
        default=None,
        help="with --offline (or no sandbox answering): the host in the URLs (default "
        "MOCK_HOST, else 127.0.0.1)",
    )
    add_admin_flags(postman)
    postman.set_defaults(func=cmd_postman)


# -- sign -----------------------------------------------------------------------------------------
def cmd_sign(ns: argparse.Namespace) -> int:
    provider = by_name(ns.provider)
    if provider.sign is None:
        print(f"mock-server: {provider.name} has no signer", file=sys.stderr)
        return 2
    if ns.body_file:
        if ns.body_file == "-":
            body = sys.stdin.buffer.read()
        else:
            with open(ns.body_file, "rb") as file:
                body = file.read()
    else:
        body = ns.body.encode()
    settings = provider.settings_cls()
    base_url = (ns.base_url or f"http://127.0.0.1:{settings.port}").rstrip("/")
    now = sandbox_now(ns)
    headers = provider.sign(
        SignInput(
            method=ns.method,
            path=ns.path,
            body=body,
            client_id=ns.client_id,
            secret=ns.secret,
            key_file=ns.key_file,
            now=now,
            base_url=base_url,
            settings=settings,
        )
    )
    if ns.curl:
        parts = ["curl", "-sS", "-X", ns.method, shlex.quote(base_url + ns.path)]
        for name, value in headers.items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if body:
            parts += ["--data-binary", shlex.quote(body.decode("utf-8", "replace"))]
        print(" ".join(parts))
    else:
        for name, value in headers.items():
            print(f"{name}: {value}")
    return 0


def sandbox_now(ns: argparse.Namespace) -> datetime:
    """The running sandbox's time (it may be frozen or moved); this machine's only when asked."""
    if ns.local_clock:
        return datetime.now(UTC)
    try:
        with admin_client(ns) as admin:
            text = admin.clock()["now"]
    except AdminUnreachable:
        # Quietly signing with this machine's clock made headers a moved sandbox then refused.
        raise AdminUnreachable(
            f"no sandbox answers at {ns.admin_url}, so its clock is unknown: start one, point "
            "--admin-url (or MOCK_ADMIN_URL, MOCK_ADMIN_PORT) at it, or sign with this "
            "machine's clock with --local-clock"
        ) from None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- journal and explain --------------------------------------------------------------------------
def cmd_journal(ns: argparse.Namespace) -> int:
    filters = {
        "provider": ns.provider,
        "client_id": ns.client_id,
        "outcome": ns.outcome,
        "status": ns.status,
    }
    if ns.har:
        with admin_client(ns) as admin:
            log = admin.har(**filters)
        text = json.dumps(log, indent=2, ensure_ascii=False)
        if ns.har == "-":
            print(text)
        else:
            try:
                with open(ns.har, "w", encoding="utf-8") as file:
                    file.write(text + "\n")
            except OSError as exc:
                print(f"mock-server: cannot write {ns.har}: {exc.strerror}", file=sys.stderr)
                return 2
            count = len(log["log"]["entries"])
            print(f"{count} entries written to {ns.har} (HAR 1.2)", file=sys.stderr)
        return 0
    with admin_client(ns) as admin:
        entries = admin.requests(**filters, per_page=max(1, min(ns.limit, 500)))
        for entry in reversed(entries):
            print(entry_line(entry), flush=True)
        last = entries[0]["seq"] if entries else 0
        last_id = entries[0]["id"] if entries else None
        while ns.follow:
            time.sleep(0.5)
            if last_id is not None and not journal_has(admin, last_id):
                last = 0  # the journal was cleared or the sandbox reset: numbering restarted
            # Every entry since the last one printed, page by page (a burst may exceed a page).
            newer: list[dict[str, Any]] = []
            page = 1
            while True:
                batch = admin.requests(**filters, after_seq=last, per_page=500, page=page)
                newer += batch
                if len(batch) < 500:
                    break
                page += 1
            for entry in sorted(newer, key=lambda e: e["seq"]):
                print(entry_line(entry), flush=True)
            if newer:
                newest = max(newer, key=lambda e: e["seq"])
                last, last_id = newest["seq"], newest["id"]
    return 0


def journal_has(admin: "AdminClient", journal_id: str) -> bool:
    try:
        admin.request(journal_id)
    except AdminUnreachable:
        raise
    except AdminError:
        return False
    return True


def cmd_explain(ns: argparse.Namespace) -> int:
    with admin_client(ns) as admin:
        entry = admin.request(ns.journal_id)
    if ns.json:
        print(json.dumps(entry, indent=2, ensure_ascii=False))
        return 0
    print(explanation(entry))
    return 0


# -- clock and credentials ------------------------------------------------------------------------
def cmd_clock(ns: argparse.Namespace) -> int:
    with admin_client(ns) as admin:
        if ns.freeze:
            state = admin.freeze(ns.freeze)
        elif ns.advance is not None:
            state = admin.advance(ns.advance)
        elif ns.resume:
            state = admin.resume()
        else:
            state = admin.clock()
    mode = "frozen" if state["frozen"] else f"running, offset {state['offset_seconds']:g} s"
    print(f"sandbox time: {state['now']}  ({mode})")
    return 0


def cmd_credentials(ns: argparse.Namespace) -> int:
    with admin_client(ns) as admin:
        if ns.action == "list":
            for client in admin.clients(ns.provider):
                state = "active" if client.get("active", True) else "inactive"
                rest = {k: v for k, v in client.items() if k not in {"client_id", "active"}}
                print(f"{client['client_id']}  {state}  " + json.dumps(rest, ensure_ascii=False))
            return 0
        if ns.action == "create":
            result = admin.create_client(ns.provider, ns.client_id, ns.name)
        elif not ns.client:
            print(f"mock-server: {ns.action} needs a client id", file=sys.stderr)
            return 2
        elif ns.action == "rotate":
            result = admin.rotate_client(ns.provider, ns.client)
        else:
            result = admin.set_client_active(ns.provider, ns.client, ns.action == "activate")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


# -- postman --------------------------------------------------------------------------------------
def postman_names(asked: list[str]) -> list[str] | None:
    """The providers asked for (``sales-order`` is ``sales_order``), all for none; None after
    saying which name is unknown."""
    known = [p.name for p in PROVIDERS]
    chosen = []
    for name in asked:
        name = name.replace("-", "_")
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            print(
                f"mock-server: unknown provider {name!r}; {hint}(providers: {', '.join(known)})",
                file=sys.stderr,
            )
            return None
        chosen.append(name)
    return chosen or known


def cmd_postman(ns: argparse.Namespace) -> int:
    names = postman_names(ns.providers)
    if names is None:
        return 2
    exports: dict[str, dict[str, Any]] | None = None
    if not ns.offline:
        try:
            with admin_client(ns) as admin:
                exports = {name: admin.postman(name) for name in names}
        except AdminUnreachable:
            print(
                f"mock-server: no sandbox answers at {ns.admin_url}: built here for the "
                "configured ports instead (start the sandbox with the same settings)",
                file=sys.stderr,
            )
    if exports is None:
        exports = offline_exports(names, ns.host)
    from mock_server.core.postman import file_names

    out = Path(ns.output)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, export in exports.items():
            kinds = zip(("collection", "environment"), file_names(name), strict=True)
            for kind, file_name in kinds:
                path = out / file_name
                text = json.dumps(export[kind], indent=2, ensure_ascii=False)
                path.write_text(text + "\n", encoding="utf-8")
                print(path)
    except OSError as exc:
        print(f"mock-server: cannot write into {ns.output}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


def offline_exports(names: list[str], host: str | None) -> dict[str, dict[str, Any]]:
    """Built in this process from the documents the sandbox would serve: this needs the server's
    modules (the documents are FastAPI's), on an in-memory state that is thrown away."""
    from mock_server.admin.local import LocalAdmin
    from mock_server.app import Sandbox, openapi_of
    from mock_server.core.config import Settings

    settings = Settings(database_url="sqlite://")
    sandbox = Sandbox(settings).open()
    try:
        admin = LocalAdmin(
            sandbox.services,
            ports=lambda: {name: (port, False) for name, port in sandbox.ports().items()},
            openapi={name: openapi_of(app) for name, app in sandbox.provider_apps.items()},
        )
        return {name: admin.postman(name, host or settings.host) for name in names}
    finally:
        sandbox.close()
