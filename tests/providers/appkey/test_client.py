"""The reference client, in process: it logs in by itself, sends the right bearer per operation,
and renews an expired access token with the refresh token."""

from starlette.testclient import TestClient

from mock_server.clients import AppKeyAuth


def client(sandbox, auth):
    http = TestClient(sandbox.apps["appkey"], base_url="http://testserver")
    http.auth = auth  # TestClient is an httpx.Client that takes no auth argument
    return http


def test_the_client_logs_in_and_renews_an_expired_access_token(sandbox):
    auth = AppKeyAuth(language="en")
    with client(sandbox, auth) as http:
        profile = http.get("/api/v1/users/me")
        assert profile.status_code == 200
        assert profile.headers["content-language"] == "en"
        first_access = auth.tokens.access_token
        sandbox.services.clock.advance(901)
        again = http.get("/api/v1/users/me/addresses")
        assert again.status_code == 200
        assert auth.tokens.access_token != first_access
        rotated = http.post("/api/v1/auth/refresh-token")
        assert rotated.status_code == 200
        assert auth.tokens.refresh_token == rotated.json()["data"]["refresh_token"]
        assert http.post("/api/v1/auth/access-token").status_code == 200
        # after the refresh token too has expired, the client logs in again by itself
        sandbox.services.clock.advance(86_401)
        assert http.get("/api/v1/provinces").status_code == 200


def test_the_client_hands_back_a_refused_login(sandbox):
    with client(sandbox, AppKeyAuth(password="wrong", language="en")) as http:
        response = http.get("/api/v1/users/me")
        assert response.status_code == 401
        assert response.json()["message"] == "Invalid username or password"
