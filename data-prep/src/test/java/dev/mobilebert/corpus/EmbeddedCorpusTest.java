package dev.mobilebert.corpus;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EmbeddedCorpusTest {
    @Test
    void shipsOverAThousandEnglishSpeechesAndNoOtherLanguage() {
        List<EmbeddedCorpus.Speech> speeches = EmbeddedCorpus.englishSpeeches();
        long chars = speeches.stream().flatMap(s -> s.paragraphs().stream()).mapToLong(String::length).sum();
        assertTrue(speeches.size() > 1000, "speeches: " + speeches.size());
        assertTrue(chars > 1_000_000, "characters: " + chars);
        for (EmbeddedCorpus.Speech s : speeches) {
            String text = String.join(" ", s.paragraphs());
            assertTrue(EmbeddedCorpus.englishRatio(text) >= EmbeddedCorpus.MIN_ENGLISH_STOPWORD_RATIO, s.title());
            assertTrue(text.endsWith(".") || text.endsWith("?") || text.endsWith("!"), "ends with a full sentence: " + s.title());
            // letters of other Europarl languages that English prose does not use
            assertFalse(text.matches("(?s).*[äöåøæßñõ].*\\b(och|und|der|het|est|les)\\b.*"), s.title());
        }
    }

    @Test
    void theLanguageFilterSeparatesEnglishFromItsNeighbours() {
        assertTrue(EmbeddedCorpus.englishRatio("We must ask the Commission to present new proposals that combat discrimination in the sector.") > 0.25);
        assertTrue(EmbeddedCorpus.englishRatio("Invitiamo dunque la Commissione a sottoporre nuove proposte intese a combattere la discriminazione.") < 0.2);
        assertTrue(EmbeddedCorpus.englishRatio("Wir fordern die Kommission auf, neue Vorschläge vorzulegen, um die Diskriminierung zu bekämpfen.") < 0.2);
        assertTrue(EmbeddedCorpus.englishRatio("Nous invitons la Commission à présenter de nouvelles propositions pour combattre la discrimination.") < 0.2);
    }

    @Test
    void truncatedTextsEndAtTheirLastFullSentence() {
        assertEquals("One. Two?", EmbeddedCorpus.trimToLastSentence("One. Two? Thr"));
        assertEquals("", EmbeddedCorpus.trimToLastSentence("no end"));
        assertEquals(List.of("First para.", "Second one."), EmbeddedCorpus.paragraphs("First para.   Second one."));
    }
}
