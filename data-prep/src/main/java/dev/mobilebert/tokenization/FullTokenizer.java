package dev.mobilebert.tokenization;

import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * google-research/bert's {@code FullTokenizer}: {@link BasicTokenizer} then {@link WordpieceTokenizer}, with ids
 * and character offsets into the original text. Thread-safe (all state is per call) and serializable for Spark
 * closures (the vocabulary rebuilds its lookup tables on arrival).
 */
public final class FullTokenizer implements Serializable {
    @Serial private static final long serialVersionUID = 1L;

    private final Vocab vocab;
    private final BasicTokenizer basic;
    private final WordpieceTokenizer wordpiece;

    public FullTokenizer(Vocab vocab, boolean doLowerCase) {
        this(vocab, doLowerCase, WordpieceTokenizer.DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    }

    public FullTokenizer(Vocab vocab, boolean doLowerCase, int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.basic = new BasicTokenizer(doLowerCase);
        this.wordpiece = new WordpieceTokenizer(vocab, maxInputCharsPerWord);
    }

    public static FullTokenizer load(Path vocabFile, boolean doLowerCase) {
        return new FullTokenizer(Vocab.load(vocabFile), doLowerCase);
    }

    public Vocab vocab() { return vocab; }
    public boolean doLowerCase() { return basic.doLowerCase(); }
    public BasicTokenizer basicTokenizer() { return basic; }
    public WordpieceTokenizer wordpieceTokenizer() { return wordpiece; }

    /** Streams the pieces of {@code text} (ids and original spans) to {@code sink}. */
    public void encode(CharSequence text, PieceSink sink) {
        WordpieceTokenizer.Pieces pieces = wordpiece.new Pieces();
        basic.forEachWord(text, (chars, length, cps, starts, ends) -> pieces.word(chars, length, cps, starts, ends, sink));
    }

    /** The ids of the pieces of {@code text} (no [CLS]/[SEP]). */
    public int[] encode(CharSequence text) {
        IdBuffer ids = new IdBuffer(Math.max(8, text.length() / 4));
        encode(text, ids);
        return ids.toArray();
    }

    /** The reference's {@code FullTokenizer.tokenize}: the word pieces of {@code text}. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        encode(text, (id, s, e) -> out.add(vocab.token(id)));
        return out;
    }

    /** The pieces of {@code text} with their ids and spans of the original text. */
    public List<Token> tokenizeWithOffsets(String text) {
        List<Token> out = new ArrayList<>();
        encode(text, (id, s, e) -> out.add(new Token(vocab.token(id), id, s, e)));
        return out;
    }

    /** Pieces to ids; a piece not in the vocabulary becomes [UNK]'s id (never throws). */
    public int[] convertTokensToIds(List<String> tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocab.idOrUnk(tokens.get(i));
        return ids;
    }

    public List<String> convertIdsToTokens(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) out.add(vocab.token(id));
        return out;
    }

    private static final class IdBuffer implements PieceSink {
        private int[] ids;
        private int size;

        IdBuffer(int capacity) { ids = new int[capacity]; }

        @Override
        public void piece(int id, int start, int end) {
            if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
            ids[size++] = id;
        }

        int[] toArray() { return Arrays.copyOf(ids, size); }
    }
}
