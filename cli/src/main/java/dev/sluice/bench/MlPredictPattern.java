package dev.sluice.bench;

import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Flink {@code ML_PREDICT}'s request pattern: one call per row, through an {@code AsyncWaitOperator} per subtask whose
 * queue holds {@code table.exec.async-ml-predict.max-concurrent-operations} rows. Rows are dealt round-robin, as a
 * topic's partitions read by source subtasks chained to the predict subtasks, so each subtask runs on its own rows.
 * Unordered, a row leaves the queue when its call completes; ordered, only when every earlier row of its subtask has
 * left, so one slow call holds the slots of the completed calls behind it and no new call starts meanwhile.
 *
 * <p>Offered from one thread; calls complete on any.
 */
final class MlPredictPattern implements Function<GenerationRequest, CompletableFuture<GenerationResult>> {

    /** Flink's {@code AsyncDataStream.OutputMode}, as the option's {@code ORDERED} or {@code ALLOW_UNORDERED} sets it. */
    enum OutputMode { ORDERED, UNORDERED }

    /**
     * One setting of the operator.
     *
     * @param concurrency rows in each subtask's queue, {@code max-concurrent-operations}
     * @param mode the output mode
     */
    record Setting(int concurrency, OutputMode mode) {
        /**
         * Flink 2.x's defaults: 10 rows, and ORDERED ({@code table.exec.async-ml-predict.output-mode}, and the
         * per-query {@code output-mode} of apache/flink's {@code MLPredictRuntimeConfigOptions}: "ORDERED by
         * default"; ALLOW_UNORDERED becomes UNORDERED for ML_PREDICT's insert-only input, in {@code MLPredictUtil}).
         */
        static final Setting DEFAULT = new Setting(10, OutputMode.ORDERED);

        Setting {
            if (concurrency <= 0) {
                throw new IllegalArgumentException("max-concurrent-operations must be positive: " + concurrency);
            }
        }

        /** The run's name: {@code ml_predict_ordered_10}. */
        String client() {
            return "ml_predict_" + mode.name().toLowerCase(Locale.ROOT) + "_" + concurrency;
        }

        /** Each of {@code concurrencies} and the default's, ascending, ordered then unordered. */
        static List<Setting> sweep(List<Integer> concurrencies) {
            return Stream.concat(concurrencies.stream(), Stream.of(DEFAULT.concurrency())).distinct().sorted()
                    .flatMap(c -> Stream.of(OutputMode.values()).map(mode -> new Setting(c, mode))).toList();
        }
    }

    private final List<Subtask> subtasks;
    private int offered;

    /**
     * @param call one row's call to the server
     * @param setting each subtask's queue
     * @param subtasks the operator's parallelism
     */
    MlPredictPattern(Function<GenerationRequest, CompletableFuture<GenerationResult>> call, Setting setting,
            int subtasks) {
        this.subtasks = IntStream.range(0, subtasks).mapToObj(i -> new Subtask(call, setting)).toList();
    }

    @Override
    public CompletableFuture<GenerationResult> apply(GenerationRequest request) {
        return subtasks.get(offered++ % subtasks.size()).offer(request);
    }

    /** One subtask's operator: its input not yet admitted, and its queue. */
    private static final class Subtask {

        private record Row(GenerationRequest request, CompletableFuture<GenerationResult> answer) {}

        private final Function<GenerationRequest, CompletableFuture<GenerationResult>> call;
        private final Setting setting;
        /** Rows waiting for room in the queue: upstream, held back by the operator's backpressure. */
        private final ArrayDeque<Row> input = new ArrayDeque<>();
        /** The queue: calls in flight, and, ordered, completed ones held behind an earlier row. */
        private final ArrayDeque<CompletableFuture<GenerationResult>> queue = new ArrayDeque<>();

        Subtask(Function<GenerationRequest, CompletableFuture<GenerationResult>> call, Setting setting) {
            this.call = call;
            this.setting = setting;
        }

        CompletableFuture<GenerationResult> offer(GenerationRequest request) {
            CompletableFuture<GenerationResult> answer = new CompletableFuture<>();
            synchronized (this) {
                input.add(new Row(request, answer));
            }
            admit();
            return answer;
        }

        /** Emits what the mode lets leave the queue, admits rows into the room that makes, then calls for them. */
        private void admit() {
            List<Row> admitted = new ArrayList<>();
            synchronized (this) {
                if (setting.mode() == OutputMode.ORDERED) {
                    while (!queue.isEmpty() && queue.peek().isDone()) {
                        queue.poll();
                    }
                } else {
                    queue.removeIf(CompletableFuture::isDone);
                }
                while (queue.size() < setting.concurrency() && !input.isEmpty()) {
                    Row row = input.poll();
                    queue.add(row.answer());
                    admitted.add(row);
                }
            }
            // Outside the lock: a call that completes at once re-enters here.
            for (Row row : admitted) {
                call.apply(row.request()).whenComplete((result, failure) -> {
                    if (failure != null) {
                        row.answer().completeExceptionally(failure);
                    } else {
                        row.answer().complete(result);
                    }
                    admit();
                });
            }
        }
    }
}
