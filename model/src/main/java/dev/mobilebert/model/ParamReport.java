package dev.mobilebert.model;

import dev.mobilebert.model.nn.BlockKind;
import dev.mobilebert.model.nn.Blocks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameter counts of a config, per HuggingFace top-level module, computed from the same shape table that sizes
 * the graph's parameter views (so they equal {@code graph.numParams()}, which the tests check on built graphs).
 * Parameters HuggingFace builds but never uses (e.g. the q/k bottleneck under use_bottleneck_attention, the
 * embedding transformation when it is skipped) are not created here and not counted.
 */
public record ParamReport(Map<String, Long> byModule, long perLayer, long withoutHeads, long withPretrainingHeads) {

    public static ParamReport of(MobileBertConfig c) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("mobilebert.embeddings", Blocks.numParams(BlockKind.WORD_TABLE, c, 0) + Blocks.numParams(BlockKind.EMBEDDINGS, c, 0));
        long perLayer = Blocks.numParams(BlockKind.LAYER, c, 0);
        m.put("mobilebert.encoder", perLayer * c.numHiddenLayers);
        m.put("mobilebert.pooler", Blocks.numParams(BlockKind.POOLER, c, 0));
        m.put("cls.predictions", Blocks.numParams(BlockKind.MLM, c, 0));
        m.put("cls.seq_relationship", Blocks.numParams(BlockKind.NSP, c, 0));
        long base = m.get("mobilebert.embeddings") + m.get("mobilebert.encoder") + m.get("mobilebert.pooler");
        return new ParamReport(m, perLayer, base, base + m.get("cls.predictions") + m.get("cls.seq_relationship"));
    }

    /** Human-readable table. */
    public String format(String title) {
        StringBuilder sb = new StringBuilder(title).append('\n');
        byModule.forEach((k, v) -> sb.append(String.format("  %-24s %,15d%n", k, v)));
        sb.append(String.format("  %-24s %,15d%n", "per encoder layer", perLayer));
        sb.append(String.format("  %-24s %,15d%n", "total without heads", withoutHeads));
        sb.append(String.format("  %-24s %,15d%n", "total with MLM+NSP heads", withPretrainingHeads));
        return sb.toString();
    }
}
