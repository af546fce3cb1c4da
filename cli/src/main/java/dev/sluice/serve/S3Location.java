package dev.sluice.serve;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code s3://bucket/prefix}: the bucket of an {@link S3Store} and the prefix of every key it writes there, empty or
 * ending in {@code /}, so several servers (or a server and other data) can share a bucket.
 */
record S3Location(String bucket, String prefix) {

    private static final String SCHEME = "s3://";
    /** S3's rules for a bucket name, which S3-compatible servers follow. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    S3Location {
        if (!BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("serve.files: '" + bucket + "' is not a bucket name (3 to 63 lower-case "
                    + "letters, digits, dots and hyphens)");
        }
        if (prefix.startsWith("/") || prefix.contains("//")) {
            throw new IllegalArgumentException("serve.files: the prefix '" + prefix + "' has an empty part");
        }
        prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    /** The location {@code files} names, or empty when it names a folder. */
    static Optional<S3Location> of(String files) {
        if (!files.startsWith(SCHEME)) {
            return Optional.empty();
        }
        String path = files.substring(SCHEME.length());
        int slash = path.indexOf('/');
        return Optional.of(slash < 0 ? new S3Location(path, "")
                : new S3Location(path.substring(0, slash), path.substring(slash + 1)));
    }

    @Override
    public String toString() {
        return SCHEME + bucket + "/" + prefix;
    }
}
