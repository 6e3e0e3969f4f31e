package dev.mobilebert.tasks.eval;

import dev.mobilebert.tasks.PyStrings;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code normalize_answer} and the token F1 of the official SQuAD scripts (identical in v1.1 and v2.0):
 * lower-case, drop ASCII punctuation ({@code string.punctuation}), replace the whole words a/an/the by a space
 * ({@code re.sub(r'\b(a|an|the)\b', ' ', text)}), then {@code ' '.join(text.split())}.
 */
public final class SquadNormalizer {
    /** Python's {@code string.punctuation}. */
    public static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private SquadNormalizer() {}

    public static String normalize(String s) {
        return whiteSpaceFix(removeArticles(removePunctuation(PyStrings.lower(s))));
    }

    static String removePunctuation(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) sb.append(c);
        }
        return sb.toString();
    }

    /**
     * {@code \b(a|an|the)\b}: a maximal run of word characters that is exactly "a", "an" or "the" becomes " ".
     * Scanned by hand because Java's {@code \b} does not use Python's definition of a word character.
     */
    static String removeArticles(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int n = text.length();
        int i = 0;
        while (i < n) {
            int c = text.codePointAt(i);
            if (!PyStrings.isWordChar(c)) {
                sb.appendCodePoint(c);
                i += Character.charCount(c);
                continue;
            }
            int start = i;
            while (i < n && PyStrings.isWordChar(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
            String word = text.substring(start, i);
            sb.append(word.equals("a") || word.equals("an") || word.equals("the") ? " " : word);
        }
        return sb.toString();
    }

    static String whiteSpaceFix(String text) {
        return String.join(" ", PyStrings.split(text));
    }

    /** {@code normalize_answer(s).split()}. */
    public static List<String> tokens(String s) {
        return PyStrings.split(normalize(s));
    }

    /** {@code sum((Counter(a) & Counter(b)).values())}: the multiset intersection size. */
    public static int commonCount(List<String> a, List<String> b) {
        Map<String, Integer> counts = new HashMap<>();
        for (String t : a) counts.merge(t, 1, Integer::sum);
        int same = 0;
        for (String t : b) {
            Integer c = counts.get(t);
            if (c != null && c > 0) {
                same++;
                counts.put(t, c - 1);
            }
        }
        return same;
    }

    /** {@code (2 * precision * recall) / (precision + recall)} with the scripts' operation order. */
    static double f1(int numSame, int predictionTokens, int goldTokens) {
        double precision = 1.0 * numSame / predictionTokens;
        double recall = 1.0 * numSame / goldTokens;
        return (2 * precision * recall) / (precision + recall);
    }
}
