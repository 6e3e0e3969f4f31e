package dev.mobilebert.pretraining;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import java.io.Serializable;
import java.util.function.IntFunction;

/**
 * What instance creation needs from a vocabulary: the ids of [CLS], [SEP], [MASK], its size (random replacement
 * draws from all of it, as the reference does), and which ids are "##" continuation pieces (whole-word masking).
 */
@DefaultSerializer(JavaSerializer.class) // Kryo 4 cannot serialize records
public record TokenIds(int cls, int sep, int mask, int vocabSize, boolean[] continuation) implements Serializable {

    /** From a loaded BERT vocabulary (which has already checked its special tokens). */
    public static TokenIds of(dev.mobilebert.tokenization.Vocab vocab) {
        return of(vocab.size(), vocab::token, vocab.source());
    }

    /** From a vocabulary given as id → token; fails naming the missing special tokens. */
    public static TokenIds of(int size, IntFunction<String> tokenOf, String vocabName) {
        int cls = -1, sep = -1, mask = -1, unk = -1;
        boolean[] cont = new boolean[size];
        for (int id = 0; id < size; id++) {
            String t = tokenOf.apply(id);
            if (t == null) continue;
            cont[id] = t.startsWith("##");
            switch (t) {
                case "[CLS]" -> cls = id;
                case "[SEP]" -> sep = id;
                case "[MASK]" -> mask = id;
                case "[UNK]" -> unk = id;
                default -> { }
            }
        }
        StringBuilder missing = new StringBuilder();
        if (cls < 0) missing.append(" [CLS]");
        if (sep < 0) missing.append(" [SEP]");
        if (mask < 0) missing.append(" [MASK]");
        if (unk < 0) missing.append(" [UNK]");
        if (missing.length() > 0) {
            throw new IllegalArgumentException("vocabulary " + vocabName + " lacks the special token(s)" + missing
                    + " (each must be a line of its own)");
        }
        return new TokenIds(cls, sep, mask, size, cont);
    }

    public boolean isContinuation(int id) {
        return id >= 0 && id < continuation.length && continuation[id];
    }
}
