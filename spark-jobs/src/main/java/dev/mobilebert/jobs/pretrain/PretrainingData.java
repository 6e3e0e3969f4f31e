package dev.mobilebert.jobs.pretrain;

import dev.mobilebert.jobs.pretraining.PretrainingShards;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.pretraining.PretrainingBatch;
import dev.mobilebert.pretraining.PretrainingInstance;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** The prepare-pretraining shards as contract batches for training and evaluation, built per partition. */
public final class PretrainingData {
    private PretrainingData() {}

    /**
     * Batches of exactly {@code batchSize} instances (the trainer needs equal batches: a worker step is one batch);
     * each partition's last, partial batch is dropped (at most batchSize - 1 instances per input partition, the
     * same ones every epoch).
     */
    public static JavaRDD<MultiDataSet> fullBatches(SparkSession spark, String dir, int batchSize) {
        return PretrainingShards.instances(spark, dir).mapPartitions(it -> batches(it, batchSize, true));
    }

    /** Every instance, in batches of up to {@code batchSize} (for evaluation). */
    public static JavaRDD<MultiDataSet> allBatches(SparkSession spark, String dir, int batchSize) {
        return PretrainingShards.instances(spark, dir).mapPartitions(it -> batches(it, batchSize, false));
    }

    /** Checks the first instance against the model: sequence length vs position embeddings. */
    public static void checkFits(SparkSession spark, String dir, MobileBertConfig config) {
        List<PretrainingInstance> first = PretrainingShards.instances(spark, dir).take(1);
        if (first.isEmpty()) throw new IllegalArgumentException(dir + " holds no pretraining instances");
        int t = first.get(0).inputIds().length;
        if (t > config.maxPositionEmbeddings) {
            throw new IllegalArgumentException(dir + ": instances have max_seq_length " + t
                    + " but the model config has max_position_embeddings " + config.maxPositionEmbeddings);
        }
    }

    static Iterator<MultiDataSet> batches(Iterator<PretrainingInstance> it, int batchSize, boolean fullOnly) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1 (got " + batchSize + ")");
        return new Iterator<>() {
            private List<PretrainingInstance> next = fill();

            private List<PretrainingInstance> fill() {
                List<PretrainingInstance> b = new ArrayList<>(batchSize);
                while (it.hasNext() && b.size() < batchSize) b.add(it.next());
                return b.isEmpty() || (fullOnly && b.size() < batchSize) ? null : b;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public MultiDataSet next() {
                if (next == null) throw new NoSuchElementException();
                MultiDataSet out = PretrainingBatch.of(next);
                next = fill();
                return out;
            }
        };
    }
}
