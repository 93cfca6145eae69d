"""Short answers: the smallest span of the chosen sentence that answers the question, or None."""

from __future__ import annotations

import re

from qa.answer_types import DATE, MONTHS, NUMBER, AnswerType, counted_words, entity_spans
from qa.tokens import STOPWORDS, double_quotes, fold, stem_words, visible

_WORD = re.compile(r"[^\W_]+(?:[’'\-.][^\W_]+)*")
_QUOTE = re.compile(r"[“\"]([^”\"]{3,200})[”\"]")
TITLES = frozenset("""president vice prime minister secretary general chief chancellor foreign defence defense
mr mrs ms dr prof sir lord lady king queen prince princess senator governor mayor commander ambassador
spokesman spokeswoman spokesperson leader head director chairman chairwoman ceo pope bishop colonel
lieutenant captain major sergeant admiral marshal deputy state high representative""".split())
_TITLE_STEMS = frozenset(stem_words(sorted(TITLES)))
_GAP_STOP = frozenset(",.;:!?”\"()[]")


def _stem(word: str) -> str:
    return stem_words([fold(word)])[0]


def _is_new(word: str, question_stems: set[str]) -> bool:
    w = fold(word)
    return w not in STOPWORDS and _stem(word) not in question_stems


def _trim(sentence: str, start: int, end: int, question_stems: set[str], person: bool) -> tuple[int, int] | None:
    """Drop leading/trailing words the question already holds (and, for people, titles and demonyms)."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(sentence[start:end])]
    def droppable(w: str) -> bool:
        lw = fold(w).strip("’'")
        return (not _is_new(w, question_stems) or lw in STOPWORDS
                or (person and (lw in TITLES or _stem(w) in _TITLE_STEMS
                                or re.search(r"(?:ian|ean|ese|ish|ic)$", lw) is not None)))
    while words and droppable(sentence[words[0][0]:words[0][1]]):
        words.pop(0)
    while words and not _is_new(sentence[words[-1][0]:words[-1][1]], question_stems):
        words.pop()
    return (words[0][0], words[-1][1]) if words else None


def _joined_entities(sentence: str) -> list[tuple[int, int]]:
    """Entity runs, with lists and "City, Country" pairs joined: "Wiesbaden, Germany", "the US, Germany and Norway"."""
    spans = entity_spans(sentence)
    joined: list[tuple[int, int]] = []
    for s, e in spans:
        if joined and re.fullmatch(r",?\s*(?:and\s+|or\s+)?|,\s*", sentence[joined[-1][1]:s]):
            joined[-1] = (joined[-1][0], e)
        else:
            joined.append((s, e))
    return joined


def _head_noun(question: str) -> str | None:
    m = re.search(r"\b(?:which|what)\s+(\w+)", question, re.I)
    return _stem(m.group(1)) if m else None


def _extend_to_head(sentence: str, start: int, end: int, head: str | None) -> tuple[int, int]:
    """'Patriot' + ' air defense systems' when the question asks 'which systems'."""
    if head is None:
        return start, end
    for m in _WORD.finditer(sentence, end):
        if re.search(r"[,.;:]", sentence[end:m.start()]) or m.start() - end > 40:
            break
        if _stem(m.group()) == head:
            return start, m.end()
    return start, end


def _gap_phrase(sentence: str, question_stems: set[str]) -> tuple[int, int] | None:
    """The run of words the question does not have, right after the words it does: for
    'How do most wars end?' in '“Most wars end with negotiations,” he said' -> 'with negotiations'."""
    words = list(_WORD.finditer(sentence))
    matched = [not _is_new(w.group(), question_stems) and fold(w.group()) not in STOPWORDS for w in words]
    best, best_score = None, 0
    for i, w in enumerate(words):
        if not matched[i] or i + 1 >= len(words) or matched[i + 1]:
            continue
        j = i + 1
        while j < len(words) and not matched[j] and not (set(sentence[words[j - 1].end():words[j].start()]) & _GAP_STOP):
            j += 1
        if set(sentence[w.end():words[i + 1].start()]) & _GAP_STOP:
            continue
        score = sum(matched[max(0, i - 4):i + 1])
        if score > best_score and any(_is_new(words[k].group(), question_stems) for k in range(i + 1, j)):
            best, best_score = (words[i + 1].start(), words[j - 1].end()), score
    return best


def short_answer(question: str, kind: AnswerType, sentence: str, question_stems: set[str]) -> tuple[int, int] | None:
    """(start, end) of the short answer inside `sentence`, or None when no span fits the question."""
    shown = visible(sentence)
    if shown.offsets is not None:  # found without the invisible characters, given back as offsets with them
        found = short_answer(question, kind, shown.text, question_stems)
        return shown.span(*found) if found else None

    def new_spans(spans: list[tuple[int, int]], person: bool = False) -> list[tuple[int, int]]:
        out = []
        for s, e in spans:
            trimmed = _trim(sentence, s, e, question_stems, person)
            if trimmed:
                out.append(trimmed)
        return out

    def months_only(s: int, e: int) -> bool:
        return all(fold(w).strip(".") in MONTHS for w in _WORD.findall(sentence[s:e]))

    candidates: list[tuple[int, int]] = []
    if kind is AnswerType.TIME:
        candidates = [(m.start(), m.end()) for m in DATE.finditer(sentence)
                      if _is_new(m.group().split()[0], question_stems) or len(m.group().split()) > 1]
    elif kind is AnswerType.NUMBER:
        candidates = [(m.start(), m.end()) for m in NUMBER.finditer(sentence)
                      if any(_is_new(w, question_stems) for w in _WORD.findall(m.group()))]
    elif kind in (AnswerType.PERSON, AnswerType.PLACE, AnswerType.ENTITY):
        spans = _joined_entities(sentence) if kind is not AnswerType.PERSON else entity_spans(sentence)
        candidates = [span for span in new_spans(spans, person=kind is AnswerType.PERSON)
                      if not months_only(*span)]
        if kind is AnswerType.ENTITY:
            head = _head_noun(question)
            extended = [_extend_to_head(sentence, s, e, head) for s, e in candidates]
            # A name that runs into the asked-for noun ("Patriot ... systems") beats any other name.
            candidates = [x for x, c in zip(extended, candidates) if x != c] or extended
    else:
        if re.search(r"\b(?:say|said|says|tell|told|call|called|describe|warn|warned)\b", question, re.I):
            candidates = [m.span(1) for m in _QUOTE.finditer(double_quotes(sentence))]
        if not candidates:
            gap = _gap_phrase(sentence, question_stems)
            candidates = [gap] if gap else []
    candidates = [span for span in (_tidy(sentence, *c) for c in candidates) if span]
    if not candidates:
        return None
    return min(candidates, key=lambda span: _distance(sentence, span, question_stems))


def counted_span(question: str, sentence: str, span: tuple[int, int]) -> tuple[int, int]:
    """For "How many X ...?", the count the sentence gives X ("to 38 GM and Stellantis parts distribution centers")
    in place of `span` when `span` counts something else (it ends in another noun after a figure: "about 5,600 more
    workers") and the sentence gives X exactly one count: a figure followed, within six words and no punctuation, by
    X's head noun. Else `span`."""
    counted = counted_words(question)
    words = _WORD.findall(sentence[span[0]:span[1]])
    if not counted or not NUMBER.search(sentence, span[0], span[1]) or not words or NUMBER.fullmatch(words[-1]):
        return span
    head = _stem(counted[-1])

    def counts_head(m: re.Match[str]) -> bool:
        after = re.match(r"[^,.;:!?()]{0,80}", sentence[m.end():]).group()
        return head in [_stem(w) for w in _WORD.findall(after)[:6]]

    of_head = [m for m in NUMBER.finditer(sentence) if not DATE.fullmatch(m.group()) and counts_head(m)]
    if len(of_head) != 1 or any(span[0] <= m.start() < span[1] for m in of_head):
        return span
    return of_head[0].span()


def _tidy(sentence: str, start: int, end: int) -> tuple[int, int] | None:
    """Strip surrounding spaces, punctuation and trailing function words ("... the alliance at a")."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(sentence[start:end])]
    while words and fold(sentence[words[-1][0]:words[-1][1]]) in STOPWORDS:
        words.pop()
    if words and re.search(r"[’']s$", sentence[words[-1][0]:words[-1][1]]):
        words[-1] = (words[-1][0], words[-1][1] - 2)  # possessive: "Finland's border" -> "Finland"
    if not words:
        return None
    head = start
    while head < words[0][0] and not sentence[head].isalnum() and sentence[head] not in "$€£¥":
        head += 1
    return head, words[-1][1] if not sentence[words[-1][1]:end].startswith("%") else words[-1][1] + 1


def _distance(sentence: str, span: tuple[int, int], question_stems: set[str]) -> int:
    """Characters from the span to the nearest question word in the sentence (answers sit near them)."""
    positions = [m.start() for m in _WORD.finditer(sentence)
                 if fold(m.group()) not in STOPWORDS and _stem(m.group()) in question_stems]
    if not positions:
        return span[0]
    return min(min(abs(p - span[0]), abs(p - span[1])) for p in positions)
