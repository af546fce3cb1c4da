package dev.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Tests for {@link RegistrySettings}. */
class RegistrySettingsTest {

    @Test
    void defaultsAreConfluentsAndATrailingSlashIsDropped() {
        RegistrySettings settings = RegistrySettings.builder("http://registry:8080/apis/ccompat/v7/").build();

        assertThat(settings.url()).isEqualTo(URI.create("http://registry:8080/apis/ccompat/v7"));
        assertThat(settings.basicAuthUserInfo()).isNull();
        assertThat(settings.trustStore()).isNull();
        assertThat(settings.subjectNameStrategy()).isEqualTo(SubjectNameStrategy.TOPIC_NAME);
        assertThat(settings.autoRegister()).isTrue();
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.maxSchemaBytes()).isEqualTo(256 * 1024);
        assertThat(settings.cacheSize()).isEqualTo(1000);
    }

    @Test
    void aUrlIsHttpOrHttpsWithAHostAndNothingElse() {
        assertThatThrownBy(() -> RegistrySettings.builder("ftp://registry").build())
                .hasMessage("a registry url is http:// or https:// and a host: ftp://registry");
        assertThatThrownBy(() -> RegistrySettings.builder("registry:8081").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistrySettings.builder("http://registry?x=1").build())
                .hasMessage("a registry url has no query or fragment: http://registry?x=1");
    }

    @Test
    void credentialsInTheUrlAreRefusedSoTheyAreNotPrintedWithIt() {
        assertThatThrownBy(() -> RegistrySettings.builder("https://alice:secret@registry").build())
                .hasMessage("put registry credentials in basicAuthUserInfo, not in the url");
    }

    @Test
    void basicAuthIsUserColonPassword() {
        assertThat(RegistrySettings.builder("http://r").basicAuth("alice:a:b").build().basicAuthUserInfo())
                .isEqualTo("alice:a:b");
        assertThatThrownBy(() -> RegistrySettings.builder("http://r").basicAuth("alice").build())
                .hasMessage("basic auth user info is user:password");
    }

    @Test
    void aTrustStoreNeedsHttpsAndDefaultsToPkcs12() {
        RegistrySettings settings = RegistrySettings.builder("https://r").trustStore("/certs/ca.p12", "pw", null)
                .build();

        assertThat(settings.trustStore().type()).isEqualTo("PKCS12");
        assertThatThrownBy(() -> RegistrySettings.builder("http://r").trustStore("/certs/ca.p12", null, null).build())
                .hasMessage("a trust store is for an https registry url, not http://r");
    }

    @Test
    void limitsAreChecked() {
        assertThatThrownBy(() -> RegistrySettings.builder("http://r").requestTimeout(Duration.ZERO).build())
                .hasMessage("requestTimeout must be positive: PT0S");
        assertThatThrownBy(() -> RegistrySettings.builder("http://r").maxSchemaBytes(0).build())
                .hasMessage("maxSchemaBytes must be 1 to 16777216: 0");
        assertThatThrownBy(() -> RegistrySettings.builder("http://r").maxSchemaBytes(16 * 1024 * 1024 + 1).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RegistrySettings.builder("http://r").cacheSize(0).build())
                .hasMessage("cacheSize must be 1 or more: 0");
    }

    @Test
    void toStringHidesThePasswords() {
        String text = RegistrySettings.builder("https://r").basicAuth("alice:s3cret")
                .trustStore("/certs/ca.p12", "st0re", null).build().toString();

        assertThat(text).contains("https://r", "basicAuth=<hidden>", "/certs/ca.p12").doesNotContain("s3cret", "st0re",
                "alice");
    }

    @Test
    void settingsSurviveJavaSerializationAsFlinkShipsThem() throws Exception {
        RegistrySettings settings = RegistrySettings.builder("https://r/prefix").basicAuth("alice:s3cret")
                .trustStore("/certs/ca.jks", "st0re", "JKS").subjectNameStrategy(SubjectNameStrategy.RECORD_NAME)
                .autoRegister(false).requestTimeout(Duration.ofMillis(1500)).maxSchemaBytes(4096).cacheSize(7)
                .build();

        assertThat(roundTrip(settings)).isEqualTo(settings);
    }

    static Object roundTrip(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}
