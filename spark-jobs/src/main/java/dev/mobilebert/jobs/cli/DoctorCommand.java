package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.jobs.doctor.Check;
import dev.mobilebert.jobs.doctor.Doctor;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "doctor",
        description = "Check this machine or cluster: versions, ND4J backend and BLAS, CPU features, threads, "
                + "sgemm GFLOP/s, and a Spark job running ND4J on every executor. Exit code 1 if something is broken.")
public final class DoctorCommand implements Callable<Integer> {
    @Mixin
    SparkOptions spark;

    @Option(names = "--gemm-size", description = "Matrix size n of the n x n x n sgemm measurement.")
    int gemmSize = 1024;

    @Option(names = "--skip-spark", description = "Only check this JVM; do not start Spark.")
    boolean skipSpark;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE (any Hadoop path).")
    String json;

    @Override
    public Integer call() throws Exception {
        Doctor doctor = new Doctor();
        doctor.checkJava();
        doctor.checkVersions();
        doctor.checkCpu();
        doctor.checkNd4j();
        doctor.checkThreads(spark.master != null ? spark.master : System.getProperty("spark.master", "local[*]"));
        doctor.measureSgemm(gemmSize);
        doctor.checkSpeedDefaults();
        if (!skipSpark) doctor.checkSpark(() -> Sparks.session("doctor", spark));
        print(doctor);
        if (json != null) AtomicOutput.writeJson(Fs.path(json), doctor.checks());
        return doctor.failed() ? 1 : 0;
    }

    private static void print(Doctor doctor) {
        String section = "";
        for (Check c : doctor.checks()) {
            if (!c.section().equals(section)) {
                section = c.section();
                System.out.println(section.toUpperCase(Locale.ROOT));
            }
            System.out.printf(Locale.ROOT, "  %-5s %-24s %s%n", c.status(), c.name(), c.found());
            if (!c.hint().isEmpty()) System.out.printf(Locale.ROOT, "        %-24s -> %s%n", "", c.hint());
        }
        System.out.println(doctor.failed() ? "doctor: something is broken (FAIL above)" : "doctor: all essential checks passed");
    }
}
