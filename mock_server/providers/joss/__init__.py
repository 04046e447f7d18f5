"""JOSS, Job Offer Single Submission (Kemnaker): employers and job portals report vacancies.

What is emulated
    The documented request headers and the HMAC signature over Client-Id, Request-Id,
    Request-Timestamp, Request-Target and (with a body) Digest; Accept JSON or XML for every
    response, errors included; Content-Type JSON only; 409 on a reused Request-Id (every method
    but GET); staging and production credentials. Companies and industrial vacancies at the doc's
    paths (put / find / delete, plus paginated lists), reference data by uuid (real provinces and
    cities of Indonesia, KBLI industry sections, education levels, job functions, employment
    types), each client seeing only what it reported.

Auth
    See ``auth.py`` for the check order, the string to sign and lenient mode. Clients are managed
    from the control plane (``credentials.py``); ``sign`` below serves ``mock-server sign joss``.

Known gaps
    The doc gives no error body, response bodies, clock-skew window or XML layout; the mock's
    choices are in ``docs/providers/joss.md``. HTTPS, HTTP notifications to the portal and 429
    rate limiting are not emulated.
"""

import uuid

from mock_server.core.provider import (
    DemoCredential,
    Provider,
    ProviderContext,
    ProviderParts,
    SignInput,
)
from mock_server.providers.joss.auth import BODY_METHODS, build_authenticate
from mock_server.providers.joss.config import JossSettings
from mock_server.providers.joss.credentials import JossCredentials
from mock_server.providers.joss.errors import render_error
from mock_server.providers.joss.routes import build_app
from mock_server.providers.joss.seed import seed

DEMO_CREDENTIALS = (
    DemoCredential("staging", "joss-sandbox-client", "joss-sandbox-secret"),
    DemoCredential("staging, second portal", "joss-other-client", "joss-other-secret"),
    DemoCredential("production", "joss-production-client", "joss-production-secret"),
    DemoCredential("inactive", "joss-inactive-client", "joss-inactive-secret"),
)


def sign(request: SignInput) -> dict[str, str]:
    """Every header of a correctly signed request, as ``JossAuth`` sends them.

    Without a client id: the demo credential of the environment the sandbox emulates (a staging
    credential does not verify on a production sandbox). A demo client id without a secret gets
    its demo secret; any other client needs its secret.
    """
    from mock_server.clients.joss import joss_signature, joss_timestamp

    environment = getattr(request.settings, "environment", "staging")
    demo = {c.client_id: c.secret for c in DEMO_CREDENTIALS}
    client_id = request.client_id or (
        "joss-production-client" if environment == "production" else "joss-sandbox-client"
    )
    secret = request.secret or demo.get(client_id)
    if secret is None:
        raise ValueError(f"no secret for JOSS client {client_id!r}: give it with its client id")
    timestamp = joss_timestamp(request.now)
    request_id = str(uuid.uuid4())
    # Request-Target is the path as sent without the query string; the Digest covers the exact
    # body bytes, so the body must be sent byte for byte as given here.
    target = request.path.split("?", 1)[0]
    headers = {
        "Accept": "application/json",
        "Client-Id": client_id,
        "Request-Id": request_id,
        "Request-Timestamp": timestamp,
        "Signature": joss_signature(secret, client_id, request_id, timestamp, target, request.body),
    }
    if request.body or request.method.upper() in BODY_METHODS:
        headers["Content-Type"] = "application/json"  # required on POST/PUT/PATCH
    return headers


def build(ctx: ProviderContext) -> ProviderParts:
    return ProviderParts(app=build_app(ctx), authenticate=build_authenticate(ctx))


provider = Provider(
    name="joss",
    title="JOSS (Job Offer Single Submission)",
    auth="HMACSHA256 of Client-Id, Request-Id, Request-Timestamp, Request-Target, Digest",
    settings_cls=JossSettings,
    build=build,
    render_error=render_error,
    seed=seed,
    demo_credentials=DEMO_CREDENTIALS,
    credentials=JossCredentials,
    sign=sign,
)
