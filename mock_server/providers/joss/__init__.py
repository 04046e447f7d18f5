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
    choices are in ``docs/providers/joss.md``. HTTP notifications to the portal and 429 rate
    limiting are not emulated. HTTPS is the sandbox's edge (``core/edge.py``): the two host names
    are declared below, and through the edge each chooses its environment (``auth.py``).
"""

import json
from typing import TYPE_CHECKING, Any

from mock_server.core.contract import Contract, Example, spoil_header
from mock_server.core.provider import Provider, lazy
from mock_server.providers.joss.signing import DEMO_CREDENTIALS, sign_request

# The server's parts load when the sandbox builds the provider, not when the CLI lists it.
if TYPE_CHECKING:
    from mock_server.providers.joss.auth import build_authenticate
    from mock_server.providers.joss.credentials import JossCredentials
    from mock_server.providers.joss.errors import render_error
    from mock_server.providers.joss.reports import Reports
    from mock_server.providers.joss.routes import build_app
    from mock_server.providers.joss.seed import seed
else:
    build_authenticate = lazy("mock_server.providers.joss.auth", "build_authenticate")
    JossCredentials = lazy("mock_server.providers.joss.credentials", "JossCredentials")
    render_error = lazy("mock_server.providers.joss.errors", "render_error")
    Reports = lazy("mock_server.providers.joss.reports", "Reports")
    build_app = lazy("mock_server.providers.joss.routes", "build_app")
    seed = lazy("mock_server.providers.joss.seed", "seed")

__all__ = ["DEMO_CREDENTIALS", "provider"]


def is_error(body: Any) -> bool:
    """The error envelope: the status as a number (4xx or 5xx) and the doc's wording."""
    return (
        isinstance(body, dict)
        and isinstance(body.get("status"), int)
        and body["status"] >= 400
        and isinstance(body.get("message"), str)
    )


# JOSS consumes Request-Ids on every method but GET, so the contract's example is a PUT (an
# upsert: 201 the first time, 200 after). The reference ids are the seeded ones (uuid5 of kind
# and name, see the fixture): Kota Jakarta Selatan, and KBLI section J, Informasi dan Komunikasi.
EXAMPLE_COMPANY = {
    "region": {"type": "city", "id": "97e4f94f-80cc-5912-8638-bee245531d06", "country_code": "ID"},
    "name": "PT Kontrak Uji",
    "postal_code": "12850",
    "address": "Jl. Semanggi Raya No. 1A, Jakarta Selatan",
    "license_number": "9120001234567",
    "industry": "69535fde-b53b-57d4-8d62-4179e7fdd134",
}

provider = Provider(
    name="joss",
    title="JOSS (Job Offer Single Submission)",
    auth="HMACSHA256 of Client-Id, Request-Id, Request-Timestamp, Request-Target, Digest",
    settings_class="mock_server.providers.joss.config:JossSettings",
    backend=Reports,
    routes=build_app,
    authenticate=build_authenticate,
    render_error=render_error,
    seed=seed,
    demo_credentials=DEMO_CREDENTIALS,
    contract=Contract(
        example=Example(
            "PUT",
            "/api/v1/companies/0b5d7a5e-3f7c-4a7e-9a51-3c2f4f0f7a01",
            json.dumps(EXAMPLE_COMPANY).encode(),
        ),
        secret="joss-sandbox-secret",
        is_error=is_error,
        spoil=spoil_header("Signature"),
        bad_signature_status=401,
        window=lambda settings: settings.timestamp_window,
        expired_status=401,
        replay_status=409,
    ),
    credentials=JossCredentials,
    sign=sign_request,
    models="mock_server.providers.joss.models",
    postman=lazy("mock_server.providers.joss.postman", "spec"),
    # The doc's two endpoints: staging, then production (each has its own credentials).
    hosts=("sandbox.joss.kemnaker.go.id", "joss.kemnaker.go.id"),
    https_redirect=True,  # the doc: "Any HTTP calls will be force redirect to HTTPS."
)
