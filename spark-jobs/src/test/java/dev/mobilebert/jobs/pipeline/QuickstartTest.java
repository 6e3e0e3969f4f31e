package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.testing.LocalSpark;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * quickstart end to end on part of the embedded corpus in local[2], then the pipeline command on the same run:
 * complete stages are skipped, --from/--until select, a partial prepare resumes, an unimplemented stage fails clearly.
 */
class QuickstartTest {
    @TempDir Path dir;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The quickstart made small for the default suite: 300 speeches, a 3,000-token vocabulary, 10 teacher steps. */
    static final String[] SMALL = {"--max-speeches", "300", "--set", "prepare.vocab_size=3000", "--master", "local[2]",
            "--set", "teacher.training.optimizer.num_train_steps=10", "--set", "teacher.training.checkpoint_every_steps=5",
            "--set", "teacher.training.log_every_steps=1", "--set", "teacher.training.optimizer.num_warmup_steps=2",
            "--set", "transfer.training.optimizer.num_train_steps=5", "--set", "transfer.training.checkpoint_every_steps=5",
            "--set", "transfer.training.optimizer.num_warmup_steps=1", "--set", "transfer.training.log_every_steps=1",
            "--set", "distill.training.optimizer.num_train_steps=5", "--set", "distill.training.checkpoint_every_steps=5",
            "--set", "distill.training.optimizer.num_warmup_steps=1", "--set", "distill.training.log_every_steps=1",
            "--set", "bench.references=null", "--set", "bench.repetitions=2", "--set", "bench.warmup=1"};

    @Test
    void quickstartThenSkipResumeAndRanges() throws Exception {
        LocalSpark.session(); // the shared local[2] session: the commands reuse it
        Path run = dir.resolve("run");
        long t0 = System.nanoTime();
        Result q = cli(concat(new String[]{"quickstart", "--out", run.toString()}, SMALL));
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("quickstart (300 speeches, vocab 3000, 10 teacher steps, local[2]): %.1f s%n%s", seconds, q.out());
        assertEquals(0, q.code(), q.err());
        assertTrue(q.out().contains("Report: " + run.resolve("report.html")), q.out());
        assertTrue(q.out().contains("[spark] master local[2], 2 task slots, UI "), "where the Spark UI is: " + q.out());

        Path prepare = run.resolve("prepare");
        JsonNode summary = Json.MAPPER.readTree(prepare.resolve("summary.json").toFile());
        JsonNode stats = Json.MAPPER.readTree(prepare.resolve("data/stats.json").toFile());
        assertEquals(300, stats.get("documents").asLong(), "one document per speech");
        assertTrue(stats.get("instances").asLong() > 300);
        assertEquals(stats.get("instances").asLong(), summary.get("instances").asLong());
        List<String> vocab = Files.readAllLines(prepare.resolve("vocab.txt"));
        assertTrue(vocab.size() <= 3000 && vocab.size() > 1000 && vocab.contains("[MASK]") && vocab.contains("parliament"), "vocab " + vocab.size());

        // teacher: pretrained on the shards, its vocab_size the learned vocabulary's
        Path teacher = run.resolve("teacher");
        JsonNode t = Json.MAPPER.readTree(teacher.resolve("summary.json").toFile());
        assertEquals(10, t.get("steps").asInt());
        assertTrue(Double.isFinite(t.get("final_loss").asDouble()) && t.get("final_loss").asDouble() > 0, t.toString());
        assertFalse(t.get("resumed").asBoolean());
        assertEquals(vocab.size(), Json.MAPPER.readTree(teacher.resolve("model.json").toFile()).get("vocab_size").asInt());
        long trainRows = Files.readAllLines(teacher.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"stage\":\"train\"")).count();
        assertEquals(10, trainRows, "a train row per step");

        // transfer (one PKT stage per teacher layer) and distillation of the student
        JsonNode transfer = Json.MAPPER.readTree(run.resolve("transfer/summary.json").toFile());
        assertEquals(2, transfer.get("stages").size(), "one PKT stage per layer of the 2-layer teacher: " + transfer);
        assertTrue(Files.exists(run.resolve("transfer/student/model.zip")), transfer.toString());
        JsonNode distill = Json.MAPPER.readTree(run.resolve("distill/summary.json").toFile());
        assertEquals(5, distill.get("steps").asInt());
        assertTrue(Double.isFinite(distill.get("final_loss").asDouble()), distill.toString());
        JsonNode finetune = Json.MAPPER.readTree(run.resolve("finetune/summary.json").toFile());
        assertFalse(finetune.get("evaluated").asBoolean(), "no --glue-dir/--squad: nothing evaluated");

        // bench: the student and the teacher measured, their parameter counts those of their configs
        JsonNode bench = Json.MAPPER.readTree(run.resolve("bench/bench.json").toFile());
        assertEquals("student", bench.get("models").get(0).get("role").asText());
        assertEquals(distill.get("parameters").asLong(), bench.get("models").get(0).get("parameters_with_heads").asLong());
        assertTrue(bench.get("models").get(0).get("parameters").asLong() < bench.get("models").get(1).get("parameters").asLong(),
                "the student is smaller than the teacher");
        JsonNode teacherRow = bench.get("models").get(1);
        assertEquals("teacher", teacherRow.get("role").asText());
        assertEquals(t.get("parameters").asLong(), teacherRow.get("parameters_with_heads").asLong(), "the pretraining graph = encoder + heads");
        assertTrue(teacherRow.get("median_ms").asDouble() > 0 && teacherRow.get("checkpoint_bytes").asLong() > 0);

        Document report = Jsoup.parse(run.resolve("report.html").toFile(), "UTF-8");
        assertTrue(report.select("div.chart > svg").size() >= 2, "the length histogram and the teacher's curves");
        assertTrue(report.select("div.chart svg").text().contains("teacher / train"), "the teacher's loss curves");
        assertEquals(2, report.select("table.latency tr").size() - 1, "the size/latency table has the student and the teacher");
        assertTrue(report.select("div.chart svg").text().contains("distill / train"), "the distillation's loss curves");
        assertTrue(report.select("div.chart svg").text().contains("pkt-layer-01"), "the PKT stages' loss curves: "
                + report.select("div.chart svg").text());
        assertTrue(report.select("table.stats td").eachText().contains("instances"));
        assertTrue(report.select("table.provenance td").eachText().contains("command"));
        assertTrue(report.select("pre").text().contains("dupe_factor"), "the resolved config");

        executeNotebookIfJupyterIsInstalled(run);

        // rerun: every stage complete and skipped (summaries untouched), the report is redone
        FileTime prepared = Files.getLastModifiedTime(prepare.resolve("summary.json"));
        FileTime taught = Files.getLastModifiedTime(teacher.resolve("summary.json"));
        Files.setLastModifiedTime(run.resolve("report.html"), FileTime.fromMillis(0));
        Result again = cli(concat(new String[]{"quickstart", "--out", run.toString()}, SMALL));
        assertEquals(0, again.code(), again.err());
        for (String stage : List.of("prepare", "teacher", "transfer", "distill", "finetune", "bench")) {
            assertTrue(again.out().contains("[" + stage + "] complete, skipped"), again.out());
        }
        assertEquals(prepared, Files.getLastModifiedTime(prepare.resolve("summary.json")));
        assertEquals(taught, Files.getLastModifiedTime(teacher.resolve("summary.json")));
        assertTrue(Files.getLastModifiedTime(run.resolve("report.html")).toMillis() > 0);

        String conf = Path.of(System.getProperty("mobilebert.home", "..")).resolve("conf/pipelines/laptop.conf").toString();
        String[] common = concat(new String[]{"--config", conf, "--out", run.toString(), "--set", "prepare.input=" + run.resolve("corpus"),
                "--set", "prepare.format=bert"}, java.util.Arrays.copyOfRange(SMALL, 2, SMALL.length));

        // a partial teacher (killed after its first checkpoint) resumes there and ends where the uninterrupted one did
        deleteTree(teacher.resolve("checkpoints/step-000000010"));
        Files.delete(teacher.resolve("summary.json"));
        Result resumedTeacher = cli(concat(new String[]{"pipeline", "--from", "teacher", "--until", "teacher"}, common));
        assertEquals(0, resumedTeacher.code(), resumedTeacher.err());
        assertTrue(resumedTeacher.out().contains("[teacher] resuming from") && resumedTeacher.out().contains("step-000000005"), resumedTeacher.out());
        JsonNode t2 = Json.MAPPER.readTree(teacher.resolve("summary.json").toFile());
        assertEquals(10, t2.get("steps").asInt());
        assertTrue(t2.get("resumed").asBoolean());
        assertEquals(t.get("final_loss").asDouble(), t2.get("final_loss").asDouble(), 1e-3 * t.get("final_loss").asDouble(),
                "the same final loss as without the interruption");

        // the pipeline command on the same run: complete stages skipped, then a clear failure at the first missing stage
        Stage missing = Stages.all().stream().filter(s -> !s.implemented()).findFirst().orElse(null);
        if (missing != null) {
            Result p = cli(concat(new String[]{"pipeline", "--until", missing.name()}, common));
            assertEquals(1, p.code());
            assertTrue(p.out().contains("[prepare] complete, skipped") && p.out().contains("[teacher] complete, skipped"), p.out());
            assertTrue(p.err().contains("stage '" + missing.name() + "' is not implemented yet in this build"), p.err());
            assertFalse(Files.exists(run.resolve(missing.name())));
        }

        // a partial prepare (shards lost, vocabulary kept) resumes: the vocabulary is reused, the shards rebuilt
        FileTime vocabTime = Files.getLastModifiedTime(prepare.resolve("vocab.txt"));
        Files.delete(prepare.resolve("summary.json"));
        deleteTree(prepare.resolve("data"));
        Result resumed = cli(concat(new String[]{"pipeline", "--until", "prepare"}, common));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("vocab.txt exists, reused"), resumed.out());
        assertEquals(vocabTime, Files.getLastModifiedTime(prepare.resolve("vocab.txt")));
        assertEquals(stats.get("instances").asLong(),
                Json.MAPPER.readTree(prepare.resolve("data/stats.json").toFile()).get("instances").asLong(), "same seed, same data");
        try (var files = Files.walk(run)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("_tmp.")).toList(), "no temporaries left");
        }

        // --from report: only the report
        Result onlyReport = cli(concat(new String[]{"pipeline", "--from", "report"}, common));
        assertEquals(0, onlyReport.code(), onlyReport.err());
        assertFalse(onlyReport.out().contains("[prepare]"), onlyReport.out());
        assertTrue(onlyReport.out().contains("[report]"), onlyReport.out());
    }

    /**
     * notebooks/run.ipynb executed headlessly against the run (Debian's jupyter-nbconvert, python3-pandas,
     * python3-matplotlib); where jupyter is not installed this part is skipped with a message.
     */
    void executeNotebookIfJupyterIsInstalled(Path run) throws Exception {
        Path notebook = Path.of(System.getProperty("mobilebert.home", "..")).resolve("notebooks/run.ipynb");
        assertTrue(Files.exists(notebook), notebook.toString());
        if (!onPath("jupyter")) {
            System.out.println("jupyter is not installed: notebooks/run.ipynb not executed (apt-get install jupyter-nbconvert python3-ipykernel python3-pandas python3-matplotlib)");
            return;
        }
        Path outDir = Files.createDirectories(dir.resolve("nb"));
        ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook", "--execute", "--output-dir", outDir.toString(),
                "--ExecutePreprocessor.timeout=120", notebook.toString()).redirectErrorStream(true);
        pb.environment().put("MOBILEBERT_RUN", run.toString());
        Process proc = pb.start();
        String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), log);
        JsonNode executed = Json.MAPPER.readTree(outDir.resolve("run.ipynb").toFile());
        int images = 0;
        StringBuilder text = new StringBuilder();
        for (JsonNode cell : executed.get("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                if (o.path("data").has("image/png")) images++;
                o.path("text").forEach(t -> text.append(t.asText()));
                o.path("data").path("text/plain").forEach(t -> text.append(t.asText()));
            }
        }
        assertTrue(images >= 1, "the length histogram is drawn");
        assertTrue(text.toString().contains("instances") && text.toString().contains("complete"), text.toString());
    }

    static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) return true;
        }
        return false;
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
