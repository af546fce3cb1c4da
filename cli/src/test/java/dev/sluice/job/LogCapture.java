package dev.sluice.job;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything this JVM logs at INFO and above (DEBUG for Kafka's security and config code) while open: broker,
 * Flink and the Kafka clients in its tasks alike, messages and stack traces. The shipped configuration logs only
 * errors, so the levels are lowered for the capture and restored on close.
 */
final class LogCapture extends AbstractAppender implements AutoCloseable {

    private static final String KAFKA_SECURITY = "org.apache.kafka.common.security";
    private static final String KAFKA_CONFIG = "org.apache.kafka.common.config";

    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final Map<LoggerConfig, Level> previousLevels = new HashMap<>();
    private final List<Appender> rootAppenders = new ArrayList<>();

    private LogCapture() {
        super("log-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    static LogCapture open() {
        LogCapture capture = new LogCapture();
        capture.start();
        capture.register();
        return capture;
    }

    private void register() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        for (String name : List.of(KAFKA_SECURITY, KAFKA_CONFIG)) {
            configuration.addLogger(name, new LoggerConfig(name, Level.DEBUG, true));
        }
        // The console keeps the level it had, so the lowered levels reach only this capture.
        LoggerConfig root = configuration.getRootLogger();
        rootAppenders.addAll(root.getAppenders().values());
        for (Appender appender : rootAppenders) {
            root.removeAppender(appender.getName());
            root.addAppender(appender, root.getLevel(), null);
        }
        for (LoggerConfig logger : configuration.getLoggers().values()) {
            previousLevels.put(logger, logger.getLevel());
            if (logger.getLevel().isMoreSpecificThan(Level.INFO)) {
                logger.setLevel(Level.INFO);
            }
        }
        configuration.getRootLogger().addAppender(this, Level.ALL, null);
        context.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder line = new StringBuilder(event.getLoggerName()).append(" - ")
                .append(event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            StringWriter trace = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace);
        }
        lines.add(line.toString());
    }

    /** What was logged so far, one entry per event. */
    List<String> lines() {
        return new ArrayList<>(lines);
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        LoggerConfig root = configuration.getRootLogger();
        root.removeAppender(getName());
        for (Appender appender : rootAppenders) {
            root.removeAppender(appender.getName());
            root.addAppender(appender, null, null);
        }
        previousLevels.forEach(LoggerConfig::setLevel);
        configuration.removeLogger(KAFKA_SECURITY);
        configuration.removeLogger(KAFKA_CONFIG);
        context.updateLoggers();
        stop();
    }
}
