"""The result types that leave the engine: Evidence (one ranked sentence) and Answer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    """One supporting sentence, verbatim: `article_text[start:end] == sentence`.

    `context` is the sentence with its neighbours, `article_text[context_start:context_end]`.
    """

    sentence: str
    source: str
    title: str
    start: int
    end: int
    score: float
    context: str
    context_start: int
    context_end: int
    kind: str
    author: str | None = None  # the article's byline names
    published: str | None = None  # the article's date, YYYY-MM-DD

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Answer:
    """The answer to one question.

    When `found` is False the articles do not answer the question: the sentence fields are None
    and `evidence` holds the nearest sentences for the reader to judge. `answer` is the short answer
    inside the sentence (`article_text[answer_start:answer_end]`), or None when no span fits.
    """

    question: str
    found: bool
    score: float
    sentence: str | None
    source: str | None
    title: str | None
    start: int | None
    end: int | None
    context: str | None
    context_start: int | None
    context_end: int | None
    answer: str | None
    answer_start: int | None
    answer_end: int | None
    evidence: tuple[Evidence, ...]
    supporting_sources: tuple[str, ...] = ()
    rewritten: str | None = None
    notice: str | None = None
    author: str | None = None  # of the answer's article (its top evidence's)
    published: str | None = None

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["evidence"] = [e.to_dict() for e in self.evidence]
        data["supporting_sources"] = list(self.supporting_sources)
        return data
