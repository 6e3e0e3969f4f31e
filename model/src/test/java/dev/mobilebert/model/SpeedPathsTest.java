package dev.mobilebert.model;

import dev.mobilebert.model.graph.BlockGraphVertex;
import dev.mobilebert.model.nn.F;
import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    void theInferenceWorkspaceComputesTheSameAndItsResultsOutliveTheNextPass() {
        MobileBertConfig c = TinyConfigs.mobileBert();
        MobileBertModel m = MobileBertModel.pretraining(c, new Adam(1e-3), 3);
        MultiDataSet a = TrainingTest.contractBatch(c, 3, 6, 2, 11); // row 2 has padding
        MultiDataSet b = TrainingTest.contractBatch(c, 3, 6, 2, 12);
        Map<String, INDArray> plain, first, firstCopy = new HashMap<>(), second;
        try {
            BlockGraphVertex.useInferenceWorkspace(false);
            plain = rawActivations(m, a);
            BlockGraphVertex.useInferenceWorkspace(true);
            first = rawActivations(m, a); // the activations as the graph returns them, not copied
            first.forEach((k, v) -> firstCopy.put(k, v.dup()));
            // a second pass reuses the workspace memory: what the first one returned must stay as it was
            second = rawActivations(m, b);
        } finally {
            BlockGraphVertex.useInferenceWorkspace(true);
        }
        assertEquals(firstCopy, first, "results of the first pass changed during the second");
        assertEquals(plain.keySet(), first.keySet());
        for (String k : plain.keySet()) assertEquals(plain.get(k), first.get(k), k);
        assertNotEquals(first.get(MobileBertModel.layerName(c.numHiddenLayers - 1)),
                second.get(MobileBertModel.layerName(c.numHiddenLayers - 1)), "different inputs, same output");
    }

    @Test
    void layerNormInInferenceEqualsTheTrainingPathsLayerNorm() {
        // inference uses libnd4j's layer_norm op; training the op chain whose backward is hand-written
        INDArray x = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 7, 48).subi(0.5).muli(4.0);
        x.getRow(6).assign(0.25); // a constant row: zero variance
        INDArray w = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 48), b = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 48);
        INDArray inference = F.norm(null, Var.of(x), Var.of(w), Var.of(b), true, 1e-12).value;
        INDArray training = F.norm(new Tape(), Var.of(x), Var.of(w), Var.of(b), true, 1e-12).value;
        assertTrue(!inference.isNaN().any() && !inference.isInfinite().any(), inference.toString());
        double maxDiff = org.nd4j.linalg.ops.transforms.Transforms.abs(inference.sub(training)).maxNumber().doubleValue();
        assertTrue(maxDiff < 1e-5, "max abs difference " + maxDiff);
        // a larger epsilon keeps the explicit formula in inference too
        INDArray eps = F.norm(null, Var.of(x), Var.of(w), Var.of(b), true, 1e-2).value;
        assertEquals(F.norm(new Tape(), Var.of(x), Var.of(w), Var.of(b), true, 1e-2).value, eps);
    }

    @Test
    void geluInInferenceEqualsTheTrainingPathsGelu() {
        INDArray x = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, 5, 40).subi(0.5).muli(8.0), x0 = x.dup();
        INDArray inference = F.act(null, Var.of(x), "gelu").value;
        assertEquals(x0, x, "the input must stay unchanged");
        INDArray training = F.act(new Tape(), Var.of(x), "gelu").value;
        double maxDiff = org.nd4j.linalg.ops.transforms.Transforms.abs(inference.sub(training)).maxNumber().doubleValue();
        assertTrue(maxDiff < 1e-6, "max abs difference " + maxDiff);
    }

    /** graph.feedForward's activations plus every layer's attention, without copies. */
    private static Map<String, INDArray> rawActivations(MobileBertModel m, MultiDataSet ds) {
        ComputationGraph g = m.graph();
        INDArray ids = ds.getFeatures(0), mask = ds.getFeaturesMaskArray(0);
        int batch = (int) ids.size(0), seq = (int) ids.size(1);
        INDArray positions = org.nd4j.linalg.factory.Nd4j.arange(seq).castTo(ids.dataType()).reshape(1, seq).repeat(0, batch);
        g.setLayerMaskArrays(new INDArray[]{mask, mask, org.nd4j.linalg.factory.Nd4j.ones(ids.dataType(), batch, seq)}, null);
        Map<String, INDArray> acts = new HashMap<>(g.feedForward(new INDArray[]{ids, ds.getFeatures(1), positions}, false, false));
        g.clearLayerMaskArrays();
        for (int i = 0; i < m.config().numHiddenLayers; i++) {
            acts.put("attention." + i, ((BlockGraphVertex) g.getVertex(MobileBertModel.layerName(i))).lastAttention());
        }
        return acts;
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
