package dev.mobilebert.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** doctor in Spark local mode: every essential check passes on a healthy machine and the JSON report says so. */
class DoctorCommandTest {
    @TempDir
    Path tmp;

    @Test
    void doctorPassesInLocalModeAndWritesItsReport() throws Exception {
        Path json = tmp.resolve("doctor.json");
        String out = MainTest.run("doctor", "--master", "local[2]", "--gemm-size", "256", "--json", json.toString());
        assertTrue(out.contains("all essential checks passed"), out);
        JsonNode report = Json.MAPPER.readTree(Files.readString(json));
        JsonNode spark = find(report, "ND4J on executors");
        assertEquals("OK", spark.get("status").asText(), spark.toString());
        assertTrue(spark.get("found").asText().contains("CpuBackend"));
        JsonNode sgemm = find(report, "sgemm");
        assertTrue(sgemm.get("found").asText().matches("[0-9.]+ GFLOP/s.*"), sgemm.toString());
        assertTrue(find(report, "small-op cost").get("found").asText().matches("[0-9.]+ µs per 128x128 add"), report.toString());
        assertTrue(find(report, "MobileBERT-shape gemm").get("found").asText().matches("[0-9.]+ GFLOP/s.*"), report.toString());
        assertTrue(find(report, "model defaults").get("found").asText().contains("updater block per vertex"));
    }

    static JsonNode find(JsonNode report, String name) {
        for (JsonNode c : report) if (c.get("name").asText().equals(name)) return c;
        throw new AssertionError("no check named " + name + " in " + report);
    }
}
