package dev.sluice.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Sluice's YAML files: kebab-case keys, ISO-8601 durations, case-insensitive enum values, unknown keys refused.
 * Errors name the source, the key's path and the line.
 *
 * <p>Documents are bounded, since catalog documents arrive from a topic: at most {@value #MAX_CODE_POINTS} code
 * points (SnakeYAML's reader stops there) and {@value #MAX_NESTING_DEPTH} levels of nesting (Jackson's stream
 * constraints). Aliases ({@code *name}) are refused: Jackson does not expand them, it reads an alias as the text of
 * its anchor's name (jackson-dataformats-text, {@code YAMLParser.nextToken}), so a document with aliases would not
 * mean what it says; refusing them also turns a "billion laughs" away before anything is built from it.
 */
public final class Yaml {

    /** Code points per document: a catalog of hundreds of models fits many times over. */
    public static final int MAX_CODE_POINTS = 1 << 20;
    /** Levels of nested mappings and sequences; Sluice's files need fewer than ten. */
    public static final int MAX_NESTING_DEPTH = 64;

    private static final ObjectMapper MAPPER = JsonMapper.builder(YAMLFactory.builder()
                    .loaderOptions(loaderOptions())
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .build())
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .build();

    private static final PropertyNamingStrategies.NamingBase KEBAB =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.KEBAB_CASE;

    private Yaml() {}

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as YAML", e);
        }
    }

    public static <T> T read(String text, String source, Class<T> type) {
        try {
            return MAPPER.readValue(withoutAliases(text), type);
        } catch (IOException e) {
            throw failure(source, e);
        }
    }

    /** Binds a tree from {@link #tree} (edited, perhaps) as {@link #read} binds text, without line numbers. */
    public static <T> T read(JsonNode tree, String source, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (IOException e) {
            throw failure(source, e);
        }
    }

    /** The document as a tree; an empty document is an empty mapping. */
    public static JsonNode tree(String text, String source) {
        try {
            JsonNode tree = MAPPER.readTree(withoutAliases(text));
            return tree == null || tree.isMissingNode() || tree.isNull() ? MAPPER.createObjectNode() : tree;
        } catch (IOException e) {
            throw failure(source, e);
        }
    }

    /** {@code node} as a value of {@code type}, with Sluice's rules (ISO-8601 durations, for instance). */
    static Object convert(JsonNode node, Type type) {
        return MAPPER.convertValue(node, MAPPER.constructType(type));
    }

    /** Translates a record component's name into its key. */
    public static String key(String componentName) {
        return KEBAB.translate(componentName);
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        return options;
    }

    /** A parser of {@code text} that fails at the first alias. */
    private static JsonParser withoutAliases(String text) throws IOException {
        return new AliasRefusingParser((YAMLParser) MAPPER.getFactory().createParser(text));
    }

    /** Checks every token: {@link #nextValue} too, which the delegate would otherwise pass straight through. */
    private static final class AliasRefusingParser extends JsonParserDelegate {

        private final YAMLParser yaml;

        AliasRefusingParser(YAMLParser yaml) {
            super(yaml);
            this.yaml = yaml;
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken token = yaml.nextToken();
            if (yaml.isCurrentAlias()) {
                throw new JsonParseException(this, "aliases (*name) are not supported; write the value out");
            }
            return token;
        }

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken token = nextToken();
            return token == JsonToken.FIELD_NAME ? nextToken() : token;
        }
    }

    private static IllegalArgumentException failure(String source, IOException e) {
        if (e instanceof JsonMappingException mapping) {
            String key = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            String line = mapping.getLocation() == null ? "" : " (near line " + mapping.getLocation().getLineNr() + ")";
            Throwable cause = e.getCause() instanceof RuntimeException ? e.getCause() : e;
            String message = cause == e ? mapping.getOriginalMessage() : cause.getMessage();
            return new IllegalArgumentException(source + ": " + (key.isEmpty() ? "" : key + ": ") + message + line, e);
        }
        return new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
}
