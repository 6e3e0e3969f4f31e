package dev.mobilebert.tokenization;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The special cases of the reference, one by one, on a small hand-made vocabulary. */
class TokenizerCasesTest {
    static final Vocab VOCAB = Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cafe", "naive", "resume",
            "a", "##a", "b", "##b", "北", "京", "$", "«", "»", "¿", "-", "x", "##x", "σ", "##σ", "ς", "##ς", "##α",
            "𝒜", "##𝒜", "i", "ﬁ", "hello", "world", ".", "ab", "##ab", "e", "##e", "se", "##se"), "cases vocab");
    static final FullTokenizer UNCASED = new FullTokenizer(VOCAB, true);
    static final FullTokenizer CASED = new FullTokenizer(VOCAB, false);

    static List<String> basic(String text) { return new BasicTokenizer(true).tokenize(text); }

    @Test
    void accentsAreStrippedOnlyWhenUncased() {
        assertEquals(List.of("cafe", "naive", "resume"), UNCASED.tokenize("Café naïve RÉSUMÉ"));
        assertEquals(List.of("[UNK]", "[UNK]", "[UNK]"), CASED.tokenize("Café naïve RÉSUMÉ"));
        // a combining mark typed separately (NFD input) is dropped too
        assertEquals(List.of("cafe"), UNCASED.tokenize("cafe\u0301"));
        // U+0130 lowers to i + U+0307, and the mark is stripped
        assertEquals(List.of("i"), UNCASED.tokenize("\u0130"));
    }

    @Test
    void cjkIdeographsAreWordsOfTheirOwn() {
        assertEquals(List.of("a", "北", "京", "b"), UNCASED.tokenize("a北京b"));
        // Hiragana is not in the reference's ranges: it stays inside the word
        assertEquals(List.of("aあb"), basic("aあb"));
        // supplementary-plane ideograph (U+20000) and a compatibility ideograph (U+F900 -> U+8C48 by NFD)
        assertEquals(List.of("x", "\uD840\uDC00", "x"), basic("x\uD840\uDC00x"));
        assertEquals(List.of("\u8C48"), basic("\uF900"));
        assertEquals(List.of("\uF900"), new BasicTokenizer(false).tokenize("\uF900"));
    }

    @Test
    void controlCharactersAreDroppedAndWhitespaceSplits() {
        assertEquals(List.of("ab"), basic("a\u0000b"));          // NUL
        assertEquals(List.of("ab"), basic("a\uFFFDb"));          // replacement character
        assertEquals(List.of("ab"), basic("a\u200Bb"));          // zero-width space is Cf
        assertEquals(List.of("ab"), basic("a\u0007b"));          // BEL is Cc
        assertEquals(List.of("ab"), basic("\uFEFFa\u00ADb"));     // BOM and soft hyphen are Cf
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), basic("a\tb\nc\rd\u00A0e\u3000f"));
        assertEquals(List.of("a", "b", "c"), basic("a\u2028b\u2029c")); // Zl/Zp: kept by cleaning, split by str.split()
        // private use and unassigned code points are not Cc/Cf: the reference keeps them
        assertEquals(List.of("a\uE000b"), basic("a\uE000b"));
    }

    @Test
    void punctuationIsAsciiNonAlnumOrCategoryP() {
        assertEquals(List.of("$", "a", "«", "b", "»", "¿", "x", "-", "x"), UNCASED.tokenize("$a«b»¿x-x"));
        assertEquals(List.of("a", "^", "b", "`", "c", "~"), basic("a^b`c~"));           // ASCII symbols count
        assertEquals(List.of("a", "+", "b"), basic("a+b"));
        assertEquals(List.of("a€b", "a×b"), basic("a€b a×b"));                          // Sc and Sm are not punctuation
        assertEquals(List.of("a", "\u2E5B", "b"), basic("a\u2E5Bb"));                   // Unicode 14 Ps (override)
        // U+1FEF (Sk) becomes "`" by NFD, which is punctuation: split only when uncased
        assertEquals(List.of("a", "`", "b"), basic("a\u1FEFb"));
        assertEquals(List.of("a\u1FEFb"), new BasicTokenizer(false).tokenize("a\u1FEFb"));
    }

    @Test
    void longWordsBecomeUnk() {
        String w200 = "ab".repeat(100);
        String w201 = w200 + "a";
        assertEquals(100, UNCASED.tokenize(w200).size());                 // 200 code points: still split
        assertEquals(List.of("[UNK]"), UNCASED.tokenize(w201));            // 201: [UNK]
        String astral = "𝒜".repeat(200);                                   // 200 code points, 400 UTF-16 units
        assertEquals(200, UNCASED.tokenize(astral).size());
        assertEquals(List.of("[UNK]"), UNCASED.tokenize(astral + "𝒜"));
        // a 1 MB line of one word never throws
        assertEquals(List.of("[UNK]"), UNCASED.tokenize("a".repeat(1 << 20)));
    }

    @Test
    void greedyLongestMatchFirst() {
        assertEquals(List.of("ab", "##ab", "##a"), UNCASED.tokenize("ababa"));
        assertEquals(List.of("[UNK]"), UNCASED.tokenize("abz"));             // one unmatched position: whole word
        assertEquals(List.of("x", "[UNK]", "x"), UNCASED.tokenize("x abz x"));
    }

    @Test
    void surrogatePairsAreOneCharacter() {
        assertEquals(List.of("𝒜", "##𝒜"), UNCASED.tokenize("𝒜𝒜"));
        List<Token> t = UNCASED.tokenizeWithOffsets("x 𝒜𝒜");
        assertEquals(new Token("𝒜", 26, 2, 4), t.get(1));
        assertEquals(new Token("##𝒜", 27, 4, 6), t.get(2));
        // a lone surrogate (Cs) is kept like Python keeps it, and never throws
        assertEquals(List.of("[UNK]"), UNCASED.tokenize("a\uD800b"));
        assertEquals(List.of("a", "[UNK]"), UNCASED.tokenize("a \uDC00"));
    }

    @Test
    void finalSigmaFollowsPythonLower() {
        assertEquals(List.of("σας"), basic("ΣΑΣ"));        // last Σ follows a cased letter, nothing cased after
        assertEquals(List.of("σ"), basic("Σ"));            // alone: not final
        assertEquals(List.of("ας", "."), basic("ΑΣ."));    // "." is case-ignorable, nothing cased follows
        assertEquals(List.of("ας", "x"), basic("ΑΣ x"));   // a space ends the token
        assertEquals(List.of("ασx"), basic("ΑΣx"));        // followed by a cased letter
        assertEquals(List.of("ας"), basic("Α\u200BΣ"));    // dropped characters are not there
    }

    @Test
    void emptyAndBlankTexts() {
        assertEquals(List.of(), UNCASED.tokenize(""));
        assertEquals(List.of(), UNCASED.tokenize(" \t\n\u0000\u200B "));
        assertArrayEquals(new int[0], UNCASED.encode(""));
    }

    @Test
    void offsetsPointIntoTheOriginalText() {
        String text = "  Café-RÉSUMÉ\u200B naïve 北京 ﬁ ";
        List<Token> tokens = UNCASED.tokenizeWithOffsets(text);
        List<String> spans = new ArrayList<>();
        for (Token t : tokens) spans.add(text.substring(t.start(), t.end()));
        assertEquals(List.of("Café", "-", "RÉSUMÉ", "naïve", "北", "京", "ﬁ"), spans);
        assertEquals(List.of("cafe", "-", "resume", "naive", "北", "京", "ﬁ"), tokens.stream().map(Token::piece).toList());
        // NFD input: the combining mark belongs to the word's span but produces no character
        String nfd = "cafe\u0301 x";
        Token cafe = UNCASED.tokenizeWithOffsets(nfd).get(0);
        assertEquals("cafe", nfd.substring(cafe.start(), cafe.end()));
        // an [UNK] covers its whole word
        Token unk = UNCASED.tokenizeWithOffsets("x qqq x").get(1);
        assertEquals(new Token("[UNK]", 1, 2, 5), unk);
        // pieces of one word tile it
        List<Token> pieces = UNCASED.tokenizeWithOffsets("ABABA");
        assertEquals(List.of(new Token("ab", 33, 0, 2), new Token("##ab", 34, 2, 4), new Token("##a", 9, 4, 5)), pieces);
    }

    @Test
    void randomTextNeverThrowsAndOffsetsAreOrdered() {
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(40);
            for (int k = 0; k < n; k++) {
                int cp = r.nextInt(4) == 0 ? r.nextInt(0x110000) : r.nextInt(0x3000);
                if (r.nextInt(20) == 0) sb.append((char) (0xD800 + r.nextInt(0x800))); // lone surrogates too
                else sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            int last = 0;
            for (Token t : UNCASED.tokenizeWithOffsets(s)) {
                assertTrue(t.start() >= last - 2 && t.start() < t.end() && t.end() <= s.length(), s + " " + t);
                last = t.start();
            }
            CASED.encode(s);
        }
    }

    @Test
    void vocabularyRulesOfTheReference() throws Exception {
        String file = "\uFEFF[PAD]\n [UNK] \n[CLS]\n[SEP]\n[MASK]\n\nx\nx\n";
        Vocab v = Vocab.load(new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)), "mem");
        assertEquals(8, v.size());
        assertEquals(1, v.id("[UNK]"));      // stripped
        assertEquals(5, v.id(""));           // an empty line is a token
        assertEquals(7, v.id("x"));          // the last duplicate wins
        assertEquals(-1, v.id("y"));
        assertEquals(1, v.idOrUnk("y"));
        assertEquals("x", v.token(6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vocab.load(new ByteArrayInputStream("[PAD]\n[UNK]\n[SEP]\n".getBytes(StandardCharsets.UTF_8)), "bad.txt"));
        assertTrue(e.getMessage().contains("bad.txt") && e.getMessage().contains("[CLS]") && e.getMessage().contains("[MASK]"), e.getMessage());
        IllegalArgumentException utf = assertThrows(IllegalArgumentException.class,
                () -> Vocab.load(new ByteArrayInputStream(new byte[]{'a', '\n', (byte) 0xC3, '\n'}), "broken.txt"));
        assertTrue(utf.getMessage().contains("broken.txt") && utf.getMessage().contains("line 2"), utf.getMessage());
    }

    @Test
    void serializesForSpark() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(UNCASED);
        }
        FullTokenizer copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (FullTokenizer) in.readObject();
        }
        assertEquals(UNCASED.tokenize("Café ababa 北京"), copy.tokenize("Café ababa 北京"));
    }

    @Test
    void serializesWithSparksKryo() {
        // Spark broadcasts and shuffles with Kryo, which skips transient fields and ignores readResolve
        var kryo = new org.apache.spark.serializer.KryoSerializer(new org.apache.spark.SparkConf()).newInstance();
        scala.reflect.ClassTag<FullTokenizer> tag = scala.reflect.ClassTag$.MODULE$.apply(FullTokenizer.class);
        FullTokenizer copy = kryo.deserialize(kryo.serialize(UNCASED, tag), tag);
        assertEquals(UNCASED.tokenize("Café ababa 北京"), copy.tokenize("Café ababa 北京"));
        assertEquals(VOCAB.maskId(), copy.vocab().maskId());
    }
}
