package dev.mobilebert.jobs.pretraining;

import dev.mobilebert.pretraining.PretrainingBatch;
import dev.mobilebert.pretraining.PretrainingInstance;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The bridge to training: the shards of a prepare-pretraining output as DL4J MultiDataSets of the project's
 * contract ({@link PretrainingBatch}), built per partition while streaming rows, never collected to the driver.
 */
public final class PretrainingShards {
    private PretrainingShards() {}

    /** The shards directory of a prepare-pretraining output directory. */
    public static String shardsDir(String outputDir) {
        return outputDir.replaceAll("/+$", "") + "/" + PreparePretrainingJob.SHARDS;
    }

    public static JavaRDD<PretrainingInstance> instances(SparkSession spark, String outputDir) {
        return spark.read().schema(PretrainingRows.SCHEMA).parquet(shardsDir(outputDir)).javaRDD().map(PretrainingRows::fromRow);
    }

    /** Batches of {@code batchSize} instances (the last one of a partition may be smaller). */
    public static JavaRDD<MultiDataSet> multiDataSets(SparkSession spark, String outputDir, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1 (got " + batchSize + ")");
        JavaRDD<Row> rows = spark.read().schema(PretrainingRows.SCHEMA).parquet(shardsDir(outputDir)).javaRDD();
        return rows.mapPartitions(it -> batches(it, batchSize));
    }

    static Iterator<MultiDataSet> batches(Iterator<Row> rows, int batchSize) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public MultiDataSet next() {
                if (!rows.hasNext()) throw new NoSuchElementException();
                List<PretrainingInstance> batch = new ArrayList<>(batchSize);
                while (rows.hasNext() && batch.size() < batchSize) batch.add(PretrainingRows.fromRow(rows.next()));
                return PretrainingBatch.of(batch);
            }
        };
    }
}
