package dev.mobilebert.jobs.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.testing.LocalSpark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The quickstart as users run it: every embedded speech, the laptop config unchanged (see docs/pipeline.md for times). */
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
        JsonNode teacher = Json.MAPPER.readTree(run.resolve("teacher/summary.json").toFile());
        assertEquals(60, teacher.get("steps").asInt(), "the laptop config's teacher steps");
        JsonNode first = null, last = null;
        for (String line : java.nio.file.Files.readAllLines(run.resolve("teacher/metrics.jsonl"))) {
            JsonNode row = Json.MAPPER.readTree(line);
            if (!"train".equals(row.path("stage").asText())) continue;
            if (first == null) first = row;
            last = row;
        }
        assertNotNull(first);
        System.out.printf("teacher loss %.3f (step %d) -> %.3f (step %d)%n", first.get("loss").asDouble(), first.get("step").asInt(),
                last.get("loss").asDouble(), last.get("step").asInt());
        assertTrue(last.get("loss").asDouble() < first.get("loss").asDouble() - 0.5, "the teacher's loss falls");
        JsonNode bench = Json.MAPPER.readTree(run.resolve("bench/bench.json").toFile());
        java.util.List<String> roles = new java.util.ArrayList<>();
        bench.get("models").forEach(m -> roles.add(m.get("model").asText()));
        assertTrue(roles.containsAll(java.util.List.of("BERT-base", "MobileBERT (paper)")), roles.toString());
        System.out.println(bench.toPrettyString());
    }
}
