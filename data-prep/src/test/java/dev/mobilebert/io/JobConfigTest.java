package dev.mobilebert.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class JobConfigTest {
    record Optimizer(String name, double learningRate) {}

    record Settings(int batchSize, String master, Optimizer optimizer) {}

    @TempDir
    Path tmp;

    @Test
    void fileValuesAreOverriddenFromTheCommandLine() throws IOException {
        Path f = tmp.resolve("job.json");
        Files.writeString(f, "{\"batch_size\": 32, \"master\": \"local[2]\", \"optimizer\": {\"name\": \"lamb\", \"learning_rate\": 0.001}}");
        Settings s = JobConfig.load(f.toString(), Settings.class, Map.of("optimizer.learning_rate", "5e-4", "master", "yarn"));
        assertEquals(new Settings(32, "yarn", new Optimizer("lamb", 5e-4)), s);
    }

    @Test
    void unknownKeysNameTheFileAndTheKey() throws IOException {
        Path f = tmp.resolve("job.json");
        Files.writeString(f, "{\"batch_sise\": 32}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobConfig.load(f.toString(), Settings.class, Map.of()));
        assertTrue(e.getMessage().contains("job.json") && e.getMessage().contains("batch_sise"), e.getMessage());
    }

    @Test
    void invalidJsonNamesTheLine() throws IOException {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\n\"batch_size\": 32,\n\"master\" \"x\"}");
        IOException e = assertThrows(IOException.class, () -> JobConfig.load(f.toString(), Settings.class, Map.of()));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("line 3"), e.getMessage());
    }
}
