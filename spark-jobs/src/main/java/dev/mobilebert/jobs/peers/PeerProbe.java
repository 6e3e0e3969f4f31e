package dev.mobilebert.jobs.peers;

import dev.mobilebert.jobs.pretrain.PretrainingProbe;
import dev.mobilebert.jobs.train.StepProbe;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-step metrics of a peer recipe, from the training forward pass (no extra pass): the student's MLM/NSP loss and
 * accuracy against the true labels ({@link PretrainingProbe}) and, for every recipe output after the first two, its
 * weighted loss as {@code loss_<output>} (e.g. {@code loss_distillMlm}, {@code loss_distillCos},
 * {@code loss_distillHidden0}) — the loss layers are identity layers, so their input activation is what they score.
 */
final class PeerProbe implements StepProbe {
    private final PretrainingProbe pretraining = new PretrainingProbe();

    @Override
    public Map<String, Double> measure(ComputationGraph net, Map<String, INDArray> activations) {
        Map<String, Double> out = new LinkedHashMap<>(pretraining.measure(net, activations));
        INDArray[] labels = PretrainingProbe.labels(net);
        INDArray[] masks = net.getLabelMaskArrays();
        List<String> outputs = net.getConfiguration().getNetworkOutputs();
        if (labels == null || labels.length != outputs.size()) return out;
        for (int i = 2; i < outputs.size(); i++) {
            String name = outputs.get(i);
            if (!(net.getConfiguration().getVertices().get(name) instanceof LayerVertex lv)
                    || !(lv.getLayerConf().getLayer() instanceof LossLayer loss)) continue;
            INDArray in = activations.get(net.getConfiguration().getVertexInputs().get(name).get(0));
            if (in == null) continue;
            INDArray mask = masks == null || masks.length <= i ? null : masks[i];
            out.put("loss_" + name, loss.getLossFn().computeScore(labels[i], in, null, mask, true));
        }
        return out;
    }
}
