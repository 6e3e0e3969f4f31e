package dev.mobilebert.tasks.features;

import dev.mobilebert.tasks.GlueExample;
import dev.mobilebert.tasks.GlueTask;
import dev.mobilebert.tokenization.FullTokenizer;
import dev.mobilebert.tokenization.Vocab;

import java.util.ArrayList;
import java.util.List;

/** run_classifier.py's {@code convert_single_example} with {@code _truncate_seq_pair}. */
public final class ClassifierFeaturizer {
    private final FullTokenizer tokenizer;
    private final GlueTask task;
    private final int maxSeqLength;

    public ClassifierFeaturizer(FullTokenizer tokenizer, GlueTask task, int maxSeqLength) {
        if (maxSeqLength < 3) throw new IllegalArgumentException("max_seq_length must be at least 3, got " + maxSeqLength);
        this.tokenizer = tokenizer;
        this.task = task;
        this.maxSeqLength = maxSeqLength;
    }

    public ClassifierFeatures convert(GlueExample example) {
        List<String> tokensA = new ArrayList<>(tokenizer.tokenize(example.textA()));
        // BERT tests `if example.text_b:` and then `if tokens_b:`: an empty B (or one with no pieces) is no B
        List<String> tokensB = example.textB() == null || example.textB().isEmpty()
                ? List.of() : new ArrayList<>(tokenizer.tokenize(example.textB()));
        if (!tokensB.isEmpty()) {
            truncateSeqPair(tokensA, tokensB, maxSeqLength - 3);
        } else if (tokensA.size() > maxSeqLength - 2) {
            tokensA = new ArrayList<>(tokensA.subList(0, maxSeqLength - 2));
        }
        List<String> tokens = new ArrayList<>();
        List<Integer> segments = new ArrayList<>();
        tokens.add(Vocab.CLS);
        segments.add(0);
        for (String t : tokensA) {
            tokens.add(t);
            segments.add(0);
        }
        tokens.add(Vocab.SEP);
        segments.add(0);
        if (!tokensB.isEmpty()) {
            for (String t : tokensB) {
                tokens.add(t);
                segments.add(1);
            }
            tokens.add(Vocab.SEP);
            segments.add(1);
        }
        int[] ids = new int[maxSeqLength];
        int[] mask = new int[maxSeqLength];
        int[] segmentIds = new int[maxSeqLength];
        int[] real = tokenizer.convertTokensToIds(tokens);
        for (int i = 0; i < real.length; i++) {
            ids[i] = real[i];
            mask[i] = 1;
            segmentIds[i] = segments.get(i);
        }
        return new ClassifierFeatures(example.guid(), ids, mask, segmentIds, labelId(example), score(example));
    }

    private int labelId(GlueExample e) {
        if (task.isRegression() || e.label() == null) return 0;
        int id = task.labelId(e.label());
        if (id < 0) throw new IllegalArgumentException(e.guid() + ": unknown " + task.serverName() + " label '" + e.label() + "'");
        return id;
    }

    private double score(GlueExample e) {
        return task.isRegression() && e.label() != null ? e.score() : Double.NaN;
    }

    /** Pops from the longer sequence (B when equal) until the pair fits in {@code maxLength}. */
    public static void truncateSeqPair(List<String> tokensA, List<String> tokensB, int maxLength) {
        while (tokensA.size() + tokensB.size() > maxLength) {
            if (tokensA.size() > tokensB.size()) tokensA.remove(tokensA.size() - 1);
            else tokensB.remove(tokensB.size() - 1);
        }
    }
}
