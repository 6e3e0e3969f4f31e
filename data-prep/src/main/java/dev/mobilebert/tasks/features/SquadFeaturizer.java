package dev.mobilebert.tasks.features;

import dev.mobilebert.tasks.SquadExample;
import dev.mobilebert.tokenization.FullTokenizer;
import dev.mobilebert.tokenization.Vocab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * run_squad.py's {@code convert_examples_to_features}: the question cut to max_query_length pieces, every
 * whitespace word of the context split into pieces (with tok_to_orig_index / orig_to_tok_index), the answer's
 * piece span tightened by {@code _improve_answer_span}, sliding windows of the context every doc_stride pieces,
 * {@code _check_is_max_context} per position, and {@code [CLS] question [SEP] window [SEP]} padded to
 * max_seq_length. Defaults: 384 / 128 / 64.
 */
public final class SquadFeaturizer {
    public static final int DEFAULT_MAX_SEQ_LENGTH = 384;
    public static final int DEFAULT_DOC_STRIDE = 128;
    public static final int DEFAULT_MAX_QUERY_LENGTH = 64;
    /** run_squad.py numbers features from here. */
    public static final long FIRST_UNIQUE_ID = 1000000000L;

    record DocSpan(int start, int length) {
        int end() {
            return start + length - 1;
        }
    }

    private final FullTokenizer tokenizer;
    private final int maxSeqLength;
    private final int docStride;
    private final int maxQueryLength;

    public SquadFeaturizer(FullTokenizer tokenizer) {
        this(tokenizer, DEFAULT_MAX_SEQ_LENGTH, DEFAULT_DOC_STRIDE, DEFAULT_MAX_QUERY_LENGTH);
    }

    public SquadFeaturizer(FullTokenizer tokenizer, int maxSeqLength, int docStride, int maxQueryLength) {
        if (maxSeqLength - maxQueryLength - 3 <= 0) {
            throw new IllegalArgumentException("max_seq_length " + maxSeqLength + " leaves no room for the context after a "
                    + maxQueryLength + "-piece question");
        }
        if (docStride <= 0) throw new IllegalArgumentException("doc_stride must be positive, got " + docStride);
        this.tokenizer = tokenizer;
        this.maxSeqLength = maxSeqLength;
        this.docStride = docStride;
        this.maxQueryLength = maxQueryLength;
    }

    /** All features of {@code examples}, unique ids counting up from {@link #FIRST_UNIQUE_ID}. */
    public List<SquadFeature> convert(List<SquadExample> examples, boolean training) {
        List<SquadFeature> out = new ArrayList<>();
        long uniqueId = FIRST_UNIQUE_ID;
        for (int i = 0; i < examples.size(); i++) {
            for (SquadFeature f : convert(examples.get(i), i, uniqueId, training)) {
                out.add(f);
                uniqueId++;
            }
        }
        return out;
    }

    public List<SquadFeature> convert(SquadExample example, int exampleIndex, long firstUniqueId, boolean training) {
        List<String> queryTokens = tokenizer.tokenize(example.questionText());
        if (queryTokens.size() > maxQueryLength) queryTokens = queryTokens.subList(0, maxQueryLength);

        List<Integer> tokToOrig = new ArrayList<>();
        int[] origToTok = new int[example.docTokens().size()];
        List<String> allDocTokens = new ArrayList<>();
        for (int i = 0; i < example.docTokens().size(); i++) {
            origToTok[i] = allDocTokens.size();
            for (String sub : tokenizer.tokenize(example.docTokens().get(i))) {
                tokToOrig.add(i);
                allDocTokens.add(sub);
            }
        }

        int tokStart = -1;
        int tokEnd = -1;
        if (training && !example.isImpossible()) {
            tokStart = origToTok[example.startPosition()];
            tokEnd = example.endPosition() < example.docTokens().size() - 1
                    ? origToTok[example.endPosition() + 1] - 1 : allDocTokens.size() - 1;
            int[] improved = improveAnswerSpan(allDocTokens, tokStart, tokEnd, example.origAnswerText());
            tokStart = improved[0];
            tokEnd = improved[1];
        }

        List<DocSpan> spans = docSpans(allDocTokens.size(), maxSeqLength - queryTokens.size() - 3);
        List<SquadFeature> features = new ArrayList<>();
        for (int s = 0; s < spans.size(); s++) {
            features.add(feature(example, exampleIndex, firstUniqueId + s, s, spans, queryTokens, allDocTokens, tokToOrig,
                    training, tokStart, tokEnd));
        }
        return features;
    }

    private SquadFeature feature(SquadExample example, int exampleIndex, long uniqueId, int spanIndex, List<DocSpan> spans,
                                 List<String> queryTokens, List<String> allDocTokens, List<Integer> tokToOrig,
                                 boolean training, int tokStart, int tokEnd) {
        DocSpan span = spans.get(spanIndex);
        List<String> tokens = new ArrayList<>();
        int[] segmentIds = new int[maxSeqLength];
        int[] tokenToOrig = new int[maxSeqLength];
        boolean[] maxContext = new boolean[maxSeqLength];
        Arrays.fill(tokenToOrig, -1);
        tokens.add(Vocab.CLS);
        tokens.addAll(queryTokens);
        tokens.add(Vocab.SEP);
        for (int i = 0; i < span.length(); i++) {
            int split = span.start() + i;
            tokenToOrig[tokens.size()] = tokToOrig.get(split);
            maxContext[tokens.size()] = checkIsMaxContext(spans, spanIndex, split);
            segmentIds[tokens.size()] = 1;
            tokens.add(allDocTokens.get(split));
        }
        segmentIds[tokens.size()] = 1;
        tokens.add(Vocab.SEP);

        int[] ids = new int[maxSeqLength];
        int[] mask = new int[maxSeqLength];
        int[] real = tokenizer.convertTokensToIds(tokens);
        System.arraycopy(real, 0, ids, 0, real.length);
        Arrays.fill(mask, 0, real.length, 1);

        int startPosition = -1;
        int endPosition = -1;
        if (training) {
            startPosition = 0;
            endPosition = 0;
            if (!example.isImpossible() && tokStart >= span.start() && tokEnd <= span.end()) {
                int docOffset = queryTokens.size() + 2;
                startPosition = tokStart - span.start() + docOffset;
                endPosition = tokEnd - span.start() + docOffset;
            }
        }
        return new SquadFeature(uniqueId, exampleIndex, spanIndex, List.copyOf(tokens), tokenToOrig, maxContext, ids,
                mask, segmentIds, startPosition, endPosition, example.isImpossible());
    }

    /** Windows of at most {@code maxTokensForDoc} pieces, each starting min(length, doc_stride) after the last. */
    List<DocSpan> docSpans(int docLength, int maxTokensForDoc) {
        List<DocSpan> spans = new ArrayList<>();
        int startOffset = 0;
        while (startOffset < docLength) {
            int length = Math.min(docLength - startOffset, maxTokensForDoc);
            spans.add(new DocSpan(startOffset, length));
            if (startOffset + length == docLength) break;
            startOffset += Math.min(length, docStride);
        }
        return spans;
    }

    /** The first (shortest-first from the left) piece span whose pieces spell the tokenized answer exactly. */
    int[] improveAnswerSpan(List<String> docTokens, int inputStart, int inputEnd, String origAnswerText) {
        String tokAnswerText = String.join(" ", tokenizer.tokenize(origAnswerText));
        for (int newStart = inputStart; newStart <= inputEnd; newStart++) {
            for (int newEnd = inputEnd; newEnd >= newStart; newEnd--) {
                if (String.join(" ", docTokens.subList(newStart, newEnd + 1)).equals(tokAnswerText)) {
                    return new int[]{newStart, newEnd};
                }
            }
        }
        return new int[]{inputStart, inputEnd};
    }

    /** True when span {@code cur} gives {@code position} the most context: min(left, right) + 0.01 * length. */
    static boolean checkIsMaxContext(List<DocSpan> spans, int cur, int position) {
        double bestScore = Double.NaN;
        int bestSpan = -1;
        for (int i = 0; i < spans.size(); i++) {
            DocSpan span = spans.get(i);
            if (position < span.start() || position > span.end()) continue;
            int left = position - span.start();
            int right = span.end() - position;
            double score = Math.min(left, right) + 0.01 * span.length();
            if (bestSpan < 0 || score > bestScore) {
                bestScore = score;
                bestSpan = i;
            }
        }
        return cur == bestSpan;
    }
}
