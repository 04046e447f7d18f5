"""The HTTPS edge over real sockets: the real process, each provider under its real host names
(curl and httpx trusting the sandbox CA), the JOSS redirect, the certificate's names, the CA
kept across a restart, the unknown-host error, and the validation-web URL it hands out."""

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509

from mock_server.cli import main
from mock_server.clients import AppKeyAuth, DigitalentAuth, JossAuth, SalesOrderAuth
from mock_server.clients.kyc import generate_key_pair
from mock_server.registry import PROVIDERS, by_name
from tests.providers.kyc.reference import agent_payload
from tests.server import RunningServer, running_server

STAGING = "sandbox.joss.kemnaker.go.id"
PRODUCTION = "joss.kemnaker.go.id"
KYC_STG = "api-satusehat-stg.dto.kemkes.go.id"


def ca_path(server: RunningServer) -> Path:
    line = server.wait_for_output("sandbox CA: ")
    return Path(line.split("sandbox CA: ", 1)[1].split()[0])


def trusting(ca: Path) -> ssl.SSLContext:
    """httpx's ``verify=``: a context trusting the sandbox CA (a path string is deprecated)."""
    return ssl.create_default_context(cafile=str(ca))


class ResolveTo(httpx.HTTPTransport):
    """What a hosts-file line does: every host name connects to 127.0.0.1, while Host and SNI
    keep the name (so the certificate is checked against it)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        request.url = request.url.copy_with(host="127.0.0.1")
        request.extensions = {**request.extensions, "sni_hostname": host}
        return super().handle_request(request)


def edge_client(server: RunningServer, host: str, ca: Path, **kwargs: Any) -> httpx.Client:
    return httpx.Client(
        base_url=f"https://{host}:{server.edge_port}",
        transport=ResolveTo(verify=trusting(ca)),
        timeout=10,
        **kwargs,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server(None) as running:
        yield running


@pytest.fixture(scope="module")
def ca(server: RunningServer) -> Path:
    return ca_path(server)


# One request per provider, by a reference client that signs as the provider's doc says.
SIGNED = {
    "digitalent": ("digitalent.mock.test", DigitalentAuth, "/api/public/pelatihan/akademi"),
    "joss": (STAGING, JossAuth, "/api/v1/companies"),
    "appkey": ("appkey.mock.test", AppKeyAuth, "/api/v1/users/me"),
    "sales_order": ("sales-order.mock.test", SalesOrderAuth, "/api/v1/products"),
}


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_each_provider_answers_on_its_host_name_with_httpx_trusting_the_ca(server, ca, name):
    host, auth, path = SIGNED[name]
    with edge_client(server, host, ca, auth=auth()) as client:
        response = client.get(path)
    assert response.status_code == 200, response.text


def test_kyc_answers_on_each_of_its_host_names(server, ca):
    for host in by_name("kyc").hosts:
        with edge_client(server, host, ca) as client:
            response = client.post(
                "/oauth2/v1/accesstoken",
                params={"grant_type": "client_credentials"},
                data={"client_id": "kyc-demo-client", "client_secret": "kyc-demo-secret"},
            )
        assert response.status_code == 200, (host, response.text)
        assert response.json()["access_token"]


def test_without_the_ca_the_edge_is_not_trusted(server):
    with (
        httpx.Client(
            base_url=f"https://{STAGING}:{server.edge_port}",
            transport=ResolveTo(),  # the system's CAs only
        ) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get("/api/v1/companies")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)
def test_curl_reaches_every_host_name_with_resolve_and_cacert(server, ca, provider):
    # Unsigned: each provider answers in its own error shape, which proves who answered.
    for host in provider.hosts:
        port = server.edge_port
        result = subprocess.run(
            ["curl", "-sS", "--resolve", f"{host}:{port}:127.0.0.1", "--cacert", str(ca),
             "-w", "\n%{http_code}", f"https://{host}:{port}{provider.contract.example.path}"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        body, status = result.stdout.rsplit("\n", 1)
        assert 400 <= int(status) < 500, (host, status, body)
        assert provider.contract.is_error(json.loads(body)), (host, body)


def test_joss_production_host_takes_production_credentials(server, ca):
    production = JossAuth("joss-production-client", "joss-production-secret")
    with edge_client(server, PRODUCTION, ca, auth=production) as client:
        assert client.get("/api/v1/companies").status_code == 200
    with edge_client(server, PRODUCTION, ca, auth=JossAuth()) as client:
        refused = client.get("/api/v1/companies")
    assert refused.status_code == 401
    assert f"send it to https://{STAGING}" in refused.json()["detail"]
    with edge_client(server, STAGING, ca, auth=production) as client:
        assert client.get("/api/v1/companies").status_code == 401


def test_an_unknown_host_is_told_the_known_ones(server):
    # The certificate does not name it, so this one request skips verification.
    response = httpx.get(
        f"https://127.0.0.1:{server.edge_port}/x",
        headers={"Host": "api.example.test"},
        verify=False,
    )
    assert response.status_code == 421
    body = response.json()
    assert body["error"] == "unknown host"
    assert body["host"] == "api.example.test"
    assert body["hosts"]["joss"] == [STAGING, PRODUCTION]
    assert body["hosts"]["kyc"] == list(by_name("kyc").hosts)
    assert set(body["hosts"]) == {p.name for p in PROVIDERS}


def test_localhost_on_the_edge_is_trusted_and_an_unknown_host(server, ca):
    response = httpx.get(f"https://localhost:{server.edge_port}/", verify=trusting(ca))
    assert response.status_code == 421


def test_the_certificate_names_loopback_and_every_host(server, ca):
    context = ssl.create_default_context(cafile=str(ca))
    with (
        socket.create_connection(("127.0.0.1", server.edge_port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=KYC_STG) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    san = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    names = set(san.value.get_values_for_type(x509.DNSName))
    names |= {str(ip) for ip in san.value.get_values_for_type(x509.IPAddress)}
    expected = {"localhost", "127.0.0.1", "::1"}
    expected |= {host for p in PROVIDERS for host in p.hosts}
    assert expected <= names, names


# -- JOSS over plain HTTP -----------------------------------------------------------------------
def test_joss_plain_http_to_its_real_host_is_redirected_with_308(server):
    url = f"{server.url('joss')}/api/v1/companies/abc?page=2"
    response = httpx.put(url, headers={"Host": STAGING}, content=b"{}")
    assert response.status_code == 308  # PUT stays PUT, with its body
    assert response.headers["location"] == (
        f"https://{STAGING}:{server.edge_port}/api/v1/companies/abc?page=2"
    )


def test_following_the_joss_redirect_keeps_the_signed_put(server, ca):
    # The client's base URL is the real host over plain HTTP, on JOSS's port.
    with httpx.Client(
        base_url=f"http://{STAGING}:{server.ports['joss']}",
        transport=ResolveTo(verify=trusting(ca)),
        auth=JossAuth(),
        follow_redirects=True,
    ) as client:
        example = by_name("joss").contract.example
        response = client.put(
            example.path, content=example.body, headers={"Content-Type": "application/json"}
        )
    assert response.history[0].status_code == 308
    assert response.url.scheme == "https"
    assert response.status_code in (200, 201), response.text


def test_joss_plain_http_on_the_loopback_address_is_served(server):
    response = httpx.get(f"{server.url('joss')}/api/v1/companies")
    assert response.status_code == 400  # served: JOSS's own answer to a request without headers
    assert response.json()["message"] == "Missing required headers"


def test_the_redirect_can_be_turned_off():
    with running_server(None, "--no-https-redirect") as server:
        response = httpx.get(f"{server.url('joss')}/api/v1/companies", headers={"Host": STAGING})
    assert response.status_code == 400
    assert response.json()["message"] == "Missing required headers"


# -- URLs the sandbox hands out -----------------------------------------------------------------
def generate_url(client: httpx.Client, **headers: str) -> str:
    token = client.post(
        "/oauth2/v1/accesstoken",
        params={"grant_type": "client_credentials"},
        data={"client_id": "kyc-demo-client", "client_secret": "kyc-demo-secret"},
    ).json()["access_token"]
    response = client.post(
        "/kyc/v1/generate-url",
        content=agent_payload(generate_key_pair()[1]),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["url"])


def test_through_the_edge_the_validation_url_is_the_edge_host(server, ca):
    with edge_client(server, KYC_STG, ca) as client:
        url = generate_url(client)
        assert re.fullmatch(
            rf"https://{re.escape(KYC_STG)}:{server.edge_port}/kyc/v1/validation-web/[0-9a-f-]{{36}}",
            url,
        )
        assert client.get(url.split(str(server.edge_port), 1)[1]).status_code == 200


def test_on_the_kyc_port_the_validation_url_is_that_port_whatever_host_is_sent(server):
    with httpx.Client(base_url=server.url("kyc")) as client:
        plain = generate_url(client, Host=KYC_STG)
        forwarded = generate_url(client, **{"X-Forwarded-Proto": "https"})
    own = f"http://127.0.0.1:{server.ports['kyc']}/kyc/v1/validation-web/"
    assert plain.startswith(own)
    assert forwarded.startswith(own)  # not from a trusted proxy: not believed
    assert httpx.get(plain).status_code == 200


def test_forwarded_headers_count_from_a_trusted_proxy():
    with (
        running_server(None, "--trusted-proxies", "127.0.0.1") as server,
        httpx.Client(base_url=server.url("kyc")) as client,
    ):
        url = generate_url(
            client, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kyc.internal"}
        )
    assert url.startswith("https://kyc.internal/kyc/v1/validation-web/")


# -- the CA -------------------------------------------------------------------------------------
def test_a_restart_keeps_the_ca_beside_the_state(tmp_path):
    db = tmp_path / "mock.db"
    with running_server(db) as first:
        path = ca_path(first)
        pem = path.read_text()
    assert path == tmp_path / "mock-ca" / "ca.pem"
    with running_server(db) as second:
        assert ca_path(second) == path
        with edge_client(second, STAGING, path, auth=JossAuth()) as client:
            assert client.get("/api/v1/companies").status_code == 200
    assert path.read_text() == pem
    assert (tmp_path / "mock-ca" / "ca-key.pem").stat().st_mode & 0o077 == 0


def test_memory_makes_a_throwaway_ca_unless_a_directory_is_given(tmp_path):
    with running_server(None) as server:
        throwaway = ca_path(server)
        assert throwaway.exists()
    assert not throwaway.exists()  # removed at exit
    with running_server(None, "--ca-dir", str(tmp_path / "ca")) as server:
        assert ca_path(server) == tmp_path / "ca" / "ca.pem"
    assert (tmp_path / "ca" / "ca.pem").exists()


def test_the_ca_command_prints_the_same_ca_and_how_to_trust_it(tmp_path, capsys):
    db = tmp_path / "mock.db"
    assert main(["ca", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "mock-ca" / "ca.pem"
    assert out.startswith(f"sandbox CA certificate: {path}\n-----BEGIN CERTIFICATE-----")
    assert path.read_text() in out
    for recipe in (
        f"--cacert {path}",
        f"SSL_CERT_FILE={path}",
        f"REQUESTS_CA_BUNDLE={path}",
        f'verify=ssl.create_default_context(cafile="{path}")',
        f"NODE_EXTRA_CA_CERTS={path}",
        f"keytool -importcert -noprompt -alias mock-server -file {path}",
        "-Djavax.net.ssl.trustStore=",
        f"curl.cainfo={path}",
        "CURLOPT_CAINFO",
        f"127.0.0.1 {' '.join(h for p in PROVIDERS for h in p.hosts)}",
    ):
        assert recipe in out, recipe
    assert main(["ca", "--db", str(db), "--path"]) == 0
    assert capsys.readouterr().out == f"{path}\n"
    with running_server(db) as server:
        assert ca_path(server) == path  # the sandbox serves the CA the command printed


def test_the_ca_command_refuses_memory_without_a_directory(capsys):
    assert main(["ca", "--memory"]) == 2
    assert "--ca-dir" in capsys.readouterr().err


# -- switches -----------------------------------------------------------------------------------
def test_no_edge_serves_no_tls_and_no_redirect():
    with running_server(None, "--no-edge") as server:
        assert not any("sandbox CA" in line for line in server.output)
        response = httpx.get(f"{server.url('joss')}/api/v1/companies", headers={"Host": STAGING})
        assert response.status_code == 400  # served, not redirected
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"https://127.0.0.1:{server.edge_port}/", verify=False)


def test_provider_tls_puts_every_provider_port_on_https(tmp_path):
    with running_server(None, "--provider-tls", "--ca-dir", str(tmp_path)) as server:
        ca = tmp_path / "ca.pem"
        port = server.ports["digitalent"]
        with httpx.Client(
            base_url=f"https://localhost:{port}", verify=trusting(ca), auth=DigitalentAuth()
        ) as client:
            assert client.get("/api/public/pelatihan/akademi").status_code == 200
        assert f"digitalent   https://127.0.0.1:{port}" in "\n".join(server.output)
        # The control plane stays plain: the health check the helper runs answered over http.
        assert httpx.get(f"{server.url('admin')}/__admin/health").status_code == 200


# -- the README says what the sandbox does ------------------------------------------------------
def readme_section() -> str:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index("## Use your client unchanged")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readme_hosts_line_names_every_host():
    line = re.search(r"^127\.0\.0\.1 (.+)$", readme_section(), re.MULTILINE)
    assert line
    assert sorted(line.group(1).split()) == sorted(h for p in PROVIDERS for h in p.hosts)


def test_the_readme_shows_the_unknown_host_answer_as_it_is(server, ca):
    section = readme_section()
    shown = section[section.index("```\n{") + 4 :]
    shown_body = json.loads(shown[: shown.index("```")])
    response = httpx.get(f"https://localhost:{server.edge_port}/", verify=trusting(ca))
    assert response.json() == shown_body | {"host": f"localhost:{server.edge_port}"}


# -- the README's recipes, in the runtimes themselves -------------------------------------------
NODE_GET = """
const https = require("https");
// What a hosts-file line does, for this process alone: every name is 127.0.0.1.
const lookup = (host, options, cb) =>
  options.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4);
https.get(process.argv[1], { lookup }, (res) => {
  let body = "";
  res.on("data", (chunk) => (body += chunk));
  res.on("end", () => console.log(res.statusCode + " " + body));
}).on("error", (err) => { console.log("error " + err.code); process.exitCode = 1; });
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_trusts_the_ca_with_node_extra_ca_certs(server, ca):
    url = f"https://{STAGING}:{server.edge_port}/api/v1/companies"

    def run(env: dict[str, str]) -> str:
        return subprocess.run(
            ["node", "-e", NODE_GET, url],
            capture_output=True, text=True, timeout=30, env={"PATH": os.environ["PATH"], **env},
        ).stdout  # fmt: skip

    trusted = run({"NODE_EXTRA_CA_CERTS": str(ca)})
    status, body = trusted.split(" ", 1)
    assert status == "400"  # JOSS's own answer to a request without its headers
    assert json.loads(body)["message"] == "Missing required headers"
    assert run({}).startswith("error SELF_SIGNED_CERT_IN_CHAIN")  # untrusted without it


JAVA_GET = """
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class Get {
    public static void main(String[] args) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(args[0])).build(),
            HttpResponse.BodyHandlers.ofString());
        System.out.println(response.statusCode() + " " + response.body());
    }
}
"""


def java_home() -> Path:
    out = subprocess.run(
        ["java", "-XshowSettings:properties", "-version"], capture_output=True, text=True
    ).stderr
    return Path(re.search(r"java\.home = (.+)", out).group(1).strip())  # type: ignore[union-attr]


@pytest.mark.skipif(
    shutil.which("java") is None or shutil.which("keytool") is None,
    reason="java and keytool are not installed",
)
def test_java_trusts_the_ca_imported_into_a_copy_of_cacerts(server, ca, tmp_path):
    # The README's recipe, word for word but for the paths.
    store = tmp_path / "mock-cacerts"
    shutil.copy(java_home() / "lib" / "security" / "cacerts", store)
    subprocess.run(
        ["keytool", "-importcert", "-noprompt", "-alias", "mock-server", "-file", str(ca),
         "-keystore", str(store), "-storepass", "changeit"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    hosts = tmp_path / "hosts"
    hosts.write_text(f"127.0.0.1 {KYC_STG}\n")
    source = tmp_path / "Get.java"
    source.write_text(JAVA_GET)
    result = subprocess.run(
        ["java", f"-Djavax.net.ssl.trustStore={store}",
         "-Djavax.net.ssl.trustStorePassword=changeit", f"-Djdk.net.hosts.file={hosts}",
         str(source), f"https://{KYC_STG}:{server.edge_port}/kyc/v1/generate-url"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.split(" ", 1)
    assert 400 <= int(status) < 500
    assert by_name("kyc").contract.is_error(json.loads(body)), body


def test_a_providers_host_list_is_configurable(tmp_path):
    erp = "erp-api.example.co.id"
    with running_server(None, "--sales-order-hosts", f"{erp},ERP2.example.co.id") as server:
        ca = ca_path(server)
        for host in (erp, "erp2.example.co.id"):
            with edge_client(server, host, ca, auth=SalesOrderAuth()) as client:
                assert client.get("/api/v1/products").status_code == 200
        # The replaced name is served no more, and no longer in the certificate either.
        with (
            edge_client(server, "sales-order.mock.test", ca) as client,
            pytest.raises(
                httpx.ConnectError, match=re.escape("not valid for 'sales-order.mock.test'")
            ),
        ):
            client.get("/api/v1/products")
        replaced = httpx.get(
            f"https://127.0.0.1:{server.edge_port}/api/v1/products",
            headers={"Host": "sales-order.mock.test"},
            verify=trusting(ca),
        )
    assert replaced.status_code == 421
    assert replaced.json()["hosts"]["sales_order"] == [erp, "erp2.example.co.id"]
