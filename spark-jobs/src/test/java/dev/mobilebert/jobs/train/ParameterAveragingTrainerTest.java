package dev.mobilebert.jobs.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.optim.OptimizerSettings;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.train.Checkpoints;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The chunked parameter-averaging loop on local[2], on a small regression graph. */
class ParameterAveragingTrainerTest {
    private static final int STEPS = 16;

    @TempDir
    Path tmp;

    private static TrainingSettings settings(int checkpointEvery) {
        return settings(checkpointEvery, STEPS);
    }

    private static TrainingSettings settings(int checkpointEvery, int steps) {
        var opt = new OptimizerSettings("lamb", 0.1, 2, steps, 1.0, 0.0, 0.9, 0.999, 1e-6, false, 0.01, null, 1.0);
        return new TrainingSettings(2, 8, 2, "direct", null, "MEMORY_ONLY_SER", checkpointEvery, 2, 2, 42L,
                true, true, opt);
    }

    private static JavaSparkContext sc() {
        return LocalSpark.context();
    }

    @Test
    void trainsInChunksWithCheckpointsMetricsAndSummary() throws IOException {
        RunDirectory run = RunDirectory.open(tmp.resolve("run").toString());
        var data = new SyntheticRegression(16, 8, Integer.MAX_VALUE, 0);
        var heldOut = new SyntheticRegression(3, 8, Integer.MAX_VALUE, 1_000_000);
        var result = new ParameterAveragingTrainer(sc(), settings(4), run).evaluateWith(new HeldOutLoss(heldOut), 8)
                .train(SyntheticRegression::graph, data, false);

        assertEquals(STEPS, result.state().step());
        assertEquals(STEPS, result.net().getIterationCount());
        assertEquals(2, result.state().epoch()); // 16 steps x 2 workers = 32 batches = 2 epochs of 16
        assertEquals(0, result.state().batchInEpoch());
        List<Checkpoints.Checkpoint> kept = new Checkpoints(run.checkpointsDir()).list();
        assertEquals(List.of(12, 16), kept.stream().map(c -> c.state().step()).toList());

        List<JsonNode> rows = metrics(run);
        List<JsonNode> train = rows.stream().filter(r -> r.get("stage").asText().equals("train")).toList();
        assertEquals(STEPS / 2, train.size(), rows.toString()); // log_every_steps = 2
        // the workers' step counts advance across averaging rounds (each step reported once by each worker)
        assertEquals(List.of(2, 4, 6, 8, 10, 12, 14, 16), train.stream().map(r -> r.get("step").asInt()).toList());
        for (JsonNode r : train) {
            assertTrue(r.get("grad_norm").asDouble() > 0 && Double.isFinite(r.get("loss").asDouble()), r.toString());
            assertEquals(2, r.get("workers").asInt(), r.toString());
        }
        assertEquals(0.1 * 1 / 2, train.get(0).get("learning_rate").asDouble(), 1e-9); // step 2 = iteration 1, in warmup
        assertEquals(0.1 * (1 - 15 / (double) STEPS), train.get(train.size() - 1).get("learning_rate").asDouble(), 1e-9);
        double first = train.get(0).get("loss").asDouble();
        double lastLoss = train.get(train.size() - 1).get("loss").asDouble();
        assertTrue(lastLoss < 0.8 * first, "loss should fall: " + first + " -> " + lastLoss);
        JsonNode chunk = rows.stream().filter(r -> r.get("stage").asText().equals("chunk")).findFirst().orElseThrow();
        assertTrue(chunk.get("sequences_per_s").asDouble() > 0 && chunk.has("compute_ms") && chunk.has("averaging_ms"), chunk.toString());
        assertTrue(run.isComplete());

        List<JsonNode> evals = rows.stream().filter(r -> r.get("stage").asText().equals("eval")).toList();
        assertEquals(List.of(8, 16), evals.stream().map(r -> r.get("step").asInt()).toList());
        assertEquals(24, evals.get(1).get("heldout_examples").asInt());
        double expected = 0;
        for (int i = 0; i < 3; i++) expected += result.net().score(SyntheticRegression.batch(1_000_000 + i, 8, false), false) / 3;
        assertEquals(expected, evals.get(1).get("heldout_loss").asDouble(), 1e-5 * Math.max(1, expected));
    }

    @Test
    void resumeAfterCrashEndsLikeAnUninterruptedRun() throws IOException {
        var data = new SyntheticRegression(16, 8, Integer.MAX_VALUE, 0);
        RunDirectory whole = RunDirectory.open(tmp.resolve("whole").toString());
        var uninterrupted = new ParameterAveragingTrainer(sc(), settings(4, 8), whole).train(SyntheticRegression::graph, data, false);

        RunDirectory crashed = RunDirectory.open(tmp.resolve("crashed").toString());
        var crashing = new ParameterAveragingTrainer(sc(), settings(4, 8), crashed).onCheckpoint((state, ckpt) -> {
            if (state.step() == 4) throw new SimulatedCrash();
        });
        assertThrows(SimulatedCrash.class, () -> crashing.train(SyntheticRegression::graph, data, false));
        assertFalse(crashed.isComplete());
        assertThrows(IllegalStateException.class,
                () -> new ParameterAveragingTrainer(sc(), settings(4, 8), crashed).train(SyntheticRegression::graph, data, false),
                "a run with checkpoints must not be restarted without --resume");

        var resumed = new ParameterAveragingTrainer(sc(), settings(4, 8), RunDirectory.open(tmp.resolve("crashed").toString()))
                .train(SyntheticRegression::graph, data, true);
        assertEquals(uninterrupted.state(), resumed.state());
        assertEquals(8, resumed.net().getIterationCount());
        INDArray a = uninterrupted.net().params();
        INDArray b = resumed.net().params();
        double diff = a.sub(b).norm2Number().doubleValue() / a.norm2Number().doubleValue();
        assertTrue(diff < 1e-4, "resumed parameters differ from the uninterrupted run by " + diff + " (relative)");
        assertEquals(uninterrupted.lastLoss(), resumed.lastLoss(), 1e-4 * Math.max(1, Math.abs(uninterrupted.lastLoss())));
        assertTrue(metrics(crashed).stream().anyMatch(r -> r.get("stage").asText().equals("resume") && r.get("step").asInt() == 4));
    }

    @Test
    void nanGuardStopsAndKeepsTheLastGoodCheckpoint() throws IOException {
        RunDirectory run = RunDirectory.open(tmp.resolve("nan").toString());
        var data = new SyntheticRegression(16, 8, 1, 0); // epoch 1 (from step 8 on) is NaN
        var e = assertThrows(TrainingDiverged.class,
                () -> new ParameterAveragingTrainer(sc(), settings(4), run).train(SyntheticRegression::graph, data, false));
        assertTrue(e.getMessage().contains("between steps 8 and 10") && e.getMessage().contains("step 9 had loss NaN") && e.getMessage().contains("step-000000008"), e.getMessage());
        var latest = new Checkpoints(run.checkpointsDir()).latest().orElseThrow();
        assertEquals(8, latest.state().step());
        INDArray params = latest.loadModel().params();
        assertFalse(params.isNaN().any() || params.isInfinite().any());
        assertFalse(run.isComplete());
        assertTrue(metrics(run).stream().anyMatch(r -> r.get("stage").asText().equals("diverged")));
    }

    /**
     * Clipping must happen on the workers: with clip_norm 1e-9 the clipped gradient is far below AdamW's epsilon, so
     * the first steps barely move the parameters, unlike the same run without clipping.
     */
    @Test
    void clippingRunsOnTheWorkers() throws IOException {
        var data = new SyntheticRegression(16, 8, Integer.MAX_VALUE, 0);
        double[] moved = new double[2];
        double[] clips = {1e-9, 0};
        for (int i = 0; i < 2; i++) {
            var opt = new OptimizerSettings("adamw", 0.01, 0, 2, 1.0, 0.0, 0.9, 0.999, 1e-6, false, 0.0, null, clips[i]);
            var s = new TrainingSettings(2, 8, 2, "direct", null, "NONE", 2, 1, 1, 42L, false, false, opt);
            var run = RunDirectory.open(tmp.resolve("clip" + i).toString());
            var start = new org.deeplearning4j.nn.graph.ComputationGraph(SyntheticRegression.graph());
            start.init();
            var result = new ParameterAveragingTrainer(sc(), s, run).train(SyntheticRegression::graph, data, false);
            moved[i] = result.net().params().sub(start.params()).norm2Number().doubleValue();
        }
        assertTrue(moved[0] < 0.01 * moved[1], "clipped run moved " + moved[0] + ", unclipped " + moved[1]);
    }

    @Test
    void jobConfigParsesAndIsConsistent() throws IOException {
        String home = System.getProperty("mobilebert.home");
        TrainingSettings s = TrainingSettings.load(Path.of(home, "conf", "jobs", "pretrain-training.json").toString());
        assertEquals("lamb", s.optimizer().optimizer());
        assertEquals(1.0, s.optimizer().clipNorm());
        assertThrows(IllegalArgumentException.class, () -> new TrainingSettings(2, 8, 3, "direct", null, "NONE", 4, 1, 1, 1,
                false, false, s.optimizer()), "checkpoint interval must be a multiple of the averaging frequency");
    }

    private static List<JsonNode> metrics(RunDirectory run) throws IOException {
        Path file = Path.of(run.metrics().file().toUri());
        return Files.readAllLines(file).stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }).toList();
    }

    private static final class SimulatedCrash extends RuntimeException {}
}
