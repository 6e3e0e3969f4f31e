package dev.mobilebert.jobs.cli;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.CodeVersion;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.tokenization.TokenizerBenchmark;
import dev.mobilebert.tokenization.TokenizerBenchmark.Measurement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "tokenizer",
        description = "Tokenizer MB/s and tokens/s on one core, next to HF tokenizers (npm) and the Python reference algorithm.")
public final class TokenizerBenchCommand implements Callable<Integer> {
    @Option(names = "--vocab", required = true, paramLabel = "FILE", description = "WordPiece vocabulary.")
    Path vocab;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Text files or directories (every *.txt inside) to tokenize, line by line.")
    List<Path> inputs;

    @Option(names = "--cased", description = "Keep case and accents (do_lower_case=false).")
    boolean cased;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed passes of the Java tokenizer (the median is reported).")
    int repeats;

    @Option(names = "--no-hf", description = "Skip HF tokenizers.")
    boolean noHf;

    @Option(names = "--no-python", description = "Skip the Python reference algorithm.")
    boolean noPython;

    @Option(names = "--out", defaultValue = "bench-results/tokenizer.json", paramLabel = "FILE", description = "Where to write the results (JSON).")
    String out;

    @Override
    public Integer call() throws Exception {
        List<Path> files = expand(inputs);
        TokenizerBenchmark bench = new TokenizerBenchmark(files, vocab, !cased);
        System.err.printf("tokenizer bench: %d files, %.1f MB, %d lines%n", files.size(), bench.bytes() / 1e6, bench.lines());
        List<Measurement> results = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        results.add(report(bench.java(repeats)));
        Path oracle = Path.of(System.getProperty("mobilebert.home", ".")).resolve("data-prep/src/test/oracle");
        if (!noHf) {
            try {
                Path install = Path.of(System.getProperty("user.home"), ".cache/mobilebert-spark/tokenizer-oracle");
                results.add(report(bench.hf(oracle, install)));
            } catch (Exception e) {
                skipped.put("hf", String.valueOf(e.getMessage()));
                System.err.println("HF tokenizers not measured: " + e.getMessage());
            }
        }
        if (!noPython) {
            try {
                results.add(report(bench.python(oracle)));
            } catch (Exception e) {
                skipped.put("python", String.valueOf(e.getMessage()));
                System.err.println("Python reference not measured: " + e.getMessage());
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "tokenizer");
        json.put("time", Instant.now().toString());
        json.put("code_version", CodeVersion.current().shortCommit());
        json.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "os", System.getProperty("os.name") + " " + System.getProperty("os.arch")));
        json.put("do_lower_case", !cased);
        json.put("vocab", vocab.toString());
        json.put("files", files.stream().map(Path::toString).toList());
        json.put("results", results.stream().map(Measurement::toMap).toList());
        boolean sameTokens = results.stream().map(Measurement::tokens).distinct().count() == 1;
        json.put("same_token_counts", sameTokens);
        if (results.size() > 1) {
            double java = results.get(0).mbPerSecond();
            Map<String, Double> ratio = new LinkedHashMap<>();
            for (Measurement m : results.subList(1, results.size())) ratio.put(m.name(), Math.round(java / m.mbPerSecond() * 100) / 100.0);
            json.put("java_speedup_over", ratio);
        }
        json.put("skipped", skipped);
        AtomicOutput.writeJson(Fs.path(out), json);
        System.err.println("results written to " + out + (sameTokens ? "" : " (WARNING: token counts differ between tools)"));
        return 0;
    }

    private static Measurement report(Measurement m) {
        System.out.printf("%-120s %7.2f MB/s %10.0f tokens/s  (%d tokens, %.2f s)%n", m.name(), m.mbPerSecond(), m.tokensPerSecond(), m.tokens(), m.seconds());
        return m;
    }

    private static List<Path> expand(List<Path> inputs) throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IllegalArgumentException("no such input file or directory: " + p);
            }
        }
        if (files.isEmpty()) throw new IllegalArgumentException("no .txt files in " + inputs);
        return files;
    }
}
