package dev.mobilebert.jobs.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.jobs.spark.RecordsKryoRegistrator;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.model.io.HfFormat;
import dev.mobilebert.tasks.eval.Evaluation;
import dev.mobilebert.tasks.eval.Report;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning end to end on local[2], a few steps on tiny models (conf/models/test_tiny.json: real vocabulary, tiny
 * widths) with the real GLUE/SQuAD files: the --hf path on RTE (the directory written by export-hf) and the
 * --checkpoint path on SQuAD v1.1 (train on one article of the dev set, evaluate on another); the prediction files
 * are accepted by the evaluate code, and the run directory has what docs/finetune.md promises.
 */
class FinetuneJobTest {
    @TempDir static Path tmp;

    static SparkSession spark() {
        return SparkSession.builder().config(LocalSpark.conf("local[2]")
                .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator," + RecordsKryoRegistrator.class.getName())).getOrCreate();
    }

    static MobileBertConfig tiny() {
        return MobileBertConfig.load(Path.of(System.getProperty("mobilebert.home", ".."), "conf/models/test_tiny.json").toString());
    }

    static List<JsonNode> rows(Path metrics, String stage) throws Exception {
        return Files.readAllLines(metrics).stream().map(l -> {
            try { return Json.MAPPER.readTree(l); } catch (Exception e) { throw new RuntimeException(e); }
        }).filter(n -> n.get("stage").asText().equals(stage)).toList();
    }

    @Test
    void rteFromAHuggingFaceDirectoryWritesDevAndTestPredictionsTheEvaluatorAccepts() throws Exception {
        Path rte = SharedData.require(SharedData.glue("RTE"));
        Path hf = tmp.resolve("hf");
        HfFormat.export(MobileBertModel.pretraining(tiny(), null, 3), hf.toString());
        Files.copy(SharedData.vocab(), hf.resolve("vocab.txt")); // --vocab defaults to the directory's vocab.txt
        Path out = tmp.resolve("rte-run");
        int code = Main.run("finetune", "--master", "local[2]", "--task", "rte", "--hf", hf.toString(), "--data", rte.toString(),
                "--out", out.toString(), "--learning-rates", "1e-4,3e-4", "--epochs", "2", "--batch-size", "16",
                "--max-seq-length", "32", "--max-train-examples", "32");
        assertEquals(0, code);
        JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        assertEquals(2, summary.get("grid").size());
        assertEquals(List.of("classifier.weight", "classifier.bias"),
                Json.MAPPER.convertValue(summary.get("fresh_head_parameters"), List.class));
        // 32 examples / batch 16 = 2 steps per epoch, 2 epochs, 2 learning rates: 4 dev rows
        List<JsonNode> dev = rows(out.resolve("metrics.jsonl"), "dev");
        assertEquals(4, dev.size());
        for (JsonNode r : dev) {
            assertTrue(r.get("accuracy").asDouble() >= 0 && r.get("accuracy").asDouble() <= 1, r.toString());
            assertEquals(277, r.get("total").asInt());
        }
        assertEquals(4, rows(out.resolve("lr-0.0001/metrics.jsonl"), "train").stream().mapToInt(r -> r.get("step").asInt()).max().orElse(0));
        Path devPred = out.resolve("predictions/dev/RTE.tsv");
        Report r = Evaluation.evaluate("rte", rte.resolve("dev.tsv").toString(), devPred.toString(), null, 1.0);
        assertEquals(summary.get("best").get("accuracy").asDouble(), ((Number) r.metrics().get("accuracy")).doubleValue(), 1e-12,
                "the kept dev predictions are the best epoch's");
        List<String> test = Files.readAllLines(out.resolve("predictions/test/RTE.tsv"));
        assertEquals("index\tprediction", test.get(0));
        assertEquals(3001, test.size());
        assertTrue(Files.exists(Path.of(new org.apache.hadoop.fs.Path(summary.get("best_checkpoint").asText()).toUri().getPath(), "model.zip")));
    }

    @Test
    void squadFromACheckpointTrainsOnSomeArticlesAndEvaluatesOnOthers() throws Exception {
        Path squad = SharedData.require(SharedData.squadDev());
        Path train = SquadSubsets.write(squad, 0, 1, 3, true, tmp.resolve("train.json"));
        Path dev = SquadSubsets.write(squad, 1, 2, 2, false, tmp.resolve("dev.json"));
        Path ckpt = tmp.resolve("ckpt");
        Checkpoint.save(MobileBertModel.pretraining(tiny(), null, 5), Checkpoint.Provenance.of("test", "random init", 0), ckpt.toString(), false);
        Path out = tmp.resolve("squad-run");
        var o = FinetuneJob.Options.defaults("squad1", ckpt.toString(), null, null, out.toString(), SharedData.vocab().toString())
                .withFiles(train.toString(), dev.toString(), dev.toString())
                .with(List.of(1e-3), 1, 8, 64, 0).withSquadWindows(24, 20);
        Map<String, Object> best = FinetuneJob.run(spark(), o);
        assertTrue(best.containsKey("exact_match") && best.containsKey("f1"), best.toString());
        Report r = Evaluation.evaluate("squad1", dev.toString(), out.resolve("predictions/dev/predictions.json").toString(), null, 1.0);
        assertEquals(((Number) best.get("f1")).doubleValue(), ((Number) r.metrics().get("f1")).doubleValue(), 1e-9);
        assertTrue(r.missing().isEmpty(), "every dev question answered");
        assertTrue(Files.exists(out.resolve("predictions/test/predictions.json")));
    }
}
