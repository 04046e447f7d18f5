"""The ``mock-server`` command.

    mock-server [serve] [--host H] [--admin-port N] [--<provider>-port N] [--db PATH | --memory]
    mock-server reset   [--db PATH]

Every flag has an environment variable twin with the ``MOCK_`` prefix; the flag wins.
"""

import argparse
import gc
import logging
import socket
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mock_server import __version__
from mock_server.config import Settings, sqlite_url_for

if TYPE_CHECKING:
    from mock_server.app import Sandbox

EXAMPLES = {
    "serve": "example: mock-server --memory --digitalent-port 8105",
    "reset": "example: mock-server reset --db ./mock.db",
}


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up allocates much and frees little: the cyclic collector would run dozens of times
    # for nothing (~20 ms). serve() freezes what it built and turns it back on; so does this.
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in (*commands(), "-h", "--help", "--version"):
        args.insert(0, "serve")
    parser = build_parser()
    ns = parser.parse_args(args)
    from mock_server.admin.client import AdminError

    try:
        return int(ns.func(ns) or 0)
    except ConfigError as exc:
        print(f"mock-server: {exc}", file=sys.stderr)
        return 2
    except AdminError as exc:  # a command that drives a running sandbox
        print(f"mock-server: {exc}", file=sys.stderr)
        return 1


def commands() -> tuple[str, ...]:
    """Every subcommand name: the built-in ones and those providers add."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return tuple(sub.choices)


class ConfigError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    from mock_server.registry import PROVIDERS

    parser = argparse.ArgumentParser(
        prog="mock-server",
        description="Offline sandbox of five Indonesian partner APIs. "
        "Without a command, `serve` runs.",
        epilog=EXAMPLES["serve"],
    )
    parser.add_argument("--version", action="version", version=f"mock-server {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser(
        "serve", help="start every provider (the default)", epilog=EXAMPLES["serve"]
    )
    add_state_flags(serve)
    serve.add_argument("--host", help="address to listen on (MOCK_HOST; default 127.0.0.1)")
    serve.add_argument(
        "--admin-port", type=int, help="control-plane port (MOCK_ADMIN_PORT; default 7100)"
    )
    serve.add_argument(
        "--log-level", help="console log level: debug, info, warning (MOCK_LOG_LEVEL)"
    )
    for provider in PROVIDERS:
        group = serve.add_argument_group(f"{provider.flag} ({provider.title})")
        for field, info in provider.settings_cls.model_fields.items():
            env = f"MOCK_{provider.name.upper()}_{field.upper()}"
            group.add_argument(
                f"--{provider.flag}-{field.replace('_', '-')}",
                dest=f"{provider.name}__{field}",
                type=info.annotation if info.annotation in (int, float, str) else str,
                help=f"{info.description} ({env}; default {info.default})",
            )
    serve.set_defaults(func=cmd_serve)

    reset = sub.add_parser(
        "reset", help="drop all state and reseed the demo data", epilog=EXAMPLES["reset"]
    )
    add_state_flags(reset)
    reset.add_argument(
        "--provider", choices=[p.name for p in PROVIDERS], help="reset only this provider"
    )
    from mock_server.cli_tools import add_admin_flags, add_commands

    add_admin_flags(reset)
    reset.set_defaults(func=cmd_reset)
    add_commands(sub)
    for provider in PROVIDERS:
        if provider.add_cli:
            provider.add_cli(sub)
    return parser


def add_state_flags(parser: argparse.ArgumentParser) -> None:
    """--db / --memory, for any command that opens the state."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--db",
        metavar="PATH",
        help="SQLite file for the state (MOCK_DATABASE_URL; default ./mock.db)",
    )
    where.add_argument(
        "--memory",
        action="store_true",
        default=None,
        help="keep state in memory only (MOCK_MEMORY)",
    )


def load_settings(ns: argparse.Namespace) -> tuple[Settings, dict[str, Any]]:
    from mock_server.registry import PROVIDERS

    given = {k: v for k, v in vars(ns).items() if v is not None}
    core: dict[str, Any] = {}
    for flag, field in (("host", "host"), ("admin_port", "admin_port"), ("log_level", "log_level")):
        if flag in given:
            core[field] = given[flag]
    if "db" in given:
        core["database_url"] = sqlite_url_for(given["db"])
    if given.get("memory"):
        core["memory"] = True
    try:
        settings = Settings(**core)
        provider_settings = {
            p.name: p.settings_cls(
                **{
                    key.split("__", 1)[1]: value
                    for key, value in given.items()
                    if key.startswith(f"{p.name}__")
                }
            )
            for p in PROVIDERS
        }
    except ValidationError as exc:
        raise ConfigError(describe(exc)) from None
    ports = [settings.admin_port, *(s.port for s in provider_settings.values())]
    clashes = {p for p in ports if p and ports.count(p) > 1}
    if clashes:
        raise ConfigError(f"two services are configured on the same port: {sorted(clashes)}")
    return settings, provider_settings


def describe(exc: ValidationError) -> str:
    model = exc.title
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return f"invalid configuration ({model}): {problems}"


def cmd_serve(ns: argparse.Namespace) -> int:
    settings, provider_settings = load_settings(ns)
    from mock_server.serve import serve

    return serve(settings, provider_settings)


def open_sandbox(ns: argparse.Namespace) -> "Sandbox":
    """The sandbox over the state the flags and environment name, for commands that edit it."""
    settings, provider_settings = load_settings(ns)
    from mock_server.app import Sandbox

    return Sandbox(settings, provider_settings).open()


def cmd_reset(ns: argparse.Namespace) -> int:
    """Through the running sandbox when one answers (so in-memory state resets too), else on the
    database file; --db or --memory always mean the file."""
    if ns.db is None and not ns.memory:
        from mock_server.admin.client import AdminUnreachable
        from mock_server.cli_tools import admin_client

        with admin_client(ns) as admin:
            try:
                result = admin.reset(ns.provider)
            except AdminUnreachable:
                pass  # no sandbox running: reset the state file below
            else:
                names = ", ".join(result["reset"])
                print(f"reset {names} through {ns.admin_url} in {result['ms']} ms")
                return 0
    settings, provider_settings = load_settings(ns)
    from mock_server.app import Sandbox

    sandbox = Sandbox(settings, provider_settings)
    if ns.provider:
        sandbox.open()
        seconds = sandbox.reset_provider(ns.provider)
    else:
        seconds = sandbox.reset()
    sandbox.close()
    where = "memory" if settings.memory else settings.database_url.removeprefix("sqlite:///")
    what = ns.provider or "every table"
    print(f"reset {where}: {what} dropped and reseeded in {seconds * 1000:.0f} ms")
    return 0


def bind(host: str, port: int, name: str) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ConfigError(f"cannot resolve host {host!r}: {exc}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        flag = "--admin-port" if name == "admin" else f"--{name.replace('_', '-')}-port"
        raise ConfigError(
            f"cannot listen on {host}:{port} for {name}: {exc.strerror}. "
            f"Choose another port with {flag} or MOCK_{flag[2:].upper().replace('-', '_')}."
        ) from None
    sock.set_inheritable(True)
    return sock


def configure_logging(level: str) -> None:
    requests = logging.getLogger("mock_server.requests")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))  # each line carries its own time
    requests.addHandler(handler)
    requests.propagate = False
    requests.setLevel(level.upper())
    errors = logging.StreamHandler(sys.stderr)
    errors.setFormatter(
        logging.Formatter("%(asctime)s  %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    root = logging.getLogger("mock_server")
    root.addHandler(errors)
    root.setLevel(level.upper())
