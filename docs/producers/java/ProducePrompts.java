import java.io.File;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends one Avro chat prompt per request id to Sluice's prompts topic, in Avro's single-object encoding.
 *
 * <p>Usage, with kafka-clients and avro on the classpath (Sluice's own jar has both):
 * {@code java -cp cli/target/sluice.jar ProducePrompts.java BOOTSTRAP TOPIC TENANT SCHEMA_FILE REQUEST_ID...}
 * where SCHEMA_FILE is a published PromptRequest version, e.g. schemas/src/main/history/PromptRequest/v3.avsc.
 */
public class ProducePrompts {

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: ProducePrompts BOOTSTRAP TOPIC TENANT SCHEMA_FILE REQUEST_ID...");
            System.exit(2);
        }
        String topic = args[1];
        String tenant = args[2];
        // Generic records from the published file, no generated classes: the schema is data, as for any producer.
        Schema schema = new Schema.Parser().parse(new File(args[3]));
        // Writes C3 01, the schema's CRC-64-AVRO fingerprint (little-endian), then the record: what Sluice reads.
        BinaryMessageEncoder<GenericRecord> encoder = new BinaryMessageEncoder<>(GenericData.get(), schema);
        List<String> requestIds = Arrays.asList(args).subList(4, args.length);

        // Idempotent: a send the client retries after a lost acknowledgement is written once.
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            Future<?>[] sent = new Future<?>[requestIds.size()];
            for (int i = 0; i < sent.length; i++) {
                // The builder fills every field we leave out with its schema default.
                GenericRecord request = new GenericRecordBuilder(schema)
                        .set("request_id", requestIds.get(i)).set("tenant", tenant)
                        .set("task", new GenericData.EnumSymbol(schema.getField("task").schema(), "CHAT"))
                        .set("prompt", "Say thank you in Japanese.").build();
                ByteBuffer encoded = encoder.encode(request);
                byte[] value = new byte[encoded.remaining()];
                encoded.get(value);
                // Sluice ignores the key; tenant/request_id spreads the prompts over partitions.
                sent[i] = producer.send(new ProducerRecord<>(topic, tenant + "/" + requestIds.get(i), value));
            }
            for (Future<?> future : sent) {
                future.get(); // throws if the broker did not acknowledge it
            }
        }
        System.out.println("sent " + requestIds.size() + " Avro prompts to " + topic);
    }
}
