package dev.mobilebert.jobs.pretrain;

import dev.mobilebert.jobs.train.Evaluator;
import dev.mobilebert.train.PretrainingMetrics;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Held-out MLM/NSP evaluation on the executors: every partition builds the network from the broadcast
 * configuration and parameters, runs it on its batches (inference mode) and returns only sums — metric sums and
 * the weighted count of every masked label id, from which the driver takes the most-frequent-token baseline
 * (the accuracy of always predicting the held-out set's most frequent masked token; any model that learned
 * nothing beyond token frequencies stays at or below it).
 */
public final class PretrainingEvaluator implements Evaluator {
    private final JavaRDD<MultiDataSet> heldOut;

    /** @param heldOut contract batches (any size), persisted by the caller if it is evaluated repeatedly */
    public PretrainingEvaluator(JavaRDD<MultiDataSet> heldOut) {
        this.heldOut = heldOut;
    }

    /**
     * One partition's sums (a plain class, not a record: Spark's Kryo cannot serialize records unless the project's
     * registrator is configured, and this must work under any configuration).
     */
    static final class Part implements Serializable {
        final double[] sums; // PretrainingMetrics components
        final HashMap<Integer, Double> labelCounts;
        final long nspRandom;

        Part(PretrainingMetrics m, HashMap<Integer, Double> labelCounts, long nspRandom) {
            this.sums = new double[]{m.mlmLoss(), m.mlmCorrect(), m.mlmWeight(), m.nspLoss(), m.nspCorrect(), m.examples()};
            this.labelCounts = labelCounts;
            this.nspRandom = nspRandom;
        }

        PretrainingMetrics metrics() {
            return new PretrainingMetrics(sums[0], sums[1], sums[2], sums[3], sums[4], (long) sums[5]);
        }
    }

    @Override
    public Map<String, Object> evaluate(JavaSparkContext sc, ComputationGraph net) {
        Broadcast<String> conf = sc.broadcast(net.getConfiguration().toJson());
        Broadcast<INDArray> params = sc.broadcast(net.params().dup());
        List<Part> parts;
        try {
            parts = heldOut.mapPartitions(batches -> List.of(evaluatePartition(batches, conf.value(), params.value())).iterator())
                    .collect();
        } finally {
            conf.destroy();
            params.destroy();
        }
        PretrainingMetrics total = PretrainingMetrics.ZERO;
        Map<Integer, Double> counts = new HashMap<>();
        long random = 0;
        for (Part p : parts) {
            total = total.plus(p.metrics());
            p.labelCounts.forEach((k, v) -> counts.merge(k, v, Double::sum));
            random += p.nspRandom;
        }
        Map<String, Object> m = new LinkedHashMap<>(total.asMap("heldout_"));
        m.put("heldout_loss", total.mlmLossMean() + total.nspLossMean());
        double top = counts.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        m.put("heldout_mlm_majority_baseline", total.mlmWeight() == 0 ? Double.NaN : top / total.mlmWeight());
        m.put("heldout_nsp_majority_baseline", total.examples() == 0 ? Double.NaN
                : Math.max(random, total.examples() - random) / (double) total.examples());
        m.put("heldout_examples", total.examples());
        m.put("heldout_masked_positions", Math.round(total.mlmWeight()));
        return m;
    }

    static Part evaluatePartition(Iterator<MultiDataSet> batches, String conf, INDArray params) {
        ComputationGraph local = null;
        PretrainingMetrics sum = PretrainingMetrics.ZERO;
        HashMap<Integer, Double> counts = new HashMap<>();
        long random = 0;
        while (batches.hasNext()) {
            MultiDataSet b = batches.next();
            if (local == null) {
                local = new ComputationGraph(ComputationGraphConfiguration.fromJson(conf));
                local.init(params.dup(), false);
            }
            // no label masks here: DL4J would multiply the [N, P*V] MLM logits by the [N, P] weights (shape error)
            INDArray[] out = local.output(false, b.getFeatures(), b.getFeaturesMaskArrays(), null);
            INDArray weights = b.getLabelsMaskArray(0);
            sum = sum.plus(PretrainingMetrics.of(out[0], b.getLabels(0), weights, out[1], b.getLabels(1)));
            int[] ids = b.getLabels(0).castTo(DataType.INT).dup('c').data().asInt();
            double[] w = weights == null ? null : weights.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            for (int i = 0; i < ids.length; i++) {
                double wi = w == null ? 1 : w[i];
                if (wi != 0) counts.merge(ids[i], wi, Double::sum);
            }
            random += b.getLabels(1).sumNumber().longValue();
        }
        return new Part(sum, counts, random);
    }
}
