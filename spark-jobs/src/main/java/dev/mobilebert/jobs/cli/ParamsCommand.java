package dev.mobilebert.jobs.cli;

import dev.mobilebert.model.MobileBertConfig;
import dev.mobilebert.model.MobileBertModel;
import dev.mobilebert.model.ParamReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "params", description = "Total and per-module parameter counts of a model config, with and without heads.")
public final class ParamsCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Model config JSON (official field names), e.g. conf/models/uncased_L-24_H-128_B-512_A-4_F-4_OPT.json.")
    String config;

    @Option(names = "--build", description = "Also build the DL4J graph and count its parameters (allocates them: 1.3 GB for BERT-large).")
    boolean build;

    @Override
    public Integer call() {
        MobileBertConfig c = MobileBertConfig.load(config);
        ParamReport r = ParamReport.of(c);
        System.out.print(r.format(config));
        if (c.useBottleneck && c.trueHiddenSize() > c.hiddenSize) {
            System.out.printf("  (IB-BERT teacher: the paper reports 293M parameters; this config: %.1fM without heads)%n", r.withoutHeads() / 1e6);
        }
        if (build) {
            long n = MobileBertModel.pretraining(c, null, 0).numParams();
            System.out.printf("  %-24s %,15d%n", "built graph (with heads)", n);
            if (n != r.withPretrainingHeads()) throw new IllegalStateException("built graph has " + n + " parameters, the shape table " + r.withPretrainingHeads());
        }
        return 0;
    }
}
