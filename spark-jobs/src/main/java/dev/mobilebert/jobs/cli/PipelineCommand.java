package dev.mobilebert.jobs.cli;

import com.typesafe.config.Config;
import dev.mobilebert.jobs.pipeline.Pipeline;
import dev.mobilebert.jobs.pipeline.PipelineConfig;
import dev.mobilebert.jobs.pipeline.PipelineRun;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.io.Fs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pipeline",
        description = {"The whole recipe as one resumable run: prepare → teacher → transfer → distill → finetune → bench → report. "
                + "Each stage writes RUN/<stage>/ and is complete when RUN/<stage>/summary.json exists: complete stages are "
                + "skipped, a partial one resumes. Settings come from one HOCON file (conf/pipelines/*.conf)."})
public final class PipelineCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Pipeline config (HOCON), e.g. conf/pipelines/laptop.conf.")
    Path config;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory (any Hadoop filesystem); rerunning resumes it.")
    String out;

    @Option(names = "--from", paramLabel = "STAGE", description = "First stage to run (default: the first).")
    String from;

    @Option(names = "--until", paramLabel = "STAGE", description = "Last stage to run (default: the last).")
    String until;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config setting, e.g. prepare.dupe_factor=2 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Mixin SparkOptions spark;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Config c = PipelineConfig.load(config, overrides);
        List<Pipeline.Outcome> outcomes = PipelineRun.execute(c, out, from, until, spark, false, System.out, "pipeline",
                spec.commandLine().getParseResult().originalArgs());
        PipelineRun.printSummary(outcomes, Fs.path(out), System.out);
        return 0;
    }
}
