package dev.mobilebert.jobs.transfer;

import dev.mobilebert.io.Fs;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.pretrain.PretrainingData;
import dev.mobilebert.jobs.pretrain.PretrainingEvaluator;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.RddBatchSource;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.transfer.DistillationGraph;
import dev.mobilebert.model.transfer.PretrainingDistillation;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.util.Map;

/**
 * Pre-training distillation (PD) on Spark: the student's pretraining graph with the MLM loss against the teacher
 * mixture target ({@link DistillationGraph}), batches whose targets are computed on the executors from a broadcast
 * teacher ({@link DistillationBatchSource}), trained by {@link ParameterAveragingTrainer} (LAMB, warmup + decay,
 * clipping, checkpoints, resume, NaN guard), with KD/MLM/NSP metrics per step and held-out MLM/NSP evaluation.
 */
public final class DistillJob {
    private DistillJob() {}

    /** Distillation recipes; {@code MOBILEBERT}: the paper's PD (mixture target α·teacher + (1−α)·one-hot, NSP on true labels). */
    public enum Recipe { MOBILEBERT }

    /**
     * @param teacher  checkpoint / run directory / model zip of the teacher (frozen)
     * @param student  checkpoint / run directory / model zip the student starts from (e.g. the end of PKT)
     * @param data     prepare-pretraining output (training)
     * @param heldOut  prepare-pretraining output for held-out MLM/NSP evaluation, or null
     * @param out      run directory
     */
    public record Options(String teacher, String student, String data, String heldOut, String out, boolean resume,
                          Recipe recipe, TrainingSettings settings, PretrainingDistillation.Settings distillation,
                          int evalEverySteps, int evalBatchSize) {}

    public static ParameterAveragingTrainer.Result run(SparkSession spark, Options o) throws IOException {
        if (o.recipe() != Recipe.MOBILEBERT) throw new IllegalArgumentException("unknown recipe " + o.recipe());
        MobileBertModel teacher = StoredModels.load(o.teacher(), "--teacher");
        MobileBertModel student = StoredModels.load(o.student(), "--student");
        checkCompatible(teacher.config(), student.config());
        TrainingSettings settings = o.settings();
        RunDirectory run = RunDirectory.open(o.out());
        recordConfig(run, "model", student.config(), o.resume());
        recordConfig(run, "teacher", teacher.config(), o.resume());
        run.saveConfig("distillation", Map.of("recipe", o.recipe().name().toLowerCase(), "alpha", o.distillation().alpha(),
                "temperature", o.distillation().temperature(), "teacher", o.teacher(), "student", o.student()));
        PretrainingData.checkFits(spark, o.data(), student.config());
        PretrainingData.checkFits(spark, o.data(), teacher.config());
        JavaSparkContext sc = Sparks.context(spark);

        JavaRDD<MultiDataSet> train = PretrainingData.fullBatches(spark, o.data(), settings.batchSizePerWorker());
        var contract = new RddBatchSource(train, settings.batchSizePerWorker(),
                settings.workers() * settings.averagingFrequency(), StorageLevel.MEMORY_AND_DISK_SER());
        var source = new DistillationBatchSource(sc, contract, teacher, o.distillation());

        var trainer = new ParameterAveragingTrainer(sc, settings, run).measureSteps(new DistillationProbe());
        JavaRDD<MultiDataSet> heldOut = null;
        if (o.heldOut() != null) {
            PretrainingData.checkFits(spark, o.heldOut(), student.config());
            heldOut = PretrainingData.allBatches(spark, o.heldOut(), o.evalBatchSize()).persist(StorageLevel.MEMORY_AND_DISK_SER());
            trainer.evaluateWith(new PretrainingEvaluator(heldOut), o.evalEverySteps());
        }
        ComputationGraph from = student.graph();
        trainer.initializeWith(net -> copyParameters(from, net, o.student()));
        try {
            return trainer.train(() -> DistillationGraph.conf(student.config(), settings.optimizer().updater(), settings.seed(),
                    DataType.FLOAT), source, o.resume());
        } finally {
            if (heldOut != null) heldOut.unpersist(false);
        }
    }

    /** PD compares MLM distributions over the same vocabulary, on the same inputs. */
    static void checkCompatible(MobileBertConfig teacher, MobileBertConfig student) {
        if (teacher.vocabSize != student.vocabSize) {
            throw new IllegalArgumentException("teacher and student vocabularies differ: vocab_size " + teacher.vocabSize
                    + " vs " + student.vocabSize);
        }
    }

    /** Same vertices, same parameter counts (the pretraining layout, which the PD graph shares). */
    static void copyParameters(ComputationGraph from, ComputationGraph to, String source) {
        var a = from.getConfiguration().getTopologicalOrderStr();
        var b = to.getConfiguration().getTopologicalOrderStr();
        if (!a.equals(b) || from.params().length() != to.params().length()) {
            throw new IllegalArgumentException("--student " + source + " has " + from.params().length() + " parameters in vertices "
                    + a + " but the distillation graph has " + to.params().length() + " in " + b);
        }
        to.params().assign(from.params());
    }

    /** A resumed run must distil the same models. */
    static void recordConfig(RunDirectory run, String name, MobileBertConfig config, boolean resume) throws IOException {
        Path saved = new Path(run.configDir(), name + ".json");
        if (resume && Fs.exists(saved)) {
            MobileBertConfig before = MobileBertConfig.fromJson(Fs.readString(saved), saved.toString());
            if (!before.equals(config)) throw new IllegalArgumentException("--resume with a different " + name + " config than " + saved);
            return;
        }
        run.saveConfig(name, config);
    }
}
