package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.finetune.FinetuneGraphs;
import dev.mobilebert.model.finetune.FinetuneHead;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TinyBERT's task-specific distillation (its {@code task_distill.py}) on a GLUE fine-tuning graph
 * ({@link FinetuneGraphs}: encoder, pooler, {@code classifier}), against a teacher fine-tuned on the same task:
 * <ul>
 *   <li>{@link TinyBertRecipe.Stage#INTERMEDIATE}: the intermediate-layer objective of the general stage (projected
 *       embedding and hidden-state MSE, attention-score MSE; {@link TinyBertRecipe#addIntermediateOutputs}) on the
 *       task's sequences; the classifier's own loss is kept at weight 0 (the graph stays the fine-tuning graph);</li>
 *   <li>{@link TinyBertRecipe.Stage#PREDICTION}: the classifier's loss is replaced by the soft cross-entropy against
 *       the teacher's logits with temperature T ({@link TemperedKlDivergence}, no T²) — for regression (STS-B) by the
 *       MSE between the student's and the teacher's outputs, as TinyBERT's code does. No hard labels, as in TinyBERT.</li>
 * </ul>
 * Both stages' graphs have the fine-tuning graph's vertex names, so parameters move between them, and from a general
 * TinyBERT student, by name; the PREDICTION graph <em>is</em> a fine-tuning graph (only its loss differs), so its
 * checkpoints are evaluated and used for predictions like any fine-tuned model's.
 *
 * <p>Batches: the fine-tuning minibatches of {@code FinetuneBatches.classification} (ids, segment ids, input mask,
 * one label array); labels become the label (weight 0) + the teacher's intermediate targets, or the teacher's logits.
 */
public final class TinyBertTaskRecipe implements PeerRecipe {
    private final TinyBertRecipe.Stage stage;
    private final LayerMap map;
    private final int teacherHidden;
    private final FinetuneHead head;
    private final int seqLength;
    private final double temperature;
    private final boolean excludePadding;

    public TinyBertTaskRecipe(TinyBertRecipe.Stage stage, LayerMap map, int teacherHidden, FinetuneHead head, int seqLength,
                              double temperature, boolean excludePadding) {
        if (head.kind() == FinetuneHead.Kind.SPAN) throw new IllegalArgumentException("TinyBERT task distillation is built for GLUE heads, not span extraction");
        this.stage = stage;
        this.map = map;
        this.teacherHidden = teacherHidden;
        this.head = head;
        this.seqLength = seqLength;
        this.temperature = temperature;
        this.excludePadding = excludePadding;
    }

    public TinyBertRecipe.Stage stage() { return stage; }

    @Override public String name() { return "tinybert-task-" + stage.name().toLowerCase(); }

    @Override
    public ComputationGraphConfiguration conf(MobileBertConfig s, IUpdater updater, long seed, DataType type) {
        if (map.studentDepth() != s.numHiddenLayers) {
            throw new IllegalArgumentException("layer map " + map + " has " + map.studentDepth() + " student layers, the student " + s.numHiddenLayers);
        }
        ComputationGraphConfiguration conf = FinetuneGraphs.conf(s, head, seqLength, updater, seed, type);
        if (stage == TinyBertRecipe.Stage.PREDICTION) {
            PeerRecipe.replaceLoss(conf, MobileBertModel.CLASSIFIER, old -> head.kind() == FinetuneHead.Kind.REGRESSION
                    ? new MeanSquaredError(1, 1, false)
                    : new TemperedKlDivergence(1, head.numLabels(), temperature, false));
            return conf;
        }
        PeerRecipe.weigh(conf, MobileBertModel.CLASSIFIER, 0);
        var b = PeerRecipe.extend(conf, updater, seed, type);
        List<String> outputs = new ArrayList<>(List.of(MobileBertModel.CLASSIFIER));
        outputs.addAll(TinyBertRecipe.addIntermediateOutputs(b, s, teacherHidden, 1, 1, 1, updater));
        return b.setOutputs(outputs.toArray(String[]::new)).build();
    }

    @Override
    public MultiDataSet batch(MobileBertModel teacher, MultiDataSet c) {
        DataType type = c.getFeatures(0).dataType();
        Map<String, INDArray> acts = activations(teacher.graph(), c);
        if (stage == TinyBertRecipe.Stage.PREDICTION) {
            return new org.nd4j.linalg.dataset.MultiDataSet(c.getFeatures(), new INDArray[]{acts.get(MobileBertModel.CLASSIFIER).castTo(type).dup()},
                    c.getFeaturesMaskArrays(), null);
        }
        var t = TinyBertRecipe.intermediateTargets(map, acts.get(MobileBertModel.EMBEDDINGS), l -> acts.get(MobileBertModel.layerName(l)),
                teacher::attentionScores, excludePadding ? c.getFeaturesMaskArray(0) : null, type);
        INDArray[] labels = new INDArray[1 + t.labels().length], masks = new INDArray[labels.length];
        labels[0] = c.getLabels(0);
        System.arraycopy(t.labels(), 0, labels, 1, t.labels().length);
        System.arraycopy(t.masks(), 0, masks, 1, t.masks().length);
        return new org.nd4j.linalg.dataset.MultiDataSet(c.getFeatures(), labels, c.getFeaturesMaskArrays(), masks);
    }

    /** The fine-tuned teacher's activations (inference mode) by vertex name; its attention scores stay in its layers. */
    static Map<String, INDArray> activations(ComputationGraph g, MultiDataSet c) {
        DataType t = g.getConfiguration().getDataType();
        INDArray mask = c.getFeaturesMaskArray(0).castTo(t);
        g.setLayerMaskArrays(new INDArray[]{mask, mask}, null);
        try {
            return g.feedForward(new INDArray[]{c.getFeatures(0).castTo(t), c.getFeatures(1).castTo(t)}, false, false);
        } finally {
            g.clearLayerMaskArrays();
        }
    }
}
