package dev.mobilebert.model.nn;

import org.nd4j.linalg.factory.Nd4j;

/**
 * libnd4j's own (OpenMP) threads for the non-BLAS ops — elementwise, bias add, softmax, permutes — set apart from the
 * BLAS threads. MobileBERT's arrays are small ([128, 128] at batch 1): splitting them over threads costs more than it
 * saves, and in Spark every task is already a thread of its own. Measured on the 2-core machine (docs/speed.md,
 * session 4), BLAS on 2 threads: forward batch 1 120 ms with 1 op thread vs 144–194 ms with 2; train step batch 8
 * 3.39 s vs 5.28 s. Default 1; {@code -Dmobilebert.opThreads=N} overrides. Applied once per JVM when the model's vertices load
 * (driver and executors alike) and by the bench commands.
 */
public final class OpThreads {
    public static final String PROPERTY = "mobilebert.opThreads";
    private static volatile boolean applied;

    private OpThreads() {}

    public static int configured() {
        return Math.max(1, Integer.getInteger(PROPERTY, 1));
    }

    /** Sets libnd4j's op threads to {@link #configured()} (once per JVM; later calls do nothing). */
    public static void apply() {
        if (applied) return;
        synchronized (OpThreads.class) {
            if (applied) return;
            int n = configured();
            // The master count is what takes effect: libnd4j 1.0.0-M2.1 keeps maxThreads at the OpenMP count whatever
            // is set (measured: setMaxThreads(1) leaves 2), but its ops split their loops over maxMasterThreads.
            Nd4j.getEnvironment().setMaxMasterThreads(n);
            Nd4j.getEnvironment().setMaxThreads(n);
            applied = true;
        }
    }
}
