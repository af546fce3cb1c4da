package dev.sluice.job;

import dev.sluice.routing.Catalog;
import dev.sluice.routing.CatalogGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog in force for an operator that keeps the newest accepted catalog document in broadcast state: the
 * catalog the job started with until a document is there, else that document, parsed once rather than per record.
 * Not thread-safe: one per subtask.
 */
final class CurrentCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(CurrentCatalog.class);

    private final CatalogGate gate;
    private String parsedText;
    private Catalog parsed;

    CurrentCatalog(CatalogGate gate) {
        this.gate = gate;
    }

    /** The catalog of {@code document}, the newest accepted one in broadcast state (null before any arrived). */
    Catalog of(String document) {
        if (document == null) {
            return gate.startup();
        }
        if (!document.equals(parsedText)) {
            // Accepted once, but restored into a job that may have started with another catalog file, allowlist or
            // key (or none), or a newer Sluice: checked again, and the catalog file rules rather than a stale
            // document, without failing every record or every restore on it.
            CatalogGate.Verdict verdict = gate.recheck(document);
            if (verdict instanceof CatalogGate.Accepted accepted) {
                parsed = accepted.catalog();
            } else if (verdict instanceof CatalogGate.Refused refused) {
                LOG.warn("The catalog in the job's state no longer passes ({}: {}); using the catalog file",
                        refused.reason(), refused.detail());
                parsed = gate.startup();
            }
            parsedText = document;
        }
        return parsed;
    }
}
