package dev.mobilebert.model.transfer;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax cross-entropy against soft target distributions, for pre-training distillation inside a DL4J graph: labels
 * [N, K*C] hold K target distributions of C classes per example (the {@link PretrainingDistillation} mixture), logits
 * [N, K*C], mask [N, K] = masked_lm_weights. Same conventions as the model's {@code SparseSoftmaxCrossEntropy}: the
 * loss is {@code Σ w·CE / Σ w} over the minibatch (BERT), so example i's score is {@code N · Σ_k w·CE / Σ w} and the
 * returned gradient is that of the sum over examples (DL4J divides by the minibatch size in the updater).
 */
public final class SoftTargetCrossEntropy implements ILossFunction {

    private record Parts(INDArray logProbs, INDArray targets, INDArray weights, double denominator, long n, long k) {}

    private static Parts parts(INDArray labels, INDArray logits, INDArray mask) {
        long n = logits.size(0), k = mask == null ? 1 : mask.size(1), c = logits.size(1) / k;
        INDArray z = logits.reshape('c', n * k, c);
        INDArray logProbs = TransferMath.logSoftmax(z);
        INDArray targets = labels.castTo(logits.dataType()).reshape('c', n * k, c);
        INDArray w = mask == null ? Nd4j.ones(logits.dataType(), n * k, 1) : mask.castTo(logits.dataType()).reshape('c', n * k, 1);
        return new Parts(logProbs, targets, w, Math.max(w.sumNumber().doubleValue(), 1e-5), n, k);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Parts p = parts(labels, preOutput, mask);
        INDArray ce = p.logProbs().mul(p.targets()).sum(true, 1).negi().muli(p.weights());
        return ce.reshape('c', p.n(), p.k()).sum(1).muli(p.n() / p.denominator());
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double total = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? total / preOutput.size(0) : total;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Parts p = parts(labels, preOutput, mask);
        // d/dz of -Σ t log softmax(z) = softmax(z)·Σt − t (Σt = 1 for a distribution; 0 for an all-zero padded row)
        INDArray mass = p.targets().sum(true, 1);
        INDArray g = Transforms.exp(p.logProbs(), true).muliColumnVector(mass).subi(p.targets())
                .muliColumnVector(p.weights()).muli(p.n() / p.denominator());
        return g.reshape('c', preOutput.size(0), preOutput.size(1));
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average), computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override public String name() { return "SoftTargetCrossEntropy"; }
    @Override public boolean equals(Object o) { return o instanceof SoftTargetCrossEntropy; }
    @Override public int hashCode() { return 31; }
    @Override public String toString() { return name(); }
}
