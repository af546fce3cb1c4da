package dev.sluice.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.KafkaSettings;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import dev.sluice.serde.RecordCodec;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Tests for {@link RunPublisher}. */
class RunPublisherTest {

    private static final KafkaSettings KAFKA = new KafkaSettings("broker:9092", "sluice", "avro", null, Map.of());

    private final MockProducer<String, byte[]> producer =
            new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    private final RunPublisher publisher = new RunPublisher(KAFKA, producer);

    @Test
    void requestsAddedOneByOneAreSentAsTheirListWouldBe() {
        List<PromptRequest> requests = IntStream.range(0, 7).mapToObj(i -> request(i, "x".repeat(10 * i))).toList();
        int maxBytes = (int) requests.stream().mapToLong(r -> publisher.aloneBytes("acme", "run", r)).max()
                .orElseThrow() * 2;

        RunPublisher.Batches batches = publisher.batches("acme", "run", 3, maxBytes);
        requests.forEach(batches::add);
        int sent = batches.finish();
        List<List<String>> added = sentBatches();
        producer.clear();
        int listed = publisher.publish("acme", "run", requests, 3, maxBytes);

        assertThat(sentBatches()).isEqualTo(added);
        assertThat(listed).isEqualTo(sent).isEqualTo(added.size());
        assertThat(added.stream().flatMap(List::stream)).containsExactlyElementsOf(
                requests.stream().map(PromptRequest::getRequestId).toList());
        // No batch over three requests, nor over the bytes of two of the largest: some hold two.
        Map<String, Long> bytes = requests.stream().collect(Collectors.toMap(PromptRequest::getRequestId,
                r -> publisher.aloneBytes("acme", "run", r)));
        assertThat(added).allSatisfy(batch -> assertThat(batch).hasSizeBetween(1, 3))
                .allSatisfy(batch -> assertThat(batch.stream().mapToLong(bytes::get).sum())
                        .isLessThanOrEqualTo(maxBytes))
                .extracting(List::size).contains(2);
    }

    private List<List<String>> sentBatches() {
        RecordCodec<PromptBatch> codec = new RecordCodec<>(PromptBatch.getClassSchema());
        return producer.history().stream().map(ProducerRecord::value).map(codec::decode)
                .map(batch -> batch.getRequests().stream().map(PromptRequest::getRequestId).toList()).toList();
    }

    private static PromptRequest request(int index, String prompt) {
        return PromptRequest.newBuilder().setRequestId("run#" + index).setTenant("acme").setTask(Task.CHAT)
                .setPrompt("p" + prompt).setRunId("run").setItemIndex((long) index).build();
    }
}
