"""Short answers: the smallest span of the sentence that answers the question, by answer type."""

import pytest

from qa.answer_types import answer_type
from qa.span import counted_span, short_answer
from qa.tokens import query_tokens


def span(question: str, sentence: str) -> str | None:
    found = short_answer(question, answer_type(question), sentence, set(query_tokens(question)))
    return sentence[found[0]:found[1]] if found else None


@pytest.mark.parametrize("question, sentence, expected", [
    ("Where is the new NATO command located?",
     "He also highlighted the establishment of a new NATO Command in Wiesbaden, Germany, which will coordinate.",
     "Wiesbaden, Germany"),
    ("How much money did Germany and the Netherlands promise?",
     "I welcome the promises that an additional 10 billion euros will be allocated by Germany and the Netherlands.",
     "10 billion euros"),
    ("When will the first meeting of foreign ministers take place?",
     "The first meeting of foreign ministers will take place on November 28-29.", "November 28-29"),
    ("Who is the NATO Secretary General?",
     "NATO Secretary General Mark Rutte emphasized that support matters.", "Mark Rutte"),
    ("Who led the delegation?", "The delegation was led by Henrik Ødegård.", "Henrik Ødegård"),
    ("Who led the delegation?", "The delegation was led by Ker\u200bmit Ødegård.", "Ker\u200bmit Ødegård"),
    ("Who is the prime minister?", "The prime minister, Élisabeth Borne, resigned.", "Élisabeth Borne"),
    ("Who did Stoltenberg call on to stop supporting Russia?",
     "He called on Belarussian President Alexander Lukashenko to stop supporting Russia.", "Alexander Lukashenko"),
    ("Which countries announced more military aid?",
     "I welcome announcements of more military aid by the US, Germany, Sweden, and Norway,” Rutte said.",
     "US, Germany, Sweden, and Norway"),
    ("How do most wars end?", "“Most wars end with negotiations,” Stoltenberg said.", "with negotiations"),
    ("Which ally does NATO stand with at its border?",
     "“NATO stands in solidarity with our Ally Finland”, he said of Finland's border.", "Finland"),
    ("What did Stoltenberg say about Putin?", "“President Putin is failing in Ukraine,” he said.",
     "President Putin is failing in Ukraine"),
    ("What share of the territory has Ukraine recaptured?",
     "Kyiv has recaptured 50 percent of the territory that Russia had seized.", "50 percent"),
])
def test_short_answers(question, sentence, expected):
    assert span(question, sentence) == expected


def test_no_span_rather_than_a_guess():
    assert span("When did the talks start?", "The talks were long and hard.") is None
    assert span("How many tanks were sent?", "Tanks were sent to the front.") is None


def test_entity_extends_to_the_asked_for_noun():
    got = span("Which systems were called national decisions?",
               "Decisions on sending Patriot air defense systems to Ukraine are national decisions.")
    assert got == "Patriot air defense systems"


def test_a_count_of_something_else_gives_way_to_the_count_of_what_was_asked():
    s = ("It was expanded on Sept. 22 to 38 GM and Stellantis parts distribution centers in 20 states, adding about "
         "5,600 more workers.")
    q = "How many parts distribution centers were pulled into the strike on Sept. 22?"

    def span_of(question, sentence, text):
        at = sentence.index(text)
        a, b = counted_span(question, sentence, (at, at + len(text)))
        return sentence[a:b]

    assert span_of(q, s, "about 5,600 more workers") == "38"
    assert span_of(q, s, "38") == "38"
    assert span_of("How many workers joined the strike?", s, "about 5,600 more workers") == "about 5,600 more workers"
    assert span_of("How much did the strike cost?", s, "about 5,600 more workers") == "about 5,600 more workers"
    # a span that ends in a bare figure may be the answer, whatever the sentence counts elsewhere
    s = "The BJP won 240 seats in the 543-member Lok Sabha, falling well short of the 272 needed for a majority."
    assert span_of("How many seats did the BJP need for a majority?", s, "the 272") == "the 272"
    # two counts of what was asked: no guess between them
    s = "Police said 12 protesters were arrested and 40 protesters were hurt, while 3 officers were injured."
    assert span_of("How many protesters were arrested?", s, "3 officers") == "3 officers"
