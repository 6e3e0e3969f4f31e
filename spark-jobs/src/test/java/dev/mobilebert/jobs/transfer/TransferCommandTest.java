package dev.mobilebert.jobs.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.model.MobileBertModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.mobilebert.jobs.transfer.TransferTestData.*;
import static org.junit.jupiter.api.Assertions.*;

/** The transfer command (PKT) end to end on local[2]: real shards, a tiny teacher, a thinner student, two stages. */
class TransferCommandTest {
    @TempDir static Path tmp;
    static TransferTestData data;

    @BeforeAll
    static void prepare() throws Exception {
        data = TransferTestData.prepare(tmp, false);
    }

    static String[] args(String out, String... more) {
        List<String> a = new ArrayList<>(List.of("transfer", "--master", "local[2]", "--teacher", data.teacherZip,
                "--student-config", data.studentConfig, "--data", data.train, "--out", out,
                "--learning-rate", "0.002", "--workers", "2", "--batch-size-per-worker", "4", "--set", "optimizer.num_warmup_steps=2",
                "--set", "averaging_frequency=5", "--set", "checkpoint_every_steps=5", "--set", "log_every_steps=1", "--set", "progress=false"));
        a.addAll(List.of(more));
        if (!a.contains("--steps-per-stage")) a.addAll(List.of("--steps-per-stage", "10"));
        return a.toArray(String[]::new);
    }

    static Map<String, INDArray> hf(Path zip) throws Exception {
        ComputationGraph g = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        return new MobileBertModel(StoredModels.configOf(g, zip.toString()), g).hfParams();
    }

    static boolean same(INDArray a, INDArray b) {
        return java.util.Arrays.equals(a.dup().data().asFloat(), b.dup().data().asFloat());
    }

    static Path stageCheckpoint(String out, int layer, int step) {
        return Path.of(out, "stages", TransferJob.stageName(layer), "checkpoints", String.format("step-%09d", step), "model.zip");
    }

    /**
     * Every stage logs its FMT/AT block with warmup restarting, trains only its layer (the layer below is
     * bit-identical across stage 1), and a run interrupted inside stage 1 resumes there without retraining stage 0,
     * ending with the same student.
     */
    @Test
    void pktStagesTrainTheirLayerOnlyAndAnInterruptedStageResumesWithoutRetrainingEarlierOnes() throws Exception {
        spark();
        String out = tmp.resolve("pkt").toString();
        assertEquals(0, Main.run(args(out)));
        for (int layer = 0; layer < 2; layer++) {
            List<JsonNode> rows = rows(Path.of(out, "metrics.jsonl"), TransferJob.stageName(layer));
            assertEquals(10, rows.size(), "one block of 10 rows for stage " + layer);
            for (JsonNode r : rows) {
                for (String k : List.of("loss", "fmt", "fmt_mean", "fmt_variance", "at", "learning_rate", "grad_norm", "teacher_forward_ms", "student_step_ms")) {
                    assertTrue(r.has(k) && Double.isFinite(r.get(k).asDouble()), k + " in " + r);
                }
                assertEquals(layer, r.get("layer").asInt());
            }
            // warmup (2 steps) restarts in every stage: lr 0 at the stage's first update, half the peak at its second
            assertEquals(0.0, rows.get(0).get("learning_rate").asDouble(), 1e-12);
            assertEquals(0.001, rows.get(1).get("learning_rate").asDouble(), 1e-9);
        }
        // (whether the stage losses fall is shown by the model tests and the laptop-scale run with a pretrained teacher:
        // against this random teacher a fresh layer starts almost at the teacher's near-identity layer)
        // stage 1 starts from stage 0's result and changes only layer 1
        Map<String, INDArray> afterStage0 = hf(stageCheckpoint(out, 0, 10)), afterStage1 = hf(stageCheckpoint(out, 1, 10));
        Map<String, INDArray> teacher = hf(Path.of(data.teacherZip));
        // bit for bit (INDArray.equals tolerates 1e-5, more than a query bias moves in 10 steps)
        // (a tensor whose gradient stays far below LAMB's epsilon, e.g. the shared q/k bottleneck's NoNorm weight of 1.0
        // against this random teacher, can keep its float32 value: most of layer 1 must move, nothing else may)
        int layer1 = 0, moved = 0;
        for (var e : afterStage1.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("mobilebert.encoder.layer.1.")) {
                layer1++;
                if (!same(afterStage0.get(name), e.getValue())) moved++;
            } else {
                assertTrue(same(afterStage0.get(name), e.getValue()), "changed in stage 1: " + name);
            }
        }
        assertTrue(moved >= 0.8 * layer1, moved + " of " + layer1 + " layer-1 tensors moved in stage 1");
        assertTrue(same(teacher.get("mobilebert.embeddings.word_embeddings.weight"), afterStage1.get("mobilebert.embeddings.word_embeddings.weight")));
        Map<String, INDArray> student = hf(Path.of(out, "student", "model.zip"));
        afterStage1.forEach((name, v) -> assertTrue(same(v, student.get(name)), name));

        // interrupted after stage 1's step-5 checkpoint: what a crash leaves behind
        String crashed = tmp.resolve("crashed").toString();
        copy(Path.of(out), Path.of(crashed));
        deleteTree(stageCheckpoint(crashed, 1, 10).getParent());
        deleteTree(Path.of(crashed, "student"));
        Files.delete(Path.of(crashed, "summary.json"));
        Files.delete(Path.of(crashed, "stages", TransferJob.stageName(1), "summary.json"));
        Path metrics = Path.of(crashed, "metrics.jsonl");
        Files.write(metrics, Files.readAllLines(metrics).stream().filter(l -> !l.contains(TransferJob.stageName(1))).toList());
        long stage0Rows = Files.readAllLines(Path.of(crashed, "stages", TransferJob.stageName(0), "metrics.jsonl")).size();
        File stage0Checkpoint = stageCheckpoint(crashed, 0, 10).toFile();
        long stage0Modified = stage0Checkpoint.lastModified();

        assertNotEquals(0, Main.run(args(crashed)), "a run with checkpoints needs --resume");
        assertEquals(0, Main.run(args(crashed, "--resume")));
        assertEquals(stage0Rows, Files.readAllLines(Path.of(crashed, "stages", TransferJob.stageName(0), "metrics.jsonl")).size(),
                "stage 0 is not retrained");
        assertEquals(stage0Modified, stage0Checkpoint.lastModified());
        List<JsonNode> resumes = rows(Path.of(crashed, "stages", TransferJob.stageName(1), "metrics.jsonl"), "resume");
        assertEquals(1, resumes.size());
        assertEquals(5, resumes.get(0).get("step").asInt());
        assertEquals(10, rows(metrics, TransferJob.stageName(1)).size());
        Map<String, INDArray> resumed = hf(Path.of(crashed, "student", "model.zip"));
        student.forEach((name, v) -> assertEquals(0.0, v.sub(resumed.get(name)).amaxNumber().doubleValue(), 1e-5, name));
    }

    /** JKT and AKT run as one stage each; AKT's rows carry the distillation terms; the final student is evaluated. */
    @Test
    void jktAndAktRunAsOneStageEachAndEvaluateTheFinalStudent() throws Exception {
        spark();
        for (String strategy : List.of("jkt", "akt")) {
            String out = tmp.resolve(strategy).toString();
            // --held-out on the training shards only exercises the evaluation path here
            assertEquals(0, Main.run(args(out, "--strategy", strategy, "--steps-per-stage", "5", "--held-out", data.train)));
            List<JsonNode> rows = rows(Path.of(out, "metrics.jsonl"), strategy);
            assertEquals(5, rows.size());
            for (JsonNode r : rows) {
                List<String> keys = new ArrayList<>(List.of("loss", "fmt", "at", "grad_norm"));
                if (strategy.equals("akt")) keys.addAll(List.of("kd_loss", "mlm_accuracy", "nsp_loss"));
                for (String k : keys) assertTrue(r.has(k) && Double.isFinite(r.get(k).asDouble()), k + " in " + r);
                if (strategy.equals("jkt")) assertFalse(r.has("kd_loss"), r.toString());
            }
            JsonNode s = json(Path.of(out, "summary.json"));
            assertTrue(Double.isFinite(s.get("heldout_mlm_accuracy").asDouble()), s.toString());
            assertTrue(Files.exists(Path.of(out, "student", "model.zip")));
        }
    }

    @Test
    void aStudentOfAnotherWidthIsRefused() {
        var teacher = new dev.mobilebert.model.MobileBertConfig();
        var student = new dev.mobilebert.model.MobileBertConfig();
        teacher.hiddenSize = 48;
        student.hiddenSize = 32;
        var e = assertThrows(IllegalArgumentException.class, () -> TransferJob.checkShapes(teacher, student));
        assertTrue(e.getMessage().contains("hidden_size 48 vs 32"), e.getMessage());
    }
}
