package dev.mobilebert.jobs.train;

import org.deeplearning4j.spark.api.stats.CommonSparkTrainingStats;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingMasterStats;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingWorkerStats;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StepMetricsTest {
    @Test
    void theAggregateTimeIsNotCountedTwiceWithTheWorkersFittingItTriggers() {
        // Two workers: each fits for 40 s, waits 2 s for the broadcast + init and 1 s for data, the driver's lazy
        // treeAggregate takes 50 s wall (43 s of worker time + 7 s of serialising, summing and straggling),
        // broadcast creation 3 s, applying the averaged parameters 1 s, splitting the data 0.5 s.
        Map<String, Long> sums = Map.of(
                ParameterAveragingTrainingWorkerStats.PARAMETER_AVERAGING_WORKER_FIT_TIMES_MS, 80_000L,
                ParameterAveragingTrainingWorkerStats.PARAMETER_AVERAGING_WORKER_BROADCAST_GET_VALUE_TIME_MS, 1_000L,
                ParameterAveragingTrainingWorkerStats.PARAMETER_AVERAGING_WORKER_INIT_TIME_MS, 3_000L,
                CommonSparkTrainingStats.WORKER_FLAT_MAP_DATA_SET_GET_TIMES_MS, 2_000L,
                ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_AGGREGATE_TIMES_MS, 50_000L,
                ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_BROADCAST_CREATE_TIMES_MS, 3_000L,
                ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_PROCESS_PARAMS_UPDATER_TIMES_MS, 1_000L,
                ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_SPLIT_TIMES_MS, 500L);
        Map<String, Object> split = StepMetrics.split(sums, 2);
        assertEquals(40_000L, split.get("compute_ms"));
        assertEquals(3_000L + 1_000L + 2_000L + 7_000L, split.get("averaging_ms"));
        assertEquals(500L + 1_000L, split.get("data_ms"));
    }

    @Test
    void anAggregateShorterThanTheWorkerTimesAddsNothing() {
        Map<String, Long> sums = Map.of(
                ParameterAveragingTrainingWorkerStats.PARAMETER_AVERAGING_WORKER_FIT_TIMES_MS, 10_000L,
                ParameterAveragingTrainingMasterStats.PARAMETER_AVERAGING_MASTER_AGGREGATE_TIMES_MS, 9_000L);
        assertEquals(0L, StepMetrics.split(sums, 1).get("averaging_ms"));
    }
}
