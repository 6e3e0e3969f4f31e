package dev.mobilebert.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Parent of the benchmarks: {@code bin/mobilebert bench <what>}. */
@Command(name = "bench",
        description = "Benchmarks, measured on this machine; results go to a JSON file.",
        subcommands = {BenchInstancesCommand.class, BenchLatencyCommand.class, BenchTrainStepCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
