package dev.mobilebert.jobs.pretraining;

import dev.mobilebert.io.Fs;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Expands --input arguments (files, directories, globs, on any Hadoop filesystem) into a sorted list of files.
 * Inside a directory, hidden and '_'-prefixed names and metadata files (MANIFEST*, README*, *.json, *.tsv, *.csv,
 * *.md) are skipped; a file named explicitly is always read.
 */
public final class InputFiles {
    private InputFiles() {}

    public static List<String> expand(List<String> inputs) throws IOException {
        TreeSet<String> files = new TreeSet<>();
        for (String input : inputs) {
            Path p = Fs.path(input);
            FileSystem fs = Fs.fs(p);
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw new FileNotFoundException("input " + input + " matches no file");
            }
            for (FileStatus st : matches) {
                if (st.isDirectory()) {
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(st.getPath(), true);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        if (isCorpusFile(f.getPath())) files.add(f.getPath().toString());
                    }
                } else {
                    files.add(st.getPath().toString());
                }
            }
        }
        return List.copyOf(files);
    }

    static boolean isCorpusFile(Path p) {
        for (Path q = p; q != null && !q.isRoot(); q = q.getParent()) {
            String n = q.getName();
            if (n.startsWith(".") || n.startsWith("_")) return false;
            if (q != p) break;
        }
        String n = p.getName().toLowerCase(Locale.ROOT);
        if (n.startsWith("manifest") || n.startsWith("readme")) return false;
        for (String ext : new String[]{".json", ".tsv", ".csv", ".md", ".crc"}) if (n.endsWith(ext)) return false;
        return true;
    }
}
