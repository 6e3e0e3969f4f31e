package dev.mobilebert.jobs.train;

import dev.mobilebert.optim.GlobalNormClipping.StepRecord;
import org.deeplearning4j.spark.api.stats.CommonSparkTrainingStats;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingMasterStats;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingWorkerStats;
import org.deeplearning4j.spark.stats.EventStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Turns what the workers reported (per-step records, dl4j-spark timing stats) into metrics rows. */
final class StepMetrics {
    private StepMetrics() {}

    /** One optimizer step, averaged over the workers that ran it. */
    record Step(int iteration, double loss, double gradNorm, double maxGradNorm, int workers) {}

    static List<Step> perStep(List<StepRecord> records) {
        Map<Integer, List<StepRecord>> byIteration = new TreeMap<>();
        for (StepRecord r : records) byIteration.computeIfAbsent(r.iteration(), k -> new ArrayList<>()).add(r);
        List<Step> steps = new ArrayList<>();
        byIteration.forEach((it, rs) -> {
            double loss = 0, norm = 0, max = 0;
            for (StepRecord r : rs) {
                loss += r.loss();
                norm += r.gradNorm();
                max = Math.max(max, r.gradNorm());
            }
            steps.add(new Step(it, loss / rs.size(), norm / rs.size(), max, rs.size()));
        });
        return steps;
    }

    /**
     * Splits dl4j-spark's timing stats into compute (workers fitting minibatches), averaging (broadcast, model
     * init on the workers, aggregation and update on the driver, waiting for the slowest worker) and data (count,
     * split, repartition, export on the driver; fetching minibatches on the workers).
     */
    static Map<String, Object> timeSplit(SparkTrainingStats stats, int workers) {
        Map<String, Long> sums = new LinkedHashMap<>();
        collect(stats, sums);
        return split(sums, workers);
    }

    /**
     * The split from summed durations (ms per stats key). Worker times are summed over workers and divided by their
     * number (they run in parallel); driver times are summed. The driver's "aggregate" time is the wall time of the
     * treeAggregate that collects the workers' results -- and since Spark is lazy, that treeAggregate is what runs
     * the workers' fitting too, so the workers' own time is subtracted from it; what is left is serialising and
     * summing the results plus waiting for the slowest worker.
     */
    static Map<String, Object> split(Map<String, Long> sums, int workers) {
        double w = Math.max(1, workers);
        double compute = sum(sums, ParameterAveragingTrainingWorkerStats.PARAMETER_AVERAGING_WORKER_FIT_TIMES_MS) / w;
        double workerInit = (sum(sums, ParameterAveragingTrainingWorkerStats.PARAMETER_AVERAGING_WORKER_BROADCAST_GET_VALUE_TIME_MS)
                + sum(sums, ParameterAveragingTrainingWorkerStats.PARAMETER_AVERAGING_WORKER_INIT_TIME_MS)) / w;
        double workerData = sum(sums, CommonSparkTrainingStats.WORKER_FLAT_MAP_DATA_SET_GET_TIMES_MS) / w;
        double aggregateOnly = Math.max(0, sum(sums, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_AGGREGATE_TIMES_MS)
                - (compute + workerInit + workerData));
        double averaging = sum(sums, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_BROADCAST_CREATE_TIMES_MS)
                + sum(sums, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_PROCESS_PARAMS_UPDATER_TIMES_MS)
                + workerInit + aggregateOnly;
        double data = sum(sums, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_COUNT_RDD_TIMES_MS)
                + sum(sums, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_SPLIT_TIMES_MS)
                + sum(sums, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_REPARTITION_TIMES_MS)
                + sum(sums, ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_EXPORT_RDD_TIMES_MS)
                + workerData;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("compute_ms", Math.round(compute));
        m.put("averaging_ms", Math.round(averaging));
        m.put("data_ms", Math.round(data));
        return m;
    }

    private static long sum(Map<String, Long> sums, String key) {
        return sums.getOrDefault(key, 0L);
    }

    private static void collect(SparkTrainingStats stats, Map<String, Long> sums) {
        for (SparkTrainingStats s = stats; s != null; s = s.getNestedTrainingStats()) {
            for (String key : s.getKeySet()) {
                if (sums.containsKey(key)) continue; // a parent may expose its nested stats' keys too
                long total = 0;
                List<EventStats> events = s.getValue(key);
                if (events != null) for (EventStats e : events) total += e.getDurationMs();
                sums.put(key, total);
            }
        }
    }
}
