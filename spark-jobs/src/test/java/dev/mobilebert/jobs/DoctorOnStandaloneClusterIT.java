package dev.mobilebert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
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
 * The application jar submitted the way spark-submit does it (org.apache.spark.deploy.SparkSubmit, client mode)
 * to a standalone cluster whose master, workers and executors are separate JVMs that have only Spark and Hadoop:
 * doctor's Spark check must find ND4J working on the executors, loaded from the app jar.
 */
public class DoctorOnStandaloneClusterIT {
    static StandaloneCluster cluster;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = StandaloneCluster.start(2, clusterJars());
    }

    /**
     * What a Spark distribution has: Spark, Hadoop, Scala and their own dependencies (slf4j, log4j, Jackson...),
     * but none of this project's libraries (ND4J/DL4J/JavaCPP), which must come from the application jar.
     */
    public static List<Path> clusterJars() throws java.io.IOException {
        List<Path> jars = new java.util.ArrayList<>(StandaloneCluster.jarsFromClasspathFile(Path.of("target/classpath-provided.txt")));
        for (Path p : StandaloneCluster.jarsFromClasspathFile(Path.of("target/classpath-runtime.txt"))) {
            String s = p.toString();
            if (!(s.contains("/org/nd4j/") || s.contains("/org/deeplearning4j/") || s.contains("/org/datavec/")
                    || s.contains("/org/bytedeco/") || s.contains("/dev/mobilebert/") || s.contains("/data-prep/")
                    || s.contains("/model/target/"))) {
                jars.add(p);
            }
        }
        return jars;
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @Test
    void doctorThroughSparkSubmitRunsNd4jOnExecutors() throws Exception {
        Path appJar = Path.of(System.getProperty("mobilebert.appJar"));
        assertTrue(Files.isRegularFile(appJar), "application jar built by `package`: " + appJar);
        Path json = tmp.resolve("doctor.json");
        Path log = tmp.resolve("submit.log");
        Path home = Path.of(System.getProperty("mobilebert.home"));
        Process submit = JvmProcess.start(cluster.classpath(), List.of("-Xmx1g"), "org.apache.spark.deploy.SparkSubmit",
                List.of("--master", cluster.masterUrl(), "--deploy-mode", "client",
                        "--properties-file", home.resolve("conf/spark-defaults.conf").toString(),
                        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=1g",
                        "--conf", "spark.ui.enabled=false",
                        "--class", "dev.mobilebert.jobs.Main", appJar.toString(),
                        "doctor", "--gemm-size", "128", "--json", json.toString()),
                Map.of("SPARK_HOME", cluster.sparkHome().toString()), log);
        boolean done = submit.waitFor(5, TimeUnit.MINUTES);
        String output = Files.readString(log);
        if (!done) submit.destroyForcibly();
        assertTrue(done, "spark-submit did not finish:\n" + output);
        assertEquals(0, submit.exitValue(), output);
        JsonNode report = Json.MAPPER.readTree(Files.readString(json));
        JsonNode executors = DoctorCommandTest.find(report, "ND4J on executors");
        assertEquals("OK", executors.get("status").asText(), executors + "\n" + output);
        String found = executors.get("found").asText();
        assertFalse(found.contains("[driver]"), "tasks ran in executor JVMs, not the driver: " + found);
        assertTrue(found.contains("spark://") || DoctorCommandTest.find(report, "session").get("found").asText().contains(cluster.masterUrl()));
    }
}
