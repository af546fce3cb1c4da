package dev.sluice.serve;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Function;

/**
 * The API's JSON: snake_case names and explicit nulls, as the hosted API writes its objects, so that clients find
 * every field they expect whether or not it is set.
 */
final class ApiJson {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ApiJson() {}

    /**
     * A page of a list: {@code object: list}, the items, the first and last ids and whether more follow, as the
     * hosted API pages files and batches.
     */
    static <T> ObjectNode page(List<T> items, boolean hasMore, Function<T, String> id) {
        ObjectNode page = MAPPER.createObjectNode();
        page.put("object", "list");
        ArrayNode data = page.putArray("data");
        items.forEach(item -> data.add(MAPPER.valueToTree(item)));
        page.put("first_id", items.isEmpty() ? null : id.apply(items.get(0)));
        page.put("last_id", items.isEmpty() ? null : id.apply(items.get(items.size() - 1)));
        page.put("has_more", hasMore);
        return page;
    }
}
