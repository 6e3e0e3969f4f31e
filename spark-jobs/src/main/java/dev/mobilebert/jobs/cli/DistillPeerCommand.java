package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.JobConfig;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.peers.PeerDistillJob;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.peers.DistilBertRecipe;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "distill-peer",
        description = {"General distillation of MobileBERT's peers from a teacher on prepare-pretraining shards: DistilBERT "
                + "(every other teacher layer, triple loss: soft-target KL with temperature + MLM + cosine of hidden states) "
                + "or TinyBERT (narrow 4-layer student: projected embedding/hidden-state MSE and attention-score MSE, then prediction-layer soft CE). "
                + "Parameter averaging on Spark, teacher targets on the executors, checkpoints, --resume. See docs/peers.md."})
public final class DistillPeerCommand implements Callable<Integer> {
    static final String DEFAULT_TRAINING = "conf/jobs/distill-peer-training.json";

    @Option(names = "--recipe", required = true, paramLabel = "NAME", description = "distilbert or tinybert.")
    String recipe;

    @Option(names = "--teacher", required = true, paramLabel = "CKPT", description = "Teacher parameters: a checkpoint directory, a run directory (newest checkpoint) or a model zip.")
    String teacher;

    @Option(names = "--teacher-config", required = true, paramLabel = "FILE", description = "The teacher's model JSON.")
    String teacherConfig;

    @Option(names = "--data", required = true, paramLabel = "SHARDS", description = "prepare-pretraining output directory (training instances).")
    String data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output: a run directory per stage, student/ (model checkpoint), summary.json.")
    String out;

    @Option(names = "--held-out", paramLabel = "SHARDS", description = "prepare-pretraining output for held-out MLM/NSP evaluation of the student (none: no evaluation).")
    String heldOut;

    @Option(names = "--resume", description = "Continue: finished stages are kept, the interrupted one resumes from its newest checkpoint.")
    boolean resume;

    @Option(names = "--layer-map", paramLabel = "LIST", description = "Teacher layer (0-based) of each student layer, e.g. 0,2,4,7,9,11 (default: every other for distilbert, uniform for tinybert).")
    String layerMap;

    @Option(names = "--student-config", paramLabel = "FILE", description = "TinyBERT student model JSON (default: 4 layers, 312 wide, 1200 intermediate, the teacher's heads).")
    String studentConfig;

    @Option(names = "--alpha-ce", defaultValue = "5.0", description = "DistilBERT: weight of the soft-target KL.")
    double alphaCe;

    @Option(names = "--alpha-mlm", defaultValue = "2.0", description = "DistilBERT: weight of the MLM loss.")
    double alphaMlm;

    @Option(names = "--alpha-cos", defaultValue = "1.0", description = "DistilBERT: weight of the cosine loss on the last hidden states.")
    double alphaCos;

    @Option(names = "--alpha-nsp", defaultValue = "0.0", description = "DistilBERT: weight of the NSP loss (DistilBERT has none).")
    double alphaNsp;

    @Option(names = "--temperature", paramLabel = "T", description = "Soft-target temperature (default: 2 for distilbert, 1 for tinybert).")
    Double temperature;

    @Option(names = "--stage", defaultValue = "general", paramLabel = "STAGE",
            description = "general (on the pretraining shards: this command); TinyBERT's task-specific stage on a GLUE task is "
                    + "`distill --recipe tinybert --stage task` (the distill-task command).")
    String stage;

    @Option(names = "--intermediate-steps", defaultValue = "0", description = "TinyBERT: steps of intermediate-layer distillation (embeddings + hidden states + attention scores).")
    int intermediateSteps;

    @Option(names = "--prediction-steps", defaultValue = "0", description = "TinyBERT: steps of prediction-layer distillation (MLM logits).")
    int predictionSteps;

    @Option(names = "--exclude-padding", description = "TinyBERT: average the MSE over real tokens only (TinyBERT's code includes padding).")
    boolean excludePadding;

    @Option(names = "--training-config", paramLabel = "FILE", description = "Training settings JSON (default: " + DEFAULT_TRAINING + " under the installation).")
    String trainingConfig;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a training setting, e.g. --set batch_size_per_worker=8 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--num-train-steps", paramLabel = "N", description = "Shorthand for --set optimizer.num_train_steps=N (DistilBERT's run length).")
    Integer numTrainSteps;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "Shorthand for --set optimizer.learning_rate=LR.")
    Double learningRate;

    @Option(names = "--workers", paramLabel = "N", description = "Shorthand for --set workers=N (executors x cores).")
    Integer workers;

    @Option(names = "--batch-size-per-worker", paramLabel = "B", description = "Shorthand for --set batch_size_per_worker=B.")
    Integer batchSizePerWorker;

    @Option(names = "--eval-batch-size", defaultValue = "32", description = "Examples per held-out evaluation batch.")
    int evalBatchSize;

    @Mixin SparkOptions spark;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PeerDistillJob.Recipe r = switch (recipe.toLowerCase()) {
            case "distilbert" -> PeerDistillJob.Recipe.DISTILBERT;
            case "tinybert" -> PeerDistillJob.Recipe.TINYBERT;
            default -> throw new IllegalArgumentException("--recipe must be distilbert or tinybert, got '" + recipe + "'");
        };
        if (!"general".equalsIgnoreCase(stage)) {
            throw new IllegalArgumentException("--stage " + stage + ": distill-peer runs the general stage; the task stage is TinyBERT's "
                    + "(distill --recipe tinybert --stage task ...)");
        }
        TrainingSettings settings = JobConfig.load(TrainingConfigs.locate(trainingConfig, DEFAULT_TRAINING), TrainingSettings.class,
                TrainingConfigs.overrides(overrides, numTrainSteps, learningRate, workers, batchSizePerWorker));
        RunDirectory.open(out).saveProvenance("distill-peer", spec.commandLine().getParseResult().originalArgs());
        SparkSession session = Sparks.session("distill-peer", spark);
        var options = new PeerDistillJob.Options(r, teacherConfig, teacher, data, heldOut, out, resume, settings, layerMap, studentConfig,
                new DistilBertRecipe.Weights(alphaCe, alphaMlm, alphaCos, alphaNsp, temperature == null ? 2.0 : temperature),
                new PeerDistillJob.TinyBert(intermediateSteps, predictionSteps, temperature == null ? 1.0 : temperature, excludePadding),
                evalBatchSize);
        var result = PeerDistillJob.run(session, options);
        System.out.println(Json.MAPPER.writeValueAsString(result.summary()));
        return 0;
    }
}
