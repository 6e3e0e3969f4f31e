package dev.mobilebert.jobs.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.testing.JvmProcess;
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

import static dev.mobilebert.jobs.transfer.TransferTestData.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 of a real transfer process in the middle of PKT stage 1 (a child JVM running bin/mobilebert's main class),
 * then {@code transfer --resume} here: it continues inside stage 1 from that stage's newest checkpoint, and stage 0 is
 * not retrained (its metrics and checkpoint files are untouched).
 */
@Tag("slow")
class TransferKillTest {
    @TempDir static Path tmp;

    @Test
    void killedInsideAStageResumesThereWithoutRetrainingEarlierStages() throws Exception {
        TransferTestData data = TransferTestData.prepare(tmp, false);
        String out = tmp.resolve("killed").toString();
        List<String> args = new ArrayList<>(List.of("transfer", "--master", "local[2]", "--teacher", data.teacherZip,
                "--student-config", data.studentConfig, "--data", data.train, "--out", out, "--steps-per-stage", "40",
                "--learning-rate", "0.01", "--workers", "2", "--batch-size-per-worker", "4", "--set", "optimizer.num_warmup_steps=4",
                "--set", "averaging_frequency=5", "--set", "checkpoint_every_steps=5", "--set", "log_every_steps=5",
                "--set", "progress=false"));
        String home = Path.of("..").toAbsolutePath().normalize().toString();
        Process child = JvmProcess.start(String.join(File.pathSeparator, JvmProcess.currentClasspath()),
                List.of("-Xmx2g", "-Dmobilebert.home=" + home), Main.class.getName(), args, Map.of(), tmp.resolve("child.log"));
        Path stage1First = Path.of(out, "stages", TransferJob.stageName(1), "checkpoints", "step-000000005");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (!Files.isDirectory(stage1First) && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(200);
        assertTrue(child.isAlive(), "the child ended before stage 1 checkpointed; see " + tmp.resolve("child.log"));
        child.destroyForcibly(); // SIGKILL
        child.waitFor();
        assertFalse(Files.exists(Path.of(out, "student")), "killed before the end");

        Path stage0Metrics = Path.of(out, "stages", TransferJob.stageName(0), "metrics.jsonl");
        long stage0Rows = Files.readAllLines(stage0Metrics).size();
        File stage0Last = Path.of(out, "stages", TransferJob.stageName(0), "checkpoints", "step-000000040").toFile();
        long stage0Modified = stage0Last.lastModified();
        spark();
        args.add("--resume");
        assertEquals(0, Main.run(args.toArray(String[]::new)));
        assertEquals(stage0Rows, Files.readAllLines(stage0Metrics).size(), "stage 0 not retrained");
        assertEquals(stage0Modified, stage0Last.lastModified());
        List<JsonNode> resumes = rows(Path.of(out, "stages", TransferJob.stageName(1), "metrics.jsonl"), "resume");
        assertEquals(1, resumes.size());
        int at = resumes.get(0).get("step").asInt();
        assertTrue(at >= 5 && at < 40, "resumed inside stage 1 at step " + at);
        assertEquals(1, rows(Path.of(out, "metrics.jsonl"), TransferJob.stageName(0)).stream().filter(r -> r.get("step").asInt() == 40).count(),
                "stage 0's block appears once");
        assertTrue(Files.exists(Path.of(out, "student", "model.zip")));
    }
}
