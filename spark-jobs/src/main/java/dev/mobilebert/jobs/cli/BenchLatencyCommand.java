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

    @Override
    public Integer call() {
        Bench.pinThreads(threads);
        Bench.Result r = Bench.latency(MobileBertConfig.load(config), batch, seqLen, warmup, runs);
        System.out.println(config + " threads=" + threads + ": " + r.format());
        return 0;
    }
}
