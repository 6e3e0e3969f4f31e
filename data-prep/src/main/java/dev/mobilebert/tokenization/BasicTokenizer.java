package dev.mobilebert.tokenization;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * google-research/bert's {@code BasicTokenizer}: text cleaning, spaces around CJK ideographs, whitespace split,
 * lower case + NFD + accent stripping (do_lower_case), and punctuation splitting — in ONE pass over the code points
 * of the text, with no regular expressions and no allocation per character. Every output character remembers the
 * span of the original text it came from. It never throws on any text (lone surrogates are kept as characters,
 * like Python keeps them).
 */
public final class BasicTokenizer implements Serializable {
    @Serial private static final long serialVersionUID = 1L;

    private static final int SIGMA = 0x3A3;
    private final boolean doLowerCase;

    public BasicTokenizer(boolean doLowerCase) {
        this.doLowerCase = doLowerCase;
    }

    public boolean doLowerCase() { return doLowerCase; }

    /** The reference's {@code BasicTokenizer.tokenize}: the words of {@code text}. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        forEachWord(text, (chars, length, cps, starts, ends) -> out.add(new String(chars, 0, length)));
        return out;
    }

    /** Streams the words of {@code text} to {@code sink} (the arrays are reused between words). */
    public void forEachWord(CharSequence text, WordSink sink) {
        new Scan(sink).run(text);
    }

    /** The state of one call: the current word with the origin of each of its characters. */
    private final class Scan {
        private final WordSink sink;
        private char[] chars = new char[32];
        private int[] starts = new int[32];
        private int[] ends = new int[32];
        private int length;
        private int codePoints;

        Scan(WordSink sink) {
            this.sink = sink;
        }

        void run(CharSequence text) {
            final int n = text.length();
            final int special = CharClass.DROP | CharClass.SPACE | CharClass.CJK | CharClass.PUNCT
                    | (doLowerCase ? CharClass.UNCASED_CHANGES : 0);
            int i = 0;
            while (i < n) {
                char ch = text.charAt(i);
                int cp = ch;
                int next = i + 1;
                if (Character.isHighSurrogate(ch) && next < n && Character.isLowSurrogate(text.charAt(next))) {
                    cp = Character.toCodePoint(ch, text.charAt(next));
                    next++;
                }
                int f = CharClass.flags(cp);
                if ((f & special) == 0) {
                    append(cp, i, next);
                } else if ((f & CharClass.DROP) != 0) {
                    // removed by _clean_text: the neighbours join
                } else if ((f & CharClass.SPACE) != 0) {
                    endWord();
                } else if ((f & CharClass.CJK) != 0) {
                    endWord();
                    emit(cp, f, text, i, next);
                    endWord();
                } else {
                    emit(cp, f, text, i, next);
                }
                i = next;
            }
            endWord();
        }

        /** One cleaned character of a whitespace token: lower-cased/stripped if asked, then punctuation split. */
        private void emit(int cp, int f, CharSequence text, int start, int end) {
            if (doLowerCase && (f & CharClass.UNCASED_CHANGES) != 0) {
                if (cp < 0x80) {
                    out(cp + ('a' - 'A'), start, end);
                } else if (cp == SIGMA) {
                    out(isFinalSigma(text, start, end) ? 0x3C2 : 0x3C3, start, end);
                } else {
                    int at = CharClass.uncasedForm(cp);
                    int[] pool = CharClass.formPool();
                    for (int k = 1, len = pool[at]; k <= len; k++) out(pool[at + k], start, end);
                }
            } else {
                out(cp, start, end);
            }
        }

        private void out(int cp, int start, int end) {
            int f = CharClass.flags(cp);
            if ((f & CharClass.PUNCT) != 0) {
                endWord();
                append(cp, start, end);
                endWord();
            } else if ((f & CharClass.SPACE) != 0) {
                endWord(); // whitespace produced by a mapping still splits in whitespace_tokenize
            } else {
                append(cp, start, end);
            }
        }

        private void append(int cp, int start, int end) {
            if (length + 2 > chars.length) grow();
            if (cp < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
                chars[length] = (char) cp;
                starts[length] = start;
                ends[length++] = end;
            } else {
                chars[length] = Character.highSurrogate(cp);
                starts[length] = start;
                ends[length++] = end;
                chars[length] = Character.lowSurrogate(cp);
                starts[length] = start;
                ends[length++] = end;
            }
            codePoints++;
        }

        private void endWord() {
            if (length > 0) sink.word(chars, length, codePoints, starts, ends);
            length = 0;
            codePoints = 0;
        }

        private void grow() {
            int cap = chars.length * 2;
            chars = Arrays.copyOf(chars, cap);
            starts = Arrays.copyOf(starts, cap);
            ends = Arrays.copyOf(ends, cap);
        }
    }

    /**
     * Python's {@code lower()} maps U+03A3 to final sigma U+03C2 when it follows a cased letter and is not followed
     * by one (case-ignorable characters skipped), within the whitespace token it belongs to; characters dropped by
     * {@code _clean_text} are not there for Python, so they are skipped too. Spaces and CJK ideographs end the token
     * and are neither cased nor case-ignorable, so the scans stop at them by themselves.
     */
    static boolean isFinalSigma(CharSequence text, int start, int end) {
        int j = start;
        int before = -1;
        while (j > 0) {
            int c = Character.codePointBefore(text, j);
            j -= Character.charCount(c);
            if ((CharClass.flags(c) & CharClass.DROP) != 0 || CharClass.isCaseIgnorable(c)) continue;
            before = c;
            break;
        }
        if (before < 0 || (CharClass.flags(before) & CharClass.SPACE) != 0 || !CharClass.isCased(before)) return false;
        j = end;
        while (j < text.length()) {
            int c = Character.codePointAt(text, j);
            j += Character.charCount(c);
            if ((CharClass.flags(c) & CharClass.DROP) != 0 || CharClass.isCaseIgnorable(c)) continue;
            return (CharClass.flags(c) & CharClass.SPACE) != 0 || !CharClass.isCased(c);
        }
        return true;
    }
}
