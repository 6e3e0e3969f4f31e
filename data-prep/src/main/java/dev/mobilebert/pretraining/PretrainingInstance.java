package dev.mobilebert.pretraining;

import com.esotericsoftware.kryo.DefaultSerializer;

import java.util.Arrays;

/**
 * One pretraining example with BERT's features, padded as write_instance_to_example_files pads them: input_ids,
 * input_mask and segment_ids to max_seq_length (0 = padding); masked_lm_positions, masked_lm_ids (0) and
 * masked_lm_weights (0.0) to max_predictions_per_seq. next_sentence_labels: 0 = B is the actual continuation,
 * 1 = B is random. length = real tokens including [CLS] and both [SEP].
 */
@DefaultSerializer(KryoSerializers.PretrainingInstanceSerializer.class) // Kryo 4 cannot serialize records
public record PretrainingInstance(
        int[] inputIds,
        int[] inputMask,
        int[] segmentIds,
        int[] maskedLmPositions,
        int[] maskedLmIds,
        float[] maskedLmWeights,
        int nextSentenceLabel,
        int length) implements java.io.Serializable {

    /** Number of real (weight 1) masked positions. */
    public int numPredictions() {
        int n = 0;
        for (float w : maskedLmWeights) if (w > 0) n++;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PretrainingInstance p
                && Arrays.equals(inputIds, p.inputIds) && Arrays.equals(inputMask, p.inputMask)
                && Arrays.equals(segmentIds, p.segmentIds) && Arrays.equals(maskedLmPositions, p.maskedLmPositions)
                && Arrays.equals(maskedLmIds, p.maskedLmIds) && Arrays.equals(maskedLmWeights, p.maskedLmWeights)
                && nextSentenceLabel == p.nextSentenceLabel && length == p.length;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputIds) * 31 + Arrays.hashCode(maskedLmPositions) * 17 + nextSentenceLabel;
    }

    @Override
    public String toString() {
        return "PretrainingInstance{length=" + length + ", nsp=" + nextSentenceLabel
                + ", input_ids=" + Arrays.toString(Arrays.copyOf(inputIds, length))
                + ", segment_ids=" + Arrays.toString(Arrays.copyOf(segmentIds, length))
                + ", masked_lm_positions=" + Arrays.toString(maskedLmPositions)
                + ", masked_lm_ids=" + Arrays.toString(maskedLmIds) + "}";
    }
}
