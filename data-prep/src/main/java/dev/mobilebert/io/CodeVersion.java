package dev.mobilebert.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The git commit this build was made from (written into the jar at build time), for provenance records. */
public record CodeVersion(String commit, boolean dirty, String commitTime, String projectVersion) {

    public static CodeVersion current() {
        Properties p = new Properties();
        try (InputStream in = CodeVersion.class.getResourceAsStream("/dev/mobilebert/git.properties")) {
            if (in != null) p.load(in);
        } catch (IOException ignored) {
            // provenance degrades to "unknown" rather than failing a run
        }
        return new CodeVersion(
                p.getProperty("git.commit.id", "unknown"),
                Boolean.parseBoolean(p.getProperty("git.dirty", "false")),
                p.getProperty("git.commit.time", "unknown"),
                p.getProperty("git.build.version", "unknown"));
    }

    public String shortCommit() {
        return commit.length() > 10 ? commit.substring(0, 10) : commit;
    }
}
