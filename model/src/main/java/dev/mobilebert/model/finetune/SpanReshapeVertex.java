package dev.mobilebert.model.finetune;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonIgnoreProperties;

import java.util.Objects;

/**
 * The two parameter-free layout changes around the span head ({@code qa_outputs}, a stock DL4J DenseLayer so that
 * {@code ComputationGraph.fit()} sees a layer with parameters, see docs/finetune.md):
 * <ul>
 *   <li>{@link Mode#TOKEN_ROWS}: the encoder's [B, T, H] as [B·T, H] (row b·T + t), so the dense layer scores every
 *   token with one gemm;</li>
 *   <li>{@link Mode#SPAN_LOGITS}: the dense layer's [B·T, 2] (column 0 = start, 1 = end, as HuggingFace's
 *   {@code qa_outputs}) as [B, 2T] = start logits of positions 0..T-1, then end logits of 0..T-1, the layout
 *   {@link SpanCrossEntropy} and the span decoder read. T is the graph's sequence length.</li>
 * </ul>
 * Both are pure reshapes/permutes: the backward pass is the inverse layout change (checked by GradientCheckUtil).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class SpanReshapeVertex extends GraphVertex {
    public enum Mode { TOKEN_ROWS, SPAN_LOGITS }

    private Mode mode;
    private int seqLength;
    private int width;

    /** For Jackson. */
    public SpanReshapeVertex() {}

    /**
     * @param seqLength T, the sequence length of every batch this graph sees
     * @param width     H for TOKEN_ROWS (the encoder width); 2 for SPAN_LOGITS
     */
    public SpanReshapeVertex(Mode mode, int seqLength, int width) {
        this.mode = mode;
        this.seqLength = seqLength;
        this.width = width;
    }

    public Mode mode() { return mode; }
    public int seqLength() { return seqLength; }
    public int width() { return width; }

    @Override public GraphVertex clone() { return new SpanReshapeVertex(mode, seqLength, width); }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpanReshapeVertex v && v.mode == mode && v.seqLength == seqLength && v.width == width;
    }

    @Override public int hashCode() { return Objects.hash(mode, seqLength, width); }
    @Override public long numParams(boolean backprop) { return 0; }
    @Override public int minVertexInputs() { return 1; }
    @Override public int maxVertexInputs() { return 1; }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType dataType) {
        return new SpanReshapeGraphVertex(graph, name, idx, this, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return mode == Mode.TOKEN_ROWS ? InputType.feedForward(width) : InputType.feedForward(2L * seqLength);
    }

    @Override public MemoryReport getMemoryReport(InputType... inputTypes) { return null; }
}
