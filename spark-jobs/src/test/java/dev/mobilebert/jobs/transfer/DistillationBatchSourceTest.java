package dev.mobilebert.jobs.transfer;

import dev.mobilebert.jobs.train.RddBatchSource;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.transfer.DistillationGraph;
import dev.mobilebert.model.transfer.PretrainingDistillation;
import dev.mobilebert.testing.LocalSpark;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistillationBatchSourceTest {

    private static MobileBertConfig teacherConfig() {
        MobileBertConfig c = new MobileBertConfig();
        c.vocabSize = 23; c.embeddingSize = 4; c.hiddenSize = 8; c.intraBottleneckSize = 12;
        c.numHiddenLayers = 2; c.numAttentionHeads = 2; c.intermediateSize = 16; c.numFeedforwardNetworks = 1;
        c.keyQuerySharedBottleneck = false; c.normalizationType = "layer_norm"; c.hiddenAct = "gelu_new";
        c.maxPositionEmbeddings = 10; c.hiddenDropoutProb = 0; c.attentionProbsDropoutProb = 0; c.initializerRange = 0.5;
        return c;
    }

    /** A contract batch of 2 sequences of 5 tokens (the second with one padded position), 2 prediction slots. */
    private static org.nd4j.linalg.dataset.MultiDataSet batch(long seed) {
        var rng = new java.util.Random(seed);
        INDArray ids = Nd4j.create(DataType.FLOAT, 2, 5), types = Nd4j.zeros(DataType.FLOAT, 2, 5), mask = Nd4j.ones(DataType.FLOAT, 2, 5);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) ids.putScalar(i, j, 1 + rng.nextInt(22));
        mask.putScalar(1, 4, 0);
        ids.putScalar(1, 4, 0);
        INDArray pos = Nd4j.createFromArray(new float[][]{{1, 3}, {2, 0}});
        INDArray lmIds = Nd4j.createFromArray(new float[][]{{1 + rng.nextInt(22), 5}, {7, 0}});
        INDArray lmW = Nd4j.createFromArray(new float[][]{{1, 1}, {1, 0}});
        INDArray nsp = Nd4j.createFromArray(new float[][]{{0}, {1}});
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{ids, types, pos}, new INDArray[]{lmIds, nsp},
                new INDArray[]{mask, mask, lmW}, new INDArray[]{lmW, null});
    }

    @Test
    void executorsComputeTheSameTargetsAsTheDriverFromTheBroadcastTeacher() {
        JavaSparkContext sc = LocalSpark.context();
        MobileBertModel teacher = MobileBertModel.pretraining(teacherConfig(), new NoOp(), 9);
        var settings = PretrainingDistillation.Settings.OFFICIAL;
        List<MultiDataSet> plain = new ArrayList<>();
        for (int i = 0; i < 4; i++) plain.add(batch(100 + i));
        var source = new DistillationBatchSource(sc, new RddBatchSource(sc.parallelize(plain, 2), 2, 1, StorageLevel.MEMORY_ONLY()), teacher, settings);
        assertEquals(4, source.batchesPerEpoch());
        List<MultiDataSet> distilled = source.batches(sc, 0, 0, 4, 1).collect();
        assertEquals(4, distilled.size());
        int matched = 0;
        for (MultiDataSet d : distilled) {
            INDArray ids = d.getFeatures(0);
            MultiDataSet original = plain.stream().filter(p -> p.getFeatures(0).equals(ids)).findFirst().orElseThrow();
            INDArray expected = DistillationGraph.withTeacherTargets(teacher, original, settings).getLabels(0);
            assertEquals(0.0, expected.sub(d.getLabels(0)).amaxNumber().doubleValue(), 1e-6);
            assertEquals(original.getLabels(1), d.getLabels(1), "NSP keeps the true labels");
            matched++;
        }
        assertEquals(4, matched);
        assertTrue(distilled.get(0).getLabels(0).size(1) == 2L * teacherConfig().vocabSize);
    }
}
