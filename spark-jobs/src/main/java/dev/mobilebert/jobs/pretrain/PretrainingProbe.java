package dev.mobilebert.jobs.pretrain;

import dev.mobilebert.jobs.train.StepProbe;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.train.PretrainingMetrics;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MLM loss/accuracy and NSP loss/accuracy of the minibatch a worker just fitted, read from the two output layers
 * (their inputs and labels are still set when the gradient has been computed); no extra forward pass.
 */
public final class PretrainingProbe implements StepProbe {
    @Override
    public Map<String, Double> measure(ComputationGraph net) {
        Head mlm = head(net, MobileBertModel.MLM_LOSS);
        Head nsp = head(net, MobileBertModel.NSP_LOSS);
        if (mlm == null || nsp == null) return Map.of();
        PretrainingMetrics m = PretrainingMetrics.of(mlm.logits, mlm.labels, mlm.mask, nsp.logits, nsp.labels);
        Map<String, Double> out = new LinkedHashMap<>();
        m.asMap("").forEach((k, v) -> out.put(k, (Double) v));
        return out;
    }

    private record Head(INDArray logits, INDArray labels, INDArray mask) {}

    /**
     * The output layer's logits, labels and label mask, or null if not set. The heads have identity activations:
     * a LossLayer's logits are its input, a dense OutputLayer's are input·W + b. ({@code activate} is not used: DL4J
     * multiplies activations by the label mask, which has the [N, P] shape of the MLM labels, not of the logits.)
     */
    private static Head head(ComputationGraph net, String name) {
        Layer layer = net.getLayer(name);
        if (layer == null || layer.input() == null || !(layer instanceof IOutputLayer out) || out.getLabels() == null) return null;
        INDArray logits = layer instanceof BaseOutputLayer<?> dense
                ? layer.input().castTo(dense.getParam("W").dataType()).mmul(dense.getParam("W")).addiRowVector(dense.getParam("b"))
                : layer.input();
        return new Head(logits, out.getLabels(), layer.getMaskArray());
    }
}
