package dev.mobilebert.tasks;

import dev.mobilebert.io.Fs;
import dev.mobilebert.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlueReaderTest {

    /** The counts of ../shared/data/README.md (the official GLUE counts). */
    @ParameterizedTest(name = "{0}/{1}: {2}")
    @CsvSource({
            "CoLA, train.tsv, 8551", "CoLA, dev.tsv, 1043", "CoLA, test.tsv, 1063",
            "SST-2, train.tsv, 67349", "SST-2, dev.tsv, 872", "SST-2, test.tsv, 1821",
            "MRPC, train.tsv, 3668", "MRPC, dev.tsv, 408", "MRPC, test.tsv, 1725",
            "STS-B, train.tsv, 5749", "STS-B, dev.tsv, 1500", "STS-B, test.tsv, 1379",
            "QNLI, dev.tsv, 5463", "QNLI, test.tsv, 5463",
            "RTE, train.tsv, 2490", "RTE, dev.tsv, 277", "RTE, test.tsv, 3000",
            "WNLI, train.tsv, 635", "WNLI, dev.tsv, 71", "WNLI, test.tsv, 146"})
    void realFilesHaveTheOfficialCounts(String task, String file, int count) throws Exception {
        Path p = SharedData.require(SharedData.glue(task).resolve(file));
        GlueDataset d = GlueReader.read(GlueTask.parse(task), p.toString());
        assertEquals(count, d.size());
        assertTrue(d.skippedLines().isEmpty());
        Set<String> indices = new HashSet<>();
        Set<String> guids = new HashSet<>();
        for (int i = 0; i < d.size(); i++) {
            GlueExample e = d.examples().get(i);
            assertTrue(indices.add(e.index()), "unique index " + e.index());
            assertTrue(guids.add(e.guid()), "unique guid " + e.guid());
            assertTrue(!e.textA().isEmpty(), e.guid());
            assertEquals(d.task() != GlueTask.COLA && d.task() != GlueTask.SST2, e.isPair(), e.guid());
            if (d.split() == Split.TEST) {
                assertNull(e.label());
                // the GLUE server matches predictions by index: test files number their rows 0..n-1
                assertEquals(Integer.toString(i), e.index());
            } else {
                GlueReader.checkLabel(d.task(), e.label(), file, 0);
            }
        }
    }

    @Test
    void colaIsHeaderlessWithLabelInColumnTwoAndSentenceInColumnFour() throws Exception {
        Path dev = SharedData.require(SharedData.glue("CoLA").resolve("dev.tsv"));
        GlueExample first = GlueReader.read(GlueTask.COLA, dev.toString()).examples().get(0);
        assertEquals(new GlueExample("dev-0", "The sailors rode the breeze clear of the rocks.", null, "1", "0"), first);
        Path test = SharedData.require(SharedData.glue("CoLA").resolve("test.tsv"));
        // BERT's ColaProcessor skips the test header as line 0, so the first guid is test-1
        assertEquals(new GlueExample("test-1", "Bill whistled past the house.", null, null, "0"),
                GlueReader.read(GlueTask.COLA, test.toString()).examples().get(0));
    }

    @Test
    void mrpcByteOrderMarkIsDroppedAndColumnsFollowBert() throws Exception {
        Path dev = SharedData.require(SharedData.glue("MRPC").resolve("dev.tsv"));
        assertTrue(Files.readString(dev).startsWith("\uFEFF"), "the real file has a byte-order mark");
        GlueExample first = GlueReader.read(GlueTask.MRPC, dev.toString()).examples().get(0);
        assertEquals("dev-1", first.guid());
        assertEquals("1", first.label());
        assertEquals("He said the foodservice pie business doesn 't fit the company 's long-term growth strategy .", first.textA());
        assertEquals("\" The foodservice pie business does not fit our long-term growth strategy .", first.textB());
    }

    @Test
    void stsbScoreIsTheLastColumn() throws Exception {
        Path dev = SharedData.require(SharedData.glue("STS-B").resolve("dev.tsv"));
        GlueExample first = GlueReader.read(GlueTask.STSB, dev.toString()).examples().get(0);
        assertEquals(new GlueExample("dev-0", "A man with a hard hat is dancing.", "A man wearing a hard hat is dancing.", "5.000", "0"), first);
        assertEquals(5.0, first.score());
    }

    @Test
    void mnliMatchedAndMismatchedUseSentenceColumnsEightNineAndTheLastLabel(@TempDir Path tmp) throws Exception {
        String header = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
                + "sentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n";
        Path dev = tmp.resolve("dev_mismatched.tsv");
        Files.writeString(dev, header + "0\t1\t1n\tfiction\tb1\tb2\tp1\tp2\tThe cat sat.\tA cat sat.\tentailment\tentailment\tneutral\tentailment\tentailment\tentailment\n"
                + "1\t2\t2c\tfiction\tb1\tb2\tp1\tp2\tIt rains.\tIt is dry.\tcontradiction\tcontradiction\tcontradiction\tneutral\tcontradiction\tcontradiction\n");
        GlueDataset d = GlueReader.read(GlueTask.MNLI_MM, dev.toString());
        assertEquals(List.of(new GlueExample("dev_mismatched-0", "The cat sat.", "A cat sat.", "entailment", "0"),
                new GlueExample("dev_mismatched-1", "It rains.", "It is dry.", "contradiction", "1")), d.examples());
        Path test = tmp.resolve("test_matched.tsv");
        Files.writeString(test, "index\tpromptID\tpairID\tgenre\tb1\tb2\tp1\tp2\tsentence1\tsentence2\n0\t1\t1\tgov\tx\tx\tx\tx\tA.\tB.\n");
        assertEquals(new GlueExample("test_matched-0", "A.", "B.", null, "0"),
                GlueReader.read(GlueTask.MNLI, test.toString()).examples().get(0));
        assertThrows(IllegalArgumentException.class, () -> GlueReader.read(GlueTask.MNLI, dev.toString()),
                "the mismatched file under the matched task");
        assertThrows(IllegalArgumentException.class, () -> GlueReader.read(GlueTask.MNLI_MM, test.toString()));
    }

    @Test
    void qqpSkipsRowsTooShortAsHuggingFaceDoesAndReportsThem(@TempDir Path tmp) throws Exception {
        Path dev = tmp.resolve("dev.tsv");
        Files.writeString(dev, "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"
                + "201359\t303345\t303346\tWhy are X?\tWhy is X?\t1\n"
                + "263843\t69383\t380476\tbroken row\n"
                + "172974\t266948\t175089\tHow do I Y?\tHow can I Z?\t0\n");
        GlueDataset d = GlueReader.read(GlueTask.QQP, dev.toString());
        assertEquals(2, d.size());
        assertEquals(List.of(3L), d.skippedLines());
        assertEquals(new GlueExample("dev-201359", "Why are X?", "Why is X?", "1", "201359"), d.examples().get(0));
    }

    @Test
    void axReadsTheDiagnosticTestFileAndTheLabelledFullFile(@TempDir Path tmp) throws Exception {
        Path test = tmp.resolve("diagnostic.tsv");
        Files.writeString(test, "index\tsentence1\tsentence2\n0\tThe cat sat.\tThe cat did not sit.\n");
        assertEquals(new GlueExample("test-0", "The cat sat.", "The cat did not sit.", null, "0"),
                GlueReader.read(GlueTask.AX, test.toString()).examples().get(0));
        Path full = tmp.resolve("diagnostic-full.tsv");
        Files.writeString(full, "Lexical Semantics\tPredicate-Argument Structure\tLogic\tKnowledge\tDomain\tPremise\tHypothesis\tLabel\n"
                + "\t\tNegation\t\tArtificial\tThe cat sat.\tThe cat did not sit.\tcontradiction\n");
        assertEquals(new GlueExample("dev-1", "The cat sat.", "The cat did not sit.", "contradiction", "0"),
                GlueReader.read(GlueTask.AX, full.toString()).examples().get(0));
    }

    @Test
    void badRowsAreErrorsNamingFileAndLine(@TempDir Path tmp) throws Exception {
        String header = "index\tsentence1\tsentence2\tlabel\n";
        assertError(tmp, GlueTask.RTE, "dev.tsv", header + "0\ta\tb\tentailment\n1\ta\tb\n", ":3: expected 4 tab-separated columns, found 3");
        assertError(tmp, GlueTask.RTE, "dev.tsv", header + "0\ta\tb\tentailment\n1\ta\tb\tneutral\n", ":3: unknown RTE label 'neutral'");
        assertError(tmp, GlueTask.RTE, "dev.tsv", header + "0\ta\tb\tentailment\n\n", ":3: empty line");
        assertError(tmp, GlueTask.COLA, "train.tsv", "gj04\t1\t\tok\ngj04\t2\t\tbad label\n", ":2: unknown CoLA label '2'");
        assertError(tmp, GlueTask.COLA, "train.tsv", "gj04\t1\tok\n", ":1: expected 4 tab-separated columns, found 3");
        assertError(tmp, GlueTask.STSB, "dev.tsv", "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                + "0\tg\tf\ty\t0\ts\ts\ta\tb\tfive\n", ":2: the STS-B score 'five' is not a number");
        assertError(tmp, GlueTask.SST2, "dev.tsv", "", "empty file");
        assertError(tmp, GlueTask.QNLI, "dev.tsv", "index\tquestion\n", ":1: the header has 2 columns");
    }

    private static void assertError(Path tmp, GlueTask task, String name, String content, String expected) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "bad");
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        BadInputException e = assertThrows(BadInputException.class, () -> GlueReader.read(task, file.toString()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(Fs.path(file.toString()).toString()), "names the file: " + e.getMessage());
    }
}
