package dev.sluice.backend;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Headers a server demands on every call, with secrets taken from environment variables or files at the moment
 * the channel opens: never from the catalog or configuration in clear, and never printed ({@link #toString()}
 * names only where each secret comes from).
 *
 * @param bearerTokenEnv environment variable holding a bearer token, or null
 * @param bearerTokenFile file holding a bearer token, or null
 * @param headers extra headers, name → {@code env:VAR} or {@code file:PATH} (for Triton's restricted protocols,
 *     {@code triton-grpc-protocol-<key>})
 */
public record CallCredentials(String bearerTokenEnv, Path bearerTokenFile, Map<String, String> headers)
        implements Serializable {

    public CallCredentials {
        if (bearerTokenEnv != null && bearerTokenFile != null) {
            throw new IllegalArgumentException("take the bearer token from an environment variable or a file, not both");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        headers.forEach((name, source) -> {
            if (!source.startsWith("env:") && !source.startsWith("file:")) {
                throw new IllegalArgumentException("header '" + name + "' must come from env:VAR or file:PATH");
            }
        });
    }

    public static CallCredentials none() {
        return new CallCredentials(null, null, Map.of());
    }

    /** The header values, secrets resolved now. */
    public Map<String, String> resolve() {
        Map<String, String> resolved = new LinkedHashMap<>();
        if (bearerTokenEnv != null) {
            resolved.put("authorization", "Bearer " + fromEnv(bearerTokenEnv));
        } else if (bearerTokenFile != null) {
            resolved.put("authorization", "Bearer " + fromFile(bearerTokenFile));
        }
        headers.forEach((name, source) -> resolved.put(name, source.startsWith("env:")
                ? fromEnv(source.substring(4)) : fromFile(Path.of(source.substring(5)))));
        return resolved;
    }

    private static String fromEnv(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + variable + " is not set");
        }
        return value.strip();
    }

    private static String fromFile(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secret file " + file, e);
        }
    }

    @Override
    public String toString() {
        return "CallCredentials[bearerToken=" + (bearerTokenEnv != null ? "env:" + bearerTokenEnv
                : bearerTokenFile != null ? "file:" + bearerTokenFile : "none") + ", headers=" + headers + "]";
    }
}
