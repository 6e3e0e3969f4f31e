package dev.mobilebert.jobs.transfer;

import dev.mobilebert.jobs.train.BatchSource;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.transfer.DistillationGraph;
import dev.mobilebert.model.transfer.PretrainingDistillation;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Pre-training distillation batches computed on the executors: wraps a {@link BatchSource} of pretraining-contract
 * batches and replaces each batch's MLM label by the teacher's mixture target ({@link DistillationGraph#withTeacherTargets}),
 * batch by batch, from a broadcast teacher — nothing is shipped from the driver per batch and no target is
 * materialised for the whole corpus. Each executor thread builds its own copy of the teacher once per broadcast (the
 * block vertices keep per-forward state, so one model must not run two tasks at once): memory = cores × teacher.
 */
public final class DistillationBatchSource implements BatchSource {

    /** What is broadcast: the teacher's config JSON and flattened parameters (a class, not a record: Kryo 4). */
    public static final class Teacher implements Serializable {
        private final String configJson;
        private final INDArray params;

        public Teacher(String configJson, INDArray params) {
            this.configJson = configJson;
            this.params = params;
        }

        public String configJson() { return configJson; }
        public INDArray params() { return params; }
    }

    private static final ThreadLocal<Map<Long, MobileBertModel>> TEACHERS = ThreadLocal.withInitial(HashMap::new);

    private final BatchSource inner;
    private final Broadcast<Teacher> teacher;
    private final double alpha, temperature;

    public DistillationBatchSource(JavaSparkContext sc, BatchSource inner, MobileBertModel teacher, PretrainingDistillation.Settings settings) {
        this.inner = inner;
        this.teacher = sc.broadcast(new Teacher(teacher.config().toJson(), teacher.graph().params().dup()));
        this.alpha = settings.alpha();
        this.temperature = settings.temperature();
    }

    @Override public long batchesPerEpoch() { return inner.batchesPerEpoch(); }
    @Override public int batchSize() { return inner.batchSize(); }

    @Override
    public JavaRDD<MultiDataSet> batches(JavaSparkContext sc, int epoch, long from, long count, long seed) {
        Broadcast<Teacher> b = teacher;
        double a = alpha, t = temperature;
        return inner.batches(sc, epoch, from, count, seed).map(batch ->
                (MultiDataSet) DistillationGraph.withTeacherTargets(teacherOf(b), batch, new PretrainingDistillation.Settings(a, t)));
    }

    /** This thread's teacher for the broadcast (built on first use). */
    public static MobileBertModel teacherOf(Broadcast<Teacher> b) {
        return TEACHERS.get().computeIfAbsent(b.id(), id -> {
            Teacher t = b.value();
            MobileBertConfig c = MobileBertConfig.fromJson(t.configJson(), "broadcast teacher");
            ComputationGraph g = new ComputationGraph(MobileBertModel.pretrainingConf(c, new NoOp(), 0, t.params().dataType()));
            g.init(t.params(), true);
            return new MobileBertModel(c, g);
        });
    }
}
