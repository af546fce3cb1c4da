package dev.sluice.serde;

import java.io.Serializable;
import org.apache.avro.Schema;

/** Writer schemas by the id a schema registry gave them, for records in its framing ({@link RegistryFraming}). */
@FunctionalInterface
public interface SchemaIds extends Serializable {

    /** The schema registered as {@code id}; throws when there is none or the registry cannot say. */
    Schema schemaById(int id);
}
