package dev.mobilebert.tokenization;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.testing.SharedData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Every text of the GLUE dev sets and of SQuAD v1.1 dev (contexts and questions), with where it came from. */
final class OracleTexts {
    record Text(String where, String text) {}

    /** Header names of the text columns of the GLUE tasks (CoLA has no header: its sentence is column 3). */
    private static final Set<String> TEXT_COLUMNS = Set.of("sentence", "question", "sentence1", "sentence2",
            "#1 String", "#2 String");
    static final List<String> GLUE_TASKS = List.of("CoLA", "SST-2", "MRPC", "STS-B", "QNLI", "RTE", "WNLI");

    private OracleTexts() {}

    static List<Text> glueDev() throws IOException {
        List<Text> out = new ArrayList<>();
        for (String task : GLUE_TASKS) {
            Path file = SharedData.require(SharedData.glue(task).resolve("dev.tsv"));
            String content = Files.readString(file, StandardCharsets.UTF_8);
            if (content.startsWith("\uFEFF")) content = content.substring(1); // MRPC's byte-order mark
            String[] lines = content.split("\n", -1);
            List<Integer> columns = new ArrayList<>();
            int first = 0;
            if (task.equals("CoLA")) {
                columns.add(3);
            } else {
                String[] header = lines[0].split("\t", -1);
                for (int c = 0; c < header.length; c++) if (TEXT_COLUMNS.contains(header[c].strip())) columns.add(c);
                first = 1;
            }
            if (columns.isEmpty()) throw new IllegalStateException("no text column found in " + file);
            for (int i = first; i < lines.length; i++) {
                if (lines[i].isEmpty()) continue;
                String[] cells = lines[i].split("\t", -1);
                for (int c : columns) {
                    if (c >= cells.length) throw new IllegalStateException(file + " line " + (i + 1) + ": no column " + c);
                    out.add(new Text(task + " dev line " + (i + 1) + " column " + c, cells[c]));
                }
            }
        }
        return out;
    }

    static List<Text> squadDev() throws IOException {
        Path file = SharedData.require(SharedData.squadDev());
        JsonNode root = Json.MAPPER.readTree(file.toFile());
        List<Text> out = new ArrayList<>();
        for (JsonNode article : root.get("data")) {
            String title = article.get("title").asText();
            int p = 0;
            for (JsonNode paragraph : article.get("paragraphs")) {
                out.add(new Text("SQuAD " + title + " paragraph " + p, paragraph.get("context").asText()));
                for (JsonNode qa : paragraph.get("qas")) {
                    out.add(new Text("SQuAD question " + qa.get("id").asText(), qa.get("question").asText()));
                }
                p++;
            }
        }
        return out;
    }
}
