package dev.mobilebert.model.graph;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax cross-entropy with integer class labels, as the pretraining contract delivers them: labels [N, K] ids,
 * logits [N, K*C] (K predictions of C classes per example), optional weights/mask [N, K].
 * Like BERT, the loss is sum(w * CE) / sum(w) over the whole minibatch. DL4J averages per-example scores and
 * divides gradients by the minibatch size in the updater, so example i's score is N * sum_k w CE / sum(w) and
 * the returned gradient is that of the sum over examples.
 */
public final class SparseSoftmaxCrossEntropy implements org.nd4j.linalg.lossfunctions.ILossFunction {

    private record Parts(INDArray logProbs, INDArray weights, INDArray onehot, double denominator, long n, long k, long c) {}

    private static Parts parts(INDArray labels, INDArray logits, INDArray mask) {
        long n = labels.size(0), k = labels.size(1), c = logits.size(1) / k;
        INDArray z = logits.reshape('c', n * k, c);
        INDArray lse = Transforms.log(Transforms.exp(z.subColumnVector(z.max(true, 1)), false).sum(true, 1), false).addi(z.max(true, 1));
        INDArray logProbs = z.subColumnVector(lse);
        INDArray w = mask == null ? Nd4j.ones(logits.dataType(), n * k, 1) : mask.castTo(logits.dataType()).reshape('c', n * k, 1);
        INDArray onehot = Nd4j.zeros(logits.dataType(), n * k, c);
        int[] ids = labels.castTo(org.nd4j.linalg.api.buffer.DataType.INT).dup('c').data().asInt();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= c) {
                if (w.getDouble(i, 0) != 0) throw new IllegalArgumentException("label " + ids[i] + " outside [0, " + c + ")");
                continue;
            }
            onehot.putScalar(i, ids[i], 1.0);
        }
        double den = Math.max(w.sumNumber().doubleValue(), 1e-5);
        return new Parts(logProbs, w, onehot, den, n, k, c);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Parts p = parts(labels, preOutput, mask);
        INDArray ce = p.logProbs().mul(p.onehot()).sum(true, 1).negi().muli(p.weights()); // [N*K, 1]
        return ce.reshape('c', p.n(), p.k()).sum(1).muli(p.n() / p.denominator());
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double total = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? total / labels.size(0) : total;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Parts p = parts(labels, preOutput, mask);
        INDArray probs = Transforms.exp(p.logProbs(), true);
        INDArray g = probs.subi(p.onehot()).muliColumnVector(p.weights()).muli(p.n() / p.denominator());
        return g.reshape('c', p.n(), p.k() * p.c());
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override public String name() { return "SparseSoftmaxCrossEntropy"; }
    @Override public boolean equals(Object o) { return o instanceof SparseSoftmaxCrossEntropy; }
    @Override public int hashCode() { return 17; }
    @Override public String toString() { return name(); }
}
