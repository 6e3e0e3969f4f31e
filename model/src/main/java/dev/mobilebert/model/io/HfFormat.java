package dev.mobilebert.model.io;

import dev.mobilebert.io.AtomicOutput;
import dev.mobilebert.io.Fs;
import dev.mobilebert.io.Json;
import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HuggingFace directory format: {@code config.json} (official field names) + {@code model.safetensors}
 * (HuggingFace parameter names). The tied decoder ({@code cls.predictions.decoder.weight/bias}) is omitted on
 * export, as {@code save_pretrained} does, and accepted either way on import.
 */
public final class HfFormat {
    public static final String CONFIG = "config.json", WEIGHTS = "model.safetensors";
    /** Aliases of other parameters in HuggingFace's MobileBertForPreTraining (tied weights). */
    public static final List<String> TIED_ALIASES = List.of("cls.predictions.decoder.weight", "cls.predictions.decoder.bias");

    private HfFormat() {}

    /** What an import did with the file's tensors besides loading them. */
    public record ImportReport(List<String> ignored, List<String> tiedAliasesSeen, List<String> freshlyInitialised) {
        public ImportReport(List<String> ignored, List<String> tiedAliasesSeen) { this(ignored, tiedAliasesSeen, List.of()); }
    }

    public static MobileBertConfig readConfig(String dir) {
        return MobileBertConfig.load(new Path(Fs.path(dir), CONFIG).toString());
    }

    public static Map<String, SafeTensors.Tensor> readWeights(String dir) throws IOException {
        return SafeTensors.read(new Path(Fs.path(dir), WEIGHTS).toString());
    }

    /** Builds the pretraining model of the directory's config and loads its weights. */
    public static MobileBertModel load(String dir) throws IOException {
        MobileBertConfig c = readConfig(dir);
        MobileBertModel m = MobileBertModel.pretraining(c, null, 0);
        importWeights(m, readWeights(dir), dir);
        return m;
    }

    /**
     * Copies the tensors into the model by HuggingFace name. Every model parameter must be present with the same
     * shape; tensors the model does not use (heads of other tasks, layers HuggingFace builds but never runs) are
     * ignored and reported.
     */
    public static ImportReport importWeights(MobileBertModel model, Map<String, SafeTensors.Tensor> tensors, String source) {
        return importWeights(model, tensors, source, name -> false);
    }

    /**
     * As {@link #importWeights(MobileBertModel, Map, String)}, but parameters for which {@code mayStartFresh} holds
     * (a fine-tuning head absent from a pretraining directory, or one of another label count) keep their
     * initialisation and are listed in {@link ImportReport#freshlyInitialised()}.
     */
    public static ImportReport importWeights(MobileBertModel model, Map<String, SafeTensors.Tensor> tensors, String source,
                                             java.util.function.Predicate<String> mayStartFresh) {
        Map<String, INDArray> params = model.hfParams();
        List<String> missing = new ArrayList<>(), fresh = new ArrayList<>();
        for (var e : params.entrySet()) {
            SafeTensors.Tensor t = tensors.get(e.getKey());
            boolean optional = mayStartFresh.test(e.getKey());
            if (optional && (t == null || !java.util.Arrays.equals(t.shape(), e.getValue().shape()))) { fresh.add(e.getKey()); continue; }
            if (t == null) { missing.add(e.getKey()); continue; }
            if (!java.util.Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(source + ": tensor " + e.getKey() + " has shape " + java.util.Arrays.toString(t.shape())
                        + ", the config needs " + java.util.Arrays.toString(e.getValue().shape()));
            }
            e.getValue().assign(t.toArray(e.getValue().dataType()));
        }
        if (!missing.isEmpty()) throw new IllegalArgumentException(source + ": missing tensors " + missing);
        List<String> ignored = new ArrayList<>(), tied = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (params.containsKey(name) && !fresh.contains(name)) continue;
            if (TIED_ALIASES.contains(name)) tied.add(name);
            else ignored.add(name);
        }
        return new ImportReport(ignored, tied, fresh);
    }

    /** All parameters as float32 tensors under HuggingFace names, without the tied aliases. */
    public static Map<String, SafeTensors.Tensor> exportTensors(MobileBertModel model) {
        Map<String, SafeTensors.Tensor> out = new TreeMap<>();
        model.hfParams().forEach((k, v) -> out.put(k, SafeTensors.Tensor.of(v)));
        return out;
    }

    /** The config.json HuggingFace tools read (official field names, plus architectures). */
    public static Map<String, Object> hfConfig(MobileBertConfig c) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new LinkedHashMap<>(Json.MAPPER.readValue(c.toJson(), Map.class));
        m.put("architectures", List.of("MobileBertForPreTraining"));
        m.put("tie_word_embeddings", true);
        m.put("torch_dtype", "float32");
        return m;
    }

    /**
     * The config.json of a model as exported: a fine-tuned model (classifier.* or qa_outputs.* parameters) is
     * declared as HuggingFace's MobileBertForSequenceClassification (num_labels through id2label, regression for
     * one output) or MobileBertForQuestionAnswering, so HuggingFace tools build the head that holds those tensors.
     */
    public static Map<String, Object> hfConfig(MobileBertModel model) throws IOException {
        Map<String, Object> m = hfConfig(model.config());
        Map<String, INDArray> p = model.hfParams();
        if (p.containsKey("qa_outputs.weight")) {
            m.put("architectures", List.of("MobileBertForQuestionAnswering"));
        } else if (p.containsKey("classifier.weight")) {
            long n = p.get("classifier.weight").size(0);
            m.put("architectures", List.of("MobileBertForSequenceClassification"));
            Map<String, Object> id2label = new LinkedHashMap<>();
            Map<String, Object> label2id = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) { id2label.put(String.valueOf(i), "LABEL_" + i); label2id.put("LABEL_" + i, i); }
            m.put("id2label", id2label);
            m.put("label2id", label2id);
            if (n == 1) m.put("problem_type", "regression");
        }
        return m;
    }

    public static void export(MobileBertModel model, String dir) throws IOException {
        Map<String, SafeTensors.Tensor> tensors = exportTensors(model);
        Map<String, Object> cfg = hfConfig(model);
        AtomicOutput.writeDirectory(Fs.path(dir), tmp -> {
            Fs.mkdirs(tmp);
            AtomicOutput.writeJson(new Path(tmp, CONFIG), cfg);
            SafeTensors.write(new Path(tmp, WEIGHTS).toString(), tensors);
        });
    }
}
