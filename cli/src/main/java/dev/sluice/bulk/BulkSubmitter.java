package dev.sluice.bulk;

import dev.sluice.bulk.BulkRequests.RunSpec;
import dev.sluice.bulk.BulkRequests.Scan;
import dev.sluice.config.SluiceConfig;
import dev.sluice.intake.IntakeLimits;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.ModelAvailability;
import dev.sluice.routing.RouteDecision;
import dev.sluice.routing.Router;
import dev.sluice.run.Attempts;
import dev.sluice.schema.GenerationParams;
import dev.sluice.schema.PromptBatch;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import dev.sluice.schema.Task;
import dev.sluice.terminal.TopicReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Submits a bulk run: reads its input, renders its prompts, splits documents too long for the model the router
 * picks for the run, and publishes its requests. The input is read twice ({@link BulkInput}: JSON Lines a line at a
 * time), so that neither it nor all its requests are held at once: first to check all of it and digest its
 * requests, then to publish them in batches as they are made. A resubmission publishes only those not published
 * before, and retries the items whose latest attempt was rejected for the servers' health ({@link RejectCauses}) as a
 * new attempt ({@link Attempts}). The pipeline learns of the run from its commands first: validating, then submitted
 * (with its size, deadline and the digest of its requests), or invalid; and of a retry from a retry command naming
 * its items.
 */
public final class BulkSubmitter {

    /**
     * Run ids become request ids and topic keys: plain characters, and room for the item number after them; no
     * {@code #} or {@code ~}, which separate the item and the attempt. An underscore is plain: OpenAI's batch ids are
     * {@code batch_<hex>}.
     */
    public static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");

    /**
     * The most items of a submission that sets no lower limit: far beyond an OpenAI batch's 50,000, and a bound on
     * what checking an input keeps (its ids).
     */
    public static final int DEFAULT_MAX_ITEMS = 1_000_000;

    /** Items named by one retry command, so that a large retry stays far within a record's limit. */
    static final int RETRIED_PER_COMMAND = 10_000;

    /** What a run does with each item's text. */
    public enum Kind {
        translate(Task.TRANSLATE), summarize(Task.SUMMARIZE), custom(Task.CHAT);

        final Task task;

        Kind(Task task) {
            this.task = task;
        }
    }

    /**
     * A submission.
     *
     * @param template a prompt template file, or null for the shipped one (none for custom runs)
     * @param column CSV: the text's column, or null for {@code text}
     * @param idColumn CSV: the id's column, or null
     * @param maxTokens tokens per answer, or null for the pipeline's default
     * @param deadline how long the run may take from its first submission
     * @param batchSize requests per published PromptBatch, at most the intake's limit
     * @param endpoint the OpenAI endpoint every JSON line must name in its url (a batch's), or null for either or none
     *     ({@link BulkInput.Rules})
     * @param maxItems the most items the input may have, such as {@link #DEFAULT_MAX_ITEMS}
     */
    public record Options(Path input, Kind kind, String runId, String tenant, String sourceLang, String targetLang,
            Path template, String column, String idColumn, Integer maxTokens, Duration deadline, int batchSize,
            String endpoint, int maxItems) {

        /** What the input must be beyond any input; throws if the endpoint or the most items cannot be. */
        BulkInput.Rules inputRules() {
            return new BulkInput.Rules(endpoint, maxItems);
        }
    }

    /**
     * What a submission did.
     *
     * @param error why the submission was refused, or null when it was published
     * @param invalid the input itself was at fault (the run has failed), not the run id or a resubmission
     * @param problems what is wrong with the input when it is invalid, else empty
     * @param items items in the input
     * @param requests requests they became
     * @param published requests published now (on a resubmission, those not published before)
     * @param retried items retried now, as attempt {@code attempt}
     * @param attempt the retry's attempt, 0 when nothing was retried
     */
    public record Result(String error, boolean invalid, List<Problem> problems, int items, int requests,
            int published, int retried, int attempt) {

        public Result {
            problems = List.copyOf(problems);
        }

        static Result refused(String error) {
            return new Result(error, false, List.of(), 0, 0, 0, 0, 0);
        }

        static Result invalid(List<Problem> problems) {
            return new Result("invalid input: " + InvalidInputException.describe(problems), true, problems, 0, 0, 0,
                    0, 0);
        }

        public String describe(String runId) {
            return error != null ? error : String.format(Locale.ROOT,
                    "run %s: %d items, %d requests; published %d%s%s", runId, items, requests, published,
                    published < requests ? " (" + (requests - published) + " published before)" : "",
                    retried > 0 ? "; retried " + retried + " items rejected for server health, as attempt " + attempt
                            : "");
        }
    }

    /**
     * The items a resubmission retries.
     *
     * @param attempt the attempt, from 1
     * @param items the items' indexes
     */
    private record Retry(int attempt, List<Long> items) {

        static final Retry NONE = new Retry(0, List.of());
    }

    /**
     * A run's requests in the prompts topic.
     *
     * @param requestIds their ids
     * @param attempts the latest attempt published of each item
     */
    private record Published(Set<String> requestIds, Map<Long, Integer> attempts) {

        static final Published NONE = new Published(Set.of(), Map.of());

        int latestAttempt() {
            return attempts.values().stream().max(Comparator.naturalOrder()).orElse(0);
        }
    }

    /**
     * What a publishing pass over the input did.
     *
     * @param published the requests it published
     * @param read what it read, to be what was checked
     */
    private record Pass(int published, Scan read) {}

    private final SluiceConfig settings;
    private final Catalog catalog;
    private final RunPublisher publisher;

    public BulkSubmitter(SluiceConfig settings, Catalog catalog, RunPublisher publisher) {
        this.settings = settings;
        this.catalog = catalog;
        this.publisher = publisher;
    }

    /**
     * Submits the run, or resumes it when {@code existing} (its state as last written) is not null: then only the
     * requests not yet in the prompts topic are published, the items rejected for server health are retried (not
     * once the deadline has passed), and the input must be the one it was first submitted with.
     *
     * @throws IllegalArgumentException when the options' endpoint is none of {@link BulkInput#ENDPOINTS} or their
     *     most items below 1: the caller's mistake, not the input's
     */
    public Result submit(Options options, RunState existing) {
        if (!RUN_ID.matcher(options.runId()).matches()) {
            return Result.refused("run id must match " + RUN_ID.pattern());
        }
        BulkInput.Rules rules = options.inputRules();
        if (!Files.isReadable(options.input())) {
            // Not yet there (an export still being written) is no reason to fail the run id for good.
            return Result.refused("cannot read " + options.input());
        }
        if (existing == null) {
            publisher.send(command(options, RunAction.VALIDATING).build());
        }
        IntakeLimits limits = settings.limits().toIntakeLimits();
        int answerTokens = options.maxTokens() != null ? options.maxTokens() : limits.defaultMaxTokens();
        long deadline = existing != null && existing.getDeadline() != null ? existing.getDeadline()
                : System.currentTimeMillis() + options.deadline().toMillis();
        BulkInput input;
        RunSpec spec;
        Scan checked;
        try {
            input = BulkInput.open(options.input(), options.column(), options.idColumn(), rules);
            PromptTemplate template = options.template() != null ? PromptTemplate.load(options.template())
                    : options.kind() == Kind.custom ? null
                    : PromptTemplate.shipped(options.kind().task, options.sourceLang(), options.targetLang());
            spec = new RunSpec(options.runId(), options.tenant(), options.kind().task, options.sourceLang(),
                    options.targetLang(), template, answerTokens, deadline, chosenContext(options));
            checked = check(options, input, spec, limits.maxRecordBytes());
        } catch (InvalidInputException e) {
            return invalid(options, existing, e.problems());
        } catch (IllegalArgumentException e) {
            return invalid(options, existing, List.of(Problem.of(Problem.INVALID_OPTIONS, e.getMessage())));
        } catch (UncheckedIOException e) {
            return invalid(options, existing, List.of(Problem.of(Problem.UNREADABLE_INPUT, e.getMessage())));
        }
        if (existing != null && existing.getInputDigest() != null
                && !existing.getInputDigest().equals(checked.digest())) {
            return Result.refused("run '" + options.runId() + "' was submitted with other input or options; "
                    + "submit this under another run id");
        }
        Published published = existing == null ? Published.NONE : published(options);
        Retry retry = existing == null ? Retry.NONE : retry(options, existing, published);
        if (!retry.items().isEmpty() && System.currentTimeMillis() >= deadline) {
            return Result.refused("run '" + options.runId() + "' is past its deadline ("
                    + Instant.ofEpochMilli(deadline) + "): its " + retry.items().size() + " items rejected for "
                    + "server health are not retried; submit them as a new run");
        }
        if (existing == null || existing.getTotalItems() == null || !RunStates.FINAL.contains(existing.getStatus())) {
            // An ended run that counts its items was submitted in full; telling it again would only move its last
            // update on. One cancelled before its count (while it was validating) still needs the count to end.
            publisher.send(command(options, RunAction.SUBMITTED).setTotalItems(checked.items()).setDeadline(deadline)
                    .setInputDigest(checked.digest()).build());
        }
        Pass outstanding = publish(options, input, spec,
                request -> published.requestIds().contains(request.getRequestId()) ? null : request);
        if (!outstanding.read().equals(checked)) {
            return changed(options);
        }
        if (!retry.items().isEmpty()) {
            // The tracker reopens the items before their new requests can have outcomes.
            for (int from = 0; from < retry.items().size(); from += RETRIED_PER_COMMAND) {
                publisher.send(command(options, RunAction.RETRY).setAttempt(retry.attempt()).setRetriedItems(
                        retry.items().subList(from, Math.min(from + RETRIED_PER_COMMAND, retry.items().size())))
                        .build());
            }
            Set<Long> retried = Set.copyOf(retry.items());
            Pass again = publish(options, input, spec, request -> !retried.contains(request.getItemIndex()) ? null
                    : PromptRequest.newBuilder(request)
                            .setRequestId(Attempts.requestId(request.getRequestId(), retry.attempt())).build());
            if (!again.read().equals(checked)) {
                return changed(options);
            }
        }
        return new Result(null, false, List.of(), checked.items(), checked.requests(), outstanding.published(),
                retry.items().size(), retry.attempt());
    }

    /**
     * Reads the whole input, publishing nothing: its size and digest, or every problem it has. A record over the
     * intake's limit is rejected whole, with no request the run could count: a request too large to travel even
     * alone fails the input here.
     *
     * @throws InvalidInputException with every problem
     */
    private Scan check(Options options, BulkInput input, RunSpec spec, int maxRecordBytes) {
        Problems problems = new Problems();
        Scan scan = BulkRequests.scan(input, spec, problems, request -> {
            if (publisher.aloneBytes(options.tenant(), options.runId(), request) > maxRecordBytes) {
                problems.add(Problem.of(Problem.REQUEST_TOO_LARGE, "request " + request.getRequestId() + " of item '"
                        + request.getItemId() + "' is larger encoded than limits.max-record-bytes (" + maxRecordBytes
                        + ")"));
            }
        });
        problems.throwIfAny();
        return scan;
    }

    /**
     * Reads the input again, after {@link #check}, and publishes in batches what {@code select} makes of each request:
     * itself, its retry, or null for nothing.
     */
    private Pass publish(Options options, BulkInput input, RunSpec spec, UnaryOperator<PromptRequest> select) {
        IntakeLimits limits = settings.limits().toIntakeLimits();
        RunPublisher.Batches batches = publisher.batches(options.tenant(), options.runId(),
                Math.min(options.batchSize(), limits.maxBatchPrompts()), limits.maxRecordBytes() / 2);
        Scan read = BulkRequests.scan(input, spec, new Problems(), request -> {
            PromptRequest selected = select.apply(request);
            if (selected != null) {
                batches.add(selected);
            }
        });
        batches.finish();
        return new Pass(batches.requests(), read);
    }

    /** The input differs from what was checked and digested: what was published may not be what the run says. */
    private static Result changed(Options options) {
        return Result.refused("the input of run '" + options.runId() + "' changed while it was published; submit it "
                + "as it is now under another run id");
    }

    /** Fails a first submission's run with the problems: a resubmitted run was valid before, and stays as it is. */
    private Result invalid(Options options, RunState existing, List<Problem> problems) {
        if (existing == null) {
            publisher.send(command(options, RunAction.INVALID)
                    .setMessage(InvalidInputException.describe(problems)).build());
        }
        return Result.invalid(problems);
    }

    /**
     * The retry a resubmission makes: the items whose latest committed outcome is a health-caused reject, and which
     * have no later attempt published (one still without an outcome is left alone, as a first attempt is), as the
     * attempt after the latest the run has had.
     */
    private Retry retry(Options options, RunState existing, Published published) {
        RunOutcomes outcomes = RunOutcomes.read(settings.kafka(), options.tenant(), options.runId());
        List<Long> retried = outcomes.retryable().stream()
                .filter(index -> published.attempts().getOrDefault(index, 0) <= outcomes.item(index).attempt())
                .toList();
        if (retried.isEmpty()) {
            return Retry.NONE;
        }
        return new Retry(Math.max(existing.getAttempt(), published.latestAttempt()) + 1, retried);
    }

    /**
     * The run's requests in the prompts topic now. A request published before is left alone whether or not it has
     * an outcome yet: in a backlog it may reach the job after the dedupe window, and a copy would then be served too.
     */
    private Published published(Options options) {
        Set<String> ids = new HashSet<>();
        Map<Long, Integer> attempts = new HashMap<>();
        try (TopicReader<PromptBatch> prompts =
                TopicReader.ofType(settings.kafka(), settings.kafka().topics().of(options.tenant()).prompts(), PromptBatch.getClassSchema())) {
            prompts.readToEnd(batch -> {
                if (options.runId().equals(batch.getRunId()) && options.tenant().equals(batch.getTenant())) {
                    batch.getRequests().forEach(request -> {
                        ids.add(request.getRequestId());
                        attempts.merge(request.getItemIndex(), Attempts.of(request.getRequestId()), Math::max);
                    });
                }
            });
        }
        return new Published(ids, attempts);
    }

    /**
     * The context window of the model the router picks for this run's requests now, so documents are split to
     * fit it. A run no model may serve for its tenant fails validation here, not item by item.
     */
    public int chosenContext(Options options) {
        int answerTokens = options.maxTokens() != null ? options.maxTokens()
                : settings.limits().toIntakeLimits().defaultMaxTokens();
        PromptRequest probe = PromptRequest.newBuilder().setRequestId(options.runId() + "#probe")
                .setTenant(options.tenant()).setTask(options.kind().task).setPrompt("probe")
                .setSourceLanguage(options.sourceLang()).setTargetLanguage(options.targetLang())
                .setParams(GenerationParams.newBuilder().setMaxTokens(answerTokens).build()).build();
        RouteDecision decision = new Router(catalog, ModelAvailability.allUp(), answerTokens).route(probe);
        if (!decision.isRouted()) {
            throw new InvalidInputException(Problem.of(Problem.NO_MODEL, "no model serves this run for tenant '"
                    + options.tenant() + "': " + decision.because()));
        }
        return decision.chosen().context();
    }

    private static RunCommand.Builder command(Options options, RunAction action) {
        return RunCommand.newBuilder().setRunId(options.runId()).setTenant(options.tenant()).setAction(action)
                .setIssuedAt(System.currentTimeMillis());
    }
}
