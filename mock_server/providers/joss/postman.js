// JOSS: every request signed as JOSS's auth page says (joss.txt and its public auth page).
// The string to sign is these lines joined by "\n", no trailing newline:
//   Client-Id:<Client-Id>
//   Request-Id:<Request-Id>                 a fresh UUID per request (a reused one is 409)
//   Request-Timestamp:<2022-09-22T01:51:00Z> UTC, whole seconds
//   Request-Target:<the path, no scheme, host or query string>
//   Digest:<base64 of the SHA-256 of the body>   only when the request has a body
// Signature: HMACSHA256=<base64 of HMAC-SHA256(client secret, that string)>.
// Postman fills in {{variables}} after this script runs, so the path and body are resolved here
// first: what is signed is what is sent.
// Postman and newman bundle crypto-js; the global CryptoJS is deprecated.
const cryptoJs = require("crypto-js");
const clientId = pm.variables.get("client_id");
const clientSecret = pm.variables.get("client_secret");

const requestId = pm.variables.replaceIn("{{$guid}}");
const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
const target = pm.variables.replaceIn(pm.request.url.getPath());
let body = "";
if (pm.request.body && pm.request.body.mode === "raw") {
  body = pm.variables.replaceIn(pm.request.body.raw || "");
  pm.request.body.raw = body;
}

const lines = [
  "Client-Id:" + clientId,
  "Request-Id:" + requestId,
  "Request-Timestamp:" + timestamp,
  "Request-Target:" + target,
];
if (body) {
  lines.push("Digest:" + cryptoJs.enc.Base64.stringify(cryptoJs.SHA256(cryptoJs.enc.Utf8.parse(body))));
}
const signature = cryptoJs.enc.Base64.stringify(
  cryptoJs.HmacSHA256(cryptoJs.enc.Utf8.parse(lines.join("\n")), cryptoJs.enc.Utf8.parse(clientSecret))
);

pm.request.headers.upsert({ key: "Accept", value: "application/json" });
pm.request.headers.upsert({ key: "Client-Id", value: clientId });
pm.request.headers.upsert({ key: "Request-Id", value: requestId });
pm.request.headers.upsert({ key: "Request-Timestamp", value: timestamp });
pm.request.headers.upsert({ key: "Signature", value: "HMACSHA256=" + signature });
