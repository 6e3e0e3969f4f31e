package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.testing.JvmProcess;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
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
 * kill -9 of a quickstart with fine-tuning on RTE (a child JVM) in the middle of each stage — the training stages
 * teacher, transfer (the first PKT stage), distill and finetune right after their first checkpoint; prepare, bench and
 * report while they work — then the same command again in this JVM: the stages before are skipped, the killed stage
 * runs again (a training stage resumes from its checkpoint: one {@code resume} row in its metrics), and the final
 * summaries of every stage match an uninterrupted run of the same command (run once for the class).
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
                "--set", "bench.references=null", "--set", "bench.repetitions=20",
                // fine-tuning on RTE (a 2 x 4-step run, one worker) so that stage can be killed too
                "--glue-dir", SharedData.glue("RTE").getParent().toString(), "--set", "finetune.tasks=[RTE]",
                "--set", "finetune.max_train_examples=64", "--set", "finetune.batch_size=16", "--set", "finetune.epochs=2",
                "--set", "finetune.learning_rates=[1e-3]", "--set", "finetune.max_seq_length=32", "--set", "finetune.workers=1");
    }

    /**
     * When to kill: training stages right after their first checkpoint; prepare a few seconds into its work; bench and
     * report as soon as they announce themselves (they take about a second).
     */
    static boolean killNow(Path run, String stage, long startedSeenAt) {
        return switch (stage) {
            case "prepare" -> startedSeenAt > 0 && System.nanoTime() - startedSeenAt > TimeUnit.SECONDS.toNanos(3);
            case "bench", "report" -> startedSeenAt > 0;
            default -> Files.isDirectory(trainerDir(run, stage).resolve("checkpoints").resolve(firstCheckpoint(stage)));
        };
    }

    /** Where the killed stage keeps its trainer's run directory (checkpoints/, metrics.jsonl). */
    static Path trainerDir(Path run, String stage) {
        return switch (stage) {
            case "transfer" -> run.resolve("transfer/stages/pkt-layer-00");
            case "finetune" -> run.resolve("finetune/rte/lr-0.001");
            default -> run.resolve(stage);
        };
    }

    static String firstCheckpoint(String stage) {
        return switch (stage) {
            case "teacher" -> "step-000000010";
            case "finetune" -> "step-000000004"; // 64 examples / 16 = 4 steps per epoch
            default -> "step-000000003";
        };
    }

    static boolean trains(String stage) {
        return List.of("teacher", "transfer", "distill", "finetune").contains(stage);
    }

    @ParameterizedTest
    @ValueSource(strings = {"prepare", "teacher", "transfer", "distill", "finetune", "bench", "report"})
    void killedDuringAStageTheSameCommandContinuesThereAndEndsLikeAnUninterruptedRun(String stage) throws Exception {
        SharedData.require(SharedData.glue("RTE"));
        Path killed = dir.resolve("killed-" + stage);
        Path log = dir.resolve("child-" + stage + ".log");
        long t0 = System.nanoTime();
        Process child = JvmProcess.start(childClasspath(), List.of("-Xmx3g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=4g",
                        "-Dmobilebert.home=" + home(), "-Dmobilebert.progress=false"),
                "dev.mobilebert.jobs.Main", command(killed), Map.of(), log);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        long startedSeenAt = 0;
        while (!killNow(killed, stage, startedSeenAt)) {
            assertTrue(child.isAlive(), "the child ended before the kill point of " + stage + ":\n" + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no kill point of " + stage + " after 20 minutes:\n" + Files.readString(log));
            if (startedSeenAt == 0 && Files.readString(log).contains("[" + stage + "] ")) startedSeenAt = System.nanoTime();
            Thread.sleep(stage.equals("bench") || stage.equals("report") ? 10 : 100);
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
        if (trains(stage)) {
            long resumes = Files.readAllLines(trainerDir(killed, stage).resolve("metrics.jsonl")).stream()
                    .filter(l -> l.contains("\"stage\":\"resume\"")).count();
            assertEquals(1, resumes, "one resume row in " + stage);
        }
        assertTrue(rerun.out().contains("[" + stage + "] ") && !rerun.out().contains("[" + stage + "] complete, skipped"),
                stage + " ran again:\n" + rerun.out());
        System.out.printf("[kill %s] child killed after %.1f s%s; the rerun took %.1f s%n", stage, childSeconds,
                trains(stage) ? " at " + firstCheckpoint(stage) : "", rerunSeconds);

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
        JsonNode fa = summary(reference, "finetune").path("results").path("RTE"), fb = summary(killed, "finetune").path("results").path("RTE");
        assertEquals(277, fb.path("total").asInt(), "RTE dev evaluated: " + fb);
        assertEquals(fa.path("accuracy").asDouble(), fb.path("accuracy").asDouble(), 1.5 / 277, "RTE dev accuracy");
        assertEquals(summary(reference, "report").get("charts"), summary(killed, "report").get("charts"));
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
