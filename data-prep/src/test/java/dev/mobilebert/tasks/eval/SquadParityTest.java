package dev.mobilebert.tasks.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.tasks.PyStrings;
import dev.mobilebert.tasks.SquadDataset;
import dev.mobilebert.tasks.SquadReader;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Metric parity with a second implementation: the project's Python reimplementations of evaluate-v1.1.py and
 * evaluate-v2.0.py, on the real SQuAD v1.1 dev set with constructed prediction files (gold, perturbed, random,
 * partly missing plus unknown ids) and on a v2.0 file derived from it by marking every third question
 * unanswerable, with no-answer probabilities that tie.
 */
class SquadParityTest {
    /** Hand-picked strings where Python and Java string handling differ if done naively. */
    static final List<String> TRICKY = List.of("The\u00a0cat", "a\u3000the\u202fan", "_the_", "İstanbul", "theatre",
            "ΣΑΣ", "naïve café", "an-the", "¡Olé!", "  ", "", "THE", "x\u0085y", "1,000", "ﬁne", "a_b the_c");

    static Path dev;
    static SquadDataset dataset;
    static String python;

    @BeforeAll
    static void load() throws Exception {
        dev = SharedData.require(SharedData.squadDev());
        dataset = SquadReader.read(dev.toString());
        python = PythonReference.interpreter();
    }

    @Test
    void v11GoldPerturbedRandomAndMissingMatchTheReference(@TempDir Path tmp) throws Exception {
        Random rnd = new Random(7);
        Map<String, Map<String, String>> variants = new LinkedHashMap<>();
        variants.put("gold", new LinkedHashMap<>());
        variants.put("perturbed", new LinkedHashMap<>());
        variants.put("random", new LinkedHashMap<>());
        variants.put("missing", new LinkedHashMap<>());
        for (SquadDataset.Article a : dataset.articles()) {
            for (SquadDataset.Paragraph p : a.paragraphs()) {
                for (SquadDataset.Question q : p.qas()) {
                    String gold = q.answers().get(rnd.nextInt(q.answers().size())).text();
                    variants.get("gold").put(q.id(), gold);
                    variants.get("perturbed").put(q.id(), perturb(gold, p.context(), rnd));
                    variants.get("random").put(q.id(), randomSpan(p.context(), rnd));
                    if (rnd.nextDouble() > 0.15) variants.get("missing").put(q.id(), perturb(gold, p.context(), rnd));
                }
            }
        }
        for (int i = 0; i < 20; i++) variants.get("missing").put("not-a-question-" + i, "anything");
        for (var v : variants.entrySet()) {
            Path pred = write(tmp.resolve(v.getKey() + ".json"), v.getValue());
            Report java = Evaluation.evaluate("squad1", dev.toString(), pred.toString(), null, 1.0);
            JsonNode ref = PythonReference.run(python, "squad_eval_v11.py", dev.toString(), pred.toString());
            assertSame(ref, java.metrics(), v.getKey());
            if (v.getKey().equals("gold")) assertEquals(100.0, (double) java.metrics().get("exact_match"), 1e-9);
            if (v.getKey().equals("missing")) {
                assertEquals(20, java.unknown());
                assertEquals(dataset.questionCount() - (variants.get("missing").size() - 20), java.missing().size());
            }
        }
    }

    @Test
    void v20DerivedFromV11MatchesTheReferenceWithAndWithoutNullOdds(@TempDir Path tmp) throws Exception {
        Path v2 = deriveV2(dev, tmp.resolve("dev-v2.0-derived.json"));
        SquadDataset d2 = SquadReader.read(v2.toString());
        assertTrue(d2.questions().stream().anyMatch(SquadDataset.Question::isImpossible));
        Random rnd = new Random(11);
        Map<String, String> preds = new LinkedHashMap<>();
        Map<String, Double> odds = new LinkedHashMap<>();
        for (SquadDataset.Article a : d2.articles()) {
            for (SquadDataset.Paragraph p : a.paragraphs()) {
                for (SquadDataset.Question q : p.qas()) {
                    double r = rnd.nextDouble();
                    String answer;
                    if (q.isImpossible()) answer = r < 0.5 ? "" : randomSpan(p.context(), rnd);
                    else answer = r < 0.15 ? "" : perturb(q.answers().get(0).text(), p.context(), rnd);
                    preds.put(q.id(), answer);
                    // one decimal: many ties, which find_best_thresh breaks by file order
                    odds.put(q.id(), Math.round(rnd.nextDouble() * 10) / 10.0);
                }
            }
        }
        for (int i = 0; i < 7; i++) {
            preds.put("unknown-" + i, "x");
            odds.put("unknown-" + i, 0.3);
        }
        List<String> keys = new ArrayList<>(odds.keySet());
        Collections.shuffle(keys, rnd);
        Map<String, Double> shuffled = new LinkedHashMap<>();
        for (String k : keys) shuffled.put(k, odds.get(k));
        Path pred = write(tmp.resolve("pred.json"), preds);
        Path na = write(tmp.resolve("na.json"), shuffled);

        Report plain = Evaluation.evaluate("squad2", v2.toString(), pred.toString(), null, 1.0);
        assertSame(PythonReference.run(python, "squad_eval_v20.py", v2.toString(), pred.toString()), plain.metrics(), "v2 plain");
        assertEquals(7, plain.unknown());

        Report withOdds = Evaluation.evaluate("squad2", v2.toString(), pred.toString(), na.toString(), 1.0);
        assertSame(PythonReference.run(python, "squad_eval_v20.py", v2.toString(), pred.toString(), "-n", na.toString()),
                withOdds.metrics(), "v2 with null odds");
        assertTrue(withOdds.metrics().containsKey("best_f1_thresh"));

        Report thresh = Evaluation.evaluate("squad2", v2.toString(), pred.toString(), na.toString(), 0.45);
        assertSame(PythonReference.run(python, "squad_eval_v20.py", v2.toString(), pred.toString(), "-n", na.toString(),
                "-t", "0.45"), thresh.metrics(), "v2 threshold 0.45");
    }

    @Test
    void normalisationOfTrickyStringsMatchesPython(@TempDir Path tmp) throws Exception {
        // a small v1.1 file whose gold answers and predictions are the tricky strings, crossed with each other
        ObjectNode root = Json.MAPPER.createObjectNode().put("version", "1.1");
        ArrayNode qas = root.putArray("data").addObject().put("title", "t").putArray("paragraphs").addObject()
                .put("context", "context").putArray("qas");
        Map<String, String> preds = new LinkedHashMap<>();
        int n = 0;
        for (String gold : TRICKY) {
            for (String pred : TRICKY) {
                String id = "q" + n++;
                ObjectNode q = qas.addObject().put("id", id).put("question", "?");
                q.putArray("answers").addObject().put("text", gold).put("answer_start", 0);
                preds.put(id, pred);
            }
        }
        Path data = tmp.resolve("tricky.json");
        Files.writeString(data, Json.MAPPER.writeValueAsString(root));
        Path pred = write(tmp.resolve("pred.json"), preds);
        assertSame(PythonReference.run(python, "squad_eval_v11.py", data.toString(), pred.toString()),
                Evaluation.evaluate("squad1", data.toString(), pred.toString(), null, 1.0).metrics(), "tricky v1.1");
        assertSame(PythonReference.run(python, "squad_eval_v20.py", data.toString(), pred.toString()),
                Evaluation.evaluate("squad2", data.toString(), pred.toString(), null, 1.0).metrics(), "tricky v2.0");
    }

    /** Marks every third question unanswerable the way SQuAD 2.0 spells it. */
    static Path deriveV2(Path v11, Path out) throws Exception {
        JsonNode root = Json.MAPPER.readTree(v11.toFile());
        ((ObjectNode) root).put("version", "v2.0");
        int i = 0;
        for (JsonNode article : root.get("data")) {
            for (JsonNode paragraph : article.get("paragraphs")) {
                for (JsonNode qa : paragraph.get("qas")) {
                    ObjectNode q = (ObjectNode) qa;
                    boolean impossible = i++ % 3 == 0;
                    q.put("is_impossible", impossible);
                    if (impossible) {
                        q.set("plausible_answers", q.get("answers"));
                        q.putArray("answers");
                    }
                }
            }
        }
        Files.writeString(out, Json.COMPACT.writeValueAsString(root));
        return out;
    }

    static String perturb(String gold, String context, Random rnd) {
        List<String> words = PyStrings.split(gold);
        return switch (rnd.nextInt(9)) {
            case 0 -> gold;
            case 1 -> gold.toUpperCase() + ".";
            case 2 -> "The " + gold + ",";
            case 3 -> String.join(" ", words.subList(0, Math.max(1, words.size() / 2)));
            case 4 -> gold + " " + randomSpan(context, rnd);
            case 5 -> randomSpan(context, rnd);
            case 6 -> TRICKY.get(rnd.nextInt(TRICKY.size()));
            case 7 -> gold + " " + gold;
            default -> "";
        };
    }

    static String randomSpan(String context, Random rnd) {
        List<String> words = PyStrings.split(context);
        int start = rnd.nextInt(words.size());
        int end = Math.min(words.size(), start + 1 + rnd.nextInt(6));
        return String.join(" ", words.subList(start, end));
    }

    static Path write(Path file, Object value) throws Exception {
        Files.writeString(file, Json.COMPACT.writeValueAsString(value));
        return file;
    }

    /** Same keys in the same order, numbers equal within 1e-9. */
    static void assertSame(JsonNode reference, Map<String, Object> java, String what) {
        List<String> refKeys = new ArrayList<>();
        for (Iterator<String> it = reference.fieldNames(); it.hasNext(); ) refKeys.add(it.next());
        assertEquals(refKeys, new ArrayList<>(java.keySet()), what + ": keys");
        for (String k : refKeys) {
            assertEquals(reference.get(k).asDouble(), ((Number) java.get(k)).doubleValue(), 1e-9, what + ": " + k);
        }
    }
}
