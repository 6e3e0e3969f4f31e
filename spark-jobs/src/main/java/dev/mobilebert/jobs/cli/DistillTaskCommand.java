package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.finetune.FinetuneJob;
import dev.mobilebert.jobs.peers.TinyBertTaskJob;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "distill-task",
        description = {"TinyBERT's task-specific distillation on a GLUE task (also `distill --recipe tinybert --stage task`): a general "
                + "TinyBERT student learns from a teacher fine-tuned on the task, first its intermediate layers (projected embedding and "
                + "hidden-state MSE, attention-score MSE on the task's sequences), then its predictions (soft CE on the teacher's logits; "
                + "MSE for STS-B). Each stage runs like `finetune` (parameter averaging on Spark, dev metrics per epoch, best checkpoint, "
                + "test predictions, resume after a crash). Defaults are TinyBERT's task_distill.py settings. See docs/peers.md."})
public final class DistillTaskCommand implements Callable<Integer> {

    @Option(names = "--recipe", defaultValue = "tinybert", paramLabel = "NAME", description = "tinybert (the only recipe with a task stage).")
    String recipe;

    @Option(names = "--stage", defaultValue = "task", paramLabel = "STAGE", description = "task (the general stage is distill-peer).")
    String stage;

    @Option(names = "--task", required = true, description = "GLUE task: cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli.")
    String task;

    @Option(names = "--teacher", required = true, paramLabel = "RUN_OR_CKPT",
            description = "The teacher fine-tuned on the task: a finetune run directory (its best checkpoint) or a checkpoint.")
    String teacher;

    @Option(names = "--student", required = true, paramLabel = "CKPT",
            description = "The general TinyBERT student (e.g. OUT/student of distill --recipe tinybert), or any checkpoint of the family.")
    String student;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The task's directory (train.tsv, dev.tsv, test.tsv).")
    String data;

    @Option(names = "--vocab", required = true, paramLabel = "FILE", description = "WordPiece vocabulary the models were pretrained with.")
    String vocab;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output: task-intermediate/ and task-prediction/ (finetune run directories), summary.json.")
    String out;

    @Option(names = "--layer-map", paramLabel = "LIST", description = "Teacher layer (0-based) of each student layer (default: uniform).")
    String layerMap;

    @Option(names = "--intermediate-epochs", defaultValue = "10", paramLabel = "N", description = "Epochs of intermediate-layer distillation (0: skip).")
    int intermediateEpochs;

    @Option(names = "--intermediate-learning-rate", defaultValue = "5e-5", paramLabel = "LR", description = "Peak learning rate of the intermediate stage.")
    double intermediateLearningRate;

    @Option(names = "--prediction-epochs", defaultValue = "3", paramLabel = "N", description = "Epochs of prediction-layer distillation.")
    int predictionEpochs;

    @Option(names = "--prediction-learning-rate", defaultValue = "3e-5", paramLabel = "LR", description = "Peak learning rate of the prediction stage.")
    double predictionLearningRate;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "Soft-target temperature of the prediction stage.")
    double temperature;

    @Option(names = "--exclude-padding", description = "Average the intermediate MSEs over real tokens only (TinyBERT's code includes padding).")
    boolean excludePadding;

    @Option(names = "--max-seq-length", defaultValue = "128", paramLabel = "T", description = "Tokens per sequence.")
    int maxSeqLength;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", description = "Global batch size, a multiple of --workers.")
    int batchSize;

    @Option(names = "--max-train-examples", defaultValue = "0", paramLabel = "N", description = "Train on a seeded random subset of N examples (0: all).")
    int maxTrainExamples;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N", description = "Parallel training tasks (executors x cores).")
    int workers;

    @Option(names = "--averaging-frequency", defaultValue = "1", paramLabel = "K", description = "Steps each worker fits between parameter averagings.")
    int averagingFrequency;

    @Option(names = "--warmup-proportion", defaultValue = "0.1", description = "Share of each stage's steps with linear warmup.")
    double warmupProportion;

    @Option(names = "--seed", defaultValue = "12345", description = "Seed of the data subset, order and initialisation.")
    long seed;

    @Option(names = "--cased", description = "Keep case (default: lower-case, as the uncased models).")
    boolean cased;

    @Mixin SparkOptions spark;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!"tinybert".equalsIgnoreCase(recipe) || !"task".equalsIgnoreCase(stage)) {
            throw new IllegalArgumentException("distill-task runs TinyBERT's task stage (--recipe tinybert --stage task), got --recipe "
                    + recipe + " --stage " + stage);
        }
        var finetune = new FinetuneJob.Options(task, student, null, data, out, null, null, null, vocab, !cased, java.util.List.of(predictionLearningRate),
                predictionEpochs, batchSize, maxSeqLength, maxTrainExamples, workers, averagingFrequency, warmupProportion, seed, 128, 64, null);
        var o = new TinyBertTaskJob.Options(finetune, teacher, student, out, layerMap, intermediateEpochs, intermediateLearningRate,
                predictionEpochs, predictionLearningRate, temperature, excludePadding);
        RunDirectory.open(out).saveProvenance("distill-task", spec.commandLine().getParseResult().originalArgs());
        Map<String, Object> summary = TinyBertTaskJob.run(Sparks.session("distill-task", spark), o);
        System.out.println(Json.MAPPER.writeValueAsString(summary));
        return 0;
    }
}
