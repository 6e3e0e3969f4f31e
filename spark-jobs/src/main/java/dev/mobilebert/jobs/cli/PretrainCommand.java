package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.JobConfig;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.pretrain.PretrainJob;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.TrainingSettings;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pretrain",
        description = {"MLM + NSP pretraining (teacher, student from scratch, BERT baseline) on prepare-pretraining shards, "
                + "data-parallel with DL4J parameter averaging on Spark: LAMB/AdamW, warmup + decay, global clipping, "
                + "checkpoints, --resume, NaN guard, metrics in RUN/metrics.jsonl, RUN/summary.json. See docs/pretrain.md."})
public final class PretrainCommand implements Callable<Integer> {
    static final String DEFAULT_TRAINING = "conf/jobs/pretrain-training.json";

    @Option(names = "--model-config", required = true, paramLabel = "FILE", description = "Model JSON (official field names, e.g. conf/models/*.json).")
    String modelConfig;

    @Option(names = "--data", required = true, paramLabel = "SHARDS", description = "prepare-pretraining output directory (training instances).")
    String data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory: config/, checkpoints/, metrics.jsonl, summary.json.")
    String out;

    @Option(names = "--held-out", paramLabel = "SHARDS", description = "prepare-pretraining output for held-out MLM/NSP evaluation (none: no evaluation).")
    String heldOut;

    @Option(names = "--init", paramLabel = "CKPT", description = "Start from these parameters: a checkpoint directory, a run directory (newest checkpoint) or a model zip.")
    String init;

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint (same settings required).")
    boolean resume;

    @Option(names = "--training-config", paramLabel = "FILE",
            description = "Training settings JSON (default: " + DEFAULT_TRAINING + " under the installation).")
    String trainingConfig;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a training setting, e.g. --set batch_size_per_worker=8 --set optimizer.learning_rate=1e-3 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--num-train-steps", paramLabel = "N", description = "Shorthand for --set optimizer.num_train_steps=N.")
    Integer numTrainSteps;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "Shorthand for --set optimizer.learning_rate=LR.")
    Double learningRate;

    @Option(names = "--workers", paramLabel = "N", description = "Shorthand for --set workers=N (executors x cores).")
    Integer workers;

    @Option(names = "--batch-size-per-worker", paramLabel = "B", description = "Shorthand for --set batch_size_per_worker=B.")
    Integer batchSizePerWorker;

    @Option(names = "--eval-every-steps", defaultValue = "0", description = "Held-out evaluation every N steps, after that checkpoint (0: only at the end).")
    int evalEverySteps;

    @Option(names = "--eval-batch-size", defaultValue = "32", description = "Examples per held-out evaluation batch.")
    int evalBatchSize;

    @Mixin SparkOptions spark;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainingSettings settings = JobConfig.load(TrainingConfigs.locate(trainingConfig, DEFAULT_TRAINING), TrainingSettings.class,
                TrainingConfigs.overrides(overrides, numTrainSteps, learningRate, workers, batchSizePerWorker));
        RunDirectory.open(out).saveProvenance("pretrain", spec.commandLine().getParseResult().originalArgs());
        SparkSession session = Sparks.session("pretrain", spark);
        var options = new PretrainJob.Options(modelConfig, data, heldOut, out, init, resume, settings, evalEverySteps, evalBatchSize);
        ParameterAveragingTrainer.Result result = PretrainJob.run(session, options);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", out);
        summary.put("steps", result.state().step());
        summary.put("final_loss", result.lastLoss());
        summary.put("checkpoint", result.lastCheckpoint() == null ? null : result.lastCheckpoint().toString());
        System.out.println(Json.MAPPER.writeValueAsString(summary));
        return 0;
    }
}
