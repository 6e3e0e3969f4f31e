package dev.mobilebert.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shortcuts taken for speed (docs/speed.md) compute what the general paths compute. */
class SpeedPathsTest {

    @Test
    void layerTargetsEqualTheFullForwardPass() {
        MobileBertConfig c = TinyConfigs.mobileBert();
        MobileBertModel m = MobileBertModel.pretraining(c, new Adam(1e-3), 3);
        MultiDataSet ds = TrainingTest.contractBatch(c, 3, 6, 2, 11); // row 2 has padding
        Map<String, INDArray> all = m.forwardWithIntermediates(ds.getFeatures(0), ds.getFeatures(1), ds.getFeaturesMaskArray(0));
        for (int layer = 0; layer < c.numHiddenLayers; layer++) {
            INDArray[] t = m.layerOutputAndAttention(ds.getFeatures(0), ds.getFeatures(1), ds.getFeaturesMaskArray(0), layer);
            assertEquals(all.get("hidden_states." + (layer + 1)), t[0], "hidden state of layer " + layer);
            assertEquals(all.get("attentions." + layer), t[1], "attention of layer " + layer);
        }
    }

    @Test
    void everyBlockVertexHasItsOwnUpdaterBlockAndFitStillLearns() {
        MobileBertConfig c = TinyConfigs.mobileBert();
        MobileBertModel m = MobileBertModel.pretraining(c, new Adam(1e-2), 5);
        ComputationGraph g = m.graph();
        MultiDataSet ds = TrainingTest.contractBatch(c, 3, 6, 2, 7);
        double first = g.score(ds);
        for (int i = 0; i < 5; i++) g.fit(ds);
        // DL4J M2.1's updater walks a chain of views as long as one block's parameter list (cubic cost): per vertex
        // blocks keep it short. Vertices with parameters: table, embeddings, layers, pooler (if any), mlm + the NSP layer.
        int vertices = 3 + c.numHiddenLayers + (c.classifierActivation ? 1 : 0);
        assertEquals(vertices + 1, ((BaseMultiLayerUpdater<?>) g.getUpdater()).getUpdaterBlocks().size());
        double last = g.score(ds);
        assertTrue(last < first, "loss " + first + " -> " + last);
        assertTrue(g.params().dataType() == DataType.FLOAT);
    }
}
