package dev.sluice.job;

import dev.sluice.routing.CatalogSignature;

/**
 * A record of the catalog topic as it arrived, not yet trusted: checked by {@link CatalogCheckFunction}.
 *
 * @param document the record's value, the catalog's YAML
 * @param signature its {@value CatalogSignature#HEADER} header (the last one, if repeated), or null
 * @param source where it lies in the topic, for the logs and a refused document's dead letter
 */
record CatalogRecord(byte[] document, byte[] signature, RecordSource source) {}
