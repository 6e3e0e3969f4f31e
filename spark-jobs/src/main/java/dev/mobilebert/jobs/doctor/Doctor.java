package dev.mobilebert.jobs.doctor;

import dev.mobilebert.jobs.doctor.Check.Status;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A user's first debugging step on a new machine or cluster: versions, the ND4J backend and BLAS, CPU features,
 * thread settings, measured sgemm speed, and a small Spark job that runs ND4J on every executor.
 */
public final class Doctor {
    private final List<Check> checks = new ArrayList<>();

    public List<Check> checks() {
        return checks;
    }

    public boolean failed() {
        return checks.stream().anyMatch(c -> c.status() == Status.FAIL);
    }

    public void checkJava() {
        int major = Runtime.version().feature();
        String found = System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB";
        if (major == 17) checks.add(Check.ok("java", "Java", found));
        else if (major > 21) checks.add(Check.fail("java", "Java", found,
                "Spark 3.5 and Hadoop 3.3 fail on Java " + major + " (\"getSubject is not supported\"); use Java 17"));
        else checks.add(Check.warn("java", "Java", found, "the project is built and tested on Java 17"));
    }

    public void checkVersions() {
        add("versions", "Spark", Versions.spark(), "3.5.7");
        add("versions", "Scala", Versions.scala(), "2.12.18");
        add("versions", "Hadoop", Versions.hadoop(), "3.3.4");
        add("versions", "DL4J", Versions.of("org.deeplearning4j", "deeplearning4j-nn"), "1.0.0-M2.1");
        add("versions", "ND4J", Versions.of("org.nd4j", "nd4j-api"), "1.0.0-M2.1");
        add("versions", "dl4j-spark", Versions.of("org.deeplearning4j", "dl4j-spark_2.12"), "1.0.0-M2");
    }

    private void add(String section, String name, String found, String expected) {
        if (found.equals(expected)) checks.add(Check.ok(section, name, found));
        else if (found.startsWith("not")) checks.add(Check.fail(section, name, found,
                "missing from the classpath: under spark-submit the cluster must provide Spark/Hadoop and the app jar the rest"));
        else checks.add(Check.warn(section, name, found, "tested with " + expected));
    }

    public void checkNd4j() {
        Nd4jProbe p = Nd4jProbe.run();
        if (p.error() != null) {
            checks.add(Check.fail("nd4j", "ND4J backend", p.error(),
                    "ND4J's native library did not load: check the javacpp cache dir is writable and the platform is linux-x86_64"));
            return;
        }
        checks.add(Check.ok("nd4j", "backend", p.backend()));
        checks.add(Check.ok("nd4j", "BLAS", (p.blasVendor() + " " + p.blasVersion()).trim()));
        checkOpenBlas();
        checks.add(p.matmulMaxError() < 1e-4
                ? Check.ok("nd4j", "matmul vs double loop", String.format(Locale.ROOT, "max abs error %.2e", p.matmulMaxError()))
                : Check.fail("nd4j", "matmul vs double loop", String.format(Locale.ROOT, "max abs error %.2e", p.matmulMaxError()),
                        "ND4J computes wrong results on this machine: try another javacpp.platform.extension"));
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        checks.add(cache != null ? Check.ok("nd4j", "JavaCPP cache", cache)
                : Check.warn("nd4j", "JavaCPP cache", "~/.javacpp (default)",
                "natives (~100 MB) unpack into the home directory; set -Dorg.bytedeco.javacpp.cachedir"));
        String ext = System.getProperty("javacpp.platform.extension", "");
        checks.add(Check.info("nd4j", "native build", "linux-x86_64" + ext));
        checks.add(Check.info("threads", "ND4J / OpenMP threads", "nd4j max " + p.nd4jMaxThreads()
                + ", master " + org.nd4j.linalg.factory.Nd4j.getEnvironment().maxMasterThreads()
                + " (-D" + dev.mobilebert.model.nn.OpThreads.PROPERTY + ", default 1), omp/BLAS " + p.ompMaxThreads()));
    }

    /** Which OpenBLAS file is loaded and which kernel it runs: the lever behind every gemm (docs/speed.md). */
    void checkOpenBlas() {
        LoadedBlas blas = LoadedBlas.inThisProcess();
        String found = blas.origin() + (blas.version().isEmpty() ? "" : " " + blas.version())
                + (blas.files().isEmpty() ? "" : " (" + String.join(", ", blas.files()) + ")")
                + (blas.configured().isEmpty() ? "" : ", bin/mobilebert asked for " + blas.configured());
        if (blas.origin().equals("none")) {
            checks.add(Check.info("nd4j", "OpenBLAS library", "no libopenblas mapped (not Linux, or another BLAS)"));
        } else if (blas.mismatch()) {
            checks.add(Check.warn("nd4j", "OpenBLAS library", found,
                    "the requested BLAS did not load: check MOBILEBERT_SYSTEM_BLAS_DIR and that nothing else sets java.library.path"));
        } else {
            checks.add(Check.ok("nd4j", "OpenBLAS library", found));
        }
        String kernel = blas.kernel();
        String forced = System.getenv("OPENBLAS_CORETYPE");
        checks.add(Check.info("nd4j", "OpenBLAS kernel", (kernel.isEmpty() ? "unknown (needs python3; OPENBLAS_VERBOSE=2 prints it at start-up)" : kernel)
                + (forced != null ? " (forced: OPENBLAS_CORETYPE=" + forced + ")" : " (auto-detected for this CPU)")));
    }

    public void checkCpu() {
        int cores = Runtime.getRuntime().availableProcessors();
        Set<String> flags = cpuFlags();
        String model = cpuModel();
        Set<String> shown = new TreeSet<>(flags);
        shown.retainAll(Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile"));
        checks.add(Check.info("cpu", "processor", model + ", " + cores + " logical cores available to the JVM"));
        checks.add(Check.info("cpu", "vector features", shown.isEmpty() ? "(unknown)" : String.join(" ", shown)));
        if (flags.contains("avx512f") && System.getProperty("javacpp.platform.extension") == null) {
            checks.add(Check.info("cpu", "hint", "AVX-512 present: ND4J's -avx512 build may be faster (-Djavacpp.platform.extension=-avx512 with that classifier)"));
        }
    }

    public void checkThreads(String master) {
        int cores = Runtime.getRuntime().availableProcessors();
        String omp = System.getenv("OMP_NUM_THREADS");
        String blas = System.getenv("OPENBLAS_NUM_THREADS");
        String wait = System.getenv("OMP_WAIT_POLICY");
        checks.add(Check.info("threads", "environment", "OMP_NUM_THREADS=" + omp + " OPENBLAS_NUM_THREADS=" + blas + " OMP_WAIT_POLICY=" + wait));
        int tasks = localTasks(master, cores);
        int perTask = omp != null ? parseOr(omp, cores) : cores;
        if (tasks > 1 && tasks * perTask > cores) {
            checks.add(Check.warn("threads", "oversubscription", tasks + " Spark tasks x " + perTask + " OpenMP threads on " + cores + " cores",
                    "set OMP_NUM_THREADS to cores / concurrent tasks (e.g. " + Math.max(1, cores / tasks) + ") for training"));
        } else {
            checks.add(Check.ok("threads", "oversubscription", "none expected (" + tasks + " local task(s) x " + perTask + " threads, " + cores + " cores)"));
        }
        if (!"PASSIVE".equalsIgnoreCase(wait)) {
            checks.add(Check.warn("threads", "OMP_WAIT_POLICY", String.valueOf(wait),
                    "idle OpenMP threads spin and slow BLAS on small machines; bin/mobilebert sets PASSIVE"));
        }
    }

    /**
     * What decides MobileBERT's speed here (docs/speed.md): the cost of one small ND4J op (MobileBERT is thousands of
     * ops on 128-wide matrices, so per-op overhead matters as much as the BLAS), a gemm of MobileBERT's shape, and the
     * defaults the model runs with.
     */
    public void checkSpeedDefaults() {
        try {
            var a = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 128, 128);
            var b = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 128, 128);
            for (int i = 0; i < 500; i++) a.addi(b);
            long t0 = System.nanoTime();
            for (int i = 0; i < 2000; i++) a.addi(b);
            double us = (System.nanoTime() - t0) / 1e3 / 2000;
            checks.add(us < 100 ? Check.ok("speed", "small-op cost", String.format(Locale.ROOT, "%.1f µs per 128x128 add", us))
                    : Check.warn("speed", "small-op cost", String.format(Locale.ROOT, "%.1f µs per 128x128 add", us),
                    "MobileBERT runs ~2,000 small ops per forward: check the machine load and thread settings"));
            var x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 128, 512);
            var w = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 128, 512);
            for (int i = 0; i < 20; i++) dev.mobilebert.model.nn.F.mm(x, w, false, true);
            t0 = System.nanoTime();
            long c0 = Nd4jProbe.threadCpuNanos();
            for (int i = 0; i < 200; i++) dev.mobilebert.model.nn.F.mm(x, w, false, true);
            double flop = 2.0 * 128 * 512 * 128 * 200;
            double gflops = flop / (System.nanoTime() - t0);
            double perCpu = flop / Math.max(1, Nd4jProbe.threadCpuNanos() - c0);
            checks.add(Check.info("speed", "MobileBERT-shape gemm", String.format(Locale.ROOT,
                    "%.1f GFLOP/s (128 tokens x 512 -> 128, x W^T; %.1f per CPU s of the calling thread)", gflops, perCpu)));
        } catch (Throwable t) {
            checks.add(Check.fail("speed", "small ops", t.toString(), "ND4J could not run small ops"));
        }
        checks.add(Check.info("speed", "model defaults", "native block vertices (no SameDiff), libnd4j op threads 1 (BLAS gets the threads), DL4J workspaces off (the tape keeps "
                + "activations), an ND4J workspace for inference, one DL4J updater block per vertex (M2.1 updater defect), OMP_WAIT_POLICY=PASSIVE, "
                + "OMP_NUM_THREADS = cores / concurrent Spark tasks; measurements: docs/speed.md, bench/run_bench.sh"));
    }

    public void measureSgemm(int n) {
        try {
            double[] gflops = Nd4jProbe.sgemmGflops(n, 5);
            String found = String.format(Locale.ROOT, "%.1f GFLOP/s (%dx%dx%d, float32, best of 5; %.1f per CPU s of the calling thread)",
                    gflops[0], n, n, n, gflops[1]);
            checks.add(gflops[0] > 5 ? Check.ok("speed", "sgemm", found)
                    : Check.warn("speed", "sgemm", found, "far below a modern core's ~50+ GFLOP/s: check thread settings and the BLAS"));
        } catch (Throwable t) {
            checks.add(Check.fail("speed", "sgemm", t.toString(), "ND4J could not run a matrix product"));
        }
    }

    /** Runs ND4J inside Spark tasks and reports what every executor saw. */
    public void checkSpark(Supplier<SparkSession> sessions) {
        long t0 = System.nanoTime();
        SparkSession spark;
        try {
            spark = sessions.get();
        } catch (Throwable t) {
            checks.add(Check.fail("spark", "session", describe(t),
                    "could not start Spark: check --master, that the master is reachable, and SPARK_LOCAL_IP"));
            return;
        }
        checks.add(Check.ok("spark", "session", "master " + spark.sparkContext().master() + ", Spark " + spark.version()
                + ", UI " + spark.sparkContext().uiWebUrl().getOrElse(() -> "off")));
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int partitions = Math.max(2, jsc.defaultParallelism() * 2);
            List<ExecutorReport> reports = jsc.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions)
                    .map(i -> ExecutorReport.here())
                    .collect();
            double seconds = (System.nanoTime() - t0) / 1e9;
            Set<String> executors = reports.stream().map(ExecutorReport::executor).collect(Collectors.toCollection(TreeSet::new));
            List<String> errors = reports.stream().filter(r -> r.nd4j().error() != null).map(r -> r.executor() + ": " + r.nd4j().error()).distinct().toList();
            double worst = reports.stream().mapToDouble(r -> r.nd4j().matmulMaxError()).max().orElse(Double.NaN);
            if (!errors.isEmpty()) {
                checks.add(Check.fail("spark", "ND4J on executors", String.join("; ", errors),
                        "the app jar (or the natives in it) did not load on executors: pass the app jar to spark-submit, check the executors' platform"));
            } else if (!(worst < 1e-4)) {
                checks.add(Check.fail("spark", "ND4J on executors", "matmul error " + worst, "an executor computes wrong results"));
            } else {
                ExecutorReport any = reports.get(0);
                checks.add(Check.ok("spark", "ND4J on executors", partitions + " tasks on executor(s) " + executors + " of host(s) "
                        + reports.stream().map(ExecutorReport::host).collect(Collectors.toCollection(TreeSet::new))
                        + ": " + any.nd4j().backend() + ", " + any.nd4j().blasVendor() + " ("
                        + reports.stream().map(r -> r.blas().origin() + " " + r.blas().version()).distinct().collect(Collectors.joining(", ")) + ")"
                        + String.format(Locale.ROOT, ", %.1f s", seconds)));
            }
        } catch (Throwable t) {
            checks.add(Check.fail("spark", "job", describe(t), hintFor(t)));
        }
    }

    static String hintFor(Throwable t) {
        String s = describe(t);
        if (s.contains("ClassNotFound") || s.contains("NoClassDefFound")) {
            return "classes missing on executors: submit the application jar (spark-jobs/target/*-app.jar)";
        }
        if (s.contains("UnsatisfiedLink")) return "native library failed to load on an executor";
        if (s.contains("Connection refused") || s.contains("connect")) return "a Spark node is unreachable: check host names, SPARK_LOCAL_IP and firewalls";
        return "see the Spark logs (MOBILEBERT_LOG_LEVEL=DEBUG, or the executor logs of the cluster)";
    }

    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root == t ? t.toString() : t + " (cause: " + root + ")";
    }

    private static int localTasks(String master, int cores) {
        if (master == null || master.equals("local[*]")) return cores;
        if (master.equals("local")) return 1;
        if (master.startsWith("local[")) return parseOr(master.substring(6, master.indexOf(']')).split(",")[0], cores);
        return 1;
    }

    private static int parseOr(String s, int dflt) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static Set<String> cpuFlags() {
        for (String line : cpuinfo()) {
            if (line.startsWith("flags")) return Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
        }
        return Set.of();
    }

    private static String cpuModel() {
        for (String line : cpuinfo()) {
            if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        }
        return System.getProperty("os.arch");
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return List.of();
        }
    }
}
