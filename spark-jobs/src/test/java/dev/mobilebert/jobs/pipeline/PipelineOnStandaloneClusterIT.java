package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.jobs.DoctorOnStandaloneClusterIT;
import dev.mobilebert.testing.JvmProcess;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.StandaloneCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The same quickstart command (every stage, small settings) submitted with spark-submit (client mode, the application
 * jar) to a standalone cluster of two one-core workers, and run in local mode ({@code local[2]}) in this JVM: both
 * complete every stage, the cluster run trained in executor JVMs, and the summaries agree (same instances, steps and
 * sequences; the same final losses within noise).
 */
@Tag("slow")
class PipelineOnStandaloneClusterIT {
    static StandaloneCluster cluster;
    @TempDir static Path tmp;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = StandaloneCluster.start(2, DoctorOnStandaloneClusterIT.clusterJars());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    /** {@link PipelineKillResumeTest#command} without {@code --master}: spark-submit's master or local[2]. */
    static List<String> quickstart(Path run) {
        List<String> cmd = new ArrayList<>(PipelineKillResumeTest.command(run));
        int i = cmd.indexOf("--master");
        cmd.remove(i + 1);
        cmd.remove(i);
        return cmd;
    }

    @Test
    void theQuickstartUnderSparkSubmitEndsLikeTheLocalRun() throws Exception {
        Path appJar = Path.of(System.getProperty("mobilebert.appJar"));
        assertTrue(Files.isRegularFile(appJar), "application jar built by `package`: " + appJar);
        Path home = PipelineKillResumeTest.home();
        Path onCluster = tmp.resolve("cluster");
        Path log = tmp.resolve("submit.log");
        String nativeCap = "-Dorg.bytedeco.javacpp.maxphysicalbytes=2500m";
        List<String> submit = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--deploy-mode", "client",
                "--properties-file", home.resolve("conf/spark-defaults.conf").toString(),
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=1500m",
                "--conf", "spark.executor.extraJavaOptions=" + nativeCap, "--conf", "spark.ui.enabled=false",
                "--class", "dev.mobilebert.jobs.Main", appJar.toString()));
        submit.addAll(quickstart(onCluster));
        long t0 = System.nanoTime();
        Process p = JvmProcess.start(cluster.classpath(), List.of("-Xmx2g", nativeCap, "-Dmobilebert.home=" + home,
                        "-Dmobilebert.progress=false"), "org.apache.spark.deploy.SparkSubmit", submit,
                Map.of("SPARK_HOME", cluster.sparkHome().toString(), "SPARK_SCALA_VERSION", "2.12"), log);
        boolean done = p.waitFor(30, TimeUnit.MINUTES);
        double clusterSeconds = (System.nanoTime() - t0) / 1e9;
        String output = Files.readString(log);
        if (!done) p.destroyForcibly();
        assertTrue(done, "spark-submit did not finish:\n" + output);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("[spark] master " + cluster.masterUrl()), "ran on the cluster, not in local mode:\n" + output);
        assertTrue(output.contains("[distill] done"), output);
        assertTrue(Files.exists(onCluster.resolve("report.html")), output);

        LocalSpark.session();
        Path local = tmp.resolve("local");
        List<String> localCmd = new ArrayList<>(quickstart(local));
        localCmd.addAll(List.of("--master", "local[2]"));
        long t1 = System.nanoTime();
        QuickstartTest.Result r = QuickstartTest.cli(localCmd.toArray(String[]::new));
        double localSeconds = (System.nanoTime() - t1) / 1e9;
        assertEquals(0, r.code(), r.err());
        System.out.printf("[spark-submit] quickstart on the standalone cluster %.1f s, in local[2] %.1f s%n", clusterSeconds, localSeconds);

        for (String stage : List.of("prepare", "teacher", "transfer", "distill", "bench")) {
            assertTrue(Files.exists(onCluster.resolve(stage).resolve("summary.json")), stage + " complete on the cluster");
        }
        assertEquals(summary(local, "prepare").get("instances"), summary(onCluster, "prepare").get("instances"));
        for (String stage : List.of("teacher", "distill")) {
            JsonNode a = summary(local, stage), b = summary(onCluster, stage);
            assertEquals(a.get("steps").asInt(), b.get("steps").asInt(), stage);
            assertEquals(a.get("sequences_seen").asLong(), b.get("sequences_seen").asLong(), stage);
            assertEquals(a.get("global_batch").asLong(), b.get("global_batch").asLong(), stage + ": both use 2 workers");
            double la = a.get("final_loss").asDouble(), lb = b.get("final_loss").asDouble();
            System.out.printf("%s final loss: local[2] %.6f, standalone cluster %.6f%n", stage, la, lb);
            assertEquals(la, lb, 1e-3 * Math.abs(la), stage + " final loss");
        }
        long executors;
        try (var files = Files.walk(cluster.sparkHome())) {
            executors = files.filter(f -> f.getFileName().toString().equals("stderr")).count();
        }
        assertTrue(executors >= 2, "executor logs under " + cluster.sparkHome());
    }

    static JsonNode summary(Path run, String stage) throws Exception {
        return PipelineKillResumeTest.summary(run, stage);
    }
}
