"""The sandbox's own certificate authority, and the server certificate it signs.

The CA is made once, on first start, and kept in a directory beside the state (``mock-ca/`` next
to ``mock.db``): a client trusts it once and keeps trusting it across restarts. The server
certificate is issued afresh at every start (an EC key takes about a millisecond), so its names
always follow the configured host lists: ``localhost``, ``127.0.0.1``, ``::1`` and every
provider's real host name, all in one certificate, so whatever name a client sends in SNI, the
one certificate answers for it.

EC P-256 keys: accepted by curl, Python, Node, Java and PHP alike, and fast to make.
"""

import ipaddress
import os
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
SERVER_CERT = "server.pem"
SERVER_KEY = "server-key.pem"
# The names every server certificate carries besides the providers' host names.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CA_NAME = "mock-server sandbox CA (not a real authority)"
CA_YEARS = 10
# 397 days: the longest a server certificate may live for Apple's and browsers' TLS clients.
SERVER_DAYS = 397


@dataclass(frozen=True)
class SandboxCA:
    directory: Path

    @property
    def cert_path(self) -> Path:
        return self.directory / CA_CERT

    @property
    def key_path(self) -> Path:
        return self.directory / CA_KEY

    @property
    def server_cert_path(self) -> Path:
        return self.directory / SERVER_CERT

    @property
    def server_key_path(self) -> Path:
        return self.directory / SERVER_KEY

    def pem(self) -> str:
        return self.cert_path.read_text()

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_path.read_bytes())


def ensure_ca(directory: Path) -> SandboxCA:
    """The CA in ``directory``, made there first if it holds none."""
    ca = SandboxCA(directory)
    if ca.cert_path.exists() and ca.key_path.exists():
        return ca
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    cert = (
        _builder(name, name, key.public_key(), timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write_private(ca.key_path, _key_pem(key))
    ca.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return ca


def issue_server_certificate(ca: SandboxCA, names: Iterable[str]) -> tuple[Path, Path]:
    """A server certificate for ``names`` (host names and IP addresses), signed by ``ca``; its
    certificate file (the chain: server, then CA) and key file."""
    ca_key = serialization.load_pem_private_key(ca.key_path.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca_cert = ca.certificate()
    key = ec.generate_private_key(ec.SECP256R1())
    unique = list(dict.fromkeys(n.lower() for n in names))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, unique[0])])
    cert = (
        _builder(subject, ca_cert.subject, key.public_key(), timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(_general_names(unique)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    _write_private(ca.server_key_path, _key_pem(key))
    ca.server_cert_path.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    return ca.server_cert_path, ca.server_key_path


def _builder(
    subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey, lifetime: timedelta
) -> x509.CertificateBuilder:
    """What the CA and server certificates share: names, key, serial, validity, key id."""
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))  # a client clock a little behind still trusts it
        .not_valid_after(now + lifetime)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    # HTTP/1.1 only: the sandbox's HTTP implementation speaks nothing else.
    context.set_alpn_protocols(["http/1.1"])
    return context


def subject_alt_names(cert_path: Path) -> list[str]:
    """The DNS names and IP addresses a certificate file's first certificate is valid for."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [
        *san.get_values_for_type(x509.DNSName),
        *(str(ip) for ip in san.get_values_for_type(x509.IPAddress)),
    ]


def _general_names(names: list[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes) -> None:
    """A private key, readable by its owner alone from the moment it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
