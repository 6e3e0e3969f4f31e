package dev.mobilebert.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.tasks.eval.PythonReference;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SquadReaderTest {

    @Test
    void realV11DevHasTheOfficialQuestionCount() throws Exception {
        SquadDataset d = SquadReader.read(SharedData.require(SharedData.squadDev()).toString());
        assertEquals("1.1", d.version());
        assertEquals(10570, d.questionCount());
        assertEquals(10570, d.questions().stream().map(SquadDataset.Question::id).distinct().count());
        assertTrue(d.questions().stream().noneMatch(SquadDataset.Question::isImpossible));
        assertTrue(d.questions().stream().allMatch(q -> !q.answers().isEmpty()));
        // positions are checked but only reported: the official evaluation never uses them
        assertTrue(d.misalignedAnswers().size() < 100, "misaligned: " + d.misalignedAnswers().size());
    }

    /**
     * read_squad_examples in training mode (first answer of each question, every third one made unanswerable)
     * against the Python second implementation: same word positions, same skipped questions.
     */
    @Test
    void trainingExamplesMatchRunSquadReimplementation(@TempDir Path tmp) throws Exception {
        Path dev = SharedData.require(SharedData.squadDev());
        JsonNode root = Json.MAPPER.readTree(dev.toFile());
        int i = 0;
        for (JsonNode a : root.get("data")) {
            for (JsonNode p : a.get("paragraphs")) {
                for (JsonNode qa : p.get("qas")) {
                    ObjectNode q = (ObjectNode) qa;
                    ArrayNode answers = (ArrayNode) q.get("answers");
                    while (answers.size() > 1) answers.remove(1);
                    boolean impossible = i++ % 3 == 0;
                    q.put("is_impossible", impossible);
                    if (impossible) {
                        q.set("plausible_answers", answers);
                        q.putArray("answers");
                    }
                }
            }
        }
        Path train = tmp.resolve("train-v2.0-like.json");
        Files.writeString(train, Json.COMPACT.writeValueAsString(root));

        SquadExamples.Result java = SquadExamples.read(SquadReader.read(train.toString()), true, true);
        String python = PythonReference.interpreter();
        JsonNode ref = PythonReference.run(python, "squad_examples.py", train.toString(), "--v2");
        List<String> refSkipped = new ArrayList<>();
        ref.get("skipped").forEach(n -> refSkipped.add(n.asText()));
        assertEquals(refSkipped, java.skippedIds());
        assertEquals(ref.get("examples").size(), java.examples().size());
        for (SquadExample e : java.examples()) {
            JsonNode r = ref.get("examples").get(e.qasId());
            assertEquals(r.get(0).asInt(), e.startPosition(), e.qasId());
            assertEquals(r.get(1).asInt(), e.endPosition(), e.qasId());
            assertEquals(r.get(2).asInt(), e.docTokens().size(), e.qasId());
            assertEquals(e.startPosition() < 0, e.isImpossible(), e.qasId());
        }
    }

    @Test
    void docTokensSplitAtRunSquadWhitespaceOnly() {
        SquadExamples.DocTokens t = SquadExamples.docTokens(" New\u202FYork\u00a0City  is\tbig");
        // U+202F splits (run_squad's is_whitespace), U+00A0 does not
        assertEquals(List.of("New", "York\u00a0City", "is", "big"), t.tokens());
        assertEquals(-1, t.charToWordOffset()[0]);
        assertEquals(1, t.charToWordOffset()[5]);
    }

    @Test
    void answerNotRecoverableIsSkippedInTraining(@TempDir Path tmp) throws Exception {
        Path f = write(tmp, "{\"version\":\"1.1\",\"data\":[{\"title\":\"t\",\"paragraphs\":[{\"context\":\"Paris is in France.\","
                + "\"qas\":[{\"id\":\"ok\",\"question\":\"Where?\",\"answers\":[{\"text\":\"France\",\"answer_start\":12}]},"
                + "{\"id\":\"off\",\"question\":\"Where?\",\"answers\":[{\"text\":\"France\",\"answer_start\":0}]}]}]}]}");
        SquadDataset d = SquadReader.read(f.toString());
        assertEquals(List.of("off"), d.misalignedAnswers());
        SquadExamples.Result r = SquadExamples.read(d, true, false);
        assertEquals(List.of("off"), r.skippedIds());
        assertEquals(new SquadExample("ok", "Where?", List.of("Paris", "is", "in", "France."), "France", 3, 3, false),
                r.examples().get(0));
        // evaluation does not care (texts only), but says so
        Path preds = write(tmp, "{\"ok\": \"France\", \"off\": \"France\"}");
        var report = dev.mobilebert.tasks.eval.Evaluation.evaluate("squad1", f.toString(), preds.toString(), null, 1.0);
        assertEquals(100.0, (double) report.metrics().get("exact_match"), 1e-12);
        assertTrue(report.messages().get(0).startsWith("1 question(s) of "), report.messages().toString());
    }

    @Test
    void structuralProblemsAreErrorsNamingTheQuestion(@TempDir Path tmp) throws Exception {
        assertError(tmp, "{\"data\":[{\"title\":\"T\",\"paragraphs\":[{\"context\":\"  \",\"qas\":[{\"id\":\"q9\",\"question\":\"?\",\"answers\":[]}]}]}]}",
                "(question q9): empty context");
        assertError(tmp, "{\"data\":[{\"title\":\"T\",\"paragraphs\":[{\"context\":\"c\",\"qas\":[{\"question\":\"?\",\"answers\":[]}]}]}]}",
                "missing string \"id\"");
        assertError(tmp, "{\"data\":[{\"title\":\"T\",\"paragraphs\":[{\"context\":\"c\",\"qas\":[{\"id\":\"q1\",\"question\":\"?\","
                + "\"answers\":[{\"text\":\"c\",\"answer_start\":-1}]}]}]}]}", "question q1: negative answer_start");
        assertError(tmp, "{\"data\":[{\"title\":\"T\",\"paragraphs\":[{\"context\":\"c\",\"qas\":[{\"id\":\"q2\",\"question\":\"?\","
                + "\"answers\":[],\"is_impossible\":false}]}]}]}", "question q2: answerable (is_impossible false) but has no answers");
        assertError(tmp, "{\"data\": [", "not valid JSON");
        assertError(tmp, "[]", "not a SQuAD file");
    }

    @Test
    void v2FieldsAreRead(@TempDir Path tmp) throws Exception {
        Path f = write(tmp, "{\"version\":\"v2.0\",\"data\":[{\"title\":\"t\",\"paragraphs\":[{\"context\":\"Paris is in France.\","
                + "\"qas\":[{\"id\":\"n\",\"question\":\"Where is Rome?\",\"answers\":[],\"is_impossible\":true,"
                + "\"plausible_answers\":[{\"text\":\"France\",\"answer_start\":12}]}]}]}]}");
        SquadDataset.Question q = SquadReader.read(f.toString()).questions().get(0);
        assertTrue(q.isImpossible());
        assertTrue(q.answers().isEmpty());
        assertEquals(List.of(new SquadDataset.Answer("France", 12)), q.plausibleAnswers());
        SquadExample e = SquadExamples.read(SquadReader.read(f.toString()), true, true).examples().get(0);
        assertEquals(-1, e.startPosition());
        assertFalse(SquadExamples.read(SquadReader.read(f.toString()), false, false).examples().get(0).isImpossible());
    }

    private static Path write(Path tmp, String json) throws Exception {
        Path f = Files.createTempFile(tmp, "squad", ".json");
        Files.writeString(f, json);
        return f;
    }

    private static void assertError(Path tmp, String json, String expected) throws Exception {
        Path f = write(tmp, json);
        BadInputException e = assertThrows(BadInputException.class, () -> SquadReader.read(f.toString()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.getFileName().toString()), "names the file: " + e.getMessage());
    }
}
