package dev.sluice.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.LimitSettings;
import dev.sluice.prompt.PromptText;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogGate;
import dev.sluice.routing.CatalogKeys;
import dev.sluice.routing.CatalogUpdateRules;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.Priority;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RejectReason;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.Task;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.types.Either;
import org.junit.jupiter.api.Test;

/** Tests for {@link TenantLimits}: budgets and quotas, what passes, what is held or rejected, what a restore keeps. */
class TenantLimitsTest {

    private static final long DAY = 24 * 3600 * 1000L;
    /** Midday, 6 December 2026, UTC. */
    private static final long NOW = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();
    private static final long TOMORROW = Instant.parse("2026-12-07T00:00:00Z").toEpochMilli();

    /** The test pipeline's models, without its policies. */
    private static final String MODELS =
            TestCatalog.DOCUMENT.substring(0, TestCatalog.DOCUMENT.indexOf("policies:"));
    private static final String BUDGETS = MODELS + """
            policies:
              acme: {commercial: true, budget: {period: day, tokens: 100, max-held: 3}}
              globex: {commercial: true}
              initech: {commercial: true, budget: {period: month, cost: 1.0, when-spent: reject}}
              umbrella: {commercial: true, tokens-per-minute: 6000}
            """;
    private static final String RAISED = BUDGETS.replace("tokens: 100", "tokens: 1000");

    /** What a request without its own {@code max_tokens} may use against a quota: the intake's default. */
    private static final int DEFAULT_MAX_TOKENS = LimitSettings.ofDefaults().toIntakeLimits().defaultMaxTokens();
    private static final CatalogGate GATE = new CatalogGate(CatalogKeys.generate().getPublic(),
            new CatalogUpdateRules(Catalog.parse(BUDGETS, "test"), Set.of()));

    @Test
    void aTenantWithinItsBudgetIsServedAndOneOverItHasItsBatchWorkHeldAndItsInteractiveWorkRejected()
            throws Exception {
        try (var harness = harness(null)) {
            harness.processElement1(request("acme", "first", Priority.BATCH), NOW);
            harness.processElement1(spend("acme", NOW - 1000, 100, 0), NOW);
            harness.processElement1(request("acme", "held", Priority.BATCH), NOW);
            harness.processElement1(request("acme", "chat", Priority.INTERACTIVE), NOW);
            harness.processElement1(request("globex", "other", Priority.BATCH), NOW);

            assertThat(passed(harness)).containsExactly("first", "other");
            assertThat(rejects(harness)).singleElement().satisfies(reject -> {
                assertThat(reject.getRequestId()).isEqualTo("chat");
                assertThat(reject.getReason()).isEqualTo(RejectReason.BUDGET_EXCEEDED);
                assertThat(reject.getMessage()).contains("100 tokens a day", "2026-12-07T00:00:00Z",
                        "interactive work is not held");
            });

            harness.setProcessingTime(TOMORROW);
            assertThat(passed(harness)).containsExactly("first", "other", "held");
        }
    }

    @Test
    void spendOfAnEarlierPeriodCountsInNoneAndAPeriodsSpendAddsUp() throws Exception {
        try (var harness = harness(null)) {
            harness.setProcessingTime(NOW);
            harness.processElement1(spend("acme", NOW - DAY, 500, 0), NOW);
            harness.processElement1(spend("acme", NOW, 60, 0), NOW);
            harness.processElement1(request("acme", "under", Priority.BATCH), NOW);
            harness.processElement1(spend("acme", NOW - DAY, 500, 0), NOW);
            harness.processElement1(spend("acme", NOW, 40, 0), NOW);
            harness.processElement1(request("acme", "over", Priority.BATCH), NOW);

            assertThat(passed(harness)).containsExactly("under");
        }
    }

    @Test
    void aRejectPolicyRejectsBatchWorkOnceTheCostIsSpentAndHoldsNothing() throws Exception {
        try (var harness = harness(null)) {
            harness.processElement1(spend("initech", NOW, 10, 0.6), NOW);
            harness.processElement1(request("initech", "a", Priority.BATCH), NOW);
            harness.processElement1(spend("initech", NOW, 10, 0.5), NOW);
            harness.processElement1(request("initech", "b", Priority.BATCH), NOW);

            assertThat(passed(harness)).containsExactly("a");
            assertThat(rejects(harness)).singleElement().satisfies(reject -> {
                assertThat(reject.getRequestId()).isEqualTo("b");
                assertThat(reject.getReason()).isEqualTo(RejectReason.BUDGET_EXCEEDED);
                assertThat(reject.getMessage()).contains("1.00 a month", "2027-01-01T00:00:00Z");
            });
        }
    }

    @Test
    void batchWorkBeyondMaxHeldIsRejected() throws Exception {
        try (var harness = harness(null)) {
            harness.processElement1(spend("acme", NOW, 100, 0), NOW);
            for (int i = 0; i < 5; i++) {
                harness.processElement1(request("acme", "r" + i, Priority.BATCH), NOW);
            }
            assertThat(passed(harness)).isEmpty();
            assertThat(rejects(harness)).extracting(Reject::getRequestId).containsExactly("r3", "r4");
            assertThat(rejects(harness).get(0).getMessage()).contains("3 requests are held already");
        }
    }

    @Test
    void heldWorkAndSpendSurviveARestoreAndALargerBudgetReleasesTheHeldWork() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = harness(null)) {
            harness.processElement1(spend("acme", NOW, 150, 0), NOW);
            harness.processElement1(request("acme", "before", Priority.BATCH), NOW);
            checkpoint = harness.snapshot(1, NOW);
        }
        try (var restored = harness(checkpoint)) {
            restored.setProcessingTime(NOW);
            restored.processElement1(request("acme", "after", Priority.BATCH), NOW);
            assertThat(passed(restored)).isEmpty();

            restored.processElement2(catalog(RAISED), NOW);
            assertThat(passed(restored)).containsExactlyInAnyOrder("before", "after");
            restored.processElement1(request("acme", "next", Priority.BATCH), NOW);
            assertThat(passed(restored)).contains("next");
        }
    }

    @Test
    void cancellingARunRejectsItsHeldRequestsAndKeepsTheOthers() throws Exception {
        try (var harness = harness(null)) {
            harness.processElement1(spend("acme", NOW, 100, 0), NOW);
            harness.processElement1(inRun(request("acme", "run-a-1", Priority.BATCH), "a"), NOW);
            harness.processElement1(inRun(request("acme", "run-b-1", Priority.BATCH), "b"), NOW);
            harness.processElement2(Either.<String, RunCommand>Right(RunCommand.newBuilder().setTenant("acme").setRunId("a")
                    .setAction(RunAction.CANCEL).setIssuedAt(NOW).build()), NOW);

            assertThat(rejects(harness)).singleElement().satisfies(reject -> {
                assertThat(reject.getRequestId()).isEqualTo("run-a-1");
                assertThat(reject.getReason()).isEqualTo(RejectReason.CANCELLED);
            });
            harness.setProcessingTime(TOMORROW);
            assertThat(passed(harness)).containsExactly("run-b-1");
        }
    }

    @Test
    void aQuotaPacesBatchWorkInOrderAndRejectsInteractiveWorkThatFindsItSpent() throws Exception {
        // umbrella may use 6,000 tokens a minute: a full bucket, refilled at 100 a second.
        int each = PromptText.contextNeeded(withMaxTokens(request("umbrella", "b0", Priority.BATCH), 500).left(),
                DEFAULT_MAX_TOKENS);
        int fit = 6_000 / each;
        long nextAfterMillis = (long) Math.ceil((each - (6_000 - fit * each)) * 60_000.0 / 6_000);
        try (var harness = harness(null)) {
            for (int i = 0; i < fit + 3; i++) {
                harness.processElement1(withMaxTokens(request("umbrella", "b" + i, Priority.BATCH), 500), NOW);
            }
            harness.processElement1(withMaxTokens(request("umbrella", "chat", Priority.INTERACTIVE), 500), NOW);
            assertThat(passed(harness)).hasSize(fit).startsWith("b0").endsWith("b" + (fit - 1));
            assertThat(rejects(harness)).singleElement().satisfies(reject -> {
                assertThat(reject.getRequestId()).isEqualTo("chat");
                assertThat(reject.getReason()).isEqualTo(RejectReason.QUOTA_EXCEEDED);
                assertThat(reject.getMessage()).contains("quota of 6000 tokens a minute");
            });

            harness.setProcessingTime(NOW + nextAfterMillis - 10);
            assertThat(passed(harness)).as("not refilled enough for the next yet").hasSize(fit);
            harness.setProcessingTime(NOW + nextAfterMillis + 10);
            assertThat(passed(harness)).hasSize(fit + 1).endsWith("b" + fit);
            harness.setProcessingTime(NOW + 60_000);
            assertThat(passed(harness)).endsWith("b" + fit, "b" + (fit + 1), "b" + (fit + 2));
        }
    }

    @Test
    void aRequestThatMayUseMoreThanAMinutesQuotaIsRejected() throws Exception {
        try (var harness = harness(null)) {
            harness.processElement1(withMaxTokens(request("umbrella", "big", Priority.BATCH), 8_000), NOW);

            assertThat(passed(harness)).isEmpty();
            assertThat(rejects(harness)).singleElement().satisfies(reject -> {
                assertThat(reject.getReason()).isEqualTo(RejectReason.QUOTA_EXCEEDED);
                assertThat(reject.getMessage()).contains("more than tenant 'umbrella' may use in a minute (6000)");
            });
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, Either<PromptRequest, TenantLimits.Spend>,
            Either<String, RunCommand>, PromptRequest> harness(OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new TenantLimits(GATE, DEFAULT_MAX_TOKENS), List.of(TenantLimits.CATALOG)),
                TenantLimits::tenantOf, null, Types.STRING);
        harness.setup();
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        harness.setProcessingTime(NOW);
        return harness;
    }

    private static List<String> passed(KeyedTwoInputStreamOperatorTestHarness<String,
            Either<PromptRequest, TenantLimits.Spend>, Either<String, RunCommand>, PromptRequest> harness) {
        return harness.extractOutputValues().stream().map(PromptRequest::getRequestId).toList();
    }

    private static List<Reject> rejects(KeyedTwoInputStreamOperatorTestHarness<String,
            Either<PromptRequest, TenantLimits.Spend>, Either<String, RunCommand>, PromptRequest> harness) {
        return harness.getSideOutput(TenantLimits.REJECTS).stream().map(StreamRecord::getValue).toList();
    }

    private static Either<PromptRequest, TenantLimits.Spend> request(String tenant, String id, Priority priority) {
        return Either.Left(PromptRequest.newBuilder().setRequestId(id).setTenant(tenant).setTask(Task.SUMMARIZE)
                .setPrompt("Summarise " + id).setPriority(priority).build());
    }

    private static Either<PromptRequest, TenantLimits.Spend> withMaxTokens(
            Either<PromptRequest, TenantLimits.Spend> request, int maxTokens) {
        return Either.Left(PromptRequest.newBuilder(request.left())
                .setParams(GenerationParams.newBuilder().setMaxTokens(maxTokens).build()).build());
    }

    private static Either<PromptRequest, TenantLimits.Spend> inRun(Either<PromptRequest, TenantLimits.Spend> request,
            String runId) {
        return Either.Left(PromptRequest.newBuilder(request.left()).setRunId(runId).setItemIndex(0L).build());
    }

    private static Either<PromptRequest, TenantLimits.Spend> spend(String tenant, long at, long tokens, double cost) {
        return Either.Right(new TenantLimits.Spend(tenant, at, tokens, cost));
    }

    private static Either<String, RunCommand> catalog(String document) {
        return Either.Left(document);
    }
}
