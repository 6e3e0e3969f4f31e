package dev.mobilebert.testing;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * One local Spark session per test JVM (local[2], UI off, loopback, Kryo with ND4J's registrator), shared by all
 * tests of a module: starting Spark takes seconds, and Spark allows one context per JVM anyway.
 */
public final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {}

    public static synchronized SparkSession session() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder().config(conf("local[2]")).getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stop()));
        }
        return session;
    }

    public static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }

    /** The settings every test session uses; the standalone-cluster fixture uses the same ones. */
    public static SparkConf conf(String master) {
        SparkConf conf = new SparkConf()
                .setMaster(master)
                .setAppName("mobilebert-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.sql.shuffle.partitions", "4")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryoserializer.buffer.max", "512m")
                .set("spark.ui.showConsoleProgress", "false");
        // ND4J arrays need ND4J's Kryo serializers (dl4j-spark refuses to train without them); the registrator
        // is on the classpath only in modules that depend on dl4j-spark.
        if (onClasspath(ND4J_KRYO_REGISTRATOR)) conf.set("spark.kryo.registrator", ND4J_KRYO_REGISTRATOR);
        return conf;
    }

    private static final String ND4J_KRYO_REGISTRATOR = "org.nd4j.kryo.Nd4jRegistrator";

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, LocalSpark.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
