// Digitalent: the pre-request script of the provider's own doc (digitalent.txt, "4. Postman
// Pre-Request Script Example"), as written. It signs METHOD:urlPath:body:timestamp:requestId
// with HMAC-SHA256 keyed by the client secret and sends standard base64; the sandbox accepts it
// and the URL-safe alphabet the doc's text describes alike. It reads the path and the body as
// they are, before Postman fills in {{variables}}: so this collection's paths and bodies carry
// none (the ids are the seed's).
const clientId = pm.environment.get("client_id");
const clientSecret = pm.environment.get("client_secret");

const method = pm.request.method.toUpperCase();
const urlPath = pm.request.url.getPath(); 
let body = "";
if (pm.request.body && pm.request.body.mode === "raw") {
  body = pm.request.body.raw || "";
}

const timestamp = new Date().toISOString();
const requestId = uuidv4();

const baseString = `${method}:${urlPath}:${body}:${timestamp}:${requestId}`;

let signature = CryptoJS.enc.Base64.stringify(
  CryptoJS.HmacSHA256(
    CryptoJS.enc.Utf8.parse(baseString),
    CryptoJS.enc.Utf8.parse(clientSecret)
  )
);

pm.request.headers.add({ key: "Client-Id", value: clientId });
pm.request.headers.add({ key: "Request-Id", value: requestId });
pm.request.headers.add({ key: "Request-Timestamp", value: timestamp });
pm.request.headers.add({ key: "Signature", value: signature });


function uuidv4() {
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
        const r = (Math.random() * 16) | 0,
            v = c === "x" ? r : (r & 0x3) | 0x8;
        return v.toString(16);
    });
}
