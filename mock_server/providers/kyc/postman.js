// SATUSEHAT KYC: an OAuth2 bearer on the KYC endpoints (satusehat-kyc.txt).
// Before a request to /kyc/v1/generate-url or /kyc/v1/challenge-code, the script gets a token
// with the client credentials (POST /oauth2/v1/accesstoken?grant_type=client_credentials, a
// form body) unless the one kept in the environment lives another 30 s, and sends it as
// "Authorization: Bearer <token>". The token request itself and the validation page's calls
// (/kyc/v1/validation-web/...) carry no bearer, as on the real service.
//
// Not encrypted: the doc's encrypted generate-url body is RSA-OAEP + AES-256-GCM, which
// Postman's sandbox cannot compute (CryptoJS has neither). The collection sends the clear JSON
// variant (Content-Type: application/json), which the sandbox answers in clear.
const path = pm.request.url.getPath();
const needsBearer = path.indexOf("/kyc/v1/") === 0 && path.indexOf("/kyc/v1/validation-web/") !== 0;

function sendWithBearer() {
  pm.request.headers.upsert({ key: "Authorization", value: "Bearer " + pm.environment.get("access_token") });
}

if (needsBearer) {
  const expiresAt = Number(pm.environment.get("access_token_expires_at") || 0);
  if (pm.environment.get("access_token") && expiresAt > Date.now() + 30000) {
    sendWithBearer();
  } else {
    pm.sendRequest(
      {
        url: pm.variables.get("base_url") + "/oauth2/v1/accesstoken?grant_type=client_credentials",
        method: "POST",
        header: { "Content-Type": "application/x-www-form-urlencoded" },
        body: {
          mode: "urlencoded",
          urlencoded: [
            { key: "client_id", value: pm.variables.get("client_id") },
            { key: "client_secret", value: pm.variables.get("client_secret") },
          ],
        },
      },
      function (err, res) {
        if (err) throw err;
        if (res.code !== 200) throw new Error("the token request answered " + res.code + ": " + res.text());
        const token = res.json();
        pm.environment.set("access_token", token.access_token);
        pm.environment.set("access_token_expires_at", String(Date.now() + Number(token.expires_in) * 1000));
        sendWithBearer();
      }
    );
  }
}
