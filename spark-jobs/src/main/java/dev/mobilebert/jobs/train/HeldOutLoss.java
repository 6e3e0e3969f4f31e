package dev.mobilebert.jobs.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mean loss per example over a held-out set, computed on the executors (each partition builds the network from
 * the broadcast configuration and parameters; nothing but two numbers per partition comes back).
 */
public final class HeldOutLoss implements Evaluator {
    private final BatchSource heldOut;

    public HeldOutLoss(BatchSource heldOut) {
        this.heldOut = heldOut;
    }

    @Override
    public Map<String, Object> evaluate(JavaSparkContext sc, ComputationGraph net) {
        JavaRDD<MultiDataSet> data = heldOut.batches(sc, 0, 0, heldOut.batchesPerEpoch(), 0L);
        Broadcast<String> conf = sc.broadcast(net.getConfiguration().toJson());
        Broadcast<INDArray> params = sc.broadcast(net.params().dup());
        List<double[]> parts = data.mapPartitions(batches -> {
            ComputationGraph local = null;
            double sum = 0;
            long n = 0;
            while (batches.hasNext()) {
                MultiDataSet b = batches.next();
                if (local == null) {
                    local = new ComputationGraph(ComputationGraphConfiguration.fromJson(conf.value()));
                    local.init(params.value().dup(), false);
                }
                long size = b.getFeatures(0).size(0);
                sum += local.score(b, false) * size;
                n += size;
            }
            return List.of(new double[]{sum, n}).iterator();
        }).collect();
        conf.destroy();
        params.destroy();
        double sum = 0;
        double n = 0;
        for (double[] p : parts) {
            sum += p[0];
            n += p[1];
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heldout_loss", n == 0 ? Double.NaN : sum / n);
        m.put("heldout_examples", (long) n);
        return m;
    }
}
