package dev.sluice.serve;

import dev.sluice.config.ServeSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3-compatible bucket under a prefix, through the AWS SDK: a key here is the object's key after the
 * prefix. Content is put from a local file, sent at its known length as it is read, and read back as the response
 * body streams in; an object is replaced whole by each put, as S3 does. Uploads and copies are spooled in a temporary
 * folder of this host, deleted at close. Credentials come from the SDK's default chain, never from the configuration.
 */
final class S3Store implements ObjectStore {

    private final S3Client s3;
    private final S3Location location;
    private final Path spool;

    private S3Store(S3Client s3, S3Location location, Path spool) {
        this.s3 = s3;
        this.location = location;
        this.spool = spool;
    }

    /** Connects to the bucket, and fails now, naming it, if it cannot be reached. */
    static S3Store open(S3Location location, ServeSettings.S3 settings) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .forcePathStyle(settings.pathStyle())
                // Checksums only where S3 requires them: by default the SDK adds a CRC to every put as a trailer of
                // aws-chunked content, and checks one on every get, which S3-compatible servers do not all support.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        if (settings.region() != null) {
            builder.region(Region.of(settings.region()));
        }
        S3Client s3 = null;
        try {
            // Fails without a region: none configured, none in the environment.
            s3 = builder.build();
            s3.headBucket(head -> head.bucket(location.bucket()));
            return new S3Store(s3, location, Files.createTempDirectory("sluice-serve-"));
        } catch (SdkException e) {
            closeIfBuilt(s3);
            throw new IllegalStateException("serve.files: cannot reach " + location + (settings.endpoint() == null
                    ? "" : " at " + settings.endpoint()) + ": " + e.getMessage(), e);
        } catch (IOException e) {
            closeIfBuilt(s3);
            throw new UncheckedIOException("cannot create a spool folder for " + location, e);
        }
    }

    @Override
    public Path spool() {
        return spool;
    }

    @Override
    public void moveIn(Path file, String key) throws IOException {
        try {
            s3.putObject(put -> put.bucket(location.bucket()).key(location.prefix() + key), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failed("put", key, e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public void write(String key, byte[] content) throws IOException {
        try {
            s3.putObject(put -> put.bucket(location.bucket()).key(location.prefix() + key),
                    RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw failed("put", key, e);
        }
    }

    @Override
    public Optional<InputStream> open(String key) throws IOException {
        try {
            return Optional.of(s3.getObject(get -> get.bucket(location.bucket()).key(location.prefix() + key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failed("get", key, e);
        } catch (SdkException e) {
            throw failed("get", key, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(delete -> delete.bucket(location.bucket()).key(location.prefix() + key));
        } catch (SdkException e) {
            throw failed("delete", key, e);
        }
    }

    /** Every page of ListObjectsV2, a thousand keys each, followed by its continuation token. */
    @Override
    public List<String> list(String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object object : s3.listObjectsV2Paginator(list -> list.bucket(location.bucket())
                    .prefix(location.prefix() + prefix)).contents()) {
                keys.add(object.key().substring(location.prefix().length()));
            }
        } catch (SdkException e) {
            throw failed("list", prefix, e);
        }
        return keys;
    }

    private static void closeIfBuilt(S3Client s3) {
        if (s3 != null) {
            s3.close();
        }
    }

    private IOException failed(String action, String key, SdkException e) {
        return new IOException("cannot " + action + " " + location + key + ": " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return location.toString();
    }

    @Override
    public void close() {
        s3.close();
        try (Stream<Path> left = Files.list(spool)) {
            for (Path file : left.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the spool folder " + spool, e);
        }
    }
}
