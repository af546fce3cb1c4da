package dev.sluice.job;

import dev.sluice.schema.PromptRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * The current key's held requests, first in first out, in keyed state: each under its sequence number in a map,
 * with the numbers of the first and the next, so taking the head or adding at the tail touches one entry whatever
 * the queue's length (a list state would be read and written whole).
 */
final class HeldRequests {

    static final MapStateDescriptor<Long, PromptRequest> REQUESTS =
            new MapStateDescriptor<>("held-requests", Types.LONG, new AvroTypeInfo<>(PromptRequest.class));

    private final MapState<Long, PromptRequest> requests;
    /** The sequence numbers of the head and of the next to add; head == next when empty. */
    private final ValueState<Tuple2<Long, Long>> ends;

    HeldRequests(RuntimeContext context) {
        requests = context.getMapState(REQUESTS);
        ends = context.getState(new ValueStateDescriptor<>("held-ends", Types.TUPLE(Types.LONG, Types.LONG)));
    }

    void add(PromptRequest request) throws Exception {
        Tuple2<Long, Long> at = ends();
        requests.put(at.f1, request);
        ends.update(Tuple2.of(at.f0, at.f1 + 1));
    }

    /** The head, or null when none is held. */
    PromptRequest peek() throws Exception {
        Tuple2<Long, Long> at = ends();
        return at.f0.equals(at.f1) ? null : requests.get(at.f0);
    }

    /** Takes the head out; the queue must not be empty. */
    PromptRequest poll() throws Exception {
        Tuple2<Long, Long> at = ends();
        PromptRequest head = requests.get(at.f0);
        requests.remove(at.f0);
        if (at.f0 + 1 == at.f1) {
            ends.clear();
        } else {
            ends.update(Tuple2.of(at.f0 + 1, at.f1));
        }
        return head;
    }

    int size() throws Exception {
        Tuple2<Long, Long> at = ends();
        return (int) (at.f1 - at.f0);
    }

    /** Takes out every held request {@code drop} accepts, keeping the others' order; those taken, in order. */
    List<PromptRequest> removeIf(Predicate<PromptRequest> drop) throws Exception {
        List<PromptRequest> kept = new ArrayList<>();
        List<PromptRequest> dropped = new ArrayList<>();
        while (size() > 0) {
            PromptRequest request = poll();
            (drop.test(request) ? dropped : kept).add(request);
        }
        for (PromptRequest request : kept) {
            add(request);
        }
        return dropped;
    }

    private Tuple2<Long, Long> ends() throws Exception {
        Tuple2<Long, Long> at = ends.value();
        return at == null ? Tuple2.of(0L, 0L) : at;
    }
}
