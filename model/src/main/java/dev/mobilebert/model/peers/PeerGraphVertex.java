package dev.mobilebert.model.peers;

import dev.mobilebert.model.graph.BlockGraphVertex;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Map;

/** Runtime side of {@link PeerVertex}: parameters and gradients are views into the graph's flattened vectors. */
final class PeerGraphVertex extends BaseGraphVertex {
    private final PeerVertex conf;
    private final INDArray paramsView;
    private final Map<String, INDArray> params;
    private Map<String, INDArray> grads;
    private INDArray gradView;
    private INDArray flatInput; // [B·T, in] of the last forward pass

    PeerGraphVertex(PeerVertex conf, ComputationGraph graph, String name, int idx, INDArray paramsView,
                    boolean initializeParams, DataType dataType) {
        super(graph, name, idx, null, null, dataType);
        this.conf = conf;
        this.paramsView = paramsView;
        this.params = slice(paramsView, conf.paramShapes());
        if (initializeParams && conf.kind() == PeerVertex.Kind.PROJECT) {
            INDArray w = params.get("weight");
            w.assign(Nd4j.getRandom().nextGaussian(w.shape()).castTo(w.dataType()).muli(conf.initializerRange()));
            params.get("bias").assign(0);
        }
    }

    private static Map<String, INDArray> slice(INDArray flat, LinkedHashMap<String, long[]> shapes) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (flat == null || shapes.isEmpty()) return out;
        INDArray row = flat.rank() == 2 ? flat.get(NDArrayIndex.point(0), NDArrayIndex.all()) : flat;
        long off = 0;
        for (var e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) n *= d;
            out.put(e.getKey(), row.get(NDArrayIndex.interval(off, off + n)).reshape('c', e.getValue()));
            off += n;
        }
        return out;
    }

    /** SCORES: the model layer vertex this vertex reads the attention scores of (its only input). */
    private BlockGraphVertex layer() {
        org.deeplearning4j.nn.graph.vertex.GraphVertex v = graph.getVertices()[getInputVertices()[0].getVertexIndex()];
        if (!(v instanceof BlockGraphVertex b) || b.kind() != dev.mobilebert.model.nn.BlockKind.LAYER) {
            throw new IllegalStateException(vertexName + ": the input must be a model layer vertex, got " + v);
        }
        return b;
    }

    @Override public boolean hasLayer() { return false; }
    @Override public Layer getLayer() { return null; }
    @Override public String toString() { return "PeerGraphVertex(" + vertexName + ", " + conf.kind() + ")"; }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray x = inputs[0];
            if (x.rank() != 3 || x.size(2) != conf.inWidth()) {
                throw new IllegalArgumentException(vertexName + ": expected [B, T, " + conf.inWidth() + "], got " + java.util.Arrays.toString(x.shape()));
            }
            long b = x.size(0), t = x.size(1);
            if (conf.kind() == PeerVertex.Kind.SCORES) {
                INDArray s = layer().lastScores();
                if (s == null || s.size(1) != conf.outWidth() || s.size(2) != t) {
                    throw new IllegalStateException(vertexName + ": no attention scores [B, " + conf.outWidth() + ", " + t + ", " + t + "] from " + layer().getVertexName());
                }
                INDArray result = s.dup('c').reshape('c', b, s.length() / b);
                return workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS) ? result : workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, result);
            }
            flatInput = x.dup('c').reshape('c', b * t, conf.inWidth());
            INDArray y = flatInput;
            if (conf.kind() == PeerVertex.Kind.PROJECT) {
                y = flatInput.mmul(params.get("weight").transpose()).addiRowVector(params.get("bias"));
            }
            INDArray result = y.reshape('c', b, t * conf.outWidth());
            return workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS) ? result : workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, result);
        }
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        Gradient g = new DefaultGradient();
        INDArray dx;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (conf.kind() == PeerVertex.Kind.SCORES) {
                layer().addScoresGradient(epsilon.dup('c'));
                INDArray zero = Nd4j.zeros(inputs[0].dataType(), inputs[0].shape());
                if (!workspaceMgr.isScopedOut(ArrayType.ACTIVATION_GRAD)) zero = workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, zero);
                return new Pair<>(g, new INDArray[]{zero});
            }
            INDArray dy = epsilon.dup('c').reshape('c', flatInput.size(0), conf.outWidth());
            if (conf.kind() == PeerVertex.Kind.PROJECT) {
                grads.get("weight").assign(dy.transpose().mmul(flatInput));
                grads.get("bias").assign(dy.sum(0));
                dx = dy.mmul(params.get("weight"));
            } else {
                dx = dy;
            }
            dx = dx.reshape('c', inputs[0].shape());
        }
        if (grads != null) grads.forEach((k, v) -> g.gradientForVariable().put(k, v));
        if (!workspaceMgr.isScopedOut(ArrayType.ACTIVATION_GRAD)) dx = workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx);
        return new Pair<>(g, new INDArray[]{dx});
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray view) {
        this.gradView = view;
        this.grads = slice(view, conf.paramShapes());
    }

    /** The label masks of the loss layers decide which tokens count; nothing propagates from the inputs. */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
        return new Pair<>(null, null);
    }

    @Override public void clearVertex() { clear(); flatInput = null; }
    @Override public Map<String, INDArray> paramTable(boolean backpropOnly) { return params; }
    @Override public TrainingConfig getConfig() { return conf; }
    @Override public INDArray params() { return paramsView; }
    @Override public long numParams() { return paramsView == null ? 0 : paramsView.length(); }
    @Override public INDArray getGradientsViewArray() { return gradView; }
    @Override public boolean updaterDivideByMinibatch(String paramName) { return true; }
}
