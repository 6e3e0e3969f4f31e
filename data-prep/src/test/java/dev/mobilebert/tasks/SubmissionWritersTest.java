package dev.mobilebert.tasks;

import dev.mobilebert.io.Fs;
import dev.mobilebert.tasks.eval.GluePredictions;
import dev.mobilebert.tasks.eval.SquadPredictions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubmissionWritersTest {

    @Test
    void glueFileNamesAreTheServersOnes() {
        assertEquals(List.of("CoLA.tsv", "SST-2.tsv", "MRPC.tsv", "STS-B.tsv", "QQP.tsv", "MNLI-m.tsv", "MNLI-mm.tsv",
                        "QNLI.tsv", "RTE.tsv", "WNLI.tsv", "AX.tsv"),
                Arrays.stream(GlueTask.values()).map(GlueTask::submissionFileName).toList());
        Map<String, GlueTask> names = Map.of("cola", GlueTask.COLA, "sst2", GlueTask.SST2, "sts-b", GlueTask.STSB,
                "STSB", GlueTask.STSB, "mnli", GlueTask.MNLI, "MNLI-m", GlueTask.MNLI, "mnli-mm", GlueTask.MNLI_MM,
                "diagnostic", GlueTask.AX, "QQP", GlueTask.QQP);
        names.forEach((name, task) -> assertEquals(task, GlueTask.parse(name), name));
        assertThrows(IllegalArgumentException.class, () -> GlueTask.parse("squad"));
    }

    @Test
    void glueSubmissionRoundTripsThroughThePredictionReader(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("submission");
        Path file = Path.of(GlueSubmission.write(Fs.path(dir.toString()), GlueTask.MNLI_MM, List.of(
                GlueSubmission.Prediction.ofLabelId(GlueTask.MNLI_MM, "0", 2),
                GlueSubmission.Prediction.ofLabelId(GlueTask.MNLI_MM, "1", 0))).toUri());
        assertEquals(dir.resolve("MNLI-mm.tsv"), file);
        assertEquals("index\tprediction\n0\tneutral\n1\tcontradiction\n", Files.readString(file));
        assertEquals(Map.of("0", "neutral", "1", "contradiction"), GluePredictions.read(GlueTask.MNLI_MM, Fs.path(file.toString())));

        Path sts = Path.of(GlueSubmission.write(Fs.path(dir.toString()), GlueTask.STSB, List.of(
                GlueSubmission.Prediction.ofScore("0", 4.25), GlueSubmission.Prediction.ofScore("1", 1e-7))).toUri());
        assertEquals("index\tprediction\n0\t4.25\n1\t0.0000001\n", Files.readString(sts), "no exponent notation");
        assertThrows(BadInputException.class, () -> GlueSubmission.write(Fs.path(dir.toString()), GlueTask.RTE,
                List.of(new GlueSubmission.Prediction("0", "neutral"))), "RTE has no 'neutral'");
    }

    @Test
    void submissionForTheRealRteTestFileUsesItsIndices(@TempDir Path tmp) throws Exception {
        Path test = dev.mobilebert.testing.SharedData.require(dev.mobilebert.testing.SharedData.glue("RTE").resolve("test.tsv"));
        GlueDataset data = GlueReader.read(GlueTask.RTE, test.toString());
        int[] ids = new int[data.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 2;
        Path file = Path.of(GlueSubmission.writeLabelIds(Fs.path(tmp.toString()), data, ids).toUri());
        List<String> lines = Files.readAllLines(file);
        assertEquals(3001, lines.size());
        assertEquals(List.of("index\tprediction", "0\tentailment", "1\tnot_entailment"), lines.subList(0, 3));
        assertThrows(IllegalArgumentException.class, () -> GlueSubmission.writeLabelIds(Fs.path(tmp.toString()), data, new int[3]));
    }

    @Test
    void gluePredictionErrorsNameTheLine(@TempDir Path tmp) throws Exception {
        assertPredictionError(tmp, "idx\tlabel\n0\t1\n", ":1: expected the header 'index<TAB>prediction'");
        assertPredictionError(tmp, "index\tprediction\n0\t1\n1\n", ":3: expected 2 tab-separated columns");
        assertPredictionError(tmp, "index\tprediction\n0\t1\n0\t0\n", ":3: index 0 appears more than once");
        assertPredictionError(tmp, "index\tprediction\n0\tentailment\n", ":2: unknown SST-2 label 'entailment'");
    }

    @Test
    void squadPredictionsAndNullOddsKeepExampleOrder(@TempDir Path tmp) throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("zz", "last letter first");
        answers.put("aa", "");
        Map<String, Double> odds = new LinkedHashMap<>();
        odds.put("zz", 1.5);
        odds.put("aa", -3.25);
        Path p = tmp.resolve("out/predictions.json");
        Path n = tmp.resolve("out/null_odds.json");
        SquadPredictionWriter.writePredictions(Fs.path(p.toString()), answers);
        SquadPredictionWriter.writeNullOdds(Fs.path(n.toString()), odds);
        assertEquals(List.of("zz", "aa"), List.copyOf(SquadPredictions.readAnswers(Fs.path(p.toString())).keySet()));
        assertEquals(answers, SquadPredictions.readAnswers(Fs.path(p.toString())));
        assertEquals(odds, SquadPredictions.readNaProbs(Fs.path(n.toString())));
        odds.put("bad", Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> SquadPredictionWriter.writeNullOdds(Fs.path(n.toString()), odds));
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"q\": 3}");
        BadInputException e = assertThrows(BadInputException.class, () -> SquadPredictions.readAnswers(Fs.path(bad.toString())));
        assertTrue(e.getMessage().contains("the prediction for q is not a string"), e.getMessage());
    }

    @Test
    void squadOutputDirectoryHasRunSquadsFiles(@TempDir Path tmp) throws Exception {
        Map<String, String> predictions = new LinkedHashMap<>();
        predictions.put("q1", "Denver");
        Map<String, List<dev.mobilebert.tasks.features.SquadDecoder.NbestEntry>> nbest = new LinkedHashMap<>();
        nbest.put("q1", List.of(new dev.mobilebert.tasks.features.SquadDecoder.NbestEntry("Denver", 0.75, 2.5, 1.0),
                new dev.mobilebert.tasks.features.SquadDecoder.NbestEntry("", 0.25, 0.5, 1.0)));
        Map<String, Double> odds = new LinkedHashMap<>();
        odds.put("q1", -2.0);
        Path dir = tmp.resolve("squad-out");
        SquadPredictionWriter.writeAll(Fs.path(dir.toString()),
                new dev.mobilebert.tasks.features.SquadDecoder.Output(predictions, nbest, odds));
        var json = dev.mobilebert.io.Json.MAPPER.readTree(dir.resolve("nbest_predictions.json").toFile());
        assertEquals("Denver", json.get("q1").get(0).get("text").asText());
        assertEquals(2.5, json.get("q1").get(0).get("start_logit").asDouble());
        assertEquals(0.25, json.get("q1").get(1).get("probability").asDouble());
        assertEquals(predictions, SquadPredictions.readAnswers(Fs.path(dir.resolve("predictions.json").toString())));
        assertEquals(odds, SquadPredictions.readNaProbs(Fs.path(dir.resolve("null_odds.json").toString())));
    }

    private static void assertPredictionError(Path tmp, String content, String expected) throws Exception {
        Path f = Files.createTempFile(tmp, "SST-2", ".tsv");
        Files.writeString(f, content);
        BadInputException e = assertThrows(BadInputException.class, () -> GluePredictions.read(GlueTask.SST2, Fs.path(f.toString())));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
    }
}
