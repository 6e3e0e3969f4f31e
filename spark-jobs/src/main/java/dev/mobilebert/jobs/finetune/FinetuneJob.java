package dev.mobilebert.jobs.finetune;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.RddBatchSource;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.finetune.FinetuneGraphs;
import dev.mobilebert.model.finetune.FinetuneHead;
import dev.mobilebert.model.finetune.FinetuneModels;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.optim.OptimizerSettings;
import dev.mobilebert.train.Checkpoints;
import dev.mobilebert.tokenization.FullTokenizer;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GLUE / SQuAD fine-tuning from a pretraining checkpoint or a HuggingFace directory, data-parallel on Spark with the
 * parameter-averaging trainer (AdamW, warmup + linear decay, clipping 1.0: BERT's run_classifier/run_squad
 * optimizer). For each learning rate of the grid: a run under {@code OUT/lr-<lr>} whose dev set is evaluated after
 * every epoch (official metrics into {@code metrics.jsonl}), keeping the best epoch's checkpoint
 * ({@code OUT/lr-<lr>/best}) and its dev predictions. The learning rate whose best epoch scores highest on dev wins;
 * its test predictions (GLUE submission file / SQuAD predictions.json, + null_odds.json for v2.0 with the threshold
 * chosen on dev) go to {@code OUT/predictions/test}, its dev predictions to {@code OUT/predictions/dev}.
 */
public final class FinetuneJob {
    private static final Logger log = LoggerFactory.getLogger(FinetuneJob.class);

    private FinetuneJob() {}

    /**
     * @param task             cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, squad1, squad2
     * @param checkpoint       a checkpoint directory (config.json + model.zip), a trainer checkpoint (model.zip), a
     *                         run directory (its newest checkpoint) or a ModelSerializer zip; or null with {@code hf}
     * @param hf               a HuggingFace directory (config.json + model.safetensors); or null with {@code checkpoint}
     * @param data             the task's directory (GLUE: train.tsv, dev.tsv, test.tsv; SQuAD: train-v1.1.json,
     *                         dev-v1.1.json / -v2.0); may be null when the three files are given
     * @param trainFile        overrides {@code data}/train file (null: default name)
     * @param devFile          overrides the dev file
     * @param testFile         overrides the test file (SQuAD: there is no default)
     * @param vocab            WordPiece vocabulary; null: {@code vocab.txt} of the --hf directory
     * @param learningRates    the grid; the best on dev is kept
     * @param batchSize        global batch size (workers × per-worker batch)
     * @param maxTrainExamples a seeded random subset of the training examples (0: all)
     * @param warmupProportion BERT's warmup_proportion (0.1)
     */
    public record Options(String task, String checkpoint, String hf, String data, String out,
                          String trainFile, String devFile, String testFile, String vocab, boolean doLowerCase,
                          List<Double> learningRates, int epochs, int batchSize, int maxSeqLength, int maxTrainExamples,
                          int workers, int averagingFrequency, double warmupProportion, long seed,
                          int docStride, int maxQueryLength, String randomInit) {

        /** The options of earlier versions (no {@code randomInit}). */
        public Options(String task, String checkpoint, String hf, String data, String out,
                       String trainFile, String devFile, String testFile, String vocab, boolean doLowerCase,
                       List<Double> learningRates, int epochs, int batchSize, int maxSeqLength, int maxTrainExamples,
                       int workers, int averagingFrequency, double warmupProportion, long seed,
                       int docStride, int maxQueryLength) {
            this(task, checkpoint, hf, data, out, trainFile, devFile, testFile, vocab, doLowerCase, learningRates, epochs,
                    batchSize, maxSeqLength, maxTrainExamples, workers, averagingFrequency, warmupProportion, seed,
                    docStride, maxQueryLength, null);
        }

        /** Official defaults for a task (GLUE: 3 epochs, batch 32, LR grid 1e-5..5e-5 as BERT's paper, seq 128; SQuAD: 5 epochs, batch 32, LR 4e-5, seq 384). */
        public static Options defaults(String task, String checkpoint, String hf, String data, String out, String vocab) {
            boolean squad = FinetuneTask.parse(task).isSquad();
            return new Options(task, checkpoint, hf, data, out, null, null, null, vocab, true,
                    squad ? List.of(4e-5) : List.of(1e-5, 2e-5, 3e-5, 5e-5), squad ? 5 : 3, 32, squad ? 384 : 128, 0,
                    2, 1, 0.1, 12345, 128, 64, null);
        }

        /**
         * Starts from a random initialisation of this model config (a JSON file with the official field names)
         * instead of a checkpoint: the baseline that shows what pretraining adds.
         */
        public Options withRandomInit(String modelConfig) {
            return new Options(task, null, null, data, out, trainFile, devFile, testFile, vocab, doLowerCase, learningRates, epochs,
                    batchSize, maxSeqLength, maxTrainExamples, workers, averagingFrequency, warmupProportion, seed, docStride,
                    maxQueryLength, modelConfig);
        }

        public Options with(List<Double> lrs, int epochs, int batchSize, int maxSeqLength, int maxTrainExamples) {
            return new Options(task, checkpoint, hf, data, out, trainFile, devFile, testFile, vocab, doLowerCase, lrs, epochs,
                    batchSize, maxSeqLength, maxTrainExamples, workers, averagingFrequency, warmupProportion, seed, docStride, maxQueryLength, randomInit);
        }

        public Options withFiles(String train, String dev, String test) {
            return new Options(task, checkpoint, hf, data, out, train, dev, test, vocab, doLowerCase, learningRates, epochs,
                    batchSize, maxSeqLength, maxTrainExamples, workers, averagingFrequency, warmupProportion, seed, docStride, maxQueryLength, randomInit);
        }

        public Options withSquadWindows(int docStride, int maxQueryLength) {
            return new Options(task, checkpoint, hf, data, out, trainFile, devFile, testFile, vocab, doLowerCase, learningRates, epochs,
                    batchSize, maxSeqLength, maxTrainExamples, workers, averagingFrequency, warmupProportion, seed, docStride, maxQueryLength, randomInit);
        }

        public Options withDistribution(int workers, int averagingFrequency) {
            return new Options(task, checkpoint, hf, data, out, trainFile, devFile, testFile, vocab, doLowerCase, learningRates, epochs,
                    batchSize, maxSeqLength, maxTrainExamples, workers, averagingFrequency, warmupProportion, seed, docStride, maxQueryLength, randomInit);
        }
    }

    /**
     * Runs the grid and returns the dev metrics of the best (learning rate, epoch), with {@code learning_rate},
     * {@code epoch} and {@code step} added; writes {@code OUT/summary.json}.
     */
    public static Map<String, Object> run(SparkSession spark, Options o) throws IOException {
        return run(spark, o, FinetuneObjective.TASK_LOSS);
    }

    /** {@link #run(SparkSession, Options)} with another training objective on the task's data (distillation). */
    public static Map<String, Object> run(SparkSession spark, Options o, FinetuneObjective objective) throws IOException {
        int sources = (o.checkpoint() != null ? 1 : 0) + (o.hf() != null ? 1 : 0) + (o.randomInit() != null ? 1 : 0);
        if (sources != 1) throw new IllegalArgumentException("give exactly one of --checkpoint, --hf and --random-init");
        if (o.learningRates() == null || o.learningRates().isEmpty()) throw new IllegalArgumentException("no learning rate given");
        if (o.batchSize() % o.workers() != 0) {
            throw new IllegalArgumentException("--batch-size " + o.batchSize() + " must be a multiple of the workers (" + o.workers() + ")");
        }
        FinetuneTask task = FinetuneTask.parse(o.task());
        RunDirectory run = RunDirectory.open(o.out());
        run.saveConfig("finetune", o);
        FinetuneModels.Loaded start = startingPoint(o, task.head());
        MobileBertConfig config = start.model().config();
        run.saveConfig("model", config);
        TaskData data = load(o, task);
        log.info("finetune {}: {} training features, starting from {} (fresh head parameters: {})", task.name(), data.trainSize(),
                source(o), start.freshHeadParameters().size() > 8 ? "all" : start.freshHeadParameters());

        Map<String, Object> best = null;
        String bestRun = null;
        List<Map<String, Object>> grid = new ArrayList<>();
        for (double lr : o.learningRates()) {
            Path sub = run.resolve("lr-" + java.math.BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString());
            Map<String, Object> m = trainOne(spark, o, task, start, config, data, lr, RunDirectory.open(sub), run, objective);
            grid.add(m);
            double score = ((Number) m.get(task.selectionMetric())).doubleValue();
            if (best == null || score > ((Number) best.get(task.selectionMetric())).doubleValue()) {
                best = m;
                bestRun = sub.toString();
            }
        }
        Path bestSub = Fs.path(bestRun);
        copyDir(new Path(bestSub, "predictions/dev"), run.resolve("predictions/dev"));
        boolean test = predictTest(data, new Path(bestSub, "best"), run.resolve("predictions/test"), best);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", task.name());
        summary.put("selection_metric", task.selectionMetric());
        summary.put("best", best);
        summary.put("best_checkpoint", new Path(bestSub, "best").toString());
        summary.put("dev_predictions", run.resolve("predictions/dev").toString());
        summary.put("test_predictions", test ? run.resolve("predictions/test").toString() : null);
        summary.put("train_features", data.trainSize());
        summary.put("start", source(o));
        summary.put("fresh_head_parameters", o.randomInit() != null ? List.of("all") : start.freshHeadParameters());
        summary.put("grid", grid);
        run.writeSummary(summary);
        return best;
    }

    private static String source(Options o) {
        return o.checkpoint() != null ? o.checkpoint() : o.hf() != null ? o.hf() : "random initialisation of " + o.randomInit();
    }

    private static FinetuneModels.Loaded startingPoint(Options o, FinetuneHead head) throws IOException {
        if (o.hf() != null) return FinetuneModels.fromHf(o.hf(), head, o.maxSeqLength(), o.seed());
        if (o.randomInit() != null) {
            MobileBertModel m = FinetuneGraphs.build(MobileBertConfig.load(o.randomInit()), head, o.maxSeqLength(), null, o.seed(), DataType.FLOAT);
            return new FinetuneModels.Loaded(m, List.copyOf(m.hfParams().keySet()));
        }
        ComputationGraph g = PretrainedGraphs.load(o.checkpoint());
        return FinetuneModels.fromGraph(g, head, o.maxSeqLength(), o.seed(), o.checkpoint());
    }

    private static TaskData load(Options o, FinetuneTask task) throws IOException {
        String vocab = o.vocab();
        if (vocab == null && o.hf() != null && Fs.exists(new Path(Fs.path(o.hf()), "vocab.txt"))) {
            vocab = new Path(Fs.path(o.hf()), "vocab.txt").toString();
        }
        if (vocab == null) throw new IllegalArgumentException("give --vocab (the WordPiece vocabulary the model was pretrained with)");
        FullTokenizer tokenizer = new FullTokenizer(dev.mobilebert.tokenization.Vocab.load(vocab), o.doLowerCase());
        String train = file(o, o.trainFile(), task.trainFile(), true);
        String dev = file(o, o.devFile(), task.devFile(), true);
        String test = o.testFile() != null ? o.testFile() : task.testFile() == null ? null : file(o, null, task.testFile(), false);
        if (task.isSquad()) {
            return new SquadTaskData(task.squadVersion(), tokenizer, o.maxSeqLength(), o.docStride(), o.maxQueryLength(),
                    train, dev, test, o.maxTrainExamples(), o.seed());
        }
        return new GlueTaskData(task.glue(), tokenizer, o.maxSeqLength(), train, dev, test, o.maxTrainExamples(), o.seed());
    }

    private static String file(Options o, String given, String name, boolean required) {
        if (given != null) return given;
        if (o.data() == null) {
            if (required) throw new IllegalArgumentException("give --data (the task's directory) or the file (" + name + ")");
            return null;
        }
        Path p = new Path(Fs.path(o.data()), name);
        if (required && !Fs.exists(p)) throw new IllegalArgumentException(p + " does not exist (--data holds the task's " + name + "?)");
        return p.toString();
    }

    /** One learning rate: train for the epochs, evaluate on dev after each, keep the best epoch. */
    private static Map<String, Object> trainOne(SparkSession spark, Options o, FinetuneTask task, FinetuneModels.Loaded start,
                                                MobileBertConfig config, TaskData data, double lr, RunDirectory sub,
                                                RunDirectory top, FinetuneObjective objective) throws IOException {
        int perWorker = o.batchSize() / o.workers();
        int stepsPerEpoch = data.trainSize() / o.batchSize() / o.averagingFrequency() * o.averagingFrequency();
        if (stepsPerEpoch == 0) {
            throw new IllegalArgumentException(data.trainSize() + " training features are fewer than one averaging round ("
                    + o.batchSize() + " x averaging frequency " + o.averagingFrequency() + ")");
        }
        int total = stepsPerEpoch * o.epochs();
        Path resultFile = sub.resolve("result.json");
        if (Fs.exists(resultFile)) {
            log.info("finetune {}: learning rate {} is complete ({}), not redone", task.name(), lr, resultFile);
            return Json.MAPPER.readValue(Fs.readString(resultFile), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        }
        OptimizerSettings opt = OptimizerSettings.adamW(lr, (int) Math.round(o.warmupProportion() * total), total);
        TrainingSettings settings = new TrainingSettings(o.workers(), perWorker, o.averagingFrequency(), "direct", null,
                "MEMORY_ONLY_SER", stepsPerEpoch, 1, Math.max(1, Math.min(10, stepsPerEpoch)), o.seed(), false, true, opt);
        JavaSparkContext sc = Sparks.context(spark);
        // BERT drops the last partial batch too (drop_remainder); the epoch is a fixed seeded selection of full batches
        List<MultiDataSet> batches = data.trainBatches(perWorker, stepsPerEpoch * o.workers(), o.seed());
        JavaRDD<MultiDataSet> rdd = sc.parallelize(batches, Math.max(1, Math.min(batches.size(), o.workers() * 4)));
        var source = new RddBatchSource(rdd, perWorker, o.workers() * o.averagingFrequency(), StorageLevel.MEMORY_ONLY_SER());
        var evaluator = new DevEvaluator(task, data, config, sub, top, lr, stepsPerEpoch);
        var latest = new Checkpoints(sub.checkpointsDir()).latest();
        if (latest.isPresent()) resumeEvaluation(sc, evaluator, latest.get(), total);
        if (evaluator.epochsEvaluated() < o.epochs()) { // else the crash came after the last dev evaluation
            var trainer = new ParameterAveragingTrainer(sc, settings, sub)
                    .initializeWith(net -> FinetuneModels.copyMatching(start.model().hfParams(), new MobileBertModel(config, net), "start"))
                    .evaluateWith(evaluator, stepsPerEpoch);
            trainer.train(() -> objective.conf(config, task, o.maxSeqLength(), opt.updater(), o.seed()),
                    objective.batches(sc, source), latest.isPresent());
        }
        Map<String, Object> m = new LinkedHashMap<>(evaluator.best());
        m.put("learning_rate", lr);
        AtomicOutput.writeString(resultFile, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(m));
        return m;
    }

    /**
     * A rerun after a crash: the learning rates whose {@code result.json} exists are done; a started one resumes from
     * its newest checkpoint (one per epoch) with the dev evaluations already logged, and evaluates the checkpoint's
     * epoch first if the crash came between saving it and logging its dev row.
     */
    private static void resumeEvaluation(JavaSparkContext sc, DevEvaluator evaluator, Checkpoints.Checkpoint latest, int total)
            throws IOException {
        evaluator.restore();
        int step = latest.state().step();
        if (step < total && evaluator.epochsEvaluated() < step / evaluator.stepsPerEpoch) {
            evaluator.evaluate(sc, latest.loadModel());
        }
    }

    /** The dev rows a crashed run of this learning rate logged. */
    private static List<Map<String, Object>> devRows(RunDirectory top, double lr) throws IOException {
        return top.metrics().rows("dev").stream()
                .filter(row -> row.get("learning_rate") instanceof Number n && n.doubleValue() == lr).toList();
    }

    private static boolean predictTest(TaskData data, Path checkpoint, Path dir, Map<String, Object> devMetrics) throws IOException {
        ComputationGraph g = Checkpoint.load(checkpoint.toString(), false).model().graph();
        return data.predictTest(g, dir, devMetrics);
    }

    private static void copyDir(Path from, Path to) throws IOException {
        AtomicOutput.writeDirectory(to, tmp -> {
            if (!FileUtil.copy(Fs.fs(from), from, Fs.fs(tmp), tmp, false, Fs.conf())) throw new IOException("cannot copy " + from);
        });
    }

    /** Evaluates after every epoch; keeps the best epoch's checkpoint and dev predictions. */
    static final class DevEvaluator implements dev.mobilebert.jobs.train.Evaluator {
        private final FinetuneTask task;
        private final TaskData data;
        private final MobileBertConfig config;
        private final RunDirectory sub, top;
        private final double lr;
        final int stepsPerEpoch;
        private int epoch;
        private Map<String, Object> best;

        DevEvaluator(FinetuneTask task, TaskData data, MobileBertConfig config, RunDirectory sub, RunDirectory top,
                     double lr, int stepsPerEpoch) {
            this.task = task;
            this.data = data;
            this.config = config;
            this.sub = sub;
            this.top = top;
            this.lr = lr;
            this.stepsPerEpoch = stepsPerEpoch;
        }

        Map<String, Object> best() {
            if (best == null) throw new IllegalStateException("no dev evaluation ran");
            return best;
        }

        int epochsEvaluated() {
            return epoch;
        }

        /** Continues a crashed run: its logged epochs count, and the best of them stays the best (its checkpoint is kept). */
        void restore() throws IOException {
            for (Map<String, Object> row : devRows(top, lr)) {
                int e = ((Number) row.get("epoch")).intValue();
                if (e <= epoch) continue;
                epoch = e;
                Map<String, Object> m = new LinkedHashMap<>(row);
                for (String k : List.of("stage", "time", "learning_rate", "best_so_far")) m.remove(k);
                Object score = m.get(task.selectionMetric());
                if (Boolean.TRUE.equals(row.get("best_so_far")) && score instanceof Number) best = m;
            }
        }

        @Override
        public Map<String, Object> evaluate(JavaSparkContext sc, ComputationGraph net) throws IOException {
            epoch++;
            Path scratch = sub.resolve("predictions/epoch-" + epoch);
            Map<String, Object> m = new LinkedHashMap<>(data.evaluate(net, scratch));
            m.put("epoch", epoch);
            m.put("step", (long) epoch * stepsPerEpoch);
            Object score = m.get(task.selectionMetric());
            if (!(score instanceof Number s)) throw new IllegalStateException("dev metrics lack " + task.selectionMetric() + ": " + m);
            boolean improved = best == null || s.doubleValue() > ((Number) best.get(task.selectionMetric())).doubleValue();
            if (improved) {
                best = new LinkedHashMap<>(m);
                Checkpoint.save(new MobileBertModel(config, net),
                        Checkpoint.Provenance.of("finetune " + task.name() + " lr " + lr, "dev epoch " + epoch, (long) epoch * stepsPerEpoch),
                        sub.resolve("best").toString(), false);
                copyDir(scratch, sub.resolve("predictions/dev"));
            }
            Fs.delete(scratch);
            m.put("best_so_far", improved);
            Map<String, Object> row = new LinkedHashMap<>(m);
            row.put("learning_rate", lr);
            top.metrics().log("dev", (long) epoch * stepsPerEpoch, row);
            return m;
        }
    }
}
