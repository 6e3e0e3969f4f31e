package dev.mobilebert.model.io;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format in pure Java: 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the raw little-endian bytes.
 * Tensors are written in name order (as the reference library does for same-dtype tensors), with {"format": "pt"}.
 */
public final class SafeTensors {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One stored tensor: its dtype name (F32, F64, I64, I32, ...), shape and raw little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] data) {
        public static Tensor of(INDArray a) {
            INDArray c = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
            float[] f = c.dup('c').data().asFloat();
            ByteBuffer bb = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(f);
            return new Tensor("F32", c.shape().clone(), bb.array());
        }

        public long numel() { return Arrays.stream(shape).reduce(1L, (x, y) -> x * y); }

        /** As an ND4J array of {@code type} (F32/F64/I32/I64 stored). */
        public INDArray toArray(DataType type) {
            ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            int n = Math.toIntExact(numel());
            double[] d = new double[n];
            switch (dtype) {
                case "F32" -> { for (int i = 0; i < n; i++) d[i] = bb.getFloat(); }
                case "F64" -> { for (int i = 0; i < n; i++) d[i] = bb.getDouble(); }
                case "I64" -> { for (int i = 0; i < n; i++) d[i] = bb.getLong(); }
                case "I32" -> { for (int i = 0; i < n; i++) d[i] = bb.getInt(); }
                default -> throw new IllegalArgumentException("unsupported safetensors dtype " + dtype);
            }
            if (type == DataType.FLOAT && dtype.equals("F32")) {
                float[] f = new float[n];
                ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                return Nd4j.create(f, shape, 'c');
            }
            return Nd4j.create(d, shape, 'c').castTo(type);
        }
    }

    private SafeTensors() {}

    public static Map<String, Tensor> read(String location) throws IOException {
        return parse(Fs.readBytes(Fs.path(location)), location);
    }

    /** Parses a whole safetensors file; the map keeps the names in file order. */
    public static Map<String, Tensor> parse(byte[] file, String source) {
        if (file.length < 8) throw new IllegalArgumentException(source + ": too short for safetensors");
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n <= 0 || 8 + n > file.length) throw new IllegalArgumentException(source + ": bad safetensors header length " + n);
        Map<String, Object> header;
        try {
            header = MAPPER.readValue(new String(file, 8, (int) n, StandardCharsets.UTF_8), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": bad safetensors header: " + e.getMessage(), e);
        }
        int base = (int) (8 + n);
        List<Map.Entry<String, Object>> entries = new ArrayList<>(header.entrySet());
        entries.removeIf(e -> e.getKey().equals("__metadata__"));
        // file order = data offset order
        entries.sort((a, b) -> Long.compare(begin(a.getValue()), begin(b.getValue())));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : entries) {
            @SuppressWarnings("unchecked") Map<String, Object> info = (Map<String, Object>) e.getValue();
            List<?> shapeList = (List<?>) info.get("shape");
            long[] shape = shapeList.stream().mapToLong(x -> ((Number) x).longValue()).toArray();
            List<?> off = (List<?>) info.get("data_offsets");
            int b = ((Number) off.get(0)).intValue(), en = ((Number) off.get(1)).intValue();
            if (base + en > file.length || b > en) throw new IllegalArgumentException(source + ": tensor " + e.getKey() + " out of bounds");
            out.put(e.getKey(), new Tensor((String) info.get("dtype"), shape, Arrays.copyOfRange(file, base + b, base + en)));
        }
        return out;
    }

    private static long begin(Object info) {
        return ((Number) ((List<?>) ((Map<?, ?>) info).get("data_offsets")).get(0)).longValue();
    }

    public static byte[] serialize(Map<String, Tensor> tensors) {
        TreeMap<String, Tensor> sorted = new TreeMap<>(tensors);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (var e : sorted.entrySet()) {
            Tensor t = e.getValue();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype());
            info.put("shape", t.shape());
            info.put("data_offsets", new long[]{offset, offset + t.data().length});
            header.put(e.getKey(), info);
            offset += t.data().length;
        }
        byte[] json;
        try {
            json = MAPPER.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int pad = (8 - json.length % 8) % 8; // the header is space-padded to 8-byte alignment, as the reference does
        byte[] hdr = Arrays.copyOf(json, json.length + pad);
        Arrays.fill(hdr, json.length, hdr.length, (byte) ' ');
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + hdr.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(hdr.length).put(hdr);
        for (Tensor t : sorted.values()) out.put(t.data());
        return out.array();
    }

    public static void write(String location, Map<String, Tensor> tensors) throws IOException {
        byte[] bytes = serialize(tensors);
        AtomicOutput.writeFile(Fs.path(location), (OutputStream o) -> o.write(bytes));
    }

    /** Convenience: float32 tensors from ND4J arrays, names kept. */
    public static Map<String, Tensor> fromArrays(Map<String, INDArray> arrays) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, Tensor.of(v)));
        return out;
    }
}
