package dev.mobilebert.tasks.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mobilebert.io.Fs;
import dev.mobilebert.tasks.GlueDataset;
import dev.mobilebert.tasks.GlueExample;
import dev.mobilebert.tasks.GlueReader;
import dev.mobilebert.tasks.GlueSubmission;
import dev.mobilebert.tasks.GlueSubmission.Prediction;
import dev.mobilebert.tasks.GlueTask;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * GLUE metric parity with scikit-learn and SciPy (Debian's python3-sklearn / python3-scipy) on the real dev files,
 * with prediction files written by {@link GlueSubmission}: gold, perturbed (a share of labels changed), random
 * and constant predictions; STS-B with noisy and rounded (tied) scores. MNLI, QQP and AX (not on this machine)
 * on small generated files.
 */
class GlueParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"CoLA", "SST-2", "MRPC", "QNLI", "RTE", "WNLI"})
    void classificationOnRealDevFiles(String name, @TempDir Path tmp) throws Exception {
        Path dev = SharedData.require(SharedData.glue(name).resolve("dev.tsv"));
        checkClassification(GlueTask.parse(name), dev, tmp);
    }

    @Test
    void stsbOnRealDevFile(@TempDir Path tmp) throws Exception {
        Path dev = SharedData.require(SharedData.glue("STS-B").resolve("dev.tsv"));
        String python = PythonReference.interpreter("sklearn", "scipy");
        GlueDataset gold = GlueReader.read(GlueTask.STSB, dev.toString());
        Random rnd = new Random(3);
        Map<String, List<Prediction>> variants = new HashMap<>();
        for (String v : List.of("gold", "noisy", "rounded", "random")) variants.put(v, new ArrayList<>());
        for (GlueExample e : gold.examples()) {
            double y = e.score();
            double noisy = y + rnd.nextGaussian();
            variants.get("gold").add(Prediction.ofScore(e.index(), y));
            variants.get("noisy").add(Prediction.ofScore(e.index(), noisy));
            variants.get("rounded").add(Prediction.ofScore(e.index(), Math.round(noisy * 2) / 2.0)); // many ties
            variants.get("random").add(Prediction.ofScore(e.index(), rnd.nextDouble() * 5));
        }
        compare(python, GlueTask.STSB, dev, tmp, variants);
    }

    @Test
    void mnliQqpAndAxOnGeneratedFiles(@TempDir Path tmp) throws Exception {
        Random rnd = new Random(5);
        String[] nli = {"contradiction", "entailment", "neutral"};
        StringBuilder mnli = new StringBuilder("index\tpromptID\tpairID\tgenre\tb1\tb2\tp1\tp2\tsentence1\tsentence2\tlabel1\tgold_label\n");
        StringBuilder qqp = new StringBuilder("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n");
        StringBuilder ax = new StringBuilder("Lexical Semantics\tPredicate-Argument Structure\tLogic\tKnowledge\tDomain\tPremise\tHypothesis\tLabel\n");
        for (int i = 0; i < 300; i++) {
            String l = nli[rnd.nextInt(3)];
            mnli.append(i).append("\tp\tq\tg\tx\tx\tx\tx\tA ").append(i).append("\tB\t").append(l).append('\t').append(l).append('\n');
            qqp.append(1000 + 7 * i).append("\t1\t2\tQ").append(i).append("?\tR?\t").append(rnd.nextInt(10) < 4 ? 1 : 0).append('\n');
            if (i % 50 == 0) qqp.append(99999 + i).append("\t1\t2\tshort\n");
            ax.append("\t\tNegation\t\tArtificial\tP").append(i).append("\tH\t").append(nli[rnd.nextInt(3)]).append('\n');
        }
        Path m = Files.createDirectories(tmp.resolve("MNLI")).resolve("dev_matched.tsv");
        Files.writeString(m, mnli);
        Path q = Files.createDirectories(tmp.resolve("QQP")).resolve("dev.tsv");
        Files.writeString(q, qqp);
        Path a = Files.createDirectories(tmp.resolve("AX")).resolve("diagnostic-full.tsv");
        Files.writeString(a, ax);
        checkClassification(GlueTask.MNLI, m, tmp.resolve("m"));
        Path mm = Files.writeString(m.resolveSibling("dev_mismatched.tsv"), mnli);
        checkClassification(GlueTask.MNLI_MM, mm, tmp.resolve("mm"));
        checkClassification(GlueTask.QQP, q, tmp.resolve("q"));
        checkClassification(GlueTask.AX, a, tmp.resolve("a"));
    }

    private static void checkClassification(GlueTask task, Path dev, Path tmp) throws Exception {
        String python = PythonReference.interpreter("sklearn", "scipy");
        GlueDataset gold = GlueReader.read(task, dev.toString());
        int k = task.labels().size();
        Random rnd = new Random(task.ordinal());
        Map<String, List<Prediction>> variants = new HashMap<>();
        for (String v : List.of("gold", "perturbed", "random", "constant", "constant-other")) variants.put(v, new ArrayList<>());
        for (GlueExample e : gold.examples()) {
            int y = task.labelId(e.label());
            variants.get("gold").add(Prediction.ofLabelId(task, e.index(), y));
            variants.get("perturbed").add(Prediction.ofLabelId(task, e.index(), rnd.nextDouble() < 0.25 ? rnd.nextInt(k) : y));
            variants.get("random").add(Prediction.ofLabelId(task, e.index(), rnd.nextInt(k)));
            variants.get("constant").add(Prediction.ofLabelId(task, e.index(), 0));
            variants.get("constant-other").add(Prediction.ofLabelId(task, e.index(), k - 1));
        }
        compare(python, task, dev, tmp, variants);
    }

    /** Writes each variant with GlueSubmission, scores all of them in Java and in one Python run, compares. */
    private static void compare(String python, GlueTask task, Path dev, Path tmp, Map<String, List<Prediction>> variants)
            throws Exception {
        Map<String, Path> files = new java.util.LinkedHashMap<>();
        for (var v : variants.entrySet()) {
            files.put(v.getKey(), Path.of(GlueSubmission.write(Fs.path(tmp.resolve(v.getKey()).toString()), task, v.getValue()).toUri()));
        }
        List<String> args = new ArrayList<>(List.of(task.serverName(), dev.toString()));
        files.values().forEach(f -> args.add(f.toString()));
        JsonNode all = PythonReference.run(python, "glue_metrics.py", args.toArray(String[]::new));
        for (var f : files.entrySet()) {
            Report java = Evaluation.evaluate(task.serverName(), dev.toString(), f.getValue().toString(), null, 1.0);
            JsonNode ref = all.get(f.getValue().toString());
            String what = task + " " + f.getKey();
            assertEquals(ref.get("total").asInt(), java.metrics().get("total"), what + ": total");
            ref.fieldNames().forEachRemaining(key ->
                    assertEquals(ref.get(key).asDouble(), ((Number) java.metrics().get(key)).doubleValue(), 1e-9, what + ": " + key));
        }
    }
}
