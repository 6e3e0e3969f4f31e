package dev.mobilebert.jobs.doctor;

import org.apache.spark.SparkEnv;

import java.io.Serializable;
import java.net.InetAddress;

/** What one Spark task saw on its executor. */
record ExecutorReport(String executor, String host, Nd4jProbe nd4j, LoadedBlas blas) implements Serializable {
    static ExecutorReport here() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        SparkEnv env = SparkEnv.get();
        Nd4jProbe nd4j = Nd4jProbe.run();
        LoadedBlas blas = nd4j.error() == null ? LoadedBlas.inThisProcess() : null;
        return new ExecutorReport(env == null ? "?" : env.executorId(), host, nd4j, blas);
    }
}
