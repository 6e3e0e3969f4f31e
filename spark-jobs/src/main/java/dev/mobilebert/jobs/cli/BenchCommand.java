package dev.mobilebert.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bin/mobilebert bench <what>}: measurements, each written as JSON to bench-results/ by default. */
@Command(name = "bench",
        description = "Benchmarks, with the reference implementations measured in the same run where available.",
        subcommands = {
                TokenizerBenchCommand.class,
                BenchInstancesCommand.class,
                BenchLatencyCommand.class,
                BenchTrainStepCommand.class,
                BenchPretrainCommand.class,
                BenchTransferCommand.class,
                BenchPktStepCommand.class,
        })
public final class BenchCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        CommandLine.usage(spec.commandLine(), System.out);
    }
}
