package dev.mobilebert.jobs.peers;

import dev.mobilebert.jobs.train.BatchSource;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.finetune.FinetuneModels;
import dev.mobilebert.model.peers.PeerRecipe;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Task minibatches with a fine-tuned teacher's targets, computed on the executors: the teacher's graph (configuration
 * JSON + parameters: a fine-tuning graph, which the pretraining teacher broadcast of {@link PeerBatchSource} cannot
 * rebuild) is broadcast once and rebuilt once per executor thread, as the general stage's teacher is.
 */
final class TaskTeacherBatchSource implements BatchSource {

    /** What is broadcast (a class, not a record: Kryo 4). */
    static final class GraphTeacher implements Serializable {
        private final String confJson;
        private final INDArray params;

        GraphTeacher(ComputationGraph g) {
            this.confJson = g.getConfiguration().toJson();
            this.params = g.params().dup();
        }
    }

    // block vertices keep per-forward state: one teacher per thread
    private static final ThreadLocal<Map<Long, MobileBertModel>> TEACHERS = ThreadLocal.withInitial(HashMap::new);

    private final BatchSource inner;
    private final Broadcast<GraphTeacher> teacher;
    private final PeerRecipe recipe;

    TaskTeacherBatchSource(JavaSparkContext sc, BatchSource inner, ComputationGraph teacher, PeerRecipe recipe) {
        this.inner = inner;
        this.teacher = sc.broadcast(new GraphTeacher(teacher));
        this.recipe = recipe;
    }

    @Override public long batchesPerEpoch() { return inner.batchesPerEpoch(); }
    @Override public int batchSize() { return inner.batchSize(); }

    @Override
    public JavaRDD<MultiDataSet> batches(JavaSparkContext sc, int epoch, long from, long count, long seed) {
        Broadcast<GraphTeacher> b = teacher;
        PeerRecipe r = recipe;
        return inner.batches(sc, epoch, from, count, seed).map(batch -> r.batch(teacherOf(b), batch));
    }

    private static MobileBertModel teacherOf(Broadcast<GraphTeacher> b) {
        return TEACHERS.get().computeIfAbsent(b.id(), id -> {
            GraphTeacher t = b.value();
            ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(t.confJson));
            g.init(t.params, true);
            return new MobileBertModel(FinetuneModels.configOf(g), g);
        });
    }
}
