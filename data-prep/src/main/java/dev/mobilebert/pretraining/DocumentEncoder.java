package dev.mobilebert.pretraining;

import dev.mobilebert.corpus.Document;
import dev.mobilebert.corpus.Repairs;
import dev.mobilebert.tokenization.FullTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizes a document's sentences into id arrays as the reference's reader does: a sentence whose tokenization is
 * empty is dropped, and a document left without sentences is dropped (both counted).
 */
public final class DocumentEncoder {
    private final FullTokenizer tokenizer;

    public DocumentEncoder(FullTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The document's sentences as token ids, or null when nothing is left of it. */
    public int[][] encode(Document doc, Repairs repairs) {
        List<int[]> sentences = new ArrayList<>(doc.sentences().size());
        long dropped = 0;
        for (String s : doc.sentences()) {
            int[] ids = tokenizer.encode(s);
            if (ids.length == 0) dropped++;
            else sentences.add(ids);
        }
        repairs.add(Repairs.EMPTY_SENTENCE, doc.where(), dropped);
        if (sentences.isEmpty()) {
            repairs.add(Repairs.EMPTY_DOCUMENT, doc.where());
            return null;
        }
        if (sentences.size() == 1) repairs.add(Repairs.SINGLE_SENTENCE_DOCUMENT, doc.where());
        return sentences.toArray(new int[0][]);
    }
}
