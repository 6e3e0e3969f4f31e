package dev.mobilebert.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SQuAD v1.1 / v2.0 JSON ({@code is_impossible}, {@code plausible_answers}) with Jackson. Structural problems
 * (a missing field, an empty context, a negative {@code answer_start}, an answerable v2.0 question without answers)
 * are errors naming the file and the question id or article. Answers whose text is not at {@code answer_start}
 * are listed in {@link SquadDataset#misalignedAnswers()}: the evaluation scripts never look at positions.
 */
public final class SquadReader {
    private SquadReader() {}

    public static SquadDataset read(String location) throws IOException {
        return read(Fs.path(location));
    }

    public static SquadDataset read(Path path) throws IOException {
        JsonNode root;
        try (InputStream in = Fs.open(path)) {
            root = Json.MAPPER.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(path + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        return parse(path.toString(), root);
    }

    public static SquadDataset parse(String file, JsonNode root) {
        if (root == null || !root.isObject() || !root.path("data").isArray()) {
            throw new BadInputException(file + ": not a SQuAD file (expected an object with a \"data\" array)");
        }
        String version = root.path("version").asText("");
        List<SquadDataset.Article> articles = new ArrayList<>();
        List<String> misaligned = new ArrayList<>();
        int ai = 0;
        for (JsonNode a : root.get("data")) {
            String where = file + ": data[" + ai + "]";
            String title = a.path("title").asText("");
            JsonNode paragraphs = array(a, "paragraphs", where);
            List<SquadDataset.Paragraph> ps = new ArrayList<>();
            int pi = 0;
            for (JsonNode p : paragraphs) {
                ps.add(paragraph(p, where + " (\"" + title + "\") paragraphs[" + pi++ + "]", file, misaligned));
            }
            articles.add(new SquadDataset.Article(title, List.copyOf(ps)));
            ai++;
        }
        return new SquadDataset(file, version, List.copyOf(articles), List.copyOf(misaligned));
    }

    private static SquadDataset.Paragraph paragraph(JsonNode p, String where, String file, List<String> misaligned) {
        String context = text(p, "context", where);
        JsonNode qas = array(p, "qas", where);
        if (context.isBlank()) {
            String first = qas.size() > 0 ? " (question " + qas.get(0).path("id").asText("?") + ")" : "";
            throw new BadInputException(where + first + ": empty context");
        }
        int[] cps = context.codePoints().toArray();
        List<SquadDataset.Question> questions = new ArrayList<>();
        for (JsonNode q : qas) {
            String id = text(q, "id", where + " qas");
            String at = file + ": question " + id;
            boolean impossible = q.path("is_impossible").asBoolean(false);
            List<SquadDataset.Answer> answers = answers(q, "answers", at, cps, misaligned, id);
            if (!impossible && answers.isEmpty() && q.has("is_impossible")) {
                throw new BadInputException(at + ": answerable (is_impossible false) but has no answers");
            }
            if (impossible && !answers.isEmpty()) {
                throw new BadInputException(at + ": is_impossible is true but it has answers");
            }
            List<SquadDataset.Answer> plausible = q.has("plausible_answers")
                    ? answers(q, "plausible_answers", at, cps, misaligned, id) : List.of();
            questions.add(new SquadDataset.Question(id, text(q, "question", at), answers, impossible, plausible));
        }
        return new SquadDataset.Paragraph(context, List.copyOf(questions));
    }

    private static List<SquadDataset.Answer> answers(JsonNode q, String field, String at, int[] context,
                                                     List<String> misaligned, String id) {
        JsonNode list = array(q, field, at);
        List<SquadDataset.Answer> out = new ArrayList<>();
        boolean aligned = true;
        for (JsonNode a : list) {
            String text = text(a, "text", at + " " + field);
            JsonNode start = a.get("answer_start");
            if (start == null || !start.canConvertToInt()) {
                throw new BadInputException(at + ": " + field + " entry without an integer answer_start");
            }
            int s = start.asInt();
            int len = (int) text.codePoints().count();
            if (start.asInt() < 0) throw new BadInputException(at + ": negative answer_start " + s);
            // the evaluation scripts use only the text; training (SquadExamples) needs the position to be right
            aligned &= s + len <= context.length && new String(context, s, len).equals(text);
            out.add(new SquadDataset.Answer(text, s));
        }
        if (!aligned && !misaligned.contains(id)) misaligned.add(id);
        return List.copyOf(out);
    }

    private static JsonNode array(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) throw new BadInputException(where + ": missing array \"" + field + "\"");
        return v;
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) throw new BadInputException(where + ": missing string \"" + field + "\"");
        return v.asText();
    }
}
