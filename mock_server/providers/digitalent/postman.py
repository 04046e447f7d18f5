"""Digitalent's Postman collection: the doc's own pre-request script, and ids from the seed."""

from typing import Any

from mock_server.core.postman import PostmanSpec, Step, Variable

# Akademi 1 and pelatihan 1 are in every seed (mock_server/fixtures/digitalent.json).
AKADEMI, PELATIHAN = 1, 1


def spec(settings: Any) -> PostmanSpec:
    """``settings``: the provider's, which this collection does not depend on."""
    return PostmanSpec(
        package=__package__ or "mock_server.providers.digitalent",
        script="postman.js",
        description="Every endpoint of the sandbox's Digitalent Public API. The collection's "
        "pre-request script is the one in Digitalent's own doc, unchanged: it adds Client-Id, "
        "Request-Id, Request-Timestamp and Signature to every request.",
        variables=(
            Variable("client_id", "dts-demo-client", description="the demo client (active)"),
            Variable("client_secret", "dts-demo-secret", secret=True),
        ),
        steps={
            "POST /api/public/pelatihan/akademi": Step(body={"id": AKADEMI}),
            "POST /api/public/pelatihan/detail": Step(body={"id": PELATIHAN}),
            "GET /api/public/pelatihan/akademi/{akademi_id}/tema": Step(
                path=f"/api/public/pelatihan/akademi/{AKADEMI}/tema"
            ),
            "GET /api/public/pelatihan/{pelatihan_id}": Step(
                path=f"/api/public/pelatihan/{PELATIHAN}"
            ),
        },
    )
