package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.GenerationRequest;
import dev.sluice.backend.GenerationResult;
import dev.sluice.bench.MlPredictPattern.OutputMode;
import dev.sluice.bench.MlPredictPattern.Setting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Tests for {@link MlPredictPattern}. */
class MlPredictPatternTest {

    /** Calls that complete when the test says, by prompt id, in the order they were started. */
    private final Map<String, CompletableFuture<GenerationResult>> started = new LinkedHashMap<>();

    private CompletableFuture<GenerationResult> call(GenerationRequest request) {
        CompletableFuture<GenerationResult> answer = new CompletableFuture<>();
        started.put(request.id(), answer);
        return answer;
    }

    private void complete(String id) {
        started.get(id).complete(null);
    }

    private List<CompletableFuture<GenerationResult>> offer(MlPredictPattern pattern, int rows) {
        List<CompletableFuture<GenerationResult>> answers = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            answers.add(pattern.apply(GenerationRequest.of("p" + i, "prompt " + i, 4)));
        }
        return answers;
    }

    @Test
    void unorderedStartsTheNextRowWhenAnyCallCompletes() {
        offer(new MlPredictPattern(this::call, new Setting(2, OutputMode.UNORDERED), 1), 4);
        assertThat(started).containsOnlyKeys("p0", "p1");

        complete("p1");

        assertThat(started).containsOnlyKeys("p0", "p1", "p2");
    }

    @Test
    void orderedHoldsACompletedCallsSlotUntilEveryEarlierRowHasCompleted() {
        offer(new MlPredictPattern(this::call, new Setting(2, OutputMode.ORDERED), 1), 4);

        complete("p1");
        assertThat(started).containsOnlyKeys("p0", "p1");

        complete("p0");
        assertThat(started).containsOnlyKeys("p0", "p1", "p2", "p3");
    }

    @Test
    void rowsAreDealtRoundRobinAndEachSubtaskHasItsOwnQueue() {
        offer(new MlPredictPattern(this::call, new Setting(1, OutputMode.ORDERED), 2), 4);
        assertThat(started).containsOnlyKeys("p0", "p1");

        complete("p1");

        assertThat(started).containsOnlyKeys("p0", "p1", "p3");
    }

    @Test
    void answersFollowTheirCalls() {
        List<CompletableFuture<GenerationResult>> answers =
                offer(new MlPredictPattern(this::call, new Setting(1, OutputMode.UNORDERED), 1), 2);

        started.get("p0").completeExceptionally(new IllegalStateException("down"));
        complete("p1");

        assertThat(answers.get(0)).isCompletedExceptionally();
        assertThat(answers.get(1)).isCompleted();
    }

    @Test
    void theSweepRunsTheDefaultInAnyCaseAscendingOrderedThenUnordered() {
        assertThat(Setting.sweep(List.of(32, 4, 32)).stream().map(Setting::client)).containsExactly(
                "ml_predict_ordered_4", "ml_predict_unordered_4", "ml_predict_ordered_10", "ml_predict_unordered_10",
                "ml_predict_ordered_32", "ml_predict_unordered_32");
        assertThat(Setting.DEFAULT.client()).isEqualTo("ml_predict_ordered_10");
    }
}
