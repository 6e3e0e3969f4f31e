package dev.mobilebert.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Arrays;
import java.util.Random;

/** Latency and training-step benchmarks on random inputs (random weights: speed does not depend on them). */
public final class Bench {
    private Bench() {}

    /** Timings in milliseconds: median, min and every repetition. */
    public record Result(String what, double medianMs, double minMs, double[] runsMs) {
        public String format() {
            return String.format("%s: median %.1f ms, min %.1f ms over %d runs", what, medianMs, minMs, runsMs.length);
        }
    }

    /** Pins ND4J's and OpenBLAS's thread counts (OMP_NUM_THREADS should match; bin/mobilebert sets it). */
    public static void pinThreads(int threads) {
        if (threads <= 0) return;
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    static INDArray randomIds(Random r, int b, int t, int vocab) {
        INDArray a = Nd4j.create(DataType.FLOAT, b, t);
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) a.putScalar(i, j, 1000 + r.nextInt(vocab - 1000));
        return a;
    }

    /** Encoder forward (embeddings + all layers, no heads), inference mode. */
    public static Result latency(MobileBertConfig c, int batch, int seq, int warmup, int runs) {
        ComputationGraph g = MobileBertModel.encoder(c, 1).graph();
        Random r = new Random(1);
        INDArray ids = randomIds(r, batch, seq, c.vocabSize), types = Nd4j.zeros(DataType.FLOAT, batch, seq);
        INDArray mask = Nd4j.ones(DataType.FLOAT, batch, seq);
        INDArray[] masks = {mask, mask};
        return time("encoder forward b=" + batch + " T=" + seq, warmup, runs, () -> g.output(false, new INDArray[]{ids, types}, masks, null));
    }

    /** One fit() step of the pretraining graph: MLM at {@code predictions} positions + NSP, Adam. */
    public static Result trainStep(MobileBertConfig c, int batch, int seq, int predictions, int warmup, int runs) {
        MobileBertModel m = MobileBertModel.pretraining(c, new Adam(1e-4), 1);
        Random r = new Random(1);
        INDArray ids = randomIds(r, batch, seq, c.vocabSize), types = Nd4j.zeros(DataType.FLOAT, batch, seq);
        INDArray mask = Nd4j.ones(DataType.FLOAT, batch, seq);
        INDArray pos = Nd4j.create(DataType.FLOAT, batch, predictions), lm = randomIds(r, batch, predictions, c.vocabSize);
        for (int i = 0; i < batch; i++) for (int j = 0; j < predictions; j++) pos.putScalar(i, j, 1 + j * (seq - 1) / predictions);
        INDArray w = Nd4j.ones(DataType.FLOAT, batch, predictions), nsp = Nd4j.zeros(DataType.FLOAT, batch, 1);
        MultiDataSet ds = new MultiDataSet(new INDArray[]{ids, types, pos}, new INDArray[]{lm, nsp},
                new INDArray[]{mask, mask, w}, new INDArray[]{w, null});
        return time("train step b=" + batch + " T=" + seq + " P=" + predictions, warmup, runs, () -> m.graph().fit(ds));
    }

    private static Result time(String what, int warmup, int runs, Runnable step) {
        for (int i = 0; i < warmup; i++) step.run();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] s = ms.clone();
        Arrays.sort(s);
        return new Result(what, s[s.length / 2], s[0], ms);
    }
}
