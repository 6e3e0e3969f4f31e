package dev.mobilebert.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.model.io.SafeTensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.util.Map;

/** The {@code forward} command's logic: inputs.json in, every intermediate tensor out as float32 safetensors. */
public final class ForwardRunner {
    private ForwardRunner() {}

    /** input_ids, token_type_ids, attention_mask as [B, T] arrays (token types and mask default to 0 / 1). */
    public record Inputs(INDArray inputIds, INDArray tokenTypeIds, INDArray attentionMask) {}

    public static Inputs readInputs(String location) throws IOException {
        JsonNode root = Json.MAPPER.readTree(Fs.readString(Fs.path(location)));
        JsonNode ids = root.get("input_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty()) throw new IllegalArgumentException(location + ": field 'input_ids' must be a non-empty [B][T] array");
        INDArray in = matrix(ids, location, "input_ids", -1, -1);
        int b = (int) in.size(0), t = (int) in.size(1);
        INDArray types = root.has("token_type_ids") ? matrix(root.get("token_type_ids"), location, "token_type_ids", b, t) : Nd4j.zeros(DataType.FLOAT, b, t);
        INDArray mask = root.has("attention_mask") ? matrix(root.get("attention_mask"), location, "attention_mask", b, t) : Nd4j.ones(DataType.FLOAT, b, t);
        return new Inputs(in, types, mask);
    }

    private static INDArray matrix(JsonNode rows, String file, String field, int b, int t) {
        int nb = rows.size(), nt = rows.get(0).size();
        if ((b >= 0 && nb != b) || (t >= 0 && nt != t)) throw new IllegalArgumentException(file + ": field '" + field + "' must be " + b + " x " + t);
        INDArray a = Nd4j.create(DataType.FLOAT, nb, nt);
        for (int i = 0; i < nb; i++) {
            if (rows.get(i).size() != nt) throw new IllegalArgumentException(file + ": field '" + field + "' row " + i + " has " + rows.get(i).size() + " entries, expected " + nt);
            for (int j = 0; j < nt; j++) a.putScalar(i, j, rows.get(i).get(j).asDouble());
        }
        return a;
    }

    public static Map<String, INDArray> run(MobileBertModel model, Inputs in) {
        if (in.inputIds().size(1) > model.config().maxPositionEmbeddings) {
            throw new IllegalArgumentException("sequence length " + in.inputIds().size(1) + " exceeds max_position_embeddings " + model.config().maxPositionEmbeddings);
        }
        return model.forwardWithIntermediates(in.inputIds(), in.tokenTypeIds(), in.attentionMask());
    }

    public static void write(Map<String, INDArray> outputs, String location) throws IOException {
        SafeTensors.write(location, SafeTensors.fromArrays(outputs));
    }
}
