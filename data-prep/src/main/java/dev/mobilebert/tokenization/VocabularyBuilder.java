package dev.mobilebert.tokenization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns a WordPiece vocabulary from word counts (the words of {@link BasicTokenizer}, counted on Spark by the
 * build-vocab job), deterministically, on one machine, by bottom-up pair merges with WordPiece's "##" marking of
 * word-internal pieces (the scheme of HF tokenizers' WordPiece trainer; the vocabulary is then used by BERT's greedy
 * longest-match-first tokenizer):
 * <ol>
 * <li>Keep the word types seen at least {@code minFrequency} times (at most {@code maxWordTypes}, the most frequent;
 *     ties by the word's text). Every word starts as its characters: the first as itself, the others as "##c".</li>
 * <li>The alphabet is every character symbol in those words (at most {@code maxAlphabet} of them, the most frequent;
 *     words with a character outside it are left out).</li>
 * <li>Repeat until the vocabulary is full or nothing is left to merge: merge the best adjacent symbol pair (a, b)
 *     everywhere it occurs; the merged symbol is a new piece ("##..." when a is a continuation). "Best" is the most
 *     frequent pair ({@link Criterion#FREQUENCY}, the default) or the one with the highest count(ab) / (count(a)
 *     count(b)) ({@link Criterion#LIKELIHOOD}, the criterion of Schuster &amp; Nakajima's WordPiece; on these small
 *     corpora it spends merges on rare pairs: 2.5 pieces per word on a held-out book at 4,000 pieces against 1.25
 *     for FREQUENCY, see docs/tokenizer.md). Ties go to the more frequent pair, then to the smaller merged piece
 *     (String order), then to the smaller symbol ids: the result depends on the counts only, not on their order.</li>
 * </ol>
 * Layout of the output, BERT's: [PAD], [unused0] .. [unused(K-1)], [UNK], [CLS], [SEP], [MASK], then the
 * alphabet (word-initial characters, then "##" characters, each by code point) and the merged pieces in the order
 * they were learned.
 * <p>
 * Cost: each merge scans the current pair table once, so time is about (merges x distinct pairs); bound it with
 * {@code maxWordTypes} on large corpora.
 */
public final class VocabularyBuilder {

    /** The options of a build; {@code unusedTokens} < 0 means min(99, size / 100). */
    public record Options(int size, int minFrequency, int maxWordTypes, int maxAlphabet, int unusedTokens,
                          Criterion criterion) {
        public Options(int size, int minFrequency, int maxWordTypes, int maxAlphabet, int unusedTokens) {
            this(size, minFrequency, maxWordTypes, maxAlphabet, unusedTokens, Criterion.FREQUENCY);
        }

        public static Options of(int size) {
            return new Options(size, 2, 1_000_000, -1, -1);
        }

        public Options with(Criterion c) {
            return new Options(size, minFrequency, maxWordTypes, maxAlphabet, unusedTokens, c);
        }

        public int unused() { return unusedTokens >= 0 ? unusedTokens : Math.min(99, size / 100); }

        /** The default alphabet bound: a quarter of the pieces. */
        public int alphabetLimit() { return maxAlphabet > 0 ? maxAlphabet : Math.max(1, (size - unused() - 5) / 4); }
    }

    /** How the next merge is chosen. */
    public enum Criterion {
        /** The most frequent pair (what HF tokenizers' WordPiece trainer does). */
        FREQUENCY,
        /** count(ab) / (count(a) count(b)): the largest gain in unigram likelihood. */
        LIKELIHOOD
    }

    /** The result: the tokens in id order, and how they came about. */
    public record Result(List<String> tokens, int wordTypes, int alphabet, int merges, long droppedWords) {}

    private VocabularyBuilder() {}

    public static List<String> specialTokens(int unused) {
        List<String> out = new ArrayList<>();
        out.add(Vocab.PAD);
        for (int i = 0; i < unused; i++) out.add("[unused" + i + "]");
        out.addAll(List.of(Vocab.UNK, Vocab.CLS, Vocab.SEP, Vocab.MASK));
        return out;
    }

    /** Counts the words of {@code lines} as the Spark job does (for tests and small inputs). */
    public static Map<String, Long> countWords(Iterable<String> lines, boolean doLowerCase) {
        BasicTokenizer basic = new BasicTokenizer(doLowerCase);
        Map<String, Long> counts = new HashMap<>();
        for (String line : lines) {
            basic.forEachWord(line, (chars, length, cps, starts, ends) -> counts.merge(new String(chars, 0, length), 1L, Long::sum));
        }
        return counts;
    }

    public static Result build(Map<String, Long> wordCounts, Options options) {
        List<String> specials = specialTokens(options.unused());
        int budget = options.size() - specials.size();
        if (budget <= 0) {
            throw new IllegalArgumentException("vocabulary size " + options.size() + " leaves no room after "
                    + specials.size() + " special tokens");
        }
        Learner learner = new Learner(selectWords(wordCounts, options), options.alphabetLimit(), options.criterion());
        if (learner.symbolCount() > budget) {
            throw new IllegalArgumentException("the alphabet alone needs " + learner.symbolCount() + " pieces but the size "
                    + options.size() + " leaves " + budget + ": raise --size or lower the alphabet limit");
        }
        int merges = learner.learn(budget);
        List<String> tokens = new ArrayList<>(specials);
        tokens.addAll(learner.pieces());
        return new Result(tokens, learner.wordTypes(), learner.alphabetSize(), merges, learner.droppedWords());
    }

    /** The kept word types, most frequent first, ties by text: a deterministic order independent of the map. */
    private static List<Map.Entry<String, Long>> selectWords(Map<String, Long> counts, Options options) {
        List<Map.Entry<String, Long>> words = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getValue() >= options.minFrequency() && !e.getKey().isEmpty()) words.add(Map.entry(e.getKey(), e.getValue()));
        }
        words.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        return words.size() > options.maxWordTypes() ? words.subList(0, options.maxWordTypes()) : words;
    }

    /** The merge loop over word types as symbol sequences. */
    private static final class Learner {
        private final List<String> symbols = new ArrayList<>();
        private final Map<String, Integer> symbolIds = new HashMap<>();
        private long[] symbolFreq = new long[1024];
        private final int[][] words;
        private final long[] counts;
        private final int[] stamp;
        private final PairTable pairs = new PairTable();
        private final Map<Long, IntList> pairWords = new HashMap<>();
        private final int alphabetSize;
        private final long droppedWords;

        private final boolean likelihood;

        Learner(List<Map.Entry<String, Long>> selected, int alphabetLimit, Criterion criterion) {
            this.likelihood = criterion == Criterion.LIKELIHOOD;
            // the alphabet: character symbols by frequency (ties by piece), limited
            Map<String, Long> charFreq = new HashMap<>();
            for (Map.Entry<String, Long> w : selected) {
                String s = w.getKey();
                for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
                    charFreq.merge(charSymbol(s, i), w.getValue(), Long::sum);
                }
            }
            List<String> alphabet = new ArrayList<>(charFreq.keySet());
            alphabet.sort(Comparator.<String>comparingLong(charFreq::get).reversed().thenComparing(Comparator.naturalOrder()));
            if (alphabet.size() > alphabetLimit) alphabet = alphabet.subList(0, alphabetLimit);
            alphabet.sort(Comparator.comparing((String p) -> p.startsWith(Vocab.CONTINUATION))
                    .thenComparing(p -> p.startsWith(Vocab.CONTINUATION) ? p.codePointAt(2) : p.codePointAt(0)));
            for (String a : alphabet) symbol(a);
            alphabetSize = alphabet.size();

            List<int[]> seqs = new ArrayList<>();
            List<Long> cs = new ArrayList<>();
            long dropped = 0;
            for (Map.Entry<String, Long> w : selected) {
                int[] seq = toSymbols(w.getKey());
                if (seq == null) {
                    dropped++;
                    continue;
                }
                seqs.add(seq);
                cs.add(w.getValue());
            }
            droppedWords = dropped;
            words = seqs.toArray(new int[0][]);
            counts = cs.stream().mapToLong(Long::longValue).toArray();
            stamp = new int[words.length];
            for (int w = 0; w < words.length; w++) {
                for (int s : words[w]) symbolFreq[s] += counts[w];
                addPairs(w, -1);
            }
        }

        private static String charSymbol(String word, int i) {
            String c = new String(Character.toChars(word.codePointAt(i)));
            return i == 0 ? c : Vocab.CONTINUATION + c;
        }

        private int[] toSymbols(String word) {
            int[] seq = new int[word.codePointCount(0, word.length())];
            int k = 0;
            for (int i = 0; i < word.length(); i += Character.charCount(word.codePointAt(i))) {
                Integer id = symbolIds.get(charSymbol(word, i));
                if (id == null) return null;
                seq[k++] = id;
            }
            return seq;
        }

        private int symbol(String piece) {
            Integer id = symbolIds.get(piece);
            if (id != null) return id;
            int s = symbols.size();
            symbols.add(piece);
            symbolIds.put(piece, s);
            if (s >= symbolFreq.length) symbolFreq = Arrays.copyOf(symbolFreq, s * 2);
            return s;
        }

        int symbolCount() { return symbols.size(); }
        int alphabetSize() { return alphabetSize; }
        int wordTypes() { return words.length; }
        long droppedWords() { return droppedWords; }
        List<String> pieces() { return symbols; }

        /** Merges until {@code budget} pieces exist or no pair is left; returns the number of merges. */
        int learn(int budget) {
            int merges = 0;
            int round = 0;
            while (symbols.size() < budget) {
                long best = bestPair();
                if (best < 0) break;
                int a = (int) (best >>> 32), b = (int) best;
                int before = symbols.size();
                int c = symbol(merged(a, b));
                merge(a, b, c, ++round);
                if (symbols.size() > before) merges++;
            }
            return merges;
        }

        private String merged(int a, int b) {
            return symbols.get(a) + symbols.get(b).substring(Vocab.CONTINUATION.length());
        }

        /** The pair with the highest likelihood score (ties: frequency, merged piece, ids), or -1. */
        private long bestPair() {
            long best = -1;
            double bestScore = -1;
            long bestFreq = 0;
            long[] keys = pairs.keys;
            long[] values = pairs.values;
            for (int i = 0; i < keys.length; i++) {
                long f = values[i];
                if (keys[i] == PairTable.EMPTY || f <= 0) continue;
                long key = keys[i];
                int a = (int) (key >>> 32), b = (int) key;
                double score = likelihood ? f / ((double) symbolFreq[a] * (double) symbolFreq[b]) : f;
                if (score > bestScore || (score == bestScore && (f > bestFreq
                        || (f == bestFreq && tieBreak(key, best) < 0)))) {
                    best = key;
                    bestScore = score;
                    bestFreq = f;
                }
            }
            return best;
        }

        private int tieBreak(long x, long y) {
            int ax = (int) (x >>> 32), bx = (int) x, ay = (int) (y >>> 32), by = (int) y;
            int c = merged(ax, bx).compareTo(merged(ay, by));
            if (c != 0) return c;
            return Long.compare(x, y);
        }

        private void merge(int a, int b, int c, int round) {
            long key = PairTable.key(a, b);
            IntList affected = pairWords.remove(key);
            if (affected == null) return;
            for (int k = 0; k < affected.size; k++) {
                int w = affected.values[k];
                if (stamp[w] == round) continue;
                stamp[w] = round;
                int[] seq = words[w];
                int[] out = new int[seq.length];
                int n = 0;
                boolean changed = false;
                for (int i = 0; i < seq.length; i++) {
                    if (i + 1 < seq.length && seq[i] == a && seq[i + 1] == b) {
                        out[n++] = c;
                        i++;
                        changed = true;
                    } else {
                        out[n++] = seq[i];
                    }
                }
                if (!changed) continue;
                long cnt = counts[w];
                removePairs(w);
                for (int s : seq) symbolFreq[s] -= cnt;
                words[w] = Arrays.copyOf(out, n);
                for (int s : words[w]) symbolFreq[s] += cnt;
                addPairs(w, c);
            }
        }

        private void removePairs(int w) {
            int[] seq = words[w];
            for (int i = 0; i + 1 < seq.length; i++) pairs.add(PairTable.key(seq[i], seq[i + 1]), -counts[w]);
        }

        /** Counts the pairs of word w; indexes w under every pair (or, with {@code only} >= 0, pairs containing it). */
        private void addPairs(int w, int only) {
            int[] seq = words[w];
            for (int i = 0; i + 1 < seq.length; i++) {
                long key = PairTable.key(seq[i], seq[i + 1]);
                pairs.add(key, counts[w]);
                if (only < 0 || seq[i] == only || seq[i + 1] == only) {
                    pairWords.computeIfAbsent(key, x -> new IntList()).add(w);
                }
            }
        }
    }

    /** Open-addressing (a, b) -> count table; entries are never removed (a count of 0 is skipped). */
    private static final class PairTable {
        static final long EMPTY = Long.MIN_VALUE;
        long[] keys = new long[1 << 16];
        long[] values = new long[1 << 16];
        int size;

        PairTable() { Arrays.fill(keys, EMPTY); }

        static long key(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

        void add(long key, long delta) {
            if ((size + 1) * 2 > keys.length) grow();
            int mask = keys.length - 1;
            int slot = mix(key) & mask;
            while (keys[slot] != EMPTY && keys[slot] != key) slot = (slot + 1) & mask;
            if (keys[slot] == EMPTY) {
                keys[slot] = key;
                size++;
            }
            values[slot] += delta;
        }

        private void grow() {
            long[] oldKeys = keys, oldValues = values;
            keys = new long[oldKeys.length * 2];
            values = new long[oldKeys.length * 2];
            Arrays.fill(keys, EMPTY);
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) if (oldKeys[i] != EMPTY && oldValues[i] > 0) add(oldKeys[i], oldValues[i]);
        }

        private static int mix(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }

    private static final class IntList {
        int[] values = new int[4];
        int size;

        void add(int v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }
    }
}
