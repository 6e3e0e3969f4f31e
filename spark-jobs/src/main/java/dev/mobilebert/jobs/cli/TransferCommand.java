package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.JobConfig;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.jobs.transfer.TransferJob;
import dev.mobilebert.model.transfer.FeatureMapTransfer;
import dev.mobilebert.model.transfer.ProgressiveStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "transfer",
        description = {"Knowledge transfer from a teacher to a fresh student on Spark with parameter averaging. pkt: one stage per "
                + "encoder layer (feature-map + attention transfer of that layer, lower layers frozen or at a reduced rate), each "
                + "stage resumable with its own checkpoints and metrics, teacher targets computed on the executors. "
                + "The student ends in RUN/student/model.zip (input of distill --student). See docs/transfer.md."})
public final class TransferCommand implements Callable<Integer> {
    static final String DEFAULT_TRAINING = "conf/jobs/transfer-training.json";

    @Option(names = "--teacher", required = true, paramLabel = "CKPT", description = "Teacher: checkpoint directory, run directory (newest checkpoint) or model zip.")
    String teacher;

    @Option(names = "--student-config", required = true, paramLabel = "FILE", description = "Student model JSON (same depth, hidden size and heads as the teacher).")
    String studentConfig;

    @Option(names = "--data", required = true, paramLabel = "SHARDS", description = "prepare-pretraining output directory (training instances).")
    String data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory: config/, stages/<stage>/ (checkpoints, metrics), metrics.jsonl, student/, summary.json.")
    String out;

    @Option(names = "--held-out", paramLabel = "SHARDS", description = "prepare-pretraining output on which the final student's MLM/NSP are evaluated (none: no evaluation).")
    String heldOut;

    @Option(names = "--strategy", defaultValue = "pkt", description = "pkt (progressive, one stage per layer), jkt (all layers' FMT+AT jointly; run distill afterwards) or akt (transfer losses + distillation loss in one objective).")
    TransferJob.Strategy strategy;

    @Option(names = "--resume", description = "Continue the run in --out: finished stages are skipped, an interrupted one continues from its newest checkpoint.")
    boolean resume;

    @Option(names = "--lower-layers", defaultValue = "frozen", description = "Layers below the stage's: frozen or reduced_learning_rate.")
    ProgressiveStage.LowerLayers lowerLayers;

    @Option(names = "--lower-learning-rate-factor", defaultValue = "0.1", description = "Learning-rate factor of the lower layers with --lower-layers reduced_learning_rate (official: 0.1).")
    double lowerFactor;

    @Option(names = "--fmt-weight", defaultValue = "100", description = "Feature-map transfer weight (official hidden_distill_factor).")
    double fmtWeight;

    @Option(names = "--fmt-mean-weight", defaultValue = "5000", description = "Weight of the per-token mean term (official beta_distill_factor).")
    double fmtMeanWeight;

    @Option(names = "--fmt-variance-weight", defaultValue = "5", description = "Weight of the per-token variance term (official gamma_distill_factor).")
    double fmtVarianceWeight;

    @Option(names = "--attention-weight", defaultValue = "1", description = "Attention transfer weight (official attention_distill_factor).")
    double attentionWeight;

    @Option(names = "--alpha", defaultValue = "0.5", description = "akt: weight of the teacher distribution in the MLM target.")
    double alpha;

    @Option(names = "--temperature", defaultValue = "1.0", description = "akt: temperature of the teacher's softmax.")
    double temperature;

    @Option(names = "--training-config", paramLabel = "FILE",
            description = "Per-stage training settings JSON (default: " + DEFAULT_TRAINING + " under the installation).")
    String trainingConfig;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a training setting, e.g. --set optimizer.num_warmup_steps=10 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--steps-per-stage", paramLabel = "N", description = "Shorthand for --set optimizer.num_train_steps=N (the length of every stage).")
    Integer stepsPerStage;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "Shorthand for --set optimizer.learning_rate=LR.")
    Double learningRate;

    @Option(names = "--workers", paramLabel = "N", description = "Shorthand for --set workers=N (executors x cores).")
    Integer workers;

    @Option(names = "--batch-size-per-worker", paramLabel = "B", description = "Shorthand for --set batch_size_per_worker=B.")
    Integer batchSizePerWorker;

    @Mixin SparkOptions spark;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainingSettings settings = JobConfig.load(TrainingConfigs.locate(trainingConfig, DEFAULT_TRAINING), TrainingSettings.class,
                TrainingConfigs.overrides(overrides, stepsPerStage, learningRate, workers, batchSizePerWorker));
        RunDirectory.open(out).saveProvenance("transfer", spec.commandLine().getParseResult().originalArgs());
        var options = new TransferJob.Options(teacher, studentConfig, data, heldOut, out, resume, strategy, settings, lowerLayers, lowerFactor,
                new FeatureMapTransfer.Weights(fmtWeight, fmtMeanWeight, fmtVarianceWeight), attentionWeight,
                new dev.mobilebert.model.transfer.PretrainingDistillation.Settings(alpha, temperature));
        TransferJob.Result result = TransferJob.run(Sparks.session("transfer", spark), options);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", out);
        summary.put("stages", result.stages());
        summary.put("student", result.student().toString());
        System.out.println(Json.MAPPER.writeValueAsString(summary));
        return 0;
    }
}
