package dev.mobilebert.jobs.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;

/**
 * Training data as fixed-size minibatches in a seeded order per epoch, addressable by position, so a resumed run
 * continues exactly where the checkpoint says. Batches are built on the executors (never collected to the driver).
 */
public interface BatchSource extends Serializable {
    /** Batches in one epoch. */
    long batchesPerEpoch();

    /** Examples in every batch (the trainer's batch size per worker). */
    int batchSize();

    /**
     * Batches {@code [from, from + count)} of {@code epoch}'s order (a seeded shuffle of the epoch), one
     * {@link MultiDataSet} each. {@code from + count <= batchesPerEpoch()}.
     */
    JavaRDD<MultiDataSet> batches(JavaSparkContext sc, int epoch, long from, long count, long seed);
}
