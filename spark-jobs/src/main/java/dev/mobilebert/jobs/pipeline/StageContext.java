package dev.mobilebert.jobs.pipeline;

import com.typesafe.config.Config;
import dev.mobilebert.io.RunDirectory;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * What a stage gets: the whole resolved pipeline config, the pipeline's run root, its own sub-run-directory, a
 * Spark session made on first use (the report needs none), and where to print progress for the user.
 */
public record StageContext(Config config, Path runRoot, RunDirectory directory, Supplier<SparkSession> spark, PrintStream out) {
    /** The directory of another stage (to read its outputs). */
    public Path stageDir(String stage) {
        return new Path(runRoot, stage);
    }

    /** This stage's own section of the config. */
    public Config section(String name) {
        if (!config.hasPath(name)) throw new IllegalArgumentException("the pipeline config has no '" + name + "' section");
        return config.getConfig(name);
    }
}
