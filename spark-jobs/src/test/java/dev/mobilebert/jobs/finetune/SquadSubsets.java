package dev.mobilebert.jobs.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;

/** Article ranges of a SQuAD file as SQuAD files of their own (train on some articles, evaluate on others). */
final class SquadSubsets {
    private SquadSubsets() {}

    /**
     * Writes articles [from, to) of {@code source} to {@code target}; with {@code maxParagraphs} > 0 only the first
     * paragraphs of each article; with {@code firstAnswerOnly} each question keeps its first answer (run_squad.py
     * trains on exactly one answer per question, the dev set has several).
     */
    static Path write(Path source, int from, int to, int maxParagraphs, boolean firstAnswerOnly, Path target) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root = mapper.readTree(source.toFile());
        ObjectNode out = mapper.createObjectNode();
        out.set("version", root.get("version"));
        ArrayNode data = out.putArray("data");
        for (int i = from; i < to; i++) {
            ObjectNode article = ((ObjectNode) root.get("data").get(i)).deepCopy();
            if (maxParagraphs > 0) {
                ArrayNode ps = mapper.createArrayNode();
                for (int p = 0; p < Math.min(maxParagraphs, article.get("paragraphs").size()); p++) ps.add(article.get("paragraphs").get(p));
                article.set("paragraphs", ps);
            }
            if (firstAnswerOnly) {
                for (JsonNode p : article.get("paragraphs")) {
                    for (JsonNode qa : p.get("qas")) {
                        ArrayNode first = mapper.createArrayNode();
                        first.add(qa.get("answers").get(0));
                        ((ObjectNode) qa).set("answers", first);
                    }
                }
            }
            data.add(article);
        }
        mapper.writeValue(target.toFile(), out);
        return target;
    }
}
