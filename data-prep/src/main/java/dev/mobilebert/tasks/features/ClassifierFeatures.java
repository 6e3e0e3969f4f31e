package dev.mobilebert.tasks.features;

/**
 * run_classifier.py's {@code InputFeatures}: {@code [CLS] A [SEP] (B [SEP])} padded with 0 to max_seq_length.
 * {@code labelId} is the label's position in the task's label list (0 for unlabelled test examples, BERT's dummy);
 * {@code score} is STS-B's regression target (NaN for classification tasks and unlabelled examples).
 */
public record ClassifierFeatures(String guid, int[] inputIds, int[] inputMask, int[] segmentIds, int labelId,
                                 double score) {}
