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
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stage of progressive knowledge transfer (PKT): stage {@code l} trains encoder layer {@code l} of the student on
 * its feature-map transfer + attention transfer loss against the teacher's layer {@code l}. Embeddings, heads and
 * layers above never change; layers below are either frozen or trained at a reduced learning rate (the official code:
 * 0.1× the active layer's).
 *
 * <p>How freezing works (see docs/transfer.md): the stage has its own graph, built from the student's pretraining
 * configuration with a per-vertex updater — the optimizer on the trained layers (a copy with the learning rate scaled
 * for the lower layers), DL4J's {@code NoOp} on every other vertex and on the NSP layer (whose regularization is
 * removed). The stage's forward/backward runs the blocks directly with a tape only for the trained layers, so frozen
 * parameters get exactly zero gradient; DL4J's NoOp updater passes that zero through and {@code params - 0} leaves
 * them bit-identical. Each stage's graph starts at iteration 0, so the warmup of the learning-rate schedule restarts
 * per stage; its updater state holds only the trained layers' moments.
 */
public final class ProgressiveStage {

    /** What happens to the layers below the one being transferred. */
    public enum LowerLayers { FROZEN, REDUCED_LEARNING_RATE }

    /**
     * @param layer        the encoder layer trained by this stage (0-based)
     * @param lowerLayers  frozen or trained at {@code lowerLearningRateFactor} × the schedule
     * @param optimizer    optimizer and schedule of the stage (warmup restarts per stage); clip_norm applies to the
     *                     stage's gradient
     * @param fmt          feature-map transfer weights (official: 100, 5000, 5)
     * @param attentionWeight attention transfer weight (official: 1)
     */
    public record Settings(int layer, LowerLayers lowerLayers, double lowerLearningRateFactor, OptimizerSettings optimizer,
                           FeatureMapTransfer.Weights fmt, double attentionWeight) {
        public static Settings official(int layer, OptimizerSettings optimizer) {
            return new Settings(layer, LowerLayers.FROZEN, 0.1, optimizer, FeatureMapTransfer.Weights.OFFICIAL, AttentionTransfer.OFFICIAL_WEIGHT);
        }

        boolean trains(int i) {
            return i == layer || (i < layer && lowerLayers == LowerLayers.REDUCED_LEARNING_RATE);
        }
    }

    /** Losses of one step (unweighted parts for metrics), the gradient norm before clipping and the learning rate. */
    public record StepResult(double loss, double fmt, double fmtMean, double fmtVariance, double attentionKl,
                             double gradNorm, double learningRate) {}

    private final MobileBertModel model;
    private final Settings settings;
    private final Map<String, Map<String, Var>> frozenVars = new LinkedHashMap<>();

    private ProgressiveStage(MobileBertModel model, Settings settings) {
        this.model = model;
        this.settings = settings;
    }

    /** A stage over the student's parameters {@code studentParams} (copied; the flattened pretraining layout). */
    public static ProgressiveStage start(MobileBertConfig student, INDArray studentParams, Settings settings, long seed) {
        if (settings.layer() < 0 || settings.layer() >= student.numHiddenLayers) {
            throw new IllegalArgumentException("stage layer " + settings.layer() + " outside the student's " + student.numHiddenLayers + " layers");
        }
        ComputationGraphConfiguration conf = stageConf(student, settings, studentParams.dataType(), seed);
        ComputationGraph g = new ComputationGraph(conf);
        g.init(studentParams, true);
        return resume(new MobileBertModel(student, g), settings);
    }

    /** Continues a stage whose graph (parameters, updater state, iteration count) was restored from a checkpoint. */
    public static ProgressiveStage resume(MobileBertModel stageModel, Settings settings) {
        ProgressiveStage s = new ProgressiveStage(stageModel, settings);
        initGradients(stageModel.graph());
        return s;
    }

    /**
     * DL4J's {@code initGradientsView()} always allocates a new gradient array, but an existing updater (created by a
     * checkpoint restore or {@code getUpdater()}) keeps views of the old one and would then update from stale views:
     * allocate only when there is none.
     */
    static void initGradients(ComputationGraph g) {
        if (g.getFlattenedGradients() == null) g.initGradientsView();
    }

    /**
     * The pretraining configuration with this stage's per-vertex optimizer (the parameter layout is unchanged): the
     * stage optimizer with its per-tensor weight decay and trust ratio ({@link OptimizerSettings#applyTo}) on the
     * trained layer, the same with the learning rate scaled on reduced-rate lower layers, and {@code NoOp} without any
     * regularization everywhere else — a frozen tensor must get neither an update nor weight decay.
     */
    public static ComputationGraphConfiguration stageConf(MobileBertConfig c, Settings s, DataType type, long seed) {
        ComputationGraphConfiguration conf = MobileBertModel.pretrainingConf(c, new NoOp(), seed, type);
        s.optimizer().applyTo(conf);
        IUpdater lower = scaled(s.optimizer(), s.lowerLearningRateFactor()).updater();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            if (v instanceof BlockVertex b) {
                boolean layer = b.kind() == BlockKind.LAYER && s.trains(b.index());
                if (!layer) {
                    b.configureOptimizer(new NoOp(), Map.of());
                } else if (b.index() != s.layer()) {
                    // DecoupledWeightDecay uses the learning rate DL4J passes from the updater: scaled with it
                    Map<String, java.util.List<org.nd4j.linalg.learning.regularization.Regularization>> reg = new LinkedHashMap<>();
                    for (String key : b.parameterKeys()) reg.put(key, b.getRegularizationByParam(key));
                    b.configureOptimizer(lower.clone(), reg);
                }
            } else if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                bl.setIUpdater(new NoOp());
                bl.setBiasUpdater(null);
                bl.setRegularization(new ArrayList<>());
                bl.setRegularizationBias(new ArrayList<>());
            }
        }
        return conf;
    }

    /** What the stage's optimizer does to each parameter tensor (trained tensors with or without decay; frozen ones: nothing). */
    public static java.util.List<OptimizerSettings.ParamPolicy> policies(ComputationGraphConfiguration stageConf, OptimizerSettings o) {
        java.util.List<OptimizerSettings.ParamPolicy> out = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> e : stageConf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof BlockVertex b)) continue;
            for (String key : b.parameterKeys()) {
                boolean decays = !b.getRegularizationByParam(key).isEmpty();
                out.add(new OptimizerSettings.ParamPolicy(e.getKey() + "_" + key, decays, decays && o.optimizer().equals("lamb")));
            }
        }
        return out;
    }

    /** The same optimizer with its learning rate (peak and end) multiplied by {@code factor}. */
    static OptimizerSettings scaled(OptimizerSettings o, double factor) {
        return new OptimizerSettings(o.optimizer(), o.learningRate() * factor, o.numWarmupSteps(), o.numTrainSteps(),
                o.decayPower(), o.endLearningRate() * factor, o.beta1(), o.beta2(), o.epsilon(), o.biasCorrection(),
                o.weightDecay(), o.excludeFromWeightDecay(), o.clipNorm());
    }

    public MobileBertModel model() { return model; }
    public Settings settings() { return settings; }
    public int iteration() { return model.graph().getConfiguration().getIterationCount(); }

    /** One optimizer step on a pretraining-contract batch against the teacher's targets for this stage's layer. */
    public StepResult step(MultiDataSet batch, TeacherTargets targets) {
        ComputationGraph g = model.graph();
        INDArray grad = g.getFlattenedGradients();
        grad.assign(0);
        Loss loss = forwardBackward(batch, targets, new Tape());
        double norm = grad.norm2Number().doubleValue();
        double clip = settings.optimizer().clipNorm();
        if (clip > 0 && norm > clip) grad.muli(clip / norm);
        int it = iteration();
        double lr = settings.optimizer().schedule().valueAt(it, 0);
        // the loss is a batch mean already: batch size 1 so that DL4J does not divide the step again
        g.getUpdater().update(new DefaultGradient(grad), it, g.getConfiguration().getEpochCount(), 1, LayerWorkspaceMgr.noWorkspaces());
        g.params().subi(grad.reshape(g.params().shape()));
        g.getConfiguration().setIterationCount(it + 1);
        return new StepResult(loss.total, loss.fmt.hiddenMse(), loss.fmt.meanLoss(), loss.fmt.varianceLoss(), loss.at.kl(), norm, lr);
    }

    /** The stage loss without updating anything (held-out evaluation, tests). */
    public StepResult evaluate(MultiDataSet batch, TeacherTargets targets) {
        Loss loss = forwardBackward(batch, targets, null);
        return new StepResult(loss.total, loss.fmt.hiddenMse(), loss.fmt.meanLoss(), loss.fmt.varianceLoss(), loss.at.kl(), 0, 0);
    }

    private record Loss(double total, FeatureMapTransfer.Result fmt, AttentionTransfer.Result at) {}

    /**
     * Embeddings and the layers up to this stage's, in inference mode (no dropout, as the official distillation runs
     * the student); the tape (null = no backward) records only the trained layers. Gradients go into DL4J's
     * flattened gradient view.
     */
    Loss forwardBackward(MultiDataSet batch, TeacherTargets targets, Tape tape) {
        MobileBertConfig c = model.config();
        INDArray idsA = batch.getFeatures(0), mask = batch.getFeaturesMaskArray(0);
        int b = (int) idsA.size(0), t = (int) idsA.size(1);
        DataType type = model.graph().params().dataType();
        Blocks.Dims d = new Blocks.Dims(b, t);
        INDArray maskBias = F.maskBias(mask, type);
        Var table = vars(MobileBertModel.WORD_TABLE, false).get("weight");
        Var x = Blocks.embeddings(null, c, vars(MobileBertModel.EMBEDDINGS, false), ids(idsA), ids(batch.getFeatures(1)), table, d, false);
        Blocks.Out out = null;
        for (int i = 0; i <= settings.layer(); i++) {
            boolean trains = tape != null && settings.trains(i);
            out = Blocks.layer(trains ? tape : null, c, vars(MobileBertModel.layerName(i), trains), x, maskBias, d, false);
            x = out.output();
        }
        INDArray teacherHidden = targets.hidden().castTo(type).reshape('c', (long) b * t, targets.hidden().size(2));
        FeatureMapTransfer.Result fmt = FeatureMapTransfer.loss(tape, x, teacherHidden, mask, settings.fmt());
        AttentionTransfer.Result at = AttentionTransfer.loss(tape, out.attentionProbs(), targets.attention(), mask, settings.attentionWeight());
        Var total = F.add(tape, fmt.loss(), at.loss());
        if (tape != null) tape.backward(total, Nd4j.scalar(type, 1.0));
        return new Loss(total.value.getDouble(0), fmt, at);
    }

    /** HF-relative name → Var over the vertex's parameter views; trained ones add their gradient into DL4J's view. */
    private Map<String, Var> vars(String vertex, boolean trains) {
        if (!trains && frozenVars.containsKey(vertex)) return frozenVars.get(vertex);
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
        if (!trains) frozenVars.put(vertex, out);
        return out;
    }

    private static int[] ids(INDArray a) {
        return a.castTo(DataType.INT).dup('c').data().asInt();
    }
}
