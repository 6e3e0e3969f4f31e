package dev.mobilebert.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on 127.0.0.1: a Master and N Workers, each in its own JVM, started from the
 * Maven-resolved jars alone. The jars go into a folder used as SPARK_HOME ({@code jars/}, a {@code RELEASE} file
 * and {@code conf/}), because Workers build their executors' classpath from it. Executors are separate JVMs too.
 */
public final class StandaloneCluster implements AutoCloseable {
    private final Path home;
    private final int masterPort;
    private final int masterUiPort;
    private final List<Process> processes = new ArrayList<>();

    private StandaloneCluster(Path home, int masterPort, int masterUiPort) {
        this.home = home;
        this.masterPort = masterPort;
        this.masterUiPort = masterUiPort;
    }

    /**
     * @param workers     number of Worker JVMs, one core each
     * @param clusterJars what the cluster provides (Spark, Hadoop, Scala: spark-jobs/target/classpath-provided.txt)
     */
    public static StandaloneCluster start(int workers, List<Path> clusterJars) throws IOException {
        Path home = Files.createTempDirectory("spark-home");
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("RELEASE"), "Spark standalone test cluster built from Maven jars\n");
        for (Path jar : clusterJars) {
            if (jar.toString().endsWith(".jar") && Files.isRegularFile(jar)) {
                Path link = jars.resolve(jar.getFileName());
                if (!Files.exists(link)) Files.createSymbolicLink(link, jar.toAbsolutePath());
            }
        }
        StandaloneCluster c = new StandaloneCluster(home, freePort(), freePort());
        try {
            c.startMaster();
            for (int i = 0; i < workers; i++) c.startWorker(i);
            c.awaitWorkers(workers, Duration.ofSeconds(90));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Reads a classpath file written by maven-dependency-plugin's build-classpath goal. */
    public static List<Path> jarsFromClasspathFile(Path file) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String e : Files.readString(file).trim().split(java.io.File.pathSeparator)) out.add(Path.of(e));
        return out;
    }

    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    public Path sparkHome() {
        return home;
    }

    /** The classpath of the cluster's own jars (what spark-submit would use). */
    public String classpath() {
        return home.resolve("jars") + "/*";
    }

    public Path log(String name) {
        return home.resolve("logs").resolve(name + ".log");
    }

    private void startMaster() throws IOException {
        Files.createDirectories(home.resolve("logs"));
        processes.add(JvmProcess.start(classpath(), List.of("-Xmx512m"), "org.apache.spark.deploy.master.Master",
                List.of("--host", "127.0.0.1", "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(masterUiPort)),
                env(), log("master")));
    }

    private void startWorker(int i) throws IOException {
        Path work = Files.createDirectories(home.resolve("work-" + i));
        processes.add(JvmProcess.start(classpath(), List.of("-Xmx512m"), "org.apache.spark.deploy.worker.Worker",
                List.of("--host", "127.0.0.1", "--webui-port", String.valueOf(freePort()), "--cores", "1",
                        "--memory", "3g", "--work-dir", work.toString(), masterUrl()),
                env(), log("worker-" + i)));
    }

    private Map<String, String> env() {
        // Workers build executor command lines with Spark's launcher, which insists on knowing the Scala version.
        return Map.of("SPARK_HOME", home.toString(), "SPARK_LOCAL_IP", "127.0.0.1", "SPARK_SCALA_VERSION", "2.12");
    }

    private void awaitWorkers(int n, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ObjectMapper json = new ObjectMapper();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) throw new IOException("a cluster JVM exited with " + p.exitValue() + "; logs in " + home.resolve("logs"));
            }
            try {
                JsonNode state = json.readTree(URI.create("http://127.0.0.1:" + masterUiPort + "/json/").toURL());
                last = "aliveworkers=" + state.path("aliveworkers").asInt();
                if (state.path("aliveworkers").asInt() >= n) return;
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            sleep(500);
        }
        throw new IOException("standalone cluster did not get " + n + " workers within " + timeout + " (" + last + "); logs in " + home.resolve("logs"));
    }

    @Override
    public void close() {
        for (Process p : processes) p.destroy();
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
