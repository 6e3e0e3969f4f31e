package dev.mobilebert.jobs.pipeline;

import com.typesafe.config.Config;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.progress.SparkProgress;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.jobs.transfer.TransferJob;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.ParamReport;
import dev.mobilebert.model.transfer.FeatureMapTransfer;
import dev.mobilebert.model.transfer.PretrainingDistillation;
import dev.mobilebert.model.transfer.ProgressiveStage;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * transfer: knowledge transfer from RUN/teacher's newest checkpoint to a fresh student ({@link TransferJob}) in
 * RUN/transfer (the layout of {@code bin/mobilebert transfer --out}: one run directory per PKT stage under
 * {@code stages/}, the student in {@code student/model.zip}). Always started with resume semantics: finished PKT
 * stages are skipped, an interrupted one continues from its newest checkpoint.
 */
public final class TransferStage implements Stage {
    public static final String NAME = "transfer";
    static final Set<String> KEYS = Set.of("model", "strategy", "lower_layers", "lower_learning_rate_factor", "fmt_weight",
            "fmt_mean_weight", "fmt_variance_weight", "attention_weight", "training");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "progressive knowledge transfer, layer by layer (FMT + AT)";
    }

    @Override
    public Map<String, Object> run(StageContext ctx) throws Exception {
        Config c = ctx.section(NAME);
        StageSettings.checkKeys(c, NAME, KEYS);
        StageSettings.Prepared prepared = StageSettings.prepared(ctx, NAME);
        MobileBertConfig student = StageSettings.model(c, NAME, "model", prepared);
        SparkSession spark = ctx.spark().get();
        TrainingSettings settings = StageSettings.training(c, NAME, spark.sparkContext().defaultParallelism(), "conf/jobs/transfer-training.json");
        Path teacher = TeacherStage.checkpoint(ctx);

        RunDirectory dir = ctx.directory();
        Path modelFile = dir.resolve(TeacherStage.MODEL);
        AtomicOutput.writeString(modelFile, student.toJson());
        var strategy = TransferJob.Strategy.valueOf(c.getString("strategy").toUpperCase(Locale.ROOT));
        ctx.out().printf("[transfer] %s from %s: %d stages of %d steps, %d workers x %d sequences%n", strategy, PipelineRun.display(teacher),
                strategy == TransferJob.Strategy.PKT ? student.numHiddenLayers : 1, settings.numTrainSteps(), settings.workers(),
                settings.batchSizePerWorker());
        var options = new TransferJob.Options(teacher.toString(), modelFile.toString(), prepared.data(), null, dir.root().toString(), true,
                strategy, settings, ProgressiveStage.LowerLayers.valueOf(c.getString("lower_layers").toUpperCase(Locale.ROOT)),
                c.getDouble("lower_learning_rate_factor"),
                new FeatureMapTransfer.Weights(c.getDouble("fmt_weight"), c.getDouble("fmt_mean_weight"), c.getDouble("fmt_variance_weight")),
                c.getDouble("attention_weight"), PretrainingDistillation.Settings.OFFICIAL);
        TransferJob.Result r;
        try (AutoCloseable quiet = SparkProgress.suspend()) {
            r = TransferJob.run(spark, options);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("strategy", strategy.name().toLowerCase(Locale.ROOT));
        summary.put("stages", r.stages());
        summary.put("parameters", ParamReport.of(student).withPretrainingHeads());
        summary.put("model", modelFile.toString());
        summary.put("checkpoint", r.student().toString());
        summary.put("student", r.student().toString());
        return summary;
    }
}
