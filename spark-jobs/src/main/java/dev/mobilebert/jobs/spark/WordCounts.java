package dev.mobilebert.jobs.spark;

import dev.mobilebert.io.Fs;
import dev.mobilebert.tokenization.BasicTokenizer;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Word counts of a corpus after BERT's BasicTokenizer, counted on Spark (the input of the vocabulary builder). */
public final class WordCounts {
    private WordCounts() {}

    /**
     * Counts the words of every line of {@code inputs} (files, directories or globs on any Hadoop filesystem; .gz
     * and .bz2 are decompressed) and returns those seen at least {@code minFrequency} times.
     */
    public static Map<String, Long> count(JavaSparkContext sc, List<String> inputs, boolean doLowerCase, long minFrequency) {
        List<String> paths = new ArrayList<>();
        for (String in : inputs) paths.add(Fs.path(in).toString());
        BasicTokenizer basic = new BasicTokenizer(doLowerCase);
        return sc.textFile(String.join(",", paths))
                .mapPartitionsToPair(lines -> {
                    // count inside the partition first: far fewer records to shuffle than one per word
                    Map<String, Long> local = new HashMap<>();
                    while (lines.hasNext()) {
                        basic.forEachWord(lines.next(), (chars, length, cps, starts, ends) ->
                                local.merge(new String(chars, 0, length), 1L, Long::sum));
                    }
                    List<Tuple2<String, Long>> out = new ArrayList<>(local.size());
                    local.forEach((w, c) -> out.add(new Tuple2<>(w, c)));
                    return out.iterator();
                })
                .reduceByKey(Long::sum)
                .filter(t -> t._2() >= minFrequency)
                .collectAsMap();
    }
}
