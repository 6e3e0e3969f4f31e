package dev.mobilebert.jobs.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The bench's arithmetic and report (the measurement itself is the command: bin/mobilebert bench pretrain). */
class PretrainBenchTest {
    static PretrainBench.Run run(String model, String master, int workers, double rate) {
        return new PretrainBench.Run(model, master, workers, 1000, rate, 100, 60, 30, 10, 7.0);
    }

    @Test
    void efficiencyIsManyWorkerThroughputOverWorkersTimesOneWorker() {
        List<PretrainBench.Run> runs = List.of(run("a", "local[1]", 1, 10), run("a", "local[2]", 2, 15),
                run("b", "local[1]", 1, 4), run("b", "local[2]", 2, 8));
        Map<String, Map<String, Double>> e = PretrainBench.efficiency(runs);
        assertEquals(0.75, e.get("a").get("local[2]"), 1e-12);
        assertEquals(1.0, e.get("b").get("local[2]"), 1e-12);
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("runs", runs);
        results.put("efficiency", e);
        results.put("load_average", "1.0 1.0 1.0");
        results.put("cores", 2);
        String md = PretrainBench.markdown(results);
        assertTrue(md.contains("| a | local[2] | 2 | 1,000 | 15.00 |"), md);
        assertTrue(md.contains("| 0.75 |"), md);
    }

    @Test
    void workersComeFromLocalMasters() {
        assertEquals(1, PretrainBench.cores("local"));
        assertEquals(2, PretrainBench.cores("local[2]"));
        assertThrows(IllegalArgumentException.class, () -> PretrainBench.cores("spark://h:7077"));
    }
}
