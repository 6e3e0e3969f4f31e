package dev.mobilebert.tokenization;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The examples of google-research/bert's tokenization_test.py plus the cases the reference handles specially. */
class FullTokenizerTest {
    static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "want", "##want", "##ed",
            "wa", "un", "runn", "##ing", ",", "low", "lowest", "hello", "world", "!", "a", "##b", "北", "σ", "ς",
            "##ς", "##σ", "##α", "i", "𝒜", "##𝒜", "##x", "x");

    static FullTokenizer tokenizer(boolean lower) {
        return new FullTokenizer(Vocab.of(VOCAB, "test vocab"), lower);
    }

    @Test
    void referenceExamples() {
        assertEquals(List.of("un", "##want", "##ed", ",", "runn", "##ing"), tokenizer(true).tokenize("UNwant\u00E9d,running"));
        assertEquals(List.of("[UNK]", ",", "runn", "##ing"), tokenizer(false).tokenize("UNwant\u00E9d,running"));
        assertEquals(List.of("hello", "!", "how", "are", "you", "?"),
                new BasicTokenizer(true).tokenize(" \tHeLLo!how  \n Are yoU?  "));
        assertEquals(List.of("hallo", "!", "how", "are", "you", "?"),
                new BasicTokenizer(true).tokenize("H\u00E4LLo!how  \n Are yoU?  "));
        assertEquals(List.of("HeLLo", "!", "how", "Are", "yoU", "?"),
                new BasicTokenizer(false).tokenize(" \tHeLLo!how  \n Are yoU?  "));
        assertEquals(List.of("ah", "\u535A", "\u63A8", "zz"), new BasicTokenizer(true).tokenize("ah\u535A\u63A8zz"));
    }
}
