package dev.sluice.serve;

import dev.sluice.config.ServeSettings;
import dev.sluice.config.ServeSettings.ApiKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Who a request acts for: its bearer key's tenant. Keys are known only by their SHA-256, from the configuration and
 * an optional secret file, so neither holds a key itself; the tenant is never taken from anything else the caller
 * sends.
 */
public final class ApiKeys {

    /** A key of the hosted API's form, {@code sk-} and 48 random characters; 286 bits. */
    private static final int KEY_BYTES = 36;

    /** A key's digest, decoded once, and its tenant. */
    private record Known(byte[] sha256, String tenant) {}

    private final List<Known> keys;

    ApiKeys(List<ApiKey> keys) {
        this.keys = keys.stream().map(key -> new Known(HexFormat.of().parseHex(key.sha256()), key.tenant())).toList();
    }

    /** The keys of the {@code serve} section and of its keys file, if it names one. */
    public static ApiKeys of(ServeSettings settings, Path keysFile) {
        List<ApiKey> keys = new ArrayList<>(settings.apiKeys());
        if (keysFile != null) {
            keys.addAll(readFile(keysFile));
        }
        return new ApiKeys(keys);
    }

    /** The tenant of the key an {@code Authorization} header bears, if any tenant's. */
    public Optional<String> tenant(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] given = sha256(authorization.substring(7).trim());
        String tenant = null;
        // Every entry is compared, so the time taken says nothing of which one matched.
        for (Known key : keys) {
            if (MessageDigest.isEqual(given, key.sha256()) && tenant == null) {
                tenant = key.tenant();
            }
        }
        return Optional.ofNullable(tenant);
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** A new random key. */
    public static String newKey() {
        byte[] random = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(random);
        return "sk-" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** What the configuration holds of {@code key}. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Lines {@code tenant sha256-hex}; blank lines and {@code #} comments are skipped. */
    private static List<ApiKey> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API keys file " + file, e);
        }
        List<ApiKey> keys = new ArrayList<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 2) {
                throw new IllegalArgumentException(file + " line " + number + ": expected 'tenant sha256-hex'");
            }
            try {
                keys.add(new ApiKey(fields[0], fields[1]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + number + ": " + e.getMessage(), e);
            }
        }
        return keys;
    }
}
