"""Guided flows: each provider's documented happy path, run through the sandbox itself over HTTP,
one step at a time, for a demo. Requests are signed by the provider's own signer (the one
``mock-server sign`` uses) or, for SATUSEHAT KYC, sealed with the reference envelope."""

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from mock_server.admin.protocol import Admin
from mock_server.clients.kyc import decrypt_message, encrypt_message, generate_key_pair
from mock_server.clients.kyc import sandbox_public_key as kyc_public_key
from mock_server.core.provider import Provider, SignInput
from mock_server.core.redact import header_lines_to_dict, redact_headers, redact_text
from mock_server.dashboard.assets import render

SHOWN_BYTES = 4000  # of each body: enough to read on a projector, short enough to scroll past
STEP_END = "\n<!--step-->\n"  # the page splits the stream here, one step at a time


@dataclass
class FlowContext:
    provider: Provider[Any]
    settings: Any
    base_url: str
    admin: Admin


@dataclass
class Step:
    title: str
    method: str = ""
    url: str = ""
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str = ""
    status: int | None = None
    response_body: str = ""
    note: str = ""
    frame: str | None = None  # a page to show in an iframe, as a facility's system embeds it
    verdict: str | None = None  # the flow's outcome, on its last step
    ok: bool = True


@dataclass(frozen=True)
class Flow:
    title: str
    run: Callable[[FlowContext], Iterator[Step]]


def step_html(step: Step) -> str:
    return render("_step.html", step=step) + STEP_END


def shown(content: bytes | str) -> str:
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    with contextlib.suppress(ValueError):  # not JSON: shown as sent
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    text = redact_text(text)
    return text if len(text) <= SHOWN_BYTES else text[:SHOWN_BYTES] + "\n… (cut here)"


class Caller:
    """Sends each step's request and turns the exchange into a ``Step``."""

    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.http = httpx.Client(base_url=ctx.base_url, timeout=15)

    def now(self) -> datetime:
        return datetime.fromisoformat(self.ctx.admin.clock()["now"].replace("Z", "+00:00"))

    def signed(
        self, title: str, method: str, path: str, body: Any = None, note: str = ""
    ) -> tuple[Step, httpx.Response]:
        content = b"" if body is None else json.dumps(body).encode()
        sign = self.ctx.provider.sign
        assert sign is not None
        headers = sign(
            SignInput(
                method=method,
                path=path,
                body=content,
                client_id=None,
                secret=None,
                key_file=None,
                now=self.now(),
                base_url=self.ctx.base_url,
                settings=self.ctx.settings,
                http=self.http,
            )
        )
        if content:
            headers.setdefault("Content-Type", "application/json")
        return self.send(title, method, path, content, headers, note)

    def send(
        self,
        title: str,
        method: str,
        path: str,
        content: bytes,
        headers: dict[str, str],
        note: str = "",
    ) -> tuple[Step, httpx.Response]:
        response = self.http.request(method, path, content=content, headers=headers)
        pairs = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        secret = self.ctx.provider.secret_headers | {"authorization"}
        step = Step(
            title=title,
            method=method,
            url=self.ctx.base_url + path,
            request_headers=header_lines_to_dict(redact_headers(pairs, frozenset(secret))),
            request_body=shown(content) if content else "",
            status=response.status_code,
            response_body=shown(response.content),
            note=note,
            ok=response.is_success,
        )
        return step, response

    def close(self) -> None:
        self.http.close()


def data_of(response: httpx.Response) -> Any:
    try:
        return response.json().get("data")
    except (ValueError, AttributeError):
        return None


# -- SATUSEHAT KYC --------------------------------------------------------------------------------
KYC_AGENT = {"agent_name": "Bambang Wisanggeni", "agent_nik": "3171010101800001"}
KYC_PATIENT = {"nik": "3171014101900001", "name": "Budi Santoso"}


def kyc_flow(ctx: FlowContext) -> Iterator[Step]:
    """Token; generate-url, encrypted; the validation page in an iframe; the challenge code the
    page asks for; the code verified: validated."""
    caller = Caller(ctx)
    try:
        demo = ctx.provider.demo_credentials[0]
        form = f"client_id={demo.client_id}&client_secret={demo.secret}".encode()
        step, response = caller.send(
            "1. Access token (OAuth2 client credentials)",
            "POST",
            "/oauth2/v1/accesstoken?grant_type=client_credentials",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        yield step
        if not step.ok:
            return
        token = response.json()["access_token"]

        private_key, public_key = generate_key_pair()
        payload = json.dumps(KYC_AGENT | {"public_key": public_key})
        sealed = encrypt_message(payload, kyc_public_key())
        step, response = caller.send(
            "2. Generate URL, encrypted (RSA-OAEP + AES-256-GCM envelope)",
            "POST",
            "/kyc/v1/generate-url",
            sealed.encode(),
            {"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
            note="the body is the agent's details and a fresh public key, sealed with the "
            "server's public key; the reply is sealed with that fresh key",
        )
        if not step.ok:
            yield step
            return
        reply = json.loads(decrypt_message(response.text, private_key))
        step.response_body = "decrypted with the fresh private key:\n" + shown(json.dumps(reply))
        yield step
        url = reply["data"]["url"]

        yield Step(
            title="3. The validation page, embedded as a facility's system shows it",
            url=url,
            frame=url,
            note="the operator types the patient's NIK and name, the patient reads out the "
            "code SATUSEHAT Mobile shows; the next steps make the page's own calls",
        )
        step, response = caller.send(
            "4. Challenge code (the page's call for the patient)",
            "POST",
            f"{url.removeprefix(ctx.base_url)}/challenge-code",
            json.dumps(KYC_PATIENT).encode(),
            {"Content-Type": "application/json"},
        )
        yield step
        if not step.ok:
            return
        code = data_of(response)["challenge_code"]

        step, response = caller.send(
            "5. Verify the code the patient read out",
            "POST",
            f"{url.removeprefix(ctx.base_url)}/verify",
            json.dumps({"challenge_code": code}).encode(),
            {"Content-Type": "application/json"},
        )
        verdict = (data_of(response) or {}).get("verdict")
        step.verdict = verdict
        step.frame = url  # the page again, now showing the verdict
        yield step
    finally:
        caller.close()


# -- the others: each call signed by the provider's signer ----------------------------------------
def digitalent_flow(ctx: FlowContext) -> Iterator[Step]:
    caller = Caller(ctx)
    try:
        step, response = caller.signed("1. Academies", "GET", "/api/public/pelatihan/akademi")
        yield step
        academies = data_of(response) or []
        if not step.ok or not academies:
            return
        first = academies[0]
        step, _ = caller.signed(
            f"2. Academy detail: {first.get('nama', first.get('id'))}",
            "POST",
            "/api/public/pelatihan/akademi",
            {"id": first["id"]},
        )
        yield step
        step, _ = caller.signed(
            "3. Its trainings",
            "GET",
            f"/api/public/pelatihan?akademi_id={first['id']}&per_page=5",
        )
        step.verdict = "done" if step.ok else None
        yield step
    finally:
        caller.close()


# JOSS reference ids are uuid5 of kind and name (the documented derivation), the same on every
# reset, so the flow names them rather than looking each one up.
JOSS_REFERENCES = uuid.uuid5(uuid.NAMESPACE_URL, "https://sandbox.joss.kemnaker.go.id/references")


def joss_reference(kind: str, name: str) -> str:
    return str(uuid.uuid5(JOSS_REFERENCES, f"{kind}:{name}"))


def joss_flow(ctx: FlowContext) -> Iterator[Step]:
    caller = Caller(ctx)
    try:
        company_id, job_id = str(uuid.uuid4()), str(uuid.uuid4())
        company = {
            "region": {
                "type": "city",
                "id": joss_reference("city", "DKI Jakarta/Jakarta Selatan"),
                "country_code": "ID",
            },
            "name": "PT Demo Sandbox",
            "postal_code": "12850",
            "address": "Jl. Semanggi Raya No. 1A, Jakarta Selatan",
            "license_number": "9120001234567",
            "industry": joss_reference("industry", "Informasi dan Komunikasi"),
        }
        step, _ = caller.signed(
            "1. Report the company (upsert)", "PUT", f"/api/v1/companies/{company_id}", company
        )
        yield step
        if not step.ok:
            return
        today = caller.now().date()
        vacancy = {
            "title": "Junior Administrator",
            "employer": {"id": company_id, **company},
            "position": "Administrator Sistem",
            "job_function": joss_reference("job-function", "Teknologi Informasi"),
            "description": "Mengelola server dan jaringan kantor.",
            "workers_needed": 2,
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=60)).isoformat(),
            "age": {"min": 20, "max": 35},
            "gender": "any",
            "education_level": joss_reference("education-level", "Sarjana (S1)"),
            "skills": ["Linux", "Jaringan komputer"],
            "min_experience_years": 1,
            "salary": {"min": 6_000_000, "max": 9_000_000, "currency": "IDR"},
            "work_location": {
                "region": {
                    "type": "city",
                    "id": joss_reference("city", "Jawa Barat/Bandung"),
                    "country_code": "ID",
                },
                "address": "Jl. Asia Afrika No. 1, Bandung",
            },
            "employment_type": joss_reference("employment-type", "Pekerja Kontrak (PKWT)"),
            "status": "open",
        }
        step, _ = caller.signed(
            "2. Report its vacancy", "PUT", f"/api/v1/jobs/{job_id}/industrial-vacancy", vacancy
        )
        yield step
        if not step.ok:
            return
        step, _ = caller.signed("3. Read the vacancy back", "GET", f"/api/v1/jobs/{job_id}")
        step.verdict = "reported" if step.ok else None
        yield step
    finally:
        caller.close()


def sales_order_flow(ctx: FlowContext) -> Iterator[Step]:
    caller = Caller(ctx)
    try:
        demo = ctx.provider.demo_credentials[0]
        step, _ = caller.send(
            "1. Log in (client credentials -> JWT)",
            "POST",
            "/api/v1/auth/login",
            json.dumps({"client_id": demo.client_id, "client_secret": demo.secret}).encode(),
            {"Content-Type": "application/json"},
        )
        yield step
        if not step.ok:
            return
        order = {
            "customer_code": "CUST-001",
            "site_code": "SITE-001",
            "sales_name": "John Doe",
            "address": "Jl. Sudirman No. 1, Jakarta",
            "products": [{"product_code": "PRD-001", "quantity": 2}],
        }
        step, response = caller.signed(
            "2. Create a sales order (JWT + SHA256withRSA signature)",
            "POST",
            "/api/v1/sales-orders",
            order,
        )
        yield step
        created = data_of(response) or {}
        ref = created.get("order_no") or created.get("id")
        if not step.ok or not ref:
            return
        step, _ = caller.signed("3. Its status now", "GET", f"/api/v1/sales-orders/{ref}")
        yield step
        wait = int(ctx.settings.process_after) + 1
        ctx.admin.advance(wait)
        step, response = caller.signed(
            f"4. The sandbox clock moved {wait} s on: its status again",
            "GET",
            f"/api/v1/sales-orders/{ref}",
            note="the ERP processes an order after MOCK_SALES_ORDER_PROCESS_AFTER seconds "
            "of sandbox time; the flow advanced the clock (Controls -> Clock to undo)",
        )
        status = (data_of(response) or {}).get("status")
        step.verdict = str(status).lower() if status else None
        yield step
    finally:
        caller.close()


def appkey_flow(ctx: FlowContext) -> Iterator[Step]:
    """Login with the app's private key as the bearer; a new refresh token for the user token;
    a new access token for the refresh token; the user's profile with the access and user
    tokens. The documented conventions are on every call: x-app-key, x-request-id, x-language."""
    caller = Caller(ctx)
    demo = ctx.provider.demo_credentials[0]

    def headers(bearer: str, **extra: str) -> dict[str, str]:
        return {
            "x-app-key": demo.client_id,
            "x-request-id": str(uuid.uuid4()),
            "x-language": "en",
            "Authorization": f"Bearer {bearer}",
            "Content-Type": "application/json",
        } | extra

    try:
        login = {"username": "demo@example.com", "password": "demo-password"}
        step, response = caller.send(
            "1. Log in (Bearer = the app's private key)",
            "POST",
            "/api/v1/auth/login",
            json.dumps(login).encode(),
            headers(demo.secret),
        )
        yield step
        tokens = data_of(response) or {}
        if not step.ok:
            return
        step, response = caller.send(
            "2. A new refresh token (Bearer = the user token)",
            "POST",
            "/api/v1/auth/refresh-token",
            b"",
            headers(tokens["user_token"]),
        )
        yield step
        if not step.ok:
            return
        refresh = str((data_of(response) or {}).get("refresh_token", tokens.get("refresh_token")))
        step, response = caller.send(
            "3. A new access token (Bearer = the refresh token)",
            "POST",
            "/api/v1/auth/access-token",
            b"",
            headers(refresh),
        )
        yield step
        if not step.ok:
            return
        access = str((data_of(response) or {}).get("access_token", tokens.get("access_token")))
        step, _ = caller.send(
            "4. The user's profile (access token + x-user-token)",
            "GET",
            "/api/v1/users/me",
            b"",
            headers(access, **{"x-user-token": tokens["user_token"]}),
        )
        step.verdict = "signed in" if step.ok else None
        yield step
    finally:
        caller.close()


FLOWS: dict[str, Flow] = {
    "kyc": Flow("SATUSEHAT KYC: token, encrypted generate-url, validation page, code", kyc_flow),
    "digitalent": Flow("Digitalent: academies, then their trainings", digitalent_flow),
    "joss": Flow("JOSS: a company, then its vacancy", joss_flow),
    "sales_order": Flow("Sales Order: log in, order, watch it progress", sales_order_flow),
    "appkey": Flow("x-app-key: log in, refresh, user token", appkey_flow),
}
