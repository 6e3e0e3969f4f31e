package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.progress.SparkProgress;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.jobs.transfer.DistillJob;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.ParamReport;
import dev.mobilebert.model.transfer.PretrainingDistillation;
import dev.mobilebert.train.Checkpoints;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * distill: pre-training distillation ({@link DistillJob}) of the student RUN/transfer produced, against RUN/teacher,
 * in RUN/distill (the layout of {@code bin/mobilebert distill --out}); resumes from its newest checkpoint.
 */
public final class DistillStage implements Stage {
    public static final String NAME = "distill";
    static final Set<String> KEYS = Set.of("alpha", "temperature", "training");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "pre-training distillation of the student";
    }

    @Override
    public Map<String, Object> run(StageContext ctx) throws Exception {
        Config c = ctx.section(NAME);
        StageSettings.checkKeys(c, NAME, KEYS);
        StageSettings.Prepared prepared = StageSettings.prepared(ctx, NAME);
        SparkSession spark = ctx.spark().get();
        TrainingSettings settings = StageSettings.training(c, NAME, spark.sparkContext().defaultParallelism(), "conf/jobs/distill-training.json");
        Path teacher = TeacherStage.checkpoint(ctx);
        Path transferSummary = new Path(ctx.stageDir(TransferStage.NAME), "summary.json");
        if (!Fs.exists(transferSummary)) {
            throw new IllegalStateException("stage 'distill' needs a complete 'transfer' stage (" + PipelineRun.display(transferSummary) + " is missing)");
        }
        JsonNode transfer = Json.MAPPER.readTree(Fs.readString(transferSummary));
        String student = transfer.get("student").asText();
        MobileBertConfig studentConfig = MobileBertConfig.load(transfer.get("model").asText());

        RunDirectory dir = ctx.directory();
        Path modelFile = dir.resolve(TeacherStage.MODEL);
        AtomicOutput.writeString(modelFile, studentConfig.toJson());
        boolean resume = new Checkpoints(dir.checkpointsDir()).latest().isPresent();
        double alpha = c.getDouble("alpha"), temperature = c.getDouble("temperature");
        ctx.out().printf("[distill] %s %d steps of %d workers x %d sequences, alpha %.2f, temperature %.1f%n", resume ? "resuming," : "",
                settings.numTrainSteps(), settings.workers(), settings.batchSizePerWorker(), alpha, temperature);
        var options = new DistillJob.Options(teacher.toString(), student, prepared.data(), null, dir.root().toString(), resume,
                DistillJob.Recipe.MOBILEBERT, settings, new PretrainingDistillation.Settings(alpha, temperature), 0, 32);
        ParameterAveragingTrainer.Result r;
        try (AutoCloseable quiet = SparkProgress.suspend()) {
            r = DistillJob.run(spark, options);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("steps", r.state().step());
        summary.put("final_loss", r.lastLoss());
        summary.put("parameters", ParamReport.of(studentConfig).withPretrainingHeads());
        summary.put("model", modelFile.toString());
        summary.put("checkpoint", r.lastCheckpoint() == null ? null : r.lastCheckpoint().toString());
        summary.put("resumed", resume);
        summary.put("sequences_seen", r.state().batchesSeen() * settings.batchSizePerWorker());
        summary.put("global_batch", settings.workers() * settings.batchSizePerWorker());
        return summary;
    }
}
