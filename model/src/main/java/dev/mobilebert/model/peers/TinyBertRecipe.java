package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * TinyBERT's two distillation objectives on the pretraining graph (MLM and NSP losses kept at weight 0 so the graph
 * and its parameter layout stay the pretraining graph's):
 * <ul>
 *   <li>{@link Stage#INTERMEDIATE}: embedding-layer, hidden-state and attention distillation: {@code MSE(h_s·W_hᵀ + b, h_t)} with
 *       a learnable projection ({@link PeerVertex} {@code PROJECT}, TinyBERT's {@code fit_dense}) per mapped layer:
 *       student embeddings ↔ teacher embeddings, student layer m ↔ teacher layer g(m) ({@link LayerMap}). TinyBERT's
 *       code averages over every position, padding included (default here; {@code excludePadding} averages over real
 *       tokens). TinyBERT shares one {@code fit_dense} between all layers; DL4J's graph cannot share a parameter
 *       between vertices, so each mapped layer has its own (M+1 projections of h_s·h_t + h_t parameters; they are
 *       not part of the student and are dropped when it is exported); plus, per mapped layer, the MSE of the
 *       pre-softmax attention scores [B, A, T, T] (student layer m vs teacher layer g(m), heads paired one to one) with
 *       TinyBERT's zeroing of mask-biased scores ({@link MeanSquaredError} {@code zeroMaskedScores}; {@link PeerVertex}
 *       {@code SCORES} reads them from the layer vertex). Like TinyBERT's {@code MSELoss()} it averages over every
 *       element, padded query rows included.</li>
 *   <li>{@link Stage#PREDICTION}: soft cross-entropy on the MLM logits at the masked positions with temperature T,
 *       not multiplied by T² ({@link TemperedKlDivergence}).</li>
 * </ul>
 */
public final class TinyBertRecipe implements PeerRecipe {
    public enum Stage { INTERMEDIATE, PREDICTION }

    public static final String DISTILL_EMB = "distillEmb", DISTILL_MLM = "distillMlm", FIT_DENSE_EMB = "fitDenseEmb";

    public static String hiddenOutput(int studentLayer) { return "distillHidden" + studentLayer; }
    public static String fitDense(int studentLayer) { return "fitDense" + studentLayer; }
    public static String attentionOutput(int studentLayer) { return "distillAtt" + studentLayer; }
    public static String scores(int studentLayer) { return "attScores" + studentLayer; }

    private final Stage stage;
    private final LayerMap map;
    private final int teacherHidden;
    private final double embeddingWeight, hiddenWeight, attentionWeight, predictionWeight, temperature;
    private final boolean excludePadding;

    /** TinyBERT's intermediate stage with the attention-score term at weight 1. */
    public TinyBertRecipe(Stage stage, LayerMap map, int teacherHidden, double embeddingWeight, double hiddenWeight,
                          double predictionWeight, double temperature, boolean excludePadding) {
        this(stage, map, teacherHidden, embeddingWeight, hiddenWeight, 1.0, predictionWeight, temperature, excludePadding);
    }

    /** @param attentionWeight weight of the attention-score MSE (0: no attention outputs in the graph) */
    public TinyBertRecipe(Stage stage, LayerMap map, int teacherHidden, double embeddingWeight, double hiddenWeight,
                          double attentionWeight, double predictionWeight, double temperature, boolean excludePadding) {
        this.stage = stage;
        this.attentionWeight = attentionWeight;
        this.map = map;
        this.teacherHidden = teacherHidden;
        this.embeddingWeight = embeddingWeight;
        this.hiddenWeight = hiddenWeight;
        this.predictionWeight = predictionWeight;
        this.temperature = temperature;
        this.excludePadding = excludePadding;
    }

    /** TinyBERT's defaults: every term weight 1, temperature 1, padding included. */
    public static TinyBertRecipe of(Stage stage, LayerMap map, int teacherHidden) {
        return new TinyBertRecipe(stage, map, teacherHidden, 1, 1, 1, 1, false);
    }

    public Stage stage() { return stage; }
    public LayerMap layerMap() { return map; }

    @Override public String name() { return "tinybert-" + stage.name().toLowerCase(); }

    @Override
    public ComputationGraphConfiguration conf(MobileBertConfig s, IUpdater updater, long seed, DataType type) {
        if (map.studentDepth() != s.numHiddenLayers) {
            throw new IllegalArgumentException("layer map " + map + " has " + map.studentDepth() + " student layers, the student " + s.numHiddenLayers);
        }
        var b = PeerRecipe.pretrainingBuilder(s, updater, seed, type, 0, 0);
        if (stage == Stage.PREDICTION) {
            return b.addLayer(DISTILL_MLM, PeerRecipe.lossLayer(new TemperedKlDivergence(predictionWeight, s.vocabSize, temperature, false)), MobileBertModel.MLM)
                    .setOutputs(MobileBertModel.MLM_LOSS, MobileBertModel.NSP_LOSS, DISTILL_MLM)
                    .build();
        }
        List<String> outputs = new ArrayList<>(List.of(MobileBertModel.MLM_LOSS, MobileBertModel.NSP_LOSS));
        outputs.addAll(addIntermediateOutputs(b, s, teacherHidden, embeddingWeight, hiddenWeight, attentionWeight, updater));
        return b.setOutputs(outputs.toArray(String[]::new)).build();
    }

    /**
     * Labels: masked_lm_ids, next_sentence_labels, then INTERMEDIATE: the teacher's embeddings output and hidden states
     * of layers g(0..M−1) as [B, T·H_t] (mask: none, or the input mask with {@code excludePadding}), then the teacher's
     * pre-softmax attention scores of layers g(0..M−1) as [B, A·T·T] (no mask; TinyBERT zeroes the mask-biased ones
     * in the loss) unless the attention weight is 0; PREDICTION: the
     * teacher's MLM logits at the masked positions (mask masked_lm_weights).
     */
    @Override
    public MultiDataSet batch(MobileBertModel teacher, MultiDataSet c) {
        DataType type = c.getFeatures(0).dataType();
        var out = teacher.forwardWithIntermediates(c.getFeatures(0), c.getFeatures(1), c.getFeaturesMaskArray(0));
        if (stage == Stage.PREDICTION) {
            return PeerRecipe.withLabels(c, new INDArray[]{PeerRecipe.logitsAtPositions(out, c.getFeatures(2), type)},
                    new INDArray[]{c.getLabelsMaskArray(0)});
        }
        Targets t = intermediateTargets(map, out.get("hidden_states.0"), l -> out.get("hidden_states." + (l + 1)),
                attentionWeight != 0 ? teacher::attentionScores : null, excludePadding ? c.getFeaturesMaskArray(0) : null, type);
        INDArray[] labels = t.labels(), masks = t.masks();
        return PeerRecipe.withLabels(c, labels, masks);
    }

    /**
     * Adds the intermediate-layer objective to a student graph whose vertices are named as the pretraining graph's
     * ({@code embeddings}, {@code layer0..}): a projection + MSE on the embeddings and on every layer's output, and
     * (attention weight ≠ 0) the MSE of every layer's pre-softmax attention scores. Returns the loss outputs in label
     * order: embeddings, layers 0..M−1, then attention 0..M−1. Shared by the general and the task-specific stage.
     */
    static List<String> addIntermediateOutputs(ComputationGraphConfiguration.GraphBuilder b,
                                                         MobileBertConfig s, int teacherHidden, double embeddingWeight,
                                                         double hiddenWeight, double attentionWeight, IUpdater updater) {
        List<String> outputs = new ArrayList<>();
        List<String> attention = new ArrayList<>();
        b.addVertex(FIT_DENSE_EMB, PeerVertex.project(FIT_DENSE_EMB, s.hiddenSize, teacherHidden, s.initializerRange, updater), MobileBertModel.EMBEDDINGS)
                .addLayer(DISTILL_EMB, PeerRecipe.lossLayer(new MeanSquaredError(embeddingWeight, teacherHidden, false)), FIT_DENSE_EMB);
        outputs.add(DISTILL_EMB);
        for (int m = 0; m < s.numHiddenLayers; m++) {
            b.addVertex(fitDense(m), PeerVertex.project(fitDense(m), s.hiddenSize, teacherHidden, s.initializerRange, updater), MobileBertModel.layerName(m))
                    .addLayer(hiddenOutput(m), PeerRecipe.lossLayer(new MeanSquaredError(hiddenWeight, teacherHidden, false)), fitDense(m));
            outputs.add(hiddenOutput(m));
            if (attentionWeight != 0) {
                // width 1: every score is its own slot, so the mean runs over all B·A·T·T elements whatever T is
                b.addVertex(scores(m), PeerVertex.scores(scores(m), s.hiddenSize, s.numAttentionHeads), MobileBertModel.layerName(m))
                        .addLayer(attentionOutput(m), PeerRecipe.lossLayer(new MeanSquaredError(attentionWeight, 1, true)), scores(m));
                attention.add(attentionOutput(m));
            }
        }
        outputs.addAll(attention);
        return outputs;
    }

    /** Teacher targets of {@link #addIntermediateOutputs}'s outputs, in the same order, with their label masks. */
    record Targets(INDArray[] labels, INDArray[] masks) {}

    /**
     * @param embeddings    the teacher's embedding output [B, T, H_t]
     * @param hidden        teacher layer (0-based) → its output [B, T, H_t]
     * @param scores        teacher layer → its pre-softmax attention scores [B, A, T, T] (null: no attention term)
     * @param mask          label mask of the per-token MSEs ([B, T] input mask), or null for every position
     */
    static Targets intermediateTargets(LayerMap map, INDArray embeddings, IntFunction<INDArray> hidden,
                                       IntFunction<INDArray> scores, INDArray mask, DataType type) {
        int m = map.studentDepth();
        int n = 1 + m + (scores != null ? m : 0);
        INDArray[] labels = new INDArray[n], masks = new INDArray[n];
        labels[0] = PeerRecipe.tokens(embeddings, type);
        masks[0] = mask;
        for (int i = 0; i < m; i++) {
            labels[1 + i] = PeerRecipe.tokens(hidden.apply(map.teacherLayer(i)), type);
            masks[1 + i] = mask;
            if (scores != null) {
                INDArray sc = scores.apply(map.teacherLayer(i));
                labels[1 + m + i] = sc.dup('c').reshape('c', sc.size(0), sc.length() / sc.size(0)).castTo(type);
            }
        }
        return new Targets(labels, masks);
    }
}