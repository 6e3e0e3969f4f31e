package dev.mobilebert.tokenization;

import dev.mobilebert.io.Fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT vocabulary: one token per line (UTF-8), the id of a token is its line number counted from 0 — exactly
 * {@code load_vocab} of google-research/bert: every line is stripped of surrounding whitespace, an empty line is
 * the token "" and still takes an id, and a token listed twice maps to its LAST line (a Python dict overwrite).
 * A leading UTF-8 byte-order mark is dropped (the reference would keep it as part of the first token).
 * <p>
 * [UNK], [CLS], [SEP] and [MASK] must be present; [PAD] is id 0 in BERT's layout and {@link #padId()} falls back
 * to 0 when the vocabulary has no [PAD] (BERT pads with id 0 regardless).
 */
public final class Vocab implements Serializable {
    @Serial private static final long serialVersionUID = 1L;

    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";
    /** Prefix of a word piece that continues a word. */
    public static final String CONTINUATION = "##";

    private final String[] tokens;
    private final String source;
    /**
     * Derived lookup structures, rebuilt on first use after deserialization: transient and lazy rather than
     * rebuilt in readResolve, so that Kryo (Spark's serializer, which skips transient fields and ignores
     * readResolve) works as well as Java serialization.
     */
    private transient volatile Lookup lookup;

    private Vocab(String[] tokens, String source) {
        this.tokens = tokens;
        this.source = source;
        this.lookup = new Lookup(tokens, source);
    }

    /** Ids by token, the piece tries and the special ids. */
    private static final class Lookup {
        final Map<String, Integer> ids;
        final PieceTrie initialPieces = new PieceTrie();
        final PieceTrie continuationPieces = new PieceTrie();
        final int unkId, clsId, sepId, maskId, padId;

        Lookup(String[] tokens, String source) {
            ids = new HashMap<>(tokens.length * 2);
            for (int i = 0; i < tokens.length; i++) ids.put(tokens[i], i); // later lines win, as in the reference
            List<String> missing = new ArrayList<>();
            for (String s : new String[]{UNK, CLS, SEP, MASK}) if (!ids.containsKey(s)) missing.add(s);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("vocabulary " + source + " lacks the special token(s) " + missing
                        + " (" + tokens.length + " lines; a BERT vocab has [PAD], [UNK], [CLS], [SEP], [MASK], one token per line)");
            }
            unkId = ids.get(UNK);
            clsId = ids.get(CLS);
            sepId = ids.get(SEP);
            maskId = ids.get(MASK);
            padId = ids.getOrDefault(PAD, 0);
            for (Map.Entry<String, Integer> e : ids.entrySet()) {
                String t = e.getKey();
                if (t.startsWith(CONTINUATION) && t.length() > CONTINUATION.length()) {
                    continuationPieces.add(t, CONTINUATION.length(), e.getValue());
                }
                if (!t.isEmpty()) initialPieces.add(t, 0, e.getValue());
            }
        }
    }

    private Lookup lookup() {
        Lookup l = lookup;
        if (l == null) {
            synchronized (this) {
                if (lookup == null) lookup = new Lookup(tokens, source);
                l = lookup;
            }
        }
        return l;
    }

    /** A vocabulary from its tokens in id order; {@code source} names it in errors. */
    public static Vocab of(List<String> tokens, String source) {
        return new Vocab(tokens.toArray(new String[0]), source);
    }

    public static Vocab load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vocabulary " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads from any Hadoop filesystem path (file://, hdfs://, s3a://, or a plain local path). */
    public static Vocab load(String location) {
        org.apache.hadoop.fs.Path p = Fs.path(location);
        try (InputStream in = Fs.open(p)) {
            return load(in, location);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vocabulary " + location + ": " + e.getMessage(), e);
        }
    }

    public static Vocab load(InputStream in, String source) throws IOException {
        byte[] bytes = in.readAllBytes();
        String text = decodeStrict(bytes, source);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<String> lines = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int to = nl < 0 ? text.length() : nl;
            lines.add(PythonStrings.strip(text.substring(from, to)));
            from = to + 1;
        }
        return new Vocab(lines.toArray(new String[0]), source);
    }

    private static String decodeStrict(byte[] bytes, String source) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int line = 1;
            for (int i = 0; i < bytes.length; i++) {
                // find the first undecodable line for the message
                int end = i;
                while (end < bytes.length && bytes[end] != '\n') end++;
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes, i, end - i));
                } catch (CharacterCodingException bad) {
                    break;
                }
                i = end;
                line++;
            }
            throw new IllegalArgumentException("vocabulary " + source + " is not valid UTF-8 (line " + line + ")");
        }
    }

    /** The id of {@code token}, or -1 when it is not in the vocabulary. */
    public int id(String token) {
        Integer i = lookup().ids.get(token);
        return i == null ? -1 : i;
    }

    /** The id of {@code token}, or the id of [UNK] (the reference's {@code convert_by_vocab}). */
    public int idOrUnk(String token) {
        Lookup l = lookup();
        Integer i = l.ids.get(token);
        return i == null ? l.unkId : i;
    }

    public String token(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IndexOutOfBoundsException("token id " + id + " outside vocabulary " + source + " of size " + tokens.length);
        }
        return tokens[id];
    }

    public boolean contains(String token) { return lookup().ids.containsKey(token); }

    /** Number of lines, i.e. one more than the largest id (the embedding table's row count). */
    public int size() { return tokens.length; }

    public String source() { return source; }

    public int unkId() { return lookup().unkId; }
    public int clsId() { return lookup().clsId; }
    public int sepId() { return lookup().sepId; }
    public int maskId() { return lookup().maskId; }
    public int padId() { return lookup().padId; }

    /** All tokens in id order (a copy). */
    public List<String> tokens() { return List.of(tokens); }

    PieceTrie initialPieces() { return lookup().initialPieces; }
    PieceTrie continuationPieces() { return lookup().continuationPieces; }
}
