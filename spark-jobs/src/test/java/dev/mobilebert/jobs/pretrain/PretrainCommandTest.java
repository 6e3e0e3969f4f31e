package dev.mobilebert.jobs.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.jobs.pretraining.PreparePretrainingJob;
import dev.mobilebert.jobs.spark.RecordsKryoRegistrator;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pretrain command end to end on local[2]: shards prepared from Gutenberg books with the real BERT vocabulary
 * (prepare-pretraining), a tiny teacher (test resource tiny_teacher.json) trained by parameter averaging, held-out
 * MLM/NSP evaluation on a different book.
 */
class PretrainCommandTest {
    static final List<String> TRAIN_BOOKS = List.of("christmas_carol.txt", "metamorphosis.txt");
    static final List<String> HELD_OUT_BOOKS = List.of("time_machine.txt");

    @TempDir static Path tmp;
    static String train;
    static String heldOut;
    static String model;

    static SparkSession spark() {
        return SparkSession.builder().config(LocalSpark.conf("local[2]")
                .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator," + RecordsKryoRegistrator.class.getName())).getOrCreate();
    }

    @BeforeAll
    static void prepareShards() throws Exception {
        SparkSession spark = spark();
        // short sequences keep steps cheap: max_seq_length 32, 5 predictions
        PretrainingConfig cfg = new PretrainingConfig(32, 5, 0.15, 0.1, 2, 12345, true, false);
        train = tmp.resolve("train").toString();
        heldOut = tmp.resolve("heldout").toString();
        PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(books(TRAIN_BOOKS), vocab(), train, 4, CorpusFormat.AUTO, cfg, 2));
        PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(books(HELD_OUT_BOOKS), vocab(), heldOut, 2, CorpusFormat.AUTO,
                cfg.withDupeFactor(1), 2));
        model = Path.of(PretrainCommandTest.class.getResource("/pretrain/tiny_teacher.json").toURI()).toString();
    }

    static List<String> books(List<String> names) {
        return names.stream().map(b -> SharedData.require(SharedData.gutenberg().resolve(b)).toString()).toList();
    }

    static String vocab() {
        return SharedData.require(SharedData.vocab()).toString();
    }

    static List<String> args(String out, int steps, int checkpointEvery, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--master", "local[2]", "--model-config", model, "--data", train,
                "--held-out", heldOut, "--out", out, "--num-train-steps", String.valueOf(steps), "--learning-rate", "0.02",
                "--workers", "2", "--batch-size-per-worker", "8",
                "--set", "optimizer.num_warmup_steps=" + Math.max(1, steps / 10), "--set", "averaging_frequency=5",
                "--set", "checkpoint_every_steps=" + checkpointEvery, "--set", "log_every_steps=5", "--set", "progress=false"));
        a.addAll(List.of(more));
        return a;
    }

    static List<JsonNode> rows(String out, String stage) throws IOException {
        return Files.readAllLines(Path.of(out, "metrics.jsonl")).stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).filter(n -> stage.equals(n.path("stage").asText())).toList();
    }

    static JsonNode summary(String out) throws IOException {
        return Json.MAPPER.readTree(Path.of(out, "summary.json").toFile());
    }

    /** A short run logs every metric the issue lists; deleting its last checkpoint and resuming ends the same way. */
    @Test
    void shortRunLogsMlmNspMetricsAndResumesFromACheckpoint() throws Exception {
        spark();
        String out = tmp.resolve("short").toString();
        assertEquals(0, Main.run(args(out, 10, 5).toArray(String[]::new)));
        List<JsonNode> trainRows = rows(out, "train");
        assertEquals(List.of(5, 10), trainRows.stream().map(r -> r.get("step").asInt()).toList());
        for (JsonNode r : trainRows) {
            for (String k : List.of("loss", "mlm_loss", "mlm_accuracy", "nsp_loss", "nsp_accuracy", "learning_rate", "grad_norm", "sequences_per_s")) {
                assertTrue(r.has(k) && Double.isFinite(r.get(k).asDouble()), k + " in " + r);
            }
            // DL4J's loss is the sum of both heads' mean losses (BERT's total loss)
            assertEquals(r.get("loss").asDouble(), r.get("mlm_loss").asDouble() + r.get("nsp_loss").asDouble(), 1e-3 * r.get("loss").asDouble());
        }
        JsonNode chunk = rows(out, "chunk").get(0);
        for (String k : List.of("compute_ms", "averaging_ms", "data_ms", "sequences_per_s")) assertTrue(chunk.has(k), k);
        JsonNode s = summary(out);
        assertEquals(10, s.get("steps").asInt());
        for (String k : List.of("heldout_mlm_accuracy", "heldout_nsp_accuracy", "heldout_mlm_loss", "heldout_nsp_loss", "heldout_mlm_majority_baseline")) {
            assertTrue(s.has(k) && Double.isFinite(s.get(k).asDouble()), k + " in " + s);
        }
        assertTrue(s.get("heldout_examples").asLong() > 100, s.toString());

        // "crash" after the step-5 checkpoint: remove what the rest of the run wrote, then --resume
        String resumed = tmp.resolve("resumed").toString();
        copy(Path.of(out), Path.of(resumed));
        deleteTree(Path.of(resumed, "checkpoints", "step-000000010"));
        Files.delete(Path.of(resumed, "summary.json"));
        assertNotEquals(0, Main.run(args(resumed, 10, 5).toArray(String[]::new)), "a run with checkpoints needs --resume");
        assertEquals(0, Main.run(args(resumed, 10, 5, "--resume").toArray(String[]::new)));
        assertEquals(1, rows(resumed, "resume").size());
        assertEquals(5, rows(resumed, "resume").get(0).get("step").asInt());
        JsonNode r = summary(resumed);
        assertEquals(10, r.get("steps").asInt());
        assertEquals(5, r.get("steps_this_session").asInt());
        assertEquals(s.get("batches_seen").asLong(), r.get("batches_seen").asLong(), "no data lost or doubled");
        assertEquals(s.get("final_loss").asDouble(), r.get("final_loss").asDouble(), 1e-3 * s.get("final_loss").asDouble());
        assertEquals(s.get("heldout_mlm_loss").asDouble(), r.get("heldout_mlm_loss").asDouble(), 1e-3 * s.get("heldout_mlm_loss").asDouble());
    }

    /**
     * The acceptance run: held-out MLM accuracy above the most-frequent-token baseline, NSP above chance.
     * Not met yet (measured, docs/pretrain.md): after 300 steps the training loss falls 10.98 -> 6.40 but held-out MLM
     * accuracy equals the majority baseline (0.0621: the model predicts the most frequent token) and held-out NSP the
     * majority class share (0.634). Needs a longer or better-tuned run than fits here.
     */
    @Test
    @Tag("slow")
    @Disabled("acceptance criterion not met yet: held-out MLM accuracy stays at the majority baseline after 300 steps")
    void learnsMlmAboveTheMajorityBaselineAndNspAboveChance() throws Exception {
        spark();
        String out = tmp.resolve("long").toString();
        int steps = Integer.getInteger("pretrain.test.steps", 300);
        assertEquals(0, Main.run(args(out, steps, 100, "--eval-every-steps", "100").toArray(String[]::new)));
        List<JsonNode> trainRows = rows(out, "train");
        System.out.println("pretrain test: train " + trainRows);
        System.out.println("pretrain test: eval " + rows(out, "eval"));
        JsonNode s = summary(out);
        double firstLoss = trainRows.get(0).get("loss").asDouble();
        double lastLoss = trainRows.stream().skip(trainRows.size() - 4).mapToDouble(n -> n.get("loss").asDouble()).average().orElseThrow();
        assertTrue(lastLoss < firstLoss - 1.0, "training loss " + firstLoss + " -> " + lastLoss);
        assertTrue(s.get("heldout_mlm_accuracy").asDouble() > s.get("heldout_mlm_majority_baseline").asDouble() + 0.02, s.toString());
        assertTrue(s.get("heldout_nsp_accuracy").asDouble() > 0.5, s.toString());
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
