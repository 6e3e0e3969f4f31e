package dev.mobilebert.jobs.pipeline;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.mobilebert.io.Fs;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The runner's rules without Spark: ranges, skipping complete stages, always-run stages, unimplemented stages. */
class PipelineRunnerTest {
    @TempDir java.nio.file.Path dir;

    /** A stage that records its runs and, like real stages, resumes from a marker file of an earlier attempt. */
    static final class CountingStage implements Stage {
        final String name;
        final boolean always;
        final List<String> calls;
        boolean failOnce;

        CountingStage(String name, boolean always, List<String> calls) {
            this.name = name;
            this.always = always;
            this.calls = calls;
        }

        public String name() { return name; }
        public String description() { return "counts " + name; }
        public boolean alwaysRuns() { return always; }

        public Map<String, Object> run(StageContext ctx) throws Exception {
            Path part = ctx.directory().resolve("part1");
            boolean resumed = Fs.exists(part);
            if (!resumed) Files.writeString(java.nio.file.Path.of(part.toUri()), "x");
            calls.add(name + (resumed ? ":resumed" : ""));
            if (failOnce) {
                failOnce = false;
                throw new IllegalStateException("crash in " + name);
            }
            return Map.of("resumed", resumed);
        }
    }

    @Test
    void skipsCompleteStagesResumesPartialOnesAndRespectsTheRange() throws Exception {
        List<String> calls = new ArrayList<>();
        CountingStage a = new CountingStage("a", false, calls), b = new CountingStage("b", false, calls), r = new CountingStage("r", true, calls);
        Pipeline p = new Pipeline(List.of(a, b, r));
        Config c = ConfigFactory.empty();
        Path root = new Path(dir.toUri());
        PrintStream out = new PrintStream(new ByteArrayOutputStream());

        b.failOnce = true;
        assertThrows(IllegalStateException.class, () -> p.run(c, root, p.select(null, null), () -> null, out, false));
        assertEquals(List.of("a", "b"), calls);
        java.nio.file.Path aSummary = dir.resolve("a/summary.json");
        long aTime = Files.getLastModifiedTime(aSummary).toMillis();
        assertFalse(Files.exists(dir.resolve("b/summary.json")), "a crashed stage must not look complete");

        calls.clear();
        Thread.sleep(20);
        var outcomes = p.run(c, root, p.select(null, null), () -> null, out, false);
        assertEquals(List.of("b:resumed", "r"), calls, "a is complete and skipped, b resumes, r always runs");
        assertEquals(Pipeline.Status.SKIPPED_COMPLETE, outcomes.get(0).status());
        assertEquals(aTime, Files.getLastModifiedTime(aSummary).toMillis());

        calls.clear();
        p.run(c, root, p.select("b", "b"), () -> null, out, false);
        assertEquals(List.of(), calls, "b alone, complete: nothing runs");
        p.run(c, root, p.select("r", null), () -> null, out, false);
        assertEquals(List.of("r:resumed"), calls);

        assertEquals(List.of("a", "b"), Stages.names(p.select(null, "b")));
        var unknown = assertThrows(IllegalArgumentException.class, () -> p.select("x", null));
        assertTrue(unknown.getMessage().contains("unknown stage 'x'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.select("r", "a"));
    }

    @Test
    void anUnimplementedStageFailsClearlyOrIsReportedWhenSkippingIsAsked() throws Exception {
        List<String> calls = new ArrayList<>();
        Stage a = new CountingStage("a", false, calls);
        Stage t = new NotImplementedStage("transfer", "progressive transfer", "issue 6");
        Stage r = new CountingStage("r", true, calls);
        Pipeline p = new Pipeline(List.of(a, t, r));
        Path root = new Path(dir.toUri());
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        var e = assertThrows(NotImplementedStage.StageNotImplementedException.class,
                () -> p.run(ConfigFactory.empty(), root, p.select(null, null), () -> null, out, false));
        assertEquals("stage 'transfer' is not implemented yet in this build (issue 6)", e.getMessage());
        assertEquals(List.of("a"), calls);
        assertFalse(Files.exists(dir.resolve("transfer")), "an unimplemented stage leaves no directory behind");

        var outcomes = p.run(ConfigFactory.empty(), root, p.select(null, null), () -> null, out, true);
        assertEquals(List.of(Pipeline.Status.SKIPPED_COMPLETE, Pipeline.Status.NOT_IMPLEMENTED, Pipeline.Status.RAN),
                outcomes.stream().map(Pipeline.Outcome::status).toList());
    }

    @Test
    void theRegistryHasThePaperOrderAndTheShippedConfigsParse() {
        assertEquals(List.of("prepare", "teacher", "transfer", "distill", "finetune", "bench", "report"), Stages.names(Stages.all()));
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("mobilebert.home", "..")).resolve("conf/pipelines");
        for (String name : List.of("laptop.conf", "mobilebert-paper.conf")) {
            Config c = PipelineConfig.load(home.resolve(name), Map.of("prepare.dupe_factor", "3", "prepare.input", "/data/a b.txt"));
            assertEquals(3, c.getInt("prepare.dupe_factor"));
            assertEquals(List.of("/data/a b.txt"), PipelineConfig.strings(c.getConfig("prepare"), "input"));
            for (Stage s : Stages.all()) assertTrue(c.hasPath(s.name()) || c.root().containsKey(s.name()), name + " lacks " + s.name());
        }
        Config paper = PipelineConfig.load(home.resolve("mobilebert-paper.conf"), Map.of());
        assertEquals(500000, paper.getInt("teacher.training.optimizer.num_train_steps"));
        assertEquals("lamb", paper.getString("teacher.training.optimizer.optimizer"));
        var bad = assertThrows(IllegalArgumentException.class, () -> PipelineConfig.load(home.resolve("laptop.conf"), Map.of("tacher.steps", "1")));
        assertTrue(bad.getMessage().contains("unknown section 'tacher'"), bad.getMessage());
        Config typo = PipelineConfig.load(home.resolve("laptop.conf"), Map.of("prepare.dupe_factr", "1"));
        var badKey = assertThrows(IllegalArgumentException.class, () -> PrepareStage.checkKeys(typo.getConfig("prepare")));
        assertTrue(badKey.getMessage().contains("unknown setting prepare.dupe_factr"), badKey.getMessage());
        for (String name : List.of("laptop.conf", "mobilebert-paper.conf")) {
            Config c = PipelineConfig.load(home.resolve(name), Map.of());
            PrepareStage.checkKeys(c.getConfig("prepare"));
            assertEquals(PrepareStage.KEYS, c.getConfig("prepare").root().keySet(), name + " documents every prepare setting");
        }
    }

    /** The teacher's model and training settings of both shipped configs bind, with the run's vocabulary size. */
    @Test
    void teacherSettingsOfTheShippedConfigsBind() throws Exception {
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("mobilebert.home", "..")).resolve("conf/pipelines");
        var prepared = new StageSettings.Prepared("vocab.txt", "data", 3000, 128);
        for (String name : List.of("laptop.conf", "mobilebert-paper.conf")) {
            Config teacher = PipelineConfig.load(home.resolve(name), Map.of()).getConfig("teacher");
            StageSettings.checkKeys(teacher, "teacher", TeacherStage.KEYS);
            var model = StageSettings.model(teacher, "teacher", "model", prepared);
            assertEquals(3000, model.vocabSize, name + ": vocab_size follows the run's vocabulary");
            assertTrue(model.layerNorm() && !model.keyQuerySharedBottleneck, name + ": an IB-BERT teacher");
            var training = StageSettings.training(teacher, "teacher", 3);
            assertEquals(3, training.workers(), name + ": workers = 0 means one per task slot");
            assertEquals(teacher.getInt("training.optimizer.num_train_steps"), training.numTrainSteps());
            assertEquals(teacher.getInt("training.batch_size_per_worker"), training.batchSizePerWorker());

            Config all = PipelineConfig.load(home.resolve(name), Map.of());
            Config transfer = all.getConfig("transfer"), distill = all.getConfig("distill");
            StageSettings.checkKeys(transfer, "transfer", TransferStage.KEYS);
            StageSettings.checkKeys(distill, "distill", DistillStage.KEYS);
            StageSettings.checkKeys(all.getConfig("finetune"), "finetune", FinetuneStage.KEYS);
            var student = StageSettings.model(transfer, "transfer", "model", prepared);
            assertEquals(3000, student.vocabSize);
            assertEquals(model.hiddenSize, student.hiddenSize, name + ": FMT needs the teacher's inter-block width");
            assertEquals(model.numHiddenLayers, student.numHiddenLayers, name + ": one PKT stage per teacher layer");
            assertEquals(model.numAttentionHeads, student.numAttentionHeads, name + ": AT needs the teacher's heads");
            assertTrue(student.trueHiddenSize() < model.trueHiddenSize(), name + ": the student's blocks are thinner");
            assertEquals(transfer.getInt("training.optimizer.num_train_steps"),
                    StageSettings.training(transfer, "transfer", 2, "conf/jobs/transfer-training.json").numTrainSteps());
            assertEquals(distill.getInt("training.optimizer.num_train_steps"),
                    StageSettings.training(distill, "distill", 2, "conf/jobs/distill-training.json").numTrainSteps());
        }
        Config typo = PipelineConfig.load(home.resolve("laptop.conf"), Map.of("teacher.training.optimizer.learning_rat", "1"));
        var bad = assertThrows(IllegalArgumentException.class, () -> StageSettings.training(typo.getConfig("teacher"), "teacher", 2));
        assertTrue(bad.getMessage().contains("teacher.training") && bad.getMessage().contains("learning_rat"), bad.getMessage());
        Config shortPositions = PipelineConfig.load(home.resolve("laptop.conf"), Map.of("teacher.model.max_position_embeddings", "64"));
        var tooShort = assertThrows(IllegalArgumentException.class,
                () -> StageSettings.model(shortPositions.getConfig("teacher"), "teacher", "model", prepared));
        assertTrue(tooShort.getMessage().contains("max_position_embeddings 64 is below prepare.max_seq_length 128"), tooShort.getMessage());
    }
}
