package dev.sluice.serve;

import dev.sluice.bulk.BulkSubmitter;
import dev.sluice.bulk.RunOutcomes;
import dev.sluice.bulk.RunPublisher;
import dev.sluice.bulk.RunResultsWriter;
import dev.sluice.bulk.RunStates;
import dev.sluice.config.SluiceConfig;
import dev.sluice.routing.Catalog;
import dev.sluice.schema.RunAction;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import dev.sluice.schema.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches as bulk runs: a batch's id is its run's id and its tenant the key's, its input file is submitted as the
 * run's input (checked in full first; a bad line fails the batch before anything is published), its progress is
 * the run's state, its cancel is the run's cancel, and once the run ends its results are written to an output and an
 * error file in the Batch API's form. Every batch is kept as a document, so a restarted server carries on with the
 * batches it had: one still validating is submitted again (a resubmission publishes only what is missing), one whose
 * run ended is finalized.
 */
public final class BatchService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchService.class);
    static final Pattern IDS = Pattern.compile("batch_[0-9a-f]{24}");
    /** Expired files are deleted this often: the sweep reads every file's description. */
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    /** A page of a tenant's batches. */
    record Page(List<Batch> batches, boolean hasMore) {}

    /** A batch waiting on its run, by tenant. */
    private record Active(String tenant, String id) {}

    private final SluiceConfig settings;
    private final Catalog catalog;
    private final FileStore files;
    private final Documents<Batch> batches;
    private final RunPublisher publisher;
    private final RunStateFollower runs;
    private final Set<Active> active = ConcurrentHashMap.newKeySet();
    /** Batches whose input is being checked and published: their run's state may not count it all yet. */
    private final Set<Active> submitting = ConcurrentHashMap.newKeySet();
    /** Set once the service stops: a submission cut short by it leaves its batch to be submitted at the next start. */
    private volatile boolean closing;
    private final ExecutorService submissions = Executors.newFixedThreadPool(2, daemon("sluice-serve-submit"));
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            daemon("sluice-serve-poll"));
    private final Object transitions = new Object();
    private final int maxLines;
    private long lastSweep = System.nanoTime() - SWEEP_EVERY.toNanos();

    BatchService(SluiceConfig settings, Catalog catalog, FileStore files, ObjectStore store) {
        this.settings = settings;
        this.catalog = catalog;
        this.files = files;
        this.batches = new Documents<>(store, "batches", Batch.class, Batch::id, IDS);
        this.publisher = new RunPublisher(settings.kafka());
        this.runs = new RunStateFollower(settings.kafka());
        this.maxLines = settings.serve().maxBatchLines();
    }

    /** Carries on with the batches stored before, and follows runs from now on. */
    public void start() {
        for (String tenant : batches.tenants()) {
            for (Batch batch : batches.all(tenant)) {
                if (batch.status() != BatchStatus.VALIDATING && !batch.status().isFinal()) {
                    active.add(new Active(tenant, batch.id()));
                }
                // A submission a stop cut short before the count: cancelled or not, the run needs its items counted.
                if (batch.status() == BatchStatus.VALIDATING
                        || batch.status() == BatchStatus.CANCELLING && batch.requestCounts().total() == 0) {
                    submitLater(tenant, batch.id());
                }
            }
        }
        long every = settings.serve().pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::pollSafely, 0, every, TimeUnit.MILLISECONDS);
    }

    Batch create(String tenant, BatchRequest request) {
        FileObject input = files.find(tenant, request.inputFileId())
                .orElseThrow(() -> ApiException.notFound("File", request.inputFileId()));
        if (!FileObject.BATCH.equals(input.purpose())) {
            throw ApiException.invalid("input_file_id", "file " + input.id() + " has purpose '" + input.purpose()
                    + "', not 'batch'");
        }
        long now = nowSeconds();
        Long outputExpiresAt = request.outputExpiresAfter() == null ? null : now + request.outputExpiresAfter();
        Batch batch = Batch.validating("batch_" + FileStore.randomHex(), request.endpoint(), input.id(),
                request.completionWindow(), now, now + Duration.ofHours(24).toSeconds(), request.metadata(),
                outputExpiresAt);
        batches.save(tenant, batch);
        submitLater(tenant, batch.id());
        return batch;
    }

    private void submitLater(String tenant, String id) {
        Active batch = new Active(tenant, id);
        submitting.add(batch);
        submissions.execute(() -> {
            try {
                submit(tenant, id);
            } finally {
                submitting.remove(batch);
            }
        });
    }

    Batch get(String tenant, String id) {
        return batches.find(tenant, id).orElseThrow(() -> ApiException.notFound("Batch", id));
    }

    /** The tenant's batches, newest first, after batch {@code after}, at most {@code limit}. */
    Page list(String tenant, String after, int limit) {
        List<Batch> all = batches.all(tenant).stream()
                .sorted(Comparator.comparingLong(Batch::createdAt).thenComparing(Batch::id).reversed()).toList();
        int from = after == null ? 0 : all.stream().map(Batch::id).toList().indexOf(after) + 1;
        return new Page(all.subList(Math.min(from, all.size()), Math.min(from + limit, all.size())),
                from + limit < all.size());
    }

    /**
     * Cancels the batch's run: its requests not yet served are dropped and reported cancelled, and the batch ends
     * {@code cancelled} with what was served in its output file. A batch already cancelling is returned as it is.
     */
    Batch cancel(String tenant, String id) {
        synchronized (transitions) {
            Batch batch = get(tenant, id);
            if (batch.status() == BatchStatus.CANCELLING) {
                return batch;
            }
            if (batch.status().isFinal() || batch.status() == BatchStatus.FINALIZING) {
                throw new ApiException(409, "invalid_request_error", "batch_not_cancellable", null,
                        "Cannot cancel a batch with status '" + batch.status().apiName() + "'.");
            }
            publisher.send(RunCommand.newBuilder().setRunId(id).setTenant(tenant).setAction(RunAction.CANCEL)
                    .setIssuedAt(System.currentTimeMillis()).build());
            Batch cancelling = batch.cancelling(nowSeconds());
            batches.save(tenant, cancelling);
            active.add(new Active(tenant, id));
            return cancelling;
        }
    }

    /**
     * Checks the input in full and publishes it as the batch's run, or fails the batch naming each bad line. The
     * submitter reads its input twice, from a local file: the store's own, or a copy that is deleted once submitted.
     */
    private void submit(String tenant, String id) {
        Batch batch = get(tenant, id);
        try {
            Optional<ObjectStore.LocalFile> input = files.find(tenant, batch.inputFileId())
                    .flatMap(file -> files.localFile(tenant, file));
            if (input.isEmpty()) {
                fail(tenant, id, List.of(new Batch.Error("file_not_found", "the input file " + batch.inputFileId()
                        + " was deleted or expired before it was read", null, null)));
                return;
            }
            try (ObjectStore.LocalFile local = input.get()) {
                publish(tenant, batch, local.path());
            }
        } catch (IOException | RuntimeException e) {
            if (closing) {
                // Stopped with the server, not by the batch: the next start submits it again from where it was.
                LOG.info("submitting batch {} of tenant {} stopped with the server", id, tenant);
                return;
            }
            LOG.error("submitting batch {} of tenant {} failed", id, tenant, e);
            fail(tenant, id, List.of(new Batch.Error("server_error", "the batch could not be submitted: "
                    + e.getMessage(), null, null)));
        }
    }

    /** Fails the batch; a cancel while it was validating made it active, and its run's end must not overwrite it. */
    private void fail(String tenant, String id, List<Batch.Error> errors) {
        update(tenant, id, b -> b.failed(errors, nowSeconds()));
        active.remove(new Active(tenant, id));
    }

    private void publish(String tenant, Batch batch, Path input) {
        String id = batch.id();
        try (RunStates states = new RunStates(settings.kafka(), tenant, id)) {
            BulkSubmitter.Result result = new BulkSubmitter(settings, catalog, publisher)
                    .submit(options(tenant, batch, input), states.current().orElse(null));
            if (result.error() != null) {
                List<Batch.Error> errors = result.problems().isEmpty()
                        ? List.of(new Batch.Error("invalid_input", result.error(), null, null))
                        : result.problems().stream().map(p -> new Batch.Error(p.code(), p.message(), null, p.line()))
                                .toList();
                fail(tenant, id, errors);
                return;
            }
            update(tenant, id, b -> b.status() == BatchStatus.VALIDATING ? b.inProgress(result.items(), nowSeconds())
                    : b.progressed(new Batch.RequestCounts(result.items(), 0, 0), b.usage()));
            active.add(new Active(tenant, id));
        }
    }

    private BulkSubmitter.Options options(String tenant, Batch batch, Path input) {
        Duration left = Duration.ofSeconds(Math.max(1, batch.expiresAt() - nowSeconds()));
        return new BulkSubmitter.Options(input, BulkSubmitter.Kind.custom, batch.id(), tenant, null, null, null,
                null, null, null, left, 25, batch.endpoint(), maxLines);
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("following the batches' runs failed; trying again", e);
        }
    }

    /** Moves each batch on with its run: counts and tokens while it runs, its files once it has ended. */
    void poll() {
        active.forEach(batch -> runs.follow(batch.tenant()));
        runs.poll();
        for (Active waiting : List.copyOf(active)) {
            Optional<RunState> state = runs.of(waiting.tenant(), waiting.id());
            if (state.isEmpty() || submitting.contains(waiting)) {
                // A batch cancelled while it is validating ends once its submission has: until then its run's
                // state need not count the items still being published.
                continue;
            }
            RunState run = state.get();
            if (RunStates.FINAL.contains(run.getStatus())) {
                if (countsItsItems(waiting, run)) {
                    finish(waiting, run);
                }
            } else {
                update(waiting.tenant(), waiting.id(), b -> b.progressed(new Batch.RequestCounts(
                        b.requestCounts().total(), run.getDoneItems(), run.getFailedItems() + run.getCancelledItems()),
                        Batch.Usage.of(run.getPromptTokens(), 0, run.getCompletionTokens())));
            }
        }
        if (System.nanoTime() - lastSweep >= SWEEP_EVERY.toNanos()) {
            files.sweep();
            lastSweep = System.nanoTime();
        }
    }

    /**
     * Whether the run's state counts the items the batch published. A cancel read by the pipeline before the
     * submission's count ends the run at once, without it; the count follows, and the state with it comes out within
     * the tracker's update interval. Writing the files before would leave the batch's requests in neither.
     */
    private boolean countsItsItems(Active waiting, RunState run) {
        return run.getTotalItems() != null || get(waiting.tenant(), waiting.id()).requestCounts().total() == 0;
    }

    /** Writes the ended run's output and error files and ends the batch with the run's status. */
    private void finish(Active waiting, RunState run) {
        String tenant = waiting.tenant();
        if (run.getStatus() == RunStatus.FAILED) {
            update(tenant, waiting.id(), b -> b.failed(List.of(new Batch.Error("run_failed", run.getMessage(), null,
                    null)), nowSeconds()));
            active.remove(waiting);
            return;
        }
        Batch batch = update(tenant, waiting.id(), b -> b.finalizing(nowSeconds()));
        BatchStatus ended = run.getStatus() == RunStatus.COMPLETED ? BatchStatus.COMPLETED
                : run.getStatus() == RunStatus.EXPIRED ? BatchStatus.EXPIRED : BatchStatus.CANCELLED;
        try {
            Path output = Files.createTempFile(files.spool(), batch.id(), ".output.jsonl");
            Path errors = Files.createTempFile(files.spool(), batch.id(), ".errors.jsonl");
            try {
                BatchLines lines = new BatchLines(batch.endpoint(), batch.createdAt());
                RunResultsWriter.Summary summary = RunResultsWriter.write(run,
                        RunOutcomes.read(settings.kafka(), tenant, batch.id()), output, errors, lines);
                long now = nowSeconds();
                Long expiresAt = batch.outputExpiresAt() != null ? batch.outputExpiresAt()
                        : now + settings.serve().fileExpiry().toSeconds();
                String outputId = summary.served() == 0 ? null : files.add(tenant, batch.id() + "_output.jsonl",
                        FileObject.BATCH_OUTPUT, now, expiresAt, into -> Files.move(output, into)).id();
                String errorId = summary.errors() == 0 ? null : files.add(tenant, batch.id() + "_error.jsonl",
                        FileObject.BATCH_OUTPUT, now, expiresAt, into -> Files.move(errors, into)).id();
                Batch.RequestCounts counts = new Batch.RequestCounts(summary.items(), summary.served(),
                        summary.errors());
                update(tenant, batch.id(), b -> b.progressed(counts, lines.usage())
                        .ended(ended, nowSeconds(), lines.models(), outputId, errorId));
            } finally {
                Files.deleteIfExists(output);
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the files of batch " + batch.id(), e);
        }
        active.remove(waiting);
    }

    /** Changes a stored batch under the one lock every status change takes; the batch as changed. */
    private Batch update(String tenant, String id, java.util.function.UnaryOperator<Batch> change) {
        synchronized (transitions) {
            Batch current = get(tenant, id);
            Batch changed = change.apply(current);
            if (!changed.equals(current)) {
                batches.save(tenant, changed);
            }
            return changed;
        }
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        closing = true;
        poller.shutdownNow();
        submissions.shutdownNow();
        try {
            poller.awaitTermination(10, TimeUnit.SECONDS);
            submissions.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runs.close();
        publisher.close();
    }
}
