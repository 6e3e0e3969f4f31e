package dev.mobilebert.model.graph;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.nn.BlockKind;
import dev.mobilebert.model.nn.Blocks;
import dev.mobilebert.model.nn.F;
import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
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
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runtime side of {@link BlockVertex}: parameters are views into the graph's flattened parameter vector and
 * gradients are written into the flattened gradient view, so the updater, parameter averaging and ModelSerializer
 * all see them. Activations: token-level [B, T, width]; the word table [V, E]; pooled/heads [B, n].
 */
public final class BlockGraphVertex extends BaseGraphVertex {
    static {
        dev.mobilebert.model.nn.OpThreads.apply(); // executors too: this class loads wherever the model runs
    }

    private final BlockVertex conf;
    private final MobileBertConfig cfg;
    private final INDArray paramsView;
    private final Map<String, INDArray> params;      // DL4J keys -> views
    private final Map<String, String> hfNames;        // DL4J keys -> HF-relative names
    private Map<String, INDArray> grads;
    private INDArray gradView;
    private INDArray mask;
    private Tape tape;
    private Var out;
    private Var[] in;
    private Map<String, Var> paramVars;
    private INDArray lastAttention;
    private Var lastScores;

    BlockGraphVertex(BlockVertex conf, ComputationGraph graph, String name, int idx, INDArray paramsView,
                     boolean initializeParams, DataType dataType) {
        super(graph, name, idx, null, null, dataType);
        this.conf = conf;
        this.cfg = conf.config();
        this.paramsView = paramsView;
        this.hfNames = new LinkedHashMap<>();
        LinkedHashMap<String, long[]> shapes = Blocks.params(conf.kind(), cfg, conf.index());
        shapes.keySet().forEach(n -> hfNames.put(dl4jKey(n), n));
        this.params = slice(paramsView, shapes);
        if (initializeParams && !params.isEmpty()) Blocks.init(cfg, params, Nd4j.getRandom());
    }

    /** DL4J's updater splits gradient keys at the last '_': parameter keys must not contain one. */
    public static String dl4jKey(String hfRelative) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char ch : hfRelative.toCharArray()) {
            if (ch == '_') { up = true; continue; }
            sb.append(up ? Character.toUpperCase(ch) : ch);
            up = false;
        }
        return sb.toString();
    }

    private static Map<String, INDArray> slice(INDArray flat, LinkedHashMap<String, long[]> shapes) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (flat == null) return out;
        INDArray row = flat.rank() == 2 ? flat.get(NDArrayIndex.point(0), NDArrayIndex.all()) : flat;
        long off = 0;
        for (var e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) n *= d;
            out.put(dl4jKey(e.getKey()), row.get(NDArrayIndex.interval(off, off + n)).reshape('c', e.getValue()));
            off += n;
        }
        return out;
    }

    public BlockKind kind() { return conf.kind(); }
    public int index() { return conf.index(); }

    /** HF name (with prefix) -> parameter view. */
    public Map<String, INDArray> hfParams() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        String prefix = Blocks.hfPrefix(conf.kind(), conf.index());
        params.forEach((k, v) -> m.put(prefix + hfNames.get(k), v));
        return m;
    }

    /** The attention distribution [B, heads, T, T] of the last forward pass (transformer blocks only). */
    public INDArray lastAttention() { return lastAttention; }

    /** The pre-softmax attention scores [B, heads, T, T] of the last forward pass (mask bias included; layers only). */
    public INDArray lastScores() { return lastScores == null ? null : lastScores.value; }

    /**
     * Adds a loss gradient w.r.t. {@link #lastScores()} (a vertex downstream, e.g. TinyBERT's attention-score output,
     * calls this in its own backward pass, which DL4J runs before this vertex's); it flows into this layer's query and
     * key projections when this vertex runs its backward pass.
     */
    public void addScoresGradient(INDArray dScores) {
        if (lastScores == null || tape == null) throw new IllegalStateException("no training forward pass of a layer in " + vertexName);
        lastScores.accumulate(dScores.reshape(lastScores.value.shape()));
    }

    @Override public boolean hasLayer() { return false; }
    @Override public Layer getLayer() { return null; }
    @Override public String toString() { return "BlockGraphVertex(" + vertexName + ", " + conf.kind() + ")"; }

    /**
     * Inference intermediates go to one ND4J workspace per thread, shared by all block vertices (each detaches its
     * result before the next starts): after the first pass every allocation is a pointer bump in memory that is
     * reused, instead of a native malloc + JavaCPP bookkeeping + a free by the GC (docs/speed.md: allocation was ~25%
     * of the forward's native samples). Training keeps plain arrays: the tape holds them until backward.
     * -Dmobilebert.inferenceWorkspace=false (or {@link #useInferenceWorkspace}) turns it off.
     */
    private static volatile boolean inferenceWorkspace = !"false".equals(System.getProperty("mobilebert.inferenceWorkspace"));
    private static final String INFERENCE_WS = "mobilebert-block-inference";
    private static final WorkspaceConfiguration INFERENCE_WS_CONF = WorkspaceConfiguration.builder()
            .initialSize(0).policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).build();

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        // Our arrays must outlive DL4J's workspace scopes (the tape keeps them until backward).
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (!training && inferenceWorkspace) return forwardInWorkspace(workspaceMgr);
            tape = training ? new Tape() : null;
            // Parameter gradients collect in the Vars and are copied into DL4J's gradient view in doBackward: the view
            // may not exist yet at the first forward pass (ComputationGraph creates it lazily).
            Map<String, Var> p = new LinkedHashMap<>();
            params.forEach((k, v) -> p.put(hfNames.get(k), Var.of(v)));
            paramVars = p;
            in = new Var[inputs.length];
            for (int i = 0; i < inputs.length; i++) in[i] = Var.of(inputs[i]);
            INDArray result = compute(p, training);
            return workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS) ? result : workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, result);
        }
    }

    /** Turns the inference workspace on or off for the whole JVM (for comparisons; it is on by default). */
    public static void useInferenceWorkspace(boolean on) {
        inferenceWorkspace = on;
    }

    /** The inference forward with its intermediates in {@link #INFERENCE_WS}; what outlives it is detached. */
    private INDArray forwardInWorkspace(LayerWorkspaceMgr workspaceMgr) {
        tape = null;
        Map<String, Var> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(hfNames.get(k), Var.of(v)));
        paramVars = p;
        in = new Var[inputs.length];
        for (int i = 0; i < inputs.length; i++) in[i] = Var.of(inputs[i]);
        INDArray result;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(INFERENCE_WS_CONF, INFERENCE_WS)) {
            result = compute(p, false).detach();
            // out and lastAttention are read after this call (forwardWithIntermediates, attention transfer)
            if (out != null) out = Var.of(out.value.isAttached() ? result.reshape(out.value.shape()) : out.value);
            if (lastAttention != null && lastAttention.isAttached()) lastAttention = lastAttention.detach();
            // the pre-softmax scores are read after this call too (TinyBERT's teacher targets, MobileBertModel.attentionScores)
            if (lastScores != null && lastScores.value.isAttached()) lastScores = Var.of(lastScores.value.detach());
        }
        return workspaceMgr.isScopedOut(ArrayType.ACTIVATIONS) ? result : workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, result);
    }

    private INDArray compute(Map<String, Var> p, boolean training) {
        switch (conf.kind()) {
            case WORD_TABLE -> {
                out = p.get("weight");
                return out.value;
            }
            case EMBEDDINGS -> {
                int b = (int) inputs[0].size(0), t = (int) inputs[0].size(1);
                out = Blocks.embeddings(tape, cfg, p, ids(inputs[0]), ids(inputs[1]), in[2], new Blocks.Dims(b, t), training);
                return out.value.reshape(b, t, cfg.hiddenSize);
            }
            case LAYER -> {
                int b = (int) inputs[0].size(0), t = (int) inputs[0].size(1);
                Var x = flatTokens(in[0], b, t);
                // no padding anywhere: skip the mask-bias broadcast (one reduction instead)
                INDArray bias = mask == null || mask.minNumber().doubleValue() >= 1.0 ? null : F.maskBias(mask, inputs[0].dataType());
                Blocks.Out o = Blocks.layer(tape, cfg, p, x, bias, new Blocks.Dims(b, t), training);
                out = o.output();
                lastAttention = o.attention();
                lastScores = o.attentionScores();
                return out.value.reshape(b, t, cfg.hiddenSize);
            }
            case POOLER -> {
                int b = (int) inputs[0].size(0), t = (int) inputs[0].size(1);
                out = Blocks.pooler(tape, cfg, p, flatTokens(in[0], b, t), new Blocks.Dims(b, t));
                return out.value;
            }
            case MLM -> {
                int b = (int) inputs[0].size(0), t = (int) inputs[0].size(1);
                int[] pos = ids(inputs[1]);
                int per = (int) inputs[1].size(1);
                int[] rows = new int[pos.length];
                for (int i = 0; i < pos.length; i++) {
                    if (pos[i] < 0 || pos[i] >= t) throw new IllegalArgumentException("masked_lm_positions value " + pos[i] + " outside [0, " + t + ")");
                    rows[i] = (i / per) * t + pos[i];
                }
                out = Blocks.mlm(tape, cfg, p, flatTokens(in[0], b, t), rows, in[2]);
                return out.value.reshape(b, (long) per * cfg.vocabSize);
            }
            case NSP, CLASSIFIER -> {
                out = Blocks.head(tape, p, in[0]);
                return out.value;
            }
            case SPAN -> {
                int b = (int) inputs[0].size(0), t = (int) inputs[0].size(1);
                out = Blocks.head(tape, p, flatTokens(in[0], b, t));
                return out.value.reshape(b, t, 2);
            }
            default -> throw new IllegalStateException(conf.kind().toString());
        }
    }

    /** A [B, T, H] input seen as [B*T, H]; its gradient flows back to the 3-D input variable. */
    private Var flatTokens(Var x3, int b, int t) {
        INDArray flat = x3.value.reshape('c', (long) b * t, x3.value.size(2));
        Var v = Var.of(flat);
        if (tape != null) {
            // reshape gradient back to the input's layout
            recordReshape(v, x3);
        }
        return v;
    }

    private void recordReshape(Var from, Var to) {
        // tiny adapter op: registered on the tape before the ops that consume 'from', so it runs after them
        tape.record(() -> { if (from.grad() != null) to.accumulate(from.grad().reshape(to.value.shape())); });
    }

    private static int[] ids(INDArray a) {
        return a.castTo(DataType.INT).dup('c').data().asInt();
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (tape == null) throw new IllegalStateException("backward without a training forward pass in " + vertexName);
        Gradient g = new DefaultGradient();
        INDArray[] eps = new INDArray[inputs.length];
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray e = epsilon.reshape(out.value.shape());
            tape.backward(out, e);
            tape = null;
            if (grads != null) {
                grads.forEach((k, view) -> {
                    INDArray gk = paramVars.get(hfNames.get(k)).grad();
                    if (gk == null) view.assign(0);
                    else view.assign(gk.reshape(view.shape()));
                });
            }
            for (int i = 0; i < inputs.length; i++) {
                INDArray gi = in[i].grad();
                eps[i] = gi == null ? Nd4j.zeros(inputs[i].dataType(), inputs[i].shape()) : gi.reshape(inputs[i].shape());
            }
        }
        if (grads != null) grads.forEach((k, v) -> g.gradientForVariable().put(k, v));
        for (int i = 0; i < eps.length; i++) {
            if (!workspaceMgr.isScopedOut(ArrayType.ACTIVATION_GRAD)) eps[i] = workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, eps[i]);
        }
        return new Pair<>(g, eps);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray view) {
        this.gradView = view;
        this.grads = slice(view, Blocks.params(conf.kind(), cfg, conf.index()));
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
        INDArray m = maskArrays == null ? null : maskArrays[0];
        if (conf.kind() == BlockKind.EMBEDDINGS || conf.kind() == BlockKind.LAYER) {
            this.mask = m;
            return new Pair<>(m, m == null ? null : MaskState.Active);
        }
        if (conf.kind() == BlockKind.SPAN) return new Pair<>(m, m == null ? null : MaskState.Active);
        return new Pair<>(null, null);
    }

    @Override public void clearVertex() { clear(); tape = null; out = null; in = null; }
    @Override public Map<String, INDArray> paramTable(boolean backpropOnly) { return params; }
    @Override public TrainingConfig getConfig() { return conf; }
    @Override public INDArray params() { return paramsView; }
    @Override public long numParams() { return paramsView == null ? 0 : paramsView.length(); }
    @Override public INDArray getGradientsViewArray() { return gradView; }
    @Override public boolean updaterDivideByMinibatch(String paramName) { return true; }
}
