package dev.mobilebert.model;

import dev.mobilebert.model.io.HfFormat;
import dev.mobilebert.model.io.SafeTensors;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfRoundTripTest {
    static final String CASE = "mobilebert-tiny-oracle-torchinit";

    @Test
    void exportOfAnImportedModelIsBitIdentical(@TempDir Path tmp) throws Exception {
        Path dir = SharedData.require(SharedData.oracle(CASE));
        MobileBertModel m = HfFormat.load(dir.toString());
        HfFormat.export(m, tmp.resolve("out").toString());
        Map<String, SafeTensors.Tensor> original = SafeTensors.read(dir.resolve("model.safetensors").toString());
        Map<String, SafeTensors.Tensor> exported = SafeTensors.read(tmp.resolve("out/model.safetensors").toString());
        assertEquals(new java.util.TreeSet<>(original.keySet()), new java.util.TreeSet<>(exported.keySet()));
        for (String k : original.keySet()) {
            assertEquals(original.get(k).dtype(), exported.get(k).dtype(), k);
            assertArrayEquals(original.get(k).shape(), exported.get(k).shape(), k);
            assertTrue(Arrays.equals(original.get(k).data(), exported.get(k).data()), k + " bytes differ");
        }
        assertFalse(exported.containsKey("cls.predictions.decoder.weight"), "tied decoder must be omitted");
        // the exported config reads back as the same model config
        assertEquals(HfFormat.readConfig(dir.toString()), HfFormat.readConfig(tmp.resolve("out").toString()));
    }

    @Test
    void importAcceptsTheTiedDecoderAndRejectsMissingOrMisshapenTensors() throws Exception {
        Path dir = SharedData.require(SharedData.oracle(CASE));
        MobileBertModel m = MobileBertModel.pretraining(HfFormat.readConfig(dir.toString()), null, 0);
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>(HfFormat.readWeights(dir.toString()));
        t.put("cls.predictions.decoder.weight", t.get("mobilebert.embeddings.word_embeddings.weight"));
        t.put("cls.predictions.decoder.bias", t.get("cls.predictions.bias"));
        HfFormat.ImportReport r = HfFormat.importWeights(m, t, "test");
        assertEquals(2, r.tiedAliasesSeen().size());
        assertTrue(r.ignored().isEmpty());

        Map<String, SafeTensors.Tensor> missing = new LinkedHashMap<>(t);
        missing.remove("mobilebert.encoder.layer.1.output.dense.weight");
        assertThrows(IllegalArgumentException.class, () -> HfFormat.importWeights(m, missing, "test"));

        Map<String, SafeTensors.Tensor> wrong = new LinkedHashMap<>(t);
        SafeTensors.Tensor b = wrong.get("cls.predictions.bias");
        wrong.put("cls.predictions.bias", new SafeTensors.Tensor("F32", new long[]{b.shape()[0] - 1}, Arrays.copyOf(b.data(), b.data().length - 4)));
        assertThrows(IllegalArgumentException.class, () -> HfFormat.importWeights(m, wrong, "test"));
    }

    @Test
    void safetensorsWriteReadRoundTrip(@TempDir Path tmp) throws Exception {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        arrays.put("b", org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 5));
        arrays.put("a.x", org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 7));
        String f = tmp.resolve("t.safetensors").toString();
        SafeTensors.write(f, SafeTensors.fromArrays(arrays));
        Map<String, SafeTensors.Tensor> back = SafeTensors.read(f);
        assertEquals(java.util.List.of("a.x", "b"), java.util.List.copyOf(back.keySet())); // data in name order
        for (var e : arrays.entrySet()) {
            assertEquals(e.getValue(), back.get(e.getKey()).toArray(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(Path.of(f));
        long headerLen = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.parse(Arrays.copyOf(bytes, 20), "truncated"));
    }
}
