package dev.mobilebert.jobs.transfer;

import dev.mobilebert.jobs.train.StepProbe;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.train.PretrainingMetrics;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PD metrics of the minibatch a worker is fitting, from the training forward pass: {@code kd_loss} (the graph's MLM
 * loss: cross-entropy against the teacher mixture target, weighted by masked_lm_weights), {@code mlm_loss} /
 * {@code mlm_accuracy} against the original token and {@code nsp_loss} / {@code nsp_accuracy}.
 * <p>
 * The PD batch carries the mixture target instead of the token ids; the original token is its arg-max, exactly
 * when α ≤ 0.5 (the one-hot part alone is ≥ 1 − α ≥ α ≥ any teacher share; a tie needs the teacher to put all its
 * mass on one other token). For α > 0.5 the training-time MLM values are against the arg-max of the mixture; the
 * held-out evaluation always uses the true ids.
 */
public final class DistillationProbe implements StepProbe {
    private static final Field LABELS = labelsField();

    @Override
    public Map<String, Double> measure(ComputationGraph net, Map<String, INDArray> activations) {
        INDArray mlm = activations.get(MobileBertModel.MLM);
        INDArray[] labels = labels(net);
        INDArray[] masks = net.getLabelMaskArrays();
        if (mlm == null || labels == null || labels.length < 2 || masks == null || masks[0] == null) return Map.of();
        INDArray nsp = nspLogits(net, activations);
        if (nsp == null) return Map.of();
        INDArray weights = masks[0];
        long n = weights.size(0), p = weights.size(1), v = mlm.size(1) / p;
        INDArray z = mlm.castTo(DataType.FLOAT).reshape('c', n * p, v);
        INDArray target = labels[0].castTo(DataType.FLOAT).reshape('c', n * p, v);
        INDArray w = weights.castTo(DataType.FLOAT).reshape('c', n * p, 1);
        INDArray max = z.max(true, 1);
        INDArray logSoftmax = z.subColumnVector(max);
        logSoftmax.subiColumnVector(Transforms.log(Transforms.exp(logSoftmax, true).sum(true, 1), false));
        double kd = -logSoftmax.muli(target).sum(true, 1).muli(w).sumNumber().doubleValue() / Math.max(1e-12, w.sumNumber().doubleValue());
        INDArray ids = Nd4j.argMax(target, 1).castTo(DataType.FLOAT).reshape(n, p);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("kd_loss", kd);
        PretrainingMetrics.of(mlm, ids, weights, nsp, labels[1]).asMap("").forEach((k, val) -> out.put(k, ((Number) val).doubleValue()));
        return out;
    }

    /** The NSP output layer's identity pre-output, input·W + b (output layers are not in the activations). */
    private static INDArray nspLogits(ComputationGraph net, Map<String, INDArray> activations) {
        if (!(net.getLayer(MobileBertModel.NSP_LOSS) instanceof BaseOutputLayer<?> head)) return null;
        INDArray in = activations.get(net.getConfiguration().getVertexInputs().get(MobileBertModel.NSP_LOSS).get(0));
        return in == null ? null : in.mmul(head.getParam("W")).addiRowVector(head.getParam("b"));
    }

    /** DL4J M2.1 keeps the minibatch labels in a private field without a getter (as PretrainingProbe reads them). */
    private static INDArray[] labels(ComputationGraph net) {
        try {
            return LABELS == null ? null : (INDArray[]) LABELS.get(net);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static Field labelsField() {
        try {
            Field f = ComputationGraph.class.getDeclaredField("labels");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
