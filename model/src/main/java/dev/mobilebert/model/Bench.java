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

    /**
     * Timings in milliseconds: median, min and every repetition (wall clock), plus the median CPU time of the whole
     * process per run. On a loaded machine the CPU time is the comparable figure: with one thread it is the work
     * done, whatever the wait for a core (wall time then includes the other processes' turns).
     */
    public record Result(String what, double medianMs, double minMs, double[] runsMs, double medianCpuMs) {
        public Result(String what, double medianMs, double minMs, double[] runsMs) { this(what, medianMs, minMs, runsMs, Double.NaN); }

        public String format() {
            return String.format(java.util.Locale.ROOT, "%s: median %.1f ms, min %.1f ms over %d runs, cpu median %.1f ms, peak rss %.0f MB",
                    what, medianMs, minMs, runsMs.length, medianCpuMs, peakRssMb());
        }
    }

    /** Pins OpenBLAS's thread count (OMP_NUM_THREADS should match; bin/mobilebert sets it); libnd4j's op threads: {@link dev.mobilebert.model.nn.OpThreads}. */
    public static void pinThreads(int threads) {
        if (threads <= 0) return;
        // the BLAS gets the threads; libnd4j's own op threads stay at OpThreads' setting (default 1)
        dev.mobilebert.model.nn.OpThreads.apply();
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    static INDArray randomIds(Random r, int b, int t, int vocab) {
        INDArray a = Nd4j.create(DataType.FLOAT, b, t);
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) a.putScalar(i, j, 1000 + r.nextInt(vocab - 1000));
        return a;
    }

    /** Encoder forward (embeddings + all layers, no heads), inference mode. */
    public static Result latency(MobileBertConfig c, int batch, int seq, int warmup, int runs) {
        return time("encoder forward b=" + batch + " T=" + seq, warmup, runs, latencyStep(c, batch, seq));
    }

    /** One encoder forward on random ids (a fresh model with random weights). */
    public static Runnable latencyStep(MobileBertConfig c, int batch, int seq) {
        ComputationGraph g = MobileBertModel.encoder(c, 1).graph();
        Random r = new Random(1);
        INDArray ids = randomIds(r, batch, seq, c.vocabSize), types = Nd4j.zeros(DataType.FLOAT, batch, seq);
        INDArray mask = Nd4j.ones(DataType.FLOAT, batch, seq);
        INDArray[] masks = {mask, mask};
        return () -> g.output(false, new INDArray[]{ids, types}, masks, null);
    }

    /** One fit() step of the pretraining graph: MLM at {@code predictions} positions + NSP, Adam. */
    public static Result trainStep(MobileBertConfig c, int batch, int seq, int predictions, int warmup, int runs) {
        return time("train step b=" + batch + " T=" + seq + " P=" + predictions, warmup, runs, trainStep(c, batch, seq, predictions));
    }

    /**
     * One step of a progressive-knowledge-transfer stage as ProgressiveTransfer runs it: the teacher's forward pass
     * (TeacherTargets.of) and the student stage's forward, backward and LAMB update for {@code layer}.
     */
    public static Runnable pktStep(MobileBertConfig teacher, MobileBertConfig student, int batch, int seq, int layer) {
        MobileBertModel t = MobileBertModel.pretraining(teacher, null, 2);
        MobileBertModel s = MobileBertModel.pretraining(student, null, 1);
        var settings = dev.mobilebert.model.transfer.ProgressiveStage.Settings.official(layer,
                dev.mobilebert.optim.OptimizerSettings.lamb(1e-3, 0, 1_000_000));
        var stage = dev.mobilebert.model.transfer.ProgressiveStage.start(student, s.graph().params(), settings, 1);
        MultiDataSet ds = randomBatch(student, batch, seq, 20);
        return () -> stage.step(ds, dev.mobilebert.model.transfer.TeacherTargets.of(t, ds, layer));
    }

    /** Peak resident memory of this process (VmHWM), MB; NaN where /proc is not available. */
    public static double peakRssMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** One fit() of the pretraining graph on a fixed random contract batch (a fresh model, Adam). */
    public static Runnable trainStep(MobileBertConfig c, int batch, int seq, int predictions) {
        MobileBertModel m = MobileBertModel.pretraining(c, new Adam(1e-4), 1);
        MultiDataSet ds = randomBatch(c, batch, seq, predictions);
        return () -> m.graph().fit(ds);
    }

    /** A pretraining-contract batch of random ids, no padding, masked positions spread over the sequence. */
    static MultiDataSet randomBatch(MobileBertConfig c, int batch, int seq, int predictions) {
        Random r = new Random(1);
        INDArray ids = randomIds(r, batch, seq, c.vocabSize), types = Nd4j.zeros(DataType.FLOAT, batch, seq);
        INDArray mask = Nd4j.ones(DataType.FLOAT, batch, seq);
        INDArray pos = Nd4j.create(DataType.FLOAT, batch, predictions), lm = randomIds(r, batch, predictions, c.vocabSize);
        for (int i = 0; i < batch; i++) for (int j = 0; j < predictions; j++) pos.putScalar(i, j, 1 + j * (seq - 1) / predictions);
        INDArray w = Nd4j.ones(DataType.FLOAT, batch, predictions), nsp = Nd4j.zeros(DataType.FLOAT, batch, 1);
        MultiDataSet ds = new MultiDataSet(new INDArray[]{ids, types, pos}, new INDArray[]{lm, nsp},
                new INDArray[]{mask, mask, w}, new INDArray[]{w, null});
        return ds;
    }

    /**
     * Runs {@code runs} more repetitions with {@link dev.mobilebert.model.nn.OpProfile} on and returns the per-op table
     * (CPU and wall time per run), with a last row for everything outside the F operations (DL4J's graph plumbing,
     * losses, the updater) = the step's CPU time minus the ops' sum.
     */
    public static String profile(Runnable step, int runs) {
        dev.mobilebert.model.nn.OpProfile.reset();
        dev.mobilebert.model.nn.OpProfile.enable(true);
        long cpu0 = processCpuNanos(), t0 = System.nanoTime();
        try {
            for (int i = 0; i < runs; i++) step.run();
        } finally {
            dev.mobilebert.model.nn.OpProfile.enable(false);
        }
        double cpuMs = (processCpuNanos() - cpu0) / 1e6 / runs, wallMs = (System.nanoTime() - t0) / 1e6 / runs;
        double opsMs = dev.mobilebert.model.nn.OpProfile.snapshot().values().stream().mapToLong(v -> v[1]).sum() / 1e6 / runs;
        return dev.mobilebert.model.nn.OpProfile.table(runs)
                + String.format(java.util.Locale.ROOT, "| (outside the ops: graph, losses, updater, GC) | | %.1f | | | |%n", cpuMs - opsMs)
                + String.format(java.util.Locale.ROOT, "| (whole step, process) | | %.1f | %.1f | | |%n", cpuMs, wallMs);
    }

    public static Result time(String what, int warmup, int runs, Runnable step) {
        for (int i = 0; i < warmup; i++) step.run();
        double[] ms = new double[runs], cpu = new double[runs];
        for (int i = 0; i < runs; i++) {
            long c0 = processCpuNanos(), t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (processCpuNanos() - c0) / 1e6;
        }
        return new Result(what, median(ms), Arrays.stream(ms).min().orElse(Double.NaN), ms, median(cpu));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** CPU time of the whole process (all threads, incl. OpenMP/BLAS and the JVM's GC). */
    static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean b ? b.getProcessCpuTime() : -1;
    }
}
