"""Windows of whole sentences with overlap -> Passage, the unit the retriever ranks."""

from __future__ import annotations

from dataclasses import dataclass

from qa.config import Settings
from qa.corpus import BlockKind
from qa.sentences import Sentence


@dataclass(frozen=True)
class Passage:
    """Sentences [first, last) of the global sentence table, all from one article."""

    article: str
    first: int
    last: int
    start: int
    end: int
    text: str


def _n_words(text: str) -> int:
    return len(text.split())


def make_passages(sentences: list[Sentence], offset: int, settings: Settings) -> list[Passage]:
    """Passages over one article's sentences; `offset` is the global index of sentences[0].

    A window holds up to `passage_sentences` sentences and `passage_words` words (always at least
    one sentence) and the next window repeats the last `passage_overlap` sentences of the one before.
    """
    passages: list[Passage] = []
    i, n = 0, len(sentences)
    while i < n:
        j, words = i, 0
        while j < n and j - i < settings.passage_sentences:
            w = _n_words(sentences[j].text)
            if j > i and words + w > settings.passage_words:
                break
            words += w
            j += 1
        window = sentences[i:j]
        passages.append(Passage(
            article=window[0].article,
            first=offset + i,
            last=offset + j,
            start=window[0].start,
            end=window[-1].end,
            text=" ".join(s.text for s in window),
        ))
        if j >= n:
            break
        i = max(i + 1, j - settings.passage_overlap)
    return passages


def embedding_text(passage: Passage, title: str, first_kind: BlockKind, settings: Settings) -> str:
    """What the encoder sees for a passage: its text, led by the article's headline if configured."""
    if settings.title_in_passage and first_kind is not BlockKind.HEADLINE and title:
        return f"{title}. {passage.text}"
    return passage.text
