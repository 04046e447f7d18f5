"""``mock-server sales-order …``: the integration team's chores from the shell."""

import argparse
import sys
from functools import partial

from mock_server.core.provider import CommandLine
from mock_server.providers.sales_order.name import NAME

EXAMPLE = """example:
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out private.pem
  openssl pkey -in private.pem -pubout -out public.pem
  mock-server sales-order register-key partner-client-002 public.pem --db ./mock.db"""
MAX_PEM_BYTES = 65_536  # a public key PEM is a few kB


def add_cli(cli: CommandLine) -> None:
    group = cli.subcommands.add_parser(
        "sales-order",
        help="Sales Order chores: register a partner's public key",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = group.add_subparsers(dest="sales_order_command", metavar="COMMAND", required=True)
    register = commands.add_parser(
        "register-key",
        help="register a client's RSA public key (X.509 PEM, 2048 bits or more)",
        description="Store CLIENT_ID's public key; X-SIGNATURE is verified against it.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    register.add_argument("client_id", metavar="CLIENT_ID", help="e.g. partner-client-001")
    register.add_argument(
        "pem_file",
        metavar="PEM_FILE",
        help="public key file ('-----BEGIN PUBLIC KEY-----'), - for stdin",
    )
    cli.add_state_flags(register)
    register.set_defaults(func=partial(register_key, cli))


def register_key(cli: CommandLine, ns: argparse.Namespace) -> int:
    # Imported here: only this command needs the database and crypto stacks.
    from mock_server.providers.sales_order.keys import KeyRejected
    from mock_server.providers.sales_order.partners import Partners

    try:
        pem = read_pem(ns.pem_file)
    except OSError as exc:
        print(f"mock-server: cannot read {ns.pem_file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with cli.open_context(ns, NAME) as ctx:
            result = Partners(ctx).register_key(ns.client_id, pem)
    except (KeyRejected, LookupError) as exc:
        # 2, as for any other input the command cannot use (argparse's own code for usage)
        print(f"mock-server: public key refused: {exc}", file=sys.stderr)
        return 2
    print(
        f"registered a {result['key_bits']}-bit RSA key for {result['client_id']} "
        f"({result['key_fingerprint']})"
    )
    return 0


def read_pem(path: str) -> bytes:
    """The PEM file's first bytes (or stdin's, for ``-``): nothing longer is a public key."""
    if path == "-":
        return sys.stdin.buffer.read(MAX_PEM_BYTES)
    with open(path, "rb") as f:
        return f.read(MAX_PEM_BYTES)
