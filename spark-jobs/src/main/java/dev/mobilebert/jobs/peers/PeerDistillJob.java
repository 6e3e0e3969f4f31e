package dev.mobilebert.jobs.peers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.pretrain.PretrainJob;
import dev.mobilebert.jobs.pretrain.PretrainingData;
import dev.mobilebert.jobs.pretrain.PretrainingEvaluator;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.RddBatchSource;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.model.peers.DistilBertRecipe;
import dev.mobilebert.model.peers.LayerMap;
import dev.mobilebert.model.peers.PeerRecipe;
import dev.mobilebert.model.peers.PeerStudents;
import dev.mobilebert.model.peers.TinyBertRecipe;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * General distillation of DistilBERT or TinyBERT from a teacher on the prepare-pretraining shards, with the same
 * machinery as pretraining and MobileBERT's distillation: the parameter-averaging trainer (checkpoints, --resume,
 * NaN guard, metrics), teacher targets computed batch by batch on the executors from a broadcast teacher
 * ({@link PeerBatchSource}), the recipes' losses inside the DL4J graph ({@code dev.mobilebert.model.peers}).
 *
 * <p>Each stage is a run directory under {@code OUT/}: {@code distilbert/}, or {@code tinybert-intermediate/} then
 * {@code tinybert-prediction/} (each starts from the previous stage's student). The finished student is written as a
 * model checkpoint (plain pretraining graph, {@code config.json} + {@code model.zip}) to {@code OUT/student/}, usable by
 * {@code bench}, {@code evaluate}, {@code export-hf}, {@code pretrain --init}; {@code OUT/summary.json} sums up.
 */
public final class PeerDistillJob {
    private PeerDistillJob() {}

    public enum Recipe { DISTILBERT, TINYBERT }

    /**
     * @param recipe        distilbert or tinybert
     * @param teacherConfig the teacher's model JSON
     * @param teacher       the teacher's parameters: checkpoint directory, run directory (newest checkpoint) or model zip
     * @param data          prepare-pretraining output (training shards)
     * @param heldOut       prepare-pretraining output for held-out MLM/NSP evaluation of the last stage, or null
     * @param out           the output directory (one run directory per stage, student/, summary.json)
     * @param resume        continue: finished stages are read from their last checkpoint, the interrupted one resumes
     * @param settings      training settings of every stage (its optimizer.num_train_steps: DistilBERT's steps)
     * @param layerMap      teacher layers of the student's layers, e.g. "0,2,4" (null: every other for DistilBERT,
     *                      uniform for TinyBERT)
     * @param studentConfig TinyBERT's student JSON (null: 4 layers, 312 wide, 1200 intermediate, teacher's heads);
     *                      ignored for DistilBERT, whose student is the teacher's architecture
     * @param distilbert    DistilBERT's loss weights and temperature
     * @param tinybert      TinyBERT's stage lengths and settings
     * @param evalBatchSize examples per held-out batch
     */
    public record Options(Recipe recipe, String teacherConfig, String teacher, String data, String heldOut, String out,
                          boolean resume, TrainingSettings settings, String layerMap, String studentConfig,
                          DistilBertRecipe.Weights distilbert, TinyBert tinybert, int evalBatchSize) {}

    /** TinyBERT: steps of the intermediate-layer and prediction-layer stages, prediction temperature, padding. */
    public record TinyBert(int intermediateSteps, int predictionSteps, double temperature, boolean excludePadding) {
        public static final TinyBert DEFAULTS = new TinyBert(0, 0, 1.0, false);
    }

    /** The trained student and where it is. */
    public record Result(MobileBertModel student, String studentCheckpoint, Map<String, Object> summary) {}

    private record Stage(String name, PeerRecipe recipe, TrainingSettings settings) {}

    public static Result run(SparkSession spark, Options o) throws IOException {
        MobileBertConfig tc = MobileBertConfig.load(o.teacherConfig());
        MobileBertModel teacher = MobileBertModel.pretraining(tc, new NoOp(), 0);
        PretrainJob.copyParameters(PretrainJob.loadInit(o.teacher()), teacher.graph(), o.teacher());

        MobileBertConfig sc;
        MobileBertModel init = null;
        List<Stage> stages = new ArrayList<>();
        LayerMap map;
        if (o.recipe() == Recipe.DISTILBERT) {
            map = o.layerMap() == null ? LayerMap.everyOther(tc.numHiddenLayers) : LayerMap.parse(o.layerMap(), tc.numHiddenLayers);
            sc = PeerStudents.distilBert(tc, map);
            init = MobileBertModel.pretraining(sc, new NoOp(), o.settings().seed());
            PeerStudents.initialiseDistilBert(teacher, init, map);
            stages.add(new Stage("distilbert", new DistilBertRecipe(o.distilbert()), o.settings()));
        } else {
            sc = o.studentConfig() == null ? PeerStudents.tinyBert(tc) : MobileBertConfig.load(o.studentConfig());
            map = o.layerMap() == null ? LayerMap.uniform(sc.numHiddenLayers, tc.numHiddenLayers) : LayerMap.parse(o.layerMap(), tc.numHiddenLayers);
            if (sc.numAttentionHeads != tc.numAttentionHeads) {
                throw new IllegalArgumentException("TinyBERT's attention distillation pairs heads one to one: the student ("
                        + o.studentConfig() + ") has " + sc.numAttentionHeads + " heads, the teacher " + tc.numAttentionHeads);
            }
            TinyBert t = o.tinybert();
            if (t.intermediateSteps() > 0) {
                stages.add(new Stage("tinybert-intermediate", new TinyBertRecipe(TinyBertRecipe.Stage.INTERMEDIATE, map, tc.hiddenSize,
                        1, 1, 1, t.temperature(), t.excludePadding()), withSteps(o.settings(), t.intermediateSteps())));
            }
            if (t.predictionSteps() > 0) {
                stages.add(new Stage("tinybert-prediction", new TinyBertRecipe(TinyBertRecipe.Stage.PREDICTION, map, tc.hiddenSize,
                        1, 1, 1, t.temperature(), t.excludePadding()), withSteps(o.settings(), t.predictionSteps())));
            }
            if (stages.isEmpty()) throw new IllegalArgumentException("TinyBERT needs --intermediate-steps and/or --prediction-steps > 0");
        }

        RunDirectory root = RunDirectory.open(o.out());
        root.saveConfig("student_model", sc);
        root.saveConfig("teacher_model", tc);
        root.saveConfig("peer", Map.of("recipe", o.recipe().name().toLowerCase(), "layer_map", map.teacherLayers(),
                "teacher", o.teacher(), "data", o.data(), "distilbert", o.distilbert(), "tinybert", o.tinybert()));
        PretrainingData.checkFits(spark, o.data(), sc);
        PretrainingData.checkFits(spark, o.data(), tc);
        JavaSparkContext jsc = Sparks.context(spark);
        JavaRDD<MultiDataSet> heldOut = o.heldOut() == null ? null
                : PretrainingData.allBatches(spark, o.heldOut(), o.evalBatchSize()).persist(StorageLevel.MEMORY_AND_DISK_SER());

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("recipe", o.recipe().name().toLowerCase());
        summary.put("layer_map", map.teacherLayers());
        ComputationGraph previous = init == null ? null : init.graph();
        try {
            for (int i = 0; i < stages.size(); i++) {
                Stage s = stages.get(i);
                var result = trainStage(spark, o, s, sc, teacher, previous, i == stages.size() - 1 ? heldOut : null);
                previous = result.net();
                summary.put(s.name(), Json.MAPPER.readTree(Fs.readString(RunDirectory.open(new Path(o.out(), s.name())).summaryFile())));
            }
        } finally {
            if (heldOut != null) heldOut.unpersist(false);
        }

        MobileBertModel student = MobileBertModel.pretraining(sc, new NoOp(), 0);
        PeerRecipe.copyParameters(previous, student.graph());
        String checkpoint = new Path(o.out(), "student").toString();
        Checkpoint.save(student, Checkpoint.Provenance.of("distill-peer --recipe " + summary.get("recipe"), o.data(),
                previous.getIterationCount()), checkpoint, false);
        summary.put("student_checkpoint", checkpoint);
        summary.put("student_parameters", student.numParams());
        summary.put("teacher_parameters", teacher.numParams());
        root.writeSummary(summary);
        return new Result(student, checkpoint, summary);
    }

    private static ParameterAveragingTrainer.Result trainStage(SparkSession spark, Options o, Stage s, MobileBertConfig sc,
                                                               MobileBertModel teacher, ComputationGraph previous,
                                                               JavaRDD<MultiDataSet> heldOut) throws IOException {
        TrainingSettings settings = s.settings();
        RunDirectory run = RunDirectory.open(new Path(o.out(), s.name()));
        JavaSparkContext jsc = Sparks.context(spark);
        JavaRDD<MultiDataSet> train = PretrainingData.fullBatches(spark, o.data(), settings.batchSizePerWorker());
        var contract = new RddBatchSource(train, settings.batchSizePerWorker(),
                settings.workers() * settings.averagingFrequency(), StorageLevel.MEMORY_AND_DISK_SER());
        var trainer = new ParameterAveragingTrainer(jsc, settings, run).measureSteps(new PeerProbe());
        if (previous != null) {
            ComputationGraph from = previous;
            trainer.initializeWith(net -> PeerRecipe.copyParameters(from, net));
        }
        if (heldOut != null) trainer.evaluateWith(new PretrainingEvaluator(heldOut), 0);
        return trainer.train(() -> s.recipe().conf(sc, settings.optimizer().updater(), settings.seed(), DataType.FLOAT),
                new PeerBatchSource(jsc, contract, teacher, s.recipe()), o.resume());
    }

    /** The settings with another optimizer.num_train_steps (each TinyBERT stage has its own schedule). */
    static TrainingSettings withSteps(TrainingSettings s, int steps) {
        ObjectNode node = Json.MAPPER.valueToTree(s);
        ((ObjectNode) node.get("optimizer")).put("num_train_steps", steps);
        return Json.MAPPER.convertValue(node, TrainingSettings.class);
    }
}
