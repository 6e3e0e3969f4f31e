package dev.mobilebert.pretraining;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * The pretraining MultiDataSet every trainer consumes (the project's contract; float32 arrays holding integers):
 * <pre>
 *   features[0] input_ids [B,T]   features[1] token_type_ids (segment ids) [B,T]   features[2] masked_lm_positions [B,P]
 *   featuresMasks[0] input_mask [B,T]   featuresMasks[1] input_mask [B,T]   featuresMasks[2] masked_lm_weights [B,P]
 *   labels[0] masked_lm_ids [B,P]   labelsMasks[0] masked_lm_weights [B,P]
 *   labels[1] next_sentence_labels [B,1] (0 = actual continuation, 1 = random)   labelsMasks[1] none
 * </pre>
 */
public final class PretrainingBatch {
    private PretrainingBatch() {}

    /** One batch from {@code instances} (all padded to the same T and P). */
    public static MultiDataSet of(List<PretrainingInstance> instances) {
        if (instances.isEmpty()) throw new IllegalArgumentException("a batch needs at least one instance");
        int b = instances.size();
        int t = instances.get(0).inputIds().length;
        int p = instances.get(0).maskedLmPositions().length;
        float[] inputIds = new float[b * t], segmentIds = new float[b * t], inputMask = new float[b * t];
        float[] positions = new float[b * p], lmIds = new float[b * p], weights = new float[b * p];
        float[] nsp = new float[b];
        for (int i = 0; i < b; i++) {
            PretrainingInstance x = instances.get(i);
            if (x.inputIds().length != t || x.maskedLmPositions().length != p) {
                throw new IllegalArgumentException("instance " + i + " has shape [" + x.inputIds().length + ", "
                        + x.maskedLmPositions().length + "], the batch [" + t + ", " + p + "]");
            }
            for (int j = 0; j < t; j++) {
                inputIds[i * t + j] = x.inputIds()[j];
                segmentIds[i * t + j] = x.segmentIds()[j];
                inputMask[i * t + j] = x.inputMask()[j];
            }
            for (int j = 0; j < p; j++) {
                positions[i * p + j] = x.maskedLmPositions()[j];
                lmIds[i * p + j] = x.maskedLmIds()[j];
                weights[i * p + j] = x.maskedLmWeights()[j];
            }
            nsp[i] = x.nextSentenceLabel();
        }
        INDArray mask = matrix(inputMask, b, t);
        INDArray w = matrix(weights, b, p);
        INDArray[] features = {matrix(inputIds, b, t), matrix(segmentIds, b, t), matrix(positions, b, p)};
        INDArray[] featureMasks = {mask, mask.dup(), w};
        INDArray[] labels = {matrix(lmIds, b, p), matrix(nsp, b, 1)};
        INDArray[] labelMasks = {w.dup(), null};
        return new org.nd4j.linalg.dataset.MultiDataSet(features, labels, featureMasks, labelMasks);
    }

    private static INDArray matrix(float[] data, int rows, int cols) {
        return Nd4j.create(data, new long[]{rows, cols}, DataType.FLOAT);
    }
}
