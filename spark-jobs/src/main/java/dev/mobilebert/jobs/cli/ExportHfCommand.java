package dev.mobilebert.jobs.cli;

import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.model.io.HfFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "export-hf", description = "Write a checkpoint as a HuggingFace directory (config.json + model.safetensors, tied decoder omitted).")
public final class ExportHfCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory (any Hadoop path).")
    String checkpoint;

    @Option(names = "--out", required = true, description = "HuggingFace directory to write (replaced atomically).")
    String out;

    @Override
    public Integer call() throws Exception {
        Checkpoint.Loaded ckpt = Checkpoint.load(checkpoint, false);
        HfFormat.export(ckpt.model(), out);
        System.out.println("export-hf: " + checkpoint + " -> " + out);
        return 0;
    }
}
