package dev.mobilebert.tasks.eval;

import java.util.List;
import java.util.Map;

/**
 * The outcome of an evaluation: {@code metrics} are the official script's output dictionary (same keys, same
 * order); the rest says what the script would have printed or silently ignored.
 *
 * @param missing ids of dataset items without a prediction
 * @param unknown number of predictions for ids that are not in the dataset (ignored, as the official scripts do)
 * @param messages what the official script prints to its console, plus notes on ignored input
 */
public record Report(Map<String, Object> metrics, List<String> missing, int unknown, List<String> messages) {}
