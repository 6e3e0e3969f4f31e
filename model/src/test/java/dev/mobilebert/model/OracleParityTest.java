package dev.mobilebert.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.model.io.HfFormat;
import dev.mobilebert.model.io.SafeTensors;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** import-hf + forward reproduce the HuggingFace reference tensors in ../shared/oracle. */
class OracleParityTest {

    static INDArray matrix(JsonNode rows) {
        int b = rows.size(), t = rows.get(0).size();
        INDArray a = Nd4j.create(DataType.FLOAT, b, t);
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) a.putScalar(i, j, rows.get(i).get(j).asDouble());
        return a;
    }

    static Map<String, INDArray> runCase(Path dir) throws Exception {
        MobileBertModel m = HfFormat.load(dir.toString());
        JsonNode in = Json.MAPPER.readTree(Files.readString(dir.resolve("inputs.json")));
        return m.forwardWithIntermediates(matrix(in.get("input_ids")), matrix(in.get("token_type_ids")), matrix(in.get("attention_mask")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilebert-tiny-oracle-torchinit", "extra-tiny-no-bottleneck-no-trigram-torchinit"})
    void forwardMatchesReferenceWithin1e4(String name) throws Exception {
        Path dir = SharedData.require(SharedData.oracle(name));
        Map<String, INDArray> ours = runCase(dir);
        Map<String, SafeTensors.Tensor> ref = SafeTensors.read(dir.resolve("outputs.safetensors").toString());
        assertEquals(ref.keySet(), ours.keySet());
        StringBuilder report = new StringBuilder();
        double worst = 0;
        for (var e : ref.entrySet()) {
            INDArray expected = e.getValue().toArray(DataType.FLOAT);
            INDArray actual = ours.get(e.getKey());
            assertArrayEquals(expected.shape(), actual.shape(), e.getKey());
            double err = Nd4j.math().abs(actual.sub(expected)).maxNumber().doubleValue();
            worst = Math.max(worst, err);
            report.append(e.getKey()).append('=').append(String.format("%.2e", err)).append(' ');
        }
        System.out.println(name + " max abs error: " + report);
        assertTrue(worst <= 1e-4, name + ": " + report);
    }
}
