package dev.mobilebert.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reading back one stage's events, as a resumed job does after a crash cut a line short. */
class MetricsLogTest {
    @TempDir Path tmp;

    @Test
    void rowsOfAStageInOrderSkippingALineACrashCutShort() throws Exception {
        RunDirectory run = RunDirectory.open(tmp.resolve("run").toString());
        MetricsLog log = run.metrics();
        assertEquals(List.of(), log.rows("dev"), "no file yet");
        log.log("dev", 10, Map.of("accuracy", 0.5, "epoch", 1));
        log.log("train", 11, Map.of("loss", 0.7));
        Path file = Path.of(log.file().toUri());
        Files.writeString(file, "{\"stage\":\"dev\",\"step\":20,\"accu", StandardCharsets.UTF_8, StandardOpenOption.APPEND); // the crash
        MetricsLog resumed = new MetricsLog(log.file()); // the resumed run
        resumed.log("dev", 20, Map.of("accuracy", 0.625, "epoch", 2));
        List<Map<String, Object>> dev = log.rows("dev");
        assertEquals(2, dev.size(), dev.toString());
        assertEquals(10, ((Number) dev.get(0).get("step")).intValue());
        assertEquals(0.625, ((Number) dev.get(1).get("accuracy")).doubleValue());
        assertEquals(1, log.rows("train").size());
    }
}
