package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.JobConfig;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.jobs.transfer.DistillJob;
import dev.mobilebert.model.transfer.PretrainingDistillation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "distill",
        description = {"Pre-training distillation (PD): the student learns MLM against alpha*teacher + (1-alpha)*one-hot and NSP "
                + "on the true labels, teacher targets computed on the executors from a broadcast teacher, DL4J parameter "
                + "averaging on Spark (LAMB, warmup + decay, checkpoints, --resume). See docs/transfer.md."})
public final class DistillCommand implements Callable<Integer> {
    static final String DEFAULT_TRAINING = "conf/jobs/distill-training.json";

    @Option(names = "--teacher", required = true, paramLabel = "CKPT", description = "Teacher: checkpoint directory, run directory (newest checkpoint) or model zip.")
    String teacher;

    @Option(names = "--student", required = true, paramLabel = "CKPT", description = "Student to start from (e.g. the transfer run): checkpoint, run directory or model zip.")
    String student;

    @Option(names = "--data", required = true, paramLabel = "SHARDS", description = "prepare-pretraining output directory (training instances).")
    String data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory: config/, checkpoints/, metrics.jsonl, summary.json.")
    String out;

    @Option(names = "--held-out", paramLabel = "SHARDS", description = "prepare-pretraining output for held-out MLM/NSP evaluation (none: no evaluation).")
    String heldOut;

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint (same settings required).")
    boolean resume;

    @Option(names = "--recipe", defaultValue = "mobilebert", paramLabel = "NAME",
            description = "mobilebert: this command's PD. distilbert or tinybert: the peer distillation job, with the options of "
                    + "`distill-peer` (same as `distill-peer --recipe NAME ...`; see `distill --recipe distilbert --help`).")
    DistillJob.Recipe recipe;

    @Option(names = "--alpha", defaultValue = "0.5", description = "Weight of the teacher distribution in the MLM target (1 - alpha on the true token).")
    double alpha;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Temperature of the teacher's softmax.")
    double temperature;

    @Option(names = "--training-config", paramLabel = "FILE",
            description = "Training settings JSON (default: " + DEFAULT_TRAINING + " under the installation).")
    String trainingConfig;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a training setting, e.g. --set optimizer.learning_rate=1e-3 (repeatable).")
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

    /** Recipes that {@code distill} hands to {@code distill-peer} (issue 10's {@code distill --recipe distilbert|tinybert}). */
    static final java.util.Set<String> PEER_RECIPES = java.util.Set.of("distilbert", "tinybert");

    /**
     * The command line to execute: {@code distill --recipe distilbert|tinybert ...} becomes {@code distill-peer --recipe ...}
     * with every other argument unchanged (the peer recipes need other options: a teacher config, a student config,
     * per-stage step counts); {@code distill|distill-peer --recipe tinybert --stage task ...} becomes {@code distill-task ...}
     * (TinyBERT's task-specific stage on a GLUE task); anything else is returned as given. Called by {@code Main.run}
     * before parsing.
     */
    public static String[] route(String[] args) {
        if (args.length == 0 || !("distill".equals(args[0]) || "distill-peer".equals(args[0]))) return args;
        String recipe = value(args, "--recipe"), stage = value(args, "--stage");
        String target = null;
        if ("tinybert".equalsIgnoreCase(recipe) && "task".equalsIgnoreCase(stage)) target = "distill-task";
        else if ("distill".equals(args[0]) && recipe != null && PEER_RECIPES.contains(recipe.toLowerCase(java.util.Locale.ROOT))) target = "distill-peer";
        if (target == null) return args;
        String[] routed = args.clone();
        routed[0] = target;
        return routed;
    }

    private static String value(String[] args, String option) {
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals(option) && i + 1 < args.length) return args[i + 1];
            if (args[i].startsWith(option + "=")) return args[i].substring(option.length() + 1);
        }
        return null;
    }

    @Override
    public Integer call() throws Exception {
        TrainingSettings settings = JobConfig.load(TrainingConfigs.locate(trainingConfig, DEFAULT_TRAINING), TrainingSettings.class,
                TrainingConfigs.overrides(overrides, numTrainSteps, learningRate, workers, batchSizePerWorker));
        RunDirectory.open(out).saveProvenance("distill", spec.commandLine().getParseResult().originalArgs());
        var options = new DistillJob.Options(teacher, student, data, heldOut, out, resume, recipe, settings,
                new PretrainingDistillation.Settings(alpha, temperature), evalEverySteps, evalBatchSize);
        ParameterAveragingTrainer.Result result = DistillJob.run(Sparks.session("distill", spark), options);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", out);
        summary.put("steps", result.state().step());
        summary.put("final_loss", result.lastLoss());
        summary.put("checkpoint", result.lastCheckpoint() == null ? null : result.lastCheckpoint().toString());
        System.out.println(Json.MAPPER.writeValueAsString(summary));
        return 0;
    }
}
