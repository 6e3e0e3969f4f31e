package dev.mobilebert.model.transfer;

import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Pre-training distillation (PD): the MLM cross-entropy of the student against the mixture
 * <pre>  target = α · softmax(teacher_logits / T) + (1 − α) · one_hot(masked_lm_ids)</pre>
 * weighted by {@code masked_lm_weights} like BERT ({@code Σ w·CE / Σ w}), plus the NSP cross-entropy on the true
 * labels (mean over the batch). α = 0.5 and T = 1 are the official settings ({@code distill_ground_truth_ratio} = 0.5
 * is the weight of the one-hot, hence 1 − α; {@code distill_temperature} = 1). The student's logits are not tempered.
 * The teacher side is a constant.
 */
public final class PretrainingDistillation {

    public record Settings(double alpha, double temperature) {
        public static final Settings OFFICIAL = new Settings(0.5, 1.0);

        public Settings {
            if (alpha < 0 || alpha > 1) throw new IllegalArgumentException("distillation alpha must be in [0, 1]: " + alpha);
            if (!(temperature > 0)) throw new IllegalArgumentException("distillation temperature must be > 0: " + temperature);
        }
    }

    /**
     * The differentiable total (KD + NSP) and, for metrics: the KD loss, the plain MLM loss against the true ids,
     * the NSP loss, MLM accuracy (over real predictions) and NSP accuracy.
     */
    public record Result(Var loss, double kd, double mlm, double nsp, double mlmAccuracy, double nspAccuracy) {
        public double value() { return loss.value.getDouble(0); }
    }

    private PretrainingDistillation() {}

    /**
     * @param studentMlm [B·P, V] student MLM logits at the masked positions (row b·P + j)
     * @param teacherMlm [B·P, V] the teacher's logits at the same positions
     * @param maskedLmIds [B, P] true ids; {@code maskedLmWeights} [B, P] (1 = real prediction)
     * @param studentNsp [B, 2] student NSP logits; {@code nextSentenceLabels} [B, 1] (0 = IsNext)
     */
    public static Result loss(Tape t, Var studentMlm, INDArray teacherMlm, INDArray maskedLmIds, INDArray maskedLmWeights,
                              Var studentNsp, INDArray nextSentenceLabels, Settings settings) {
        TransferMath.sameShape("pre-training distillation (MLM logits)", studentMlm.value, teacherMlm);
        INDArray zs = studentMlm.value;
        DataType type = zs.dataType();
        long rows = zs.size(0), vocab = zs.size(1);
        INDArray w = TransferMath.column(maskedLmWeights, rows, type);
        double den = Math.max(w.sumNumber().doubleValue(), 1e-5);
        INDArray oneHot = oneHot(maskedLmIds, rows, vocab, w, type);
        INDArray teacherSoft = Transforms.exp(TransferMath.logSoftmax(teacherMlm.castTo(type).div(settings.temperature())), false);
        INDArray target = teacherSoft.muli(settings.alpha()).addi(oneHot.mul(1.0 - settings.alpha()));

        INDArray logPs = TransferMath.logSoftmax(zs);
        double kd = -logPs.mul(target).sum(true, 1).muli(w).sumNumber().doubleValue() / den;
        double mlm = -logPs.mul(oneHot).sum(true, 1).muli(w).sumNumber().doubleValue() / den;
        double mlmAcc = accuracy(zs, oneHot, w);

        INDArray zn = studentNsp.value;
        long b = zn.size(0);
        INDArray nspHot = oneHot(nextSentenceLabels, b, zn.size(1), null, type);
        INDArray logPn = TransferMath.logSoftmax(zn);
        double nsp = -logPn.mul(nspHot).sumNumber().doubleValue() / b;
        double nspAcc = accuracy(zn, nspHot, Nd4j.ones(type, b, 1));

        Var o = Var.of(Nd4j.scalar(type, kd + nsp));
        if (t != null) t.record(() -> {
            double g = TransferMath.seed(o.grad());
            if (g == 0) return;
            studentMlm.accumulate(Transforms.exp(logPs, true).subi(target).muliColumnVector(w).muli(g / den));
            studentNsp.accumulate(Transforms.exp(logPn, true).subi(nspHot).muli(g / b));
        });
        return new Result(o, kd, mlm, nsp, mlmAcc, nspAcc);
    }

    /** One-hot rows of the ids; a padded slot (weight 0) may hold any id and gets an all-zero row. */
    private static INDArray oneHot(INDArray ids, long rows, long classes, INDArray weights, DataType type) {
        if (ids.length() != rows) throw new IllegalArgumentException("labels have " + ids.length() + " entries, expected " + rows);
        int[] id = ids.castTo(DataType.INT).dup('c').data().asInt();
        INDArray out = Nd4j.zeros(type, rows, classes);
        for (int i = 0; i < id.length; i++) {
            boolean real = weights == null || weights.getDouble(i, 0) != 0;
            if (id[i] < 0 || id[i] >= classes) {
                if (real) throw new IllegalArgumentException("label " + id[i] + " at row " + i + " outside [0, " + classes + ")");
                continue;
            }
            out.putScalar(i, id[i], 1.0);
        }
        return out;
    }

    /** Weighted share of rows whose arg-max is the labelled class. */
    private static double accuracy(INDArray logits, INDArray oneHot, INDArray w) {
        INDArray predicted = logits.argMax(1);
        INDArray truth = oneHot.argMax(1);
        INDArray hit = predicted.eq(truth).castTo(logits.dataType()).reshape(w.shape());
        double den = w.sumNumber().doubleValue();
        return den == 0 ? 0 : hit.muli(w).sumNumber().doubleValue() / den;
    }
}
