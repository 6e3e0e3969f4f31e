package dev.mobilebert.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.jobs.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerBenchCommandTest {
    @TempDir Path dir;

    @Test
    void writesResultsJson() throws Exception {
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "!"));
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(corpus.resolve("a.txt"), "Hello world!\n".repeat(1000));
        Files.writeString(corpus.resolve("b.txt"), "hello, WORLD\n".repeat(500));
        Path out = dir.resolve("results/tokenizer.json");
        assertEquals(0, Main.run("bench", "tokenizer", "--vocab", vocab.toString(), "--input", corpus.toString(),
                "--no-hf", "--no-python", "--repeats", "1", "--out", out.toString()));
        JsonNode json = Json.MAPPER.readTree(out.toFile());
        JsonNode java = json.get("results").get(0);
        assertEquals(13 * 1000 + 13 * 500 + 2, java.get("bytes").asLong()); // each file's final empty line counts its "\n"
        assertEquals(3 * 1000 + 3 * 500, java.get("tokens").asLong());     // "hello, WORLD" -> hello [UNK] world
        assertTrue(java.get("mb_per_second").asDouble() > 0);
        assertEquals(2, json.get("files").size());
    }
}
