package dev.mobilebert.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code evaluate} command end to end through the CLI's entry point, on the real dev files. */
class EvaluateCommandTest {

    @Test
    void squadV11GoldPredictionsScoreHundredAndMissingOnesAreReported(@TempDir Path tmp) throws Exception {
        Path dev = SharedData.require(SharedData.squadDev());
        JsonNode data = Json.MAPPER.readTree(dev.toFile());
        var preds = Json.MAPPER.createObjectNode();
        int i = 0;
        for (JsonNode a : data.get("data")) for (JsonNode p : a.get("paragraphs")) for (JsonNode q : p.get("qas")) {
            if (i++ % 10 != 0) preds.put(q.get("id").asText(), q.get("answers").get(0).get("text").asText());
        }
        preds.put("no-such-id", "x");
        Path predFile = tmp.resolve("predictions.json");
        Files.writeString(predFile, preds.toString());
        Path outFile = tmp.resolve("eval/squad.json");
        CliRun r = CliRun.of("evaluate", "--task", "squad1", "--data", dev.toString(), "--predictions", predFile.toString(),
                "--out", outFile.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode printed = Json.MAPPER.readTree(r.out());
        assertEquals(List.of("exact_match", "f1"), names(printed));
        double answered = 10570 - 1057; // every tenth question (ids 0, 10, ...) has no prediction
        assertEquals(100.0 * answered / 10570, printed.get("exact_match").asDouble(), 1e-9);
        assertEquals(printed, Json.MAPPER.readTree(outFile.toFile()));
        assertTrue(r.err().contains("1057 question(s) without a prediction scored 0"), r.err());
        assertTrue(r.err().contains("1 prediction(s) for ids not in the dataset were ignored"), r.err());
    }

    @Test
    void glueDevFileWithAWrongLabelIsAClearError(@TempDir Path tmp) throws Exception {
        Path dev = SharedData.require(SharedData.glue("RTE").resolve("dev.tsv"));
        Path pred = tmp.resolve("RTE.tsv");
        Files.writeString(pred, "index\tprediction\n0\tentailment\n1\tcontradiction\n");
        CliRun r = CliRun.of("evaluate", "--task", "rte", "--data", dev.toString(), "--predictions", pred.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("RTE.tsv:3: unknown RTE label 'contradiction'"), r.err());
    }

    @Test
    void glueConstantPredictionsGiveTheMajorityAccuracy(@TempDir Path tmp) throws Exception {
        Path dev = SharedData.require(SharedData.glue("SST-2").resolve("dev.tsv"));
        List<String> lines = Files.readAllLines(dev);
        StringBuilder pred = new StringBuilder("index\tprediction\n");
        int ones = 0;
        for (int i = 1; i < lines.size(); i++) {
            pred.append(i - 1).append("\t1\n");
            if (lines.get(i).endsWith("\t1")) ones++;
        }
        Path file = tmp.resolve("SST-2.tsv");
        Files.writeString(file, pred);
        CliRun r = CliRun.of("evaluate", "--task", "SST-2", "--data", dev.toString(), "--predictions", file.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = Json.MAPPER.readTree(r.out());
        assertEquals((double) ones / (lines.size() - 1), m.get("accuracy").asDouble(), 1e-12);
        assertEquals(872, m.get("total").asInt());
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
