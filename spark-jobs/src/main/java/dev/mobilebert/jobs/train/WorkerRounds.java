package dev.mobilebert.jobs.train;

import dev.mobilebert.optim.GlobalNormClipping;
import dev.mobilebert.train.TrainingState;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One averaging round with a {@link WorkerStep} instead of {@code fit()}: the round's batches are dealt to the workers
 * (batch i to worker i mod workers, in order, so step s of every worker uses the s-th group of {@code workers}
 * batches, as in the dl4j-spark path), each worker builds the network from the broadcast configuration, parameters,
 * updater state and iteration count, runs {@code averaging_frequency} steps, and returns its parameters, updater state
 * and per-step records; the driver averages parameters and updater state (dl4j-spark's parameter averaging with
 * {@code saveUpdater}).
 */
final class WorkerRounds {
    /** What every worker starts from (a plain class: Kryo 4 cannot serialize records). */
    static final class Start implements Serializable {
        final String conf;
        final INDArray params, state;
        final int iteration;

        Start(String conf, INDArray params, INDArray state, int iteration) {
            this.conf = conf;
            this.params = params;
            this.state = state;
            this.iteration = iteration;
        }
    }

    /** What a worker returns. */
    static final class Result implements Serializable {
        INDArray params, state;
        int[] iterations = new int[0];
        double[] losses = new double[0], gradNorms = new double[0];
        List<Map<String, Double>> values = new ArrayList<>();
        long computeNanos, initNanos, dataNanos;
        int batchSize;
    }

    /** Batch index → worker. */
    static final class ByWorker extends Partitioner {
        private final int workers;

        ByWorker(int workers) { this.workers = workers; }

        @Override public int numPartitions() { return workers; }
        @Override public int getPartition(Object key) { return (int) (((Long) key) % workers); }
        @Override public boolean equals(Object o) { return o instanceof ByWorker b && b.workers == workers; }
        @Override public int hashCode() { return workers; }
    }

    private final JavaSparkContext sc;
    private final TrainingSettings settings;
    private final WorkerStep step;

    WorkerRounds(JavaSparkContext sc, TrainingSettings settings, WorkerStep step) {
        this.sc = sc;
        this.settings = settings;
        this.step = step;
    }

    ComputationGraph round(ComputationGraph net, TrainingState at, JavaRDD<MultiDataSet> batches, GlobalNormClipping.Sink steps,
                           Consumer<StepProbe.Record> probes, Map<String, Long> times) {
        long t0 = System.nanoTime();
        int workers = settings.workers(), frequency = settings.averagingFrequency();
        INDArray state = net.getUpdater().getStateViewArray();
        Broadcast<Start> start = sc.broadcast(new Start(net.getConfiguration().toJson(), net.params().dup(),
                state == null ? null : state.dup(), at.step()));
        long broadcastNanos = System.nanoTime() - t0;
        WorkerStep s = step;
        List<Result> results;
        try {
            results = batches.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                    .partitionBy(new ByWorker(workers))
                    .mapPartitions(it -> List.of(work(it, start.value(), s)).iterator())
                    .collect();
        } finally {
            start.destroy();
            batches.unpersist(false);
        }
        long t1 = System.nanoTime();
        INDArray params = null, newState = null;
        int n = 0;
        long compute = 0, init = 0, data = 0;
        for (Result r : results) {
            if (r.iterations.length != frequency) {
                throw new IllegalStateException("a worker ran " + r.iterations.length + " steps in the round from step " + at.step()
                        + "; expected averaging_frequency = " + frequency + " (" + workers + " workers x " + frequency + " batches per round)");
            }
            params = params == null ? r.params.dup() : params.addi(r.params);
            if (r.state != null) newState = newState == null ? r.state.dup() : newState.addi(r.state);
            for (int i = 0; i < r.iterations.length; i++) {
                steps.accept(new GlobalNormClipping.StepRecord(r.iterations[i], r.gradNorms[i], r.losses[i], r.batchSize));
                probes.accept(new StepProbe.Record(r.iterations[i], r.values.get(i)));
            }
            compute += r.computeNanos;
            init += r.initNanos;
            data += r.dataNanos;
            n++;
        }
        net.params().assign(params.divi(n));
        if (newState != null) state.assign(newState.divi(n));
        net.getConfiguration().setIterationCount(at.step() + frequency);
        long averaging = broadcastNanos + (System.nanoTime() - t1) + init / n;
        times.merge("compute_ms", compute / n / 1_000_000, Long::sum);
        times.merge("averaging_ms", averaging / 1_000_000, Long::sum);
        times.merge("data_ms", data / n / 1_000_000, Long::sum);
        return net;
    }

    private static Result work(Iterator<Tuple2<Long, MultiDataSet>> it, Start start, WorkerStep step) {
        long t0 = System.nanoTime();
        List<Tuple2<Long, MultiDataSet>> mine = new ArrayList<>();
        it.forEachRemaining(mine::add);
        mine.sort(Comparator.comparing(Tuple2::_1));
        Result r = new Result();
        r.dataNanos = System.nanoTime() - t0;
        if (mine.isEmpty()) return r;
        long t1 = System.nanoTime();
        ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(start.conf));
        g.init(start.params.dup(), false);
        g.initGradientsView(); // before the updater exists: the updater keeps views of this array
        INDArray state = g.getUpdater().getStateViewArray();
        if (start.state != null && state != null) state.assign(start.state);
        g.getConfiguration().setIterationCount(start.iteration);
        r.initNanos = System.nanoTime() - t1;
        int k = mine.size();
        r.iterations = new int[k];
        r.losses = new double[k];
        r.gradNorms = new double[k];
        long t2 = System.nanoTime();
        for (int i = 0; i < k; i++) {
            MultiDataSet batch = mine.get(i)._2();
            r.batchSize = (int) batch.getFeatures(0).size(0);
            WorkerStep.Outcome o = step.step(g, batch);
            r.iterations[i] = start.iteration + i;
            r.losses[i] = o.loss();
            r.gradNorms[i] = o.gradNorm();
            r.values.add(new java.util.LinkedHashMap<>(o.values()));
            g.getConfiguration().setIterationCount(start.iteration + i + 1);
        }
        r.computeNanos = System.nanoTime() - t2;
        r.params = g.params().dup();
        INDArray after = g.getUpdater().getStateViewArray();
        r.state = after == null ? null : after.dup();
        return r;
    }
}
