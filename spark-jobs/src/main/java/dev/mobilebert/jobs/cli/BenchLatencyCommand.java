package dev.mobilebert.jobs.cli;

import dev.mobilebert.model.Bench;
import dev.mobilebert.model.MobileBertConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "latency", description = "Forward latency of the encoder (embeddings + all layers) on random ids, float32.")
public final class BenchLatencyCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Model config JSON.")
    String config;
    @Option(names = "--seq-len", defaultValue = "128", description = "Sequence length.")
    int seqLen;
    @Option(names = "--batch", defaultValue = "1", description = "Batch size.")
    int batch;
    @Option(names = "--threads", defaultValue = "0", description = "ND4J/BLAS threads (0 = leave as configured; set OMP_NUM_THREADS to the same value).")
    int threads;
    @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs first.")
    int warmup;
    @Option(names = "--runs", defaultValue = "20", description = "Timed runs.")
    int runs;

    @Option(names = "--profile", defaultValue = "0", description = "After the timed runs, profile this many more runs per operation (forward and backward) and print the table.")
    int profile;

    @Override
    public Integer call() {
        Bench.pinThreads(threads);
        MobileBertConfig cfg = MobileBertConfig.load(config);
        Runnable step = Bench.latencyStep(cfg, batch, seqLen);
        Bench.Result r = Bench.time("encoder forward b=" + batch + " T=" + seqLen, warmup, runs, step);
        System.out.println(config + " threads=" + threads + ": " + r.format());
        if (profile > 0) System.out.print(Bench.profile(step, profile));
        return 0;
    }
}
