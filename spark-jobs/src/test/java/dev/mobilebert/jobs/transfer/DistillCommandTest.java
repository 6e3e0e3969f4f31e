package dev.mobilebert.jobs.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.jobs.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.mobilebert.jobs.transfer.TransferTestData.*;
import static org.junit.jupiter.api.Assertions.*;

/** The distill command end to end on local[2]: real shards, a tiny teacher and a thinner student, parameter averaging. */
class DistillCommandTest {
    @TempDir static Path tmp;
    static TransferTestData data;

    @BeforeAll
    static void prepare() throws Exception {
        data = TransferTestData.prepare(tmp);
    }

    static String[] args(String out, String... more) {
        List<String> a = new ArrayList<>(List.of("distill", "--master", "local[2]", "--teacher", data.teacherZip, "--student", data.studentZip,
                "--data", data.train, "--out", out, "--num-train-steps", "10", "--learning-rate", "0.01",
                "--workers", "2", "--batch-size-per-worker", "4", "--set", "optimizer.num_warmup_steps=2", "--set", "averaging_frequency=5",
                "--set", "checkpoint_every_steps=5", "--set", "log_every_steps=5", "--set", "progress=false"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /**
     * KD/MLM/NSP metrics per step and held-out values; a resumed copy of the run ends with the same loss and data
     * position as the original (the resumed session skips the held-out evaluation to keep the test short).
     */
    @Test
    void distillLogsKdMlmNspMetricsEvaluatesAndResumes() throws Exception {
        spark();
        String out = tmp.resolve("pd").toString();
        assertEquals(0, Main.run(args(out, "--held-out", data.heldOut)));
        List<JsonNode> train = rows(Path.of(out, "metrics.jsonl"), "train");
        assertEquals(List.of(5, 10), train.stream().map(r -> r.get("step").asInt()).toList());
        for (JsonNode r : train) {
            for (String k : List.of("loss", "kd_loss", "mlm_loss", "mlm_accuracy", "nsp_loss", "nsp_accuracy", "learning_rate", "grad_norm")) {
                assertTrue(r.has(k) && Double.isFinite(r.get(k).asDouble()), k + " in " + r);
            }
            // the graph's loss is KD (the soft-target MLM loss) + NSP, and the probe recomputes both from the activations
            assertEquals(r.get("loss").asDouble(), r.get("kd_loss").asDouble() + r.get("nsp_loss").asDouble(), 1e-3 * r.get("loss").asDouble());
            // with alpha 0.5 the target is half one-hot: its cross-entropy is at least half the plain MLM loss
            assertTrue(r.get("kd_loss").asDouble() >= 0.5 * r.get("mlm_loss").asDouble() - 1e-4, r.toString());
        }
        JsonNode s = json(Path.of(out, "summary.json"));
        for (String k : List.of("heldout_mlm_accuracy", "heldout_mlm_loss", "heldout_nsp_accuracy", "heldout_mlm_majority_baseline")) {
            assertTrue(s.has(k) && Double.isFinite(s.get(k).asDouble()), k + " in " + s);
        }
        assertTrue(Files.exists(Path.of(out, "config", "teacher.json")) && Files.exists(Path.of(out, "config", "distillation.json")));

        String resumed = tmp.resolve("pd-resumed").toString();
        copy(Path.of(out), Path.of(resumed));
        deleteTree(Path.of(resumed, "checkpoints", "step-000000010"));
        Files.delete(Path.of(resumed, "summary.json"));
        assertNotEquals(0, Main.run(args(resumed)), "a run with checkpoints needs --resume");
        assertEquals(0, Main.run(args(resumed, "--resume")));
        JsonNode r = json(Path.of(resumed, "summary.json"));
        assertEquals(5, r.get("steps_this_session").asInt());
        assertEquals(s.get("batches_seen").asLong(), r.get("batches_seen").asLong());
        assertEquals(s.get("final_loss").asDouble(), r.get("final_loss").asDouble(), 1e-3 * s.get("final_loss").asDouble());
    }

    @Test
    void aStudentWithAnotherVocabularyIsRefused() {
        var teacher = new dev.mobilebert.model.MobileBertConfig();
        teacher.vocabSize = 10;
        var student = new dev.mobilebert.model.MobileBertConfig();
        student.vocabSize = 11;
        var e = assertThrows(IllegalArgumentException.class, () -> DistillJob.checkCompatible(teacher, student));
        assertTrue(e.getMessage().contains("vocab_size 10 vs 11"), e.getMessage());
    }
}
