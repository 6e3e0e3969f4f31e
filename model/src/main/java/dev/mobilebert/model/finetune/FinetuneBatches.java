package dev.mobilebert.model.finetune;

import dev.mobilebert.tasks.features.ClassifierFeatures;
import dev.mobilebert.tasks.features.SquadFeature;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Fine-tuning minibatches for {@link FinetuneGraphs}: features {@code input_ids}, {@code token_type_ids} [B, T]
 * (float32 holding ids, as the pretraining contract), feature masks the input mask twice, and one label array:
 * classification label ids [B, 1], regression scores [B, 1], or span (start, end) [B, 2].
 */
public final class FinetuneBatches {
    private FinetuneBatches() {}

    public static MultiDataSet classification(List<ClassifierFeatures> batch, boolean regression) {
        int b = batch.size(), t = batch.get(0).inputIds().length;
        float[][] ids = new float[b][], types = new float[b][], mask = new float[b][], labels = new float[b][1];
        for (int i = 0; i < b; i++) {
            ClassifierFeatures f = batch.get(i);
            ids[i] = floats(f.inputIds(), t);
            types[i] = floats(f.segmentIds(), t);
            mask[i] = floats(f.inputMask(), t);
            // unlabelled (test) STS-B rows have a NaN score: 0 keeps the array finite; their loss is never used
            labels[i][0] = regression ? (Double.isNaN(f.score()) ? 0f : (float) f.score()) : f.labelId();
        }
        return of(ids, types, mask, labels);
    }

    /** Span labels are the training targets (0/0 outside the window); evaluation features (-1) get 0/0. */
    public static MultiDataSet span(List<SquadFeature> batch) {
        int b = batch.size(), t = batch.get(0).inputIds().length;
        float[][] ids = new float[b][], types = new float[b][], mask = new float[b][], labels = new float[b][2];
        for (int i = 0; i < b; i++) {
            SquadFeature f = batch.get(i);
            ids[i] = floats(f.inputIds(), t);
            types[i] = floats(f.segmentIds(), t);
            mask[i] = floats(f.inputMask(), t);
            labels[i][0] = Math.max(0, f.startPosition());
            labels[i][1] = Math.max(0, f.endPosition());
        }
        return of(ids, types, mask, labels);
    }

    private static MultiDataSet of(float[][] ids, float[][] types, float[][] mask, float[][] labels) {
        INDArray m = Nd4j.createFromArray(mask);
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[]{Nd4j.createFromArray(ids), Nd4j.createFromArray(types)},
                new INDArray[]{Nd4j.createFromArray(labels)},
                new INDArray[]{m, m.dup()}, null);
    }

    private static float[] floats(int[] a, int t) {
        if (a.length != t) throw new IllegalArgumentException("features of length " + a.length + " in a batch of length " + t);
        float[] f = new float[t];
        for (int i = 0; i < t; i++) f[i] = a[i];
        return f;
    }
}
