package dev.mobilebert.jobs;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class MainTest {
    @Test
    void helpListsEveryCommandWithADescription() {
        CommandLine cli = new CommandLine(new Main());
        String help = cli.getUsageMessage();
        assertFalse(cli.getSubcommands().isEmpty());
        for (var e : cli.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            assertTrue(help.contains(e.getKey()), "top-level help lists " + e.getKey());
            String[] description = e.getValue().getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0 && !description[0].isBlank(), e.getKey() + " has a one-line description");
        }
    }

    @Test
    void everyOptionOfEveryCommandIsDescribed() {
        CommandLine cli = new CommandLine(new Main());
        checkOptions(cli);
    }

    private static void checkOptions(CommandLine cmd) {
        for (var option : cmd.getCommandSpec().options()) {
            assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
                    cmd.getCommandName() + " " + option.longestName() + " has a description");
        }
        cmd.getSubcommands().values().forEach(MainTest::checkOptions);
    }

    @Test
    void commandHelpShowsDefaults() {
        String help = run("doctor", "--help");
        assertTrue(help.contains("--gemm-size"), help);
        assertTrue(help.contains("Default: 1024"), help);
        assertTrue(help.contains("--master"), help);
    }

    @Test
    void unknownCommandFailsWithUsage() {
        assertEquals(2, Main.run("no-such-command"));
    }

    static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
