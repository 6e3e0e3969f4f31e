package dev.mobilebert.jobs.pretrain;

import dev.mobilebert.io.Fs;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.spark.Sparks;
import dev.mobilebert.jobs.train.ParameterAveragingTrainer;
import dev.mobilebert.jobs.train.RddBatchSource;
import dev.mobilebert.jobs.train.TrainingSettings;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.train.Checkpoints;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * MLM + NSP pretraining of a MobileBERT-family model (teacher, student from scratch, BERT baseline) on the
 * prepare-pretraining shards, with the parameter-averaging trainer (checkpoints, resume, NaN guard, metrics).
 */
public final class PretrainJob {
    private PretrainJob() {}

    /**
     * @param modelConfig     model JSON (official field names)
     * @param data            a prepare-pretraining output directory (with {@code shards/})
     * @param heldOut         another one for evaluation, or null (no held-out evaluation)
     * @param out             the run directory
     * @param init            a checkpoint directory, run directory (its newest checkpoint) or ModelSerializer zip
     *                        whose parameters start a new run; null: random initialisation
     * @param resume          continue the run in {@code out} from its newest checkpoint
     * @param evalEverySteps  held-out evaluation every this many steps (0: only at the end)
     * @param evalBatchSize   examples per evaluation batch
     */
    public record Options(String modelConfig, String data, String heldOut, String out, String init, boolean resume,
                          TrainingSettings settings, int evalEverySteps, int evalBatchSize) {}

    public static ParameterAveragingTrainer.Result run(SparkSession spark, Options o) throws IOException {
        MobileBertConfig config = MobileBertConfig.load(o.modelConfig());
        TrainingSettings settings = o.settings();
        RunDirectory run = RunDirectory.open(o.out());
        recordModelConfig(run, config, o.resume());
        PretrainingData.checkFits(spark, o.data(), config);
        JavaSparkContext sc = Sparks.context(spark);

        JavaRDD<MultiDataSet> train = PretrainingData.fullBatches(spark, o.data(), settings.batchSizePerWorker());
        // one averaging round's batches per partition of an epoch's layout: a round reads one or two partitions
        var source = new RddBatchSource(train, settings.batchSizePerWorker(),
                settings.workers() * settings.averagingFrequency(), StorageLevel.MEMORY_AND_DISK_SER());

        var trainer = new ParameterAveragingTrainer(sc, settings, run).measureSteps(new PretrainingProbe());
        JavaRDD<MultiDataSet> heldOut = null;
        if (o.heldOut() != null) {
            PretrainingData.checkFits(spark, o.heldOut(), config);
            heldOut = PretrainingData.allBatches(spark, o.heldOut(), o.evalBatchSize()).persist(StorageLevel.MEMORY_AND_DISK_SER());
            trainer.evaluateWith(new PretrainingEvaluator(heldOut), o.evalEverySteps());
        }
        if (o.init() != null) {
            ComputationGraph from = loadInit(o.init());
            trainer.initializeWith(net -> copyParameters(from, net, o.init()));
        }
        Supplier<ComputationGraphConfiguration> graph = () ->
                MobileBertModel.pretrainingConf(config, settings.optimizer().updater(), settings.seed(), DataType.FLOAT);
        try {
            return trainer.train(graph, source, o.resume());
        } finally {
            if (heldOut != null) heldOut.unpersist(false);
        }
    }

    /** A resumed run must train the same model: the saved config/model.json has to match. */
    private static void recordModelConfig(RunDirectory run, MobileBertConfig config, boolean resume) throws IOException {
        Path saved = new Path(run.configDir(), "model.json");
        if (resume && Fs.exists(saved)) {
            MobileBertConfig before = MobileBertConfig.fromJson(Fs.readString(saved), saved.toString());
            if (!before.equals(config)) {
                throw new IllegalArgumentException("--resume with a different model config than " + saved);
            }
            return;
        }
        run.saveConfig("model", config);
    }

    /** A checkpoint directory (model.zip), a run directory (its newest checkpoint) or a ModelSerializer zip. */
    public static ComputationGraph loadInit(String location) throws IOException {
        Path p = Fs.path(location);
        Path zip;
        if (Fs.exists(new Path(p, Checkpoints.MODEL))) {
            zip = new Path(p, Checkpoints.MODEL);
        } else if (Fs.exists(new Path(p, "checkpoints"))) {
            var latest = new Checkpoints(new Path(p, "checkpoints")).latest()
                    .orElseThrow(() -> new IllegalArgumentException("--init " + location + ": the run has no checkpoints"));
            zip = new Path(latest.dir(), Checkpoints.MODEL);
        } else {
            zip = p;
        }
        try (InputStream in = Fs.open(zip)) {
            return ModelSerializer.restoreComputationGraph(in, false);
        } catch (IOException | RuntimeException e) {
            throw new IOException("--init " + location + ": cannot load a model from " + zip + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parameters only (not the optimizer moments or step: a new run starts its own schedule). The graphs must have
     * the same vertices in the same order with the same parameter counts, i.e. the same model config.
     */
    public static void copyParameters(ComputationGraph from, ComputationGraph to, String source) {
        var a = from.getConfiguration().getTopologicalOrderStr();
        var b = to.getConfiguration().getTopologicalOrderStr();
        if (!a.equals(b) || from.params().length() != to.params().length()) {
            throw new IllegalArgumentException("--init " + source + " holds a different model (" + from.params().length()
                    + " parameters, vertices " + a + ") than --model-config (" + to.params().length() + " parameters, vertices " + b + ")");
        }
        for (int i = 0; i < to.getVertices().length; i++) {
            long x = from.getVertices()[i].numParams(), y = to.getVertices()[i].numParams();
            if (x != y || !from.getVertices()[i].getVertexName().equals(to.getVertices()[i].getVertexName())) {
                throw new IllegalArgumentException("--init " + source + ": vertex " + from.getVertices()[i].getVertexName()
                        + " has " + x + " parameters, the model config's " + to.getVertices()[i].getVertexName() + " " + y);
            }
        }
        to.params().assign(from.params());
    }

}
