package dev.sluice.job;

/** The catalog the pipeline's tests route by, here and in the cli module's tests of the whole pipeline. */
final class TestCatalog {

    /**
     * Two deployed models and permissive commercial policies for the tenants the tests use. English work goes to
     * text-model (its MMLU within 3 of chat-model's, at half the parameters) and then chat-model, Japanese work to
     * chat-model (the better Japanese MT-Bench), code to text-model (the only HumanEval).
     */
    static final String DOCUMENT = """
            models:
              - {id: chat-model, family: Test, vendor: Test, origin: US, params-b: 14, context: 32768,
                 license: apache-2.0, commercial: yes, japanese: excellent, capabilities: [chat, tools],
                 benchmarks: {mmlu: 70, japanese-mt-bench: 0.8},
                 benchmark-sources: {mmlu: test, japanese-mt-bench: test},
                 use-cases: [japanese-chat], deployment: {backend: sglang-smg, endpoint: unset}}
              - {id: text-model, family: Test, vendor: Test, origin: US, params-b: 7, context: 32768,
                 license: apache-2.0, commercial: yes, japanese: good, capabilities: [chat, code],
                 benchmarks: {mmlu: 69, humaneval: 60, japanese-mt-bench: 0.6},
                 benchmark-sources: {mmlu: test, humaneval: test, japanese-mt-bench: test},
                 use-cases: [summarize, translate, code],
                 deployment: {backend: triton, endpoint: unset, served-name: text_ensemble, max-batch-size: 16}}
            policies:
              acme: {commercial: true, monthly-active-users: 1000}
              globex: {commercial: true, monthly-active-users: 1000}
              initech: {commercial: true, monthly-active-users: 1000}
            """;

    private TestCatalog() {}
}
