package dev.sluice.routing;

import static dev.sluice.routing.RoutingFixtures.SHIPPED;
import static dev.sluice.routing.RoutingFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tests for {@link LicenseRules}: one row per licence condition, with the model the licence reference names. */
class LicenseRulesTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                // Non-commercial and research-only licences, including the article's wrong "Apache" claims.
                row("mistralai/Mistral-Small-Instruct-2409", policy(), "non-commercial"),
                row("mistralai/Mistral-Small-Instruct-2409", policy().commercial(false), null),
                row("mistralai/Mistral-Large-Instruct-2407", policy(), "non-commercial"),
                row("Qwen/Qwen2.5-3B-Instruct", policy(), "non-commercial"),
                row("Qwen/Qwen2.5-7B-Instruct", policy(), null),
                row("CohereLabs/c4ai-command-r-plus", policy(), "non-commercial"),
                row("CohereLabs/c4ai-command-r-plus-08-2024", policy().commercial(false), null),
                row("mistralai/Mistral-Small-24B-Instruct-2501", policy(), null),
                // MAU thresholds: Llama above 700M, the Qwen License above 100M for commercial use.
                row("meta-llama/Llama-3.1-70B-Instruct", policy().mau(700_000_001L), "700M"),
                row("meta-llama/Llama-3.1-70B-Instruct", policy().mau(700_000_000L), null),
                row("meta-llama/Llama-3.1-70B-Instruct", policy().mau(900_000_000L).vendorLicenses("llama3.1"), null),
                row("Qwen/Qwen2.5-72B-Instruct", policy().mau(100_000_001L), "100M"),
                row("Qwen/Qwen2.5-72B-Instruct", policy().mau(100_000_001L).commercial(false), null),
                row("Qwen/Qwen2.5-72B-Instruct", policy().mau(100_000_001L).vendorLicenses("other/qwen"), null),
                row("Qwen/Qwen2.5-32B-Instruct", policy().mau(900_000_000L), null),
                // Llama 3.2's EU exclusion: multimodal models only, licensees only.
                row("meta-llama/Llama-3.2-11B-Vision-Instruct", policy().eu(true, false), "EU-domiciled"),
                row("meta-llama/Llama-3.2-90B-Vision-Instruct", policy().eu(true, true), null),
                row("meta-llama/Llama-3.2-3B-Instruct", policy().eu(true, false), null),
                // Acceptable-use and flow-down terms must be accepted; Apache and MIT need nothing.
                row("google/gemma-2-9b-it", policy().accepted(), "not accepted the use terms"),
                row("deepseek-ai/DeepSeek-V3", policy().accepted("llama3.1"), "not accepted the use terms"),
                row("deepseek-ai/DeepSeek-V3", policy().accepted("other/deepseek"), null),
                row("microsoft/Phi-3-mini-4k-instruct", policy().accepted(), null),
                // Tenant allow and deny lists, vendors and origins.
                row("meta-llama/Llama-3.1-8B-Instruct", policy().allowed("apache-2.0", "mit"), "not among"),
                row("Qwen/Qwen2.5-7B-Instruct", policy().allowed("apache-2.0"), null),
                row("google/gemma-2-27b-it", policy().denied("gemma"), "denied"),
                row("microsoft/Phi-3-medium-4k-instruct", policy().deniedVendors("Microsoft"), "vendor Microsoft"),
                row("deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct", policy().deniedOrigins("CN"), "origin CN"),
                row("Qwen/Qwen2.5-Coder-32B-Instruct", policy().deniedOrigins("CN"), "origin CN"),
                row("mistralai/Mixtral-8x22B-Instruct-v0.1", policy().deniedOrigins("CN"), null),
                // Outputs used to train other models.
                row("mistralai/Mistral-Large-Instruct-2407", policy().commercial(false).trainsOnOutputs(true, true),
                        "restricts its outputs"),
                row("google/gemma-2-9b-it", policy().trainsOnOutputs(true, false), "derivatives"),
                row("google/gemma-2-9b-it", policy().trainsOnOutputs(true, true), null),
                row("meta-llama/Llama-3.1-8B-Instruct", policy().trainsOnOutputs(true, false), null),
                // Military use.
                row("deepseek-ai/DeepSeek-V3", policy().military(true), "military"),
                row("meta-llama/Llama-3.1-405B-Instruct", policy().military(true), "military"),
                row("Qwen/Qwen2.5-14B-Instruct", policy().military(true), null));
    }

    private static Arguments row(String model, RoutingFixtures.PolicyBuilder policy, String expected) {
        return Arguments.of(model, policy.build(), expected);
    }

    @ParameterizedTest(name = "{0} under {1} → {2}")
    @MethodSource("cases")
    void eachConditionAdmitsOrExcludesWithAReason(String modelId, TenantPolicy policy, String expected) {
        CatalogModel model = SHIPPED.models().stream().filter(m -> m.id().equals(modelId)).findFirst().orElseThrow();

        var violations = LicenseRules.violations(model, policy);

        if (expected == null) {
            assertThat(violations).isEmpty();
        } else {
            assertThat(violations).anySatisfy(reason -> assertThat(reason).contains(expected));
        }
    }
}
