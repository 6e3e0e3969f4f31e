package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.finetune.FinetuneJob;
import dev.mobilebert.jobs.progress.SparkProgress;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * finetune: {@link FinetuneJob} for each configured GLUE task (a sub-directory of {@code glue_dir}) and for SQuAD
 * v1.1 ({@code squad}, a directory with train-v1.1.json and dev-v1.1.json), starting from the distilled student
 * (or the transferred one when distill did not run). One run directory per task under RUN/finetune/; a task whose
 * summary exists is not redone, so an interrupted stage continues with the next task. Without data it records
 * that nothing was evaluated.
 */
public final class FinetuneStage implements Stage {
    public static final String NAME = "finetune";
    static final Set<String> KEYS = Set.of("glue_dir", "tasks", "squad", "learning_rates", "epochs", "batch_size", "max_seq_length",
            "max_train_examples", "averaging_frequency", "workers");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "fine-tune and evaluate on the configured GLUE/SQuAD tasks";
    }

    @Override
    public Map<String, Object> run(StageContext ctx) throws Exception {
        Config c = ctx.section(NAME);
        StageSettings.checkKeys(c, NAME, KEYS);
        String glueDir = PipelineConfig.optionalString(c, "glue_dir"), squad = PipelineConfig.optionalString(c, "squad");
        Map<String, Object> summary = new LinkedHashMap<>();
        if (glueDir == null && squad == null) {
            ctx.out().println("[finetune] no finetune.glue_dir and no finetune.squad: nothing to evaluate (quickstart: --glue-dir/--squad)");
            summary.put("evaluated", false);
            return summary;
        }
        StageSettings.Prepared prepared = StageSettings.prepared(ctx, NAME);
        String start = student(ctx);
        SparkSession spark = ctx.spark().get();
        // 0: one worker per Spark core; small models learn faster with one (docs/training.md, averaging and AdamW)
        int workers = c.hasPath("workers") ? c.getInt("workers") : 0;
        if (workers < 0) throw new IllegalArgumentException("finetune.workers is " + workers + "; give 0 (one per Spark core) or more");
        if (workers == 0) workers = spark.sparkContext().defaultParallelism();
        List<String> tasks = new ArrayList<>();
        if (glueDir != null) tasks.addAll(PipelineConfig.strings(c, "tasks"));
        if (squad != null) tasks.add("squad1");
        List<Double> glueScores = new ArrayList<>();
        Map<String, Object> results = new LinkedHashMap<>();
        for (String task : tasks) {
            boolean isSquad = task.equals("squad1");
            String data = isSquad ? squad : new Path(Fs.path(glueDir), task).toString();
            Path out = ctx.directory().resolve(task.toLowerCase(Locale.ROOT));
            JsonNode done = readSummary(out);
            if (done == null) {
                ctx.out().printf("[finetune] %s from %s (data %s)%n", task, PipelineRun.display(Fs.path(start)), data);
                var o = FinetuneJob.Options.defaults(task, start, null, data, out.toString(), prepared.vocab())
                        .with(c.getDoubleList("learning_rates"), c.getInt("epochs"), c.getInt("batch_size"),
                                Math.min(c.getInt("max_seq_length"), prepared.maxSeqLength()), c.getInt("max_train_examples"))
                        .withDistribution(workers, c.getInt("averaging_frequency"));
                try (AutoCloseable quiet = SparkProgress.suspend()) {
                    FinetuneJob.run(spark, o);
                }
                done = readSummary(out);
            } else {
                ctx.out().printf("[finetune] %s complete, skipped%n", task);
            }
            JsonNode best = done.path("best");
            results.put(task, Json.MAPPER.treeToValue(best, Object.class));
            if (isSquad) summary.put("squad1_f1", best.path("f1").asDouble());
            else glueScores.add(best.path("glue_score").asDouble());
        }
        if (!glueScores.isEmpty()) {
            summary.put("glue_score", glueScores.stream().mapToDouble(d -> d).average().orElse(Double.NaN));
            summary.put("glue_tasks", PipelineConfig.strings(c, "tasks"));
        }
        summary.put("evaluated", true);
        summary.put("from", start);
        summary.put("results", results);
        return summary;
    }

    private static JsonNode readSummary(Path runDir) throws java.io.IOException {
        Path s = new Path(runDir, "summary.json");
        return Fs.exists(s) ? Json.MAPPER.readTree(Fs.readString(s)) : null;
    }

    /** The student to fine-tune: distill's newest checkpoint, else transfer's student. */
    static String student(StageContext ctx) throws java.io.IOException {
        for (String stage : List.of(DistillStage.NAME, TransferStage.NAME)) {
            JsonNode s = readSummary(ctx.stageDir(stage));
            if (s != null && s.hasNonNull("checkpoint")) return s.get("checkpoint").asText();
        }
        throw new IllegalStateException("stage 'finetune' needs a student: neither 'distill' nor 'transfer' is complete");
    }
}
