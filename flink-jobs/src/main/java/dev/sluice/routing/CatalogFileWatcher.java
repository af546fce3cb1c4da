package dev.sluice.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a catalog file and hands each new valid version on, typically to {@link CatalogPublisher}, so that an
 * edited {@code catalog.yaml} reaches running pipelines through the catalog topic. A version that does not parse,
 * or that the consumer refuses with an {@link IllegalArgumentException}, is logged and skipped: the catalog in force
 * stays.
 */
public final class CatalogFileWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogFileWatcher.class);

    private final Path file;
    private final Consumer<Catalog> onChange;
    private String lastSeen;

    public CatalogFileWatcher(Path file, Consumer<Catalog> onChange) {
        this.file = file;
        this.onChange = onChange;
    }

    /** Reads the file; passes it on when its content changed and parses. Returns whether it did. */
    public synchronized boolean checkOnce() {
        String content;
        try {
            content = Files.readString(file);
        } catch (IOException e) {
            LOG.warn("Cannot read the catalog {}: {}", file, e.getMessage());
            return false;
        }
        if (content.equals(lastSeen)) {
            return false;
        }
        lastSeen = content;
        try {
            onChange.accept(Catalog.parse(content, file.toString()));
            return true;
        } catch (IllegalArgumentException e) {
            // It does not parse, or the publisher refuses it (the job would): the catalog in force stays.
            LOG.warn("Not publishing the edited catalog: {}", e.getMessage());
            return false;
        }
    }

    /** Checks every {@code periodMillis} on a daemon thread until the JVM ends. */
    public Thread start(long periodMillis) {
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                checkOnce();
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "catalog-file-watcher");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
