"""``mock-server sales-order …``: the integration team's chores from the shell."""

import argparse
import sys
from typing import Any

EXAMPLE = """example:
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out private.pem
  openssl pkey -in private.pem -pubout -out public.pem
  mock-server sales-order register-key partner-client-002 public.pem --db ./mock.db"""


def add_cli(subparsers: Any) -> None:
    from mock_server.cli import add_state_flags

    group = subparsers.add_parser(
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
    add_state_flags(register)
    register.set_defaults(func=cmd_register_key)


def cmd_register_key(ns: argparse.Namespace) -> int:
    from mock_server.cli import open_sandbox
    from mock_server.providers.sales_order import provider
    from mock_server.providers.sales_order.admin import register_key
    from mock_server.providers.sales_order.keys import KeyRejected

    try:
        if ns.pem_file == "-":
            pem = sys.stdin.buffer.read(65_536)
        else:
            with open(ns.pem_file, "rb") as f:
                pem = f.read(65_536)
    except OSError as exc:
        print(f"mock-server: cannot read {ns.pem_file}: {exc.strerror}", file=sys.stderr)
        return 2
    sandbox = open_sandbox(ns)
    try:
        result = register_key(sandbox.context(provider), ns.client_id, pem)
    except (KeyRejected, LookupError) as exc:
        print(f"mock-server: public key refused: {exc}", file=sys.stderr)
        return 1
    finally:
        sandbox.close()
    print(
        f"registered a {result['key_bits']}-bit RSA key for {result['client_id']} "
        f"({result['key_fingerprint']})"
    )
    return 0
