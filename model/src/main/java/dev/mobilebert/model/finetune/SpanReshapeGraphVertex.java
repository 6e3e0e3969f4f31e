package dev.mobilebert.model.finetune;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runtime side of {@link SpanReshapeVertex}. */
final class SpanReshapeGraphVertex extends BaseGraphVertex {
    private final SpanReshapeVertex conf;

    SpanReshapeGraphVertex(ComputationGraph graph, String name, int idx, SpanReshapeVertex conf, DataType dataType) {
        super(graph, name, idx, null, null, dataType);
        this.conf = conf;
    }

    @Override public boolean hasLayer() { return false; }
    @Override public Layer getLayer() { return null; }
    @Override public String toString() { return "SpanReshapeVertex(" + vertexName + ", " + conf.mode() + ")"; }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = inputs[0];
        int t = conf.seqLength();
        INDArray out;
        if (conf.mode() == SpanReshapeVertex.Mode.TOKEN_ROWS) {
            if (x.rank() != 3 || x.size(1) != t) {
                throw new IllegalArgumentException(vertexName + ": expected [B, " + t + ", H] token states, got "
                        + java.util.Arrays.toString(x.shape()) + " (the span graph is built for sequence length " + t + ")");
            }
            out = x.dup('c').reshape('c', x.size(0) * t, x.size(2));
        } else {
            long b = x.size(0) / t;
            if (x.rank() != 2 || x.size(1) != 2 || b * t != x.size(0)) {
                throw new IllegalArgumentException(vertexName + ": expected [B*" + t + ", 2] token logits, got "
                        + java.util.Arrays.toString(x.shape()));
            }
            out = x.dup('c').reshape('c', b, t, 2).permute(0, 2, 1).dup('c').reshape('c', b, 2L * t);
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, out);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        int t = conf.seqLength();
        INDArray e = epsilon.dup('c');
        INDArray back;
        if (conf.mode() == SpanReshapeVertex.Mode.TOKEN_ROWS) {
            back = e.reshape('c', inputs[0].shape());
        } else {
            long b = e.size(0);
            back = e.reshape('c', b, 2, t).permute(0, 2, 1).dup('c').reshape('c', b * t, 2);
        }
        return new Pair<>(new DefaultGradient(), new INDArray[]{workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, back)});
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) throw new IllegalStateException(vertexName + " has no parameters");
    }

    /** Token padding does not reach the head: the loss covers every position, like HuggingFace's QA head. */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
        return new Pair<>(null, null);
    }
}
