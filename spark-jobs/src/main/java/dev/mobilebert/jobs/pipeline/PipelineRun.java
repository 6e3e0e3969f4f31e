package dev.mobilebert.jobs.pipeline;

import com.typesafe.config.Config;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.spark.SparkOptions;
import dev.mobilebert.jobs.spark.Sparks;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;

/** What `pipeline` and `quickstart` share: the run root's provenance and config, a lazy Spark session, the runner. */
public final class PipelineRun {
    private PipelineRun() {}

    public static List<Pipeline.Outcome> execute(Config config, String out, String from, String until, SparkOptions sparkOptions,
                                                 boolean skipUnavailable, PrintStream console, String command, List<String> args) throws Exception {
        RunDirectory root = RunDirectory.open(out);
        String previous = PipelineConfig.saved(root.configDir());
        if (previous != null && !previous.equals(PipelineConfig.render(config))) {
            console.println("warning: the config differs from the one " + out + " was run with before; completed stages are "
                    + "not redone (delete RUN/<stage> to redo one). The previous config is kept in config/pipeline.previous.json.");
            dev.mobilebert.io.AtomicOutput.writeString(new Path(root.configDir(), "pipeline.previous.json"), previous);
        }
        PipelineConfig.save(config, root.configDir());
        root.saveProvenance(command, args);
        Supplier<SparkSession> spark = memoize(() -> announce(Sparks.session(command, sparkOptions), console));
        Pipeline pipeline = new Pipeline(Stages.all());
        return pipeline.run(config, root.root(), pipeline.select(from, until), spark, console, skipUnavailable);
    }

    /** Prints where the Spark UI is (the live view of every stage's jobs), or that it is off. */
    static SparkSession announce(SparkSession spark, PrintStream console) {
        var sc = spark.sparkContext();
        String ui = sc.uiWebUrl().isDefined() ? "UI " + sc.uiWebUrl().get() : "UI disabled (spark.ui.enabled=false)";
        console.printf("[spark] master %s, %d task slots, %s%n", sc.master(), sc.defaultParallelism(), ui);
        return spark;
    }

    /** The closing summary: what ran, what was skipped, what is not available, where the report is. */
    public static void printSummary(List<Pipeline.Outcome> outcomes, Path run, PrintStream console) {
        console.println();
        console.println("Summary of " + display(run) + ":");
        for (Pipeline.Outcome o : outcomes) {
            String what = switch (o.status()) {
                case RAN -> String.format("ran (%.1f s)", o.seconds());
                case SKIPPED_COMPLETE -> "complete from an earlier run, skipped";
                case NOT_IMPLEMENTED -> "NOT AVAILABLE in this build (" + o.detail() + ")";
            };
            console.printf("  %-9s %s%n", o.stage(), what);
        }
        Path report = new Path(run, dev.mobilebert.jobs.report.RunReport.FILE);
        if (Fs.exists(report)) console.println("Report: " + display(report));
    }

    /** A local path as the user would type it (no file: scheme). */
    public static String display(Path p) {
        return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : p.toString();
    }

    static <T> Supplier<T> memoize(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) value = s.get();
                return value;
            }
        };
    }
}
