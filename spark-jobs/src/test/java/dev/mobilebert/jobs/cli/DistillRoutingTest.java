package dev.mobilebert.jobs.cli;

import dev.mobilebert.jobs.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 10's interface {@code distill --recipe distilbert|tinybert|mobilebert}: the peer recipes go to the
 * {@code distill-peer} job (which stays a command of its own), mobilebert stays PD. No Spark: only parsing and routing
 * (the jobs themselves are covered by DistillCommandTest and DistillPeerCommandTest, which runs TinyBERT through
 * {@code distill --recipe tinybert}).
 */
class DistillRoutingTest {

    @Test
    void peerRecipesAreRoutedToDistillPeerWithTheOtherArgumentsUnchanged() {
        assertArrayEquals(new String[]{"distill-peer", "--teacher", "t", "--recipe", "tinybert", "--out", "o"},
                DistillCommand.route(new String[]{"distill", "--teacher", "t", "--recipe", "tinybert", "--out", "o"}));
        assertArrayEquals(new String[]{"distill-peer", "--recipe=DistilBERT"},
                DistillCommand.route(new String[]{"distill", "--recipe=DistilBERT"}));
        String[] pd = {"distill", "--recipe", "mobilebert", "--out", "o"};
        assertSame(pd, DistillCommand.route(pd));
        String[] noRecipe = {"distill", "--out", "o"};
        assertSame(noRecipe, DistillCommand.route(noRecipe));
        String[] otherCommand = {"distill-peer", "--recipe", "distilbert"};
        assertSame(otherCommand, DistillCommand.route(otherCommand));
        String[] valueElsewhere = {"pretrain", "--recipe", "tinybert"};
        assertSame(valueElsewhere, DistillCommand.route(valueElsewhere));
        assertEquals(0, DistillCommand.route(new String[0]).length);
    }

    @Test
    void theCliParsesPeerRecipesWithDistillPeersOptionsAndMobileBertWithPds() {
        // a peer recipe needs distill-peer's --teacher-config, not distill's --student
        Run tiny = run("distill", "--recipe", "tinybert", "--teacher", "t", "--data", "d", "--out", "o");
        assertEquals(2, tiny.code, tiny.err);
        assertTrue(tiny.err.contains("--teacher-config"), tiny.err);
        assertFalse(tiny.err.contains("--student="), tiny.err);
        Run pd = run("distill", "--recipe", "mobilebert", "--teacher", "t", "--data", "d", "--out", "o");
        assertEquals(2, pd.code, pd.err);
        assertTrue(pd.err.contains("--student"), pd.err);
        assertFalse(pd.err.contains("--teacher-config"), pd.err);
        Run unknown = run("distill", "--recipe", "bert-pkd", "--teacher", "t", "--student", "s", "--data", "d", "--out", "o");
        assertEquals(2, unknown.code, unknown.err);
        assertTrue(unknown.err.contains("--recipe"), unknown.err);
    }

    @Test
    void helpOfARoutedRecipeIsDistillPeersHelp() {
        Run help = run("distill", "--recipe", "distilbert", "--help");
        assertEquals(0, help.code, help.err);
        assertTrue(help.out.contains("distill-peer"), help.out);
        assertTrue(help.out.contains("--alpha-cos"), help.out);
        Run pdHelp = run("distill", "--help");
        assertTrue(pdHelp.out.contains("--alpha ") || pdHelp.out.contains("--alpha="), pdHelp.out);
        assertTrue(pdHelp.out.replaceAll("\\s+", " ").contains("distilbert or tinybert: the peer distillation job"), pdHelp.out);
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
