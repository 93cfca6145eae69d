"""Short answers: a learned extractive reader marks where the answer starts and ends inside a chosen sentence.

MiniLM-L6 (the packaged bi-encoder's base weights) with a low-rank adapter (qa/adapter.py) reads the question
and the sentence together; a linear head gives every token a start and an end score, and the [CLS] position
stands for "no answer here". Fitted by benchmarks/fit_reader.py on the SQuAD dev questions outside the test
split and shipped as qa/reader.npz. `Span.probability` is P(this span is the answer) under the model.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.adapter import load_adapted, read_adapter
from qa.answer_types import (DATE, NUMBER, QUALIFIERS, WORD, AnswerType, answer_type, asks_casualty, asks_said,
                             asks_words, asks_yes_no, counted_words, figure_casualty, has_verb, is_content, predicates,
                             quotes, reported, word_matches)
from qa.config import DEFAULT_BACKEND
from qa.encoder import threads_for, torch_threads
from qa.metadata import dateline
from qa.span import TITLES
from qa.tokens import double_quotes, fold, query_tokens, tokens


def dateline_end(text: str) -> int:
    """Where the text's opening dateline ends (0 without one): the reader reads what follows."""
    found = dateline(text, 0)
    return found.end if found is not None else 0


DEFAULT_READER = Path(__file__).resolve().parent / "reader.npz"
MAX_TOKENS = 192  # question + sentence; the longer of the two is cut first
MAX_ANSWER_TOKENS = 30
CASUALTY_CHOICES = 20  # spans weighed for a count of the dead or the injured (`asks_casualty`)
SHOWN_CHOICES = 20  # spans summed into the probability of the answer shown (`Span.answer_probability`)
NAMED = (AnswerType.PERSON, AnswerType.TIME, AnswerType.PLACE)  # answered by a name, a date or a place


@dataclass(frozen=True)
class Span:
    """A short answer inside a text: `text[start:end]`, with its probability and that of no answer at all."""

    start: int
    end: int
    probability: float
    null_probability: float
    # P(the answer shown): the probability of every span that shows as this one (`shown_span`: after tidying, the
    # quantity's qualifiers and counted noun, a whole quote: "413" and "At least 413"); the short answer is shown
    # when this is likely enough
    answer_probability: float
    # the answer is a whole that the question's form asks for: a quote of the text when asked for someone's words
    # (`answer_types.quotes`), what a clause of it states when asked whether something is so (`predicates`). Shown
    # however likely the reader finds it: the reader learnt from no yes/no question and marks a quote's part rather
    # than the quote, so its probability says little about them; whether the sentence answers at all is the
    # answerability check's to say
    whole: bool = False

    def shown(self, threshold: float) -> bool:
        """Whether the short answer is shown: likely enough, or a `whole`."""
        return self.whole or self.answer_probability >= threshold


def encode_pairs(tokenizer, question: str, texts: list[str]):
    """Tokenised (question, text) pairs with character offsets; the longer of the two is cut first."""
    return tokenizer([question] * len(texts), texts, truncation="longest_first", max_length=MAX_TOKENS,
                     padding=True, return_tensors="pt", return_offsets_mapping=True)


def span_logits(model, head_weight, head_bias, enc):
    """(start, end) logits per token, each a (pairs, tokens) torch tensor."""
    inputs = {k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    hidden = model(**inputs).last_hidden_state
    logits = hidden @ head_weight + head_bias  # (pairs, tokens, 2)
    return logits[..., 0], logits[..., 1]


def allowed_positions(enc) -> np.ndarray:
    """Boolean (pairs, tokens): the text's own tokens, and [CLS] (position 0) for "no answer"."""
    allowed = np.asarray(enc["token_type_ids"]) == 1
    allowed &= np.asarray(enc["attention_mask"]) == 1
    offsets = np.asarray(enc["offset_mapping"])
    allowed &= offsets[..., 1] > offsets[..., 0]  # not the closing [SEP]
    allowed[:, 0] = True
    return allowed


def _softmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    x = np.where(mask, x, -np.inf)
    x = x - x.max()
    e = np.exp(x)
    return e / e.sum()


def ranked_spans(start_logits: np.ndarray, end_logits: np.ndarray, allowed: np.ndarray,
                 n: int = 1) -> tuple[list[tuple[int, int, float]], float]:
    """The `n` best spans of at most MAX_ANSWER_TOKENS tokens as (start token, end token, P(span)), best first,
    and P(no answer)."""
    ps, pe = _softmax(start_logits, allowed), _softmax(end_logits, allowed)
    p_null = float(ps[0] * pe[0])
    positions = np.flatnonzero(allowed[1:]) + 1
    if not len(positions):
        return [], p_null
    s, e = ps[positions], pe[positions]
    joint = np.triu(np.outer(s, e)) - np.triu(np.outer(s, e), MAX_ANSWER_TOKENS)
    # The best n without sorting the whole (tokens x tokens) matrix (`best_span` asks for one, a read for 20).
    scores = joint.ravel()
    if n == 1:
        flat = np.array([int(np.argmax(scores))])
    else:
        top = np.argpartition(-scores, min(n, scores.size) - 1)[:n]
        flat = top[np.lexsort((top, -scores[top]))]
    return [(int(positions[i]), int(positions[j]), float(joint[i, j]))
            for i, j in zip(*np.unravel_index(flat, joint.shape))], p_null


def best_span(start_logits: np.ndarray, end_logits: np.ndarray, allowed: np.ndarray) -> tuple[int, int, float, float]:
    """(start token, end token, P(span), P(no answer)) of the best span of at most MAX_ANSWER_TOKENS tokens."""
    spans, p_null = ranked_spans(start_logits, end_logits, allowed)
    return (*spans[0], p_null) if spans else (0, 0, 0.0, p_null)


def tidy_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Whole words only; no unbalanced quote; no lone word cut out of a capitalised name; no markdown emphasis
    left open (`_whole_emphasis`) nor around the whole span; no trailing punctuation, no leading dash. None when
    nothing is left."""
    # markdown's emphasis around a span is not part of it ("*The Boy and the Heron*": a markdown file's sentences
    # keep their markers, as their offsets are into the file), and a short emphasised title or name inside it is
    # never cut ("Hayao Miyazaki's *The Boy and the [Heron*]")
    pairs = _emphasis_pairs(text)
    # a span that starts inside a run of markers starts after it (a marker is a token of its own: "*[*Paris, London"
    # -> "Paris"); one that ends inside a run that closes emphasis holds the whole run ("**Vladimir [Putin*]*"), so
    # that no lone "*" is left on it
    for run in _EMPHASIS.finditer(text):
        start = run.end() if run.start() < start < run.end() else start
        if run.start() < end < run.end():
            end = run.end() if run.start() and not text[run.start() - 1].isspace() else run.start()
    start, end = _whole_emphasis(text, start, end, pairs)
    span = text[start:end]
    start, end = start + len(span) - len(span.lstrip(" ")), start + len(span.rstrip(" "))
    start, end = _unwrapped(start, end, pairs)
    # a marker that closes nothing (a list's "* ") is not part of it either
    paired = {m.start() for pair in pairs for m in pair}
    while start < end and text[start] in " *" and not (text[start] == "*" and start in paired):
        start += 1
    while end > start and text[end - 1] in " *" and not (text[end - 1] == "*" and _run_start(text, end) in paired):
        end -= 1
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    # A name is never cut: "Henrik [Ødegård]" -> "Henrik Ødegård" (titles such as "President" stay out).
    words = list(re.finditer(r"[^\W\d_][\w’'\-.]*", text))
    inside = [w for w in words if start <= w.start() < end]
    if inside and _name_word(inside[0].group()):
        before = [w for w in words if w.end() <= inside[0].start()]
        while (before and _name_word(before[-1].group()) and text[before[-1].end():start].isspace()
               and not _sentence_start(text, before[-1].start())):
            start = before.pop().start()
    if inside and _name_word(inside[-1].group()) and inside[-1].end() >= end:
        after = [w for w in words if w.start() >= inside[-1].end()]
        while after and _name_word(after[0].group()) and text[end:after[0].start()].isspace():
            end = after.pop(0).end()
    while end > start and text[end - 1] in " ,;:.!?)]”\"'’" and not _keeps_final(text, start, end):
        end -= 1
    start, end = _unwrapped(start, end, pairs)
    # nor is a dash that sets off a list ("1,832 deaths - 812 in ...") part of the answer
    while start < end and (text[start] in " ,;:([“\"'‘"
                           or text[start] in "-–—" and text[start + 1:start + 2].isspace()):
        start += 1
    marked = double_quotes(text)  # single curly quotes are weighed as double ones
    if _unbalanced(marked[start:end]):
        # Cut at the quote mark left open: keep the balanced side with words that say something, the longer on a
        # tie ('a "sham' -> 'sham', not 'a'; 'the "Rwanda plan" would "fail' -> 'the "Rwanda plan" would')
        marks = [start + i for i, ch in enumerate(marked[start:end]) if ch in '"“”']
        sides = []
        for cut in _open_marks(marked, marks) or dict.fromkeys((marks[0], marks[-1])):
            for a, b in ((start, cut), (cut + 1, end)):
                b = a + len(text[a:b].rstrip(" ,;:"))
                a = b - len(text[a:b].lstrip(" "))
                if b > a and not _unbalanced(marked[a:b]) and any(ch.isalnum() for ch in text[a:b]):
                    sides.append((a, b))
        if not sides:
            return None
        start, end = max(sides, key=lambda s: (any(is_content(w.group()) for w in word_matches(text[s[0]:s[1]])),
                                               s[1] - s[0], -s[0]))
    return (start, end) if end > start and any(ch.isalnum() for ch in text[start:end]) else None


_EMPHASIS = re.compile(r"\*+")
EMPHASIS_WORDS = 8  # an emphasised run of at most this many words is a title or name, kept whole in an answer


def _emphasis_pairs(text: str) -> list[tuple[re.Match, re.Match]]:
    """markdown's emphasis markers ("*", "**") paired open with close, in order: a run opens when a word follows it
    and none stands right before it, and closes when it follows a word and none follows it (a list's "* ", a
    rating's "5*" and "2 * 3" pair with nothing)."""
    pairs, opened = [], []
    for run in _EMPHASIS.finditer(text):
        before, after = text[run.start() - 1:run.start()], text[run.end():run.end() + 1]
        closes = bool(before) and not before.isspace() and not after.isalnum()
        opens = bool(after) and not after.isspace() and not before.isalnum()
        if closes and opened and opened[-1].group() == run.group():
            pairs.append((opened.pop(), run))
        elif opens:
            opened.append(run)
    return pairs


def _unwrapped(start: int, end: int, pairs: list[tuple[re.Match, re.Match]]) -> tuple[int, int]:
    """The span inside the emphasis markers when a pair of them encloses all of it ("*The Boy and the Heron*")."""
    for a, b in pairs:
        if (start, end) == (a.start(), b.end()):
            return a.end(), b.start()
    return start, end


def _run_start(text: str, end: int) -> int:
    """Where the run of "*" that ends at `end` starts."""
    start = end
    while start > 0 and text[start - 1] == "*":
        start -= 1
    return start


def _whole_emphasis(text: str, start: int, end: int, pairs: list[tuple[re.Match, re.Match]]) -> tuple[int, int]:
    """The span with no emphasis marker (of `pairs`, `_emphasis_pairs`) left open: one whose emphasised title or
    name it cuts takes the whole of it, markers and all ("Miyazaki's *The Boy and the [Heron*]"); a longer
    emphasised passage is cut at its marker instead, on the side that holds more of the span."""
    for a, b in pairs:
        opens, closes = start <= a.start() < end < b.end(), start < b.end() <= end and a.start() < start
        if not opens and not closes:
            continue
        if len(text[a.end():b.start()].split()) <= EMPHASIS_WORDS:
            start, end = min(start, a.start()), max(end, b.end())
        elif opens:
            start, end = (start, a.start()) if a.start() - start >= end - a.end() else (a.end(), end)
        else:
            start, end = (start, b.start()) if b.start() - start >= end - b.end() else (b.end(), end)
    return start, end


def _open_marks(text: str, marks: list[int]) -> list[int]:
    """Of the quote marks at `marks`, those no other closes or opens: a straight mark before a word and after none
    opens a quote ('"Rwanda'), after a word it closes one ('plan"')."""
    opened, unmatched = [], []
    for i in marks:
        ch = text[i]
        opening = ch == "“" or ch == '"' and text[i + 1:i + 2].isalnum() and not text[i - 1:i].isalnum()
        if opening:
            opened.append(i)
        elif opened:
            opened.pop()
        else:
            unmatched.append(i)
    return unmatched + opened


# Words that say how exact a quantity is belong to it: "about 12,700", "more than 1,800", "at least nine",
# "between 10,000 and 20,000". News states most figures this way, and a figure without them says more than the
# article does.
_QUALIFIER = re.compile(rf"(?:\b(?:{QUALIFIERS})\s+)+$", re.I)
_BETWEEN = re.compile(r"\bbetween\s+$", re.I)
_QUANTITY = re.compile(r"[$€£¥₹]?\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                       r"dozens?|hundreds?|thousands?|millions?|billions?)\b", re.I)


def with_qualifier(text: str, start: int, end: int) -> int:
    """The start of a quantity's span taken back over the words that qualify it ("[about] 12,700"), and over
    "between" when the span is "X and Y"."""
    if not _QUANTITY.match(text, start):
        return start
    m = _QUALIFIER.search(text, 0, start)
    if m:
        return m.start()
    m = _BETWEEN.search(text, 0, start)
    return m.start() if m and " and " in text[start:end] else start


_NEXT_WORD = re.compile(rf"\s+({WORD.pattern})")


def with_counted(text: str, start: int, end: int, counted: tuple[str, ...]) -> int:
    """The end of a count's span taken on over the words after it that name what the question counts (`counted`:
    answer_types.counted_words), up to its head noun as the question writes it: "seven" -> "seven Oscars",
    "13 billion" -> "13 billion COVID-19 vaccine doses" (not "13 Oscar" of "13 Oscar nominations"). Unchanged
    unless the span ends with a figure (not a year)."""
    last = word_matches(text[start:end])
    figure = last[-1].group() if last else ""
    if not counted or not NUMBER.fullmatch(figure) or DATE.fullmatch(figure):
        return end
    at, best = end, end
    while (m := _NEXT_WORD.match(text, at)) and fold(m.group(1)) in counted:
        at = m.end()
        if fold(m.group(1)) == counted[-1]:
            best = at
    return best


# the rate a figure is given at: "$500 a week", "about 6 trillion yen a month", "four to eight hours per aircraft"
_RATE = re.compile(r"\s+(?:(?:a|an|per|each|every)\s+(?:day|week|month|year|hour|night|season|quarter|share|head|"
                   r"person|barrel|gallon|litre|liter)|per\s+(?!(?:cent|se|the|a|an|my|his|her|its|our|your|their|"
                   r"this|that)\b)[a-z]+)(?![\w-])(?!\s+(?:later|earlier|before|after|ago|into|since|previously|prior|"
                   r"price|prices)\b)")


def with_rate(text: str, start: int, end: int) -> int:
    """The end of an amount's span taken on over the rate it is given at (`_RATE`): "$500" -> "$500 a week" when
    the sentence goes on so; an amount per day or per person is another figure than a total ("a day later" is no
    rate). Unchanged unless one of the span's last three words is a figure (not a year)."""
    tail = word_matches(text[start:end])[-3:]
    if not any(NUMBER.fullmatch(w.group()) and not DATE.fullmatch(w.group()) for w in tail):
        return end
    rate = _RATE.match(text, end)
    return rate.end() if rate else end


# A connective or time word that opens a quote links it to what came before or to when it was said; it is not what
# was said about the question: "However, we do take issue with the ruling" -> "we do take issue with the ruling".
_QUOTE_OPENER = re.compile(r"(?:however|but|and|so|still|now|well|tonight|today|sadly|frankly|honestly|indeed|yet|"
                           r"clearly|look|unfortunately|obviously|of course|ultimately)\s*,\s+", re.I)


def shown_span(text: str, start: int, end: int, qualifiers: bool = True,
               wholes: tuple[tuple[int, int], ...] = (), counted: tuple[str, ...] = ()) -> tuple[int, int] | None:
    """The answer a span of `text` shows: tidied (`tidy_span`), a quantity with its qualifier (`with_qualifier`),
    the noun the question counts (`with_counted`) and its rate (`with_rate`); a span inside one of the `wholes`
    ((start, end) in `text`) shows all of it. The wholes are the quotes when the question asks what someone said:
    someone's words are answered as they said them (without a connective that opens the quote, `_QUOTE_OPENER`);
    they are what each clause states (`answer_types.predicates`) when it asks whether something is so: "Did the G20
    declaration condemn Russia?" is answered "stopped short of condemning Russia", not "Russia"."""
    tidy = tidy_span(text, start, end)
    for a, b in wholes:
        if tidy and a <= tidy[0] and tidy[1] <= b:
            opener = _QUOTE_OPENER.match(text, a, b)
            return tidy_span(text, opener.end() if opener else a, b)
    return qualified(text, tidy, qualifiers, counted)


def qualified(text: str, tidy: tuple[int, int] | None, qualifiers: bool = True,
              counted: tuple[str, ...] = ()) -> tuple[int, int] | None:
    """A tidied span, taken back over the words that qualify its quantity when `qualifiers` (`with_qualifier`),
    and on over the noun the question counts (`with_counted`) and the rate its amount is given at (`with_rate`)."""
    if tidy is None:
        return None
    start = with_qualifier(text, *tidy) if qualifiers else tidy[0]
    return start, with_rate(text, start, with_counted(text, *tidy, counted))


def answer_probability(text: str, spans: list[tuple[int, int, float]], shown: tuple[int, int],
                       qualifiers: bool = True, wholes: tuple[tuple[int, int], ...] = (),
                       counted: tuple[str, ...] = ()) -> float:
    """P(the answer `shown`): the probabilities of the spans ((start, end) in `text`, P(span)) that show as it
    summed ("413" and "At least 413" are one answer; so are the parts of a quote among `wholes`, and "seven" and
    "seven Oscars" when the question counts Oscars, `shown_span`). Only spans that overlap it can."""
    return sum(p for a, b, p in spans
               if a < shown[1] and b > shown[0] and shown_span(text, a, b, qualifiers, wholes, counted) == shown)


def named(text: str, spans: list[tuple[int, int, float]], kind: AnswerType) -> tuple[int, int, float]:
    """Of the ranked spans ((start, end) in `text`, P(span); best first), the answer to a question for a person, a
    time or a place (`kind`): a name, a time or a place is no clause, so when the best span holds a verb it is the
    best of the spans inside it without one ("5:07 p.m.", not "1282 left PDX at 5:07 p.m"), a time among them one
    with a figure or a date in it ("after the war ended" is a time; "the war" inside it is not), else the best."""
    best = spans[0]
    if not has_verb(text[best[0]:best[1]]):
        return best
    return next((s for s in spans[1:] if best[0] <= s[0] and s[1] <= best[1] and not has_verb(text[s[0]:s[1]])
                 and (kind != AnswerType.TIME or re.search(r"\d", text[s[0]:s[1]]) or DATE.search(text, s[0], s[1]))),
                best)


def about(question: str, text: str, clauses: list[tuple[int, int]],
          mass: dict[tuple[int, int], float]) -> tuple[int, int]:
    """Of the clauses' predicates ((start, end) in `text`, in order), the one whose clause (from where the one
    before ends) shares the most words with the question, then the one most spans show (`mass`): "Would Labour
    bring the northern leg back?" is answered by "declined to say whether a Labour government would revive the
    northern leg", not by the "saying he could not make commitments ..." after it."""
    asked = set(query_tokens(question))
    starts = [0] + [end for _, end in clauses[:-1]]
    shared = {c: len(asked & set(tokens(text[a:c[1]]))) for a, c in zip(starts, clauses)}
    return max(clauses, key=lambda c: (shared[c], mass.get(c, 0.0)))


def _name_word(word: str) -> bool:
    return word[0].isupper() and word.lower().strip(".") not in TITLES


def _unbalanced(span: str) -> bool:
    return span.count('"') % 2 == 1 or span.count("“") != span.count("”")


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?\"“”"


def _keeps_final(text: str, start: int, end: int) -> bool:
    """A final full stop that belongs to an abbreviation ("U.S.", "p.m.", "Jr.") stays."""
    return text[end - 1] == "." and re.search(r"(?:\b[A-Za-z]\.){2,}$|\b(?:Jr|Sr|Inc|Ltd|Co)\.$", text[start:end]) is not None


def casualty_read(text: str, read: list[tuple[tuple[int, int], float]],
                  casualty: str) -> list[tuple[tuple[int, int], float]]:
    """How many died is not answered by the injured figure ("413 killed and 3,551 injured"), nor the other way
    round. The ranked spans (`read`: (span, P(span)), best first) are weighed by the figure they start with: the
    reader's start is often sure of the figure while its end runs on over the other one ("At least 413 people have
    been killed and 3,551"), and every span that starts at a figure is a vote for it. The answer is the figure with
    the most weight among those that count the asked `casualty` kind, read as its best span that counts nothing
    else (else the figure alone); its probability is that weight given that the figures of the other kind, and
    spans without a figure, are not the answer. `read` unchanged when no figure counts that kind."""
    figures = [NUMBER.search(text, *tidy) for tidy, _ in read]
    weight: dict[tuple[int, int] | None, float] = {}  # None: the spans without a figure
    for figure, (_, p) in zip(figures, read):
        key = figure.span() if figure is not None else None
        weight[key] = weight.get(key, 0.0) + p
    fits = {key: key is not None and figure_casualty(text, *key) <= {casualty} for key in weight}
    if not any(fits.values()):
        return read
    best = max((key for key in weight if fits[key]), key=lambda key: weight[key])
    left = 1.0 - sum(w for key, w in weight.items() if not fits[key])
    whole = [tidy for figure, (tidy, _) in zip(figures, read)
             if figure is not None and figure.span() == best and figure_casualty(text, *tidy) <= {casualty}]
    return [(whole[0] if whole else best, min(1.0, weight[best] / max(left, 1e-9)))]


def reading(span: Span | None) -> tuple[float, float]:
    """(P(the best span), P(no answer)) of a read, for the abstention model; no span left counts as no answer."""
    return (span.probability, span.null_probability) if span is not None else (0.0, 1.0)


class Reader:
    """The reader with its adapter merged; `read` is thread-safe. `backend` "onnx" runs the same merged model as
    an int8 ONNX Runtime graph (qa/onnx_backend.py)."""

    def __init__(self, path: Path = DEFAULT_READER, backend: str = DEFAULT_BACKEND) -> None:
        self.backend = getattr(backend, "value", backend)
        self._lock = threading.Lock()
        if self.backend == "onnx":
            from qa import onnx_backend

            self.info = read_adapter(path, ("head.weight", "head.bias"), "reader adapter")[1]  # checked before the export
            self.onnx = onnx_backend.OnnxModel(onnx_backend.Role.READER, adapter=Path(path))
            return
        import torch

        self.model, self.tokenizer, heads, self.info = load_adapted(path, ("head.weight", "head.bias"),
                                                                     "reader adapter")
        self.head_weight = torch.from_numpy(heads["head.weight"])
        self.head_bias = torch.from_numpy(heads["head.bias"])

    def read(self, question: str, texts: list[str], *, qualifiers: bool = True) -> list[Span | None]:
        """The best short answer inside each text (None when no span is left after tidying), as `shown_span`
        shows it for this question; with `qualifiers`, a quantity keeps the words that say how exact it is
        (`with_qualifier`; the other display rules apply either way). A dateline opening a text
        ("KHARTOUM, April 21 (Reuters) - ") is not read: the reader learnt on prose, where it mostly draws the span
        to the wrong place or too wide, and where a story was filed rarely answers a question about it. Offsets
        are into the whole text."""
        if not texts:
            return []
        skipped = [dateline_end(t) for t in texts]
        texts_read = [t[k:] for t, k in zip(texts, skipped)]
        if self.backend == "onnx":
            with self._lock:
                enc = self.onnx.tokenize(texts_read, pairs_with=question)
                starts, ends = self.onnx.run(enc)
            enc["offset_mapping"] = enc["offsets"]
        else:
            import torch

            with self._lock, torch.inference_mode(), torch_threads(threads_for(len(texts))):
                enc = encode_pairs(self.tokenizer, question, texts_read)
                starts, ends = span_logits(self.model, self.head_weight, self.head_bias, enc)
            starts, ends = starts.numpy(), ends.numpy()
        allowed = allowed_positions(enc)
        offsets = np.asarray(enc["offset_mapping"])
        kind = answer_type(question)
        casualty = asks_casualty(question) if kind == AnswerType.NUMBER else None
        words, yes_no = asks_words(question), asks_yes_no(question)
        said = words or asks_said(question)
        counted = counted_words(question)
        out: list[Span | None] = []
        for row, text in enumerate(texts):
            spans, p_null = ranked_spans(starts[row], ends[row], allowed[row],
                                         CASUALTY_CHOICES if casualty else SHOWN_CHOICES)
            k, whole = skipped[row], False
            chars = [(k + int(offsets[row, i, 0]), k + int(offsets[row, j, 1]), p) for i, j, p in spans]
            if casualty:
                read = [(tidy, p) for tidy, p in ((tidy_span(text, a, b), p) for a, b, p in chars) if tidy]
                read = casualty_read(text, read, casualty) if read else read
                tidy, p = read[0] if read else (None, spans[0][2] if spans else 0.0)
                tidy, p_shown = qualified(text, tidy, qualifiers, counted), p  # the figure's weight is the answer's
            elif wholes := tuple(quotes(text) if said else predicates(text) if yes_no else ()):
                # asked for someone's words, or whether something is so: the answer that most of the spans show (the
                # better-ranked on a tie), a whole quote or clause or another; asked for the words themselves
                # (`asks_words`), a quote
                mass: dict[tuple[int, int], float] = {}
                for a, b, p in chars:
                    if (shown := shown_span(text, a, b, qualifiers, wholes)) is not None:
                        mass[shown] = mass.get(shown, 0.0) + p
                as_shown = [w for w in (shown_span(text, a, b, qualifiers, wholes) for a, b in wholes) if w]
                if words and as_shown:  # the quote most spans show, else the first
                    tidy = max(as_shown, key=lambda w: mass.get(w, 0.0))
                    p_shown = mass.get(tidy, 0.0)
                else:
                    tidy, p_shown = max(mass.items(), key=lambda kv: kv[1]) if mass else (None, 0.0)
                    # a clause answers (the best span is one, or part of one): the one about what the question asks
                    if yes_no and tidy is not None and any(a < tidy[1] and tidy[0] < b for a, b in as_shown):
                        tidy = about(question, text, as_shown, mass)
                        p_shown = mass.get(tidy, 0.0)
                p = chars[0][2] if chars else 0.0
                whole = tidy in as_shown and (words or yes_no)  # a quote for any other question keeps to the threshold
                if said and tidy in as_shown:  # the quote shown without its own "We judged that"
                    tidy = reported(text, *tidy)
            else:
                best = (named(text, chars, kind) if kind in NAMED else chars[0]) if chars else None
                tidy, p = (shown_span(text, *best[:2], qualifiers, counted=counted), best[2]) if best else (None, 0.0)
                p_shown = answer_probability(text, chars, tidy, qualifiers, counted=counted) if tidy else 0.0
            out.append(Span(tidy[0], tidy[1], p, p_null, p_shown, whole) if tidy else None)
        return out
