/**
 * Schema registries, through their Confluent-compatible REST API: {@link dev.sluice.serde.RegistryFraming} reads
 * and writes the 5-byte header (magic byte, schema id) before a record's Avro body,
 * {@link dev.sluice.registry.SchemaRegistryClient} turns a writer's schema into that id and an id back into the
 * schema, configured by a serializable {@link dev.sluice.registry.RegistrySettings}, with subjects named by a
 * {@link dev.sluice.registry.SubjectNameStrategy}. Failures are {@link dev.sluice.registry.RegistryException}s.
 * Written on the JDK's HTTP client because Confluent's own client is not on Maven Central.
 */
package dev.sluice.registry;
