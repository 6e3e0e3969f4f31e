package dev.mobilebert.jobs.peers;

import dev.mobilebert.jobs.cli.ComparePeersCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** compare-peers' GLUE columns: read from finetune / distill-task summaries, official metrics in GLUE's order, baselines. */
class PeerComparisonGlueTest {
    @TempDir Path tmp;

    private Path run(String name, String best) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("summary.json"), "{\"task\": \"x\", \"best\": " + best + "}");
        return dir;
    }

    @Test
    void glueColumnsShowTheBestDevMetricsOfEachRunAndTheBaselines() throws Exception {
        Path mrpc = run("mrpc", "{\"f1\": 0.8122, \"accuracy\": 0.6838, \"glue_score\": 74.8, \"total\": 408, \"majority_label\": \"1\", "
                + "\"majority_baseline_accuracy\": 0.6838, \"epoch\": 2}");
        Path stsb = run("stsb", "{\"pearson\": 0.149, \"spearman\": 0.152, \"glue_score\": 15.05, \"total\": 1500, \"constant_baseline_pearson\": 0.0}");
        var m = PeerComparison.glueScore(mrpc.toString());
        assertEquals(74.8, m.score(), 1e-12);
        assertEquals(0.6838, m.baseline(), 1e-12);
        assertEquals("81.2/68.4", PeerComparison.officialMetrics(m));
        var s = PeerComparison.glueScore(stsb.toString());
        assertEquals("14.9/15.2", PeerComparison.officialMetrics(s));
        assertEquals(0.0, s.baseline());

        var row = new PeerComparison.Row("a", "ckpt", 10, 8, 2, 48, 1.0, 0.9, 0.1, 6.6, 0.63, 0.06,
                Map.of("MRPC", m));
        var other = new PeerComparison.Row("b", "ckpt", 10, 8, 2, 48, 1.0, 0.9, null, null, null, null,
                new java.util.LinkedHashMap<>(Map.of("STS-B", s)));
        String md = PeerComparison.markdown(List.of(row, other), Map.of("measured_at", "now", "load_average", "0", "latency", "x", "held_out", "h"));
        assertTrue(md.contains("| MRPC dev | STS-B dev |"), md);
        assertTrue(md.contains("| 81.2/68.4 | – |"), md);
        assertTrue(md.contains("| – | 14.9/15.2 |"), md);
        assertTrue(md.contains("MRPC 68.4;") && md.contains("STS-B 0.0;"), md);
    }

    @Test
    void aRunWithoutAFinishedSummaryOrAnUnknownModelIsAnErrorNamingIt() throws Exception {
        var e = assertThrows(IllegalArgumentException.class, () -> PeerComparison.glueScore(tmp.resolve("none").toString()));
        assertTrue(e.getMessage().contains("no summary.json"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> ComparePeersCommand.glueRuns(Map.of("tiny:rte", "/r"), java.util.Set.of("teacher")));
        assertTrue(e2.getMessage().contains("no --model named tiny"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class,
                () -> ComparePeersCommand.glueRuns(Map.of("tiny", "/r"), java.util.Set.of("tiny")));
        assertTrue(e3.getMessage().contains("NAME:TASK=RUN"), e3.getMessage());
        assertEquals(Map.of("tiny", Map.of("rte", "/r")), ComparePeersCommand.glueRuns(Map.of("tiny:rte", "/r"), java.util.Set.of("tiny")));
    }
}
