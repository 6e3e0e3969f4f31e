package dev.mobilebert.io;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per logged event, always with {@code stage}, {@code step} and {@code time}
 * (epoch milliseconds). Lines are appended and flushed one by one, so a crash loses at most the line being
 * written, and a resumed run continues the same file. On stores without append (S3) the file is rewritten.
 */
public final class MetricsLog {
    private final Path file;
    private boolean tailChecked;

    public MetricsLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Appends one event; {@code values} are the stage's losses and metrics (numbers, strings, booleans). */
    public synchronized void log(String stage, long step, Map<String, ?> values) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("stage", stage);
        row.put("step", step);
        row.put("time", System.currentTimeMillis());
        row.putAll(values);
        try {
            String line = Json.COMPACT.writeValueAsString(row) + "\n";
            if (!tailChecked) {
                // a crash may have cut the last line short: end it, so this row starts a line of its own
                if (endsMidLine()) line = "\n" + line;
                tailChecked = true;
            }
            append(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The events of one stage, in file order (what a resumed job reads back). A line a crash cut short is skipped:
     * it is the last line when the crash happens, and a resumed run appends after it.
     */
    public List<Map<String, Object>> rows(String stage) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Fs.exists(file)) return out;
        for (String line : Fs.readString(file).split("\n")) {
            if (line.isBlank()) continue;
            Map<String, Object> row;
            try {
                row = Json.MAPPER.readValue(line, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                continue;
            }
            if (stage.equals(row.get("stage"))) out.add(row);
        }
        return out;
    }

    private boolean endsMidLine() throws IOException {
        FileSystem fs = Fs.fs(file);
        if (!fs.exists(file)) return false;
        long length = fs.getFileStatus(file).getLen();
        if (length == 0) return false;
        try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(file)) {
            in.seek(length - 1);
            return in.read() != '\n';
        }
    }

    private void append(byte[] line) throws IOException {
        if ("file".equals(file.toUri().getScheme())) {
            java.nio.file.Path p = java.nio.file.Path.of(file.toUri());
            Files.createDirectories(p.getParent());
            Files.write(p, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            return;
        }
        FileSystem fs = Fs.fs(file);
        try {
            try (FSDataOutputStream out = fs.exists(file) ? fs.append(file) : fs.create(file, false)) {
                out.write(line);
            }
        } catch (UnsupportedOperationException | IOException e) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            if (fs.exists(file)) all.write(Fs.readBytes(file));
            all.write(line);
            AtomicOutput.writeFile(file, out -> all.writeTo(out));
        }
    }
}
