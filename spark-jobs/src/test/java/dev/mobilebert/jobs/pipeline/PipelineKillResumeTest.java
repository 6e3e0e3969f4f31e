package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.testing.JvmProcess;
import dev.mobilebert.testing.LocalSpark;
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
 * kill -9 of a quickstart in the middle of the teacher stage (a child JVM, killed right after the teacher's first
 * checkpoint), then the same command again: prepare is skipped, the teacher resumes from its checkpoint, and the final
 * summaries match an uninterrupted run of the same command.
 */
@Tag("slow")
class PipelineKillResumeTest {
    @TempDir Path dir;

    /** A small quickstart: 200 speeches, 30 teacher steps with a checkpoint every 10, 5-step transfer stages and distillation, no reference models in bench. */
    static List<String> command(Path run) {
        return List.of("quickstart", "--out", run.toString(), "--master", "local[2]", "--max-speeches", "200",
                "--set", "prepare.vocab_size=2500", "--set", "teacher.training.optimizer.num_train_steps=30",
                "--set", "teacher.training.checkpoint_every_steps=10", "--set", "teacher.training.log_every_steps=5",
                "--set", "transfer.training.optimizer.num_train_steps=5", "--set", "transfer.training.checkpoint_every_steps=5",
                "--set", "transfer.training.optimizer.num_warmup_steps=1",
                "--set", "distill.training.optimizer.num_train_steps=5", "--set", "distill.training.checkpoint_every_steps=5",
                "--set", "distill.training.optimizer.num_warmup_steps=1",
                "--set", "bench.references=null", "--set", "bench.repetitions=3");
    }

    @Test
    void killedDuringTheTeacherTheSameCommandContinuesThereAndEndsLikeAnUninterruptedRun() throws Exception {
        Path killed = dir.resolve("killed");
        Path firstCheckpoint = killed.resolve("teacher/checkpoints/step-000000010");
        Path log = dir.resolve("child.log");
        Process child = JvmProcess.start(childClasspath(), List.of("-Xmx3g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=4g",
                        "-Dmobilebert.home=" + home(), "-Dmobilebert.progress=false"),
                "dev.mobilebert.jobs.Main", command(killed), Map.of(), log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (!Files.isDirectory(firstCheckpoint)) {
            assertTrue(child.isAlive(), "the child ended before the teacher's first checkpoint:\n" + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no teacher checkpoint after 15 minutes:\n" + Files.readString(log));
            Thread.sleep(200);
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertFalse(Files.exists(killed.resolve("teacher/summary.json")), "killed before the teacher completed");
        assertTrue(Files.exists(killed.resolve("prepare/summary.json")));

        LocalSpark.session();
        QuickstartTest.Result rerun = QuickstartTest.cli(command(killed).toArray(String[]::new));
        System.out.println(rerun.out());
        assertEquals(0, rerun.code(), rerun.err());
        assertTrue(rerun.out().contains("[prepare] complete, skipped"), rerun.out());
        assertTrue(rerun.out().contains("[teacher] resuming from"), rerun.out());

        Path uninterrupted = dir.resolve("uninterrupted");
        QuickstartTest.Result reference = QuickstartTest.cli(command(uninterrupted).toArray(String[]::new));
        assertEquals(0, reference.code(), reference.err());

        JsonNode a = summary(uninterrupted, "teacher"), b = summary(killed, "teacher");
        assertEquals(30, b.get("steps").asInt());
        assertEquals(a.get("sequences_seen").asLong(), b.get("sequences_seen").asLong());
        assertTrue(b.get("resumed").asBoolean() && !a.get("resumed").asBoolean());
        double la = a.get("final_loss").asDouble(), lb = b.get("final_loss").asDouble();
        System.out.printf("final teacher loss: uninterrupted %.6f, killed and resumed %.6f%n", la, lb);
        assertEquals(la, lb, 1e-3 * Math.abs(la), "same final loss as the uninterrupted run");
        assertEquals(summary(uninterrupted, "prepare").get("instances"), summary(killed, "prepare").get("instances"));
        assertEquals(summary(uninterrupted, "bench").get("teacher_parameters"), summary(killed, "bench").get("teacher_parameters"));
        double da = summary(uninterrupted, "distill").get("final_loss").asDouble(), db = summary(killed, "distill").get("final_loss").asDouble();
        System.out.printf("final distillation loss: uninterrupted %.6f, killed and resumed %.6f%n", da, db);
        assertEquals(da, db, 1e-3 * Math.abs(da), "the student distilled from the resumed teacher ends like the uninterrupted one");
        long resumes = Files.readAllLines(killed.resolve("teacher/metrics.jsonl")).stream().filter(l -> l.contains("\"stage\":\"resume\"")).count();
        assertEquals(1, resumes, "one resume row");
        assertTrue(Files.exists(killed.resolve("report.html")));
    }

    static JsonNode summary(Path run, String stage) throws Exception {
        return Json.MAPPER.readTree(run.resolve(stage).resolve("summary.json").toFile());
    }

    static Path home() {
        return Path.of(System.getProperty("mobilebert.home", "..")).toAbsolutePath().normalize();
    }

    /** As bin/mobilebert builds it: the modules' classes, then the runtime and provided dependency lists. */
    static String childClasspath() throws Exception {
        Path h = home();
        List<String> cp = new ArrayList<>(List.of(h.resolve("spark-jobs/target/classes").toString(),
                h.resolve("model/target/classes").toString(), h.resolve("data-prep/target/classes").toString()));
        for (String f : List.of("classpath-runtime.txt", "classpath-provided.txt")) {
            Path p = h.resolve("spark-jobs/target").resolve(f);
            assertTrue(Files.exists(p), p + " (written by the build)");
            cp.add(Files.readString(p).trim());
        }
        return String.join(File.pathSeparator, cp);
    }
}
