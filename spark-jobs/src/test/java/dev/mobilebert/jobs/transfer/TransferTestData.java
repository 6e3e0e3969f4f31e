package dev.mobilebert.jobs.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.pretraining.PreparePretrainingJob;
import dev.mobilebert.jobs.spark.RecordsKryoRegistrator;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Shards from real Gutenberg books with the real BERT vocabulary (max_seq_length 32, 5 predictions), a tiny
 * randomly initialised teacher (pretrain/tiny_teacher.json) and a thinner student (transfer/tiny_student.json),
 * both saved as ModelSerializer zips as a real run would hand them over.
 */
final class TransferTestData {
    final String train, heldOut, teacherZip, studentZip, teacherConfig, studentConfig;

    private TransferTestData(String train, String heldOut, String teacherZip, String studentZip, String teacherConfig, String studentConfig) {
        this.train = train;
        this.heldOut = heldOut;
        this.teacherZip = teacherZip;
        this.studentZip = studentZip;
        this.teacherConfig = teacherConfig;
        this.studentConfig = studentConfig;
    }

    static SparkSession spark() {
        return SparkSession.builder().config(LocalSpark.conf("local[2]")
                .set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator," + RecordsKryoRegistrator.class.getName())
                // on a loaded shared machine the local executor's heartbeat can miss the 120 s default and Spark then
                // shuts the context down mid-test (seen in TransferKillTest at load 97)
                .set("spark.network.timeout", "1200s").set("spark.executor.heartbeatInterval", "60s")).getOrCreate();
    }

    static TransferTestData prepare(Path tmp) throws Exception {
        return prepare(tmp, true);
    }

    /** Training shards from one book (metamorphosis); held-out shards from another (christmas_carol) if asked. */
    static TransferTestData prepare(Path tmp, boolean withHeldOut) throws Exception {
        SparkSession spark = spark();
        PretrainingConfig cfg = new PretrainingConfig(32, 5, 0.15, 0.1, 1, 12345, true, false);
        String train = tmp.resolve("train").toString(), heldOut = tmp.resolve("heldout").toString();
        String vocab = SharedData.require(SharedData.vocab()).toString();
        PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(books("metamorphosis.txt"), vocab, train, 4,
                CorpusFormat.AUTO, cfg, 2));
        if (withHeldOut) {
            PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(books("christmas_carol.txt"), vocab, heldOut, 2, CorpusFormat.AUTO, cfg, 2));
        }
        String teacherConfig = resource("/pretrain/tiny_teacher.json"), studentConfig = resource("/transfer/tiny_student.json");
        String teacherZip = save(MobileBertConfig.load(teacherConfig), tmp.resolve("teacher.zip"), 7);
        String studentZip = save(MobileBertConfig.load(studentConfig), tmp.resolve("student.zip"), 8);
        return new TransferTestData(train, heldOut, teacherZip, studentZip, teacherConfig, studentConfig);
    }

    private static String save(MobileBertConfig c, Path zip, long seed) throws IOException {
        ModelSerializer.writeModel(MobileBertModel.pretraining(c, new NoOp(), seed).graph(), zip.toFile(), false);
        return zip.toString();
    }

    private static String resource(String name) throws Exception {
        return Path.of(TransferTestData.class.getResource(name).toURI()).toString();
    }

    private static List<String> books(String... names) {
        return Stream.of(names).map(b -> SharedData.require(SharedData.gutenberg().resolve(b)).toString()).toList();
    }

    static List<JsonNode> rows(Path metrics, String stage) throws IOException {
        return Files.readAllLines(metrics).stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).filter(n -> stage.equals(n.path("stage").asText())).toList();
    }

    static JsonNode json(Path file) throws IOException {
        return Json.MAPPER.readTree(file.toFile());
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
