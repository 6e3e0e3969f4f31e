package dev.mobilebert.jobs.train;

import dev.mobilebert.testing.LocalSpark;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class RddBatchSourceTest {
    private static JavaRDD<MultiDataSet> tagged(JavaSparkContext sc, int n, int size) {
        return sc.parallelize(IntStream.range(0, n).boxed().toList(), 3).map(i -> {
            INDArray x = Nd4j.valueArrayOf(new long[]{size, 2}, (float) i);
            return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{x}, new INDArray[]{x.dup()});
        });
    }

    private static List<Integer> read(JavaSparkContext sc, RddBatchSource s, int epoch, long from, long n) {
        return new ArrayList<>(s.batches(sc, epoch, from, n, 7).map(b -> (int) b.getFeatures(0).getFloat(0, 0)).collect());
    }

    @Test
    void epochsAreSeededPermutationsReadInPieces() {
        JavaSparkContext sc = LocalSpark.context();
        RddBatchSource s = new RddBatchSource(tagged(sc, 10, 2), 2, 3, StorageLevel.MEMORY_ONLY());
        assertEquals(10, s.batchesPerEpoch());
        List<Integer> epoch0 = new ArrayList<>();
        epoch0.addAll(read(sc, s, 0, 0, 4));
        epoch0.addAll(read(sc, s, 0, 4, 2));
        epoch0.addAll(read(sc, s, 0, 6, 4));
        assertEquals(IntStream.range(0, 10).boxed().toList(), epoch0.stream().sorted().toList());
        assertEquals(epoch0, read(sc, s, 0, 0, 10), "pieces must follow the epoch's order");
        List<Integer> epoch1 = read(sc, s, 1, 0, 10);
        assertNotEquals(epoch0, epoch1);
        RddBatchSource again = new RddBatchSource(tagged(sc, 10, 2), 2, 3, StorageLevel.MEMORY_ONLY());
        assertEquals(epoch1, read(sc, again, 1, 0, 10), "same seed and epoch, same order");
        // positions 4..5 sit in partition 1 only (3 positions per partition)
        assertEquals(1, s.batches(sc, 1, 4, 2, 7).partitions().size());
    }

    @Test
    void aBatchOfTheWrongSizeIsReportedClearly() {
        JavaSparkContext sc = LocalSpark.context();
        RddBatchSource s = new RddBatchSource(tagged(sc, 4, 3), 2, 2, null);
        Exception e = assertThrows(Exception.class, () -> read(sc, s, 0, 0, 4));
        String all = e.toString() + (e.getCause() == null ? "" : e.getCause().toString());
        assertTrue(all.contains("expected 2 (batch_size_per_worker)"), all);
    }
}
