package dev.mobilebert.tokenization;

import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyBuilderTest {
    static List<String> lines(String book) throws IOException {
        return Files.readAllLines(SharedData.require(SharedData.gutenberg().resolve(book)), StandardCharsets.UTF_8);
    }

    @Test
    void bertLayout() {
        Map<String, Long> counts = VocabularyBuilder.countWords(List.of("the cat sat on the mat", "the hat", "Thé ÇAT"), true);
        VocabularyBuilder.Result r = VocabularyBuilder.build(counts, new VocabularyBuilder.Options(30, 1, 1000, 100, 3));
        List<String> t = r.tokens();
        assertEquals(List.of("[PAD]", "[unused0]", "[unused1]", "[unused2]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"), t.subList(0, 8));
        // merging stops early once every word is a single piece
        assertTrue(t.size() < 30, "size " + t.size());
        for (String w : counts.keySet()) assertTrue(t.contains(w), w);
        assertEquals(t.size(), t.stream().distinct().count(), "no duplicates");
        // the alphabet: word-initial characters, then ## characters, by code point
        assertEquals(List.of("c", "h", "m", "o", "s", "t", "##a", "##e", "##h", "##n", "##t"), t.subList(8, 8 + r.alphabet()));
        // every training word is now covered without [UNK]
        FullTokenizer tok = new FullTokenizer(Vocab.of(t, "built"), true);
        for (String w : counts.keySet()) assertTrue(!tok.tokenize(w).contains("[UNK]"), w);
        assertTrue(r.merges() > 0);
        // default number of [unused] tokens: min(99, size / 100)
        assertEquals(0, new VocabularyBuilder.Options(50, 1, 10, -1, -1).unused());
        assertEquals(99, VocabularyBuilder.Options.of(30522).unused());
    }

    @Test
    void firstMergeIsTheBestPairOfEachCriterion() {
        Map<String, Long> counts = new HashMap<>(Map.of("xy", 2L, "ab", 10L, "ba", 12L, "aa", 10L));
        VocabularyBuilder.Options o = new VocabularyBuilder.Options(5 + 6 + 1, 1, 100, 100, 0);
        // symbols a (20), b (12), x (2), ##a (22), ##b (10), ##y (2); pairs a##b 10, b##a 12, a##a 10, x##y 2
        List<String> byFrequency = VocabularyBuilder.build(counts, o).tokens();
        assertEquals("ba", byFrequency.get(byFrequency.size() - 1));
        // likelihood: x##y = 2/(2*2) = 0.5 beats b##a = 12/(12*22), a##b = 10/(20*10), a##a = 10/(20*22)
        List<String> byLikelihood = VocabularyBuilder.build(counts, o.with(VocabularyBuilder.Criterion.LIKELIHOOD)).tokens();
        assertEquals("xy", byLikelihood.get(byLikelihood.size() - 1));
        // ties: a##b and a##a both have frequency 10 once b##a is gone; "aa" < "ab" in String order
        List<String> two = VocabularyBuilder.build(counts, new VocabularyBuilder.Options(5 + 6 + 2, 1, 100, 100, 0)).tokens();
        assertEquals(List.of("ba", "aa"), two.subList(11, 13));
    }

    @Test
    void tooSmallForTheAlphabetIsAClearError() {
        Map<String, Long> counts = Map.of("abcdef", 5L);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VocabularyBuilder.build(counts, new VocabularyBuilder.Options(8, 1, 100, 100, 0)));
        assertTrue(e.getMessage().contains("alphabet"), e.getMessage());
    }

    @Test
    void deterministicWhateverTheOrderOfTheCounts() throws IOException {
        Map<String, Long> counts = VocabularyBuilder.countWords(lines("christmas_carol.txt"), true);
        VocabularyBuilder.Options o = new VocabularyBuilder.Options(1500, 2, 1_000_000, -1, -1);
        List<String> a = VocabularyBuilder.build(new TreeMap<>(counts), o).tokens();
        List<Map.Entry<String, Long>> shuffled = new ArrayList<>(counts.entrySet());
        Collections.shuffle(shuffled, new Random(3));
        Map<String, Long> other = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : shuffled) other.put(e.getKey(), e.getValue());
        List<String> b = VocabularyBuilder.build(other, o).tokens();
        assertEquals(a, b);
        assertEquals(1500, a.size());
    }

    @Test
    void fewUnknownPiecesOnHeldOutText() throws IOException {
        List<String> train = new ArrayList<>(lines("dracula.txt"));
        train.addAll(lines("christmas_carol.txt"));
        Map<String, Long> counts = VocabularyBuilder.countWords(train, true);
        VocabularyBuilder.Result r = VocabularyBuilder.build(counts, VocabularyBuilder.Options.of(4000));
        FullTokenizer tok = new FullTokenizer(Vocab.of(r.tokens(), "built"), true);
        long pieces = 0, unk = 0, words = 0;
        BasicTokenizer basic = new BasicTokenizer(true);
        for (String line : lines("crime_and_punishment.txt")) {
            words += basic.tokenize(line).size();
            for (int id : tok.encode(line)) {
                pieces++;
                if (id == tok.vocab().unkId()) unk++;
            }
        }
        double unkRate = unk / (double) pieces;
        double piecesPerWord = pieces / (double) words;
        assertTrue(unkRate < 0.002, "[UNK] rate " + unkRate);
        assertTrue(piecesPerWord < 1.5, "pieces per word " + piecesPerWord);
    }
}
