package dev.mobilebert.jobs.pretraining;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.corpus.CorpusReader;
import dev.mobilebert.corpus.Repairs;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.CodeVersion;
import dev.mobilebert.io.Fs;
import dev.mobilebert.pretraining.CreatedInstance;
import dev.mobilebert.pretraining.DocumentEncoder;
import dev.mobilebert.pretraining.InstanceCreator;
import dev.mobilebert.pretraining.InstancePlan;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.pretraining.PretrainingStats;
import dev.mobilebert.pretraining.TokenIds;
import dev.mobilebert.tokenization.FullTokenizer;
import dev.mobilebert.tokenization.Vocab;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * prepare-pretraining on Spark: corpus files → tokenized documents with global indices → create_pretraining_data
 * instances → Parquet shards + stats.json, written under a temporary name and renamed when complete.
 * <p>
 * Random-next across the whole corpus, without broadcasting it: each (document, duplicate) runs the reference's
 * chunking with its own seeded stream and only <em>chooses</em> the random document (a global index) and start;
 * those requests are then co-grouped with the documents (hash-partitioned by index, so only the requests move) and
 * B is cut there. Truncation and masking use a stream keyed by (document, duplicate, instance). The output order is
 * a hash of the same keys and each instance's shard a hash of that, so partitions and executors change nothing.
 */
public final class PreparePretrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(PreparePretrainingJob.class);
    public static final String SHARDS = "shards";
    public static final String STATS = "stats.json";

    /** What the command line resolves to. */
    public record Options(List<String> inputs, String vocab, String out, int shards, CorpusFormat format,
                          PretrainingConfig config, int partitions) implements Serializable {
        public Options {
            if (inputs == null || inputs.isEmpty()) throw new IllegalArgumentException("at least one --input is required");
            if (shards < 1) throw new IllegalArgumentException("--shards must be at least 1 (got " + shards + ")");
        }
    }

    /** One corpus file after reading and tokenizing: its documents in order, bytes read, what was repaired. */
    @DefaultSerializer(JavaSerializer.class) // Kryo 4 cannot serialize records
    record FileResult(int file, long bytes, List<int[][]> documents, Repairs repairs) implements Serializable {}

    private PreparePretrainingJob() {}

    public static PretrainingStats run(SparkSession spark, Options o) throws IOException {
        long started = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Fs.setConf(jsc.hadoopConfiguration());
        Path out = Fs.path(o.out());
        checkWritable(out);
        List<String> files = InputFiles.expand(o.inputs());
        if (files.isEmpty()) throw new IllegalArgumentException("no corpus files under " + o.inputs());
        Vocab vocab = Vocab.load(o.vocab());
        FullTokenizer tokenizer = new FullTokenizer(vocab, o.config().doLowerCase());
        TokenIds ids = TokenIds.of(vocab);
        InstanceCreator creator = new InstanceCreator(o.config(), ids);
        int partitions = o.partitions() > 0 ? o.partitions() : jsc.defaultParallelism();
        LOG.info("prepare-pretraining: {} files, {} partitions, {} shards", files.size(), partitions, o.shards());

        // 1. read + tokenize, one task per file (a file is the unit of parallelism of reading)
        // captured by the closure (Java serialization, which restores the vocabulary's lookup tables), not a
        // broadcast: broadcasts go through Kryo, which skips readResolve
        List<Tuple2<Integer, String>> indexed = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) indexed.add(new Tuple2<>(i, files.get(i)));
        CorpusFormat format = o.format();
        JavaRDD<FileResult> read = jsc.parallelize(indexed, Math.max(1, Math.min(files.size(), partitions * 4)))
                .map(t -> readFile(t._1(), t._2(), format, tokenizer))
                .persist(StorageLevel.MEMORY_AND_DISK());

        // 2. global document indices: prefix sums of per-file document counts (a number per file reaches the driver)
        List<Tuple2<Integer, Integer>> counts = read.map(f -> new Tuple2<>(f.file(), f.documents().size())).collect();
        long[] offsets = new long[files.size()];
        int[] perFile = new int[files.size()];
        for (Tuple2<Integer, Integer> c : counts) perFile[c._1()] = c._2();
        long numDocs = 0;
        for (int i = 0; i < files.size(); i++) {
            offsets[i] = numDocs;
            numDocs += perFile[i];
        }
        PretrainingStats corpusStats = read.map(PreparePretrainingJob::fileStats).reduce(PretrainingStats::merge);
        if (numDocs == 0) {
            read.unpersist();
            throw new IllegalArgumentException("the corpus has no documents with tokens (" + files.size() + " file(s) under "
                    + o.inputs() + "; repairs: " + corpusStats.repairs() + ")");
        }
        final long n = numDocs;
        Broadcast<long[]> offs = jsc.broadcast(offsets);
        JavaPairRDD<Long, int[][]> docs = read.flatMapToPair(f -> {
                    List<Tuple2<Long, int[][]>> l = new ArrayList<>(f.documents().size());
                    long base = offs.value()[f.file()];
                    for (int k = 0; k < f.documents().size(); k++) l.add(new Tuple2<>(base + k, f.documents().get(k)));
                    return l.iterator();
                })
                .partitionBy(new HashPartitioner(partitions))
                .persist(StorageLevel.MEMORY_AND_DISK());

        // 3. chunking per (document, duplicate); random-next B fetched from the chosen document by a co-group
        int dupes = o.config().dupeFactor();
        JavaRDD<InstancePlan> plans = docs.flatMap(d -> {
            List<InstancePlan> l = new ArrayList<>();
            for (int dupe = 0; dupe < dupes; dupe++) l.addAll(creator.plan(d._1(), dupe, d._2(), n));
            return l.iterator();
        });
        JavaRDD<CreatedInstance> isNext = plans.filter(p -> !p.needsFetch()).map(p -> creator.finish(p, p.tokensB()));
        JavaPairRDD<Long, InstancePlan> requests = plans.filter(InstancePlan::needsFetch).mapToPair(p -> new Tuple2<>(p.randomDoc(), p));
        JavaRDD<CreatedInstance> randomNext = docs.cogroup(requests).flatMap(g -> {
            List<CreatedInstance> l = new ArrayList<>();
            for (int[][] doc : g._2()._1()) {
                for (InstancePlan p : g._2()._2()) l.add(creator.finish(p, InstanceCreator.fetchRandomNext(p, doc)));
            }
            return l.iterator();
        });
        JavaRDD<CreatedInstance> all = isNext.union(randomNext).persist(StorageLevel.MEMORY_AND_DISK());

        PretrainingStats stats = all.aggregate(new PretrainingStats(), PretrainingStats::addInstance, PretrainingStats::merge)
                .merge(corpusStats);
        if (stats.instances() == 0) throw new IllegalArgumentException("the corpus yielded no instances");

        // 4. deterministic shuffle into shards, written atomically
        int shards = o.shards();
        JavaRDD<Row> rows = all.mapToPair(c -> new Tuple2<>(c, 0))
                .repartitionAndSortWithinPartitions(new ShardPartitioner(shards))
                .map(t -> PretrainingRows.toRow(t._1().instance()));
        AtomicOutput.writeDirectory(out, tmp -> {
            Path shardsDir = new Path(tmp, SHARDS);
            spark.createDataFrame(rows, PretrainingRows.SCHEMA).write().parquet(shardsDir.toString());
            renameShards(shardsDir, shards);
            Map<String, Object> json = new LinkedHashMap<>(stats.toJson());
            json.put("seconds", (System.nanoTime() - started) / 1e9);
            AtomicOutput.writeJson(new Path(tmp, STATS), json);
            writeConfig(tmp, o, files, spark);
        });
        LOG.info("prepare-pretraining: {} instances from {} documents in {} s, written to {}", stats.instances(),
                stats.documents(), String.format("%.1f", (System.nanoTime() - started) / 1e9), out);
        all.unpersist();
        docs.unpersist();
        read.unpersist();
        return stats;
    }

    static FileResult readFile(int index, String file, CorpusFormat format, FullTokenizer tokenizer) throws IOException {
        Repairs repairs = new Repairs();
        DocumentEncoder encoder = new DocumentEncoder(tokenizer);
        List<int[][]> docs = new ArrayList<>();
        long bytes = CorpusReader.read(Fs.path(file), format, repairs, d -> {
            int[][] e = encoder.encode(d, repairs);
            if (e != null) docs.add(e);
        });
        if (bytes == 0) repairs.add(Repairs.EMPTY_FILE, file);
        return new FileResult(index, bytes, docs, repairs);
    }

    static PretrainingStats fileStats(FileResult f) {
        PretrainingStats s = new PretrainingStats().addFile(f.bytes()).addRepairs(f.repairs());
        for (int[][] d : f.documents()) s.addDocument(d);
        return s;
    }

    /** Spark names part files by partition (= shard) number: give them stable names. */
    static void renameShards(Path dir, int shards) throws IOException {
        FileSystem fs = Fs.fs(dir);
        for (var st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (!name.startsWith("part-")) continue;
            int shard = Integer.parseInt(name.substring(5, 10));
            Path target = new Path(dir, String.format("shard-%05d-of-%05d.parquet", shard, shards));
            if (!fs.rename(st.getPath(), target)) throw new IOException("cannot rename " + st.getPath() + " to " + target);
        }
    }

    /** Fails before any work when the output's parent cannot be created or written. */
    static void checkWritable(Path out) throws IOException {
        Path probe = AtomicOutput.tmpSibling(out);
        FileSystem fs = Fs.fs(out);
        try {
            if (!fs.mkdirs(probe)) throw new IOException("mkdirs returned false");
            fs.delete(probe, true);
        } catch (IOException | RuntimeException e) {
            throw new IOException("output " + out + " is not writable: " + e.getMessage(), e);
        }
    }

    static void writeConfig(Path dir, Options o, List<String> files, SparkSession spark) throws IOException {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("inputs", o.inputs());
        cfg.put("files", files);
        cfg.put("vocab", o.vocab());
        cfg.put("format", o.format().name().toLowerCase());
        cfg.put("shards", o.shards());
        PretrainingConfig c = o.config();
        cfg.put("max_seq_length", c.maxSeqLength());
        cfg.put("max_predictions_per_seq", c.maxPredictionsPerSeq());
        cfg.put("masked_lm_prob", c.maskedLmProb());
        cfg.put("short_seq_prob", c.shortSeqProb());
        cfg.put("dupe_factor", c.dupeFactor());
        cfg.put("random_seed", c.randomSeed());
        cfg.put("do_lower_case", c.doLowerCase());
        cfg.put("do_whole_word_mask", c.doWholeWordMask());
        cfg.put("balanced_nsp", c.balancedNsp());
        AtomicOutput.writeJson(new Path(dir, "config/prepare-pretraining.json"), cfg);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("command", "prepare-pretraining");
        run.put("code_version", CodeVersion.current());
        run.put("java", System.getProperty("java.version"));
        run.put("spark_master", spark.sparkContext().master());
        run.put("spark_version", spark.version());
        run.put("finished", Instant.now().toString());
        AtomicOutput.writeJson(new Path(dir, "config/run.json"), run);
    }

    /** Shard = a hash of the instance's order key: the same for any partitioning of the job. */
    static final class ShardPartitioner extends Partitioner {
        private final int shards;

        ShardPartitioner(int shards) {
            this.shards = shards;
        }

        @Override
        public int numPartitions() {
            return shards;
        }

        @Override
        public int getPartition(Object key) {
            return ((CreatedInstance) key).shard(shards);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ShardPartitioner p && p.shards == shards;
        }

        @Override
        public int hashCode() {
            return shards;
        }
    }
}
