package dev.mobilebert.jobs.cli;

import dev.mobilebert.model.ForwardRunner;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.io.Checkpoint;
import dev.mobilebert.model.io.HfFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "forward", description = "Run the pretraining model on inputs.json and write every hidden state, attention and head output "
        + "(hidden_states.0..L, attentions.0..L-1, last_hidden_state, pooled_output, mlm_logits, nsp_logits) as float32 safetensors.")
public final class ForwardCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--checkpoint", required = true, description = "Checkpoint directory.")
        String checkpoint;
        @Option(names = "--hf", required = true, description = "HuggingFace directory (config.json + model.safetensors).")
        String hf;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--inputs", required = true, description = "JSON with input_ids, token_type_ids, attention_mask ([B][T] arrays).")
    String inputs;

    @Option(names = "--out", required = true, description = "Output safetensors file.")
    String out;

    @Override
    public Integer call() throws Exception {
        MobileBertModel m = source.checkpoint != null ? Checkpoint.load(source.checkpoint, false).model() : HfFormat.load(source.hf);
        Map<String, INDArray> outputs = ForwardRunner.run(m, ForwardRunner.readInputs(inputs));
        ForwardRunner.write(outputs, out);
        System.out.println("forward: " + outputs.size() + " tensors -> " + out);
        return 0;
    }
}
