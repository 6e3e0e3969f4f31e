package dev.mobilebert.tasks.features;

import java.util.List;

/**
 * run_squad.py's {@code InputFeatures}: one window (doc span) of one example. {@code tokenToOrigMap[i]} is the
 * whitespace word of the context that position i came from (-1 for the question, [CLS], [SEP] and padding);
 * {@code tokenIsMaxContext[i]} marks positions for which this window has the most context (answers are only taken
 * from those). Training targets: {@code startPosition}/{@code endPosition}, 0/0 when the answer is outside the
 * window or the question is unanswerable; -1/-1 for evaluation features.
 */
public record SquadFeature(long uniqueId, int exampleIndex, int docSpanIndex, List<String> tokens,
                           int[] tokenToOrigMap, boolean[] tokenIsMaxContext, int[] inputIds, int[] inputMask,
                           int[] segmentIds, int startPosition, int endPosition, boolean isImpossible) {}
