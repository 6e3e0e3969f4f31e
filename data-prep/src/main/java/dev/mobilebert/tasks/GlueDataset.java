package dev.mobilebert.tasks;

import java.util.List;

/**
 * The examples of one GLUE file. {@code skippedLines} are the rows the official processors drop silently
 * (only QQP's short rows, which Hugging Face's QqpProcessor skips on IndexError); they are reported, not hidden.
 */
public record GlueDataset(GlueTask task, Split split, String file, List<GlueExample> examples, List<Long> skippedLines) {

    public int size() {
        return examples.size();
    }

    public boolean labelled() {
        return split != Split.TEST;
    }
}
