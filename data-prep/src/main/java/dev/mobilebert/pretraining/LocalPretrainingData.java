package dev.mobilebert.pretraining;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The whole algorithm in one process, over an in-memory corpus: the dupe_factor loop over every document, random-next
 * spans from the whole corpus, output in the deterministic shuffled order. The Spark job computes exactly this,
 * partitioned; tests compare the two.
 */
public final class LocalPretrainingData {
    private LocalPretrainingData() {}

    /** {@code documents[d]} = the sentences (token ids) of document d; empty documents must already be removed. */
    public static List<CreatedInstance> create(List<int[][]> documents, InstanceCreator creator) {
        List<CreatedInstance> out = new ArrayList<>();
        int dupes = creator.config().dupeFactor();
        for (int dupe = 0; dupe < dupes; dupe++) {
            for (int d = 0; d < documents.size(); d++) {
                for (InstancePlan plan : creator.plan(d, dupe, documents.get(d), documents.size())) {
                    int[] b = plan.needsFetch()
                            ? InstanceCreator.fetchRandomNext(plan, documents.get((int) plan.randomDoc()))
                            : plan.tokensB();
                    out.add(creator.finish(plan, b));
                }
            }
        }
        Collections.sort(out);
        return out;
    }
}
