"""JOSS demo data: fast to make, the same on every reset, valid against the API's own rules."""

from mock_server.providers.joss.models import JossClient
from tests.providers.joss.common import send


def test_reseeding_is_fast_and_gives_the_same_demo_data(joss, sandbox):
    before = send(joss, "GET", "/api/v1/jobs", query="per_page=100").json()["data"]
    assert sandbox.services.reset() < 1.0
    after = send(joss, "GET", "/api/v1/jobs", query="per_page=100").json()["data"]
    assert after == before
    assert len(before) == 12


def test_seeded_vacancies_can_be_put_back_unchanged(joss):
    """A seeded vacancy passes the same validation a client's report does."""
    job = send(joss, "GET", "/api/v1/jobs", query="per_page=1").json()["data"][0]
    document = {k: v for k, v in job.items() if k not in {"id", "created_at", "updated_at"}}
    response = send(joss, "PUT", f"/api/v1/jobs/{job['id']}/industrial-vacancy", document)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == job


def test_the_demo_secrets_are_the_documented_ones(sandbox):
    table = JossClient
    rows = sandbox.services.db.connection().execute(table.select()).all()
    assert {(r.client_id, r.client_secret, r.environment, r.active) for r in rows} == {
        ("joss-sandbox-client", "joss-sandbox-secret", "staging", True),
        ("joss-other-client", "joss-other-secret", "staging", True),
        ("joss-production-client", "joss-production-secret", "production", True),
        ("joss-inactive-client", "joss-inactive-secret", "staging", False),
    }
