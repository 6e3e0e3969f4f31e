package dev.mobilebert.jobs.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of the libraries actually on the classpath, read from the Maven metadata inside their jars. */
final class Versions {
    private Versions() {}

    static String of(String groupId, String artifactId) {
        String resource = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = Versions.class.getResourceAsStream(resource)) {
            if (in == null) return "not found";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unreadable";
        }
    }

    static String spark() {
        try {
            return org.apache.spark.package$.MODULE$.SPARK_VERSION();
        } catch (Throwable t) {
            return "not on the classpath";
        }
    }

    static String scala() {
        try {
            return scala.util.Properties.versionNumberString();
        } catch (Throwable t) {
            return "not on the classpath";
        }
    }

    static String hadoop() {
        try {
            return org.apache.hadoop.util.VersionInfo.getVersion();
        } catch (Throwable t) {
            return "not on the classpath";
        }
    }
}
