package dev.mobilebert.pretraining;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PretrainingBatchTest {
    @Test
    void buildsTheContractsArraysFromInstances() {
        List<PretrainingInstance> xs = LocalPretrainingData.create(InstanceCreatorTest.corpus(new int[]{30, 20, 25}, 6),
                new InstanceCreator(PretrainingConfig.defaults().withDupeFactor(1), InstanceCreatorTest.ids()))
                .stream().map(CreatedInstance::instance).limit(5).toList();
        MultiDataSet m = PretrainingBatch.of(xs);
        assertEquals(3, m.getFeatures().length);
        assertEquals(2, m.getLabels().length);
        assertArrayEquals(new long[]{5, 128}, m.getFeatures(0).shape());
        assertArrayEquals(new long[]{5, 128}, m.getFeatures(1).shape());
        assertArrayEquals(new long[]{5, 20}, m.getFeatures(2).shape());
        assertArrayEquals(new long[]{5, 1}, m.getLabels(1).shape());
        for (INDArray a : m.getFeatures()) assertEquals(DataType.FLOAT, a.dataType());
        for (int i = 0; i < 5; i++) {
            PretrainingInstance x = xs.get(i);
            for (int j = 0; j < 128; j++) {
                assertEquals(x.inputIds()[j], m.getFeatures(0).getFloat(i, j));
                assertEquals(x.segmentIds()[j], m.getFeatures(1).getFloat(i, j));
                assertEquals(x.inputMask()[j], m.getFeaturesMaskArray(0).getFloat(i, j));
                assertEquals(x.inputMask()[j], m.getFeaturesMaskArray(1).getFloat(i, j));
            }
            for (int j = 0; j < 20; j++) {
                assertEquals(x.maskedLmPositions()[j], m.getFeatures(2).getFloat(i, j));
                assertEquals(x.maskedLmIds()[j], m.getLabels(0).getFloat(i, j));
                assertEquals(x.maskedLmWeights()[j], m.getFeaturesMaskArray(2).getFloat(i, j));
                assertEquals(x.maskedLmWeights()[j], m.getLabelsMaskArray(0).getFloat(i, j));
            }
            assertEquals(x.nextSentenceLabel(), m.getLabels(1).getFloat(i, 0));
        }
        assertNull(m.getLabelsMaskArray(1));
    }
}
