package dev.mobilebert.tokenization;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tokenizer throughput on one thread: this project's FullTokenizer, and, run from the same process on the same
 * input, HF tokenizers (Rust, npm package, batch encoding, one thread) and the reference algorithm in CPython
 * (data-prep/src/test/oracle/reference_tokenizer.py). Every tool reads the same files split at "\n" and counts
 * bytes as UTF-8 bytes of each line plus its newline; the token counts must agree.
 */
public final class TokenizerBenchmark {
    /** One tool's timed pass over the input. */
    public record Measurement(String name, long bytes, long lines, long tokens, double seconds, String note) {
        public double mbPerSecond() { return bytes / 1e6 / seconds; }
        public double tokensPerSecond() { return tokens / seconds; }

        public Map<String, Object> toMap() {
            return Map.of("name", name, "bytes", bytes, "lines", lines, "tokens", tokens, "seconds", seconds,
                    "mb_per_second", round(mbPerSecond()), "tokens_per_second", Math.round(tokensPerSecond()), "note", note);
        }
    }

    private final List<Path> files;
    private final Path vocab;
    private final boolean doLowerCase;
    private final List<String> lines = new ArrayList<>();
    private long bytes;

    public TokenizerBenchmark(List<Path> files, Path vocab, boolean doLowerCase) throws IOException {
        this.files = files;
        this.vocab = vocab;
        this.doLowerCase = doLowerCase;
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            for (String line : text.split("\n", -1)) {
                lines.add(line);
                bytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
    }

    public long bytes() { return bytes; }
    public int lines() { return lines.size(); }

    /** This project's tokenizer: one untimed pass (JIT warm-up), then the median of {@code repeats} timed passes. */
    public Measurement java(int repeats) {
        FullTokenizer tok = new FullTokenizer(Vocab.load(vocab), doLowerCase);
        long tokens = pass(tok);
        double[] seconds = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            long n = pass(tok);
            seconds[r] = (System.nanoTime() - t0) / 1e9;
            if (n != tokens) throw new IllegalStateException("token count changed between passes");
        }
        Arrays.sort(seconds);
        return new Measurement("mobilebert FullTokenizer (Java " + System.getProperty("java.version") + ", 1 thread)",
                bytes, lines.size(), tokens, seconds[repeats / 2], "median of " + repeats + " passes after one warm-up pass");
    }

    private long pass(FullTokenizer tok) {
        long tokens = 0;
        for (String line : lines) tokens += tok.encode(line).length;
        return tokens;
    }

    /** HF tokenizers via node ({@code oracleDir} holds hf_tokenize.js and oracle-setup.sh); one Rayon thread. */
    public Measurement hf(Path oracleDir, Path installDir) throws IOException, InterruptedException {
        run(List.of("bash", oracleDir.resolve("oracle-setup.sh").toString(), installDir.toString()), null, Map.of());
        List<String> cmd = new ArrayList<>(List.of("node", "hf_tokenize.js", "--vocab", vocab.toAbsolutePath().toString()));
        if (!doLowerCase) cmd.add("--cased");
        cmd.add("--bench");
        for (Path f : files) cmd.add(f.toAbsolutePath().toString());
        JsonNode r = Json.MAPPER.readTree(run(cmd, installDir, Map.of("RAYON_NUM_THREADS", "1", "TOKENIZERS_PARALLELISM", "false")));
        String version = Json.MAPPER.readTree(installDir.resolve("node_modules/tokenizers/package.json").toFile()).get("version").asText();
        return measurement("HF tokenizers " + version + " (Rust via node " + run(List.of("node", "--version"), null, Map.of()).trim()
                + ", encodeBatch of 1000 lines, RAYON_NUM_THREADS=1)", r, "one timed pass after a warm-up on 10,000 lines");
    }

    /** The reference algorithm in CPython (the project's faithful re-implementation; the original needs TensorFlow). */
    public Measurement python(Path oracleDir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", oracleDir.resolve("reference_tokenizer.py").toString(),
                "--vocab", vocab.toAbsolutePath().toString()));
        if (!doLowerCase) cmd.add("--cased");
        cmd.add("--bench");
        for (Path f : files) cmd.add(f.toAbsolutePath().toString());
        JsonNode r = Json.MAPPER.readTree(run(cmd, null, Map.of()));
        String version = run(List.of("python3", "--version"), null, Map.of()).trim();
        return measurement("reference algorithm in " + version + " (reference_tokenizer.py, the project's re-implementation of tokenization.py)",
                r, "one timed pass");
    }

    private static Measurement measurement(String name, JsonNode r, String note) {
        return new Measurement(name, r.get("bytes").asLong(), r.get("lines").asLong(), r.get("tokens").asLong(),
                r.get("seconds").asDouble(), note);
    }

    private static String run(List<String> cmd, Path dir, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (dir != null) pb.directory(dir.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IOException("failed: " + String.join(" ", cmd));
        return new String(out, StandardCharsets.UTF_8);
    }

    static double round(double x) { return Math.round(x * 1000) / 1000.0; }
}
