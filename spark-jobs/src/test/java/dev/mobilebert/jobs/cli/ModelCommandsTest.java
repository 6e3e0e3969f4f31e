package dev.mobilebert.jobs.cli;

import dev.mobilebert.jobs.Main;
import dev.mobilebert.model.io.SafeTensors;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The user's path: import-hf, forward from the checkpoint, export-hf — against the oracle files. */
class ModelCommandsTest {
    @Test
    void importForwardExportReproduceTheOracle(@TempDir Path tmp) throws Exception {
        Path oracle = SharedData.require(SharedData.oracle("mobilebert-tiny-oracle-torchinit"));
        String ckpt = tmp.resolve("ckpt").toString(), hf = tmp.resolve("hf").toString(), out = tmp.resolve("out.safetensors").toString();
        assertEquals(0, Main.run("import-hf", "--from", oracle.toString(), "--out", ckpt));
        assertEquals(0, Main.run("forward", "--checkpoint", ckpt, "--inputs", oracle.resolve("inputs.json").toString(), "--out", out));
        assertEquals(0, Main.run("export-hf", "--checkpoint", ckpt, "--out", hf));

        Map<String, SafeTensors.Tensor> expected = SafeTensors.read(oracle.resolve("outputs.safetensors").toString());
        Map<String, SafeTensors.Tensor> actual = SafeTensors.read(out);
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            INDArray e = expected.get(k).toArray(DataType.FLOAT), a = actual.get(k).toArray(DataType.FLOAT);
            double err = a.sub(e).amaxNumber().doubleValue();
            assertTrue(err <= 1e-4, k + ": max abs error " + err);
        }
        Map<String, SafeTensors.Tensor> original = SafeTensors.read(oracle.resolve("model.safetensors").toString());
        Map<String, SafeTensors.Tensor> exported = SafeTensors.read(tmp.resolve("hf/model.safetensors").toString());
        assertEquals(new java.util.TreeSet<>(original.keySet()), new java.util.TreeSet<>(exported.keySet()));
        original.forEach((k, t) -> assertTrue(Arrays.equals(t.data(), exported.get(k).data()), k));
    }

    @Test
    void paramsPrintsTheOfficialCount() {
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(out));
        int rc;
        try {
            rc = Main.run("params", "--config", Path.of(System.getProperty("mobilebert.home", "..")).resolve("conf/models/uncased_L-24_H-128_B-512_A-4_F-4_OPT.json").toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        assertTrue(out.toString().contains("24,581,888") && out.toString().contains("36,597,564"), out.toString());
    }
}
