package dev.mobilebert.jobs.peers;

import dev.mobilebert.jobs.train.BatchSource;
import dev.mobilebert.jobs.transfer.DistillationBatchSource;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.peers.PeerRecipe;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A peer recipe's training batches, computed on the executors: each pretraining-contract batch of the wrapped source
 * is mapped through {@link PeerRecipe#batch} with the teacher rebuilt from a broadcast — the same broadcast teacher and
 * one-teacher-per-executor-thread cache as MobileBERT's pre-training distillation ({@link DistillationBatchSource}).
 */
public final class PeerBatchSource implements BatchSource {
    private final BatchSource inner;
    private final Broadcast<DistillationBatchSource.Teacher> teacher;
    private final PeerRecipe recipe;

    public PeerBatchSource(JavaSparkContext sc, BatchSource inner, MobileBertModel teacher, PeerRecipe recipe) {
        this.inner = inner;
        this.teacher = sc.broadcast(new DistillationBatchSource.Teacher(teacher.config().toJson(), teacher.graph().params().dup()));
        this.recipe = recipe;
    }

    @Override public long batchesPerEpoch() { return inner.batchesPerEpoch(); }
    @Override public int batchSize() { return inner.batchSize(); }

    @Override
    public JavaRDD<MultiDataSet> batches(JavaSparkContext sc, int epoch, long from, long count, long seed) {
        Broadcast<DistillationBatchSource.Teacher> b = teacher;
        PeerRecipe r = recipe;
        return inner.batches(sc, epoch, from, count, seed).map(batch -> r.batch(DistillationBatchSource.teacherOf(b), batch));
    }
}
