package dev.mobilebert.model.finetune;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The SQuAD loss of BERT's run_squad.py / HuggingFace's MobileBertForQuestionAnswering: logits [B, 2T] (start logits
 * of the T positions, then end logits, see {@link SpanReshapeVertex}), labels [B, 2] = (start position, end
 * position); per example (CE(softmax over positions of the start logits, start) + CE(..end..)) / 2. DL4J averages the
 * per-example scores; the gradient returned is that of the per-example losses (DL4J divides by the minibatch size
 * in the updater), as for the other losses of the project.
 */
public final class SpanCrossEntropy implements org.nd4j.linalg.lossfunctions.ILossFunction {

    /** Log-softmax over the positions of each half, [B, 2, T]; positions checked against T. */
    private static INDArray logProbs(INDArray logits) {
        long b = logits.size(0), t = logits.size(1) / 2;
        INDArray z = logits.dup('c').reshape('c', b * 2, t);
        INDArray max = z.max(true, 1);
        INDArray lse = Transforms.log(Transforms.exp(z.subColumnVector(max), false).sum(true, 1), false).addi(max);
        return z.subColumnVector(lse).reshape('c', b, 2L * t);
    }

    private static INDArray onehot(INDArray labels, INDArray logits) {
        long b = logits.size(0), t = logits.size(1) / 2;
        if (labels.size(0) != b || labels.size(1) != 2) {
            throw new IllegalArgumentException("span labels must be [B, 2] (start, end), got " + java.util.Arrays.toString(labels.shape()));
        }
        INDArray h = Nd4j.zeros(logits.dataType(), b, 2 * t);
        int[] pos = labels.castTo(DataType.INT).dup('c').data().asInt();
        for (int i = 0; i < pos.length; i++) {
            if (pos[i] < 0 || pos[i] >= t) throw new IllegalArgumentException("span position " + pos[i] + " outside [0, " + t + ")");
            h.putScalar(i / 2, (i % 2) * t + pos[i], 1.0);
        }
        return h;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray ce = logProbs(preOutput).muli(onehot(labels, preOutput)).sum(1).negi().muli(0.5);
        return ce.reshape(preOutput.size(0), 1);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double total = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? total / preOutput.size(0) : total;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray probs = Transforms.exp(logProbs(preOutput), false);
        return probs.subi(onehot(labels, preOutput)).muli(0.5);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override public String name() { return "SpanCrossEntropy"; }
    @Override public boolean equals(Object o) { return o instanceof SpanCrossEntropy; }
    @Override public int hashCode() { return 19; }
    @Override public String toString() { return name(); }
}
