package dev.mobilebert.model.transfer;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.graph.BlockGraphVertex;
import dev.mobilebert.model.graph.BlockVertex;
import dev.mobilebert.model.nn.BlockKind;
import dev.mobilebert.model.nn.Blocks;
import dev.mobilebert.model.nn.F;
import dev.mobilebert.model.nn.Tape;
import dev.mobilebert.model.nn.Var;
import dev.mobilebert.optim.OptimizerSettings;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The paper's two ablation baselines of progressive transfer, as one training step each (no Spark here):
 * <ul>
 *   <li>JKT (joint knowledge transfer): all encoder layers at once on Σ_l (FMT_l + AT_l) against teacher layer l;
 *   embeddings and heads (copied from the teacher) frozen. Pre-training distillation follows as a separate run.</li>
 *   <li>AKT (auxiliary knowledge transfer): one objective Σ_l (FMT_l + AT_l) + w·(KD + NSP) — the layer-wise
 *   transfer losses as auxiliary losses of pre-training distillation; every parameter trained.</li>
 * </ul>
 * Same mechanics as {@link ProgressiveStage}: the graph is the pretraining configuration (same parameter layout) with
 * a per-vertex optimizer (NoOp and no weight decay on frozen vertices), the forward/backward runs the blocks in
 * inference mode (no dropout) with a tape, gradients go into DL4J's flattened view and DL4J's updater applies them.
 */
public final class JointTransfer {
    public enum Mode { JKT, AKT }

    /**
     * @param pdWeight weight of the distillation loss (KD + NSP) in AKT's objective (unused by JKT)
     */
    public record Settings(Mode mode, OptimizerSettings optimizer, FeatureMapTransfer.Weights fmt, double attentionWeight,
                           PretrainingDistillation.Settings distillation, double pdWeight) {
        public static Settings official(Mode mode, OptimizerSettings optimizer) {
            return new Settings(mode, optimizer, FeatureMapTransfer.Weights.OFFICIAL, AttentionTransfer.OFFICIAL_WEIGHT,
                    PretrainingDistillation.Settings.OFFICIAL, 1.0);
        }
    }

    /** Layer means of the transfer terms; KD/MLM/NSP only for AKT (NaN for JKT). */
    public record StepResult(double loss, double fmt, double fmtMean, double fmtVariance, double attentionKl, double kd,
                             double mlm, double nsp, double mlmAccuracy, double nspAccuracy, double gradNorm, double learningRate) {}

    private final MobileBertModel model;
    private final Settings settings;

    private JointTransfer(MobileBertModel model, Settings settings) {
        this.model = model;
        this.settings = settings;
    }

    /** Continues from a graph built from {@link #conf} (fresh or restored from a checkpoint). */
    public static JointTransfer resume(MobileBertModel model, Settings settings) {
        ProgressiveStage.initGradients(model.graph());
        return new JointTransfer(model, settings);
    }

    public static JointTransfer start(MobileBertConfig student, INDArray studentParams, Settings settings, long seed) {
        ComputationGraph g = new ComputationGraph(conf(student, settings, studentParams.dataType(), seed));
        g.init(studentParams, true);
        return resume(new MobileBertModel(student, g), settings);
    }

    /** JKT: the optimizer on the encoder layers only; AKT: on everything. */
    public static ComputationGraphConfiguration conf(MobileBertConfig c, Settings s, DataType type, long seed) {
        ComputationGraphConfiguration conf = MobileBertModel.pretrainingConf(c, new NoOp(), seed, type);
        s.optimizer().applyTo(conf);
        if (s.mode() == Mode.AKT) return conf;
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof BlockVertex b && b.kind() != BlockKind.LAYER) {
                b.configureOptimizer(new NoOp(), Map.of());
            } else if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                bl.setIUpdater(new NoOp());
                bl.setBiasUpdater(null);
                bl.setRegularization(new ArrayList<>());
                bl.setRegularizationBias(new ArrayList<>());
            }
        }
        return conf;
    }

    public MobileBertModel model() { return model; }

    /**
     * One optimizer step. {@code teacher} is the teacher's {@link MobileBertModel#forwardWithIntermediates} on this
     * batch (hidden_states.l, attentions.l, mlm_logits).
     */
    public StepResult step(MultiDataSet batch, Map<String, INDArray> teacher) {
        ComputationGraph g = model.graph();
        INDArray grad = g.getFlattenedGradients();
        grad.assign(0);
        StepResult r = forwardBackward(batch, teacher, new Tape());
        double norm = grad.norm2Number().doubleValue();
        double clip = settings.optimizer().clipNorm();
        if (clip > 0 && norm > clip) grad.muli(clip / norm);
        int it = g.getConfiguration().getIterationCount();
        double lr = settings.optimizer().schedule().valueAt(it, 0);
        // the loss is a batch mean already: batch size 1 so that DL4J does not divide the step again
        g.getUpdater().update(new DefaultGradient(grad), it, g.getConfiguration().getEpochCount(), 1, LayerWorkspaceMgr.noWorkspaces());
        g.params().subi(grad.reshape(g.params().shape()));
        g.getConfiguration().setIterationCount(it + 1);
        return new StepResult(r.loss(), r.fmt(), r.fmtMean(), r.fmtVariance(), r.attentionKl(), r.kd(), r.mlm(), r.nsp(),
                r.mlmAccuracy(), r.nspAccuracy(), norm, lr);
    }

    /** The objective without updating anything. */
    public StepResult evaluate(MultiDataSet batch, Map<String, INDArray> teacher) {
        return forwardBackward(batch, teacher, null);
    }

    StepResult forwardBackward(MultiDataSet batch, Map<String, INDArray> teacher, Tape tape) {
        MobileBertConfig c = model.config();
        boolean akt = settings.mode() == Mode.AKT;
        INDArray idsA = batch.getFeatures(0), mask = batch.getFeaturesMaskArray(0);
        int b = (int) idsA.size(0), t = (int) idsA.size(1), layers = c.numHiddenLayers;
        DataType type = model.graph().params().dataType();
        Blocks.Dims d = new Blocks.Dims(b, t);
        Tape outer = akt ? tape : null; // JKT: embeddings frozen, no tape before the first layer
        Var table = vars(MobileBertModel.WORD_TABLE, akt && tape != null).get("weight");
        Var x = Blocks.embeddings(outer, c, vars(MobileBertModel.EMBEDDINGS, akt && tape != null), ids(idsA), ids(batch.getFeatures(1)), table, d, false);
        INDArray maskBias = F.maskBias(mask, type);
        Var total = null;
        double fmt = 0, fmtMean = 0, fmtVar = 0, kl = 0;
        for (int i = 0; i < layers; i++) {
            Blocks.Out out = Blocks.layer(tape, c, vars(MobileBertModel.layerName(i), tape != null), x, maskBias, d, false);
            x = out.output();
            INDArray th = teacher.get("hidden_states." + (i + 1));
            INDArray teacherHidden = th.castTo(type).reshape('c', (long) b * t, th.size(2));
            FeatureMapTransfer.Result f = FeatureMapTransfer.loss(tape, x, teacherHidden, mask, settings.fmt());
            AttentionTransfer.Result a = AttentionTransfer.loss(tape, out.attentionProbs(), teacher.get("attentions." + i), mask, settings.attentionWeight());
            Var layerLoss = F.add(tape, f.loss(), a.loss());
            total = total == null ? layerLoss : F.add(tape, total, layerLoss);
            fmt += f.hiddenMse() / layers;
            fmtMean += f.meanLoss() / layers;
            fmtVar += f.varianceLoss() / layers;
            kl += a.kl() / layers;
        }
        double kd = Double.NaN, mlm = Double.NaN, nsp = Double.NaN, mlmAcc = Double.NaN, nspAcc = Double.NaN;
        if (akt) {
            INDArray positions = batch.getFeatures(2);
            int p = (int) positions.size(1);
            int[] pos = ids(positions), rows = new int[pos.length];
            for (int k = 0; k < pos.length; k++) rows[k] = (k / p) * t + pos[k];
            Var studentMlm = Blocks.mlm(tape, c, vars(MobileBertModel.MLM, tape != null), x, rows, table);
            Var pooled = Blocks.pooler(tape, c, vars(MobileBertModel.POOLER, tape != null), x, d);
            Var studentNsp = nspLogits(tape, pooled);
            INDArray tm = teacher.get("mlm_logits"); // [B, T, V]
            INDArray teacherMlm = tm.reshape('c', (long) b * t, tm.size(2)).get(NDArrayIndex.indices(toLong(rows)), NDArrayIndex.all());
            PretrainingDistillation.Result pd = PretrainingDistillation.loss(tape, studentMlm, teacherMlm, batch.getLabels(0),
                    batch.getLabelsMaskArray(0), studentNsp, batch.getLabels(1), settings.distillation());
            total = F.add(tape, total, scale(tape, pd.loss(), settings.pdWeight()));
            kd = pd.kd(); mlm = pd.mlm(); nsp = pd.nsp(); mlmAcc = pd.mlmAccuracy(); nspAcc = pd.nspAccuracy();
        }
        if (tape != null) tape.backward(total, Nd4j.scalar(type, 1.0));
        return new StepResult(total.value.getDouble(0), fmt, fmtMean, fmtVar, kl, kd, mlm, nsp, mlmAcc, nspAcc, 0, 0);
    }

    /** cls.seq_relationship: the DL4J NSP output layer's W [H, 2] and b as parameters of the tape (identity activation). */
    private Var nspLogits(Tape tape, Var pooled) {
        Layer nsp = model.graph().getLayer(MobileBertModel.NSP_LOSS);
        INDArray w = nsp.getParam("W"), bias = nsp.getParam("b");
        if (tape == null) return Var.of(pooled.value.mmul(w).addiRowVector(bias));
        Map<String, INDArray> grads = nsp.conf().getLayer().initializer().getGradientsFromFlattened(nsp.conf(), nsp.getGradientsViewArray());
        // F.linear takes HF's [out, in] weight: the transpose views write the gradient into DL4J's layout
        return F.linear(tape, pooled, Var.param(w.transpose(), grads.get("W").transpose()), Var.param(bias.reshape(bias.length()), grads.get("b").reshape(bias.length())));
    }

    private Map<String, Var> vars(String vertex, boolean trains) {
        BlockGraphVertex v = (BlockGraphVertex) model.graph().getVertex(vertex);
        String prefix = Blocks.hfPrefix(v.kind(), v.index());
        INDArray params = model.graph().params(), grads = model.graph().getFlattenedGradients();
        INDArray gradRow = grads.reshape(grads.length());
        Map<String, Var> out = new LinkedHashMap<>();
        v.hfParams().forEach((name, view) -> {
            String rel = name.substring(prefix.length());
            if (!trains) {
                out.put(rel, Var.of(view));
                return;
            }
            long off = view.offset() - params.offset();
            INDArray sink = gradRow.get(NDArrayIndex.interval(off, off + view.length())).reshape('c', view.shape());
            out.put(rel, Var.param(view, sink));
        });
        return out;
    }

    private static Var scale(Tape t, Var x, double factor) {
        Var o = Var.of(x.value.mul(factor));
        if (t != null) t.record(() -> { if (o.grad() != null) x.accumulate(o.grad().mul(factor)); });
        return o;
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    private static int[] ids(INDArray a) {
        return a.castTo(DataType.INT).dup('c').data().asInt();
    }
}
