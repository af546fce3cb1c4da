package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ModelDeployment;
import dev.sluice.schema.PromptRequest;
import dev.sluice.schema.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests for {@link StaticRouter}. */
class StaticRouterTest {

    private final List<ModelDeployment> models = List.of(
            ModelDeployment.triton("coder", "h:1", "coder", 8),
            ModelDeployment.triton("general", "h:1", "general", 8));

    @Test
    void aTaskWithItsOwnRouteGoesThere() {
        StaticRouter router = new StaticRouter(models, Map.of("code", "coder", "default", "general"));

        Route route = router.route(request(Task.CODE)).orElseThrow();

        assertThat(route.model().id()).isEqualTo("coder");
        assertThat(route.explanation().getChosenBecause()).contains("task 'code'").contains("coder");
    }

    @Test
    void otherTasksTakeTheDefaultRoute() {
        StaticRouter router = new StaticRouter(models, Map.of("code", "coder", "default", "general"));

        assertThat(router.route(request(Task.SUMMARIZE)).orElseThrow().model().id()).isEqualTo("general");
    }

    @Test
    void withoutADefaultAnUnlistedTaskHasNoRoute() {
        StaticRouter router = new StaticRouter(models, Map.of("code", "coder"));

        assertThat(router.route(request(Task.CHAT))).isEmpty();
    }

    private static PromptRequest request(Task task) {
        return PromptRequest.newBuilder().setRequestId("r").setTenant("t").setTask(task).setPrompt("p").build();
    }
}
