package dev.mobilebert.jobs.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.testing.JvmProcess;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 of {@code finetune} (a child JVM) while it trains the second learning rate of its grid, right after that
 * run's first epoch checkpoint; the same command again: the first learning rate is not redone, the second resumes
 * from its checkpoint (one {@code resume} row), every epoch is evaluated exactly once, and the summary equals an
 * uninterrupted run's. Slow (46 s on the idle machine: three fine-tuning runs, one in a child JVM).
 */
@Tag("slow")
class FinetuneKillResumeTest {
    @TempDir Path tmp;

    List<String> command(Path rte, Path out) {
        return List.of("finetune", "--master", "local[2]", "--task", "rte", "--random-init",
                Path.of(System.getProperty("mobilebert.home", ".."), "conf/models/test_tiny.json").toString(),
                "--vocab", SharedData.vocab().toString(), "--data", rte.toString(), "--out", out.toString(),
                "--learning-rates", "1e-4,3e-4", "--epochs", "2", "--batch-size", "16", "--max-seq-length", "32",
                "--max-train-examples", "64", "--workers", "2");
    }

    @Test
    void killedWhileTrainingTheSameCommandContinuesAndEndsLikeAnUninterruptedRun() throws Exception {
        Path rte = SharedData.require(SharedData.glue("RTE"));
        Path killed = tmp.resolve("killed"), reference = tmp.resolve("uninterrupted");
        Path checkpoint = killed.resolve("lr-0.0003/checkpoints/step-000000004"); // 64 / 16 = 4 steps per epoch
        Path log = tmp.resolve("child.log");
        List<String> jvm = new ArrayList<>(List.of("-Xmx2g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=3g", "-Dmobilebert.progress=false"));
        String home = System.getProperty("mobilebert.home");
        if (home != null) jvm.add("-Dmobilebert.home=" + home);
        Process child = JvmProcess.start(String.join(File.pathSeparator, JvmProcess.currentClasspath()), jvm,
                Main.class.getName(), command(rte, killed), Map.of(), log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.isDirectory(checkpoint)) {
            assertTrue(child.isAlive(), "the child ended before " + checkpoint + ":\n" + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no " + checkpoint + " after 5 minutes:\n" + Files.readString(log));
            Thread.sleep(50);
        }
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.exists(killed.resolve("lr-0.0001/result.json")), "the first learning rate completed before the kill");
        assertFalse(Files.exists(killed.resolve("summary.json")));
        long firstRateRows = Files.lines(killed.resolve("lr-0.0001/metrics.jsonl")).count();

        assertEquals(0, Main.run(command(rte, killed).toArray(String[]::new)));
        assertEquals(0, Main.run(command(rte, reference).toArray(String[]::new)));

        assertEquals(firstRateRows, Files.lines(killed.resolve("lr-0.0001/metrics.jsonl")).count(), "lr 1e-4 was not redone");
        assertEquals(1, FinetuneJobTest.rows(killed.resolve("lr-0.0003/metrics.jsonl"), "resume").size());
        for (double lr : new double[]{1e-4, 3e-4}) {
            List<Integer> epochs = FinetuneJobTest.rows(killed.resolve("metrics.jsonl"), "dev").stream()
                    .filter(r -> r.get("learning_rate").asDouble() == lr).map(r -> r.get("epoch").asInt()).toList();
            assertEquals(List.of(1, 2), epochs, "each epoch of lr " + lr + " evaluated once");
        }
        JsonNode a = Json.MAPPER.readTree(reference.resolve("summary.json").toFile());
        JsonNode b = Json.MAPPER.readTree(killed.resolve("summary.json").toFile());
        for (int i = 0; i < 2; i++) {
            JsonNode ga = a.get("grid").get(i), gb = b.get("grid").get(i);
            System.out.printf("lr %s: uninterrupted accuracy %.4f (epoch %d), killed and resumed %.4f (epoch %d)%n",
                    ga.get("learning_rate"), ga.get("accuracy").asDouble(), ga.get("epoch").asInt(),
                    gb.get("accuracy").asDouble(), gb.get("epoch").asInt());
            // resumed parameter averaging repeats the run to ~1e-6 relative: at most one borderline dev example may flip
            assertEquals(ga.get("accuracy").asDouble(), gb.get("accuracy").asDouble(), 1.5 / 277, "lr " + ga.get("learning_rate"));
        }
        double lossA = Json.MAPPER.readTree(reference.resolve("lr-0.0003/summary.json").toFile()).get("final_loss").asDouble();
        double lossB = Json.MAPPER.readTree(killed.resolve("lr-0.0003/summary.json").toFile()).get("final_loss").asDouble();
        System.out.printf("lr 3e-4 final training loss: uninterrupted %.6f, killed and resumed %.6f%n", lossA, lossB);
        assertEquals(lossA, lossB, 1e-4 * Math.abs(lossA), "the resumed run's last training loss");
        assertTrue(Files.exists(killed.resolve("predictions/test/RTE.tsv")));
    }
}
