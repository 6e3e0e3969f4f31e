package dev.mobilebert.tasks;

import java.util.ArrayList;
import java.util.List;

/**
 * A SQuAD v1.1 or v2.0 JSON file as published: articles, paragraphs, questions. {@code misalignedAnswers} are the
 * ids of questions with an answer whose text is not found at its {@code answer_start}; the official scripts do not
 * check this (evaluation uses only the text), so it is reported rather than fatal.
 */
public record SquadDataset(String file, String version, List<Article> articles, List<String> misalignedAnswers) {

    public record Article(String title, List<Paragraph> paragraphs) {}

    public record Paragraph(String context, List<Question> qas) {}

    /** {@code answers} is empty for v2.0's unanswerable questions, which may carry {@code plausibleAnswers}. */
    public record Question(String id, String question, List<Answer> answers, boolean isImpossible,
                           List<Answer> plausibleAnswers) {}

    /** {@code answerStart} counts Unicode code points, as Python's string indices do. */
    public record Answer(String text, int answerStart) {}

    /** All questions in file order. */
    public List<Question> questions() {
        List<Question> all = new ArrayList<>();
        for (Article a : articles) for (Paragraph p : a.paragraphs()) all.addAll(p.qas());
        return all;
    }

    public int questionCount() {
        int n = 0;
        for (Article a : articles) for (Paragraph p : a.paragraphs()) n += p.qas().size();
        return n;
    }
}
