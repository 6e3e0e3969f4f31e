package dev.mobilebert.tasks.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.tasks.BadInputException;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SQuAD prediction files: {@code {id: answer text}} and, for v2.0, {@code {id: no-answer probability}} (the
 * "null odds" file). The file order is kept: evaluate-v2.0.py's threshold search breaks ties by it.
 */
public final class SquadPredictions {
    private SquadPredictions() {}

    public static Map<String, String> readAnswers(Path path) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode root = object(path);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new BadInputException(path + ": the prediction for " + e.getKey() + " is not a string: " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    public static Map<String, Double> readNaProbs(Path path) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        JsonNode root = object(path);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().asDouble())) {
                throw new BadInputException(path + ": the no-answer probability of " + e.getKey()
                        + " is not a finite number: " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asDouble());
        }
        return out;
    }

    private static JsonNode object(Path path) throws IOException {
        JsonNode root;
        try (InputStream in = Fs.open(path)) {
            root = Json.MAPPER.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(path + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new BadInputException(path + ": expected a JSON object {id: value}");
        return root;
    }
}
