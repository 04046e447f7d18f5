"""JOSS's Postman collection: HMAC over the header lines and the Digest (CryptoJS), and a run
that puts a company and a vacancy, reads them, lists, then deletes them."""

from mock_server.core.postman import PostmanSpec, Step, Variable
from mock_server.providers.joss.config import JossSettings
from mock_server.providers.joss.signing import DEMO_CREDENTIALS

# Ids the client chooses (put is an upsert keyed by them): the vacancy example's employer id,
# so the company put first is the vacancy's employer.
COMPANY = "1edd9893-f1a3-45dd-89d4-bc4dc9a071d0"
JOB = "5d0f3c1e-7b2a-4c8e-9f61-2a7b3c4d5e6f"


def spec(settings: JossSettings) -> PostmanSpec:
    """The demo client of the environment the sandbox emulates: a staging client does not verify
    on a production sandbox."""
    production = settings.environment == "production"
    client = "joss-production-client" if production else "joss-sandbox-client"
    secret = {c.client_id: c.secret for c in DEMO_CREDENTIALS}[client]
    return PostmanSpec(
        package=__package__ or "mock_server.providers.joss",
        script="postman.js",
        description="Every endpoint of the sandbox's JOSS. The collection's pre-request script "
        "signs each request (HMACSHA256 over Client-Id, Request-Id, Request-Timestamp, "
        "Request-Target and, with a body, Digest) with the environment's client. The run puts "
        "a company and a vacancy, reads and lists them, then deletes both.",
        variables=(
            Variable("client_id", client, description=f"the {settings.environment} demo client"),
            Variable("client_secret", secret, secret=True),
            Variable("company_id", COMPANY, description="the company the run puts"),
            Variable("job_id", JOB, description="the vacancy the run puts"),
        ),
        order=(
            "PUT /api/v1/companies/{company_id}",
            "GET /api/v1/companies/{company_id}",
            "GET /api/v1/companies",
            "PUT /api/v1/jobs/{job_id}/industrial-vacancy",
            "GET /api/v1/jobs/{job_id}",
            "GET /api/v1/jobs",
            "GET /api/v1/references/{kind}",
            "DELETE /api/v1/jobs/{job_id}",
            "DELETE /api/v1/companies/{company_id}",
        ),
        steps={
            "PUT /api/v1/companies/{company_id}": Step(path="/api/v1/companies/{{company_id}}"),
            "GET /api/v1/companies/{company_id}": Step(path="/api/v1/companies/{{company_id}}"),
            "DELETE /api/v1/companies/{company_id}": Step(path="/api/v1/companies/{{company_id}}"),
            "PUT /api/v1/jobs/{job_id}/industrial-vacancy": Step(
                path="/api/v1/jobs/{{job_id}}/industrial-vacancy"
            ),
            "GET /api/v1/jobs/{job_id}": Step(path="/api/v1/jobs/{{job_id}}"),
            "DELETE /api/v1/jobs/{job_id}": Step(path="/api/v1/jobs/{{job_id}}"),
            "GET /api/v1/references/{kind}": Step(
                path="/api/v1/references/regions", query={"type": "province"}
            ),
        },
    )
