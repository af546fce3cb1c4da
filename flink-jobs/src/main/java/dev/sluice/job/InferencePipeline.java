package dev.sluice.job;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.Tenancy;
import dev.sluice.config.Topics;
import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogGate;
import dev.sluice.routing.CatalogUpdateRules;
import dev.sluice.run.RunEvent;
import dev.sluice.run.RunKeys;
import dev.sluice.run.RunTracker;
import dev.sluice.schema.Completion;
import dev.sluice.schema.DeadLetter;
import dev.sluice.schema.InferenceMetric;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Reject;
import dev.sluice.schema.RunCommand;
import dev.sluice.schema.RunState;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The {@code inference-pipeline} job: prompts topic → decode and validate → drop duplicates (keyed by tenant and
 * request id) → drop the requests of cancelled bulk runs (broadcast from the run commands topic) → route (licence
 * policy and model selection, with the catalog as broadcast state from the catalog topic) → async inference →
 * completions, metrics and rejects topics; and each bulk run's state, from its commands and its requests' outcomes,
 * to the compacted runs topic. Every output is written exactly once through Kafka transactions.
 *
 * <pre>{@code
 * InferencePipeline pipeline = new InferencePipeline(config, Catalog.load(catalogFile));
 * pipeline.attach(pipeline.source(env));
 * env.execute(InferencePipeline.JOB_NAME);
 * }</pre>
 */
public final class InferencePipeline {

    public static final String JOB_NAME = "inference-pipeline";
    /** How soon the job reads a new tenant's prompts topic in {@code tenancy: topic}. */
    static final Duration TENANT_DISCOVERY_INTERVAL = Duration.ofSeconds(10);

    private final SluiceConfig config;
    private final CatalogGate catalogGate;
    private final Topics topics;

    /** With the catalog topic off: {@code catalog} is the only one, as without a {@code control-plane.public-key}. */
    public InferencePipeline(SluiceConfig config, Catalog catalog) {
        this(config, catalog, null);
    }

    /**
     * {@code catalog} is in force until a newer one, signed with the private key of {@code catalogKey} and within
     * {@link CatalogUpdateRules}, arrives on the catalog topic; a null key turns the topic off.
     */
    public InferencePipeline(SluiceConfig config, Catalog catalog, PublicKey catalogKey) {
        this.config = config;
        this.catalogGate = new CatalogGate(catalogKey,
                new CatalogUpdateRules(catalog, Set.copyOf(config.controlPlane().allowedEndpoints())));
        this.topics = config.kafka().topics();
    }

    /** Applies the job's parallelism and checkpointing ({@link Checkpointing}) to {@code env}. */
    public void configure(StreamExecutionEnvironment env) {
        env.setParallelism(config.job().parallelism());
        Checkpointing.configure(env, config.job());
    }

    /**
     * Prompt records, starting where the job's consumer group left off: from the prompts topic, or in
     * {@code tenancy: topic} from every tenant's, found by pattern so that a tenant added later needs no restart.
     */
    public DataStream<SourceRecord> source(StreamExecutionEnvironment env) {
        KafkaSource<SourceRecord> source = subscribed(KafkaSource.<SourceRecord>builder(), topics, topics.prompts(),
                        topics.tenantPrompts())
                .setBootstrapServers(config.kafka().bootstrapServers())
                .setGroupId(topics.prefix() + "-" + JOB_NAME)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new SourceRecordDeserializer())
                .setProperties(config.kafka().clientProperties())
                // Producers may write transactionally: never read what they abort.
                .setProperty("isolation.level", "read_committed")
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "prompts").uid("prompts-source");
    }

    /** Wires everything after the source. */
    public void attach(DataStream<SourceRecord> records) {
        // A local, so that the sinks' functions capture the topics and not this (unserializable) pipeline.
        Topics topics = this.topics;
        SingleOutputStreamOperator<PromptRequest> requests = records
                .process(new DecodeFunction(config.limits().toIntakeLimits(), topics,
                        config.kafka().registry().orElse(null)))
                .uid("decode").name("decode and validate");
        SingleOutputStreamOperator<PromptRequest> unique = requests
                .keyBy(DedupeFunction::key, Types.STRING)
                .process(new DedupeFunction(config.limits().dedupeWindow()))
                .uid("dedupe").name("drop duplicate requests");
        StreamExecutionEnvironment env = records.getExecutionEnvironment();
        DataStream<RunCommand> commands = runCommands(env);
        SingleOutputStreamOperator<PromptRequest> live = unique
                .connect(commands.broadcast(CancelledRunFilter.CANCELLED_RUNS))
                .process(new CancelledRunFilter())
                .uid("cancelled-runs").name("drop requests of cancelled runs");
        DataStream<String> catalogDocuments = catalogUpdates(env);
        SingleOutputStreamOperator<PromptRequest> withinBudget = withinBudgets(live, catalogDocuments, commands);
        BroadcastStream<String> catalogs = catalogDocuments.broadcast(RouteFunction.CATALOG);
        SingleOutputStreamOperator<RoutedRequest> routed = withinBudget.connect(catalogs)
                .process(new RouteFunction(catalogGate, config))
                .uid("route").name("route: licence policy and model selection");
        DataStream<InferenceOutcome> outcomes = AsyncDataStream
                .unorderedWait(routed, new InferenceFunction(config),
                        InferenceFunction.longestHold(config).toMillis() + 1_000, TimeUnit.MILLISECONDS,
                        config.job().maxInFlight())
                .uid("infer").name("infer")
                .union(routed.getSideOutput(RouteFunction.REFUSED));
        SingleOutputStreamOperator<Completion> completions = outcomes
                .process(new OutcomeSplitter()).uid("split").name("split outcomes");

        completions
                .sinkTo(sink(c -> topics.of(c.getTenant()).completions(), "completions", c -> outputKey(c.getTenant(), c.getRequestId()),
                        Completion.getClassSchema()))
                .uid("completions-sink").name("completions");
        completions.getSideOutput(OutcomeSplitter.METRICS)
                .sinkTo(sink(m -> topics.of(m.getTenant()).metrics(), "metrics", m -> outputKey(m.getTenant(), m.getRequestId()),
                        InferenceMetric.getClassSchema()))
                .uid("metrics-sink").name("metrics");
        DataStream<Reject> rejects = requests.getSideOutput(DecodeFunction.REJECTS)
                .union(unique.getSideOutput(DedupeFunction.REJECTS), live.getSideOutput(CancelledRunFilter.REJECTS),
                        withinBudget.getSideOutput(TenantLimits.REJECTS),
                        completions.getSideOutput(OutcomeSplitter.REJECTS));
        rejects.sinkTo(sink(reject -> rejectTopic(topics, reject), "rejects", InferencePipeline::rejectKey, Reject.getClassSchema()))
                .uid("rejects-sink").name("rejects");
        trackRuns(commands, completions, rejects);
    }

    /**
     * Requests of tenants within their budgets ({@link TenantLimits}), keyed by tenant with their spend, which is read
     * back from the metrics topic; the budgets come from the catalog in force, and run commands cancel held work.
     */
    private SingleOutputStreamOperator<PromptRequest> withinBudgets(DataStream<PromptRequest> requests,
            DataStream<String> catalogDocuments, DataStream<RunCommand> commands) {
        TypeInformation<Either<PromptRequest, TenantLimits.Spend>> input = TenantLimits.inputType();
        TypeInformation<Either<String, RunCommand>> control = TenantLimits.controlType();
        KafkaSource<Either<DeadLetter, InferenceMetric>> metrics =
                MetricsSource.builder(config, topics.prefix() + "-" + JOB_NAME + "-spend", JOB_NAME).build();
        // Unreadable metrics are the summary job's to report (it keeps them on the dead-letters topic); here they
        // would only be reported twice.
        DataStream<Either<PromptRequest, TenantLimits.Spend>> spend = requests.getExecutionEnvironment()
                .fromSource(metrics, WatermarkStrategy.noWatermarks(), "metrics read back").uid("spend-source")
                .flatMap((Either<DeadLetter, InferenceMetric> read,
                        Collector<Either<PromptRequest, TenantLimits.Spend>> out) -> {
                    if (read.isRight()) {
                        InferenceMetric metric = read.right();
                        out.collect(Either.Right(new TenantLimits.Spend(metric.getTenant(), metric.getEventTime(),
                                (long) metric.getPromptTokens() + metric.getCompletionTokens(),
                                metric.getCost() == null ? 0 : metric.getCost())));
                    }
                })
                .returns(input).uid("spend").name("spend per tenant");
        return requests.map(request -> Either.<PromptRequest, TenantLimits.Spend>Left(request)).returns(input)
                .uid("budget-requests").name("requests")
                .union(spend)
                .keyBy(TenantLimits::tenantOf, Types.STRING)
                .connect(catalogDocuments.map(document -> Either.<String, RunCommand>Left(document)).returns(control)
                        .uid("budget-catalogs").name("catalogs")
                        .union(commands.map(command -> Either.<String, RunCommand>Right(command)).returns(control)
                                .uid("budget-commands").name("run commands"))
                        .broadcast(TenantLimits.CATALOG))
                .process(new TenantLimits(catalogGate, config.limits().toIntakeLimits().defaultMaxTokens()))
                .uid("budgets").name("hold or reject work over budget");
    }

    /** Each bulk run's state, from its commands and the outcomes of its requests, to the compacted runs topic. */
    private void trackRuns(DataStream<RunCommand> commands, DataStream<Completion> completions,
            DataStream<Reject> rejects) {
        Topics topics = this.topics;
        TypeInformation<RunEvent> events = TypeInformation.of(RunEvent.class);
        DataStream<RunEvent> outcomes = completions
                .flatMap((Completion completion, Collector<RunEvent> out) -> emitIfInRun(RunEvent.of(completion), out))
                .returns(events).uid("run-completions").name("completions of bulk runs")
                .union(rejects
                        .flatMap((Reject reject, Collector<RunEvent> out) -> emitIfInRun(RunEvent.of(reject), out))
                        .returns(events).uid("run-rejects").name("rejects of bulk runs"));
        commands.map(RunEvent::of).returns(events).uid("run-commands-events").name("run commands")
                .union(outcomes)
                .keyBy(RunEvent::runKey, Types.STRING)
                .process(new RunTracker()).uid("run-tracker").name("track bulk runs")
                .sinkTo(sink(r -> topics.of(r.getTenant()).runs(), "runs", r -> RunKeys.of(r.getTenant(), r.getRunId()),
                        RunState.getClassSchema()))
                .uid("runs-sink").name("runs");
    }

    private static void emitIfInRun(RunEvent event, Collector<RunEvent> out) {
        if (event != null) {
            out.collect(event);
        }
    }

    /**
     * Accepted catalog documents from the compacted catalog topic, all of them from the start: the last accepted
     * one wins. Checked once, by one subtask, before they are broadcast; refused ones go to the dead-letters topic
     * (again on a fresh start, which reads the topic from the start: a dead letter's key, the record's coordinates,
     * is the same each time).
     */
    private DataStream<String> catalogUpdates(StreamExecutionEnvironment env) {
        KafkaSource<CatalogRecord> source = KafkaSource.<CatalogRecord>builder()
                .setBootstrapServers(config.kafka().bootstrapServers())
                .setTopics(topics.catalog())
                .setGroupId(topics.prefix() + "-" + JOB_NAME + "-catalog")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new CatalogDocumentSchema())
                .setProperties(config.kafka().clientProperties())
                .setProperty("isolation.level", "read_committed")
                .build();
        SingleOutputStreamOperator<String> accepted = env.fromSource(source, WatermarkStrategy.noWatermarks(),
                        "catalog").uid("catalog-source").setParallelism(1)
                .process(new CatalogCheckFunction(catalogGate)).uid("catalog-check")
                .name("check catalog documents: signature, size, update rules").setParallelism(1);
        DeadLetters.sink(accepted.getSideOutput(DeadLetterSplitter.DEAD_LETTERS), "catalog", config, 1);
        return accepted;
    }

    /**
     * Commands about bulk runs from {@code sluice bulk}, where the job's consumer group left off; unreadable ones go
     * to the dead-letters topic.
     */
    private DataStream<RunCommand> runCommands(StreamExecutionEnvironment env) {
        KafkaSource<Either<DeadLetter, RunCommand>> source = subscribed(
                        KafkaSource.<Either<DeadLetter, RunCommand>>builder(), topics, topics.runCommands(),
                        topics.tenantRunCommands())
                .setBootstrapServers(config.kafka().bootstrapServers())
                .setGroupId(topics.prefix() + "-" + JOB_NAME + "-runs")
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                // Run commands come from sluice bulk, which writes single-object Avro whatever the outputs' format.
                .setDeserializer(new AvroRecordDeserializer<>(RunCommand.class, RunCommand.getClassSchema(), JOB_NAME,
                        topics, RunCommand::getTenant, null))
                .setProperties(config.kafka().clientProperties())
                .setProperty("isolation.level", "read_committed")
                .build();
        return DeadLetters.split(env.fromSource(source, WatermarkStrategy.noWatermarks(), "run commands")
                .uid("run-commands-source").setParallelism(1), "run-commands", config);
    }

    /**
     * {@code builder} reading {@code shared}, or in {@code tenancy: topic} every tenant's topic of that kind, found by
     * {@code perTenant} so that a tenant added later needs no restart.
     */
    static <T> KafkaSourceBuilder<T> subscribed(KafkaSourceBuilder<T> builder, Topics topics, String shared,
            Pattern perTenant) {
        return topics.tenancy() == Tenancy.topic
                ? builder.setTopicPattern(perTenant).setProperty("partition.discovery.interval.ms",
                        String.valueOf(TENANT_DISCOVERY_INTERVAL.toMillis()))
                : builder.setTopics(shared);
    }

    /**
     * The key of a request's completion, metric and reject: {@code tenant/request_id}. Request ids are the tenants'
     * own, so two tenants may choose the same one; with the tenant in the key, neither's result can take the
     * other's place in a compacted topic or a keyed consumer's table. Tenants contain no slash (intake rejects it).
     */
    static String outputKey(String tenant, String requestId) {
        return tenant + "/" + requestId;
    }

    /**
     * The tenant's rejects topic. Every reject has its tenant in {@code tenancy: topic}: the topic it was read from
     * names it. In {@code record} mode a record that could not be read has none and goes to the shared topic.
     */
    private static String rejectTopic(Topics topics, Reject reject) {
        return reject.getTenant() == null ? topics.rejects() : topics.of(reject.getTenant()).rejects();
    }

    /** As {@link #outputKey} when the request is known, else the source coordinates, so rejects stay apart. */
    private static String rejectKey(Reject reject) {
        return reject.getRequestId() != null && reject.getTenant() != null
                ? outputKey(reject.getTenant(), reject.getRequestId())
                : reject.getSourceTopic() + "-" + reject.getSourcePartition() + "@" + reject.getSourceOffset();
    }

    /** An exactly-once sink of Avro or JSON records to {@code topic}, with its own transactional id prefix. */
    <T extends SpecificRecordBase> KafkaSink<T> sink(
            String topic, String name, RecordSerializer.KeyOf<T> key, Schema schema) {
        return TransactionalSink.of(config, topic, name, key, schema);
    }

    /** As {@link #sink(String, String, RecordSerializer.KeyOf, Schema)}, each record to the topic it names. */
    private <T extends SpecificRecordBase> KafkaSink<T> sink(
            RecordSerializer.TopicOf<T> topic, String name, RecordSerializer.KeyOf<T> key, Schema schema) {
        return TransactionalSink.of(config, topic, name, key, schema);
    }
}
