package dev.mobilebert.tasks;

import com.fasterxml.jackson.databind.ObjectWriter;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Json;
import org.apache.hadoop.fs.Path;

import dev.mobilebert.tasks.features.SquadDecoder;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes what run_squad.py writes: {@code predictions.json} ({@code {id: answer}}), {@code nbest_predictions.json}
 * and, for v2.0,
 * {@code null_odds.json} ({@code {id: score_null - best_non_null}}), in the given (example) order: key order
 * matters to evaluate-v2.0.py's threshold search when odds tie, so keys are not sorted.
 */
public final class SquadPredictionWriter {
    private static final ObjectWriter WRITER = Json.COMPACT.writerWithDefaultPrettyPrinter();

    private SquadPredictionWriter() {}

    public static void writePredictions(Path file, Map<String, String> answers) throws IOException {
        AtomicOutput.writeString(file, WRITER.writeValueAsString(answers) + "\n");
    }

    /** nbest_predictions.json: {id: [{text, probability, start_logit, end_logit}, ...]}. */
    public static void writeNbest(Path file, Map<String, List<SquadDecoder.NbestEntry>> nbest) throws IOException {
        AtomicOutput.writeString(file, WRITER.writeValueAsString(nbest) + "\n");
    }

    /** Writes predictions.json, nbest_predictions.json and, for v2.0, null_odds.json into {@code dir}. */
    public static void writeAll(Path dir, SquadDecoder.Output output) throws IOException {
        writePredictions(new Path(dir, "predictions.json"), output.predictions());
        writeNbest(new Path(dir, "nbest_predictions.json"), output.nbest());
        if (!output.nullOdds().isEmpty()) writeNullOdds(new Path(dir, "null_odds.json"), output.nullOdds());
    }

    public static void writeNullOdds(Path file, Map<String, Double> nullOdds) throws IOException {
        for (Map.Entry<String, Double> e : nullOdds.entrySet()) {
            if (e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("null odds of " + e.getKey() + " is not finite: " + e.getValue());
            }
        }
        AtomicOutput.writeString(file, WRITER.writeValueAsString(nullOdds) + "\n");
    }
}
