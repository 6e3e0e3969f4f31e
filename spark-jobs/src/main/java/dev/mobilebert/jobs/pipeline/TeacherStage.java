package dev.mobilebert.jobs.pipeline;

import com.typesafe.config.Config;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.pretrain.PretrainJob;
import dev.mobilebert.jobs.progress.SparkProgress;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.ParamReport;
import dev.mobilebert.train.Checkpoints;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * teacher: MLM + NSP pretraining of the IB-BERT teacher ({@link PretrainJob}) on RUN/prepare's shards, in RUN/teacher
 * (the layout of {@code bin/mobilebert pretrain --out}). A partial stage — checkpoints but no summary — continues from
 * its newest checkpoint exactly as {@code pretrain --resume} does; the model config is written once to
 * RUN/teacher/model.json with the run's vocabulary size, and a resumed run is refused if it changed.
 */
public final class TeacherStage implements Stage {
    public static final String NAME = "teacher";
    /** The teacher's effective model config (vocab_size = the run's vocabulary). */
    public static final String MODEL = "model.json";
    static final Set<String> KEYS = Set.of("model", "training");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "pretrain the IB-BERT teacher (MLM + NSP)";
    }

    @Override
    public Map<String, Object> run(StageContext ctx) throws Exception {
        Config c = ctx.section(NAME);
        StageSettings.checkKeys(c, NAME, KEYS);
        StageSettings.Prepared prepared = StageSettings.prepared(ctx, NAME);
        MobileBertConfig model = StageSettings.model(c, NAME, "model", prepared);
        SparkSession spark = ctx.spark().get();
        TrainingSettings settings = StageSettings.training(c, NAME, spark.sparkContext().defaultParallelism());

        RunDirectory dir = ctx.directory();
        Path modelFile = dir.resolve(MODEL);
        AtomicOutput.writeString(modelFile, model.toJson());
        boolean resume = new Checkpoints(dir.checkpointsDir()).latest().isPresent();
        if (resume) ctx.out().printf("[teacher] resuming from %s%n",
                PipelineRun.display(new Checkpoints(dir.checkpointsDir()).latest().get().dir()));
        ctx.out().printf("[teacher] %d steps of %d workers x %d sequences, %s, vocabulary %d%n", settings.numTrainSteps(),
                settings.workers(), settings.batchSizePerWorker(), settings.optimizer().optimizer(), model.vocabSize);

        var options = new PretrainJob.Options(modelFile.toString(), prepared.data(), null, dir.root().toString(), null, resume,
                settings, 0, 32);
        ParameterAveragingTrainer.Result r;
        try (AutoCloseable quiet = SparkProgress.suspend()) { // the trainer's own line: step, loss, ETA
            r = PretrainJob.run(spark, options);
        }

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("steps", r.state().step());
        summary.put("final_loss", r.lastLoss());
        // from the config: DL4J's numParams() does not count the parameters held by the model's custom block vertices
        summary.put("parameters", ParamReport.of(model).withPretrainingHeads());
        summary.put("model", modelFile.toString());
        summary.put("checkpoint", r.lastCheckpoint() == null ? null : r.lastCheckpoint().toString());
        summary.put("resumed", resume);
        summary.put("sequences_seen", r.state().batchesSeen() * settings.batchSizePerWorker());
        summary.put("global_batch", settings.workers() * settings.batchSizePerWorker());
        return summary;
    }

    /** The teacher's newest checkpoint directory of a complete stage (what transfer and distill start from). */
    public static Path checkpoint(StageContext ctx) throws java.io.IOException {
        Path dir = ctx.stageDir(NAME);
        if (!Fs.exists(new Path(dir, "summary.json"))) {
            throw new IllegalStateException("the teacher stage is not complete: " + PipelineRun.display(dir) + " has no summary.json");
        }
        return new Checkpoints(new Path(dir, "checkpoints")).latest()
                .orElseThrow(() -> new IllegalStateException(PipelineRun.display(dir) + " has no checkpoint")).dir();
    }
}
