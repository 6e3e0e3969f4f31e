package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TeacherTargetsTest {
    /** The stage's teacher forward (embeddings + layers up to l only) equals the full graph forward's layer l. */
    @Test
    void targetsEqualTheFullForwardsLayerOutputAndAttention() {
        MobileBertModel teacher = MobileBertModel.pretraining(TransferFixtures.teacher(), new NoOp(), 8, DataType.FLOAT);
        MultiDataSet batch = TransferFixtures.batch(TransferFixtures.teacher(), 31, DataType.FLOAT);
        Map<String, INDArray> full = teacher.forwardWithIntermediates(batch.getFeatures(0), batch.getFeatures(1), batch.getFeaturesMaskArray(0));
        for (int layer = 0; layer < teacher.config().numHiddenLayers; layer++) {
            TeacherTargets t = TeacherTargets.of(teacher, batch, layer);
            INDArray h = full.get("hidden_states." + (layer + 1)), a = full.get("attentions." + layer);
            assertArrayEquals(h.shape(), t.hidden().shape());
            assertArrayEquals(a.shape(), t.attention().shape());
            assertEquals(0.0, h.sub(t.hidden()).amaxNumber().doubleValue(), 1e-5 * Math.max(1, h.amaxNumber().doubleValue()), "layer " + layer);
            assertEquals(0.0, a.sub(t.attention()).amaxNumber().doubleValue(), 1e-6, "layer " + layer);
        }
    }
}
