package dev.mobilebert.tasks;

import java.util.List;

/**
 * One question as BERT's {@code run_squad.py} {@code SquadExample}: the context split at whitespace into
 * {@code docTokens}, and for training the answer's first and last word ({@code startPosition}/{@code endPosition},
 * -1 for unanswerable questions and for evaluation examples).
 */
public record SquadExample(String qasId, String questionText, List<String> docTokens, String origAnswerText,
                           int startPosition, int endPosition, boolean isImpossible) {}
