package dev.mobilebert.jobs.pretrain;

import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.jobs.pretraining.PreparePretrainingJob;
import dev.mobilebert.jobs.spark.RecordsKryoRegistrator;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.List;

/** Shards for pretrain tests: two Gutenberg books for training, a third held out, the real BERT vocabulary. */
final class PretrainFixtures {
    static final List<String> TRAIN_BOOKS = List.of("christmas_carol.txt", "metamorphosis.txt");
    static final List<String> HELD_OUT_BOOKS = List.of("time_machine.txt");

    /** Where the shards and the tiny teacher's config are. */
    record Shards(String train, String heldOut, String model) {}

    private PretrainFixtures() {}

    /**
     * local[2] with the project's Kryo registrators. The network timeouts are raised because on a saturated shared
     * machine (load average > 100 seen) the local executor's heartbeat missed Spark's 120 s default and Spark shut
     * the context down in the middle of a run.
     */
    static SparkSession spark() {
        return SparkSession.builder().config(LocalSpark.conf("local[2]")
                .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator," + RecordsKryoRegistrator.class.getName())
                .set("spark.network.timeout", "1200s").set("spark.executor.heartbeatInterval", "60s")).getOrCreate();
    }

    /** prepare-pretraining of the books into {@code dir/train} and {@code dir/heldout} (max_seq_length 32, 5 predictions). */
    static Shards prepare(SparkSession spark, Path dir) throws Exception {
        // short sequences keep steps cheap: max_seq_length 32, 5 predictions
        PretrainingConfig cfg = new PretrainingConfig(32, 5, 0.15, 0.1, 2, 12345, true, false);
        String train = dir.resolve("train").toString();
        String heldOut = dir.resolve("heldout").toString();
        PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(books(TRAIN_BOOKS), vocab(), train, 4, CorpusFormat.AUTO, cfg, 2));
        PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(books(HELD_OUT_BOOKS), vocab(), heldOut, 2, CorpusFormat.AUTO,
                cfg.withDupeFactor(1), 2));
        return new Shards(train, heldOut, tinyTeacher());
    }

    static String tinyTeacher() throws Exception {
        return Path.of(PretrainFixtures.class.getResource("/pretrain/tiny_teacher.json").toURI()).toString();
    }

    static List<String> books(List<String> names) {
        return names.stream().map(b -> SharedData.require(SharedData.gutenberg().resolve(b)).toString()).toList();
    }

    static String vocab() {
        return SharedData.require(SharedData.vocab()).toString();
    }
}
