package dev.mobilebert.jobs.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.testing.JvmProcess;
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
 * The crash check: the pretrain driver (a separate JVM running Main, local[2]) is killed with SIGKILL after
 * its first checkpoint, then the same command with --resume finishes the run. It must end at the same step with the
 * same number of batches seen and the same final loss as an uninterrupted run, and redo at most one checkpoint
 * interval of work.
 */
@Tag("slow")
class PretrainKillResumeTest {
    static final int STEPS = 20, CHECKPOINT_EVERY = 5;

    @TempDir static Path tmp;
    static PretrainFixtures.Shards shards;

    @BeforeAll
    static void prepareShards() throws Exception {
        shards = PretrainFixtures.prepare(PretrainFixtures.spark(), tmp);
    }

    static List<String> args(String out, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--master", "local[2]", "--model-config", shards.model(),
                "--data", shards.train(), "--out", out, "--num-train-steps", String.valueOf(STEPS), "--learning-rate", "0.002",
                "--workers", "2", "--batch-size-per-worker", "4",
                "--set", "optimizer.num_warmup_steps=5", "--set", "averaging_frequency=5",
                "--set", "checkpoint_every_steps=" + CHECKPOINT_EVERY, "--set", "log_every_steps=1", "--set", "progress=false",
                "--spark-conf", "spark.network.timeout=1200s", "--spark-conf", "spark.executor.heartbeatInterval=60s"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void killMinus9ThenResumeEndsLikeAnUninterruptedRun() throws Exception {
        String killed = tmp.resolve("killed").toString();
        Path log = tmp.resolve("driver.log");
        List<String> jvm = List.of("-Xmx2g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=4g", "-Djava.net.preferIPv4Stack=true",
                "-Dmobilebert.home=" + System.getProperty("mobilebert.home"));
        Process driver = JvmProcess.start(String.join(java.io.File.pathSeparator, JvmProcess.currentClasspath()), jvm,
                Main.class.getName(), args(killed), Map.of(), log);
        Path first = Path.of(killed, "checkpoints", String.format("step-%09d", CHECKPOINT_EVERY));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (!Files.isDirectory(first) && driver.isAlive() && System.nanoTime() < deadline) Thread.sleep(200);
        assertTrue(driver.isAlive(), "the driver ended before its first checkpoint:\n" + Files.readString(log));
        assertTrue(Files.isDirectory(first), "no checkpoint in time:\n" + Files.readString(log));
        driver.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no cleanup
        assertTrue(driver.waitFor(1, TimeUnit.MINUTES));
        assertEquals(137, driver.exitValue(), "killed by SIGKILL");
        assertFalse(Files.exists(Path.of(killed, "summary.json")), "the run was cut short");

        assertEquals(0, Main.run(args(killed, "--resume").toArray(String[]::new)));
        String straight = tmp.resolve("straight").toString();
        assertEquals(0, Main.run(args(straight).toArray(String[]::new)));

        JsonNode r = PretrainCommandTest.summary(killed), s = PretrainCommandTest.summary(straight);
        System.out.println("kill -9 + resume: " + r + "\nuninterrupted: " + s);
        assertEquals(STEPS, r.get("steps").asInt());
        assertEquals(s.get("batches_seen").asLong(), r.get("batches_seen").asLong(), "no data lost or doubled");
        assertEquals(s.get("final_loss").asDouble(), r.get("final_loss").asDouble(), 1e-3 * s.get("final_loss").asDouble());
        List<JsonNode> resumes = PretrainCommandTest.rows(killed, "resume");
        assertEquals(1, resumes.size());
        int resumedAt = resumes.get(0).get("step").asInt();
        assertTrue(resumedAt >= CHECKPOINT_EVERY && resumedAt % CHECKPOINT_EVERY == 0, "resumed at " + resumedAt);
        assertEquals(STEPS - resumedAt, r.get("steps_this_session").asInt());
        // steps logged twice (by the killed driver after its last checkpoint, then again) are at most one interval
        List<Integer> logged = PretrainCommandTest.rows(killed, "train").stream().map(n -> n.get("step").asInt()).toList();
        long redone = logged.size() - logged.stream().distinct().count();
        assertTrue(redone <= CHECKPOINT_EVERY, "redone steps " + redone + " in " + logged);
        for (int step = 1; step <= STEPS; step++) assertTrue(logged.contains(step), "step " + step + " missing: " + logged);
        // the same loss at every step as the uninterrupted run (same data order and model after the resume)
        Map<Integer, Double> a = new java.util.TreeMap<>(), b = new java.util.TreeMap<>();
        PretrainCommandTest.rows(killed, "train").forEach(n -> a.put(n.get("step").asInt(), n.get("loss").asDouble()));
        PretrainCommandTest.rows(straight, "train").forEach(n -> b.put(n.get("step").asInt(), n.get("loss").asDouble()));
        for (int step : b.keySet()) assertEquals(b.get(step), a.get(step), 1e-3 * b.get(step), "loss at step " + step);
    }
}
