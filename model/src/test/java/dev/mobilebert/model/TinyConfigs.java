package dev.mobilebert.model;

/** Very small configs covering every code path, for gradient checks and training smoke tests. */
public final class TinyConfigs {
    private TinyConfigs() {}

    /** MobileBERT shape: trigram, bottlenecks, shared q/k bottleneck, stacked FFNs, NoNorm, ReLU, pooler tanh. */
    public static MobileBertConfig mobileBert() {
        MobileBertConfig c = new MobileBertConfig();
        c.vocabSize = 23; c.embeddingSize = 4; c.hiddenSize = 8; c.intraBottleneckSize = 6;
        c.numHiddenLayers = 2; c.numAttentionHeads = 2; c.intermediateSize = 10; c.numFeedforwardNetworks = 2;
        c.trigramInput = true; c.useBottleneck = true; c.useBottleneckAttention = false; c.keyQuerySharedBottleneck = true;
        c.normalizationType = "no_norm"; c.hiddenAct = "relu"; c.classifierActivation = true;
        c.maxPositionEmbeddings = 10; c.typeVocabSize = 2; c.hiddenDropoutProb = 0; c.attentionProbsDropoutProb = 0;
        c.initializerRange = 0.5;
        return c;
    }

    /** LayerNorm + GELU, no bottleneck, no trigram (BERT-like). */
    static MobileBertConfig bertLike() {
        MobileBertConfig c = mobileBert();
        c.trigramInput = false; c.useBottleneck = false; c.keyQuerySharedBottleneck = false; c.numFeedforwardNetworks = 1;
        c.normalizationType = "layer_norm"; c.hiddenAct = "gelu"; c.classifierActivation = false;
        return c;
    }

    /** IB-BERT teacher semantics: Q, K, V from the inter-block state, projected to the wider intra-block size. */
    static MobileBertConfig teacher() {
        MobileBertConfig c = mobileBert();
        c.hiddenSize = 6; c.intraBottleneckSize = 8; c.keyQuerySharedBottleneck = false; c.numFeedforwardNetworks = 1;
        c.normalizationType = "layer_norm"; c.hiddenAct = "gelu_new";
        return c;
    }

    /** MobileBERT-TINY shape: Q, K, V and residual from the input bottleneck. */
    static MobileBertConfig bottleneckAttention() {
        MobileBertConfig c = mobileBert();
        c.useBottleneckAttention = true; c.keyQuerySharedBottleneck = false; c.hiddenAct = "tanh";
        return c;
    }
}
