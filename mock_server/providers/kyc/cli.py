"""``mock-server kyc-public-key``: print the SATUSEHAT server public key clients encrypt to."""

import argparse
import sys

from mock_server.core.provider import CommandLine


def add_cli(cli: CommandLine) -> None:
    parser = cli.subcommands.add_parser(
        "kyc-public-key",
        help="print the sandbox's SATUSEHAT KYC server public key (PEM)",
        epilog="example: mock-server kyc-public-key > satusehat-sandbox.pem",
    )
    parser.add_argument(
        "--kyc-server-private-key",
        metavar="PATH",
        help="the server key the sandbox is run with (MOCK_KYC_SERVER_PRIVATE_KEY; "
        "default: the bundled sandbox-only demo key)",
    )
    parser.set_defaults(func=print_public_key)


def print_public_key(ns: argparse.Namespace) -> int:
    from mock_server.providers.kyc.keys import load_server_key, public_pem  # the crypto stack

    try:
        path = ns.kyc_server_private_key
        if path is None:
            from mock_server.providers.kyc.config import KycSettings  # pydantic-settings

            path = KycSettings().server_private_key
        key = load_server_key(path)
    except (OSError, ValueError, TypeError) as exc:
        print(f"mock-server: {exc}", file=sys.stderr)
        return 2
    print(public_pem(key), end="")
    return 0
