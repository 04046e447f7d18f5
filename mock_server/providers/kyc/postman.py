"""SATUSEHAT KYC's Postman collection: the OAuth2 token fetched and kept by the pre-request
script, generate-url in clear (Postman cannot build the RSA-OAEP + AES-GCM envelope), a
challenge code, then the validation page and its two calls for the session just made."""

from typing import Any

from mock_server.core.postman import PostmanSpec, Step, Variable

KEEP_TOKEN = """if (pm.response.code === 200) {
  const token = pm.response.json();
  pm.environment.set("access_token", token.access_token);
  const expiresAt = Date.now() + Number(token.expires_in) * 1000;
  pm.environment.set("access_token_expires_at", String(expiresAt));
}"""
KEEP_SESSION = """if (pm.response.code === 200) {
  pm.environment.set("session_token", pm.response.json().data.token);
}"""
KEEP_CODE = """if (pm.response.code === 200) {
  pm.environment.set("challenge_code", pm.response.json().data.challenge_code);
}"""
SESSION = "/kyc/v1/validation-web/{{session_token}}"


def spec(settings: Any) -> PostmanSpec:
    """``settings``: the provider's, which this collection does not depend on."""
    return PostmanSpec(
        package=__package__ or "mock_server.providers.kyc",
        script="postman.js",
        description="Every endpoint of the sandbox's SATUSEHAT KYC. The collection's pre-request "
        "script fetches an OAuth2 token with the client credentials and keeps it until it "
        "expires. generate-url is sent in clear (application/json): Postman cannot encrypt "
        "with RSA-OAEP and AES-256-GCM; use mock_server.clients.KycClient or your own client "
        "for the encrypted form.",
        variables=(
            Variable("client_id", "kyc-demo-client"),
            Variable("client_secret", "kyc-demo-secret", secret=True),
            Variable("access_token", "", secret=True),
            Variable("access_token_expires_at", "", description="ms since the epoch"),
            Variable("session_token", "", description="set by Generate Url"),
            Variable("challenge_code", "", description="set by Page Challenge"),
        ),
        order=(
            "POST /oauth2/v1/accesstoken",
            "POST /kyc/v1/generate-url",
            "POST /kyc/v1/challenge-code",
            "GET /kyc/v1/validation-web/{token}",
            "POST /kyc/v1/validation-web/{token}/challenge-code",
            "POST /kyc/v1/validation-web/{token}/verify",
        ),
        steps={
            "POST /oauth2/v1/accesstoken": Step(
                query={"grant_type": "client_credentials"},
                body={"client_id": "{{client_id}}", "client_secret": "{{client_secret}}"},
                test=KEEP_TOKEN,
            ),
            "POST /kyc/v1/generate-url": Step(media_type="application/json", test=KEEP_SESSION),
            "GET /kyc/v1/validation-web/{token}": Step(path=SESSION),
            "POST /kyc/v1/validation-web/{token}/challenge-code": Step(
                path=SESSION + "/challenge-code", test=KEEP_CODE
            ),
            "POST /kyc/v1/validation-web/{token}/verify": Step(
                path=SESSION + "/verify", body={"challenge_code": "{{challenge_code}}"}
            ),
        },
    )
