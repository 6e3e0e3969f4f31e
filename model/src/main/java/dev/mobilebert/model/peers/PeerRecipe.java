package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.Serializable;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One peer-distillation objective as a plain DL4J graph plus the batch mapping that feeds it, so
 * {@code ComputationGraph.fit()} — hence {@code ParameterAveragingTrainer} — trains it:
 * <ul>
 *   <li>{@link #conf}: the student's pretraining graph (same vertices, same names: parameters move to and from the
 *       plain pretraining graph by vertex name, {@link #copyParameters}) with the MLM/NSP losses weighted and the
 *       recipe's extra outputs (loss layers, projections) added after them;</li>
 *   <li>{@link #batch}: a pretraining-contract batch → the same features with the teacher's targets appended as labels
 *       (computed batch by batch from the teacher, on the executors under Spark).</li>
 * </ul>
 * Outputs and labels are in the same order: {@code mlmLoss}, {@code nspLoss}, then the recipe's.
 */
public interface PeerRecipe extends Serializable {
    String name();

    ComputationGraphConfiguration conf(MobileBertConfig student, IUpdater updater, long seed, DataType type);

    org.nd4j.linalg.dataset.api.MultiDataSet batch(MobileBertModel teacher, org.nd4j.linalg.dataset.api.MultiDataSet contract);

    /** The pretraining graph as a builder to extend, with the MLM and NSP losses multiplied by the given weights. */
    static ComputationGraphConfiguration.GraphBuilder pretrainingBuilder(MobileBertConfig student, IUpdater updater, long seed,
                                                                         DataType type, double mlmWeight, double nspWeight) {
        ComputationGraphConfiguration conf = MobileBertModel.pretrainingConf(student, updater, seed, type);
        weigh(conf, MobileBertModel.MLM_LOSS, mlmWeight);
        weigh(conf, MobileBertModel.NSP_LOSS, nspWeight);
        return extend(conf, updater, seed, type);
    }

    /** A builder that adds vertices to an existing graph configuration (same global settings as the model's graphs). */
    static ComputationGraphConfiguration.GraphBuilder extend(ComputationGraphConfiguration conf, IUpdater updater, long seed, DataType type) {
        var global = new NeuralNetConfiguration.Builder().seed(seed).dataType(type).updater(updater)
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE);
        return new ComputationGraphConfiguration.GraphBuilder(conf, global);
    }

    /** Multiplies the loss of loss/output layer {@code vertex} by {@code weight}. */
    static void weigh(ComputationGraphConfiguration conf, String vertex, double weight) {
        replaceLoss(conf, vertex, old -> new WeightedLoss(old, weight));
    }

    /** Replaces the loss function of loss/output layer {@code vertex} (its parameters stay as they are). */
    static void replaceLoss(ComputationGraphConfiguration conf, String vertex, UnaryOperator<ILossFunction> replace) {
        var layer = ((LayerVertex) conf.getVertices().get(vertex)).getLayerConf().getLayer();
        if (layer instanceof LossLayer l) l.setLossFn(replace.apply(l.getLossFn()));
        else if (layer instanceof BaseOutputLayer l) l.setLossFn(replace.apply(l.getLossFn()));
        else throw new IllegalStateException(vertex + " is not a loss layer: " + layer);
    }

    /** A loss layer (identity activation) on {@code input}. */
    static LossLayer lossLayer(ILossFunction loss) {
        return new LossLayer.Builder(loss).activation(Activation.IDENTITY).build();
    }

    /** The contract batch with {@code extra} labels (and their masks) after masked_lm_ids and next_sentence_labels. */
    static MultiDataSet withLabels(org.nd4j.linalg.dataset.api.MultiDataSet contract, INDArray[] extra, INDArray[] extraMasks) {
        INDArray[] labels = new INDArray[2 + extra.length], masks = new INDArray[2 + extra.length];
        INDArray[] cm = contract.getLabelsMaskArrays();
        for (int i = 0; i < 2; i++) {
            labels[i] = contract.getLabels(i);
            masks[i] = cm == null || cm.length <= i ? null : cm[i];
        }
        System.arraycopy(extra, 0, labels, 2, extra.length);
        System.arraycopy(extraMasks, 0, masks, 2, extra.length);
        return new MultiDataSet(contract.getFeatures(), labels, contract.getFeaturesMaskArrays(), masks);
    }

    /**
     * Copies parameters between two graphs by vertex name, for every vertex of {@code to} that {@code from} has with
     * the same parameter count (the student's blocks between a recipe graph, another recipe's and the plain pretraining
     * graph). Returns how many parameters were copied.
     */
    static long copyParameters(ComputationGraph from, ComputationGraph to) {
        long n = 0;
        for (GraphVertex v : to.getVertices()) {
            if (v.numParams() == 0) continue;
            GraphVertex src = from.getVertex(v.getVertexName());
            if (src == null || src.numParams() != v.numParams()) continue;
            v.params().assign(src.params());
            n += v.numParams();
        }
        return n;
    }

    /** The teacher's MLM logits at the masked positions, [B, P·V] in {@code type}. */
    static INDArray logitsAtPositions(Map<String, INDArray> teacherOut, INDArray positions, DataType type) {
        INDArray logits = teacherOut.get("mlm_logits"); // [B, T, V]
        long b = logits.size(0), t = logits.size(1), v = logits.size(2), p = positions.size(1);
        int[] rows = new int[(int) (b * p)];
        for (int i = 0; i < b; i++) for (int j = 0; j < p; j++) rows[(int) (i * p + j)] = (int) (i * t + positions.getInt(i, j));
        return logits.reshape('c', b * t, v).getRows(rows).reshape('c', b, p * v).castTo(type);
    }

    /** A token-level teacher tensor [B, T, H] as labels [B, T·H] in {@code type}. */
    static INDArray tokens(INDArray x, DataType type) {
        return x.dup('c').reshape('c', x.size(0), x.size(1) * x.size(2)).castTo(type);
    }
}
