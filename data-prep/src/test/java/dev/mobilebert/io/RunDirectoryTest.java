package dev.mobilebert.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.testing.MiniHdfs;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The run-directory convention, on the local filesystem and on a real HDFS (MiniDFSCluster). */
class RunDirectoryTest {
    static MiniHdfs hdfs;

    @TempDir
    java.nio.file.Path tmp;

    @BeforeAll
    static void startHdfs() throws IOException {
        hdfs = MiniHdfs.start();
        Fs.setConf(hdfs.conf());
    }

    @AfterAll
    static void stopHdfs() {
        Fs.setConf(null);
        if (hdfs != null) hdfs.close();
    }

    @Test
    void localRunDirectory() throws IOException {
        exercise(tmp.resolve("run").toString());
    }

    @Test
    void hdfsRunDirectory() throws IOException {
        exercise(hdfs.uri() + "/user/test/run");
    }

    private static void exercise(String location) throws IOException {
        RunDirectory run = RunDirectory.open(location);
        run.saveConfig("model", Map.of("hidden_size", 512, "num_hidden_layers", 24));
        run.saveProvenance("pretrain", List.of("--out", location));
        run.metrics().log("teacher", 1, Map.of("loss", 7.5));
        run.metrics().log("teacher", 2, Map.of("loss", 7.25, "mlm_accuracy", 0.1));
        assertFalse(run.isComplete());
        run.writeSummary(Map.of("steps", 2));

        // read back through a fresh handle, as a resumed run or the report would
        RunDirectory again = RunDirectory.open(location);
        assertTrue(again.isComplete());
        assertEquals(512, Json.MAPPER.readTree(Fs.readString(new Path(again.configDir(), "model.json"))).get("hidden_size").asInt());
        assertEquals("pretrain", Json.MAPPER.readTree(Fs.readString(new Path(again.configDir(), "run.json"))).get("command").asText());
        String[] lines = Fs.readString(again.metrics().file()).split("\n");
        assertEquals(2, lines.length);
        JsonNode second = Json.MAPPER.readTree(lines[1]);
        assertEquals("teacher", second.get("stage").asText());
        assertEquals(2, second.get("step").asLong());
        assertTrue(second.get("time").asLong() > 0);
        assertEquals(7.25, second.get("loss").asDouble());
        assertTrue(Fs.exists(again.checkpointsDir()));

        again.metrics().log("teacher", 3, Map.of("loss", 7.0));
        assertEquals(3, Fs.readString(again.metrics().file()).split("\n").length, "a resumed run appends");
    }

    @Test
    void schemeLessPathsAreLocalFiles() {
        Path p = Fs.path("runs/x");
        assertEquals("file", p.toUri().getScheme());
        assertTrue(p.toUri().getPath().endsWith("/runs/x"));
    }
}
