"""Passages are bounded windows of whole sentences with overlap that cover every sentence."""

from qa.config import Settings
from qa.corpus import BlockKind
from qa.passages import make_passages
from qa.sentences import Sentence


def _sentences(lengths: list[int]) -> list[Sentence]:
    out, pos = [], 0
    for i, n in enumerate(lengths):
        text = " ".join(f"w{i}x{j}" for j in range(n))
        out.append(Sentence("a.txt", pos, pos + len(text), BlockKind.BODY, text))
        pos += len(text) + 1
    return out


def test_windows_respect_sentence_and_word_bounds_and_overlap():
    settings = Settings(passage_sentences=3, passage_words=25, passage_overlap=1)
    sentences = _sentences([10, 10, 10, 30, 5, 5, 5])
    passages = make_passages(sentences, 100, settings)
    covered = set()
    for p in passages:
        n = p.last - p.first
        assert 1 <= n <= 3
        words = sum(len(sentences[i - 100].text.split()) for i in range(p.first, p.last))
        assert words <= 25 or n == 1  # one over-long sentence still makes a passage
        covered.update(range(p.first, p.last))
    assert covered == set(range(100, 107))
    for prev, nxt in zip(passages, passages[1:]):
        assert nxt.first >= prev.first + 1 and nxt.first <= prev.last  # progress, overlap <= 1
    assert passages[-1].last == 107


def test_passage_text_and_span():
    sentences = _sentences([3, 4])
    (p,) = make_passages(sentences, 0, Settings())
    assert p.text == sentences[0].text + " " + sentences[1].text
    assert (p.start, p.end) == (sentences[0].start, sentences[1].end)
