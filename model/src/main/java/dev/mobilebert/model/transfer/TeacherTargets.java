package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * What the teacher provides for one batch and one transferred layer: its layer output [B, T, H] and attention
 * distribution [B, heads, T, T] (computed in inference mode, no dropout).
 */
public record TeacherTargets(INDArray hidden, INDArray attention) {

    /** Runs the teacher on a pretraining-contract batch and keeps layer {@code layer}'s targets. */
    public static TeacherTargets of(MobileBertModel teacher, MultiDataSet batch, int layer) {
        if (layer < 0 || layer >= teacher.config().numHiddenLayers) {
            throw new IllegalArgumentException("layer " + layer + " outside the teacher's " + teacher.config().numHiddenLayers + " layers");
        }
        // layers 0..layer only, no heads (speed: docs/speed.md); same values as forwardWithIntermediates
        INDArray[] out = teacher.layerOutputAndAttention(batch.getFeatures(0), batch.getFeatures(1), batch.getFeaturesMaskArray(0), layer);
        return new TeacherTargets(out[0], out[1]);
    }
}
