package dev.mobilebert.tasks.features;

import dev.mobilebert.tokenization.BasicTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * run_squad.py's {@code get_final_text}: map the de-tokenized prediction back onto the original words, so the
 * answer keeps the original casing and punctuation. The original words are run through the BasicTokenizer; if the
 * prediction is found there and the two texts agree once spaces are removed, the characters are aligned through
 * the space-free text; otherwise the original words are returned whole. Indices are code points, as in Python.
 */
public final class FinalText {
    private FinalText() {}

    public static String get(String predText, String origText, BasicTokenizer basic) {
        int[] tokText = String.join(" ", basic.tokenize(origText)).codePoints().toArray();
        int[] pred = predText.codePoints().toArray();
        int startPosition = indexOf(tokText, pred);
        if (startPosition == -1) return origText;
        int endPosition = startPosition + pred.length - 1;

        int[] orig = origText.codePoints().toArray();
        List<Integer> origNsToS = nsToS(orig);
        List<Integer> tokNsToS = nsToS(tokText);
        if (origNsToS.size() != tokNsToS.size()) return origText;

        int[] tokSToNs = new int[tokText.length];
        java.util.Arrays.fill(tokSToNs, -1);
        for (int i = 0; i < tokNsToS.size(); i++) tokSToNs[tokNsToS.get(i)] = i;

        int origStart = map(startPosition, tokSToNs, origNsToS);
        if (origStart < 0) return origText;
        int origEnd = map(endPosition, tokSToNs, origNsToS);
        if (origEnd < 0) return origText;
        return new String(orig, origStart, origEnd + 1 - origStart);
    }

    /** tok position -> space-free position -> original position, or -1 (a space, or beyond the text). */
    private static int map(int position, int[] tokSToNs, List<Integer> origNsToS) {
        if (position < 0 || position >= tokSToNs.length || tokSToNs[position] < 0) return -1;
        int ns = tokSToNs[position];
        return ns < origNsToS.size() ? origNsToS.get(ns) : -1;
    }

    /** _strip_spaces: for each non-space character (only ' ' counts), its index in the text. */
    private static List<Integer> nsToS(int[] text) {
        List<Integer> map = new ArrayList<>();
        for (int i = 0; i < text.length; i++) if (text[i] != ' ') map.add(i);
        return map;
    }

    /** Python's str.find on code point arrays. */
    static int indexOf(int[] text, int[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= text.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (text[i + j] != pattern[j]) continue outer;
            return i;
        }
        return -1;
    }
}
