package dev.sluice.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Tests for {@link S3Location}. */
class S3LocationTest {

    @Test
    void anS3UriNamesABucketAndAPrefixEndingInASlashAndAnythingElseAFolder() {
        assertThat(S3Location.of("s3://batches/sluice/prod")).contains(new S3Location("batches", "sluice/prod/"));
        assertThat(S3Location.of("s3://batches/sluice/")).contains(new S3Location("batches", "sluice/"));
        assertThat(S3Location.of("s3://batches")).contains(new S3Location("batches", ""));
        assertThat(S3Location.of("s3://batches/").orElseThrow().toString()).isEqualTo("s3://batches/");
        assertThat(S3Location.of("sluice-files")).isEmpty();
        assertThat(S3Location.of("/var/lib/sluice")).isEmpty();
    }

    @Test
    void aBucketS3WouldRefuseOrAnEmptyPartIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> S3Location.of("s3://Batches/x")).hasMessageContaining("serve.files")
                .hasMessageContaining("'Batches' is not a bucket name");
        assertThatThrownBy(() -> S3Location.of("s3://")).hasMessageContaining("is not a bucket name");
        assertThatThrownBy(() -> S3Location.of("s3://batches//x")).hasMessageContaining("empty part");
        assertThatThrownBy(() -> S3Location.of("s3://batches/a//b")).hasMessageContaining("empty part");
    }
}
