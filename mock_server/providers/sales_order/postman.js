// Sales Order API: a JWT bearer and X-SIGNATURE on every sales-order request (sales-order.txt).
//   Authorization  Bearer <token from POST /api/v1/auth/login with client_id and client_secret>
//   X-CLIENT-ID    the client id
//   X-TIMESTAMP    unix seconds, this machine's clock
//   X-SIGNATURE    base64 of SHA256withRSA over client_id + "|" + X-TIMESTAMP, made with the
//                  client's private key
// Postman has no RSA signing (CryptoJS does only hashes, HMAC and ciphers), so the signature
// comes from the sandbox's control plane: POST {{admin_url}}/__admin/sales-order/sign with
// {"client_id", "timestamp"} answers the signature made with the demo key the sandbox holds
// (DEMO ONLY, for partner-client-001). Your own client signs with your own key instead.
// The token is fetched before the first request and kept until a minute before its expired_at.
// The login and refresh requests themselves carry no signature.
const path = pm.request.url.getPath();
const signed = path.indexOf("/api/v1/auth/") !== 0;

function adminHeaders() {
  const headers = { "Content-Type": "application/json" };
  const adminToken = pm.variables.get("admin_token");
  if (adminToken) headers["Authorization"] = "Bearer " + adminToken;  // MOCK_ADMIN_TOKEN
  return headers;
}

function sign(token) {
  const clientId = pm.variables.get("client_id");
  const timestamp = String(Math.floor(Date.now() / 1000));
  pm.sendRequest(
    {
      url: pm.variables.get("admin_url") + "/__admin/sales-order/sign",
      method: "POST",
      header: adminHeaders(),
      body: { mode: "raw", raw: JSON.stringify({ client_id: clientId, timestamp: timestamp }) },
    },
    function (err, res) {
      if (err) throw err;
      if (res.code !== 200) throw new Error("the signing endpoint answered " + res.code + ": " + res.text());
      pm.request.headers.upsert({ key: "Authorization", value: "Bearer " + token });
      pm.request.headers.upsert({ key: "X-CLIENT-ID", value: clientId });
      pm.request.headers.upsert({ key: "X-TIMESTAMP", value: timestamp });
      pm.request.headers.upsert({ key: "X-SIGNATURE", value: res.json().signature });
    }
  );
}

if (signed) {
  const token = pm.environment.get("token");
  const expiredAt = Number(pm.environment.get("token_expired_at") || 0);
  if (token && expiredAt > Date.now() / 1000 + 60) {
    sign(token);
  } else {
    pm.sendRequest(
      {
        url: pm.variables.get("base_url") + "/api/v1/auth/login",
        method: "POST",
        header: { "Content-Type": "application/json" },
        body: {
          mode: "raw",
          raw: JSON.stringify({ client_id: pm.variables.get("client_id"), client_secret: pm.variables.get("client_secret") }),
        },
      },
      function (err, res) {
        if (err) throw err;
        if (res.code !== 200) throw new Error("login answered " + res.code + ": " + res.text());
        const body = res.json();
        pm.environment.set("token", body.token);
        pm.environment.set("token_expired_at", String(body.expired_at));
        sign(body.token);
      }
    );
  }
}
