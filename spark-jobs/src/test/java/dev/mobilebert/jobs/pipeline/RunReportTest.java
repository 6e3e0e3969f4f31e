package dev.mobilebert.jobs.pipeline;

import dev.mobilebert.io.RunDirectory;
import dev.mobilebert.jobs.report.RunReport;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The report of a run directory whose stages logged curves: one chart per curve, tables, nothing fetched. */
class RunReportTest {
    @TempDir Path dir;

    @Test
    void drawsOneChartPerLoggedCurveAndTablesOfEveryStage() throws Exception {
        RunDirectory root = RunDirectory.open(dir.toString());
        root.saveProvenance("pipeline", List.of("--config", "x.conf"));
        RunDirectory teacher = RunDirectory.open(dir.resolve("teacher").toString());
        for (int step = 1; step <= 30; step++) {
            teacher.metrics().log("train", step, Map.of("loss", 10.0 / step, "learning_rate", 1e-4 * step));
        }
        teacher.metrics().log("eval", 30, Map.of("mlm_accuracy", 0.25));
        teacher.writeSummary(Map.of("steps", 30, "final_loss", 0.333));
        RunDirectory.open(dir.resolve("transfer").toString()); // started, never finished
        RunDirectory pkt = RunDirectory.open(dir.resolve("transfer/stages/pkt-layer-00").toString()); // a sub-stage's own run directory
        for (int step = 1; step <= 5; step++) pkt.metrics().log("train", step, Map.of("loss", 3.0 / step, "fmt", 2.0 / step, "at", 1.0 / step));
        Files.createDirectories(dir.resolve("bench"));
        Files.writeString(dir.resolve("bench/bench.json"), """
                {"machine": {"available_processors": 2, "load_average": 3.5},
                 "models": [
                  {"model": "teacher (this run, teacher)", "role": "teacher", "parameters": 123456, "parameters_with_heads": 150000,
                   "weights_megabytes": 0.47, "checkpoint_bytes": 2097152, "layers": 2, "seq_length": 128, "batch_size": 1,
                   "median_ms": 12.5, "min_ms": 11.0, "repetitions": 10},
                  {"model": "BERT-base", "role": "reference (random weights)", "parameters": 109482240, "parameters_with_heads": 110000000,
                   "weights_megabytes": 417.6, "checkpoint_bytes": -1, "layers": 12, "seq_length": 128, "batch_size": 1,
                   "median_ms": 410.0, "min_ms": 380.0, "repetitions": 10}]}""");

        List<RunReport.StageInfo> stages = List.of(new RunReport.StageInfo("teacher", "pretrain", true),
                new RunReport.StageInfo("transfer", "transfer", true), new RunReport.StageInfo("bench", "bench", false));
        int charts = RunReport.write(new org.apache.hadoop.fs.Path(dir.toUri()), stages);
        assertEquals(4, charts, "loss and learning_rate have 30 points each (the single eval point is a table row), "
                + "plus the loss-curves charts of teacher/train and of the PKT sub-stage");

        String html = Files.readString(dir.resolve(RunReport.FILE));
        Document doc = Jsoup.parse(html);
        assertEquals(4, doc.select("div.chart > svg").size());
        assertTrue(doc.select("div.chart svg").text().contains("transfer/stages/pkt-layer-00 / train"), "a sub-stage's loss curves");
        assertTrue(doc.select("div.chart svg").text().contains("train: loss"), "the chart title is drawn into the SVG");
        assertTrue(doc.select("div.chart svg").text().contains("teacher / train"), "the loss-curves chart of the teacher");
        var latency = doc.select("table.latency tr").stream().skip(1).map(r -> r.children().stream().map(Element::text).toList()).toList();
        assertEquals(2, latency.size());
        assertEquals(List.of("teacher (this run, teacher)", "teacher", "2", "123,456", "150,000", "0.5", "2.0", "1 x 128", "12.5", "11.0", "", ""),
                latency.get(0));
        assertEquals(List.of("109M", "342 ms"), latency.get(1).subList(10, 12), "the paper's BERT-base figures beside the measured row");
        assertTrue(doc.text().contains("load average 3.50"), "the load the latency was measured under");
        assertTrue(doc.text().contains("Scale of this run: no pretraining data yet; teacher: 30 steps"), "the teacher's scale stated");
        Element stagesTable = doc.selectFirst("table.stages");
        assertNotNull(stagesTable);
        assertEquals(List.of("complete", "partial (resumes on rerun)", "not implemented in this build"),
                stagesTable.select("tr").stream().skip(1).map(r -> r.child(2).text()).toList());
        assertTrue(doc.select("table.summary td").eachText().contains("final_loss"));
        assertTrue(doc.select("table.points td").eachText().contains("mlm_accuracy"));
        assertEquals(List.of("not evaluated", "not evaluated", "not evaluated"),
                doc.select("table.results tr").stream().skip(1).map(r -> r.child(2).text()).toList());
        assertTrue(doc.select("table.provenance td").eachText().contains("code_version.commit"));
        // self-contained: no external scripts, stylesheets or images
        assertTrue(doc.select("script, link, img[src^=http], iframe").isEmpty());
        assertFalse(html.contains("http://") && html.matches("(?s).*(src|href)=\"http.*"), "nothing fetched from the network");
    }
}
