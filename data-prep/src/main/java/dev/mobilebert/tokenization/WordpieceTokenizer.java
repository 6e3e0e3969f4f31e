package dev.mobilebert.tokenization;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * google-research/bert's {@code WordpieceTokenizer}: greedy longest-match-first over the vocabulary, pieces after
 * the first of a word prefixed with "##"; a word of more than {@code maxInputCharsPerWord} code points (200), or
 * one with a position where no piece matches, becomes a single [UNK].
 */
public final class WordpieceTokenizer implements Serializable {
    @Serial private static final long serialVersionUID = 1L;
    public static final int DEFAULT_MAX_INPUT_CHARS_PER_WORD = 200;

    private final Vocab vocab;
    private final int maxInputCharsPerWord;

    public WordpieceTokenizer(Vocab vocab) {
        this(vocab, DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    }

    public WordpieceTokenizer(Vocab vocab, int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    public Vocab vocab() { return vocab; }

    /** The reference's {@code WordpieceTokenizer.tokenize}: the pieces of the whitespace-separated words of {@code text}. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        Pieces pieces = new Pieces();
        int n = text.length(), i = 0;
        while (i < n) {
            while (i < n && PythonStrings.isSpace(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
            int from = i;
            while (i < n && !PythonStrings.isSpace(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
            if (i > from) {
                char[] w = text.substring(from, i).toCharArray();
                int[] offsets = new int[w.length];
                for (int k = 0; k < w.length; k++) offsets[k] = from + k;
                int[] ends = Arrays.stream(offsets).map(o -> o + 1).toArray();
                pieces.word(w, w.length, Character.codePointCount(w, 0, w.length), offsets, ends,
                        (id, s, e) -> out.add(vocab.token(id)));
            }
        }
        return out;
    }

    /** Per-call scratch space: the pieces of the current word, held back until the word is known to match. */
    final class Pieces {
        private int[] ids = new int[16];
        private int[] starts = new int[16];
        private int[] ends = new int[16];

        /** Splits one word (as given by {@link WordSink}) into pieces for {@code sink}. */
        void word(char[] w, int length, int codePoints, int[] charStarts, int[] charEnds, PieceSink sink) {
            if (codePoints > maxInputCharsPerWord) {
                sink.piece(vocab.unkId(), charStarts[0], charEnds[length - 1]);
                return;
            }
            PieceTrie initial = vocab.initialPieces();
            PieceTrie continuation = vocab.continuationPieces();
            int count = 0;
            int start = 0;
            while (start < length) {
                PieceTrie trie = start == 0 ? initial : continuation;
                int node = 0, bestEnd = -1, bestId = -1;
                for (int i = start; i < length; i++) {
                    node = trie.child(node, w[i]);
                    if (node < 0) break;
                    int id = trie.tokenId(node);
                    // a piece may only end on a code point boundary
                    if (id >= 0 && !(Character.isHighSurrogate(w[i]) && i + 1 < length && Character.isLowSurrogate(w[i + 1]))) {
                        bestEnd = i + 1;
                        bestId = id;
                    }
                }
                if (bestId < 0) {
                    sink.piece(vocab.unkId(), charStarts[0], charEnds[length - 1]);
                    return;
                }
                if (count == ids.length) grow();
                ids[count] = bestId;
                starts[count] = charStarts[start];
                ends[count++] = charEnds[bestEnd - 1];
                start = bestEnd;
            }
            for (int k = 0; k < count; k++) sink.piece(ids[k], starts[k], ends[k]);
        }

        private void grow() {
            ids = Arrays.copyOf(ids, ids.length * 2);
            starts = Arrays.copyOf(starts, starts.length * 2);
            ends = Arrays.copyOf(ends, ends.length * 2);
        }
    }
}
