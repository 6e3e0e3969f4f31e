package dev.mobilebert.jobs.cli;

import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.model.io.HfFormat;
import dev.mobilebert.model.io.SafeTensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import-hf", description = "Turn a HuggingFace MobileBERT directory (config.json + model.safetensors) into a checkpoint.")
public final class ImportHfCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, description = "HuggingFace directory (any Hadoop path).")
    String from;

    @Option(names = "--out", required = true, description = "Checkpoint directory to write (any Hadoop path; replaced atomically).")
    String out;

    @Override
    public Integer call() throws Exception {
        MobileBertModel m = MobileBertModel.pretraining(HfFormat.readConfig(from), null, 0);
        Map<String, SafeTensors.Tensor> tensors = HfFormat.readWeights(from);
        HfFormat.ImportReport report = HfFormat.importWeights(m, tensors, from);
        if (!report.ignored().isEmpty()) System.err.println("import-hf: ignored tensors the model does not use: " + report.ignored());
        Checkpoint.save(m, Checkpoint.Provenance.of("import-hf --from " + from + " --out " + out, from, 0), out, false);
        System.out.printf("import-hf: %,d parameters from %s -> %s%n", m.numParams(), from, out);
        return 0;
    }
}
