"""Short answers: the smallest span of the sentence that answers the question, by answer type."""

import pytest

from qa.answer_types import answer_type
from qa.span import short_answer
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
