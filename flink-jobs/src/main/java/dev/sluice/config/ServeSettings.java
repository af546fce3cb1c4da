package dev.sluice.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code sluice serve}: where the OpenAI Files and Batches API listens, where its files live, how large they may be,
 * and which API keys act for which tenant.
 *
 * @param listen {@code host:port} to listen on; default {@code localhost:8089}
 * @param files where uploaded and produced files and the batches' records are kept: a folder, relative to the folder
 *     of {@code sluice.yaml} unless absolute, or {@code s3://bucket/prefix} in S3-compatible object storage (see
 *     {@code s3}); default {@code sluice-files}
 * @param maxFileBytes the largest upload; default 200 MiB, the hosted API's limit for a batch input
 * @param maxBatchLines the most requests in one batch's input; default 50,000, as the hosted API
 * @param fileExpiry how long a file lives when its upload names no {@code expires_after}; default 30 days, as the
 *     hosted API keeps batch files
 * @param apiKeys each key's tenant and the key's SHA-256 in hex: the keys themselves are never stored
 * @param apiKeysFile a file of more such entries, one {@code tenant sha256-hex} per line (a mounted secret),
 *     relative as {@code files}
 * @param pollInterval how often running batches are checked against their runs' state; default 1 s
 * @param s3 how an {@code s3://} {@code files} is reached
 * @param maxTenantBytes the most a tenant's files may hold together, outputs included; an upload beyond it is
 *     refused, so no key can fill the store; default 10 GiB
 */
public record ServeSettings(String listen, String files, Long maxFileBytes, Integer maxBatchLines,
        Duration fileExpiry, List<ApiKey> apiKeys, String apiKeysFile, Duration pollInterval, S3 s3,
        Long maxTenantBytes) implements Serializable {

    /** Tenants name folders of the file store: plain characters only. */
    public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    /**
     * One API key.
     *
     * @param tenant the tenant it acts for
     * @param sha256 the key's SHA-256, 64 lower-case hex digits (from {@code sluice serve keygen})
     */
    public record ApiKey(String tenant, String sha256) implements Serializable {

        public ApiKey {
            if (tenant == null || !TENANT.matcher(tenant).matches()) {
                throw new IllegalArgumentException("serve.api-keys: tenant must match " + TENANT.pattern()
                        + ", got " + tenant);
            }
            if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
                throw new IllegalArgumentException("serve.api-keys: the key of tenant '" + tenant
                        + "' needs its sha256 as 64 lower-case hex digits");
            }
        }
    }

    /**
     * The S3-compatible service of an {@code s3://} {@code files}. Its credentials are never here: they come from the
     * AWS SDK's default chain ({@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, a profile, a web identity
     * token, the instance's role).
     *
     * @param endpoint the service's URL, such as {@code http://minio:9000}; default: AWS S3's own for the region
     * @param region the region requests are signed for; default: the SDK's ({@code AWS_REGION}, the profile)
     * @param pathStyle the bucket in the path ({@code http://host/bucket/key}) rather than in the host name, as most
     *     S3-compatible servers want; default false
     */
    public record S3(String endpoint, String region, Boolean pathStyle) implements Serializable {

        public S3 {
            pathStyle = pathStyle != null && pathStyle;
            if (endpoint != null && !endpoint.matches("https?://[^/\\s]+/?")) {
                throw new IllegalArgumentException("serve.s3.endpoint must be http(s)://host[:port], got '" + endpoint
                        + "'");
            }
        }

        public static S3 ofDefaults() {
            return new S3(null, null, null);
        }
    }

    public ServeSettings {
        listen = listen == null ? "localhost:8089" : listen;
        files = files == null ? "sluice-files" : files;
        maxFileBytes = maxFileBytes == null ? 200L << 20 : maxFileBytes;
        maxBatchLines = maxBatchLines == null ? 50_000 : maxBatchLines;
        fileExpiry = fileExpiry == null ? Duration.ofDays(30) : fileExpiry;
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
        s3 = s3 == null ? S3.ofDefaults() : s3;
        maxTenantBytes = maxTenantBytes == null ? 10L << 30 : maxTenantBytes;
        if (maxFileBytes < 1 || maxBatchLines < 1 || maxTenantBytes < maxFileBytes) {
            throw new IllegalArgumentException("serve.max-file-bytes and serve.max-batch-lines must be positive, and "
                    + "serve.max-tenant-bytes at least serve.max-file-bytes");
        }
        if (fileExpiry.isNegative() || fileExpiry.isZero() || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("serve.file-expiry and serve.poll-interval must be positive");
        }
    }

    public static ServeSettings ofDefaults() {
        return new ServeSettings(null, null, null, null, null, null, null, null, null, null);
    }

    public ServeSettings withListen(String address) {
        return new ServeSettings(address, files, maxFileBytes, maxBatchLines, fileExpiry, apiKeys, apiKeysFile,
                pollInterval, s3, maxTenantBytes);
    }

    public ServeSettings withFiles(String folder) {
        return new ServeSettings(listen, folder, maxFileBytes, maxBatchLines, fileExpiry, apiKeys, apiKeysFile,
                pollInterval, s3, maxTenantBytes);
    }

    public ServeSettings withS3(S3 service) {
        return new ServeSettings(listen, files, maxFileBytes, maxBatchLines, fileExpiry, apiKeys, apiKeysFile,
                pollInterval, service, maxTenantBytes);
    }

    public ServeSettings withApiKeys(List<ApiKey> keys) {
        return new ServeSettings(listen, files, maxFileBytes, maxBatchLines, fileExpiry, keys, apiKeysFile,
                pollInterval, s3, maxTenantBytes);
    }
}
