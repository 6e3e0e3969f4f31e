package dev.mobilebert.jobs.transfer;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.pretrain.PretrainingData;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.BatchSource;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.RddBatchSource;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.transfer.FeatureMapTransfer;
import dev.mobilebert.model.transfer.JointTransfer;
import dev.mobilebert.model.transfer.PretrainingDistillation;
import dev.mobilebert.model.transfer.ProgressiveStage;
import dev.mobilebert.model.transfer.StudentInitialisation;
import dev.mobilebert.train.Checkpoints;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Knowledge transfer from a teacher to a fresh student on Spark (parameter averaging). JKT and AKT (the paper's
 * ablation baselines, {@link JointTransfer}) are one resumable stage each ({@code RUN/stages/jkt|akt/}). PKT: stages 0..L−1, stage l
 * trains student layer l on FMT + AT against teacher layer l; every stage is a resumable unit run by its own
 * {@link ParameterAveragingTrainer} in {@code RUN/stages/pkt-layer-LL/} (config, checkpoints, metrics.jsonl,
 * summary.json) with a {@link StageStep} on the workers instead of {@code fit()}: teacher targets are computed on the
 * executors batch by batch from a broadcast teacher. A stage whose newest checkpoint is at its last step is finished
 * and never recomputed; warmup restarts per stage (each stage's graph starts at iteration 0). When a stage finishes
 * its train rows are copied as one block (stage {@code pkt-layer-LL}) into {@code RUN/metrics.jsonl}. The final student
 * (plain pretraining graph) is written to {@code RUN/student/model.zip}, the input of {@code distill --student}.
 */
public final class TransferJob {
    private TransferJob() {}

    public enum Strategy { PKT, JKT, AKT }

    /**
     * @param settings    per-stage training settings: {@code optimizer.num_train_steps} is the length of one stage
     * @param lowerLayers layers below the stage's: frozen (default) or trained at {@code lowerFactor} × the rate
     */
    /** @param heldOut prepare-pretraining output on which the final student's MLM/NSP are evaluated, or null */
    public record Options(String teacher, String studentConfig, String data, String heldOut, String out, boolean resume, Strategy strategy,
                          TrainingSettings settings, ProgressiveStage.LowerLayers lowerLayers, double lowerFactor,
                          FeatureMapTransfer.Weights fmt, double attentionWeight, PretrainingDistillation.Settings distillation) {}

    public record Result(INDArray studentParams, List<Map<String, Object>> stages, Path student) {}

    public static String stageName(int layer) { return String.format("pkt-layer-%02d", layer); }

    /** The resumable units of a strategy: one per layer for PKT, a single one for JKT and AKT. */
    static List<String> stageNames(Strategy strategy, int layers) {
        if (strategy != Strategy.PKT) return List.of(strategy.name().toLowerCase());
        List<String> names = new ArrayList<>();
        for (int l = 0; l < layers; l++) names.add(stageName(l));
        return names;
    }

    public static Result run(SparkSession spark, Options o) throws IOException {
        MobileBertModel teacher = StoredModels.load(o.teacher(), "--teacher");
        MobileBertConfig student = MobileBertConfig.load(o.studentConfig());
        checkShapes(teacher.config(), student);
        RunDirectory run = RunDirectory.open(o.out());
        DistillJob.recordConfig(run, "model", student, o.resume());
        DistillJob.recordConfig(run, "teacher", teacher.config(), o.resume());
        List<String> names = stageNames(o.strategy(), student.numHiddenLayers);
        List<String> started = new ArrayList<>();
        for (String name : names) {
            if (new Checkpoints(stageRun(run, name).checkpointsDir()).latest().isPresent()) started.add(name);
        }
        if (!started.isEmpty() && !o.resume()) {
            throw new IllegalStateException(run.root() + " already has transfer checkpoints (stages " + started
                    + "); pass --resume to continue it, or use a new run directory");
        }
        PretrainingData.checkFits(spark, o.data(), student);
        JavaSparkContext sc = Sparks.context(spark);
        TrainingSettings base = o.settings();
        BatchSource data = new RddBatchSource(PretrainingData.fullBatches(spark, o.data(), base.batchSizePerWorker()),
                base.batchSizePerWorker(), base.workers() * base.averagingFrequency(), StorageLevel.MEMORY_AND_DISK_SER());
        Broadcast<DistillationBatchSource.Teacher> teacherCopy = sc.broadcast(
                new DistillationBatchSource.Teacher(teacher.config().toJson(), teacher.graph().params().dup()));

        INDArray params = null;
        List<Map<String, Object>> stages = new ArrayList<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                RunDirectory stageDir = stageRun(run, name);
                Optional<Checkpoints.Checkpoint> latest = new Checkpoints(stageDir.checkpointsDir()).latest();
                if (latest.isPresent() && latest.get().state().step() >= base.numTrainSteps()) {
                    stages.add(Map.of("stage", name, "status", "finished earlier", "checkpoint", latest.get().dir().toString()));
                    params = null; // read from its checkpoint only if the next stage starts afresh
                    continue;
                }
                INDArray start = latest.isPresent() ? null
                        : params != null ? params : i == 0 ? initialStudent(teacher, student, base.seed()) : finishedParams(run, names.get(i - 1));
                params = runStage(sc, stageDir, i, start, data, teacherCopy, student, o);
                appendBlock(run, stageDir, name);
                stages.add(Map.of("stage", name, "status", "trained"));
            }
            if (params == null) params = finishedParams(run, names.get(names.size() - 1));
        } finally {
            teacherCopy.destroy();
        }
        Path saved = saveStudent(run, student, params);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("strategy", o.strategy().name().toLowerCase());
        summary.put("stages", stages);
        summary.put("student", saved.toString());
        if (o.heldOut() != null) {
            // the final student's held-out MLM/NSP, computed on the executors as pretrain and distill do
            var heldOut = PretrainingData.allBatches(spark, o.heldOut(), 32);
            ComputationGraph g = new ComputationGraph(MobileBertModel.pretrainingConf(student, new NoOp(), 0, DataType.FLOAT));
            g.init(params.dup(), false);
            Map<String, Object> eval = new dev.mobilebert.jobs.pretrain.PretrainingEvaluator(heldOut).evaluate(sc, g);
            run.metrics().log("eval", 0, eval);
            summary.putAll(eval);
        }
        run.writeSummary(summary);
        return new Result(params, stages, saved);
    }

    /** Stage {@code index} of the strategy (PKT: the layer) as its own parameter-averaging run with a worker step. */
    private static INDArray runStage(JavaSparkContext sc, RunDirectory stageDir, int index, INDArray start, BatchSource data,
                                     Broadcast<DistillationBatchSource.Teacher> teacher, MobileBertConfig student, Options o) throws IOException {
        TrainingSettings s = withSeed(o.settings(), o.settings().seed() + index); // every stage its own data order
        var trainer = new ParameterAveragingTrainer(sc, s, stageDir)
                .configureOptimizerWith(conf -> ProgressiveStage.policies(conf, s.optimizer()));
        if (start != null) trainer.initializeWith(net -> net.params().assign(start));
        java.util.function.Supplier<org.deeplearning4j.nn.conf.ComputationGraphConfiguration> graph;
        if (o.strategy() == Strategy.PKT) {
            var stage = new ProgressiveStage.Settings(index, o.lowerLayers(), o.lowerFactor(), s.optimizer(), o.fmt(), o.attentionWeight());
            trainer.stepWith(new StageStep(teacher, student, stage));
            graph = () -> ProgressiveStage.stageConf(student, stage, DataType.FLOAT, s.seed());
        } else {
            var joint = new JointTransfer.Settings(o.strategy() == Strategy.JKT ? JointTransfer.Mode.JKT : JointTransfer.Mode.AKT,
                    s.optimizer(), o.fmt(), o.attentionWeight(), o.distillation(), 1.0);
            trainer.stepWith(new JointStep(teacher, student, joint));
            graph = () -> JointTransfer.conf(student, joint, DataType.FLOAT, s.seed());
        }
        ParameterAveragingTrainer.Result r = trainer.train(graph, data, true);
        return r.net().params().dup();
    }

    /** Embeddings, embedding transformation and heads from the teacher; encoder layers fresh. */
    static INDArray initialStudent(MobileBertModel teacher, MobileBertConfig student, long seed) {
        MobileBertModel s = MobileBertModel.pretraining(student, new NoOp(), seed);
        StudentInitialisation.fromTeacher(teacher, s);
        return s.graph().params().dup();
    }

    /** PKT maps teacher layer l to student layer l, hidden state to hidden state, head to head. */
    static void checkShapes(MobileBertConfig teacher, MobileBertConfig student) {
        List<String> bad = new ArrayList<>();
        if (teacher.numHiddenLayers != student.numHiddenLayers) bad.add("num_hidden_layers " + teacher.numHiddenLayers + " vs " + student.numHiddenLayers);
        if (teacher.hiddenSize != student.hiddenSize) bad.add("hidden_size " + teacher.hiddenSize + " vs " + student.hiddenSize);
        if (teacher.numAttentionHeads != student.numAttentionHeads) bad.add("num_attention_heads " + teacher.numAttentionHeads + " vs " + student.numAttentionHeads);
        if (teacher.vocabSize != student.vocabSize) bad.add("vocab_size " + teacher.vocabSize + " vs " + student.vocabSize);
        if (!bad.isEmpty()) throw new IllegalArgumentException("teacher and student do not match for layer-to-layer transfer (teacher vs student): " + bad);
    }

    static RunDirectory stageRun(RunDirectory run, String stage) throws IOException {
        return RunDirectory.open(run.resolve("stages/" + stage));
    }

    private static INDArray finishedParams(RunDirectory run, String stage) throws IOException {
        Checkpoints.Checkpoint c = new Checkpoints(stageRun(run, stage).checkpointsDir()).latest()
                .orElseThrow(() -> new IllegalStateException("stage " + stage + " has no checkpoint"));
        return c.loadModel().params().dup();
    }

    /**
     * The stage's train rows, as one block of the run's metrics.jsonl (written once, when the stage is complete). A row
     * logged before a crash and logged again by the resumed session appears once: the later one wins.
     */
    private static void appendBlock(RunDirectory run, RunDirectory stageDir, String stage) throws IOException {
        java.util.TreeMap<Integer, Map<String, Object>> bySteps = new java.util.TreeMap<>();
        for (Map<String, Object> m : stageDir.metrics().rows("train")) {
            m.remove("stage");
            m.remove("time");
            bySteps.put(((Number) m.remove("step")).intValue(), m);
        }
        bySteps.forEach((step, m) -> run.metrics().log(stage, step, m));
    }

    /** The student as a plain pretraining graph (the layout the stages share), for distill --student RUN/student. */
    private static Path saveStudent(RunDirectory run, MobileBertConfig student, INDArray params) throws IOException {
        ComputationGraph g = new ComputationGraph(MobileBertModel.pretrainingConf(student, new NoOp(), 0, DataType.FLOAT));
        g.init(params.dup(), false);
        Path zip = run.resolve("student/" + Checkpoints.MODEL);
        AtomicOutput.writeFile(zip, out -> ModelSerializer.writeModel(g, out, false));
        return zip;
    }

    static TrainingSettings withSeed(TrainingSettings s, long seed) {
        return new TrainingSettings(s.workers(), s.batchSizePerWorker(), s.averagingFrequency(), s.rddTrainingApproach(),
                s.exportDirectory(), s.storageLevel(), s.checkpointEverySteps(), s.keepCheckpoints(), s.logEverySteps(), seed,
                s.collectTrainingStats(), s.progress(), s.optimizer());
    }
}
