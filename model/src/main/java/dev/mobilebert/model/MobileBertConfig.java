package dev.mobilebert.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One architecture for the whole family (IB-BERT teacher, MobileBERT, MobileBERT-TINY, BERT baselines), driven by
 * the official/HuggingFace config JSON field names. Unknown fields are ignored, so HuggingFace config.json files
 * load as they are. A field that is absent takes the HuggingFace {@code MobileBertConfig} default (documented per
 * field; the google-research TF defaults differ where noted, which is why conf/models/ spells every field out).
 *
 * <p>Teacher semantics: when {@code use_bottleneck} is on and neither {@code use_bottleneck_attention} nor
 * {@code key_query_shared_bottleneck} is, queries, keys and values are projected from the inter-block hidden state
 * ({@code hidden_size} wide) to {@code true_hidden_size}, as the TF IB-BERT does; HuggingFace's code cannot build
 * that case (its query/key layers always take {@code true_hidden_size} inputs), every other case is identical.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public final class MobileBertConfig {
    /** WordPiece vocabulary size (BERT uncased: 30522). */
    @JsonProperty("vocab_size") public int vocabSize = 30522;
    /** Width of the word embedding table (128 in MobileBERT; = hidden_size in BERT). */
    @JsonProperty("embedding_size") public int embeddingSize = 128;
    /** Inter-block width: the feature map passed between blocks (512 in MobileBERT/IB-BERT). */
    @JsonProperty("hidden_size") public int hiddenSize = 512;
    /** Intra-block width when use_bottleneck (128 MobileBERT, 1024 IB-BERT teacher). */
    @JsonProperty("intra_bottleneck_size") public int intraBottleneckSize = 128;
    @JsonProperty("num_hidden_layers") public int numHiddenLayers = 24;
    @JsonProperty("num_attention_heads") public int numAttentionHeads = 4;
    @JsonProperty("intermediate_size") public int intermediateSize = 512;
    /** Stacked FFNs per block (HF default 4; TF default 1). */
    @JsonProperty("num_feedforward_networks") public int numFeedforwardNetworks = 4;
    /** Trigram (kernel-3) embedding input (HF default true; TF default false). */
    @JsonProperty("trigram_input") public boolean trigramInput = true;
    /** Bottleneck/inverted-bottleneck linear maps around each block (HF default true; TF default false). */
    @JsonProperty("use_bottleneck") public boolean useBottleneck = true;
    /** Q, K, V and the residual all from the input bottleneck. */
    @JsonProperty("use_bottleneck_attention") public boolean useBottleneckAttention = false;
    /** Q = K from a separate shared attention bottleneck, V from the hidden state (HF default true; TF false). */
    @JsonProperty("key_query_shared_bottleneck") public boolean keyQuerySharedBottleneck = true;
    /** layer_norm | no_norm (HF default no_norm; TF default layer_norm). */
    @JsonProperty("normalization_type") public String normalizationType = "no_norm";
    /** gelu (exact, erf) | gelu_new (tanh approximation) | relu | relu6 | tanh (HF default relu). */
    @JsonProperty("hidden_act") public String hiddenAct = "relu";
    /** Pooler dense+tanh (HF default true; the official OPT json and the HF hub model set false). */
    @JsonProperty("classifier_activation") public boolean classifierActivation = true;
    @JsonProperty("max_position_embeddings") public int maxPositionEmbeddings = 512;
    @JsonProperty("type_vocab_size") public int typeVocabSize = 2;
    @JsonProperty("hidden_dropout_prob") public double hiddenDropoutProb = 0.0;
    @JsonProperty("attention_probs_dropout_prob") public double attentionProbsDropoutProb = 0.1;
    @JsonProperty("initializer_range") public double initializerRange = 0.02;
    /** eps of every LayerNorm except embeddings.LayerNorm and output.LayerNorm (those use 1e-5, as HF does). */
    @JsonProperty("layer_norm_eps") public double layerNormEps = 1e-12;
    @JsonProperty("pad_token_id") public int padTokenId = 0;

    /** Derived (written for HuggingFace, ignored on read). */
    @JsonProperty(value = "true_hidden_size", access = JsonProperty.Access.READ_ONLY)
    public int trueHiddenSize() { return useBottleneck ? intraBottleneckSize : hiddenSize; }

    @JsonProperty(value = "model_type", access = JsonProperty.Access.READ_ONLY)
    public String modelType() { return "mobilebert"; }

    public boolean layerNorm() { return "layer_norm".equals(normalizationType); }

    /** The embedding transformation (a dense layer to hidden_size) runs when trigram input is on or widths differ. */
    public boolean embeddingTransformation() { return trigramInput || embeddingSize != hiddenSize; }

    /** True when a separate q/k bottleneck is computed (HF also creates it, unused, under use_bottleneck_attention). */
    public boolean sharedQueryKeyBottleneck() { return useBottleneck && !useBottleneckAttention && keyQuerySharedBottleneck; }

    /** Width of the tensor the query/key projections read (see the class comment on teacher semantics). */
    public int queryKeyInputSize() {
        if (!useBottleneck) return hiddenSize;
        return useBottleneckAttention || keyQuerySharedBottleneck ? trueHiddenSize() : hiddenSize;
    }

    public int valueInputSize() { return useBottleneck && useBottleneckAttention ? trueHiddenSize() : hiddenSize; }

    public MobileBertConfig validate(String source) {
        check(source, "vocab_size", vocabSize > 0);
        check(source, "hidden_size", hiddenSize > 0);
        check(source, "embedding_size", embeddingSize > 0 && embeddingSize <= hiddenSize);
        check(source, "num_attention_heads", numAttentionHeads > 0 && trueHiddenSize() % numAttentionHeads == 0);
        check(source, "num_feedforward_networks", numFeedforwardNetworks >= 1);
        check(source, "normalization_type", layerNorm() || "no_norm".equals(normalizationType));
        check(source, "hidden_act", java.util.Set.of("gelu", "gelu_new", "relu", "relu6", "tanh").contains(hiddenAct));
        check(source, "hidden_dropout_prob", hiddenDropoutProb >= 0 && hiddenDropoutProb < 1);
        check(source, "attention_probs_dropout_prob", attentionProbsDropoutProb >= 0 && attentionProbsDropoutProb < 1);
        return this;
    }

    private static void check(String source, String field, boolean ok) {
        if (!ok) throw new IllegalArgumentException(source + ": invalid or unsupported value for field '" + field + "'");
    }

    public static MobileBertConfig fromJson(String json, String source) {
        try {
            return Json.MAPPER.readValue(json, MobileBertConfig.class).validate(source);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not a model config: " + e.getMessage(), e);
        }
    }

    /** Loads a config JSON from any Hadoop path (local without scheme). */
    public static MobileBertConfig load(String location) {
        try {
            return fromJson(Fs.readString(Fs.path(location)), location);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model config " + location + ": " + e.getMessage(), e);
        }
    }

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public MobileBertConfig copy() { return fromJson(toJson(), "copy"); }

    @Override public boolean equals(Object o) { return o instanceof MobileBertConfig c && c.toJson().equals(toJson()); }
    @Override public int hashCode() { return toJson().hashCode(); }
    @Override public String toString() { return toJson(); }
}
