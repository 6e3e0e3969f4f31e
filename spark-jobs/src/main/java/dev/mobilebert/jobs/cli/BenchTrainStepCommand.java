package dev.mobilebert.jobs.cli;

import dev.mobilebert.model.Bench;
import dev.mobilebert.model.MobileBertConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "train-step", description = "Time of one pretraining step (forward, backward, Adam update; MLM + NSP) on random data, float32.")
public final class BenchTrainStepCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Model config JSON.")
    String config;
    @Option(names = "--batch", defaultValue = "8", description = "Batch size.")
    int batch;
    @Option(names = "--seq-len", defaultValue = "128", description = "Sequence length.")
    int seqLen;
    @Option(names = "--predictions", defaultValue = "20", description = "Masked positions per sequence.")
    int predictions;
    @Option(names = "--threads", defaultValue = "0", description = "ND4J/BLAS threads (0 = leave as configured).")
    int threads;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first.")
    int warmup;
    @Option(names = "--runs", defaultValue = "5", description = "Timed steps.")
    int runs;

    @Option(names = "--profile", defaultValue = "0", description = "After the timed runs, profile this many more runs per operation (forward and backward) and print the table.")
    int profile;

    @Override
    public Integer call() {
        Bench.pinThreads(threads);
        MobileBertConfig cfg = MobileBertConfig.load(config);
        Runnable step = Bench.trainStep(cfg, batch, seqLen, predictions);
        Bench.Result r = Bench.time("train step b=" + batch + " T=" + seqLen + " P=" + predictions, warmup, runs, step);
        System.out.println(config + " threads=" + threads + ": " + r.format());
        if (profile > 0) System.out.print(Bench.profile(step, profile));
        return 0;
    }
}
