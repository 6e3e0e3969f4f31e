package dev.mobilebert.model.peers;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * DistilBERT's triple loss on the pretraining graph:
 * <pre>  loss = α_ce · T²·KL(softmax(z_t/T) ‖ softmax(z_s/T))   (masked positions, {@link TemperedKlDivergence})
 *        + α_mlm · MLM cross-entropy                         (masked positions, the model's loss)
 *        + α_cos · (1 − cos(h_s, h_t))                       (last hidden states, real tokens, {@link CosineEmbeddingLoss})
 *        + α_nsp · NSP                                       (DistilBERT has none: 0 by default)</pre>
 * Defaults are those of DistilBERT's {@code train.py} as used for distilbert-base-uncased: α_ce 5, α_mlm 2, α_cos 1,
 * T 2. Difference: the soft-target term is computed at the masked positions only — DistilBERT's
 * {@code --restrict_ce_to_mask} option; its default uses every real token, which here would mean B·T·V teacher
 * logits per batch (32·128·30522 floats = 500 MB) instead of B·P·V.
 */
public final class DistilBertRecipe implements PeerRecipe {
    public static final String DISTILL_MLM = "distillMlm", DISTILL_COS = "distillCos", FLAT_HIDDEN = "flatHidden";

    /** α_ce, α_mlm, α_cos, α_nsp and the temperature. */
    public record Weights(double alphaCe, double alphaMlm, double alphaCos, double alphaNsp, double temperature)
            implements java.io.Serializable {
        public static final Weights DEFAULTS = new Weights(5.0, 2.0, 1.0, 0.0, 2.0);
    }

    private final double alphaCe, alphaMlm, alphaCos, alphaNsp, temperature;

    public DistilBertRecipe(Weights w) {
        this.alphaCe = w.alphaCe();
        this.alphaMlm = w.alphaMlm();
        this.alphaCos = w.alphaCos();
        this.alphaNsp = w.alphaNsp();
        this.temperature = w.temperature();
    }

    public Weights weights() { return new Weights(alphaCe, alphaMlm, alphaCos, alphaNsp, temperature); }

    @Override public String name() { return "distilbert"; }

    @Override
    public ComputationGraphConfiguration conf(MobileBertConfig s, IUpdater updater, long seed, DataType type) {
        String last = MobileBertModel.layerName(s.numHiddenLayers - 1);
        return PeerRecipe.pretrainingBuilder(s, updater, seed, type, alphaMlm, alphaNsp)
                .addLayer(DISTILL_MLM, PeerRecipe.lossLayer(new TemperedKlDivergence(alphaCe, s.vocabSize, temperature, true)), MobileBertModel.MLM)
                .addVertex(FLAT_HIDDEN, PeerVertex.flatten(FLAT_HIDDEN, s.hiddenSize), last)
                .addLayer(DISTILL_COS, PeerRecipe.lossLayer(new CosineEmbeddingLoss(alphaCos, s.hiddenSize)), FLAT_HIDDEN)
                .setOutputs(MobileBertModel.MLM_LOSS, MobileBertModel.NSP_LOSS, DISTILL_MLM, DISTILL_COS)
                .build();
    }

    /** Labels: masked_lm_ids, next_sentence_labels, teacher MLM logits at the masked positions, teacher last hidden state. */
    @Override
    public MultiDataSet batch(MobileBertModel teacher, MultiDataSet c) {
        DataType type = c.getFeatures(0).dataType();
        var out = teacher.forwardWithIntermediates(c.getFeatures(0), c.getFeatures(1), c.getFeaturesMaskArray(0));
        INDArray weights = c.getLabelsMaskArray(0), inputMask = c.getFeaturesMaskArray(0);
        return PeerRecipe.withLabels(c,
                new INDArray[]{PeerRecipe.logitsAtPositions(out, c.getFeatures(2), type), PeerRecipe.tokens(out.get("last_hidden_state"), type)},
                new INDArray[]{weights, inputMask});
    }
}
