package dev.mobilebert.model.transfer;

import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Feature-map transfer (FMT) of one layer, as the official MobileBERT code defines it: the mean squared error between
 * the teacher's and the student's layer outputs, each normalised by a parameter-free LayerNorm over the feature axis
 * (TF {@code layer_norm(trainable=False)}: gamma 1, beta 0, eps 1e-12), optionally plus the decomposition into a mean
 * term (squared difference of the per-token feature means) and a variance term (absolute difference of the per-token
 * feature variances). Unlike the official code, padded tokens are excluded: every term is a mean over real tokens
 * (and features for the MSE).
 *
 * <pre>
 *   loss = w_hidden · Σ_valid Σ_h (LN(s)−LN(t))² / (N_valid·H)
 *        + w_mean   · Σ_valid (μ_s−μ_t)² / N_valid
 *        + w_var    · Σ_valid |σ²_s−σ²_t| / N_valid
 * </pre>
 * Official factors: 100 ({@code hidden_distill_factor}), 5000 ({@code beta_distill_factor}) and 5
 * ({@code gamma_distill_factor}). The teacher side is a constant (no gradient).
 */
public final class FeatureMapTransfer {
    /** eps of the parameter-free LayerNorm (TF contrib layer_norm's variance epsilon). */
    public static final double LN_EPS = 1e-12;

    /** Loss weights: FMT proper, mean term, variance term. */
    public record Weights(double hidden, double mean, double variance) {
        /** The official MobileBERT factors: 100, 5000, 5. */
        public static final Weights OFFICIAL = new Weights(100, 5000, 5);
        /** FMT only, factor 100 (no mean/variance decomposition). */
        public static final Weights HIDDEN_ONLY = new Weights(100, 0, 0);
    }

    /** The weighted loss (differentiable) and its three unweighted parts, for metrics. */
    public record Result(Var loss, double hiddenMse, double meanLoss, double varianceLoss) {
        public double value() { return loss.value.getDouble(0); }
    }

    private FeatureMapTransfer() {}

    /**
     * @param student [N, H] (or [B, T, H], flattened here) layer output of the student
     * @param teacher the teacher's layer output, same shape
     * @param tokenMask [B, T] or [N] input mask (1 = real token), null = all real
     */
    public static Result loss(Tape t, Var student, INDArray teacher, INDArray tokenMask, Weights w) {
        TransferMath.sameShape("feature map transfer", student.value, teacher);
        long h = student.value.size(student.value.rank() - 1), n = student.value.length() / h;
        INDArray s = student.value.reshape('c', n, h), tch = teacher.castTo(s.dataType()).reshape('c', n, h);
        INDArray valid = TransferMath.column(tokenMask, n, s.dataType());
        double count = Math.max(valid.sumNumber().doubleValue(), 1.0);

        Stats ss = Stats.of(s), ts = Stats.of(tch);
        INDArray diff = ss.xhat.sub(ts.xhat).muliColumnVector(valid);
        double mse = diff.mul(diff).sumNumber().doubleValue() / (count * h);
        INDArray dMean = ss.mean.sub(ts.mean).muli(valid);
        double meanLoss = dMean.mul(dMean).sumNumber().doubleValue() / count;
        INDArray dVar = ss.var.sub(ts.var);
        double varLoss = Transforms.abs(dVar, true).mul(valid).sumNumber().doubleValue() / count;
        double total = w.hidden() * mse + w.mean() * meanLoss + w.variance() * varLoss;

        Var o = Var.of(Nd4j.scalar(s.dataType(), total));
        if (t != null) t.record(() -> {
            double g = TransferMath.seed(o.grad());
            if (g == 0) return;
            // through the parameter-free LayerNorm: dx = inv·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
            INDArray dxhat = diff.mul(2.0 * g * w.hidden() / (count * h));
            INDArray dx = dxhat.subColumnVector(dxhat.mean(true, 1))
                    .subi(ss.xhat.mulColumnVector(dxhat.mul(ss.xhat).mean(true, 1)))
                    .muliColumnVector(ss.inv);
            // mean term: dμ/dx = 1/H; variance term: dσ²/dx = 2(x−μ)/H
            dx.addiColumnVector(dMean.mul(2.0 * g * w.mean() / (count * h)));
            INDArray sign = Transforms.sign(ss.var.sub(ts.var), false).muli(valid);
            dx.addi(ss.centered.mulColumnVector(sign.muli(2.0 * g * w.variance() / (count * h))));
            student.accumulate(dx.reshape(student.value.shape()));
        });
        return new Result(o, mse, meanLoss, varLoss);
    }

    /** Per-row mean, variance (biased, as LayerNorm), 1/sqrt(var+eps), centred and normalised rows. */
    private record Stats(INDArray mean, INDArray var, INDArray inv, INDArray centered, INDArray xhat) {
        static Stats of(INDArray x) {
            INDArray mean = x.mean(true, 1);
            INDArray centered = x.subColumnVector(mean);
            INDArray var = centered.mul(centered).mean(true, 1);
            INDArray inv = Transforms.pow(var.add(LN_EPS), -0.5, false);
            return new Stats(mean, var, inv, centered, centered.mulColumnVector(inv));
        }
    }
}
