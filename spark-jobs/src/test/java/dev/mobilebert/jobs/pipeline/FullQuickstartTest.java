package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.testing.LocalSpark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The quickstart as users run it: every embedded speech, the laptop config unchanged (about a minute on 2 cores). */
@Tag("slow")
class FullQuickstartTest {
    @TempDir Path dir;

    @Test
    void theWholeEmbeddedCorpusWithTheLaptopConfig() throws Exception {
        LocalSpark.session();
        Path run = dir.resolve("run");
        long t0 = System.nanoTime();
        QuickstartTest.Result q = QuickstartTest.cli("quickstart", "--out", run.toString(), "--master", "local[2]");
        System.out.printf("full quickstart (local[2]): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, q.code(), q.err());
        JsonNode stats = Json.MAPPER.readTree(run.resolve("prepare/data/stats.json").toFile());
        assertEquals(1266, stats.get("documents").asLong(), "every English speech is a document");
        double masked = stats.get("masked_fraction_of_eligible_tokens").asDouble();
        assertTrue(masked > 0.14 && masked < 0.16, "masked share " + masked);
        assertTrue(q.out().contains("Report: " + run.resolve("report.html")), q.out());
    }
}
