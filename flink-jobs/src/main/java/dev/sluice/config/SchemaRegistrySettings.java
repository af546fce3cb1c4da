package dev.sluice.config;

import dev.sluice.registry.RegistrySettings;
import dev.sluice.registry.SubjectNameStrategy;
import java.io.Serializable;
import java.time.Duration;

/**
 * {@code kafka.schema-registry}: a registry that speaks the Confluent-compatible REST API (Confluent, Apicurio's
 * {@code /apis/ccompat/v7}, Karapace, Redpanda). With it, intake reads records in its framing (magic byte 0, schema
 * id) beside single-object and JSON ones on the same topic, and {@code kafka.output-format: registry} writes outputs
 * in it, registering their schemas on first use.
 *
 * @param url the API's base URL, path prefix included
 * @param basicAuthUserInfo {@code user:password}, as Confluent's {@code basic.auth.user.info}; better an
 *     environment override ({@code SLUICE_KAFKA_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO}) than the file
 * @param trustStore {@code path}, {@code password}, {@code type} (default PKCS12) of the certificates that sign an
 *     {@code https} registry's, where the JVM's default trust store does not
 * @param subjectNameStrategy {@code topic} (default: {@code <topic>-value}), {@code record} or {@code topic-record};
 *     Confluent's class names ({@code TopicNameStrategy}...) are accepted too
 * @param autoRegister whether outputs register their schemas (default true) or only look them up
 * @param requestTimeout for connecting and for each request; default 10 s
 * @param maxSchemaBytes the largest schema accepted from the registry; default 256 KiB
 */
public record SchemaRegistrySettings(String url, String basicAuthUserInfo, RegistrySettings.TrustStore trustStore,
        String subjectNameStrategy, Boolean autoRegister, Duration requestTimeout, Integer maxSchemaBytes)
        implements Serializable {

    /** The client's settings; errors name the key. */
    public RegistrySettings toClientSettings() {
        if (url == null) {
            throw new IllegalArgumentException("kafka.schema-registry.url is required");
        }
        try {
            RegistrySettings.Builder client = RegistrySettings.builder(url).basicAuth(basicAuthUserInfo);
            if (trustStore != null) {
                client.trustStore(trustStore.path(), trustStore.password(), trustStore.type());
            }
            if (subjectNameStrategy != null) {
                client.subjectNameStrategy(SubjectNameStrategy.parse(subjectNameStrategy));
            }
            if (autoRegister != null) {
                client.autoRegister(autoRegister);
            }
            if (requestTimeout != null) {
                client.requestTimeout(requestTimeout);
            }
            if (maxSchemaBytes != null) {
                client.maxSchemaBytes(maxSchemaBytes);
            }
            return client.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kafka.schema-registry: " + e.getMessage(), e);
        }
    }

    /** Without the password and user info: settings get logged. */
    @Override
    public String toString() {
        return "SchemaRegistrySettings[url=" + url + ", basicAuth=" + (basicAuthUserInfo == null ? "none" : "<hidden>")
                + ", trustStore=" + trustStore + ", subjectNameStrategy=" + subjectNameStrategy + ", autoRegister="
                + autoRegister + ", requestTimeout=" + requestTimeout + ", maxSchemaBytes=" + maxSchemaBytes + "]";
    }
}
