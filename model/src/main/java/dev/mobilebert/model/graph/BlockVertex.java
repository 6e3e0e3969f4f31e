package dev.mobilebert.model.graph;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.nn.BlockKind;
import dev.mobilebert.model.nn.Blocks;
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

import java.util.List;
import java.util.Objects;

/**
 * Configuration of one MobileBERT block as a native DL4J graph vertex (no SameDiff: hand-written backward passes,
 * see docs/model.md). Serialised to JSON by DL4J's own (shaded) Jackson through its fields, so ModelSerializer and
 * Spark's configuration broadcast carry it; the model config travels as its JSON text.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonIgnoreProperties(ignoreUnknown = true)
public final class BlockVertex extends GraphVertex implements TrainingConfig, dev.mobilebert.optim.OptimizableVertex {
    /** The vertex name in the graph: DL4J's updater finds a vertex's parameters by it (getLayerName). */
    private String name;
    private BlockKind kind;
    /** Layer index for LAYER, number of labels for CLASSIFIER, otherwise 0. */
    private int index;
    private String modelConfig;
    private IUpdater updater;
    /** Per-parameter regularization set by the optimizer (OptimizerSettings.applyTo); absent keys: none. */
    private java.util.Map<String, List<Regularization>> regularization = new java.util.LinkedHashMap<>();
    private transient MobileBertConfig parsed;

    /** For Jackson. */
    public BlockVertex() {}

    public BlockVertex(String name, BlockKind kind, int index, MobileBertConfig config, IUpdater updater) {
        this.name = name;
        this.kind = kind;
        this.index = index;
        this.modelConfig = config.toJson();
        this.updater = updater;
    }

    public BlockKind kind() { return kind; }
    public int index() { return index; }

    public MobileBertConfig config() {
        if (parsed == null) parsed = MobileBertConfig.fromJson(modelConfig, "vertex " + kind + " " + index);
        return parsed;
    }

    public void setUpdater(IUpdater updater) { this.updater = updater; }

    @Override
    public GraphVertex clone() {
        // the updater is cloned too (DL4J's AttentionVertex.clone() drops it, which breaks under Spark)
        BlockVertex v = new BlockVertex();
        v.name = name;
        v.kind = kind;
        v.index = index;
        v.modelConfig = modelConfig;
        v.updater = updater == null ? null : updater.clone();
        v.regularization = new java.util.LinkedHashMap<>();
        regularization.forEach((k, r) -> v.regularization.put(k, new java.util.ArrayList<>(r)));
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockVertex b && Objects.equals(b.name, name) && b.kind == kind && b.index == index && b.modelConfig.equals(modelConfig)
                && Objects.equals(b.updater, updater) && Objects.equals(b.regularization, regularization);
    }

    @Override public int hashCode() { return Objects.hash(kind, index, modelConfig); }

    @Override public long numParams(boolean backprop) { return Blocks.numParams(kind, config(), index); }

    @Override public int minVertexInputs() { return 1; }

    @Override public int maxVertexInputs() { return 3; }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType dataType) {
        return new BlockGraphVertex(this, graph, name, idx, paramsView, initializeParams, dataType);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        MobileBertConfig c = config();
        return switch (kind) {
            case WORD_TABLE -> InputType.feedForward(c.embeddingSize);
            case EMBEDDINGS, LAYER -> InputType.recurrent(c.hiddenSize);
            case POOLER -> InputType.feedForward(c.hiddenSize);
            case MLM -> InputType.feedForward(c.vocabSize);
            case NSP, SPAN -> InputType.feedForward(2);
            case CLASSIFIER -> InputType.feedForward(index);
        };
    }

    @Override public MemoryReport getMemoryReport(InputType... inputTypes) { return null; }

    // ---- TrainingConfig: what the updater needs to know about this vertex's parameters
    @Override public String getLayerName() { return name; }
    @Override public List<Regularization> getRegularizationByParam(String paramName) {
        return regularization.getOrDefault(paramName, List.of());
    }

    // ---- OptimizableVertex: LAMB/AdamW with weight decay and trust ratio per tensor (dev.mobilebert.optim)
    @Override public List<String> parameterKeys() {
        return Blocks.params(kind, config(), index).keySet().stream().map(BlockGraphVertex::dl4jKey).toList();
    }

    @Override public boolean isBiasParameter(String key) { return key.equals("bias") || key.endsWith(".bias"); }

    @Override public void configureOptimizer(IUpdater updater, java.util.Map<String, List<Regularization>> byParam) {
        this.updater = updater;
        this.regularization = new java.util.LinkedHashMap<>(byParam);
    }
    @Override public boolean isPretrainParam(String paramName) { return false; }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (updater == null) throw new IllegalStateException("vertex " + getLayerName() + " has no updater configured");
        return new VertexScopedUpdater(updater, name); // one DL4J updater block per vertex: see VertexScopedUpdater
    }

    @Override public GradientNormalization getGradientNormalization() { return GradientNormalization.None; }
    @Override public double getGradientNormalizationThreshold() { return 1.0; }
    @Override public void setDataType(DataType dataType) { /* the graph's data type is used */ }
}
