package dev.mobilebert.tasks.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mobilebert.io.Json;
import dev.mobilebert.tasks.GlueDataset;
import dev.mobilebert.tasks.GlueReader;
import dev.mobilebert.tasks.GlueTask;
import dev.mobilebert.tasks.SquadDataset;
import dev.mobilebert.tasks.SquadExample;
import dev.mobilebert.tasks.SquadExamples;
import dev.mobilebert.tasks.SquadReader;
import dev.mobilebert.tasks.eval.PythonReference;
import dev.mobilebert.tasks.eval.SquadV1Evaluator;
import dev.mobilebert.testing.SharedData;
import dev.mobilebert.tokenization.FullTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning featurization and span decoding against a second implementation written from run_classifier.py and
 * run_squad.py ({@code src/test/python/bert_features.py}, on the project's Python reference tokenizer), on real
 * GLUE dev files and the first questions of the SQuAD v1.1 dev set, with the official window sizes and with small
 * ones that force many windows, truncated questions and answers outside windows.
 */
class FeaturizationParityTest {
    static final int QUESTIONS = 120;
    static Path vocab;
    static FullTokenizer tokenizer;
    static String python;

    @BeforeAll
    static void setUp() {
        vocab = SharedData.require(SharedData.vocab());
        tokenizer = FullTokenizer.load(vocab, true);
        python = PythonReference.interpreter();
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"CoLA, 16", "RTE, 64", "MRPC, 48", "STS-B, 32", "SST-2, 128"})
    void classifierFeatures(String task, int maxSeqLength, @TempDir Path tmp) throws Exception {
        Path dev = SharedData.require(SharedData.glue(task).resolve("dev.tsv"));
        GlueTask t = GlueTask.parse(task);
        GlueDataset d = GlueReader.read(t, dev.toString());
        Path out = tmp.resolve("ref.json");
        PythonReference.exec(python, "bert_features.py", "classifier", "--vocab", vocab.toString(), "--task",
                task.toLowerCase(), "--data", dev.toString(), "--max-seq-length", Integer.toString(maxSeqLength), "--out", out.toString());
        JsonNode ref = Json.MAPPER.readTree(out.toFile());
        assertEquals(ref.size(), d.size());
        ClassifierFeaturizer f = new ClassifierFeaturizer(tokenizer, t, maxSeqLength);
        for (int i = 0; i < d.size(); i++) {
            ClassifierFeatures java = f.convert(d.examples().get(i));
            JsonNode r = ref.get(i);
            String what = task + " " + d.examples().get(i).guid();
            assertArrayEquals(ints(r.get("input_ids")), java.inputIds(), what);
            assertArrayEquals(ints(r.get("input_mask")), java.inputMask(), what);
            assertArrayEquals(ints(r.get("segment_ids")), java.segmentIds(), what);
            assertEquals(r.get("label_id").asInt(), java.labelId(), what);
        }
    }

    @ParameterizedTest(name = "training={0} v2={1} {2}/{3}/{4}")
    @CsvSource({"false, false, 384, 128, 64", "false, false, 96, 24, 12", "true, true, 96, 24, 12", "true, true, 384, 128, 64"})
    void squadFeatures(boolean training, boolean v2, int maxSeqLength, int docStride, int maxQueryLength, @TempDir Path tmp)
            throws Exception {
        Path data = training ? trainingLike(tmp, true) : SharedData.require(SharedData.squadDev());
        List<SquadExample> examples = examples(data, training, v2);
        SquadFeaturizer featurizer = new SquadFeaturizer(tokenizer, maxSeqLength, docStride, maxQueryLength);
        List<SquadFeature> java = featurizer.convert(examples, training);
        JsonNode ref = reference(tmp, data, training, v2, maxSeqLength, docStride, maxQueryLength, null);
        assertEquals(examples.stream().map(SquadExample::qasId).toList(), texts(ref.get("qas_ids")));
        assertEquals(ref.get("features").size(), java.size());
        if (maxSeqLength < 384) assertTrue(java.size() > 2 * examples.size(), "small windows: several per question");
        for (int i = 0; i < java.size(); i++) assertFeature(ref.get("features").get(i), java.get(i), training);
    }

    @ParameterizedTest(name = "v2={0} threshold={1}")
    @CsvSource({"false, 0.0", "true, 0.0", "true, -1.5"})
    void spanDecodingWithRandomLogits(boolean v2, double threshold, @TempDir Path tmp) throws Exception {
        Path data = SharedData.require(SharedData.squadDev());
        List<SquadExample> examples = examples(data, false, v2);
        List<SquadFeature> features = new SquadFeaturizer(tokenizer, 128, 32, 16).convert(examples, false);
        Random rnd = new Random(v2 ? 2 : 1);
        List<SquadDecoder.RawResult> results = new ArrayList<>();
        for (SquadFeature f : features) {
            float[] start = new float[128];
            float[] end = new float[128];
            for (int i = 0; i < 128; i++) {
                // coarse values make ties, which both sides must break by position
                start[i] = Math.round(rnd.nextGaussian() * 4) / 2f;
                end[i] = Math.round(rnd.nextGaussian() * 4) / 2f;
            }
            if (rnd.nextInt(3) == 0) {
                start[0] += 8; // a confident "no answer" at [CLS] in some windows
                end[0] += 8;
            }
            int s = rnd.nextInt(128);
            start[s] += 6;
            end[Math.min(127, s + rnd.nextInt(4))] += 6;
            results.add(new SquadDecoder.RawResult(f.uniqueId(), start, end));
        }
        Path logits = tmp.resolve("logits.json");
        Map<String, Object> json = new LinkedHashMap<>();
        for (SquadDecoder.RawResult r : results) json.put(Long.toString(r.uniqueId()), List.of(r.startLogits(), r.endLogits()));
        Files.writeString(logits, Json.COMPACT.writeValueAsString(json));
        JsonNode ref = reference(tmp, data, false, v2, 128, 32, 16, logits, "--null-score-diff-threshold", Double.toString(threshold));

        SquadDecoder.Output out = new SquadDecoder(true, v2, threshold).decode(examples, features, results);
        Map<String, String> refPredictions = new LinkedHashMap<>();
        ref.get("predictions").fields().forEachRemaining(e -> refPredictions.put(e.getKey(), e.getValue().asText()));
        assertEquals(refPredictions, out.predictions());
        for (SquadExample e : examples) {
            JsonNode refNbest = ref.get("nbest").get(e.qasId());
            List<SquadDecoder.NbestEntry> nbest = out.nbest().get(e.qasId());
            assertEquals(refNbest.size(), nbest.size(), e.qasId());
            for (int i = 0; i < nbest.size(); i++) {
                assertEquals(refNbest.get(i).get("text").asText(), nbest.get(i).text(), e.qasId());
                assertEquals(refNbest.get(i).get("probability").asDouble(), nbest.get(i).probability(), 1e-12, e.qasId());
            }
            if (v2) assertEquals(ref.get("null_odds").get(e.qasId()).asDouble(), out.nullOdds().get(e.qasId()), 1e-9);
        }
        if (v2) assertTrue(out.predictions().containsValue(""), "some questions predicted unanswerable");
    }

    /** Logits that point at the gold span of each training window: decoding must give back the gold answers. */
    @Test
    void goldLogitsDecodeToTheGoldAnswers(@TempDir Path tmp) throws Exception {
        Path data = trainingLike(tmp, false);
        List<SquadExample> examples = examples(data, true, false);
        SquadFeaturizer featurizer = new SquadFeaturizer(tokenizer, 128, 32, 16);
        List<SquadFeature> train = featurizer.convert(examples, true);
        List<SquadDecoder.RawResult> results = new ArrayList<>();
        for (SquadFeature f : train) {
            float[] start = new float[128];
            float[] end = new float[128];
            start[f.startPosition()] = 10;
            end[f.endPosition()] = 10;
            results.add(new SquadDecoder.RawResult(f.uniqueId(), start, end));
        }
        Map<String, String> predictions = new SquadDecoder(true, false, 0.0).decode(examples, featurizer.convert(examples, false), results).predictions();
        SquadDataset gold = SquadReader.read(data.toString());
        double em = (double) SquadV1Evaluator.evaluate(gold, predictions).metrics().get("exact_match");
        // most, not all: a gold start that is not at its max-context position in the only window holding the whole
        // answer cannot be decoded (run_squad.py's rule), and the whitespace word may hold more than the answer
        assertTrue(em > 0.9 * 100.0 * examples.size() / gold.questionCount(), "EM " + em);
    }

    private static List<SquadExample> examples(Path data, boolean training, boolean v2) throws Exception {
        List<SquadExample> all = SquadExamples.read(SquadReader.read(data.toString()), training, v2).examples();
        return all.subList(0, Math.min(QUESTIONS, all.size()));
    }

    private static JsonNode reference(Path tmp, Path data, boolean training, boolean v2, int maxSeqLength, int docStride,
                                      int maxQueryLength, Path logits, String... extra) throws Exception {
        Path out = tmp.resolve("ref-features.json");
        List<String> args = new ArrayList<>(List.of("squad", "--vocab", vocab.toString(), "--data", data.toString(),
                "--max-questions", Integer.toString(QUESTIONS), "--max-seq-length", Integer.toString(maxSeqLength),
                "--doc-stride", Integer.toString(docStride), "--max-query-length", Integer.toString(maxQueryLength),
                "--out", out.toString()));
        if (training) args.add("--training");
        if (v2) args.add("--v2");
        if (logits != null) {
            args.add("--logits");
            args.add(logits.toString());
        }
        args.addAll(List.of(extra));
        PythonReference.exec(python, "bert_features.py", args.toArray(String[]::new));
        return Json.MAPPER.readTree(out.toFile());
    }

    private static void assertFeature(JsonNode r, SquadFeature f, boolean training) {
        String what = "feature " + f.uniqueId();
        assertEquals(r.get("unique_id").asLong(), f.uniqueId(), what);
        assertEquals(r.get("example_index").asInt(), f.exampleIndex(), what);
        assertEquals(r.get("doc_span_index").asInt(), f.docSpanIndex(), what);
        assertEquals(texts(r.get("tokens")), f.tokens(), what);
        assertArrayEquals(ints(r.get("input_ids")), f.inputIds(), what);
        assertArrayEquals(ints(r.get("input_mask")), f.inputMask(), what);
        assertArrayEquals(ints(r.get("segment_ids")), f.segmentIds(), what);
        for (int i = 0; i < f.tokenToOrigMap().length; i++) {
            JsonNode orig = r.get("token_to_orig_map").get(Integer.toString(i));
            assertEquals(orig == null ? -1 : orig.asInt(), f.tokenToOrigMap()[i], what + " position " + i);
            JsonNode max = r.get("token_is_max_context").get(Integer.toString(i));
            assertEquals(max != null && max.asBoolean(), f.tokenIsMaxContext()[i], what + " position " + i);
        }
        if (training) {
            assertEquals(r.get("start_position").asInt(), f.startPosition(), what);
            assertEquals(r.get("end_position").asInt(), f.endPosition(), what);
        }
    }

    /** A training-format file from the dev set: first answer only; optionally every third question unanswerable. */
    static Path trainingLike(Path tmp, boolean withImpossible) throws Exception {
        Path out = tmp.resolve("train-like-" + withImpossible + ".json");
        if (Files.exists(out)) return out;
        JsonNode root = Json.MAPPER.readTree(SharedData.require(SharedData.squadDev()).toFile());
        int i = 0;
        for (JsonNode a : root.get("data")) {
            for (JsonNode p : a.get("paragraphs")) {
                for (JsonNode qa : p.get("qas")) {
                    ObjectNode q = (ObjectNode) qa;
                    ArrayNode answers = (ArrayNode) q.get("answers");
                    while (answers.size() > 1) answers.remove(1);
                    boolean impossible = withImpossible && i++ % 3 == 0;
                    q.put("is_impossible", impossible);
                    if (impossible) {
                        q.set("plausible_answers", answers);
                        q.putArray("answers");
                    }
                }
            }
        }
        Files.writeString(out, Json.COMPACT.writeValueAsString(root));
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    private static List<String> texts(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
