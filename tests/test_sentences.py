"""Sentence splitting on news text keeps spans and copes with abbreviations and quotes."""

from qa.sentences import split_spans


def pieces(text: str) -> list[str]:
    return [text[s:e] for s, e in split_spans(text)]


def test_titles_and_acronyms_do_not_end_sentences():
    text = "Mr. Stoltenberg met Dr. Smith in the U.S. Army base. He left."
    assert pieces(text) == ["Mr. Stoltenberg met Dr. Smith in the U.S. Army base.", "He left."]


def test_acronym_followed_by_sentence_opener_ends_sentence():
    assert pieces("Aid came from the U.S. The talks went on.") == ["Aid came from the U.S.", "The talks went on."]


def test_quotes_ending_in_punctuation():
    text = "“We will not back down,” Stoltenberg said. “President Putin is failing.” He left."
    assert pieces(text) == ["“We will not back down,” Stoltenberg said.", "“President Putin is failing.”", "He left."]


def test_ellipsis_inside_quote_and_initials_and_decimals():
    text = "They can continue … to defend themselves. J. K. Rowling paid $3.5 billion. Done!"
    assert pieces(text) == ["They can continue … to defend themselves.", "J. K. Rowling paid $3.5 billion.", "Done!"]


def test_question_and_exclamation_marks():
    assert pieces("Will it end? Nobody knows! Really") == ["Will it end?", "Nobody knows!", "Really"]


def test_spans_are_offsets_into_the_original_text():
    text = "  Intro line.   Second one here.  "
    for s, e in split_spans(text):
        assert text[s:e] == text[s:e].strip() and text[s:e]
    assert [text[s:e] for s, e in split_spans(text, 2, 20)] == ["Intro line.", "Seco"]


def test_a_dateline_stays_inside_the_first_sentence(tmp_path):
    from qa.corpus import read_corpus
    from qa.sentences import split_article

    (tmp_path / "a.txt").write_text("Jet loses panel after takeoff\n\nPORTLAND, Ore. (KPNW) — Passengers heard a loud "
                                    "bang. The plane landed safely.\n", encoding="utf-8")
    (article,) = read_corpus(tmp_path).articles
    body = [s.text for s in split_article(article)][1:]
    assert body == ["PORTLAND, Ore. (KPNW) — Passengers heard a loud bang.", "The plane landed safely."]
    assert article.dateline.place == "PORTLAND"
