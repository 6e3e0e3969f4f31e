package dev.mobilebert.model.peers;

import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonIgnoreProperties;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The two small graph vertices the peer losses need between a token-level activation [B, T, H] and a loss layer
 * (whose labels are [B, T·H'], one slot per token, see {@link SlotLoss}):
 * <ul>
 *   <li>{@code FLATTEN}: [B, T, H] → [B, T·H], no parameters (DistilBERT's cosine loss on the last hidden state);</li>
 *   <li>{@code PROJECT}: TinyBERT's learnable {@code fit_dense} W_h, a dense layer from the student's width to the
 *       teacher's applied to every token, [B, T, h_s] → [B, T·h_t]; weight N(0, initializer_range), bias 0.</li>
 *   <li>{@code SCORES}: the pre-softmax attention scores [B, A, T, T] of the model layer that is its input, as
 *       [B, A·T·T], no parameters (TinyBERT's attention distillation). Its input is the layer's output only so that
 *       DL4J orders it after the layer; the scores come from the layer vertex's last forward pass, and in backward
 *       their gradient goes to that layer ({@code BlockGraphVertex.addScoresGradient}), which DL4J runs after every
 *       consumer of its output. The gradient w.r.t. the layer's output from this vertex is zero.</li>
 * </ul>
 * A native vertex (hand-written backward, like the model's blocks) rather than DL4J's DenseLayer + reshape vertices:
 * DL4J's feed-forward layers would see B·T as the minibatch and apply the [B, T] input mask to the wrong axis.
 * The optimizer configures it like a block ({@link dev.mobilebert.optim.OptimizableVertex}; the bias gets no decay).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class PeerVertex extends GraphVertex implements TrainingConfig, dev.mobilebert.optim.OptimizableVertex {
    public enum Kind { FLATTEN, PROJECT, SCORES }

    private String name;
    private Kind kind;
    private int inWidth, outWidth;
    private double initializerRange;
    private IUpdater updater;
    private Map<String, List<Regularization>> regularization = new LinkedHashMap<>();

    /** For Jackson. */
    public PeerVertex() {}

    private PeerVertex(String name, Kind kind, int inWidth, int outWidth, double initializerRange, IUpdater updater) {
        this.name = name;
        this.kind = kind;
        this.inWidth = inWidth;
        this.outWidth = outWidth;
        this.initializerRange = initializerRange;
        this.updater = updater;
    }

    public static PeerVertex flatten(String name, int width) { return new PeerVertex(name, Kind.FLATTEN, width, width, 0, null); }

    /** The attention scores of the layer vertex feeding it (width: the layer's hidden size, checked on the input). */
    public static PeerVertex scores(String name, int layerWidth, int heads) {
        return new PeerVertex(name, Kind.SCORES, layerWidth, heads, 0, null);
    }

    public static PeerVertex project(String name, int studentWidth, int teacherWidth, double initializerRange, IUpdater updater) {
        return new PeerVertex(name, Kind.PROJECT, studentWidth, teacherWidth, initializerRange, updater);
    }

    public Kind kind() { return kind; }
    int inWidth() { return inWidth; }
    int outWidth() { return outWidth; }
    double initializerRange() { return initializerRange; }

    /** Parameter keys and shapes (DL4J keys: no '_'). */
    LinkedHashMap<String, long[]> paramShapes() {
        LinkedHashMap<String, long[]> p = new LinkedHashMap<>();
        if (kind == Kind.PROJECT) {
            p.put("weight", new long[]{outWidth, inWidth});
            p.put("bias", new long[]{outWidth});
        }
        return p;
    }

    @Override
    public GraphVertex clone() {
        PeerVertex v = new PeerVertex(name, kind, inWidth, outWidth, initializerRange, updater == null ? null : updater.clone());
        regularization.forEach((k, r) -> v.regularization.put(k, new ArrayList<>(r)));
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerVertex v && Objects.equals(v.name, name) && v.kind == kind && v.inWidth == inWidth
                && v.outWidth == outWidth && v.initializerRange == initializerRange && Objects.equals(v.updater, updater)
                && Objects.equals(v.regularization, regularization);
    }

    @Override public int hashCode() { return Objects.hash(name, kind, inWidth, outWidth); }

    @Override public long numParams(boolean backprop) { return kind == Kind.PROJECT ? (long) outWidth * inWidth + outWidth : 0; }
    @Override public int minVertexInputs() { return 1; }
    @Override public int maxVertexInputs() { return 1; }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                                                      boolean initializeParams, DataType dataType) {
        return new PeerGraphVertex(this, graph, name, idx, paramsView, initializeParams, dataType);
    }

    @Override public InputType getOutputType(int layerIndex, InputType... vertexInputs) { return InputType.feedForward(outWidth); }
    @Override public MemoryReport getMemoryReport(InputType... inputTypes) { return null; }

    // ---- TrainingConfig
    @Override public String getLayerName() { return name; }
    @Override public List<Regularization> getRegularizationByParam(String paramName) { return regularization.getOrDefault(paramName, List.of()); }
    @Override public boolean isPretrainParam(String paramName) { return false; }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (updater == null) throw new IllegalStateException("vertex " + name + " has no updater configured");
        return updater;
    }

    @Override public GradientNormalization getGradientNormalization() { return GradientNormalization.None; }
    @Override public double getGradientNormalizationThreshold() { return 1.0; }
    @Override public void setDataType(DataType dataType) { /* the graph's data type is used */ }

    // ---- OptimizableVertex
    @Override public List<String> parameterKeys() { return new ArrayList<>(paramShapes().keySet()); }
    @Override public boolean isBiasParameter(String key) { return key.equals("bias"); }

    @Override
    public void configureOptimizer(IUpdater updater, Map<String, List<Regularization>> byParam) {
        this.updater = updater;
        this.regularization = new LinkedHashMap<>(byParam);
    }
}
