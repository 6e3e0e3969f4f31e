package dev.mobilebert.jobs.train;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.optim.GlobalNormClipping.StepRecord;
import dev.mobilebert.optim.OptimizerSettings;
import dev.mobilebert.train.Checkpoints;
import dev.mobilebert.train.TrainingState;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Model-independent data-parallel training: dl4j-spark's {@link ParameterAveragingTrainingMaster} driven in chunks
 * of {@code checkpoint_every_steps} steps (the training masters do not checkpoint), with a checkpoint after every
 * chunk, {@code --resume} from the newest one, a NaN/Inf guard, metrics per logged step and a progress line.
 * <p>
 * A step is one optimizer update on every worker; a chunk of n steps feeds the master n x workers batches, which
 * it runs as n / averaging_frequency averaging rounds and counts as n iterations. See docs/training.md for the
 * dl4j-spark workarounds this class contains.
 */
public final class ParameterAveragingTrainer {
    /** Called after each checkpoint is written (tests use it to simulate a crash). */
    @FunctionalInterface
    public interface CheckpointHook {
        void afterCheckpoint(TrainingState state, Path checkpoint) throws IOException;
    }

    public record Result(ComputationGraph net, TrainingState state, double lastLoss, Path lastCheckpoint) {}

    static {
        SeedingHook.useSystemClockForTrainingStats();
    }

    private final JavaSparkContext sc;
    private final TrainingSettings settings;
    private final RunDirectory run;
    private final Checkpoints checkpoints;
    private CheckpointHook hook = (s, p) -> {};
    private Evaluator evaluator;
    private StepProbe probe;
    private Consumer<ComputationGraph> initializer = net -> {};
    /** Per chunk: what the probe measured on the workers, and sequences/s of each averaging round by its last step. */
    private CollectionAccumulator<StepProbe.Record> probed;
    private final Map<Integer, Double> roundRates = new java.util.TreeMap<>();
    private int evalEverySteps;
    private WorkerStep workerStep;
    private java.util.function.Function<ComputationGraphConfiguration, List<OptimizerSettings.ParamPolicy>> optimizerSetup;

    public ParameterAveragingTrainer(JavaSparkContext sc, TrainingSettings settings, RunDirectory run) {
        this.sc = sc;
        this.settings = settings;
        this.run = run;
        this.checkpoints = new Checkpoints(run.checkpointsDir());
    }

    public ParameterAveragingTrainer onCheckpoint(CheckpointHook hook) {
        this.hook = hook;
        return this;
    }

    /**
     * Measures model-specific values on the workers at every step (e.g. MLM/NSP accuracy); they are averaged over
     * the workers and added to the {@code train} rows.
     */
    public ParameterAveragingTrainer measureSteps(StepProbe probe) {
        this.probe = probe;
        return this;
    }

    /** Runs on a fresh network (not on resume) after it is initialised, e.g. to load pretrained parameters. */
    public ParameterAveragingTrainer initializeWith(Consumer<ComputationGraph> initializer) {
        this.initializer = initializer;
        return this;
    }

    /** Runs {@code evaluator} after the checkpoints at multiples of {@code everySteps} (0: only) and at the end. */
    public ParameterAveragingTrainer evaluateWith(Evaluator evaluator, int everySteps) {
        this.evaluator = evaluator;
        this.evalEverySteps = everySteps;
        return this;
    }

    /**
     * Replaces {@code fit()} on the workers by {@code step} (e.g. a knowledge-transfer stage whose loss sits inside a
     * vertex, where DL4J's output layers cannot reach): each averaging round then runs as a Spark job of its own
     * ({@link WorkerRounds}) — every worker starts from the broadcast parameters, updater state and iteration count,
     * runs {@code averaging_frequency} steps on its batches, and the driver averages parameters and updater state,
     * as dl4j-spark's parameter averaging does. Chunks, checkpoints, resume, the NaN guard and metrics are unchanged.
     */
    public ParameterAveragingTrainer stepWith(WorkerStep step) {
        this.workerStep = step;
        return this;
    }

    /**
     * Sets the optimizer on a fresh graph configuration instead of {@code optimizer.applyTo} (for graphs that carry
     * their own per-vertex optimizer, e.g. a transfer stage with frozen layers); returns the policy per tensor.
     */
    public ParameterAveragingTrainer configureOptimizerWith(
            java.util.function.Function<ComputationGraphConfiguration, List<OptimizerSettings.ParamPolicy>> setup) {
        this.optimizerSetup = setup;
        return this;
    }

    /**
     * Trains until {@code optimizer.num_train_steps}. Without {@code resume} the run directory must have no
     * checkpoints; with it, training continues from the newest checkpoint (or starts if there is none).
     *
     * @param graph the model to train, before the optimizer is set (used only when not resuming)
     */
    public Result train(Supplier<ComputationGraphConfiguration> graph, BatchSource data, boolean resume) throws IOException {
        if (data.batchSize() != settings.batchSizePerWorker()) {
            throw new IllegalArgumentException("data batches hold " + data.batchSize() + " examples but batch_size_per_worker is "
                    + settings.batchSizePerWorker());
        }
        Optional<Checkpoints.Checkpoint> last = checkpoints.latest();
        if (last.isPresent() && !resume) {
            throw new IllegalStateException(run.root() + " already has checkpoints (newest: " + last.get().dir().getName()
                    + "); pass --resume to continue it, or use a new run directory");
        }
        ComputationGraph net;
        TrainingState state;
        if (last.isPresent()) {
            checkSameSettings();
            net = last.get().loadModel();
            state = last.get().state();
            if (net.getIterationCount() != state.step()) {
                throw new IllegalStateException("checkpoint " + last.get().dir() + " is inconsistent: model at iteration "
                        + net.getIterationCount() + ", state at step " + state.step());
            }
            run.metrics().log("resume", state.step(), Map.of("checkpoint", last.get().dir().toString(), "epoch", state.epoch()));
        } else {
            ComputationGraphConfiguration conf = graph.get();
            List<OptimizerSettings.ParamPolicy> policies = optimizerSetup != null ? optimizerSetup.apply(conf) : settings.optimizer().applyTo(conf);
            run.saveConfig("training", settings);
            run.saveConfig("optimizer_params", policies);
            AtomicOutput.writeString(new Path(run.configDir(), "graph.json"), conf.toJson());
            net = new ComputationGraph(conf);
            net.init();
            initializer.accept(net);
            state = TrainingState.start(settings.seed());
        }
        return loop(net, state, data);
    }

    private Result loop(ComputationGraph net, TrainingState state, BatchSource data) throws IOException {
        int total = settings.numTrainSteps();
        CollectionAccumulator<StepRecord> steps = sc.sc().collectionAccumulator("mobilebert.steps");
        probed = sc.sc().collectionAccumulator("mobilebert.probes");
        double lastLoss = Double.NaN;
        Path lastCheckpoint = checkpoints.latest().map(Checkpoints.Checkpoint::dir).orElse(null);
        long started = System.nanoTime();
        int firstStep = state.step();
        try (ProgressBar bar = progressBar(total, state.step())) {
            while (state.step() < total) {
                int n = Math.min(settings.checkpointEverySteps(), total - state.step());
                long batches = (long) n * settings.batchesPerStep();
                steps.reset();
                probed.reset();
                roundRates.clear();
                Map<String, Long> times = new LinkedHashMap<>();
                long t0 = System.nanoTime();
                TrainingState at = state;
                while (at.step() < state.step() + n) {
                    long r0 = System.nanoTime();
                    net = round(net, at, data, steps, times);
                    roundRates.put(at.step() + settings.averagingFrequency(),
                            roundBatches() * settings.batchSizePerWorker() * 1e9 / Math.max(1, System.nanoTime() - r0));
                    at = at.advance(settings.averagingFrequency(), roundBatches(), data.batchesPerEpoch());
                    guard(StepMetrics.perStep(new ArrayList<>(steps.value())), net, state, at, lastCheckpoint);
                }
                long wallMs = (System.nanoTime() - t0) / 1_000_000;
                TrainingState next = state.advance(n, batches, data.batchesPerEpoch());
                if (!next.equals(at) || net.getIterationCount() != next.step()) {
                    throw new IllegalStateException("after the chunk the model is at iteration " + net.getIterationCount()
                            + " and the rounds at " + at + "; expected " + next);
                }
                List<StepMetrics.Step> done = StepMetrics.perStep(new ArrayList<>(steps.value()));
                lastLoss = logSteps(done);
                logChunk(next, n, batches, wallMs, times, lastLoss);
                lastCheckpoint = checkpoints.save(net, next);
                checkpoints.prune(settings.keepCheckpoints());
                state = next;
                if (bar != null) {
                    bar.stepTo(state.step());
                    bar.setExtraMessage(String.format(" loss %.4f", lastLoss));
                }
                if (evaluator != null && evalEverySteps > 0 && state.step() % evalEverySteps == 0 && state.step() < total) {
                    evaluate(net, state);
                }
                hook.afterCheckpoint(state, lastCheckpoint);
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        if (evaluator != null) summary.putAll(evaluate(net, state));
        summary.put("steps", state.step());
        summary.put("epoch", state.epoch());
        summary.put("batches_seen", state.batchesSeen());
        summary.put("final_loss", lastLoss);
        summary.put("checkpoint", lastCheckpoint == null ? null : lastCheckpoint.toString());
        summary.put("steps_this_session", state.step() - firstStep);
        summary.put("wall_seconds_this_session", (System.nanoTime() - started) / 1e9);
        run.writeSummary(summary);
        return new Result(net, state, lastLoss, lastCheckpoint);
    }

    private Map<String, Object> evaluate(ComputationGraph net, TrainingState state) throws IOException {
        long t0 = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>(evaluator.evaluate(sc, net));
        m.put("eval_ms", (System.nanoTime() - t0) / 1_000_000);
        run.metrics().log("eval", state.step(), m);
        return m;
    }

    private long roundBatches() {
        return (long) settings.averagingFrequency() * settings.batchesPerStep();
    }

    /**
     * One averaging round (averaging_frequency steps on every worker) as one fit: dl4j-spark loses the iteration
     * count on the workers between the rounds of one fit (see {@link SeedingHook}).
     */
    private ComputationGraph round(ComputationGraph net, TrainingState at, BatchSource data,
                                   CollectionAccumulator<StepRecord> steps, Map<String, Long> times) throws IOException {
        if (workerStep != null) {
            ComputationGraph next = new WorkerRounds(sc, settings, workerStep).round(net, at, chunk(data, at, roundBatches()),
                    steps::add, r -> probed.add(r), times);
            return next;
        }
        JavaRDD<MultiDataSet> rdd = chunk(data, at, roundBatches());
        ParameterAveragingTrainingMaster master = master(at, steps);
        SparkComputationGraph spark = new SparkComputationGraph(sc, net, master);
        spark.fitMultiDataSet(rdd);
        cleanUp(rdd, at);
        if (master.getTrainingStats() != null) {
            StepMetrics.timeSplit(master.getTrainingStats(), settings.workers())
                    .forEach((k, v) -> times.merge(k, ((Number) v).longValue(), Long::sum));
        }
        return spark.getNetwork();
    }

    /** The batches of a round, continuing the current epoch and wrapping into the next ones. */
    private JavaRDD<MultiDataSet> chunk(BatchSource data, TrainingState state, long batches) {
        long perEpoch = data.batchesPerEpoch();
        JavaRDD<MultiDataSet> all = null;
        int epoch = state.epoch();
        long from = state.batchInEpoch();
        for (long left = batches; left > 0; epoch++, from = 0) {
            long take = Math.min(left, perEpoch - from);
            JavaRDD<MultiDataSet> part = data.batches(sc, epoch, from, take, state.seed());
            all = all == null ? part : all.union(part);
            left -= take;
        }
        return all;
    }

    private ParameterAveragingTrainingMaster master(TrainingState state, CollectionAccumulator<StepRecord> steps) {
        var b = new ParameterAveragingTrainingMaster.Builder(settings.workers(), settings.batchSizePerWorker())
                .batchSizePerWorker(settings.batchSizePerWorker())
                .averagingFrequency(settings.averagingFrequency())
                .saveUpdater(true) // else the LAMB/Adam moments restart from zero on every averaging round
                .rddTrainingApproach(settings.approach())
                .storageLevel(settings.sparkStorageLevel())
                .rngSeed(settings.seed() * 31 + state.step()) // the random splits of this chunk, reproducible on resume
                .collectTrainingStats(settings.collectTrainingStats())
                .trainingHooks(new SeedingHook(settings.seed(), state.step()));
        if (settings.approach() == org.deeplearning4j.spark.api.RDDTrainingApproach.Export) {
            b.exportDirectory(exportDirectory(state).toString());
        }
        ParameterAveragingTrainingMaster master = b.build();
        List<org.deeplearning4j.optimize.api.TrainingListener> listeners = new ArrayList<>();
        listeners.add(settings.optimizer().clipping(steps::add));
        if (probe != null) listeners.add(new StepProbe.Listener(probe, probed::add));
        master.setListeners(listeners);
        return master;
    }

    /**
     * Export writes the chunk's batches under this directory (dl4j-spark adds a unique subdirectory); one per chunk,
     * so it can be deleted afterwards. Default: inside the run directory, which every executor can reach.
     */
    private Path exportDirectory(TrainingState state) {
        Path base = settings.exportDirectory() != null ? Fs.path(settings.exportDirectory()) : run.resolve("export");
        return new Path(base, "step-" + state.step());
    }

    /** dl4j-spark persists the RDD it is given and never unpersists it; Export leaves its files behind. */
    private void cleanUp(JavaRDD<MultiDataSet> rdd, TrainingState state) throws IOException {
        rdd.unpersist(false);
        if (settings.approach() == org.deeplearning4j.spark.api.RDDTrainingApproach.Export) {
            Path exported = exportDirectory(state);
            if (Fs.exists(exported)) Fs.delete(exported);
        }
    }

    private void guard(List<StepMetrics.Step> done, ComputationGraph net, TrainingState from, TrainingState to, Path lastGood) {
        String problem = null;
        for (StepMetrics.Step s : done) {
            if (!Double.isFinite(s.loss()) || !Double.isFinite(s.gradNorm())) {
                problem = "step " + (s.iteration() + 1) + " had loss " + s.loss() + " and gradient norm " + s.gradNorm();
                break;
            }
        }
        INDArray params = net.params();
        if (problem == null && (BooleanIndexing.or(params, Conditions.isNan()) || BooleanIndexing.or(params, Conditions.isInfinite()))) {
            problem = "the averaged parameters contain NaN or Inf";
        }
        if (problem == null) return;
        String keep = lastGood == null ? "there is no checkpoint yet (the run must start over)"
                : "the last good checkpoint is " + lastGood + " (step " + from.step() + "); --resume continues from it";
        run.metrics().log("diverged", to.step(), Map.of("problem", problem, "last_good_step", from.step()));
        throw new TrainingDiverged("training diverged between steps " + from.step() + " and " + to.step() + ": " + problem
                + ". Nothing was saved for this chunk; " + keep
                + " (consider a lower learning rate, more warmup, or checking the data of this chunk).");
    }

    /** Logs every log_every_steps-th step of the chunk (and its last); returns the chunk's last loss. */
    private double logSteps(List<StepMetrics.Step> done) {
        double last = Double.NaN;
        var schedule = settings.optimizer().schedule();
        Map<Integer, Map<String, Double>> measured = StepProbe.meanPerIteration(new ArrayList<>(probed.value()));
        for (int i = 0; i < done.size(); i++) {
            StepMetrics.Step s = done.get(i);
            int step = s.iteration() + 1;
            last = s.loss();
            if (step % settings.logEverySteps() != 0 && i != done.size() - 1) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loss", s.loss());
            m.put("learning_rate", schedule.valueAt(s.iteration(), 0));
            m.put("grad_norm", s.gradNorm());
            m.put("grad_norm_max", s.maxGradNorm());
            m.put("workers", s.workers());
            Map<String, Double> extra = measured.get(s.iteration());
            if (extra != null) m.putAll(extra);
            Map.Entry<Integer, Double> rate = ((java.util.TreeMap<Integer, Double>) roundRates).ceilingEntry(step);
            if (rate != null) m.put("sequences_per_s", rate.getValue());
            run.metrics().log("train", step, m);
        }
        return last;
    }

    private void logChunk(TrainingState next, int n, long batches, long wallMs, Map<String, Long> times, double loss) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", n);
        m.put("epoch", next.epoch());
        m.put("batch_in_epoch", next.batchInEpoch());
        m.put("loss", loss);
        m.put("wall_ms", wallMs);
        m.put("sequences_per_s", batches * settings.batchSizePerWorker() * 1000.0 / Math.max(1, wallMs));
        m.putAll(times);
        run.metrics().log("chunk", next.step(), m);
    }

    /** Resuming with a different optimizer or distribution would silently change the run; refuse. */
    private void checkSameSettings() throws IOException {
        Path saved = new Path(run.configDir(), "training.json");
        if (!Fs.exists(saved)) return;
        TrainingSettings before = Json.MAPPER.readValue(Fs.readString(saved), TrainingSettings.class);
        if (!before.optimizer().equals(settings.optimizer()) || before.workers() != settings.workers()
                || before.batchSizePerWorker() != settings.batchSizePerWorker() || before.seed() != settings.seed()
                || before.averagingFrequency() != settings.averagingFrequency()) {
            throw new IllegalArgumentException("--resume with different training settings than " + saved
                    + " (optimizer, workers, batch size, averaging frequency and seed must stay the same)");
        }
    }

    private ProgressBar progressBar(int total, int at) {
        if (!settings.progress() || !sc.isLocal()) return null;
        ProgressBar bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).setUnit(" steps", 1).build();
        bar.stepTo(at);
        return bar;
    }
}
