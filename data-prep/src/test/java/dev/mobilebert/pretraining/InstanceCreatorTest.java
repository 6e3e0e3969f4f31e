package dev.mobilebert.pretraining;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The create_pretraining_data.py semantics on synthetic documents whose token ids say where they came from:
 * token id = 1000 + 100000 * document + 10 * sentence + position (so provenance can be checked after masking).
 */
class InstanceCreatorTest {
    static final int VOCAB = 5_000_000;
    static final int CLS = 101, SEP = 102, MASK = 103;

    static TokenIds ids(boolean[] continuation) {
        return new TokenIds(CLS, SEP, MASK, VOCAB, continuation);
    }

    static TokenIds ids() {
        return ids(new boolean[0]);
    }

    /** docs[d] has sentenceCounts[d] sentences of sentenceLength tokens. */
    static List<int[][]> corpus(int[] sentenceCounts, int sentenceLength) {
        List<int[][]> docs = new ArrayList<>();
        for (int d = 0; d < sentenceCounts.length; d++) {
            int[][] doc = new int[sentenceCounts[d]][sentenceLength];
            for (int s = 0; s < doc.length; s++) for (int p = 0; p < sentenceLength; p++) doc[s][p] = token(d, s, p);
            docs.add(doc);
        }
        return docs;
    }

    static int token(int d, int s, int p) {
        return 1000 + 100000 * d + 10 * s + p;
    }

    static int docOf(int token) {
        return (token - 1000) / 100000;
    }

    static int sentenceOf(int token) {
        return ((token - 1000) % 100000) / 10;
    }

    /** The instance's tokens with masked positions restored to their labels. */
    static int[] original(PretrainingInstance x) {
        int[] t = Arrays.copyOf(x.inputIds(), x.length());
        for (int k = 0; k < x.maskedLmIds().length; k++) if (x.maskedLmWeights()[k] > 0) t[x.maskedLmPositions()[k]] = x.maskedLmIds()[k];
        return t;
    }

    static int secondSep(int[] tokens) {
        for (int i = tokens.length - 2; i > 0; i--) if (tokens[i] == SEP) return i; // last is the final [SEP]
        return -1;
    }

    @Test
    void layoutPaddingAndMaskCountsFollowTheReference() {
        PretrainingConfig cfg = PretrainingConfig.defaults().withDupeFactor(2);
        List<CreatedInstance> out = LocalPretrainingData.create(corpus(new int[]{40, 3, 25, 60, 1, 7}, 7), new InstanceCreator(cfg, ids()));
        assertFalse(out.isEmpty());
        for (CreatedInstance c : out) {
            PretrainingInstance x = c.instance();
            int n = x.length();
            assertTrue(n <= 128 && n >= 5, "length " + n);
            assertEquals(128, x.inputIds().length);
            assertEquals(20, x.maskedLmPositions().length);
            int[] t = original(x);
            assertEquals(CLS, t[0]);
            assertEquals(SEP, t[n - 1]);
            int sep = secondSep(t);
            assertTrue(sep >= 2 && sep <= n - 3, "A and B are non-empty");
            for (int i = 0; i < 128; i++) {
                assertEquals(i < n ? 1 : 0, x.inputMask()[i]);
                assertEquals(i > sep && i < n ? 1 : 0, x.segmentIds()[i], "segment id at " + i);
                if (i >= n) assertEquals(0, x.inputIds()[i]);
            }
            int expected = Math.min(20, Math.max(1, (int) Math.rint(n * 0.15)));
            assertEquals(expected, x.numPredictions(), "num_to_predict");
            assertEquals(expected, c.maskedAsMask() + c.maskedKept() + c.maskedRandom());
            int prev = -1;
            for (int k = 0; k < expected; k++) {
                int pos = x.maskedLmPositions()[k];
                assertTrue(pos > prev, "positions sorted and distinct");
                prev = pos;
                assertNotEquals(0, pos);
                assertNotEquals(sep, pos);
                assertNotEquals(n - 1, pos);
            }
            for (int k = expected; k < 20; k++) {
                assertEquals(0, x.maskedLmPositions()[k]);
                assertEquals(0, x.maskedLmIds()[k]);
                assertEquals(0f, x.maskedLmWeights()[k]);
            }
        }
    }

    @Test
    void isNextPairsAreContiguousAndRandomPairsComeFromAnotherDocument() {
        PretrainingConfig cfg = PretrainingConfig.defaults().withDupeFactor(3);
        List<CreatedInstance> out = LocalPretrainingData.create(corpus(new int[]{50, 30, 80, 20}, 5), new InstanceCreator(cfg, ids()));
        int isNext = 0, random = 0;
        for (CreatedInstance c : out) {
            int[] t = original(c.instance());
            int sep = secondSep(t);
            int[] a = Arrays.copyOfRange(t, 1, sep);
            int[] b = Arrays.copyOfRange(t, sep + 1, t.length - 1);
            for (int tok : a) assertEquals(c.doc(), docOf(tok), "A comes from its own document");
            if (c.instance().nextSentenceLabel() == 0) {
                isNext++;
                int[] ab = concat(a, b);
                for (int i = 1; i < ab.length; i++) {
                    assertEquals(c.doc(), docOf(ab[i]));
                    assertTrue(ab[i] == ab[i - 1] + 1 || (ab[i] % 10 == 0 && sentenceOf(ab[i]) == sentenceOf(ab[i - 1]) + 1),
                            "A then B is a contiguous span of the document");
                }
            } else {
                random++;
                for (int tok : b) assertNotEquals(c.doc(), docOf(tok), "random B comes from a different document");
                for (int i = 1; i < b.length; i++) assertEquals(docOf(b[0]), docOf(b[i]), "random B is one span");
            }
        }
        assertTrue(isNext > 0 && random > 0);
    }

    @Test
    void unusedSegmentsArePutBackSoEverySentenceIsUsedOncePerDuplicate() {
        // 5-token sentences, target 125 = 25 sentences: no truncation of A, so coverage is exact
        PretrainingConfig cfg = new PretrainingConfig(128, 20, 0.15, 0.0, 2, 7, true, false);
        List<int[][]> docs = corpus(new int[]{200, 150, 90}, 5);
        List<CreatedInstance> out = LocalPretrainingData.create(docs, new InstanceCreator(cfg, ids()));
        for (int dupe = 0; dupe < 2; dupe++) {
            Map<Integer, Integer> used = new HashMap<>();
            for (CreatedInstance c : out) {
                if (c.dupe() != dupe) continue;
                int[] t = original(c.instance());
                int sep = secondSep(t);
                Set<Integer> sentences = new HashSet<>();
                for (int i = 1; i < sep; i++) sentences.add(docOf(t[i]) * 1000 + sentenceOf(t[i]));
                if (c.instance().nextSentenceLabel() == 0) {
                    for (int i = sep + 1; i < t.length - 1; i++) sentences.add(docOf(t[i]) * 1000 + sentenceOf(t[i]));
                }
                for (int s : sentences) used.merge(s, 1, Integer::sum);
            }
            int expected = 200 + 150 + 90;
            assertEquals(expected, used.size(), "every sentence used in dupe " + dupe);
            used.forEach((s, n) -> assertEquals(1, n, "sentence " + s + " used once"));
        }
    }

    @Test
    void balancedNspLetsTheCoinDecideForOneSentenceChunks() {
        // sentences longer than max_num_tokens: every chunk is one sentence, which the reference always makes
        // random-next; with balanced_nsp the next sentence joins it and about half become IsNext
        List<int[][]> docs = corpus(new int[]{40, 40, 40}, 9);
        PretrainingConfig reference = new PretrainingConfig(8, 1, 0.15, 0.0, 4, 3, true, false);
        List<CreatedInstance> ref = LocalPretrainingData.create(docs, new InstanceCreator(reference, ids()));
        assertTrue(ref.stream().allMatch(c -> c.instance().nextSentenceLabel() == 1 && c.forcedRandom()));

        PretrainingConfig balanced = reference.withBalancedNsp(true);
        List<CreatedInstance> out = LocalPretrainingData.create(docs, new InstanceCreator(balanced, ids()));
        long positives = out.stream().filter(c -> c.instance().nextSentenceLabel() == 0).count();
        long forced = out.stream().filter(CreatedInstance::forcedRandom).count();
        assertEquals(0.5, (double) positives / out.size(), 0.1, positives + " of " + out.size());
        assertTrue(forced <= 3 * 4, "only a document's last lone sentence is forced (got " + forced + ")");
        for (CreatedInstance c : out) {
            if (c.instance().nextSentenceLabel() != 0) continue;
            int[] t = original(c.instance());
            int sepA = indexOf(t, SEP);
            // IsNext: B starts with the sentence right after A's, in the same document
            assertEquals(docOf(t[1]), docOf(t[sepA + 1]));
            assertEquals(sentenceOf(t[sepA - 1]) + 1, sentenceOf(t[sepA + 1]));
        }
    }

    static int indexOf(int[] t, int token) {
        for (int i = 0; i < t.length; i++) if (t[i] == token) return i;
        return -1;
    }

    @Test
    void longSegmentsAreTruncatedToMaxNumTokens() {
        PretrainingConfig cfg = new PretrainingConfig(32, 5, 0.15, 0.0, 4, 3, true, false);
        List<int[][]> docs = corpus(new int[]{2, 2, 2}, 9);
        // one very long sentence (like a 1 MB line) in the middle document
        int[] huge = new int[5000];
        for (int i = 0; i < huge.length; i++) huge[i] = 1000 + 100000 + i % 9;
        docs.set(1, new int[][]{huge, docs.get(1)[1]});
        List<CreatedInstance> out = LocalPretrainingData.create(docs, new InstanceCreator(cfg, ids()));
        for (CreatedInstance c : out) assertTrue(c.instance().length() <= 32);
        assertTrue(out.stream().anyMatch(c -> c.instance().length() == 32));
    }

    @Test
    void wholeWordMaskingMasksEveryPieceOfAWord() {
        // odd tokens continue the word started by the even token before them
        List<int[][]> docs = corpus(new int[]{60, 60, 60}, 8);
        boolean[] cont = new boolean[VOCAB];
        for (int[][] d : docs) for (int[] s : d) for (int tok : s) if (tok % 2 == 1) cont[tok] = true;
        PretrainingConfig cfg = PretrainingConfig.defaults().withDupeFactor(2).withWholeWordMask(true);
        List<CreatedInstance> out = LocalPretrainingData.create(docs, new InstanceCreator(cfg, ids(cont)));
        for (CreatedInstance c : out) {
            PretrainingInstance x = c.instance();
            int[] t = original(x);
            Set<Integer> masked = new HashSet<>();
            for (int k = 0; k < x.numPredictions(); k++) masked.add(x.maskedLmPositions()[k]);
            for (int p : masked) {
                if (p + 1 < t.length && cont[t[p + 1]] && t[p + 1] != SEP) assertTrue(masked.contains(p + 1), "whole word at " + p);
                if (cont[t[p]] && t[p - 1] != SEP && t[p - 1] != CLS) assertTrue(masked.contains(p - 1), "whole word at " + p);
            }
            assertTrue(x.numPredictions() <= Math.min(20, Math.max(1, (int) Math.rint(x.length() * 0.15))));
        }
    }

    @Test
    void distributionsMatchTheReference() {
        int[] counts = new int[300];
        for (int d = 0; d < counts.length; d++) counts[d] = 20 + (d * 37) % 60;
        PretrainingConfig cfg = PretrainingConfig.defaults().withDupeFactor(5);
        List<int[][]> docs = new ArrayList<>();
        // sentences of varying length 3..30
        for (int d = 0; d < counts.length; d++) {
            int[][] doc = new int[counts[d]][];
            for (int s = 0; s < doc.length; s++) {
                doc[s] = new int[3 + (d * 7 + s * 13) % 28];
                for (int p = 0; p < doc[s].length; p++) doc[s][p] = token(d, s, p % 10);
            }
            docs.add(doc);
        }
        PretrainingStats st = new PretrainingStats();
        LocalPretrainingData.create(docs, new InstanceCreator(cfg, ids())).forEach(st::addInstance);
        assertTrue(st.instances() > 10_000, "instances " + st.instances());
        assertEquals(0.8, st.maskShare(), 0.01);
        assertEquals(0.1, st.keptShare(), 0.01);
        assertEquals(0.1, st.randomShare(), 0.01);
        assertEquals(0.5, st.nspRandomRateWhereDrawn(), 0.01);
        assertEquals(0.15, st.maskedFractionOfTokens(), 0.005);
    }

    @Test
    void outputIsDeterministicForASeedAndChangesWithIt() {
        List<int[][]> docs = corpus(new int[]{30, 40, 50}, 6);
        PretrainingConfig cfg = PretrainingConfig.defaults().withDupeFactor(2);
        List<CreatedInstance> a = LocalPretrainingData.create(docs, new InstanceCreator(cfg, ids()));
        List<CreatedInstance> b = LocalPretrainingData.create(docs, new InstanceCreator(cfg, ids()));
        assertEquals(a.stream().map(CreatedInstance::instance).toList(), b.stream().map(CreatedInstance::instance).toList());
        PretrainingConfig other = new PretrainingConfig(128, 20, 0.15, 0.1, 2, 54321, true, false);
        List<CreatedInstance> c = LocalPretrainingData.create(docs, new InstanceCreator(other, ids()));
        assertNotEquals(a.stream().map(CreatedInstance::instance).toList(), c.stream().map(CreatedInstance::instance).toList());
    }

    @Test
    void aSingleDocumentCorpusStillWorksAsInTheReference() {
        // with one document the 10 retries always hit it, and the reference then samples B from the same document
        List<CreatedInstance> out = LocalPretrainingData.create(corpus(new int[]{40}, 6),
                new InstanceCreator(PretrainingConfig.defaults().withDupeFactor(1), ids()));
        assertFalse(out.isEmpty());
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
