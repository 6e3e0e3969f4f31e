package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.testing.JvmProcess;
import dev.mobilebert.testing.LocalSpark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 of a quickstart (a child JVM) in the middle of each training stage — teacher, transfer (the first PKT
 * stage) and distill — right after that stage's first checkpoint, then the same command again in this JVM: the
 * stages before are skipped, the killed stage resumes from its checkpoint (one {@code resume} row in its metrics), and
 * the final summaries of every stage match an uninterrupted run of the same command (run once for the class).
 */
@Tag("slow")
class PipelineKillResumeTest {
    @TempDir static Path dir;
    private static Path uninterrupted;

    /**
     * A small quickstart: 200 speeches, 20 teacher steps with a checkpoint every 10, two PKT stages and distillation of
     * 6 steps with a checkpoint every 3, no reference models in bench.
     */
    static List<String> command(Path run) {
        return List.of("quickstart", "--out", run.toString(), "--master", "local[2]", "--max-speeches", "200",
                "--set", "prepare.vocab_size=2500", "--set", "teacher.training.optimizer.num_train_steps=20",
                "--set", "teacher.training.checkpoint_every_steps=10", "--set", "teacher.training.log_every_steps=5",
                // checkpoints must fall on averaging rounds: averaging_frequency 3 for the 6-step stages
                "--set", "transfer.training.averaging_frequency=3",
                "--set", "transfer.training.optimizer.num_train_steps=6", "--set", "transfer.training.checkpoint_every_steps=3",
                "--set", "transfer.training.optimizer.num_warmup_steps=1",
                "--set", "distill.training.averaging_frequency=3",
                "--set", "distill.training.optimizer.num_train_steps=6", "--set", "distill.training.checkpoint_every_steps=3",
                "--set", "distill.training.optimizer.num_warmup_steps=1",
                "--set", "bench.references=null", "--set", "bench.repetitions=3");
    }

    /** Where the killed stage keeps its trainer's run directory (checkpoints/, metrics.jsonl). */
    static Path trainerDir(Path run, String stage) {
        return stage.equals(TransferStage.NAME) ? run.resolve("transfer/stages/pkt-layer-00") : run.resolve(stage);
    }

    static String firstCheckpoint(String stage) {
        return stage.equals(TeacherStage.NAME) ? "step-000000010" : "step-000000003";
    }

    @ParameterizedTest
    @ValueSource(strings = {"teacher", "transfer", "distill"})
    void killedDuringAStageTheSameCommandContinuesThereAndEndsLikeAnUninterruptedRun(String stage) throws Exception {
        Path killed = dir.resolve("killed-" + stage);
        Path checkpoint = trainerDir(killed, stage).resolve("checkpoints").resolve(firstCheckpoint(stage));
        Path log = dir.resolve("child-" + stage + ".log");
        long t0 = System.nanoTime();
        Process child = JvmProcess.start(childClasspath(), List.of("-Xmx3g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=4g",
                        "-Dmobilebert.home=" + home(), "-Dmobilebert.progress=false"),
                "dev.mobilebert.jobs.Main", command(killed), Map.of(), log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (!Files.isDirectory(checkpoint)) {
            assertTrue(child.isAlive(), "the child ended before " + checkpoint + ":\n" + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no " + checkpoint + " after 20 minutes:\n" + Files.readString(log));
            Thread.sleep(100);
        }
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        double childSeconds = (System.nanoTime() - t0) / 1e9;
        assertFalse(Files.exists(killed.resolve(stage).resolve("summary.json")), "killed before " + stage + " completed");
        List<String> before = Stages.names(Stages.all()).subList(0, Stages.names(Stages.all()).indexOf(stage));
        for (String s : before) assertTrue(Files.exists(killed.resolve(s).resolve("summary.json")), s + " completed before the kill");

        LocalSpark.session();
        long t1 = System.nanoTime();
        QuickstartTest.Result rerun = QuickstartTest.cli(command(killed).toArray(String[]::new));
        double rerunSeconds = (System.nanoTime() - t1) / 1e9;
        System.out.println(rerun.out());
        assertEquals(0, rerun.code(), rerun.err());
        for (String s : before) assertTrue(rerun.out().contains("[" + s + "] complete, skipped"), s + " skipped:\n" + rerun.out());
        long resumes = Files.readAllLines(trainerDir(killed, stage).resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"stage\":\"resume\"")).count();
        assertEquals(1, resumes, "one resume row in " + stage);
        System.out.printf("[kill %s] child killed after %.1f s at %s; the rerun took %.1f s%n", stage, childSeconds,
                firstCheckpoint(stage), rerunSeconds);

        Path reference = uninterrupted();
        JsonNode ta = summary(reference, "teacher"), tb = summary(killed, "teacher");
        assertEquals(20, tb.get("steps").asInt());
        assertEquals(ta.get("sequences_seen").asLong(), tb.get("sequences_seen").asLong());
        assertEquals(stage.equals("teacher"), tb.get("resumed").asBoolean());
        assertClose("teacher final loss", ta.get("final_loss").asDouble(), tb.get("final_loss").asDouble());
        for (String pkt : List.of("pkt-layer-00", "pkt-layer-01")) {
            JsonNode pa = stageSummary(reference, pkt), pb = stageSummary(killed, pkt);
            assertEquals(6, pb.get("steps").asInt(), pkt);
            assertEquals(pa.get("batches_seen").asLong(), pb.get("batches_seen").asLong(), pkt);
            assertClose(pkt + " final loss", pa.get("final_loss").asDouble(), pb.get("final_loss").asDouble());
        }
        JsonNode da = summary(reference, "distill"), db = summary(killed, "distill");
        assertEquals(6, db.get("steps").asInt());
        assertEquals(da.get("sequences_seen").asLong(), db.get("sequences_seen").asLong());
        assertClose("distill final loss", da.get("final_loss").asDouble(), db.get("final_loss").asDouble());
        assertEquals(summary(reference, "prepare").get("instances"), summary(killed, "prepare").get("instances"));
        assertEquals(summary(reference, "bench").get("teacher_parameters"), summary(killed, "bench").get("teacher_parameters"));
        assertTrue(Files.exists(killed.resolve("report.html")));
    }

    /** "Within noise": parameter averaging on local[2] is repeatable to a few 1e-7 relative; 1e-3 leaves room. */
    private static void assertClose(String what, double uninterrupted, double resumed) {
        System.out.printf("%s: uninterrupted %.6f, killed and resumed %.6f%n", what, uninterrupted, resumed);
        assertEquals(uninterrupted, resumed, 1e-3 * Math.abs(uninterrupted), what);
    }

    /** The same command, never interrupted, in this JVM (once for the class). */
    private static synchronized Path uninterrupted() {
        if (uninterrupted == null) {
            Path run = dir.resolve("uninterrupted");
            long t = System.nanoTime();
            QuickstartTest.Result reference = QuickstartTest.cli(command(run).toArray(String[]::new));
            assertEquals(0, reference.code(), reference.err());
            System.out.printf("[uninterrupted] %.1f s%n", (System.nanoTime() - t) / 1e9);
            uninterrupted = run;
        }
        return uninterrupted;
    }

    static JsonNode summary(Path run, String stage) throws Exception {
        return Json.MAPPER.readTree(run.resolve(stage).resolve("summary.json").toFile());
    }

    static JsonNode stageSummary(Path run, String pktStage) throws Exception {
        return Json.MAPPER.readTree(run.resolve("transfer/stages").resolve(pktStage).resolve("summary.json").toFile());
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
