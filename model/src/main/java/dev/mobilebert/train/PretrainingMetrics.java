package dev.mobilebert.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MLM and NSP losses and accuracies from the model's logits and the pretraining contract's labels, as sums that
 * add up over batches and workers. MLM counts only real predictions, weighted by {@code masked_lm_weights} (BERT's
 * {@code masked_lm_accuracy} / {@code masked_lm_loss}: sum(w * x) / sum(w)); NSP counts every example.
 *
 * @param mlmLoss    sum over predictions of w * cross-entropy (nats)
 * @param mlmCorrect sum of w where the arg-max token is the label
 * @param mlmWeight  sum of w
 * @param nspLoss    sum over examples of the NSP cross-entropy
 * @param nspCorrect examples whose arg-max NSP class is the label
 * @param examples   examples seen
 */
public record PretrainingMetrics(double mlmLoss, double mlmCorrect, double mlmWeight,
                                 double nspLoss, double nspCorrect, long examples) implements Serializable {
    public static final PretrainingMetrics ZERO = new PretrainingMetrics(0, 0, 0, 0, 0, 0);

    /**
     * @param mlmLogits  [N, P*V] (P predictions of V classes per example, as the model's MLM head emits them)
     * @param mlmIds     [N, P] label ids
     * @param mlmWeights [N, P] (null: all 1)
     * @param nspLogits  [N, 2]
     * @param nspLabels  [N, 1] (0 = IsNext, 1 = random)
     */
    public static PretrainingMetrics of(INDArray mlmLogits, INDArray mlmIds, INDArray mlmWeights,
                                        INDArray nspLogits, INDArray nspLabels) {
        long n = mlmIds.size(0), p = mlmIds.size(1);
        Part mlm = crossEntropy(mlmLogits.reshape('c', n * p, mlmLogits.size(1) / p), ids(mlmIds),
                mlmWeights == null ? null : mlmWeights.castTo(DataType.DOUBLE).dup('c').data().asDouble());
        Part nsp = crossEntropy(nspLogits, ids(nspLabels), null);
        return new PretrainingMetrics(mlm.loss, mlm.correct, mlm.weight, nsp.loss, nsp.correct, n);
    }

    private record Part(double loss, double correct, double weight) {}

    private static int[] ids(INDArray labels) {
        return labels.castTo(DataType.INT).dup('c').data().asInt();
    }

    private static Part crossEntropy(INDArray logits, int[] labels, double[] weights) {
        INDArray z = logits.castTo(DataType.FLOAT);
        INDArray max = z.max(true, 1);
        INDArray lse = Transforms.log(Transforms.exp(z.subColumnVector(max), false).sum(true, 1), false).addi(max);
        int[] argMax = Nd4j.argMax(z, 1).castTo(DataType.INT).dup('c').data().asInt();
        double[] logSumExp = lse.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        long classes = z.size(1);
        double loss = 0, correct = 0, weight = 0;
        for (int i = 0; i < labels.length; i++) {
            double w = weights == null ? 1 : weights[i];
            if (w == 0) continue;
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " outside [0, " + classes + ")");
            }
            loss += w * (logSumExp[i] - z.getDouble(i, labels[i]));
            if (argMax[i] == labels[i]) correct += w;
            weight += w;
        }
        return new Part(loss, correct, weight);
    }

    public PretrainingMetrics plus(PretrainingMetrics o) {
        return new PretrainingMetrics(mlmLoss + o.mlmLoss, mlmCorrect + o.mlmCorrect, mlmWeight + o.mlmWeight,
                nspLoss + o.nspLoss, nspCorrect + o.nspCorrect, examples + o.examples);
    }

    public double mlmLossMean() { return mlmWeight == 0 ? Double.NaN : mlmLoss / mlmWeight; }
    public double mlmAccuracy() { return mlmWeight == 0 ? Double.NaN : mlmCorrect / mlmWeight; }
    public double nspLossMean() { return examples == 0 ? Double.NaN : nspLoss / examples; }
    public double nspAccuracy() { return examples == 0 ? Double.NaN : nspCorrect / examples; }

    /** {@code mlm_loss, mlm_accuracy, nsp_loss, nsp_accuracy}, each name prefixed with {@code prefix}. */
    public Map<String, Object> asMap(String prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(prefix + "mlm_loss", mlmLossMean());
        m.put(prefix + "mlm_accuracy", mlmAccuracy());
        m.put(prefix + "nsp_loss", nspLossMean());
        m.put(prefix + "nsp_accuracy", nspAccuracy());
        return m;
    }
}
