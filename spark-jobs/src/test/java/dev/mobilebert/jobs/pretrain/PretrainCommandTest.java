package dev.mobilebert.jobs.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
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
    @TempDir static Path tmp;
    static String train;
    static String heldOut;
    static String model;

    static SparkSession spark() {
        return PretrainFixtures.spark();
    }

    @BeforeAll
    static void prepareShards() throws Exception {
        PretrainFixtures.Shards shards = PretrainFixtures.prepare(spark(), tmp);
        train = shards.train();
        heldOut = shards.heldOut();
        model = shards.model();
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
     * With LAMB at a peak learning rate of 0.02 (the earlier settings) the model stayed exactly at the baseline: the
     * parameters LAMB excludes from the trust ratio (biases, LayerNorm; among them the MLM output bias over the
     * whole vocabulary) then move by ~lr = 0.02 per step, so the output bias learns the unigram distribution within
     * a few dozen steps and dwarfs the context term (see docs/pretrain.md, "Why held-out MLM accuracy stayed at the
     * baseline"). BERT's AdamW at 2e-3 with 10% warmup learns context here. Steps, optimizer and learning rate can be
     * changed with -Dpretrain.test.steps, -Dpretrain.test.optimizer, -Dpretrain.test.lr.
     */
    @Test
    @Tag("slow")
    void learnsMlmAboveTheMajorityBaselineAndNspAboveChance() throws Exception {
        spark();
        String out = tmp.resolve("long").toString();
        int steps = Integer.getInteger("pretrain.test.steps", 300);
        String optimizer = System.getProperty("pretrain.test.optimizer", "adamw");
        String lr = System.getProperty("pretrain.test.lr", "0.002");
        List<String> a = new ArrayList<>(args(out, steps, 100, "--eval-every-steps", "100", "--set", "optimizer.optimizer=" + optimizer));
        a.set(a.indexOf("--learning-rate") + 1, lr);
        long t0 = System.nanoTime();
        assertEquals(0, Main.run(a.toArray(String[]::new)));
        List<JsonNode> trainRows = rows(out, "train");
        System.out.printf("pretrain test: %d steps of %s lr %s in %.0f s%n", steps, optimizer, lr, (System.nanoTime() - t0) / 1e9);
        System.out.println("pretrain test: train " + trainRows);
        System.out.println("pretrain test: chunks " + rows(out, "chunk"));
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
