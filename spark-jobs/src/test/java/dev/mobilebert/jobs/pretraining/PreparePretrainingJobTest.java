package dev.mobilebert.jobs.pretraining;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.corpus.CorpusFormat;
import dev.mobilebert.corpus.CorpusReader;
import dev.mobilebert.corpus.Repairs;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.pretraining.CreatedInstance;
import dev.mobilebert.pretraining.DocumentEncoder;
import dev.mobilebert.pretraining.InstanceCreator;
import dev.mobilebert.pretraining.LocalPretrainingData;
import dev.mobilebert.pretraining.PretrainingConfig;
import dev.mobilebert.pretraining.PretrainingInstance;
import dev.mobilebert.pretraining.PretrainingStats;
import dev.mobilebert.pretraining.TokenIds;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import dev.mobilebert.tokenization.FullTokenizer;
import dev.mobilebert.tokenization.Vocab;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class PreparePretrainingJobTest {
    /** Four short books: enough documents for random-next across partitions, seconds to run. */
    static final List<String> BOOKS = List.of("christmas_carol.txt", "metamorphosis.txt", "time_machine.txt", "heart_of_darkness.txt");

    @TempDir Path tmp;

    static PreparePretrainingJob.Options options(List<String> inputs, String out, int shards, int partitions, int dupes) {
        PretrainingConfig cfg = PretrainingConfig.defaults().withDupeFactor(dupes);
        return new PreparePretrainingJob.Options(inputs, SharedData.require(SharedData.vocab()).toString(), out, shards,
                CorpusFormat.AUTO, cfg, partitions);
    }

    static List<String> books() {
        return BOOKS.stream().map(b -> SharedData.require(SharedData.gutenberg().resolve(b)).toString()).toList();
    }

    /** shard file name → its rows as instances, in file order. */
    static Map<String, List<PretrainingInstance>> shards(SparkSession spark, String out) throws Exception {
        Map<String, List<PretrainingInstance>> m = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of(out, PreparePretrainingJob.SHARDS))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                List<Row> rows = spark.read().parquet(f.toString()).collectAsList();
                m.put(f.getFileName().toString(), rows.stream().map(PretrainingRows::fromRow).toList());
            }
        }
        return m;
    }

    /** The same corpus through the single-process algorithm, grouped into shards the way the job does. */
    static Map<String, List<PretrainingInstance>> expected(List<String> files, PretrainingConfig cfg, int shards) throws Exception {
        Vocab vocab = Vocab.load(SharedData.vocab());
        DocumentEncoder enc = new DocumentEncoder(new FullTokenizer(vocab, true));
        List<int[][]> docs = new ArrayList<>();
        for (String f : files.stream().sorted(java.util.Comparator.comparing(s -> Fs.path(s).toString())).toList()) {
            Repairs r = new Repairs();
            CorpusReader.read(Fs.path(f), CorpusFormat.AUTO, r, d -> {
                int[][] e = enc.encode(d, r);
                if (e != null) docs.add(e);
            });
        }
        Map<String, List<PretrainingInstance>> m = new TreeMap<>();
        for (CreatedInstance c : LocalPretrainingData.create(docs, new InstanceCreator(cfg, TokenIds.of(vocab)))) {
            m.computeIfAbsent(String.format("shard-%05d-of-%05d.parquet", c.shard(shards), shards), k -> new ArrayList<>()).add(c.instance());
        }
        return m;
    }

    @Test
    void shardsEqualTheSingleProcessAlgorithmAndDoNotDependOnPartitioning() throws Exception {
        List<String> books = books();
        String out2 = tmp.resolve("local2").toString();
        SparkSession spark = LocalSpark.session();
        PretrainingStats stats = PreparePretrainingJob.run(spark, options(books, out2, 4, 3, 2));
        Map<String, List<PretrainingInstance>> got2 = shards(spark, out2);

        Map<String, List<PretrainingInstance>> want = expected(books, PretrainingConfig.defaults().withDupeFactor(2), 4);
        assertEquals(want.keySet(), got2.keySet());
        for (String shard : want.keySet()) assertEquals(want.get(shard), got2.get(shard), shard);
        assertEquals(stats.instances(), want.values().stream().mapToInt(List::size).sum());
        assertTrue(stats.documents() == 4);

        // the same job on local[1] with another partition count: identical shard contents
        spark.stop();
        String out1 = tmp.resolve("local1").toString();
        SparkSession one = SparkSession.builder().config(LocalSpark.conf("local[1]")).getOrCreate();
        try {
            PreparePretrainingJob.run(one, options(books, out1, 4, 1, 2));
            assertEquals(got2, shards(one, out1));
        } finally {
            one.stop();
        }
    }

    @Test
    void statsAgreeWithTheShardsAndOutputIsComplete() throws Exception {
        List<String> books = books().subList(0, 3);
        String out = tmp.resolve("o").toString();
        SparkSession spark = LocalSpark.session();
        PreparePretrainingJob.run(spark, options(books, out, 3, 2, 1));
        JsonNode stats = Json.MAPPER.readTree(Path.of(out, "stats.json").toFile());
        List<PretrainingInstance> all = shards(spark, out).values().stream().flatMap(List::stream).toList();
        long masked = 0, tokens = 0, random = 0;
        for (PretrainingInstance x : all) {
            masked += x.numPredictions();
            tokens += x.length();
            random += x.nextSentenceLabel();
        }
        assertEquals(all.size(), stats.get("instances").asLong());
        assertEquals(tokens, stats.get("tokens").asLong());
        assertEquals(masked, stats.get("masked").asLong());
        assertEquals(all.size() - random, Math.round(stats.get("nsp_positive_rate").asDouble() * all.size()));
        assertEquals(3, stats.get("documents").asLong());
        assertTrue(stats.get("repairs").has(Repairs.BOM), "the books' BOMs are reported: " + stats.get("repairs"));
        assertTrue(Files.exists(Path.of(out, "config", "prepare-pretraining.json")));
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith("_tmp.")), "no temporary left behind");
        }
    }

    @Test
    void shardsReadBackAsTheContractsMultiDataSets() throws Exception {
        List<String> books = books().subList(1, 3);
        String out = tmp.resolve("m").toString();
        SparkSession spark = LocalSpark.session();
        PreparePretrainingJob.run(spark, options(books, out, 2, 2, 1));
        List<String> want = shards(spark, out).values().stream().flatMap(List::stream).map(PreparePretrainingJobTest::key).sorted().toList();
        // summarise each batch row inside the tasks: the MultiDataSets themselves never reach the driver
        List<String> got = PretrainingShards.multiDataSets(spark, out, 7).flatMap(m -> {
            List<String> keys = new ArrayList<>();
            long b = m.getFeatures(0).size(0);
            assertTrue(b <= 7);
            for (int i = 0; i < b; i++) {
                keys.add(key(m.getFeatures(0).getRow(i).toIntVector(), m.getFeatures(1).getRow(i).toIntVector(),
                        m.getFeaturesMaskArray(0).getRow(i).toIntVector(), m.getFeatures(2).getRow(i).toIntVector(),
                        m.getLabels(0).getRow(i).toIntVector(), m.getLabelsMaskArray(0).getRow(i).toFloatVector(),
                        m.getLabels(1).getInt(i, 0)));
            }
            return keys.iterator();
        }).collect().stream().sorted().toList();
        assertEquals(want, got);
    }

    static String key(PretrainingInstance x) {
        return key(x.inputIds(), x.segmentIds(), x.inputMask(), x.maskedLmPositions(), x.maskedLmIds(), x.maskedLmWeights(), x.nextSentenceLabel());
    }

    static String key(int[] ids, int[] seg, int[] mask, int[] pos, int[] lm, float[] w, int nsp) {
        return Arrays.toString(ids) + Arrays.toString(seg) + Arrays.toString(mask) + Arrays.toString(pos) + Arrays.toString(lm)
                + Arrays.toString(w) + nsp;
    }

    @Test
    void badInputFailsClearlyAndLeavesNoOutput() throws Exception {
        SparkSession spark = LocalSpark.session();
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "\n  \n\n");
        String out = tmp.resolve("never").toString();
        var e = assertThrows(IllegalArgumentException.class, () -> PreparePretrainingJob.run(spark, options(List.of(empty.toString()), out, 2, 2, 1)));
        assertTrue(e.getMessage().contains("no documents"), e.getMessage());
        assertFalse(Files.exists(Path.of(out)));

        var missing = assertThrows(java.io.FileNotFoundException.class,
                () -> PreparePretrainingJob.run(spark, options(List.of(tmp.resolve("nope*.txt").toString()), out, 2, 2, 1)));
        assertTrue(missing.getMessage().contains("nope*.txt"), missing.getMessage());

        Path blocker = Files.writeString(tmp.resolve("a-file"), "x");
        var unwritable = assertThrows(java.io.IOException.class,
                () -> PreparePretrainingJob.run(spark, options(books().subList(0, 1), blocker.resolve("out").toString(), 2, 2, 1)));
        assertTrue(unwritable.getMessage().contains("a-file/out"), unwritable.getMessage());

        Path badVocab = Files.writeString(tmp.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n");
        var vocab = assertThrows(IllegalArgumentException.class, () -> PreparePretrainingJob.run(spark,
                new PreparePretrainingJob.Options(books().subList(0, 1), badVocab.toString(), out, 2, CorpusFormat.AUTO, PretrainingConfig.defaults(), 2)));
        assertTrue(vocab.getMessage().contains("[MASK]") && vocab.getMessage().contains("vocab.txt"), vocab.getMessage());
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void repairedBytesAreCountedInStats() throws Exception {
        SparkSession spark = LocalSpark.session();
        byte[] text = "A first sentence here.\r\nAnd a second\0 one.\r\n\r\nOther doc \u00e9t\u00e9.\r\nBad \u0001"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] withBad = Arrays.copyOf(text, text.length + 3);
        withBad[text.length] = (byte) 0xFF;
        withBad[text.length + 1] = '.';
        withBad[text.length + 2] = '\n';
        Path f = Files.write(tmp.resolve("bert.txt"), withBad);
        String out = tmp.resolve("r").toString();
        PreparePretrainingJob.run(spark, new PreparePretrainingJob.Options(List.of(f.toString()), SharedData.require(SharedData.vocab()).toString(),
                out, 1, CorpusFormat.BERT, PretrainingConfig.defaults().withDupeFactor(1), 2));
        JsonNode repairs = Json.MAPPER.readTree(Path.of(out, "stats.json").toFile()).get("repairs");
        assertEquals(1, repairs.get(Repairs.NUL).get("count").asLong());
        assertEquals(1, repairs.get(Repairs.INVALID_UTF8).get("count").asLong());
        assertTrue(repairs.get(Repairs.INVALID_UTF8).get("first").asText().endsWith("bert.txt:5"));
        assertEquals(4, repairs.get(Repairs.CRLF).get("count").asLong());
    }
}
