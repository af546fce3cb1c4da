package dev.sluice.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.serde.Truncation;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The HTTP exchanges with a registry: a request out, a JSON object back from a 2xx answer, and every other outcome a
 * {@link RegistryException} with a one-line message. Answers are read up to a cap and parsed strictly (a repeated
 * key is an error, not a silent last-wins), because whatever listens at the registry's address is not trusted.
 */
final class RegistryHttp {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** As Confluent's client: the registry's own type first, plain JSON last. */
    private static final String ACCEPT =
            CONTENT_TYPE + ", application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
    /** How much of an error answer's text a message quotes. */
    private static final int QUOTED_CHARS = 300;
    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final RegistrySettings settings;
    private final int maxResponseBytes;
    private final String authorization;
    private volatile HttpClient client;

    RegistryHttp(RegistrySettings settings, int maxResponseBytes) {
        this.settings = settings;
        this.maxResponseBytes = maxResponseBytes;
        this.authorization = settings.basicAuthUserInfo() == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON object of a 2xx answer to {@code GET path}. */
    JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    /** The JSON object of a 2xx answer to {@code POST path} with {@code body}. */
    JsonNode post(String path, JsonNode body) {
        try {
            return send(request(path).header("Content-Type", CONTENT_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
        } catch (JacksonException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.url() + path))
                .timeout(settings.requestTimeout())
                .header("Accept", ACCEPT);
        return authorization == null ? builder : builder.header("Authorization", authorization);
    }

    private JsonNode send(HttpRequest request) {
        String what = request.method() + " " + request.uri();
        HttpResponse<BoundedBody.Received> response;
        try {
            response = client().send(request, BoundedBody.handler(maxResponseBytes));
        } catch (SSLException e) {
            throw RegistryException.invalid(what + ": TLS failed: " + e.getMessage(), -1, e);
        } catch (IOException e) {
            throw RegistryException.unreachable(what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryException.unreachable(what + ": interrupted", e);
        }
        int status = response.statusCode();
        BoundedBody.Received body = response.body();
        if (status < 200 || status > 299) {
            throw failure(what, status, body);
        }
        if (!body.complete()) {
            throw RegistryException.invalid(what + ": answer longer than " + maxResponseBytes + " bytes", status, null);
        }
        try {
            JsonNode json = JSON.readTree(body.bytes());
            if (json != null && json.isObject()) {
                return json;
            }
        } catch (IOException e) {
            // Reported below, quoting the answer rather than the parser's position.
        }
        throw RegistryException.invalid(what + ": answer is not a JSON object: " + quote(body.bytes()), status, null);
    }

    /**
     * The registry's refusal, with its {@code error_code} and {@code message} when the answer is Confluent's error
     * object, else with the start of whatever it sent.
     */
    private static RegistryException failure(String what, int status, BoundedBody.Received body) {
        String prefix = what + ": HTTP " + status;
        try {
            JsonNode error = body.complete() ? JSON.readTree(body.bytes()) : null;
            if (error != null && error.path("error_code").isInt()) {
                int code = error.get("error_code").intValue();
                return RegistryException.status(prefix + ", error_code " + code + ": "
                        + oneLine(error.path("message").asText("")), status, code);
            }
        } catch (IOException e) {
            // Not Confluent's error object: quoted as text below.
        }
        return RegistryException.status(prefix + ": " + quote(body.bytes()), status, -1);
    }

    private static String quote(byte[] bytes) {
        return oneLine(new String(bytes, StandardCharsets.UTF_8));
    }

    /** Cut short, with line breaks and other control characters made spaces, so a message stays one line. */
    static String oneLine(String text) {
        return Truncation.text(text, QUOTED_CHARS).replaceAll("\\p{Cntrl}", " ");
    }

    private HttpClient client() {
        HttpClient built = client;
        if (built == null) {
            synchronized (this) {
                if (client == null) {
                    client = build();
                }
                built = client;
            }
        }
        return built;
    }

    /**
     * HTTP/1.1 only: the JDK otherwise offers every plain-text request an upgrade to HTTP/2, one more server behaviour
     * to depend on for a handful of small requests. Redirects are not followed, so credentials go nowhere else.
     */
    private HttpClient build() {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.requestTimeout());
        if (settings.trustStore() != null) {
            builder.sslContext(sslContext(settings.trustStore()));
        }
        return builder.build();
    }

    private static SSLContext sslContext(RegistrySettings.TrustStore store) {
        try (InputStream in = Files.newInputStream(Path.of(store.path()))) {
            KeyStore trusted = KeyStore.getInstance(store.type());
            trusted.load(in, store.password() == null ? null : store.password().toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw RegistryException.invalid("cannot read the registry trust store " + store + ": " + e.getMessage(),
                    -1, e);
        }
    }
}
