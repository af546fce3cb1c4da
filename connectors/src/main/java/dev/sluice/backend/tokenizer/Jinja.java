package dev.sluice.backend.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;

/** Makes the Jinjava engines Sluice renders templates with: chat templates and bulk prompt templates. */
public final class Jinja {

    private Jinja() {}

    /**
     * A Jinjava engine that renders values as written. Jinjava by default renders a value that looks like a template
     * again, so a user's {@code {{ 7 * 7 }}} would reach the model as {@code 49}: nested interpretation is off.
     *
     * <p>Jinjava's expression language loads its parser class through the thread's context class loader. An engine
     * may be made on a callback thread (a failover acquiring another model's gateway), whose context loader can be
     * a finished Flink job's, closed: the class then "could not be instantiated". Jinjava's own loader always can.
     */
    public static Jinjava create() {
        JinjavaConfig config = JinjavaConfig.newBuilder().withNestedInterpretationEnabled(false).build();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Jinjava.class.getClassLoader());
        try {
            return new Jinjava(config);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
