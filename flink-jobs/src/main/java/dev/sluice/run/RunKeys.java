package dev.sluice.run;

/** The key of a bulk run in the runs topics and the job's state: {@code tenant/run_id}, as outputs are keyed. */
public final class RunKeys {

    private RunKeys() {}

    /** Tenants contain no slash (intake rejects it), so the key is unambiguous. */
    public static String of(String tenant, String runId) {
        return tenant + "/" + runId;
    }
}
