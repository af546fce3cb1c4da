package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Tests for {@link Obligations}, over the shipped catalog's models. */
class ObligationsTest {

    @Test
    void llamaAsksForItsPolicyTheUserCeilingTheAttributionAndTheName() {
        assertThat(Obligations.of(model("meta-llama/Llama-3.1-70B-Instruct"))).extracting(o -> o.split(":")[0])
                .containsExactly("MAU>700M", "AUP", "MIL", "NAME", "ATTR");
        assertThat(Obligations.of(model("meta-llama/Llama-3.1-70B-Instruct")))
                .anySatisfy(o -> assertThat(o).startsWith("ATTR: display \"Built with Llama\""));
    }

    @Test
    void eachLicenceGetsItsOwnAttributionAndApacheAsksNothing() {
        assertThat(Obligations.of(model("Qwen/Qwen2.5-72B-Instruct")))
                .anySatisfy(o -> assertThat(o).contains("\"Built with Qwen\""));
        assertThat(Obligations.of(model("CohereLabs/c4ai-command-r-plus-08-2024")))
                .contains("NC: non-commercial use only")
                .anySatisfy(o -> assertThat(o).startsWith("ATTR: credit the licensor"));
        assertThat(Obligations.of(model("Qwen/Qwen2.5-7B-Instruct"))).isEmpty();
    }

    private static CatalogModel model(String id) {
        return RoutingFixtures.SHIPPED.models().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }
}
