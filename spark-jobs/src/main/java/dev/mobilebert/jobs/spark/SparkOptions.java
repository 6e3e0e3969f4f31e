package dev.mobilebert.jobs.spark;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** The options every Spark command takes (a picocli mixin). */
public final class SparkOptions {
    @Option(names = "--master",
            description = "Spark master: local[*], local[N], spark://host:7077, yarn, k8s://... "
                    + "Default: the master spark-submit was given, else local[*].")
    public String master;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE",
            description = "Extra Spark setting (repeatable); overrides conf/spark-defaults.conf.")
    public Map<String, String> conf = new LinkedHashMap<>();
}
