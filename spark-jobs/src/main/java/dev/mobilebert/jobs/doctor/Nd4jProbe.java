package dev.mobilebert.jobs.doctor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.io.Serializable;

/** What ND4J looks like in this JVM (driver or executor), and whether a matmul gives the right answer. */
record Nd4jProbe(String backend, String blasVendor, String blasVersion, int ompMaxThreads, int nd4jMaxThreads,
                 double matmulMaxError, String error) implements Serializable {

    static Nd4jProbe run() {
        try {
            String backend = Nd4j.getBackend().getClass().getSimpleName();
            dev.mobilebert.model.nn.OpThreads.apply(); // what a model run in this JVM uses
            var env = Nd4j.getEnvironment();
            String blasVendor = String.valueOf(Nd4j.factory().blas().getBlasVendor());
            String blasVersion = env.blasMajorVersion() == 0 ? "" // OpenBLAS builds do not report their version
                    : env.blasMajorVersion() + "." + env.blasMinorVersion() + "." + env.blasPatchVersion();
            int omp = NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
            return new Nd4jProbe(backend, blasVendor, blasVersion, omp, env.maxThreads(), matmulError(), null);
        } catch (Throwable t) {
            return new Nd4jProbe(null, null, null, 0, 0, Double.NaN, t.getClass().getSimpleName() + ": " + t.getMessage());
        }
    }

    /** Max abs difference between ND4J's float32 matmul and a plain double-precision loop on a 64x48x32 product. */
    static double matmulError() {
        int m = 64, k = 48, n = 32;
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n).subi(0.5);
        INDArray c = a.mmul(b);
        double max = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += a.getDouble(i, t) * b.getDouble(t, j);
                max = Math.max(max, Math.abs(s - c.getDouble(i, j)));
            }
        }
        return max;
    }

    /**
     * Measured single-precision GEMM throughput of an n x n x n product, in GFLOP/s: {wall clock, per CPU second of
     * the calling thread} (best of reps each). On a loaded machine only the second is comparable between runs.
     */
    static double[] sgemmGflops(int n, int reps) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        for (int i = 0; i < 2; i++) Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        long best = Long.MAX_VALUE, bestCpu = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime(), c0 = threadCpuNanos();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.min(best, System.nanoTime() - t0);
            bestCpu = Math.min(bestCpu, Math.max(1, threadCpuNanos() - c0));
        }
        double flop = 2.0 * n * n * (double) n;
        return new double[] {flop / best, flop / bestCpu};
    }

    /**
     * CPU time of the calling thread, where ND4J and OpenBLAS run the product with one thread (with more, their
     * worker threads are not counted). Not the process's: its clock ticks in 10 ms and includes the JIT and GC.
     */
    static long threadCpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
}
