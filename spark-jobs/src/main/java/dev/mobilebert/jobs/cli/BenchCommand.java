package dev.mobilebert.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Parent of the benchmark subcommands. */
@Command(name = "bench", description = "Benchmarks.",
        subcommands = {BenchLatencyCommand.class, BenchTrainStepCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
