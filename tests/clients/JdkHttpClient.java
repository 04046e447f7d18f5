// A partner's integration as a Java developer writes it: the JDK's own java.net.http.HttpClient
// in its default configuration (HTTP/2 preferred, so on http:// every new connection asks for an
// h2c upgrade and writes headers and body separately). Run as a single-file program:
//   java JdkHttpClient.java SALES_ORDER_URL DIGITALENT_URL SALES_ORDER_PRIVATE_KEY_PEM
// It prints one line per call: "<call> <status> <body>".
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class JdkHttpClient {
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String salesOrder = args[0], digitalent = args[1];
        PrivateKey key = privateKey(Files.readString(Path.of(args[2])));
        String clientId = "partner-client-001";

        HttpResponse<String> login = post(salesOrder + "/api/v1/auth/login",
            "{\"client_id\":\"" + clientId + "\",\"client_secret\":\"secret-key-123\"}", new String[0]);
        report("login", login);
        Matcher token = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(login.body());
        if (!token.find()) return;

        String timestamp = Long.toString(Instant.now().getEpochSecond());
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update((clientId + "|" + timestamp).getBytes(StandardCharsets.UTF_8));
        String order = "{\"customer_code\":\"CUST-001\",\"site_code\":\"SITE-001\","
            + "\"sales_name\":\"John Doe\",\"address\":\"Jl. Sudirman No. 1, Jakarta\","
            + "\"purchase_order_no\":\"PO-JAVA-0001\","
            + "\"products\":[{\"product_code\":\"PRD-001\",\"quantity\":2}]}";
        report("order", post(salesOrder + "/api/v1/sales-orders", order, new String[] {
            "Authorization", "Bearer " + token.group(1),
            "X-CLIENT-ID", clientId,
            "X-TIMESTAMP", timestamp,
            "X-SIGNATURE", Base64.getEncoder().encodeToString(rsa.sign()),
        }));

        // Digitalent: the doc's Postman pre-request script, in Java.
        String path = "/api/public/pelatihan/akademi", body = "{\"id\":1}";
        String requestId = UUID.randomUUID().toString();
        String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("dts-demo-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] digest = mac.doFinal(("POST:" + path + ":" + body + ":" + now + ":" + requestId)
            .getBytes(StandardCharsets.UTF_8));
        report("digitalent", post(digitalent + path, body, new String[] {
            "Client-Id", "dts-demo-client",
            "Request-Id", requestId,
            "Request-Timestamp", now,
            "Signature", Base64.getEncoder().encodeToString(digest),
        }));
    }

    static HttpResponse<String> post(String url, String json, String[] headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void report(String call, HttpResponse<String> response) {
        System.out.println(call + " " + response.statusCode() + " " + response.body());
    }

    static PrivateKey privateKey(String pem) throws Exception {
        String base64 = pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY-----") + 27,
            pem.indexOf("-----END PRIVATE KEY-----")).replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
