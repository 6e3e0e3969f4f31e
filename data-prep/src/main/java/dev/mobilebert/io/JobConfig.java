package dev.mobilebert.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Map;

/**
 * Job settings: a JSON file (e.g. under {@code conf/jobs/}) read into a record, with command-line overrides
 * {@code key=value} applied on top ({@code a.b=3} sets a nested field; values are parsed as JSON where they
 * can be, else taken as strings). An unknown key is an error naming the file and the key, so a typo never
 * silently falls back to a default.
 */
public final class JobConfig {
    private JobConfig() {}

    public static <T> T load(String location, Class<T> type, Map<String, String> overrides) throws IOException {
        ObjectNode tree = location == null ? JsonNodeFactory.instance.objectNode() : readObject(Fs.path(location));
        return bind(tree, type, overrides, location == null ? "defaults" : location);
    }

    /** Binds {@code tree} plus {@code overrides} to {@code type}; {@code source} names where the tree came from. */
    public static <T> T bind(ObjectNode tree, Class<T> type, Map<String, String> overrides, String source) {
        ObjectNode merged = tree.deepCopy();
        overrides.forEach((k, v) -> set(merged, k, v));
        try {
            return Json.MAPPER.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).treeToValue(merged, type);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(source + ": unknown setting '" + e.getPropertyName() + "' for "
                    + type.getSimpleName() + "; known: " + e.getKnownPropertyIds(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode readObject(Path p) throws IOException {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(Fs.readString(p));
        } catch (JsonProcessingException e) {
            throw new IOException(p + ": invalid JSON at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage(), e);
        }
        if (!(node instanceof ObjectNode obj)) throw new IOException(p + ": expected a JSON object");
        return obj;
    }

    private static void set(ObjectNode root, String dottedKey, String value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], parseValue(value));
    }

    private static JsonNode parseValue(String value) {
        try {
            JsonNode parsed = Json.MAPPER.readTree(value);
            if (parsed != null && !parsed.isMissingNode()) return parsed;
        } catch (JsonProcessingException notJson) {
            // a bare string such as local[2] or hdfs://...
        }
        return JsonNodeFactory.instance.textNode(value);
    }
}
