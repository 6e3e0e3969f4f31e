package dev.mobilebert.model.finetune;

/**
 * What a fine-tuning graph puts on top of the encoder: sequence classification ({@code numLabels} logits from the
 * pooled output, softmax cross-entropy), regression (one output, mean squared error; STS-B) or span extraction
 * (start/end logits at every position; SQuAD).
 */
public record FinetuneHead(Kind kind, int numLabels) implements java.io.Serializable {
    public enum Kind { CLASSIFICATION, REGRESSION, SPAN }

    public FinetuneHead {
        if (kind == Kind.CLASSIFICATION && numLabels < 2) throw new IllegalArgumentException("classification needs >= 2 labels, got " + numLabels);
        if (kind == Kind.REGRESSION && numLabels != 1) throw new IllegalArgumentException("regression has 1 output");
        if (kind == Kind.SPAN && numLabels != 2) throw new IllegalArgumentException("span extraction has 2 outputs (start, end)");
    }

    public static FinetuneHead classification(int numLabels) { return new FinetuneHead(Kind.CLASSIFICATION, numLabels); }
    public static FinetuneHead regression() { return new FinetuneHead(Kind.REGRESSION, 1); }
    public static FinetuneHead span() { return new FinetuneHead(Kind.SPAN, 2); }

    /** HuggingFace's class for this head (config.json {@code architectures}). */
    public String hfArchitecture() {
        return kind == Kind.SPAN ? "MobileBertForQuestionAnswering" : "MobileBertForSequenceClassification";
    }
}
