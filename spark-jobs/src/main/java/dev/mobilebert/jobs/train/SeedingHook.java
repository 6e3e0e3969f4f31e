package dev.mobilebert.jobs.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.deeplearning4j.spark.time.TimeSourceProvider;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs on the workers before every minibatch. (1) Restores the step count: dl4j-spark builds each worker's network
 * from {@code ComputationGraphConfiguration.clone()}, which drops the iteration count, so without this every
 * averaging round would restart the learning-rate schedule (and LAMB/Adam bias correction) at iteration 0; the
 * trainer therefore runs one averaging round per fit and tells this hook the round's first iteration.
 * (2) Seeds ND4J's RNG on the worker before every minibatch from (run seed, step, batch content), so dropout and other
 * random ops do not depend on which executor thread ran what before: a resumed run draws the same masks. The batch
 * content distinguishes the workers of one step.
 */
final class SeedingHook implements TrainingHook {
    static {
        useSystemClockForTrainingStats();
    }

    private final long seed;
    private final int firstIteration;

    /**
     * dl4j-spark's training stats time events with an NTP clock by default (querying pool.ntp.org ten times per
     * JVM, and failing without network). Use the system clock instead, unless the user chose a time source. This
     * runs on the driver (trainer) and on every executor: this class is deserialized there with the worker, before
     * dl4j-spark creates its worker stats.
     */
    static void useSystemClockForTrainingStats() {
        if (System.getProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY) == null) {
            System.setProperty(TimeSourceProvider.TIMESOURCE_CLASSNAME_PROPERTY, SystemClockTimeSource.class.getName());
        }
    }

    SeedingHook(long seed, int firstIteration) {
        this.seed = seed;
        this.firstIteration = firstIteration;
    }

    @Override
    public void preUpdate(MultiDataSet batch, Model model) {
        int step = 0;
        if (model instanceof ComputationGraph g) {
            int local = g.getConfiguration().getIterationCount();
            if (local < firstIteration) g.getConfiguration().setIterationCount(firstIteration + local);
            step = g.getConfiguration().getIterationCount();
        }
        double content = batch.getFeatures(0).sumNumber().doubleValue();
        long s = seed * 0x9E3779B97F4A7C15L + step * 1_000_003L + Double.hashCode(content);
        Nd4j.getRandom().setSeed(s);
    }

    @Override
    public void preUpdate(DataSet batch, Model model) {}

    @Override
    public void postUpdate(DataSet batch, Model model) {}

    @Override
    public void postUpdate(MultiDataSet batch, Model model) {}
}
