package dev.mobilebert.tasks;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code read_squad_examples} of BERT's {@code run_squad.py}. For training, an answer whose text cannot be
 * recovered from the whitespace tokens at its position is skipped, as run_squad.py does ("Could not find answer");
 * the skipped ids are reported in {@link Result#skippedIds}.
 */
public final class SquadExamples {
    public record Result(List<SquadExample> examples, List<String> skippedIds) {}

    private SquadExamples() {}

    /** run_squad.py's is_whitespace: space, tab, CR, LF and U+202F (narrow no-break space). */
    public static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x202F;
    }

    /** The context split into whitespace-separated tokens, and each code point's token index. */
    public record DocTokens(List<String> tokens, int[] charToWordOffset) {}

    public static DocTokens docTokens(String paragraphText) {
        List<StringBuilder> tokens = new ArrayList<>();
        int[] cps = paragraphText.codePoints().toArray();
        int[] charToWord = new int[cps.length];
        boolean prevIsWhitespace = true;
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            if (isWhitespace(c)) {
                prevIsWhitespace = true;
            } else {
                if (prevIsWhitespace) tokens.add(new StringBuilder());
                tokens.get(tokens.size() - 1).appendCodePoint(c);
                prevIsWhitespace = false;
            }
            charToWord[i] = tokens.size() - 1;
        }
        return new DocTokens(tokens.stream().map(StringBuilder::toString).toList(), charToWord);
    }

    /**
     * @param training   compute answer positions (and require exactly one answer per answerable question)
     * @param withNegative v2.0: honour {@code is_impossible} (run_squad's {@code version_2_with_negative})
     */
    public static Result read(SquadDataset data, boolean training, boolean withNegative) {
        List<SquadExample> examples = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (SquadDataset.Article article : data.articles()) {
            for (SquadDataset.Paragraph paragraph : article.paragraphs()) {
                DocTokens doc = docTokens(paragraph.context());
                for (SquadDataset.Question qa : paragraph.qas()) {
                    SquadExample e = example(data.file(), doc, qa, training, withNegative);
                    if (e == null) skipped.add(qa.id());
                    else examples.add(e);
                }
            }
        }
        return new Result(List.copyOf(examples), List.copyOf(skipped));
    }

    private static SquadExample example(String file, DocTokens doc, SquadDataset.Question qa, boolean training,
                                        boolean withNegative) {
        boolean impossible = withNegative && qa.isImpossible();
        if (!training) return new SquadExample(qa.id(), qa.question(), doc.tokens(), null, -1, -1, impossible);
        if (impossible) return new SquadExample(qa.id(), qa.question(), doc.tokens(), "", -1, -1, true);
        if (qa.answers().size() != 1) {
            throw new BadInputException(file + ": question " + qa.id()
                    + ": for training, each question should have exactly 1 answer (found " + qa.answers().size() + ")");
        }
        SquadDataset.Answer answer = qa.answers().get(0);
        int length = (int) answer.text().codePoints().count();
        if (length == 0) throw new BadInputException(file + ": question " + qa.id() + ": empty answer text");
        if (answer.answerStart() + length > doc.charToWordOffset().length) {
            throw new BadInputException(file + ": question " + qa.id() + ": answer_start " + answer.answerStart()
                    + " with an answer of " + length + " characters lies outside the context ("
                    + doc.charToWordOffset().length + " characters)");
        }
        int start = doc.charToWordOffset()[answer.answerStart()];
        int end = doc.charToWordOffset()[answer.answerStart() + length - 1];
        if (start < 0) return null; // the answer starts in leading whitespace: nothing to recover
        String actual = String.join(" ", doc.tokens().subList(start, end + 1));
        String cleaned = String.join(" ", whitespaceTokenize(answer.text()));
        if (!actual.contains(cleaned)) return null;
        return new SquadExample(qa.id(), qa.question(), doc.tokens(), answer.text(), start, end, false);
    }

    /** BERT's tokenization.whitespace_tokenize: {@code text.strip().split()} (Python's Unicode whitespace). */
    public static List<String> whitespaceTokenize(String text) {
        return PyStrings.split(text);
    }
}
