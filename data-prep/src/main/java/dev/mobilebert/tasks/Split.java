package dev.mobilebert.tasks;

import java.util.Locale;

/** Which part of a GLUE task a file holds; test files carry no labels. */
public enum Split {
    TRAIN, DEV, TEST;

    /**
     * The split a file name implies: {@code train*}, {@code dev*}, {@code test*}; AX's {@code diagnostic.tsv} is
     * the (unlabelled) test file and {@code diagnostic-full.tsv} the labelled one.
     */
    public static Split fromFileName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.startsWith("train")) return TRAIN;
        if (n.startsWith("dev") || n.startsWith("diagnostic-full")) return DEV;
        if (n.startsWith("test") || n.startsWith("diagnostic")) return TEST;
        throw new IllegalArgumentException("cannot tell the split (train/dev/test) from the file name '" + fileName
                + "'; name the split explicitly");
    }
}
