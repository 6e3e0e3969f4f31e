package dev.mobilebert.jobs.spark;

import dev.mobilebert.io.Fs;
import dev.mobilebert.jobs.progress.Progress;
import dev.mobilebert.jobs.progress.SparkProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Builds the SparkSession of a job the same way in local mode, under the launcher and under spark-submit. */
public final class Sparks {
    private static final Logger LOG = LoggerFactory.getLogger(Sparks.class);
    private Sparks() {}

    public static SparkSession session(String appName, SparkOptions options) {
        SparkConf conf = new SparkConf(true); // picks up spark.* system properties set by spark-submit
        conf.setIfMissing("spark.app.name", "mobilebert " + appName);
        String master = options.master != null ? options.master : conf.get("spark.master", "local[*]");
        conf.setMaster(master);
        if (!conf.contains("spark.submit.deployMode")) loadDefaults(conf);
        if (master.startsWith("local")) {
            // A laptop run needs no reachable host name, and should not expose its UI beyond loopback.
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        options.conf.forEach(conf::set);
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        Fs.setConf(spark.sparkContext().hadoopConfiguration());
        if (Progress.enabled()) spark.sparkContext().addSparkListener(new SparkProgress());
        spark.sparkContext().uiWebUrl().foreach(url -> {
            LOG.info("Spark UI: {}", url);
            return null;
        });
        return spark;
    }

    public static JavaSparkContext context(SparkSession spark) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    /**
     * spark-submit reads conf/spark-defaults.conf itself (pass it with --properties-file); a plain JVM started by
     * bin/mobilebert does not, so it is applied here, never overriding what is already set.
     */
    static void loadDefaults(SparkConf conf) {
        String home = System.getProperty("mobilebert.home");
        if (home == null) return;
        Path file = Path.of(home, "conf", "spark-defaults.conf");
        if (!Files.isRegularFile(file)) return;
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String key : p.stringPropertyNames()) conf.setIfMissing(key, p.getProperty(key).trim());
    }
}
