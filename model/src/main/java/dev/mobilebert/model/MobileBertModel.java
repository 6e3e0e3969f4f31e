package dev.mobilebert.model;

import dev.mobilebert.model.graph.BlockGraphVertex;
import dev.mobilebert.model.graph.BlockVertex;
import dev.mobilebert.model.graph.SparseSoftmaxCrossEntropy;
import dev.mobilebert.model.nn.BlockKind;
import dev.mobilebert.model.nn.Blocks;
import dev.mobilebert.model.nn.F;
import dev.mobilebert.model.nn.Var;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MobileBERT-family network as a DL4J {@link ComputationGraph} of native block vertices, plus what the project
 * needs around it: HuggingFace parameter names, per-layer feature maps and attention distributions.
 *
 * <p>Pretraining graph (consumes the pretraining MultiDataSet contract):
 * inputs {@code input_ids}, {@code token_type_ids}, {@code masked_lm_positions} (feature masks: input mask,
 * input mask, masked_lm_weights) → {@code wordEmbeddings} (the table, shared) → {@code embeddings} →
 * {@code layer0..layer{L-1}} → {@code pooler} → {@code nspLoss} (an OutputLayer: cls.seq_relationship + loss);
 * {@code mlm} reads the last layer, the positions and the shared table → {@code mlmLoss} (labels masked_lm_ids, mask
 * masked_lm_weights).
 */
public final class MobileBertModel {
    public static final String[] PRETRAINING_INPUTS = {"input_ids", "token_type_ids", "masked_lm_positions"};
    public static final String WORD_TABLE = "wordEmbeddings", EMBEDDINGS = "embeddings", POOLER = "pooler",
            MLM = "mlm", NSP = "nsp", MLM_LOSS = "mlmLoss", NSP_LOSS = "nspLoss";
    /** Fine-tuning heads (stock DL4J layers, see finetune.FinetuneGraphs): HuggingFace's classifier.* and qa_outputs.*. */
    public static final String CLASSIFIER = "classifier", QA_OUTPUTS = "qaOutputs";

    private final MobileBertConfig config;
    private final ComputationGraph graph;

    public MobileBertModel(MobileBertConfig config, ComputationGraph graph) {
        this.config = config;
        this.graph = graph;
    }

    public static String layerName(int i) { return "layer" + i; }

    /** The pretraining graph configuration (float32, workspaces off: see docs/model.md). */
    public static ComputationGraphConfiguration pretrainingConf(MobileBertConfig c, IUpdater updater, long seed, DataType type) {
        var b = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(type).updater(updater)
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .graphBuilder()
                .addInputs(PRETRAINING_INPUTS)
                .addVertex(WORD_TABLE, new BlockVertex(WORD_TABLE, BlockKind.WORD_TABLE, 0, c, updater), "input_ids")
                .addVertex(EMBEDDINGS, new BlockVertex(EMBEDDINGS, BlockKind.EMBEDDINGS, 0, c, updater), "input_ids", "token_type_ids", WORD_TABLE);
        String prev = EMBEDDINGS;
        for (int i = 0; i < c.numHiddenLayers; i++) {
            b.addVertex(layerName(i), new BlockVertex(layerName(i), BlockKind.LAYER, i, c, updater), prev);
            prev = layerName(i);
        }
        return b.addVertex(POOLER, new BlockVertex(POOLER, BlockKind.POOLER, 0, c, updater), prev)
                .addVertex(MLM, new BlockVertex(MLM, BlockKind.MLM, 0, c, updater), prev, "masked_lm_positions", WORD_TABLE)
                .addLayer(MLM_LOSS, new LossLayer.Builder(new SparseSoftmaxCrossEntropy()).activation(Activation.IDENTITY).build(), MLM)
                // NSP (cls.seq_relationship) is a stock DL4J OutputLayer on purpose: ComputationGraph.fit() returns
                // without doing anything when no *layer* has parameters (it counts layers only, not vertices).
                .addLayer(NSP_LOSS, new OutputLayer.Builder(new SparseSoftmaxCrossEntropy()).nIn(c.hiddenSize).nOut(2)
                        .activation(Activation.IDENTITY).weightInit(new NormalDistribution(0, c.initializerRange)).biasInit(0).build(), POOLER)
                .setOutputs(MLM_LOSS, NSP_LOSS)
                .build();
    }

    /** Embeddings + encoder only (inputs input_ids, token_type_ids; output the last layer's [B, T, H]): inference, latency. */
    public static ComputationGraphConfiguration encoderConf(MobileBertConfig c, IUpdater updater, long seed, DataType type) {
        var b = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(type).updater(updater)
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .graphBuilder()
                .addInputs("input_ids", "token_type_ids")
                .addVertex(WORD_TABLE, new BlockVertex(WORD_TABLE, BlockKind.WORD_TABLE, 0, c, updater), "input_ids")
                .addVertex(EMBEDDINGS, new BlockVertex(EMBEDDINGS, BlockKind.EMBEDDINGS, 0, c, updater), "input_ids", "token_type_ids", WORD_TABLE);
        String prev = EMBEDDINGS;
        for (int i = 0; i < c.numHiddenLayers; i++) {
            b.addVertex(layerName(i), new BlockVertex(layerName(i), BlockKind.LAYER, i, c, updater), prev);
            prev = layerName(i);
        }
        return b.setOutputs(prev).build();
    }

    public static MobileBertModel encoder(MobileBertConfig c, long seed) {
        ComputationGraph g = new ComputationGraph(encoderConf(c, new Adam(1e-4), seed, DataType.FLOAT));
        g.init();
        return new MobileBertModel(c, g);
    }

    public static MobileBertModel pretraining(MobileBertConfig c, IUpdater updater, long seed) {
        return pretraining(c, updater, seed, DataType.FLOAT);
    }

    public static MobileBertModel pretraining(MobileBertConfig c, IUpdater updater, long seed, DataType type) {
        ComputationGraph g = new ComputationGraph(pretrainingConf(c, updater == null ? new Adam(1e-4) : updater, seed, type));
        g.init();
        return new MobileBertModel(c, g);
    }

    public MobileBertConfig config() { return config; }

    /** All parameters (ComputationGraph.numParams() counts layers only and misses the vertices). */
    public long numParams() { return graph.params().length(); }
    public ComputationGraph graph() { return graph; }

    private List<BlockGraphVertex> blocks() {
        List<BlockGraphVertex> out = new ArrayList<>();
        for (int i : graph.topologicalSortOrder()) {
            GraphVertex v = graph.getVertices()[i];
            if (v instanceof BlockGraphVertex b) out.add(b);
        }
        return out;
    }

    /** Every parameter under its HuggingFace name (views: writing them changes the model). */
    public Map<String, INDArray> hfParams() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (BlockGraphVertex b : blocks()) m.putAll(b.hfParams());
        org.deeplearning4j.nn.api.Layer nsp = graph.getConfiguration().getVertices().containsKey(NSP_LOSS) ? graph.getLayer(NSP_LOSS) : null;
        if (nsp != null) { // DL4J stores W as [nIn, nOut]: HuggingFace's [out, in] is its transpose (a view)
            m.put("cls.seq_relationship.weight", nsp.getParam("W").transpose());
            m.put("cls.seq_relationship.bias", nsp.getParam("b").reshape(2));
        }
        denseLayer(m, CLASSIFIER, "classifier.");
        denseLayer(m, QA_OUTPUTS, "qa_outputs.");
        return m;
    }

    /** A stock DL4J dense/output layer under HuggingFace's names: weight [out, in] (the transpose of W), bias [out]. */
    private void denseLayer(Map<String, INDArray> m, String layer, String hfPrefix) {
        if (!graph.getConfiguration().getVertices().containsKey(layer)) return;
        org.deeplearning4j.nn.api.Layer l = graph.getLayer(layer);
        if (l == null || l.numParams() == 0) return;
        INDArray w = l.getParam("W");
        m.put(hfPrefix + "weight", w.transpose());
        m.put(hfPrefix + "bias", l.getParam("b").reshape(w.size(1)));
    }

    /** Parameter counts per HuggingFace top-level module (mobilebert.embeddings, mobilebert.encoder, ...). */
    public Map<String, Long> paramCountsByModule() {
        Map<String, Long> m = new LinkedHashMap<>();
        hfParams().forEach((k, v) -> {
            String[] parts = k.split("\\.");
            m.merge(parts[0] + "." + parts[1], v.length(), Long::sum);
        });
        return m;
    }

    /**
     * Layer {@code layer}'s output [B, T, H] and attention distribution [B, heads, T, T] (inference mode), computed by
     * running the embeddings and layers 0..layer only: what a distillation target needs, without the layers above,
     * the pooler and the vocabulary-wide MLM logits at every position that {@link #forwardWithIntermediates} computes
     * (for the IB-BERT teacher at batch 8 those logits alone are ~32 GFLOP).
     */
    public INDArray[] layerOutputAndAttention(INDArray inputIds, INDArray tokenTypeIds, INDArray attentionMask, int layer) {
        if (layer < 0 || layer >= config.numHiddenLayers) {
            throw new IllegalArgumentException("layer " + layer + " outside the model's " + config.numHiddenLayers + " layers");
        }
        DataType t = graph.getConfiguration().getDataType();
        int b = (int) inputIds.size(0), seq = (int) inputIds.size(1);
        Blocks.Dims d = new Blocks.Dims(b, seq);
        INDArray mask = attentionMask.castTo(t);
        INDArray maskBias = mask.minNumber().doubleValue() >= 1.0 ? null : F.maskBias(mask, t);
        Var table = vertexVars(WORD_TABLE).get("weight");
        Var x = Blocks.embeddings(null, config, vertexVars(EMBEDDINGS), ids(inputIds), ids(tokenTypeIds), table, d, false);
        Blocks.Out out = null;
        for (int i = 0; i <= layer; i++) {
            out = Blocks.layer(null, config, vertexVars(layerName(i)), x, maskBias, d, false);
            x = out.output();
        }
        return new INDArray[]{x.value.reshape(b, seq, config.hiddenSize), out.attention()};
    }

    private Map<String, Var> vertexVars(String vertex) {
        BlockGraphVertex v = (BlockGraphVertex) graph.getVertex(vertex);
        String prefix = Blocks.hfPrefix(v.kind(), v.index());
        Map<String, Var> m = new LinkedHashMap<>();
        v.hfParams().forEach((name, view) -> m.put(name.substring(prefix.length()), Var.of(view)));
        return m;
    }

    private static int[] ids(INDArray a) {
        return a.castTo(DataType.INT).dup('c').data().asInt();
    }

    /** Everything one forward pass computes, in the oracle's names and layouts. */
    public record Outputs(Map<String, INDArray> tensors) {}

    /**
     * The pre-softmax attention scores [B, heads, T, T] of layer {@code layer} (0-based) in this model's last forward
     * pass, e.g. {@link #forwardWithIntermediates} (q·kᵀ/√d plus the −10000 bias of padded keys; TinyBERT's target).
     */
    public INDArray attentionScores(int layer) {
        INDArray s = ((BlockGraphVertex) graph.getVertex(layerName(layer))).lastScores();
        if (s == null) throw new IllegalStateException("no forward pass of layer " + layer + " yet");
        return s.dup();
    }

    /**
     * Runs the pretraining model on [B, T] ids/types/mask (any numeric type) and returns hidden_states.0..L,
     * attentions.0..L-1, last_hidden_state, pooled_output, mlm_logits (every position) and nsp_logits (the pre-softmax
     * attention scores of that pass: {@link #attentionScores}).
     */
    public Map<String, INDArray> forwardWithIntermediates(INDArray inputIds, INDArray tokenTypeIds, INDArray attentionMask) {
        DataType t = graph.getConfiguration().getDataType();
        int b = (int) inputIds.size(0), seq = (int) inputIds.size(1);
        INDArray ids = inputIds.castTo(t), types = tokenTypeIds.castTo(t), mask = attentionMask.castTo(t);
        INDArray positions = Nd4j.arange(seq).castTo(t).reshape(1, seq).repeat(0, b);
        graph.setLayerMaskArrays(new INDArray[]{mask, mask, Nd4j.ones(t, b, seq)}, null);
        Map<String, INDArray> acts;
        try {
            acts = graph.feedForward(new INDArray[]{ids, types, positions}, false, false);
        } finally {
            graph.clearLayerMaskArrays();
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put("hidden_states.0", acts.get(EMBEDDINGS).dup());
        for (int i = 0; i < config.numHiddenLayers; i++) {
            out.put("hidden_states." + (i + 1), acts.get(layerName(i)).dup());
        }
        for (int i = 0; i < config.numHiddenLayers; i++) {
            out.put("attentions." + i, ((BlockGraphVertex) graph.getVertex(layerName(i))).lastAttention().dup());
        }
        out.put("last_hidden_state", out.get("hidden_states." + config.numHiddenLayers));
        out.put("pooled_output", acts.get(POOLER).dup());
        out.put("mlm_logits", acts.get(MLM).reshape(b, seq, config.vocabSize).dup());
        out.put("nsp_logits", acts.get(NSP_LOSS).dup());
        return out;
    }
}
