package dev.mobilebert.model.nn;

/** The paper's building blocks, one DL4J graph vertex each. */
public enum BlockKind {
    /** The word embedding table [V, E]; its output is the table itself, shared by the input embeddings and the MLM decoder. */
    WORD_TABLE,
    /** Trigram input + embedding transformation + position/token-type embeddings + norm. */
    EMBEDDINGS,
    /** One transformer block: bottlenecks, multi-head attention, stacked FFNs, norms. */
    LAYER,
    /** First token, optionally dense + tanh (classifier_activation). */
    POOLER,
    /** MLM head at the masked positions, through [word_embeddings^T ; dense]. */
    MLM,
    /** Next-sentence prediction (2 logits) from the pooled output. */
    NSP,
    /** Sequence classification / regression from the pooled output (num_labels logits; 1 = regression). */
    CLASSIFIER,
    /** Span extraction: start and end logits at every position. */
    SPAN
}
