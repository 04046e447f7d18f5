"""The headers of a KYC request (a fresh bearer, the right Content-Type), apart from the server's
modules: ``mock-server sign kyc`` needs only these."""

from mock_server.core.provider import SignInput

TOKEN_PATH = "/oauth2/v1/accesstoken"
VALIDATION_WEB = "/kyc/v1/validation-web/"
FORM = "application/x-www-form-urlencoded"

DEMO_CLIENT_ID = "kyc-demo-client"
DEMO_CLIENT_SECRET = "kyc-demo-secret"


class SignError(RuntimeError):
    """The sandbox refused the credentials or could not be reached; says which."""


def sign_request(request: SignInput) -> dict[str, str]:
    """Headers for a KYC request: a fresh bearer from the token endpoint, and the Content-Type
    the path takes.

    The body decides the generate-url form: an encrypted message (it starts with the BEGIN line)
    goes as ``text/plain``, anything else as ``application/json``. The token endpoint itself
    needs no bearer, only its form Content-Type; the validation page's calls need none either.
    """
    from mock_server.providers.kyc.envelope import BEGIN  # the crypto stack, for this hook only

    path = request.path.split("?", 1)[0]
    if path == TOKEN_PATH:
        return {"Content-Type": FORM}
    if request.body.lstrip().startswith(BEGIN.encode()):
        content_type = "text/plain"
    else:
        content_type = "application/json"
    if path.startswith(VALIDATION_WEB):
        return {"Content-Type": content_type}
    client_id = request.client_id or DEMO_CLIENT_ID
    secret = request.secret
    if secret is None:
        # The demo secret goes with the demo client only; another client without one is a slip.
        if request.client_id not in (None, DEMO_CLIENT_ID):
            raise SignError(f"give the client_secret of {client_id!r}")
        secret = DEMO_CLIENT_SECRET
    token = fetch_token(request, client_id, secret)
    return {"Authorization": f"Bearer {token}", "Content-Type": content_type}


def fetch_token(request: SignInput, client_id: str, secret: str) -> str:
    """A bearer from the token endpoint: through ``request.http`` when given (a client already
    pointed at the provider), else over a new connection to ``base_url``."""
    import httpx  # only signing needs it: the server never pays for the import

    url = request.base_url.rstrip("/") + TOKEN_PATH
    params = {"grant_type": "client_credentials"}
    form = {"client_id": client_id, "client_secret": secret}
    try:
        if request.http is not None:
            response = request.http.post(TOKEN_PATH, params=params, data=form)
        else:
            response = httpx.post(url, params=params, data=form, timeout=10)
    except httpx.HTTPError as exc:
        raise SignError(f"could not get a token from {url}: {exc}") from None
    if response.status_code != 200:
        raise SignError(
            f"the token endpoint refused {client_id!r}: HTTP {response.status_code} "
            f"{response.text[:300]}"
        )
    return str(response.json()["access_token"])
