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
    See ``auth.py`` for the check order and the string to sign.

Known gaps
    The doc gives no error body, response bodies, clock-skew window or XML layout; the mock's
    choices are in ``docs/providers/joss.md``. HTTPS, HTTP notifications to the portal and 429
    rate limiting are not emulated.
"""

from mock_server.core.provider import DemoCredential, Provider, ProviderContext, ProviderParts
from mock_server.providers.joss.auth import build_authenticate
from mock_server.providers.joss.config import JossSettings
from mock_server.providers.joss.errors import render_error
from mock_server.providers.joss.routes import build_app
from mock_server.providers.joss.seed import seed


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
    demo_credentials=(
        DemoCredential("staging", "joss-sandbox-client", "joss-sandbox-secret"),
        DemoCredential("staging, second portal", "joss-other-client", "joss-other-secret"),
        DemoCredential("production", "joss-production-client", "joss-production-secret"),
        DemoCredential("inactive", "joss-inactive-client", "joss-inactive-secret"),
    ),
)
