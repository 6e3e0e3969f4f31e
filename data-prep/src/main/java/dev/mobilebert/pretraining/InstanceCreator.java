package dev.mobilebert.pretraining;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * create_pretraining_data.py's algorithm, split in three steps so that it can run partitioned (see
 * docs/prepare-pretraining.md):
 * <ol>
 *   <li>{@link #plan}: create_instances_from_document's chunking for one (document, duplicate), with its own
 *       random stream; a random-next B is only <em>chosen</em> here (document index over the whole corpus and start);</li>
 *   <li>{@link #fetchRandomNext}: the B span taken from the chosen document;</li>
 *   <li>{@link #finish}: truncate_seq_pair, [CLS] A [SEP] B [SEP], create_masked_lm_predictions and padding, with a
 *       random stream keyed by (document, duplicate, instance).</li>
 * </ol>
 * Documents are arrays of sentences, each an array of token ids (sentences without tokens already dropped).
 */
public final class InstanceCreator implements java.io.Serializable {
    private final PretrainingConfig config;
    private final TokenIds ids;

    public InstanceCreator(PretrainingConfig config, TokenIds ids) {
        this.config = config;
        this.ids = ids;
    }

    public PretrainingConfig config() {
        return config;
    }

    /** Step 1 for document {@code doc} (of {@code numDocs} in the corpus) and duplicate {@code dupe}. */
    public List<InstancePlan> plan(long doc, int dupe, int[][] document, long numDocs) {
        Rng rng = Rng.forKey(config.randomSeed(), 0x01, doc, dupe);
        int maxNumTokens = config.maxNumTokens();
        // As in the reference, the target is drawn once per document (not per instance).
        int targetSeqLength = maxNumTokens;
        if (rng.random() < config.shortSeqProb()) targetSeqLength = rng.randint(2, maxNumTokens);

        List<InstancePlan> plans = new ArrayList<>();
        List<int[]> chunk = new ArrayList<>();
        int currentLength = 0;
        int i = 0;
        while (i < document.length) {
            int[] segment = document[i];
            chunk.add(segment);
            currentLength += segment.length;
            if (i == document.length - 1 || currentLength >= targetSeqLength) {
                if (!chunk.isEmpty()) {
                    if (config.balancedNsp() && chunk.size() == 1 && i < document.length - 1) {
                        // balanced_nsp: give a lone sentence its continuation, so that the coin decides
                        i++;
                        chunk.add(document[i]);
                    }
                    int aEnd = 1;
                    if (chunk.size() >= 2) aEnd = rng.randint(1, chunk.size() - 1);
                    int[] tokensA = concat(chunk, 0, aEnd);
                    boolean forced = chunk.size() == 1;
                    if (forced || rng.random() < 0.5) {
                        int targetBLength = targetSeqLength - tokensA.length;
                        long randomDoc = 0;
                        for (int attempt = 0; attempt < 10; attempt++) {
                            randomDoc = rng.randlong(0, numDocs - 1);
                            if (randomDoc != doc) break;
                        }
                        double randomStart = rng.random();
                        plans.add(new InstancePlan(doc, dupe, plans.size(), tokensA, null, true, forced,
                                randomDoc, randomStart, targetBLength));
                        // the segments after A were not used: put them back
                        i -= chunk.size() - aEnd;
                    } else {
                        plans.add(new InstancePlan(doc, dupe, plans.size(), tokensA, concat(chunk, aEnd, chunk.size()),
                                false, false, -1, 0, 0));
                    }
                }
                chunk.clear();
                currentLength = 0;
            }
            i++;
        }
        return plans;
    }

    /** Step 2: B of a random-next plan, from the chosen document's sentences. */
    public static int[] fetchRandomNext(InstancePlan plan, int[][] randomDocument) {
        int start = (int) Math.min(randomDocument.length - 1, (long) Math.floor(plan.randomStart() * randomDocument.length));
        List<int[]> taken = new ArrayList<>();
        int length = 0;
        for (int j = start; j < randomDocument.length; j++) {
            taken.add(randomDocument[j]);
            length += randomDocument[j].length;
            if (length >= plan.targetBLength()) break;
        }
        return concat(taken, 0, taken.size());
    }

    /** Step 3: the finished instance; {@code tokensB} is the plan's own or the fetched one. */
    public CreatedInstance finish(InstancePlan plan, int[] tokensB) {
        Rng rng = Rng.forKey(config.randomSeed(), 0x03, plan.doc(), plan.dupe(), plan.index());
        int[] a = plan.tokensA();
        int[] b = tokensB;
        // truncate_seq_pair on [aFrom, aTo) and [bFrom, bTo)
        int aFrom = 0, aTo = a.length, bFrom = 0, bTo = b.length;
        int maxNumTokens = config.maxNumTokens();
        while ((aTo - aFrom) + (bTo - bFrom) > maxNumTokens) {
            boolean truncA = (aTo - aFrom) > (bTo - bFrom);
            boolean front = rng.random() < 0.5;
            if (truncA) {
                if (front) aFrom++; else aTo--;
            } else {
                if (front) bFrom++; else bTo--;
            }
        }
        if (aTo - aFrom < 1 || bTo - bFrom < 1) {
            throw new IllegalStateException("empty segment after truncation for document " + plan.doc() + " instance " + plan.index());
        }
        int length = (aTo - aFrom) + (bTo - bFrom) + 3;
        int[] tokens = new int[length];
        int[] segmentIds = new int[length];
        int p = 0;
        tokens[p++] = ids.cls();
        for (int k = aFrom; k < aTo; k++) tokens[p++] = a[k];
        tokens[p++] = ids.sep();
        int bStart = p;
        for (int k = bFrom; k < bTo; k++) tokens[p++] = b[k];
        tokens[p++] = ids.sep();
        Arrays.fill(segmentIds, bStart, length, 1);
        return mask(plan, tokens, segmentIds, rng);
    }

    /** create_masked_lm_predictions, then padding to the fixed shapes. */
    private CreatedInstance mask(InstancePlan plan, int[] tokens, int[] segmentIds, Rng rng) {
        // cand_indexes as groups over a flat index list: group g = flat[groupStart[g] .. groupStart[g+1])
        int[] flat = new int[tokens.length];
        int[] groupStart = new int[tokens.length + 1];
        int nFlat = 0, groups = 0;
        for (int i = 0; i < tokens.length; i++) {
            int t = tokens[i];
            if (t == ids.cls() || t == ids.sep()) continue;
            // With whole-word masking a "##" piece joins the previous candidate, as in the reference (even across [SEP]).
            boolean joins = config.doWholeWordMask() && groups > 0 && ids.isContinuation(t);
            if (!joins) groupStart[groups++] = nFlat;
            flat[nFlat++] = i;
        }
        groupStart[groups] = nFlat;
        int[] order = new int[groups];
        for (int g = 0; g < groups; g++) order[g] = g;
        rng.shuffle(order);

        int numToPredict = Math.min(config.maxPredictionsPerSeq(),
                Math.max(1, (int) Math.rint(tokens.length * config.maskedLmProb()))); // Python's round: half to even
        int[] output = tokens.clone();
        int[] positions = new int[numToPredict];
        int[] labels = new int[numToPredict];
        int n = 0, asMask = 0, kept = 0, randomised = 0;
        // Candidate groups are disjoint, so the reference's covered-index check never fires and is not needed.
        for (int g : order) {
            if (n >= numToPredict) break;
            int from = groupStart[g], to = groupStart[g + 1];
            if (n + (to - from) > numToPredict) continue;
            for (int k = from; k < to; k++) {
                int index = flat[k];
                int replacement;
                if (rng.random() < 0.8) {
                    replacement = ids.mask();
                    asMask++;
                } else if (rng.random() < 0.5) {
                    replacement = tokens[index];
                    kept++;
                } else {
                    replacement = rng.randint(0, ids.vocabSize() - 1);
                    randomised++;
                }
                output[index] = replacement;
                positions[n] = index;
                labels[n] = tokens[index];
                n++;
            }
        }
        sortByPosition(positions, labels, n);
        return new CreatedInstance(plan.doc(), plan.dupe(), plan.index(), plan.orderKey(config.randomSeed()),
                pad(output, segmentIds, positions, labels, n, plan.isRandomNext()),
                asMask, kept, randomised, plan.forcedRandom());
    }

    private PretrainingInstance pad(int[] tokens, int[] segmentIds, int[] positions, int[] labels, int n, boolean randomNext) {
        int T = config.maxSeqLength(), P = config.maxPredictionsPerSeq();
        int[] inputIds = Arrays.copyOf(tokens, T);
        int[] inputMask = new int[T];
        Arrays.fill(inputMask, 0, tokens.length, 1);
        int[] seg = Arrays.copyOf(segmentIds, T);
        int[] pos = Arrays.copyOf(positions, P);
        int[] lab = Arrays.copyOf(labels, P);
        if (n < P) {
            Arrays.fill(pos, n, P, 0);
            Arrays.fill(lab, n, P, 0);
        }
        float[] weights = new float[P];
        Arrays.fill(weights, 0, n, 1f);
        return new PretrainingInstance(inputIds, inputMask, seg, pos, lab, weights, randomNext ? 1 : 0, tokens.length);
    }

    private static void sortByPosition(int[] positions, int[] labels, int n) {
        // insertion sort: n <= max_predictions_per_seq
        for (int i = 1; i < n; i++) {
            int p = positions[i], l = labels[i], j = i - 1;
            while (j >= 0 && positions[j] > p) {
                positions[j + 1] = positions[j];
                labels[j + 1] = labels[j];
                j--;
            }
            positions[j + 1] = p;
            labels[j + 1] = l;
        }
    }

    static int[] concat(List<int[]> parts, int from, int to) {
        int n = 0;
        for (int k = from; k < to; k++) n += parts.get(k).length;
        int[] out = new int[n];
        int p = 0;
        for (int k = from; k < to; k++) {
            int[] s = parts.get(k);
            System.arraycopy(s, 0, out, p, s.length);
            p += s.length;
        }
        return out;
    }
}
