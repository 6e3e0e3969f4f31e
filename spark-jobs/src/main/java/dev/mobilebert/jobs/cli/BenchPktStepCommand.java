package dev.mobilebert.jobs.cli;

import dev.mobilebert.model.Bench;
import dev.mobilebert.model.MobileBertConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "pkt-step", description = "Time of one progressive-knowledge-transfer step: the teacher's forward pass plus the student stage's forward, backward and LAMB update (random data, float32).")
public final class BenchPktStepCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Student model config JSON.")
    String config;
    @Option(names = "--teacher", required = true, description = "Teacher model config JSON.")
    String teacher;
    @Option(names = "--layer", defaultValue = "-1", description = "Transferred layer (-1 = the last: the costliest stage).")
    int layer;
    @Option(names = "--batch", defaultValue = "8", description = "Batch size.")
    int batch;
    @Option(names = "--seq-len", defaultValue = "128", description = "Sequence length.")
    int seqLen;
    @Option(names = "--threads", defaultValue = "0", description = "ND4J/BLAS threads (0 = leave as configured).")
    int threads;
    @Option(names = "--warmup", defaultValue = "1", description = "Untimed steps first.")
    int warmup;
    @Option(names = "--runs", defaultValue = "3", description = "Timed steps.")
    int runs;
    @Option(names = "--profile", defaultValue = "0", description = "After the timed runs, profile this many more runs per operation and print the table.")
    int profile;

    @Override
    public Integer call() {
        Bench.pinThreads(threads);
        MobileBertConfig s = MobileBertConfig.load(config);
        int l = layer < 0 ? s.numHiddenLayers - 1 : layer;
        Runnable step = Bench.pktStep(MobileBertConfig.load(teacher), s, batch, seqLen, l);
        Bench.Result r = Bench.time("pkt step layer=" + l + " b=" + batch + " T=" + seqLen, warmup, runs, step);
        System.out.println(config + " threads=" + threads + ": " + r.format());
        if (profile > 0) System.out.print(Bench.profile(step, profile));
        return 0;
    }
}
