package dev.sluice.routing;

import dev.sluice.config.KafkaSettings;
import dev.sluice.config.SluiceConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Signs catalogs with the operator's private key and publishes them to the compacted catalog topic; running
 * pipelines switch to them without a restart. Checks each first as the job will ({@link CatalogUpdateRules}), so a
 * catalog the job would refuse is refused here, with the reason, instead of only counted there.
 *
 * <pre>{@code
 * CatalogPublisher publisher = CatalogPublisher.forJob(config, configFile, Path.of("catalog-signing.key"));
 * publisher.publish(Catalog.load(Path.of("catalog.yaml")));
 * }</pre>
 */
public final class CatalogPublisher {

    /** The one key of the catalog topic: compaction keeps only the latest document. */
    public static final String KEY = "catalog";

    private final KafkaSettings kafka;
    private final PrivateKey key;
    private final CatalogUpdateRules rules;

    /** Publishes to {@code kafka}, signing with {@code key}, what {@code rules} allow. */
    public CatalogPublisher(KafkaSettings kafka, PrivateKey key, CatalogUpdateRules rules) {
        this.kafka = kafka;
        this.key = key;
        this.rules = rules;
    }

    /**
     * A publisher for the job that {@code config} (read from {@code configFile}) starts: its catalog file and
     * allowlist are the rules, and {@code privateKey} must pair with its {@code control-plane.public-key}.
     */
    public static CatalogPublisher forJob(SluiceConfig config, Path configFile, Path privateKey) {
        Path publicFile = config.catalogPublicKeyPath(configFile).orElseThrow(() -> new IllegalArgumentException(
                "control-plane.public-key is not set in " + configFile + ": the job would refuse every document"));
        PublicKey publicKey = CatalogKeys.readPublic(publicFile);
        PrivateKey signing = CatalogKeys.readPrivate(privateKey);
        byte[] probe = "sluice catalog key check".getBytes(StandardCharsets.US_ASCII);
        if (!CatalogSignature.verifies(publicKey, probe, CatalogSignature.sign(signing, probe))) {
            throw new IllegalArgumentException(privateKey + " does not pair with control-plane.public-key "
                    + publicFile + ": the job would refuse its signatures");
        }
        return new CatalogPublisher(config.kafka(), signing, new CatalogUpdateRules(
                Catalog.load(config.catalogPath(configFile)), Set.copyOf(config.controlPlane().allowedEndpoints())));
    }

    /**
     * Checks, signs and publishes {@code catalog}.
     *
     * @throws IllegalArgumentException when the job would refuse it, saying why
     */
    public void publish(Catalog catalog) {
        rules.refusal(catalog).ifPresent(why -> {
            throw new IllegalArgumentException("the job would refuse this catalog: " + why);
        });
        byte[] document = catalog.toYaml().getBytes(StandardCharsets.UTF_8);
        if (document.length > CatalogGate.MAX_DOCUMENT_BYTES) {
            throw new IllegalArgumentException("the catalog is " + document.length + " bytes as YAML; the job reads "
                    + "at most " + CatalogGate.MAX_DOCUMENT_BYTES);
        }
        String topic = kafka.topics().catalog();
        Properties properties = kafka.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, KEY, document);
        record.headers().add(CatalogSignature.HEADER, CatalogSignature.sign(key, document));
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing the catalog to " + topic + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the catalog", e);
        }
    }
}
