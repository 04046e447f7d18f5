"""The ``mock-server`` command.

    mock-server [serve] [--host H] [--admin-port N] [--<provider>-port N] [--db PATH | --memory]
    mock-server reset   [--db PATH]
    mock-server ca      [--db PATH | --ca-dir DIR] [--path]

Every flag has an environment variable twin with the ``MOCK_`` prefix; the flag wins.
"""

import argparse
import difflib
import gc
import os
import sys
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from mock_server import __version__
from mock_server.admin.errors import AdminError, AdminUnreachable
from mock_server.cli_tools import add_admin_flags, add_commands, admin_client
from mock_server.core.locations import ConfigError, shown_database, sqlite_url_for
from mock_server.registry import PROVIDERS

# Imported where used: only the commands that open the state need the database stack, and only
# those that read the settings need pydantic (most of a command's start-up otherwise).
if TYPE_CHECKING:
    from pydantic import ValidationError

    from mock_server.core.config import Settings
    from mock_server.core.provider import ProviderContext
    from mock_server.core.services import Services

EXAMPLES = {
    "serve": "example: mock-server --memory --digitalent-port 8105",
    "reset": "example: mock-server reset --db ./mock.db",
    "stubs": "example: mock-server stubs check stubs.yaml more-stubs.json",
    "ca": 'example: curl --cacert "$(mock-server ca --path)" '
    "https://sandbox.joss.kemnaker.go.id:7443/...",
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
    # serve's flags come from every settings class: built only when serving (or its --help).
    parser = build_parser(serve_flags=False)
    known = tuple(subcommands(parser))
    if args and not args[0].startswith("-") and args[0] not in known:
        # Without this, a mistyped command became `serve rset` and "unrecognized arguments".
        close = difflib.get_close_matches(args[0], known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        print(
            f"mock-server: unknown command {args[0]!r}; {hint}(commands: {', '.join(known)}; "
            "mock-server --help)",
            file=sys.stderr,
        )
        return 2
    if not args or args[0] not in (*known, "-h", "--help", "--version"):
        args.insert(0, "serve")
    if args[0] == "serve":
        add_serve_flags(subcommands(parser)["serve"])
    ns = parser.parse_args(args)
    try:
        return int(ns.func(ns) or 0)
    except ConfigError as exc:
        print(f"mock-server: {exc}", file=sys.stderr)
        return 2
    except AdminError as exc:  # a command that drives a running sandbox
        print(f"mock-server: {exc}", file=sys.stderr)
        return 1


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every subcommand's parser by name: the built-in ones and those providers add."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


# What a provider flag's value is, in its help (rather than argparse's JOSS__PORT).
METAVARS: dict[Any, str] = {int: "N", float: "SECONDS", str: "TEXT", bool: "true|false"}
# Settings whose flag has another name than the field.
FLAG_OF_FIELD = {"database_url": "db"}


def metavar(annotation: Any) -> str:
    if typing.get_origin(annotation) is typing.Literal:
        return "|".join(str(choice) for choice in typing.get_args(annotation))
    return METAVARS.get(annotation, "VALUE")


def environment_only_help(parser: argparse.ArgumentParser) -> str:
    """The settings that have no flag in ``parser``: they are read from the environment only."""
    from mock_server.core.config import Settings

    flags = {action.dest for action in parser._actions} | set(FLAG_OF_FIELD)
    lines = ["settings read from the environment only:"]
    for field, info in Settings.model_fields.items():
        if field in flags:
            continue
        default = "none" if info.default in (None, "") else info.default
        lines.append(f"  MOCK_{field.upper():<26} {info.description} (default {default})")
    return "\n".join(lines)


# Flags parse numbers as numbers; anything else (booleans, literals) is read by the settings.
FLAG_TYPES: dict[Any, Callable[[str], Any]] = {int: int, float: float}


class ProviderCommandLine:
    """What a provider's command-line hook gets (``core.provider.CommandLine``)."""

    def __init__(self, subcommands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
        self._subcommands = subcommands

    @property
    def subcommands(self) -> "argparse._SubParsersAction[argparse.ArgumentParser]":
        return self._subcommands

    def add_state_flags(self, parser: argparse.ArgumentParser) -> None:
        add_state_flags(parser)

    @contextmanager
    def open_context(self, ns: argparse.Namespace, provider: str) -> Iterator["ProviderContext"]:
        services = open_services(ns)
        try:
            yield services.context(provider)
        finally:
            services.close()


def build_parser(serve_flags: bool = True) -> argparse.ArgumentParser:
    """Every command's parser; ``serve_flags=False`` leaves serve's flags out (``add_serve_flags``),
    which a command that does not serve never reads."""
    parser = argparse.ArgumentParser(
        prog="mock-server",
        description="Offline sandbox of five Indonesian partner APIs. "
        "Without a command, `serve` runs; `mock-server serve --help` lists every setting, "
        "with its environment variable and default.",
        epilog=EXAMPLES["serve"],
    )
    parser.add_argument("--version", action="version", version=f"mock-server {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="start every provider (the default)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if serve_flags:
        add_serve_flags(serve)
    serve.set_defaults(func=cmd_serve)

    reset = sub.add_parser(
        "reset", help="drop all state and reseed the demo data", epilog=EXAMPLES["reset"]
    )
    add_state_flags(reset)
    reset.add_argument(
        "--provider", choices=[p.name for p in PROVIDERS], help="reset only this provider"
    )
    add_admin_flags(reset)
    reset.set_defaults(func=cmd_reset)
    ca = sub.add_parser(
        "ca",
        help="print the sandbox CA certificate and how to trust it",
        epilog=EXAMPLES["ca"],
    )
    add_state_flags(ca)
    add_ca_flag(ca)
    ca.add_argument("--path", action="store_true", help="print only the certificate's path")
    ca.set_defaults(func=cmd_ca)
    add_stubs_command(sub)
    add_commands(sub)
    hooks = ProviderCommandLine(sub)
    for provider in PROVIDERS:
        if provider.add_cli:
            provider.add_cli(hooks)
    return parser


def add_serve_flags(serve: argparse.ArgumentParser) -> None:
    """serve's flags, one per setting (every provider's too), and the settings that have none in
    its epilog: this imports every settings class, hence pydantic and pydantic-settings."""
    add_state_flags(serve)
    serve.add_argument("--host", help="address to listen on (MOCK_HOST; default 127.0.0.1)")
    serve.add_argument(
        "--admin-port", type=int, help="control-plane port (MOCK_ADMIN_PORT; default 7100)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes serving every port, sharing the state database; not with --memory "
        "(MOCK_WORKERS; default 1)",
    )
    serve.add_argument(
        "--log-level", help="console log level: debug, info, warning (MOCK_LOG_LEVEL)"
    )
    serve.add_argument(
        "--timestamp-clock",
        choices=("either", "sandbox"),
        help="once the sandbox clock is moved, a request's own timestamp may match either the "
        "sandbox's or the machine's clock, or only the sandbox's (MOCK_TIMESTAMP_CLOCK; "
        "default either)",
    )
    serve.add_argument(
        "--stubs",
        metavar="PATH",
        action="append",
        help="a stub file (YAML or JSON; docs/stubs.md) to serve behind each provider's auth; "
        f"repeatable (MOCK_STUBS: paths separated by {os.pathsep!r})",
    )
    add_tls_flags(serve)
    for provider in PROVIDERS:
        group = serve.add_argument_group(f"{provider.flag} ({provider.title})")
        for field, info in provider.settings_cls.model_fields.items():
            env = f"MOCK_{provider.name.upper()}_{field.upper()}"
            group.add_argument(
                f"--{provider.flag}-{field.replace('_', '-')}",
                dest=f"{provider.name}__{field}",
                metavar=metavar(info.annotation),
                type=FLAG_TYPES.get(info.annotation, str),
                help=f"{info.description} ({env}; default {info.default})",
            )
    serve.epilog = EXAMPLES["serve"] + "\n\n" + environment_only_help(serve)


def add_stubs_command(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    stubs = sub.add_parser("stubs", help="check stub files", epilog=EXAMPLES["stubs"])
    actions = stubs.add_subparsers(dest="stubs_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="validate stub files as `serve --stubs` would: exit 0, or every mistake and 2",
        epilog=EXAMPLES["stubs"],
    )
    check.add_argument("files", metavar="FILE", nargs="+", help="stub files (YAML or JSON)")
    check.set_defaults(func=cmd_stubs_check)


def cmd_stubs_check(ns: argparse.Namespace) -> int:
    """The files' stubs, validated together (two files may not stub one endpoint twice)."""
    from pathlib import Path

    # Imported here: the model, the template parser and YAML, and nothing of the server.
    from mock_server.core.stubs.load import StubFileError, load_stub_files

    paths = [Path(f) for f in ns.files]
    try:
        stubs = load_stub_files(paths, [p.name for p in PROVIDERS])
    except StubFileError as exc:
        print("\n".join(exc.lines), file=sys.stderr)
        return 2
    for path in paths:
        mine = [s for s in stubs if s.source.startswith(f"{path}: ")]
        print(f"{path}: {len(mine)} stub{'s' if len(mine) != 1 else ''}, valid")
        for stub in mine:
            state = f"  (state by {stub.stub.state.key})" if stub.stub.state else ""
            print(f"  {stub.provider:<12} {stub.method:<6} {stub.path}  [id {stub.id}]{state}")
    return 0


def add_tls_flags(parser: argparse.ArgumentParser) -> None:
    """The HTTPS edge and the sandbox CA; each flag sets the setting named beside it."""
    group = parser.add_argument_group("HTTPS (the edge on the providers' real host names)")
    group.add_argument(
        "--edge-port", type=int, help="HTTPS edge port (MOCK_EDGE_PORT; default 7443; 0: any free)"
    )
    group.add_argument(
        "--no-edge",
        dest="edge",
        action="store_false",
        default=None,
        help="serve no HTTPS edge (MOCK_EDGE=false)",
    )
    group.add_argument(
        "--provider-tls",
        action="store_true",
        default=None,
        help="serve each provider's own port over HTTPS too (MOCK_PROVIDER_TLS)",
    )
    group.add_argument(
        "--no-https-redirect",
        dest="https_redirect",
        action="store_false",
        default=None,
        help="serve JOSS's plain port to real-host requests instead of 308 to the edge "
        "(MOCK_HTTPS_REDIRECT=false)",
    )
    group.add_argument(
        "--trusted-proxies",
        metavar="ADDRESSES",
        help="comma-separated proxies whose X-Forwarded-Proto/Host count (MOCK_TRUSTED_PROXIES)",
    )
    add_ca_flag(group)


def add_ca_flag(parser: "argparse._ActionsContainer") -> None:
    parser.add_argument(
        "--ca-dir",
        metavar="DIR",
        help="directory of the sandbox CA (MOCK_CA_DIR; default mock-ca/ beside the state file)",
    )


TLS_FIELDS = ("edge_port", "edge", "provider_tls", "https_redirect", "trusted_proxies", "ca_dir")


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


def load_settings(ns: argparse.Namespace) -> tuple["Settings", dict[str, Any]]:
    from pydantic import ValidationError

    from mock_server.core.config import Settings

    given = {k: v for k, v in vars(ns).items() if v is not None}
    core: dict[str, Any] = {}
    for field in ("host", "admin_port", "log_level", "timestamp_clock", "workers"):
        if field in given:
            core[field] = given[field]
    core |= {field: given[field] for field in TLS_FIELDS if field in given}
    if "stubs" in given:
        core["stubs"] = os.pathsep.join(given["stubs"])
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
    if settings.edge:
        ports.append(settings.edge_port)
    clashes = {p for p in ports if p and ports.count(p) > 1}
    if clashes:
        raise ConfigError(f"two services are configured on the same port: {sorted(clashes)}")
    return settings, provider_settings


def describe(exc: "ValidationError") -> str:
    model = exc.title
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return f"invalid configuration ({model}): {problems}"


def cmd_serve(ns: argparse.Namespace) -> int:
    settings, provider_settings = load_settings(ns)
    # A path or a file that is plainly not a state file is said before the server stack loads
    # (~0.3 s); the sandbox opening the state looks inside it (quick_check), once.
    from mock_server.core.statefile import check_state_file

    check_state_file(settings.effective_database_url, look_inside=False)
    # Imported here, not above: only serving needs uvicorn and every provider's app.
    from mock_server.serve import serve

    return serve(settings, provider_settings)


def open_services(ns: argparse.Namespace) -> "Services":
    """The services over the state the flags and environment name, for commands that edit it."""
    from mock_server.core.services import Services

    settings, provider_settings = load_settings(ns)
    refuse_memory(settings)
    return Services(settings, PROVIDERS, provider_settings).open()


def refuse_memory(settings: "Settings") -> None:
    """A command that edits the state would edit a throwaway database and report success."""
    if settings.memory:
        raise ConfigError(
            "--memory (or MOCK_MEMORY) would change a throwaway database that is gone when this "
            "command ends, and no running sandbox would see it: name the state file with --db "
            "(or MOCK_DATABASE_URL); a sandbox started with --memory is changed through its "
            "control plane instead"
        )


def cmd_reset(ns: argparse.Namespace) -> int:
    """Through the running sandbox when one answers (so in-memory state resets too), else on the
    database file; --db always means the file, and --memory is refused."""
    if ns.db is None and not ns.memory:
        with admin_client(ns) as admin:
            try:
                result = admin.reset(ns.provider)
            except AdminUnreachable:
                pass  # no sandbox running: reset the state file below
            else:
                names = ", ".join(result["reset"])
                print(f"reset {names} through {ns.admin_url} in {result['ms']} ms")
                return 0
    from mock_server.core.services import Services

    settings, provider_settings = load_settings(ns)
    refuse_memory(settings)
    services = Services(settings, PROVIDERS, provider_settings)
    services.check_state()  # reset drops tables: never in a file that is not the sandbox's
    if ns.provider:
        services.open()
        seconds = services.reset_provider(ns.provider)
    else:
        seconds = services.reset()
    services.close()
    where = "memory" if settings.memory else shown_database(settings.database_url)
    what = ns.provider or "every table"
    print(f"reset {where}: {what} dropped and reseeded in {seconds * 1000:.0f} ms")
    return 0


TRUST = """\
How to trust it (the sandbox CA signs only this sandbox's certificate; trust it for testing):
  hosts file (/etc/hosts; C:\\Windows\\System32\\drivers\\etc\\hosts), for the real host names:
    127.0.0.1 {hosts}
  curl     curl --cacert {ca} https://sandbox.joss.kemnaker.go.id:{port}/...
  Python   SSL_CERT_FILE={ca} (ssl, urllib, httpx; it replaces the default CAs)
           REQUESTS_CA_BUNDLE={ca} (requests)
           httpx.Client(verify=ssl.create_default_context(cafile="{ca}"))
  Node     NODE_EXTRA_CA_CERTS={ca} node app.js
  Java     cp "$JAVA_HOME/lib/security/cacerts" mock-cacerts
           keytool -importcert -noprompt -alias mock-server -file {ca} \\
             -keystore mock-cacerts -storepass changeit
           java -Djavax.net.ssl.trustStore=mock-cacerts \\
             -Djavax.net.ssl.trustStorePassword=changeit ...
  PHP      php.ini: curl.cainfo={ca} and openssl.cafile={ca}
           or curl_setopt($ch, CURLOPT_CAINFO, '{ca}')
"""


def cmd_ca(ns: argparse.Namespace) -> int:
    """The CA the sandbox serves HTTPS with (made here if it does not exist yet, so it can be
    trusted before the first start)."""
    settings, provider_settings = load_settings(ns)
    directory = settings.ca_directory()
    if directory is None:
        raise ConfigError(
            "with --memory the sandbox makes a throwaway CA at each start: give both it and "
            "this command --ca-dir DIR (or MOCK_CA_DIR) to keep one you can trust"
        )
    # Imported here: only this command and serving need the crypto stack.
    from mock_server.core.tls import ensure_ca

    try:
        ca = ensure_ca(directory)
    except OSError as exc:
        raise ConfigError(f"cannot keep the sandbox CA in {directory}: {exc.strerror}") from None
    path = ca.cert_path.resolve()
    if ns.path:
        print(path)
        return 0
    hosts = [host for p in PROVIDERS for host in p.edge_hosts(provider_settings[p.name])]
    print(f"sandbox CA certificate: {path}")
    print(ca.pem(), end="")
    print(TRUST.format(ca=path, port=settings.edge_port, hosts=" ".join(hosts)), end="")
    return 0
