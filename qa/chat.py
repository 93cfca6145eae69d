"""Follow-up questions without an LLM: rewrite a question from the previous turn of the chat by rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer_types import entity_spans
from qa.tokens import QUESTION_WORDS, STOPWORDS, fold

_PERSONAL = {"he": "{x}", "she": "{x}", "him": "{x}", "his": "{x}'s", "her": "{x}", "hers": "{x}'s"}
_THING = {"it": "{x}", "its": "{x}'s", "they": "{x}", "them": "{x}", "their": "{x}'s", "there": "in {x}"}
_PRONOUN = re.compile(r"\b(" + "|".join(list(_PERSONAL) + list(_THING)) + r")\b", re.I)
_WORD = re.compile(r"[^\W_]+(?:[’'\-][^\W_]+)*")
_ELLIPTICAL = re.compile(r"^\s*(?:and|or|but|what about|how about|and what about|same for)\b", re.I)


@dataclass(frozen=True)
class Turn:
    """What the chat remembers of an earlier turn: the question and, if it was answered, the answer."""

    question: str
    answer: str | None = None
    source: str | None = None


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if fold(w) not in STOPWORDS and fold(w) not in QUESTION_WORDS]


def _subject(turn: Turn) -> str | None:
    """What a pronoun in the next question most likely points at: the previous short answer if it is a
    name, else the first name in the previous question."""
    if turn.answer and turn.answer[:1].isupper() and len(turn.answer.split()) <= 6:
        return turn.answer.rstrip(".,;:")
    names = [turn.question[s:e] for s, e in entity_spans(turn.question)]
    return names[0] if names else None


def _object(turn: Turn) -> str | None:
    """What 'it' / 'there' / 'they' most likely points at: the first name in the previous question, else
    the previous answer."""
    names = [turn.question[s:e] for s, e in entity_spans(turn.question)]
    return names[0] if names else (turn.answer.rstrip(".,;:") if turn.answer else None)


def rewrite(question: str, previous: Turn | None) -> str:
    """The question made self-contained using the previous turn; unchanged when it already is.

    Pronouns are replaced (he/she -> the previous answer or its subject; it/they/there -> the previous
    question's topic), and an elliptical question ("And Germany?") takes the previous question's terms."""
    if previous is None:
        return question
    replaced = False

    def swap(match: re.Match[str]) -> str:
        nonlocal replaced
        word = match.group(1).lower()
        template = _PERSONAL.get(word) or _THING[word]
        referent = _subject(previous) if word in _PERSONAL else _object(previous)
        if not referent:
            return match.group(0)
        replaced = True
        return template.format(x=referent)

    text = _PRONOUN.sub(swap, question)
    if replaced:
        return text
    own = {fold(w) for w in _content_words(question)}
    if len(own) <= 2 and (_ELLIPTICAL.match(question) or len(question.split()) <= 3):
        # "And in 2023?" / "What about Germany?": keep the previous question's terms.
        carried = [w for w in _content_words(previous.question) if fold(w) not in own and fold(w) != "about"]
        if carried:
            return f"{question.rstrip(' ?')} {' '.join(carried)}?"
    return question
