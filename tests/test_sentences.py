"""Sentence splitting on news text keeps spans and copes with abbreviations and quotes."""

import re
import sys
import pytest

from qa import sentences
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


class _Counting:
    """A compiled pattern that adds up how many characters its calls are given to look at."""

    def __init__(self, pattern: re.Pattern, work: list[int]) -> None:
        self.pattern, self.work = pattern, work

    def _window(self, string: str, pos: int, endpos: int) -> int:
        return max(0, min(endpos, len(string)) - pos)

    def search(self, string, pos=0, endpos=sys.maxsize):
        self.work[0] += self._window(string, pos, endpos)
        return self.pattern.search(string, pos, endpos)

    def finditer(self, string, pos=0, endpos=sys.maxsize):
        self.work[0] += self._window(string, pos, endpos)
        return self.pattern.finditer(string, pos, endpos)

    def match(self, string, pos=0, endpos=sys.maxsize):
        found = self.pattern.match(string, pos, endpos)
        self.work[0] += (found.end() - pos if found else 0) + 1
        return found


def _splitting_work(text: str, monkeypatch) -> int:
    work = [0]
    for name, value in list(vars(sentences).items()):
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(sentences, name, _Counting(value, work))
    split_spans(text)
    monkeypatch.undo()
    return work[0]


def test_splitting_is_linear_in_the_paragraph_length(monkeypatch):
    # A one-paragraph article, with a long URL in it; the old splitter rescanned the paragraph before every
    # full stop (a 5 MB one-line article did not finish in 300 s). Work, not seconds: characters handed to
    # the regular expressions.
    unit = ("Mr. Stoltenberg met the U.S. envoy at 3.5 p.m. in Brussels. See https://example.com/"
            + "-".join(f"story{i}.v2_id" for i in range(20)) + " for more. “We will not back down,” he said! ")
    small, large = unit * 40, unit * 400
    assert len(split_spans(large)) == 10 * len(split_spans(small))
    ratio = _splitting_work(large, monkeypatch) / _splitting_work(small, monkeypatch)
    assert ratio < 12, f"10 times the text took {ratio:.0f} times the work"


def test_local_titles_currencies_and_state_abbreviations():
    assert pieces("He pledged Rs. 2,000 crore. Smt. Kanimozhi and Cllr. Finlay spoke. Det. Sgt. Lee left.") == [
        "He pledged Rs. 2,000 crore.", "Smt. Kanimozhi and Cllr. Finlay spoke.", "Det. Sgt. Lee left."]
    # a state abbreviation ends a sentence only before a usual opener, as a dotted acronym does
    assert pieces("In Lansing, Mich. Gov. Gretchen Whitmer spoke. It rained in Portland, Ore. The fair closed.") == [
        "In Lansing, Mich. Gov. Gretchen Whitmer spoke.", "It rained in Portland, Ore.", "The fair closed."]
    assert pieces("It is in Woods Hole, Mass. Although small, it is old. They went to Mass. Afterwards they ate.") == [
        "It is in Woods Hole, Mass.", "Although small, it is old.", "They went to Mass.", "Afterwards they ate."]


@pytest.mark.parametrize("dateline,place,day", [
    ("WILMINGTON, N.C. (AP) — ", "WILMINGTON", None),
    ("BOGOTÁ, June 2 (Reuters) - ", "BOGOTÁ", "06-02"),
    ("LONDON, 15 March (Reuters) - ", "LONDON", "03-15"),
    ("SÃO PAULO, Brazil — ", "SÃO PAULO", None),
    ("NEW DELHI, Nov 21 (PTI): ", "NEW DELHI", "11-21"),
    ("Berlin (dpa) - ", "Berlin", None),  # in title case when an agency names itself
    ("Mumbai, Nov 21 (PTI) - ", "Mumbai", "11-21"),
    ("New Delhi, May 16 (PTI) ", "New Delhi", "05-16"),  # PTI writes no dash
    ("New Delhi [India], May 16 (ANI): ", "New Delhi", "05-16"),
])
def test_datelines_with_initials_accents_or_the_day_first(tmp_path, dateline, place, day):
    from qa.corpus import read_corpus
    from qa.sentences import split_article

    (tmp_path / "a.txt").write_text(f"Ferry capsizes off the coast\n\n{dateline}The U.S. Coast Guard searched all "
                                    "night. Three people are missing.\n", encoding="utf-8")
    (article,) = read_corpus(tmp_path).articles
    assert [s.text for s in split_article(article)][1:] == [
        f"{dateline}The U.S. Coast Guard searched all night.", "Three people are missing."]
    assert (article.dateline.place, article.dateline.day) == (place, day)


@pytest.mark.parametrize("opening", [
    "Andhra Pradesh (AP) Chief Minister N Chandrababu Naidu on Monday announced relief. ",  # a name's abbreviation
    "Aam Aadmi Party (AAP) National Convenor Arvind Kejriwal said the party would fight. ",
])
def test_an_agency_s_initials_without_a_date_or_dash_open_no_dateline(opening):
    from qa.metadata import dateline

    assert dateline(opening, 0) is None


def test_a_bracket_after_an_abbreviation_goes_on_with_the_sentence():
    assert pieces("It sank at 3:24 a.m. (1924 GMT Friday), about 75 miles out. Crews searched.") == [
        "It sank at 3:24 a.m. (1924 GMT Friday), about 75 miles out.", "Crews searched."]
    assert pieces("Chief (Mrs.) Abimbola Bello died. Engr. Musa spoke. He left the U.S. (He never returned.)") == [
        "Chief (Mrs.) Abimbola Bello died.", "Engr. Musa spoke.", "He left the U.S.", "(He never returned.)"]
