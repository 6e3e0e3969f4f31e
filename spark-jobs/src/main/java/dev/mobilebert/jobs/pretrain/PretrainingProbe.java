package dev.mobilebert.jobs.pretrain;

import dev.mobilebert.jobs.train.StepProbe;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.train.PretrainingMetrics;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MLM loss/accuracy and NSP loss/accuracy of the minibatch a worker is fitting, from the activations of the
 * training forward pass (no extra forward pass): the MLM head's logits ({@code mlm}, [N, P*V]) and the NSP logits
 * (from the pooled output and the {@code nspLoss} dense output layer, or a separate {@code nsp} vertex).
 */
public final class PretrainingProbe implements StepProbe {
    private static final Field LABELS = labelsField();

    @Override
    public Map<String, Double> measure(ComputationGraph net, Map<String, INDArray> activations) {
        INDArray mlm = activations.get(MobileBertModel.MLM);
        INDArray nsp = nspLogits(net, activations);
        INDArray[] labels = labels(net);
        if (mlm == null || nsp == null || labels == null || labels.length < 2) return Map.of();
        INDArray[] labelMasks = net.getLabelMaskArrays();
        INDArray weights = labelMasks == null ? null : labelMasks[0];
        PretrainingMetrics m = PretrainingMetrics.of(mlm, labels[0], weights, nsp, labels[1]);
        Map<String, Double> out = new LinkedHashMap<>();
        m.asMap("").forEach((k, v) -> out.put(k, (Double) v));
        return out;
    }

    /**
     * The NSP logits: a separate {@code nsp} vertex's output if the graph has one; else the NSP output layer's
     * identity-activation pre-output, input·W + b (output layers are not in the forward-pass activations).
     */
    private static INDArray nspLogits(ComputationGraph net, Map<String, INDArray> activations) {
        if (activations.containsKey(MobileBertModel.NSP)) return activations.get(MobileBertModel.NSP);
        if (!(net.getLayer(MobileBertModel.NSP_LOSS) instanceof BaseOutputLayer<?> head)) return null;
        INDArray in = activations.get(net.getConfiguration().getVertexInputs().get(MobileBertModel.NSP_LOSS).get(0));
        return in == null ? null : in.mmul(head.getParam("W")).addiRowVector(head.getParam("b"));
    }

    /**
     * DL4J M2.1's ComputationGraph keeps the minibatch labels in a private field with no getter (the output layers
     * get them only during backprop and drop them afterwards); reading it is the one way to see them here.
     */
    public static INDArray[] labels(ComputationGraph net) {
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
