package dev.mobilebert.jobs.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.jobs.DoctorOnStandaloneClusterIT;
import dev.mobilebert.testing.JvmProcess;
import dev.mobilebert.testing.StandaloneCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * pretrain submitted with spark-submit (client mode) to a standalone cluster of two one-core workers: the
 * parameter-averaging workers and the held-out evaluation run in executor JVMs that get ND4J/DL4J only from the
 * application jar. A short run must write its metrics, a checkpoint and the summary with held-out values.
 */
class PretrainOnStandaloneClusterIT {
    static StandaloneCluster cluster;
    @TempDir static Path tmp;
    static PretrainFixtures.Shards shards;

    @BeforeAll
    static void startCluster() throws Exception {
        shards = PretrainFixtures.prepare(PretrainFixtures.spark(), tmp); // in this JVM, local mode
        cluster = StandaloneCluster.start(2, DoctorOnStandaloneClusterIT.clusterJars());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void shortPretrainThroughSparkSubmitOnExecutorJvms() throws Exception {
        Path appJar = Path.of(System.getProperty("mobilebert.appJar"));
        assertTrue(Files.isRegularFile(appJar), "application jar built by `package`: " + appJar);
        Path home = Path.of(System.getProperty("mobilebert.home"));
        String out = tmp.resolve("run").toString();
        Path log = tmp.resolve("submit.log");
        String nativeCap = "-Dorg.bytedeco.javacpp.maxphysicalbytes=2500m";
        Process submit = JvmProcess.start(cluster.classpath(), List.of("-Xmx1g", nativeCap), "org.apache.spark.deploy.SparkSubmit",
                List.of("--master", cluster.masterUrl(), "--deploy-mode", "client",
                        "--properties-file", home.resolve("conf/spark-defaults.conf").toString(),
                        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=1g",
                        "--conf", "spark.executor.extraJavaOptions=" + nativeCap, "--conf", "spark.ui.enabled=false",
                        "--class", "dev.mobilebert.jobs.Main", appJar.toString(),
                        "pretrain", "--model-config", shards.model(), "--data", shards.train(), "--held-out", shards.heldOut(),
                        "--out", out, "--training-config", home.resolve("conf/jobs/pretrain-training.json").toString(),
                        "--num-train-steps", "10", "--learning-rate", "0.002", "--workers", "2", "--batch-size-per-worker", "4",
                        "--set", "optimizer.num_warmup_steps=2", "--set", "checkpoint_every_steps=5", "--set", "log_every_steps=5"),
                Map.of("SPARK_HOME", cluster.sparkHome().toString(), "SPARK_SCALA_VERSION", "2.12"), log);
        boolean done = submit.waitFor(15, TimeUnit.MINUTES);
        String output = Files.readString(log);
        if (!done) submit.destroyForcibly();
        assertTrue(done, "spark-submit did not finish:\n" + output);
        assertEquals(0, submit.exitValue(), output);

        List<JsonNode> train = PretrainCommandTest.rows(out, "train");
        assertEquals(List.of(5, 10), train.stream().map(r -> r.get("step").asInt()).toList(), output);
        for (JsonNode r : train) {
            for (String k : List.of("loss", "mlm_loss", "mlm_accuracy", "nsp_loss", "nsp_accuracy", "grad_norm")) {
                assertTrue(r.has(k) && Double.isFinite(r.get(k).asDouble()), k + " in " + r);
            }
            assertEquals(2, r.get("workers").asInt(), "both workers reported the step: " + r);
        }
        assertEquals(2, PretrainCommandTest.rows(out, "chunk").size());
        assertTrue(Files.isRegularFile(Path.of(out, "checkpoints", "step-000000010", "model.zip")));
        assertTrue(Files.isRegularFile(Path.of(out, "checkpoints", "step-000000010", "state.json")));
        JsonNode s = PretrainCommandTest.summary(out);
        assertEquals(10, s.get("steps").asInt());
        assertEquals(80, s.get("batches_seen").asLong() * 4, "10 steps x 2 workers x 4 sequences: " + s);
        assertTrue(Double.isFinite(s.get("heldout_mlm_loss").asDouble()) && s.get("heldout_examples").asLong() > 100, s.toString());
        // the work ran in executor JVMs: each worker's log directory has an executor's stderr
        long executors;
        try (var files = Files.walk(cluster.sparkHome())) {
            executors = files.filter(p -> p.getFileName().toString().equals("stderr")).count();
        }
        assertTrue(executors >= 2, "executor logs under " + cluster.sparkHome());
    }
}
