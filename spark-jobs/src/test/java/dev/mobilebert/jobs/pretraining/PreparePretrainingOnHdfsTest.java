package dev.mobilebert.jobs.pretraining;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.MiniHdfs;
import dev.mobilebert.testing.SharedData;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Inputs (a glob, one of them gzipped) and output on a real HDFS. */
class PreparePretrainingOnHdfsTest {
    @Test
    void readsAndWritesHdfs() throws Exception {
        java.nio.file.Path book = SharedData.require(SharedData.gutenberg().resolve("metamorphosis.txt"));
        try (MiniHdfs hdfs = MiniHdfs.start()) {
            FileSystem fs = new Path(hdfs.uri()).getFileSystem(hdfs.conf());
            fs.copyFromLocalFile(new Path(book.toUri()), new Path(hdfs.uri() + "/corpus/metamorphosis.txt"));
            try (OutputStream out = new GZIPOutputStream(fs.create(new Path(hdfs.uri() + "/corpus/time_machine.txt.gz")))) {
                out.write(Files.readAllBytes(SharedData.require(SharedData.gutenberg().resolve("time_machine.txt"))));
            }
            SparkSession spark = LocalSpark.session();
            String out = hdfs.uri() + "/data/pretraining";
            PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(List.of(hdfs.uri() + "/corpus/*.txt*"),
                    SharedData.vocab().toString(), out, 2, CorpusFormat.AUTO, PretrainingConfig.defaults().withDupeFactor(1), 2));
            JsonNode stats = Json.MAPPER.readTree(Fs.readString(new Path(out + "/stats.json")));
            assertEquals(2, stats.get("documents").asLong());
            assertEquals(2, stats.get("files").asLong());
            long rows = spark.read().parquet(PretrainingShards.shardsDir(out)).count();
            assertEquals(stats.get("instances").asLong(), rows);
            assertTrue(fs.exists(new Path(out + "/shards/shard-00000-of-00002.parquet")));
        }
    }
}
