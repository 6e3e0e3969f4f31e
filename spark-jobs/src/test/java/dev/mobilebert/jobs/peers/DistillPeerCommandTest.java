package dev.mobilebert.jobs.peers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.jobs.pretraining.PreparePretrainingJob;
import dev.mobilebert.jobs.spark.RecordsKryoRegistrator;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.model.peers.PeerStudents;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * distill-peer end to end on local[2]: shards prepared from a Gutenberg book with the real BERT vocabulary, a tiny
 * teacher (random parameters: the mechanics are under test, not the quality), DistilBERT with a crash + --resume, and
 * TinyBERT's two stages with held-out evaluation of the student.
 */
class DistillPeerCommandTest {
    @TempDir static Path tmp;
    static String shards, teacherConfig, teacherZip;
    static MobileBertConfig teacher;

    @BeforeAll
    static void prepare() throws Exception {
        SparkSession spark = spark();
        PretrainingConfig cfg = new PretrainingConfig(32, 5, 0.15, 0.1, 1, 12345, true, false);
        shards = tmp.resolve("shards").toString();
        String book = SharedData.require(SharedData.gutenberg().resolve("metamorphosis.txt")).toString();
        PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(List.of(book), SharedData.require(SharedData.vocab()).toString(),
                shards, 2, CorpusFormat.AUTO, cfg, 2));
        teacherConfig = Path.of(DistillPeerCommandTest.class.getResource("/pretrain/tiny_teacher.json").toURI()).toString();
        teacher = MobileBertConfig.load(teacherConfig);
        teacherZip = tmp.resolve("teacher.zip").toString();
        ModelSerializer.writeModel(MobileBertModel.pretraining(teacher, new NoOp(), 7).graph(), new java.io.File(teacherZip), false);
    }

    static SparkSession spark() {
        return SparkSession.builder().config(LocalSpark.conf("local[2]")
                .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator," + RecordsKryoRegistrator.class.getName())).getOrCreate();
    }

    static List<String> args(String recipe, String out, String... more) {
        List<String> a = new ArrayList<>(List.of("distill-peer", "--master", "local[2]", "--recipe", recipe, "--teacher", teacherZip,
                "--teacher-config", teacherConfig, "--data", shards, "--out", out, "--learning-rate", "0.001",
                "--workers", "2", "--batch-size-per-worker", "4", "--set", "optimizer.num_warmup_steps=1",
                "--set", "averaging_frequency=5", "--set", "checkpoint_every_steps=5", "--set", "log_every_steps=5", "--set", "progress=false"));
        a.addAll(List.of(more));
        return a;
    }

    static List<JsonNode> rows(Path metrics, String stage) throws IOException {
        return Files.readAllLines(metrics).stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).filter(n -> stage.equals(n.path("stage").asText())).toList();
    }

    @Test
    void distilBertTrainsExportsTheStudentAndResumesAfterACrash() throws Exception {
        spark();
        String out = tmp.resolve("distilbert").toString();
        assertEquals(0, Main.run(args("distilbert", out, "--num-train-steps", "10").toArray(String[]::new)));
        Path stage = Path.of(out, "distilbert");
        List<JsonNode> train = rows(stage.resolve("metrics.jsonl"), "train");
        assertEquals(List.of(5, 10), train.stream().map(r -> r.get("step").asInt()).toList());
        for (JsonNode r : train) {
            for (String k : List.of("loss", "mlm_loss", "mlm_accuracy", "loss_distillMlm", "loss_distillCos")) {
                assertTrue(r.has(k) && Double.isFinite(r.get(k).asDouble()), k + " in " + r);
            }
            // the total is the weighted sum of the parts (α_mlm 2 on the MLM loss, α_nsp 0; the KL and cosine parts carry their α)
            assertEquals(r.get("loss").asDouble(), 2 * r.get("mlm_loss").asDouble() + r.get("loss_distillMlm").asDouble()
                    + r.get("loss_distillCos").asDouble(), 1e-3 * r.get("loss").asDouble(), r.toString());
        }

        JsonNode summary = Json.MAPPER.readTree(Path.of(out, "summary.json").toFile());
        assertEquals(10, summary.get("distilbert").get("steps").asInt());
        var student = Checkpoint.load(summary.get("student_checkpoint").asText(), false).model();
        assertEquals(PeerStudents.distilBert(teacher, dev.mobilebert.model.peers.LayerMap.everyOther(2)), student.config());
        assertEquals(1, student.config().numHiddenLayers);
        assertEquals(student.numParams(), summary.get("student_parameters").asLong());
        assertTrue(summary.get("student_parameters").asLong() < summary.get("teacher_parameters").asLong());

        // crash after the step-5 checkpoint: drop what came after it, then --resume continues the stage at step 5
        try (Stream<Path> s = Files.list(stage.resolve("checkpoints"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("step-000000010")).toList()) deleteTree(p);
        }
        Files.delete(stage.resolve("summary.json"));
        deleteTree(Path.of(out, "student"));
        var e = assertThrows(Exception.class, () -> PeerDistillJob.run(spark(), new PeerDistillJob.Options(PeerDistillJob.Recipe.DISTILBERT,
                teacherConfig, teacherZip, shards, null, out, false, null, null, null, null, null, 32)));
        assertNotNull(e.getMessage());
        assertEquals(0, Main.run(args("distilbert", out, "--num-train-steps", "10", "--resume").toArray(String[]::new)));
        assertEquals(1, rows(stage.resolve("metrics.jsonl"), "resume").size());
        assertEquals(5, rows(stage.resolve("metrics.jsonl"), "resume").get(0).get("step").asInt());
        assertTrue(Files.exists(Path.of(out, "student", "model.zip")));
    }

    @Test
    void tinyBertRunsBothStagesAndEvaluatesTheStudent() throws Exception {
        spark();
        MobileBertConfig sc = PeerStudents.tinyBert(teacher, 1, 16, 32);
        Path studentJson = tmp.resolve("tiny_student.json");
        Files.writeString(studentJson, sc.toJson());
        String out = tmp.resolve("tinybert").toString();
        List<String> a = args("tinybert", out, "--student-config", studentJson.toString(), "--intermediate-steps", "5",
                "--prediction-steps", "5", "--held-out", shards, "--eval-batch-size", "64");
        a.set(0, "distill"); // issue 10's interface: distill --recipe tinybert runs the peer job
        assertEquals(0, Main.run(a.toArray(String[]::new)));
        JsonNode summary = Json.MAPPER.readTree(Path.of(out, "summary.json").toFile());
        assertEquals(5, summary.get("tinybert-intermediate").get("steps").asInt());
        assertEquals(5, summary.get("tinybert-prediction").get("steps").asInt());
        double acc = summary.get("tinybert-prediction").get("heldout_mlm_accuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1, summary.toString());
        assertEquals(1, summary.get("layer_map").size());
        assertEquals(1, summary.get("layer_map").get(0).asInt(), "uniform map of 1 student layer onto 2: the last");
        var student = Checkpoint.load(summary.get("student_checkpoint").asText(), false).model();
        assertEquals(sc, student.config());
        assertEquals(MobileBertModel.pretraining(sc, new NoOp(), 0).numParams(), student.numParams(), "projections are not part of the student");
        double loss = rows(Path.of(out, "tinybert-intermediate", "metrics.jsonl"), "train").get(0).get("loss").asDouble();
        assertTrue(Double.isFinite(loss) && loss > 0);

        // the comparison table over the student: parameters, latency, held-out accuracy (same evaluator as the stage's)
        String table = tmp.resolve("table").toString();
        assertEquals(0, Main.run("compare-peers", "--master", "local[2]", "--model", "tinybert=" + summary.get("student_checkpoint").asText(),
                "--held-out", shards, "--eval-batch-size", "64", "--seq-len", "16", "--runs", "2", "--out", table));
        JsonNode row = Json.MAPPER.readTree(Path.of(table, "comparison.json").toFile()).get("rows").get(0);
        assertEquals(student.numParams(), row.get("parameters").asLong());
        assertEquals(acc, row.get("heldout_mlm_accuracy").asDouble(), 1e-9);
        assertTrue(row.get("latency_median_ms").asDouble() > 0);
        assertTrue(Files.readString(Path.of(table, "comparison.md")).contains("| tinybert | 1 | 16 |"));
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
