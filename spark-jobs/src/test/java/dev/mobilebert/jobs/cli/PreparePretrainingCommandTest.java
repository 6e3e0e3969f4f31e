package dev.mobilebert.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import dev.mobilebert.testing.LocalSpark;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The command line end to end on a small BERT-format corpus, and its error for a vocabulary without [MASK]. */
class PreparePretrainingCommandTest {
    @TempDir Path dir;

    @Test
    void writesShardsStatsAndConfigAndFailsClearlyOnABadVocabulary() throws Exception {
        LocalSpark.session(); // the shared local[2] session: the command reuses it
        StringBuilder corpus = new StringBuilder();
        for (int d = 0; d < 12; d++) {
            for (int s = 0; s < 15; s++) corpus.append("Document ").append(d).append(" says sentence number ").append(s).append(" aloud.\n");
            corpus.append('\n');
        }
        Path input = Files.writeString(dir.resolve("corpus.txt"), corpus);
        Path out = dir.resolve("out");
        String vocab = SharedData.require(SharedData.vocab()).toString();
        int code = Main.run("prepare-pretraining", "--input", input.toString(), "--vocab", vocab, "--out", out.toString(),
                "--format", "bert", "--dupe-factor", "3", "--shards", "2", "--max-seq-length", "64", "--master", "local[2]");
        assertEquals(0, code);
        JsonNode stats = Json.MAPPER.readTree(out.resolve("stats.json").toFile());
        assertEquals(12, stats.get("documents").asLong());
        assertTrue(stats.get("instances").asLong() > 12);
        JsonNode cfg = Json.MAPPER.readTree(out.resolve("config/prepare-pretraining.json").toFile());
        assertEquals(3, cfg.get("dupe_factor").asInt());
        assertEquals(64, cfg.get("max_seq_length").asInt());
        assertTrue(Files.exists(out.resolve("shards/shard-00000-of-00002.parquet")));

        Path badVocab = Files.writeString(dir.resolve("bad-vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, Main.run("prepare-pretraining", "--input", input.toString(), "--vocab", badVocab.toString(),
                    "--out", dir.resolve("never").toString(), "--master", "local[2]"));
        } finally {
            System.setErr(oldErr);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("[MASK]") && message.contains("bad-vocab.txt"), message);
        assertFalse(Files.exists(dir.resolve("never")));
    }
}
