package dev.mobilebert.jobs.peers;

import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.finetune.FinetuneJob;
import dev.mobilebert.jobs.finetune.FinetuneObjective;
import dev.mobilebert.jobs.finetune.FinetuneTask;
import dev.mobilebert.jobs.finetune.PretrainedGraphs;
import dev.mobilebert.jobs.train.BatchSource;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.finetune.FinetuneModels;
import dev.mobilebert.model.peers.LayerMap;
import dev.mobilebert.model.peers.TinyBertRecipe;
import dev.mobilebert.model.peers.TinyBertTaskRecipe;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TinyBERT's task-specific distillation (its {@code task_distill.py}) on a GLUE task: a general TinyBERT student learns
 * from a teacher fine-tuned on the task, first its intermediate layers (embeddings, hidden states, attention scores on
 * the task's sequences), then its predictions (soft CE on the teacher's logits; MSE for STS-B). Each stage is a
 * {@link FinetuneJob} run with a {@link TinyBertTaskRecipe} objective — the same epochs, dev evaluation after every
 * epoch, best checkpoint, test predictions and resume as fine-tuning — under {@code OUT/task-intermediate/} and
 * {@code OUT/task-prediction/}; the second starts from the first's last checkpoint. {@code OUT/summary.json} holds the
 * prediction stage's best dev metrics and checkpoint. TinyBERT's data augmentation is not built.
 */
public final class TinyBertTaskJob {
    private TinyBertTaskJob() {}

    /**
     * @param teacher  the fine-tuned teacher: a {@code finetune} run directory (its best checkpoint) or a checkpoint
     * @param student  the general TinyBERT student (e.g. {@code distill --recipe tinybert}'s {@code OUT/student})
     * @param finetune the task, data, vocabulary, sequence length, batch size, workers, seed, train subset, as for
     *                 {@code finetune}; its checkpoint, out, learning rates and epochs are set per stage from the fields below
     */
    public record Options(FinetuneJob.Options finetune, String teacher, String student, String out, String layerMap,
                          int intermediateEpochs, double intermediateLearningRate, int predictionEpochs,
                          double predictionLearningRate, double temperature, boolean excludePadding) {}

    public static Map<String, Object> run(SparkSession spark, Options o) throws IOException {
        if (o.predictionEpochs() <= 0) throw new IllegalArgumentException("--prediction-epochs must be > 0 (the stage that trains the classifier)");
        FinetuneTask task = FinetuneTask.parse(o.finetune().task());
        if (task.isSquad()) throw new IllegalArgumentException("TinyBERT task distillation is built for GLUE tasks, not " + task.name());
        String teacherCheckpoint = bestCheckpoint(o.teacher());
        ComputationGraph teacher = PretrainedGraphs.load(teacherCheckpoint);
        MobileBertConfig tc = FinetuneModels.configOf(teacher);
        checkHead(teacher, task, teacherCheckpoint);
        MobileBertConfig sc = FinetuneModels.configOf(PretrainedGraphs.load(o.student()));
        if (sc.numAttentionHeads != tc.numAttentionHeads) {
            throw new IllegalArgumentException("TinyBERT's attention distillation pairs heads one to one: the student (" + o.student()
                    + ") has " + sc.numAttentionHeads + " heads, the teacher " + tc.numAttentionHeads);
        }
        LayerMap map = o.layerMap() == null ? LayerMap.uniform(sc.numHiddenLayers, tc.numHiddenLayers) : LayerMap.parse(o.layerMap(), tc.numHiddenLayers);

        RunDirectory root = RunDirectory.open(o.out());
        root.saveConfig("tinybert_task", Map.of("task", task.name(), "teacher", teacherCheckpoint, "student", o.student(),
                "layer_map", map.teacherLayers(), "options", o));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", task.name());
        summary.put("teacher", teacherCheckpoint);
        summary.put("student", o.student());
        summary.put("layer_map", map.teacherLayers());
        String start = o.student();
        if (o.intermediateEpochs() > 0) {
            Path dir = new Path(Fs.path(o.out()), "task-intermediate");
            var recipe = new TinyBertTaskRecipe(TinyBertRecipe.Stage.INTERMEDIATE, map, tc.hiddenSize, task.head(),
                    o.finetune().maxSeqLength(), o.temperature(), o.excludePadding());
            FinetuneJob.run(spark, stage(o, start, dir, o.intermediateLearningRate(), o.intermediateEpochs()), new Objective(recipe, teacher));
            // the prediction stage continues from the intermediate stage's last parameters (its dev score is not a criterion:
            // the classifier is not trained there)
            start = new Path(dir, "lr-" + lr(o.intermediateLearningRate())).toString();
            summary.put("intermediate_run", dir.toString());
        }
        Path dir = new Path(Fs.path(o.out()), "task-prediction");
        var recipe = new TinyBertTaskRecipe(TinyBertRecipe.Stage.PREDICTION, map, tc.hiddenSize, task.head(),
                o.finetune().maxSeqLength(), o.temperature(), o.excludePadding());
        Map<String, Object> best = FinetuneJob.run(spark, stage(o, start, dir, o.predictionLearningRate(), o.predictionEpochs()),
                new Objective(recipe, teacher));
        summary.put("prediction_run", dir.toString());
        summary.put("best", best);
        summary.put("best_checkpoint", new Path(dir, "lr-" + lr(o.predictionLearningRate()) + "/best").toString());
        root.writeSummary(summary);
        return summary;
    }

    private static FinetuneJob.Options stage(Options o, String checkpoint, Path out, double lr, int epochs) {
        FinetuneJob.Options f = o.finetune();
        return new FinetuneJob.Options(f.task(), checkpoint, null, f.data(), out.toString(), f.trainFile(), f.devFile(), f.testFile(),
                f.vocab(), f.doLowerCase(), List.of(lr), epochs, f.batchSize(), f.maxSeqLength(), f.maxTrainExamples(), f.workers(),
                f.averagingFrequency(), f.warmupProportion(), f.seed(), f.docStride(), f.maxQueryLength(), null);
    }

    private static String lr(double lr) {
        return BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString();
    }

    /** A finetune run directory's best checkpoint (its summary.json), or the location itself. */
    static String bestCheckpoint(String location) throws IOException {
        Path summary = new Path(Fs.path(location), "summary.json");
        if (Fs.exists(summary)) {
            var node = Json.MAPPER.readTree(Fs.readString(summary)).get("best_checkpoint");
            if (node != null && !node.isNull()) return node.asText();
        }
        return location;
    }

    private static void checkHead(ComputationGraph teacher, FinetuneTask task, String where) {
        if (!teacher.getConfiguration().getVertices().containsKey(MobileBertModel.CLASSIFIER)) {
            throw new IllegalArgumentException("--teacher " + where + " is not a fine-tuned GLUE model (no classifier): fine-tune the teacher on "
                    + task.name() + " first (bin/mobilebert finetune --task " + task.name() + " --checkpoint TEACHER ...)");
        }
        long outputs = teacher.getLayer(MobileBertModel.CLASSIFIER).getParam("b").length();
        if (outputs != task.head().numLabels()) {
            throw new IllegalArgumentException("--teacher " + where + " has " + outputs + " outputs, " + task.name() + " needs " + task.head().numLabels());
        }
    }

    /** A TinyBERT task stage as a fine-tuning objective: the recipe's graph, batches with the teacher's targets. */
    private record Objective(TinyBertTaskRecipe recipe, ComputationGraph teacher) implements FinetuneObjective {
        @Override
        public ComputationGraphConfiguration conf(MobileBertConfig model, FinetuneTask task, int maxSeqLength, IUpdater updater, long seed) {
            return recipe.conf(model, updater, seed, DataType.FLOAT);
        }

        @Override
        public BatchSource batches(JavaSparkContext sc, BatchSource taskBatches) {
            return new TaskTeacherBatchSource(sc, taskBatches, teacher, recipe);
        }
    }
}
