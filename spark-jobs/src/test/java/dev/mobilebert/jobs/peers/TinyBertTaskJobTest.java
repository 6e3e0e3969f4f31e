package dev.mobilebert.jobs.peers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.jobs.finetune.FinetuneJob;
import dev.mobilebert.jobs.finetune.PretrainedGraphs;
import dev.mobilebert.jobs.spark.RecordsKryoRegistrator;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.model.peers.PeerStudents;
import dev.mobilebert.tasks.eval.Evaluation;
import dev.mobilebert.tasks.eval.Report;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TinyBERT's task-specific stage end to end on local[2] with the real RTE files: a tiny teacher fine-tuned by
 * {@code finetune}, a narrower 1-layer general student, {@code distill --recipe tinybert --stage task} runs the
 * intermediate stage then the prediction stage from its parameters, writes dev/test predictions the evaluator accepts,
 * and a rerun finds both stages complete.
 */
class TinyBertTaskJobTest {
    @TempDir static Path tmp;
    static Path rte, teacherRun, student;

    static SparkSession spark() {
        return SparkSession.builder().config(LocalSpark.conf("local[2]")
                .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator," + RecordsKryoRegistrator.class.getName())).getOrCreate();
    }

    static MobileBertConfig tiny() {
        return MobileBertConfig.load(Path.of(System.getProperty("mobilebert.home", ".."), "conf/models/test_tiny.json").toString());
    }

    @BeforeAll
    static void teacherAndStudent() throws Exception {
        rte = SharedData.require(SharedData.glue("RTE"));
        teacherRun = tmp.resolve("teacher-rte");
        var o = FinetuneJob.Options.defaults("rte", null, null, rte.toString(), teacherRun.toString(), SharedData.vocab().toString())
                .with(List.of(1e-3), 1, 16, 32, 32).withRandomInit(Path.of(System.getProperty("mobilebert.home", ".."), "conf/models/test_tiny.json").toString());
        FinetuneJob.run(spark(), o);
        student = tmp.resolve("general-student");
        MobileBertConfig sc = PeerStudents.tinyBert(tiny(), 1, 16, 32); // the teacher's 4 heads, narrower, 1 layer
        Checkpoint.save(MobileBertModel.pretraining(sc, null, 9), Checkpoint.Provenance.of("test", "random init", 0), student.toString(), false);
    }

    @Test
    void bothTaskStagesRunAndTheStudentPredictsTheTask() throws Exception {
        Path out = tmp.resolve("task");
        String[] args = {"distill", "--recipe", "tinybert", "--stage", "task", "--master", "local[2]", "--task", "rte",
                "--teacher", teacherRun.toString(), "--student", student.toString(), "--data", rte.toString(),
                "--vocab", SharedData.vocab().toString(), "--out", out.toString(), "--intermediate-epochs", "1",
                "--intermediate-learning-rate", "1e-3", "--prediction-epochs", "2", "--prediction-learning-rate", "1e-3",
                "--batch-size", "16", "--max-seq-length", "32", "--max-train-examples", "32"};
        assertEquals(0, Main.run(args));
        JsonNode summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
        assertEquals(List.of(1), Json.MAPPER.convertValue(summary.get("layer_map"), List.class), "uniform map: student layer 0 <- teacher layer 1");
        assertTrue(summary.get("teacher").asText().endsWith("best"), "the teacher run's best checkpoint: " + summary.get("teacher"));

        // the intermediate stage trained (2 steps: 32 examples / 16) on the MSE objective, from the general student
        JsonNode inter = Json.MAPPER.readTree(out.resolve("task-intermediate/summary.json").toFile());
        assertEquals(student.toString(), inter.get("start").asText());
        List<JsonNode> interTrain = rows(out.resolve("task-intermediate/lr-0.001/metrics.jsonl"), "train");
        assertEquals(2, interTrain.get(interTrain.size() - 1).get("step").asInt());
        // the prediction stage starts from the intermediate stage's last parameters and is evaluated on dev every epoch
        JsonNode pred = Json.MAPPER.readTree(out.resolve("task-prediction/summary.json").toFile());
        assertEquals(out.resolve("task-intermediate/lr-0.001").toString(), new org.apache.hadoop.fs.Path(pred.get("start").asText()).toUri().getPath());
        assertEquals(2, rows(out.resolve("task-prediction/metrics.jsonl"), "dev").size());
        assertEquals(pred.get("best"), summary.get("best"));
        Report r = Evaluation.evaluate("rte", rte.resolve("dev.tsv").toString(),
                out.resolve("task-prediction/predictions/dev/RTE.tsv").toString(), null, 1.0);
        assertEquals(summary.get("best").get("accuracy").asDouble(), ((Number) r.metrics().get("accuracy")).doubleValue(), 1e-12);
        assertEquals(3001, Files.readAllLines(out.resolve("task-prediction/predictions/test/RTE.tsv")).size());
        ComputationGraph best = PretrainedGraphs.load(summary.get("best_checkpoint").asText());
        assertEquals(16, ((dev.mobilebert.model.graph.BlockVertex) best.getConfiguration().getVertices().get("layer0")).config().hiddenSize);

        // a rerun finds both stages complete (result.json) and ends with the same summary
        long modified = Files.getLastModifiedTime(out.resolve("task-prediction/lr-0.001/best/model.zip")).toMillis();
        assertEquals(0, Main.run(args));
        assertEquals(summary.get("best"), Json.MAPPER.readTree(out.resolve("summary.json").toFile()).get("best"));
        assertEquals(modified, Files.getLastModifiedTime(out.resolve("task-prediction/lr-0.001/best/model.zip")).toMillis(), "not retrained");
    }

    @Test
    void aTeacherThatIsNotFineTunedOnTheTaskIsRefusedWithAHint() {
        var finetune = FinetuneJob.Options.defaults("rte", student.toString(), null, rte.toString(), tmp.resolve("bad").toString(),
                SharedData.vocab().toString());
        var notFineTuned = new TinyBertTaskJob.Options(finetune, student.toString(), student.toString(), tmp.resolve("bad").toString(),
                null, 1, 1e-3, 1, 1e-3, 1, false);
        var e = assertThrows(IllegalArgumentException.class, () -> TinyBertTaskJob.run(spark(), notFineTuned));
        assertTrue(e.getMessage().contains("not a fine-tuned GLUE model") && e.getMessage().contains("finetune --task rte"), e.getMessage());
        var sst2 = FinetuneJob.Options.defaults("stsb", student.toString(), null, rte.toString(), tmp.resolve("bad2").toString(),
                SharedData.vocab().toString());
        var wrongTask = new TinyBertTaskJob.Options(sst2, teacherRun.toString(), student.toString(), tmp.resolve("bad2").toString(),
                null, 1, 1e-3, 1, 1e-3, 1, false);
        e = assertThrows(IllegalArgumentException.class, () -> TinyBertTaskJob.run(spark(), wrongTask));
        assertTrue(e.getMessage().contains("has 2 outputs, stsb needs 1"), e.getMessage());
    }

    private static List<JsonNode> rows(Path metrics, String stage) throws Exception {
        return Files.readAllLines(metrics).stream().map(l -> {
            try { return Json.MAPPER.readTree(l); } catch (Exception ex) { throw new RuntimeException(ex); }
        }).filter(n -> n.get("stage").asText().equals(stage)).toList();
    }
}
