package dev.sluice.registry;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a schema registry is and how to talk to it: everything a {@link SchemaRegistryClient} needs, serializable so
 * that a Flink function can carry it to its task managers. Build one with {@link #builder(String)}.
 *
 * @param url the Confluent-compatible API's base, {@code http} or {@code https}, with any path prefix the server
 *     mounts it under (Apicurio: {@code http://host:8080/apis/ccompat/v7}); a trailing slash is dropped
 * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, as Confluent's
 *     {@code basic.auth.user.info}; null for none
 * @param trustStore the certificates that sign the registry's, for {@code https} with a private CA; null for the
 *     JVM's default trust store
 * @param subjectNameStrategy which subject a topic's schema is registered under; default {@link
 *     SubjectNameStrategy#TOPIC_NAME}
 * @param autoRegister whether a writer registers its schema (default true) or only looks it up, failing when the
 *     registry does not have it
 * @param requestTimeout the longest a connection, and then each request, may take; default 10 s
 * @param maxSchemaBytes the largest schema the client accepts from the registry, in UTF-8 bytes of its JSON;
 *     default 256 KiB, at most 16 MiB
 * @param cacheSize how many schemas by id, and how many ids by subject and schema, the client keeps; default 1000
 */
public record RegistrySettings(
        URI url,
        String basicAuthUserInfo,
        TrustStore trustStore,
        SubjectNameStrategy subjectNameStrategy,
        boolean autoRegister,
        Duration requestTimeout,
        int maxSchemaBytes,
        int cacheSize) implements Serializable {

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_SCHEMA_BYTES = 256 * 1024;
    /** Ample for any schema written by hand, and a bound on what one response may make the client hold. */
    public static final int MAX_SCHEMA_BYTES_CEILING = 16 * 1024 * 1024;
    /** As Confluent's client: its identity map per subject holds 1000 schemas. */
    public static final int DEFAULT_CACHE_SIZE = 1000;

    public RegistrySettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(subjectNameStrategy, "subjectNameStrategy");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("a registry url is http:// or https:// and a host: " + url);
        }
        if (url.getRawUserInfo() != null) {
            // Credentials in the URL would be printed wherever the URL is; they have their own setting.
            throw new IllegalArgumentException("put registry credentials in basicAuthUserInfo, not in the url");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("a registry url has no query or fragment: " + url);
        }
        url = URI.create(url.toString().replaceAll("/+$", ""));
        if (basicAuthUserInfo != null && basicAuthUserInfo.indexOf(':') < 0) {
            throw new IllegalArgumentException("basic auth user info is user:password");
        }
        if (trustStore != null && !scheme.equals("https")) {
            throw new IllegalArgumentException("a trust store is for an https registry url, not " + url);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
        }
        if (maxSchemaBytes < 1 || maxSchemaBytes > MAX_SCHEMA_BYTES_CEILING) {
            throw new IllegalArgumentException(
                    "maxSchemaBytes must be 1 to " + MAX_SCHEMA_BYTES_CEILING + ": " + maxSchemaBytes);
        }
        if (cacheSize < 1) {
            throw new IllegalArgumentException("cacheSize must be 1 or more: " + cacheSize);
        }
    }

    /** Settings for the registry at {@code url}, every other setting at its default until set. */
    public static Builder builder(String url) {
        return new Builder(URI.create(url));
    }

    /** Like the record's own, but with the password and user info left out: settings get logged. */
    @Override
    public String toString() {
        return "RegistrySettings[url=" + url
                + ", basicAuth=" + (basicAuthUserInfo == null ? "none" : "<hidden>")
                + ", trustStore=" + trustStore
                + ", subjectNameStrategy=" + subjectNameStrategy
                + ", autoRegister=" + autoRegister
                + ", requestTimeout=" + requestTimeout
                + ", maxSchemaBytes=" + maxSchemaBytes
                + ", cacheSize=" + cacheSize + "]";
    }

    /**
     * A key store file of trusted certificates. A path, not a {@code java.nio.file.Path}, which is not
     * serializable: the file is read on the machine that makes the first request.
     *
     * @param path the file
     * @param password its password; null when it has none
     * @param type its format, as {@link java.security.KeyStore#getInstance(String)} names it; default PKCS12
     */
    public record TrustStore(String path, String password, String type) implements Serializable {

        public TrustStore {
            Objects.requireNonNull(path, "path");
            type = type == null ? "PKCS12" : type;
        }

        @Override
        public String toString() {
            return "TrustStore[path=" + path + ", type=" + type + "]";
        }
    }

    /** Collects settings; the record's constructor checks them in {@link #build()}. */
    public static final class Builder {

        private final URI url;
        private String basicAuthUserInfo;
        private TrustStore trustStore;
        private SubjectNameStrategy subjectNameStrategy = SubjectNameStrategy.TOPIC_NAME;
        private boolean autoRegister = true;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int maxSchemaBytes = DEFAULT_MAX_SCHEMA_BYTES;
        private int cacheSize = DEFAULT_CACHE_SIZE;

        private Builder(URI url) {
            this.url = url;
        }

        /** {@code user:password} for basic authentication. */
        public Builder basicAuth(String userInfo) {
            this.basicAuthUserInfo = userInfo;
            return this;
        }

        /** Trust the certificates in this key store; {@code type} null for PKCS12. */
        public Builder trustStore(String path, String password, String type) {
            this.trustStore = new TrustStore(path, password, type);
            return this;
        }

        public Builder subjectNameStrategy(SubjectNameStrategy strategy) {
            this.subjectNameStrategy = strategy;
            return this;
        }

        public Builder autoRegister(boolean autoRegister) {
            this.autoRegister = autoRegister;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public Builder maxSchemaBytes(int bytes) {
            this.maxSchemaBytes = bytes;
            return this;
        }

        public Builder cacheSize(int entries) {
            this.cacheSize = entries;
            return this;
        }

        public RegistrySettings build() {
            return new RegistrySettings(url, basicAuthUserInfo, trustStore, subjectNameStrategy, autoRegister,
                    requestTimeout, maxSchemaBytes, cacheSize);
        }
    }
}
