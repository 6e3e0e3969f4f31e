package dev.mobilebert.jobs.train;

import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.optim.OptimizerSettings;
import dev.mobilebert.testing.LocalSpark;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What parameter averaging must compute, checked against a hand-run reference: a 2-worker round equals the average
 * of the two workers' independent steps from the same start — parameters AND AdamW moments, with the iteration count
 * (learning-rate schedule, bias correction) carried from round to round. If this holds, a 2-worker run that learns
 * slower than 1 worker with the same global batch is the method (averaging two Adam steps is not one Adam step on
 * the union of the batches), not a defect of the wiring.
 */
class AveragingRoundTest {
    @TempDir Path tmp;

    @Test
    void twoWorkerRoundsEqualTheAverageOfIndependentStepsFromTheSameStart() throws IOException {
        int steps = 4;
        // every epoch is the same two batches (in a shuffled order), so each round's pair is {batch 0, batch 1}
        var data = new SyntheticRegression(2, 8, Integer.MAX_VALUE, 0);
        OptimizerSettings opt = OptimizerSettings.adamW(0.05, 1, steps);
        var settings = new TrainingSettings(2, 8, 1, "direct", null, "MEMORY_ONLY_SER", steps, 1, 1, 42L, false, false, opt);
        var trained = new ParameterAveragingTrainer(LocalSpark.context(), settings, RunDirectory.open(tmp.resolve("run").toString()))
                .train(SyntheticRegression::graph, data, false).net();

        ComputationGraph a = fresh(opt), b = fresh(opt);
        MultiDataSet first = SyntheticRegression.batch(0, 8, false), second = SyntheticRegression.batch(1, 8, false);
        for (int step = 0; step < steps; step++) {
            a.fit(first);
            b.fit(second);
            INDArray params = a.params().add(b.params()).divi(2);
            INDArray moments = a.getUpdater().getStateViewArray().add(b.getUpdater().getStateViewArray()).divi(2);
            for (ComputationGraph g : new ComputationGraph[]{a, b}) {
                g.setParams(params.dup());
                g.getUpdater().getStateViewArray().assign(moments);
            }
        }
        assertEquals(steps, trained.getIterationCount());
        assertEquals(steps, a.getIterationCount());
        INDArray start = fresh(opt).params();
        double moved = a.params().sub(start).norm2Number().doubleValue();
        double diff = trained.params().sub(a.params()).norm2Number().doubleValue();
        assertTrue(moved > 0.05, "the reference moved the parameters by " + moved);
        assertTrue(diff < 1e-5 * Math.max(1, moved), "averaged training differs from the hand-run average by " + diff + " (moved " + moved + ")");
        double momentDiff = trained.getUpdater().getStateViewArray().sub(a.getUpdater().getStateViewArray()).norm2Number().doubleValue();
        assertTrue(momentDiff < 1e-5, "AdamW moments differ by " + momentDiff);
    }

    private static ComputationGraph fresh(OptimizerSettings opt) {
        ComputationGraphConfiguration conf = SyntheticRegression.graph();
        opt.applyTo(conf);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        g.setListeners(opt.clipping(r -> {}));
        return g;
    }
}
