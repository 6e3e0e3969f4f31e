package dev.mobilebert.jobs.train;

import dev.mobilebert.train.SeededPermutation;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;

/**
 * A {@link BatchSource} over an RDD of ready-made batches (e.g. MultiDataSets built per partition from the
 * pretraining shards). Each epoch's order is a {@link SeededPermutation} of the batch indices; the epoch is laid
 * out once (a shuffle into position-range partitions, sorted, persisted), and each request then reads only the
 * partitions holding its positions (Spark's {@link PartitionPruningRDD}), so an averaging round does not scan the
 * whole data set.
 */
public final class RddBatchSource implements BatchSource {
    private final transient JavaRDD<MultiDataSet> source;
    private final long count;
    private final int batchSize;
    private final int batchesPerPartition;
    private final transient StorageLevel storageLevel;
    private transient int laidOutEpoch = -1;
    private transient long laidOutSeed;
    private transient JavaPairRDD<Long, MultiDataSet> laidOut;

    /**
     * @param batches             batches of exactly {@code batchSize} examples each (checked when read)
     * @param batchesPerPartition positions per partition of an epoch's layout; workers x averaging_frequency (one
     *                            round) is a good choice
     * @param storageLevel        how an epoch's layout is persisted (e.g. MEMORY_AND_DISK_SER)
     */
    public RddBatchSource(JavaRDD<MultiDataSet> batches, int batchSize, int batchesPerPartition, StorageLevel storageLevel) {
        if (batchesPerPartition <= 0) throw new IllegalArgumentException("batches per partition must be > 0");
        this.source = batches;
        this.count = batches.count();
        if (count == 0) throw new IllegalArgumentException("no training batches");
        this.batchSize = batchSize;
        this.batchesPerPartition = batchesPerPartition;
        this.storageLevel = storageLevel;
    }

    @Override
    public long batchesPerEpoch() {
        return count;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public JavaRDD<MultiDataSet> batches(JavaSparkContext sc, int epoch, long from, long n, long seed) {
        if (from < 0 || n <= 0 || from + n > count) {
            throw new IllegalArgumentException("batches [" + from + ", " + (from + n) + ") outside the epoch of " + count);
        }
        JavaPairRDD<Long, MultiDataSet> epochRdd = layout(epoch, seed);
        int first = (int) (from / batchesPerPartition);
        int last = (int) ((from + n - 1) / batchesPerPartition);
        ClassTag<Tuple2<Long, MultiDataSet>> tag = ClassTag$.MODULE$.apply(Tuple2.class);
        JavaRDD<Tuple2<Long, MultiDataSet>> pruned = new JavaRDD<>(
                PartitionPruningRDD.create(epochRdd.rdd(), new Between(first, last)), tag);
        long end = from + n;
        return pruned.filter(t -> t._1() >= from && t._1() < end).map(Tuple2::_2);
    }

    private JavaPairRDD<Long, MultiDataSet> layout(int epoch, long seed) {
        if (laidOut != null && laidOutEpoch == epoch && laidOutSeed == seed) return laidOut;
        if (laidOut != null) laidOut.unpersist(false);
        SeededPermutation order = new SeededPermutation(count, seed * 1_000_003L + epoch);
        int size = batchSize;
        int parts = (int) ((count + batchesPerPartition - 1) / batchesPerPartition);
        laidOut = source.zipWithIndex()
                .mapToPair(t -> {
                    long examples = t._1().getFeatures(0).size(0);
                    if (examples != size) {
                        throw new IllegalArgumentException("training batch " + t._2() + " has " + examples
                                + " examples, expected " + size + " (batch_size_per_worker)");
                    }
                    return new Tuple2<>(order.apply(t._2()), t._1());
                })
                .repartitionAndSortWithinPartitions(new PositionRanges(parts, batchesPerPartition));
        if (storageLevel != null) laidOut.persist(storageLevel);
        laidOutEpoch = epoch;
        laidOutSeed = seed;
        return laidOut;
    }

    /** Position p goes to partition p / perPartition. */
    static final class PositionRanges extends Partitioner {
        private final int parts;
        private final int perPartition;

        PositionRanges(int parts, int perPartition) {
            this.parts = parts;
            this.perPartition = perPartition;
        }

        @Override
        public int numPartitions() {
            return parts;
        }

        @Override
        public int getPartition(Object key) {
            return (int) ((Long) key / perPartition);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PositionRanges p && p.parts == parts && p.perPartition == perPartition;
        }

        @Override
        public int hashCode() {
            return 31 * parts + perPartition;
        }
    }

    /** Keeps partitions first..last (a Scala function, as PartitionPruningRDD wants). */
    static final class Between extends AbstractFunction1<Object, Object> implements Serializable {
        private final int first;
        private final int last;

        Between(int first, int last) {
            this.first = first;
            this.last = last;
        }

        @Override
        public Object apply(Object partition) {
            int p = (Integer) partition;
            return p >= first && p <= last;
        }
    }
}
