package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.finetune.FinetuneJob;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "finetune",
        description = {"Fine-tune on a GLUE task or SQuAD from a checkpoint or a HuggingFace directory, data-parallel with "
                + "DL4J parameter averaging on Spark (AdamW, warmup + linear decay). Dev evaluation after every epoch "
                + "(official metrics) into RUN/metrics.jsonl, best checkpoint kept per learning rate, the best learning rate "
                + "of the grid chosen on dev, test predictions in the GLUE submission / SQuAD format. See docs/finetune.md."})
public final class FinetuneCommand implements Callable<Integer> {

    @Option(names = "--task", required = true, description = "cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, squad1 or squad2.")
    String task;

    static final class Source {
        @Option(names = "--checkpoint", paramLabel = "CKPT", required = true,
                description = "Start from a checkpoint: checkpoint directory, run directory (newest checkpoint) or model zip.")
        String checkpoint;

        @Option(names = "--hf", paramLabel = "DIR", required = true,
                description = "Start from a HuggingFace directory (config.json + model.safetensors [+ vocab.txt]).")
        String hf;

        @Option(names = "--random-init", paramLabel = "MODEL_JSON", required = true,
                description = "Start from a random initialisation of this model config (the baseline that shows what pretraining adds).")
        String randomInit;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--data", paramLabel = "DIR",
            description = "The task's directory: GLUE train.tsv/dev.tsv/test.tsv (MNLI: dev_matched/test_matched); SQuAD train-v1.1.json/dev-v1.1.json (v2.0 likewise).")
    String data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory (lr-<lr>/ per learning rate, predictions/, metrics.jsonl, summary.json).")
    String out;

    @Option(names = "--train-file", paramLabel = "FILE", description = "Training file instead of the one in --data.")
    String trainFile;

    @Option(names = "--dev-file", paramLabel = "FILE", description = "Dev file instead of the one in --data.")
    String devFile;

    @Option(names = "--test-file", paramLabel = "FILE", description = "Test file to predict (default: GLUE's test file in --data; SQuAD: none).")
    String testFile;

    @Option(names = "--vocab", paramLabel = "FILE", description = "WordPiece vocabulary (default: vocab.txt of the --hf directory).")
    String vocab;

    @Option(names = "--cased", description = "Keep case (default: lower-case, as the uncased models).")
    boolean cased;

    @Option(names = "--learning-rates", split = ",", paramLabel = "LR,...",
            description = "Learning-rate grid, best on dev kept (default GLUE: 1e-5,2e-5,3e-5,5e-5; SQuAD: 4e-5).")
    List<Double> learningRates;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default GLUE 3, SQuAD 5).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "Global batch size, a multiple of --workers (default 32).")
    Integer batchSize;

    @Option(names = "--max-seq-length", paramLabel = "T", description = "Tokens per sequence (default GLUE 128, SQuAD 384).")
    Integer maxSeqLength;

    @Option(names = "--max-train-examples", defaultValue = "0", paramLabel = "N", description = "Train on a seeded random subset of N examples (0: all).")
    int maxTrainExamples;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "N", description = "Parallel training tasks (executors x cores).")
    int workers;

    @Option(names = "--averaging-frequency", defaultValue = "1", paramLabel = "K", description = "Steps each worker fits between parameter averagings.")
    int averagingFrequency;

    @Option(names = "--warmup-proportion", defaultValue = "0.1", description = "Share of the steps with linear warmup (BERT's warmup_proportion).")
    double warmupProportion;

    @Option(names = "--seed", defaultValue = "12345", description = "Seed of the data subset, order, head initialisation and workers.")
    long seed;

    @Option(names = "--doc-stride", defaultValue = "128", description = "SQuAD: tokens between the starts of a context's windows.")
    int docStride;

    @Option(names = "--max-query-length", defaultValue = "64", description = "SQuAD: question tokens kept.")
    int maxQueryLength;

    @Mixin SparkOptions spark;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FinetuneJob.Options d = FinetuneJob.Options.defaults(task, source.checkpoint, source.hf, data, out, vocab);
        FinetuneJob.Options o = new FinetuneJob.Options(task, source.checkpoint, source.hf, data, out, trainFile, devFile, testFile,
                vocab, !cased, learningRates != null ? learningRates : d.learningRates(), epochs != null ? epochs : d.epochs(),
                batchSize != null ? batchSize : d.batchSize(), maxSeqLength != null ? maxSeqLength : d.maxSeqLength(),
                maxTrainExamples, workers, averagingFrequency, warmupProportion, seed, docStride, maxQueryLength, source.randomInit);
        RunDirectory.open(out).saveProvenance("finetune", spec.commandLine().getParseResult().originalArgs());
        Map<String, Object> best = FinetuneJob.run(Sparks.session("finetune", spark), o);
        System.out.println(Json.MAPPER.writeValueAsString(best));
        return 0;
    }
}
