"""The answer stage: from the selector's ranking to what leaves the engine, Evidence and Answer (near-duplicates
merged, context and support spans, agreeing articles, the abstention decision)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from qa.answer_types import (PRONOUN_START, asks_for_author, asks_money, asks_when_updated, counted_noun,
                             counts_others, entity_spans, leaves_quote_open, quotes_someone, states_sum)
from qa.corpus import BlockKind
from qa.index import Index, kind_code
from qa.metadata import CALENDAR, author_span, date_span, dateline
from qa.select import (QUOTE_LOOKBACK, Scored, Selector, asked_header, dedupe_key, header_lines, rival,
                       tells_of_piece, twins)
from qa.tokens import double_quotes

AGREEMENT = 0.8  # cosine above which a sentence of another article supports the answer
AGREEMENT_POOL = 30  # how many of the best candidates are checked for agreement
QUOTE_RUN = 2  # a quote left open is followed over this many sentences at most


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
    outlet: str | None = None  # the site, the row's source, or the dateline's agency
    url: str | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Answer:
    """The answer to one question.

    When `found` is False the articles do not answer the question: the sentence fields are None
    and `evidence` holds the nearest sentences for the reader to judge. `answer` is the short answer
    inside the sentence (`article_text[answer_start:answer_end]`), or None when no span is likely enough;
    `answer_score` is the reader's probability for it.
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
    answer_score: float | None = None  # the reader's probability that `answer` is the answer (None: rules)
    # The supporting span in the article: the sentence, or the sentence with the one before it when it goes on
    # from that one (a quote after "X said:", a sentence that opens with a pronoun). None when not found.
    support_start: int | None = None
    support_end: int | None = None
    outlet: str | None = None
    url: str | None = None
    # When an older article states another figure for the same thing: "earlier report (2023-04-17): 185"
    earlier: str | None = None

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["evidence"] = [e.to_dict() for e in self.evidence]
        data["supporting_sources"] = list(self.supporting_sources)
        return data


# --- building answers ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Picked:
    """The best candidates, never two that say the same thing: `rows` into the Scored arrays, best first, and the
    twin matrix of all the candidates (select.twins) that the margins are measured with."""

    rows: list[int]
    sentences: list[int]
    scores: list[float]
    twins: np.ndarray

    def first(self, i: int) -> "Picked":
        """The same picks with the i-th put first (a newer article's sentence that answers a "latest" question)."""
        order = [i] + [j for j in range(len(self.rows)) if j != i]
        return Picked([self.rows[j] for j in order], [self.sentences[j] for j in order],
                      [self.scores[j] for j in order], self.twins)

    def led_by(self, scored: Scored, sentence: int) -> "Picked":
        """The picks with the candidate `sentence` first (the one a follow-up asks about, wherever it ranks), at
        its own score, and its twins left out."""
        row = int(np.flatnonzero(scored.sentences == sentence)[0])
        keep = [j for j, r in enumerate(self.rows) if r != row and not self.twins[row, r]]
        return Picked([row] + [self.rows[j] for j in keep], [sentence] + [self.sentences[j] for j in keep],
                      [float(scored.scores[row])] + [self.scores[j] for j in keep], self.twins)

    def confidence(self, scored: Scored, selector: Selector, i: int) -> float:
        """The calibrated confidence of the i-th pick: its score and its margin over its rival."""
        return round(selector.confidence(self.scores[i], self.runner_up(scored, i)), 4)

    def runner_up(self, scored: Scored, i: int) -> float | None:
        """The rival of the i-th pick (select.rival): the best candidate that is not its near-duplicate."""
        return rival(scored.scores, self.rows[i], self.twins[self.rows[i]])


def pick(index: Index, scored: Scored, n: int) -> Picked:
    """The n best candidates, skipping any that is a twin (select.twins) of one already picked."""
    twin = twins(index, scored.sentences)
    rows: list[int] = []
    for r in range(len(scored.sentences)):
        if not twin[r, rows].any():
            rows.append(r)
            if len(rows) >= n:
                break
    return Picked(rows, [int(scored.sentences[r]) for r in rows], [float(scored.scores[r]) for r in rows], twin)


def context_rows(index: Index, sid: int, neighbours: int) -> tuple[int, int]:
    """First and last sentence of the context: the sentence with up to `neighbours` sentences each side from
    the same article, leaving out the headline; with neighbours, at least its supporting span (`support_rows`: a
    quote that runs on), so that all of the support shows highlighted in it (with none, the sentence alone)."""
    first, last = index.article_sentences(int(index.article_of(sid)))
    lo = hi = sid
    for _ in range(neighbours):
        if lo - 1 >= first and index.sentence_kind(lo - 1) is not BlockKind.HEADLINE:
            lo -= 1
        if hi + 1 < last:
            hi += 1
    if not neighbours:
        return lo, hi
    support = support_rows(index, sid)
    return min(lo, support[0]), max(hi, support[1])


def support_rows(index: Index, sid: int) -> tuple[int, int]:
    """The sentences that support an answer found in sentence `sid`: it, with the sentence before when it continues
    that one (opens with a pronoun or a quote mark, or follows a sentence ending in ':'), or back to the one that
    opened the quote it goes on with (QUOTE_RUN sentences back at most), and with the QUOTE_RUN sentences after it
    at most that go on with a quote left open ('Cullen said: ‘Nurses don’t want to strike.' / 'Ministers have left
    them no choice.’')."""
    lo = hi = sid
    if _goes_on(index, sid):
        text, before = index.sentence_text(sid), index.sentence_text(sid - 1)
        if PRONOUN_START.match(text) or text[:1] in "\"“‘'" or before.rstrip().endswith(":"):
            lo = sid - 1
        else:  # the nearest sentence before it that opened a quote still open when it starts, QUOTE_RUN back at most
            lo = next((sid - k for k in range(1, QUOTE_RUN + 1) if all(_goes_on(index, sid - j) for j in range(k))
                       and leaves_quote_open(index.span_text(sid - k, sid - 1))), sid)
    while hi - sid < QUOTE_RUN and _goes_on(index, hi + 1) and leaves_quote_open(index.span_text(lo, hi)):
        hi += 1
    return lo, hi


def _goes_on(index: Index, sid: int) -> bool:
    """Whether body sentence `sid` follows a body sentence of its own article."""
    return (0 < sid < index.n_sentences and index.article_of(sid - 1) == index.article_of(sid)
            and index.sentence_kind(sid - 1) is BlockKind.BODY and index.sentence_kind(sid) is BlockKind.BODY)


def support_span(index: Index, sid: int) -> tuple[int, int]:
    """The supporting span of an answer found in sentence `sid`, as character offsets in its article."""
    return index.char_span(*support_rows(index, sid))


# Who says the words of a sentence. A name right before a verb of saying ("Mr Stoltenberg said", "Powell also said",
# "Blinken on Monday said", "Ireland's foreign ministry said"), or with an appositive between ("Sarah Cardell, the
# CMA's chief executive, said", "its chief executive, Tom Hale, told"), but not one a preposition governs ("the
# envoy to the Sudan said"); a name after the verb where the words come first ('"...," said passenger Evan Sato',
# "said Fed chair Jerome Powell"; not "said Monday" nor "told Reuters"), or after "according to". Else an unnamed
# one ("..., the coastguard said", "U.S. officials said", "a company spokesperson said").
_SAYS = (r"(?:said|says|say|added|adds|told|tells|wrote|writes|warned|warns|argued|argues|insisted|explained|"
         r"stressed|noted|notes|declared|announced|continued|recalled|replied|stated|reiterated|remarked|commented)")
_INVERTED = re.compile(r"[,\"”’]\s*(?:said|says|added|adds|warned|insisted|explained|noted|continued|replied)\s+"
                       r"(?:(?:the|a|an)\s+)?(?:[\w.’'-]+\s+){0,3}$", re.I)
_ACCORDING = re.compile(r"\baccording\s+to\s+(?:the\s+)?(?:[\w.’'-]+\s+){0,3}$", re.I)
_ADVERB = (r"(?:(?:has|have|had)(?:\s+(?:also|previously|repeatedly|long))?|also|later|then|again|further|"
           r"previously|earlier|repeatedly|recently|once|"
           r"on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))")
_SAYS_AFTER = re.compile(rf"^(?P<own>(?:['’]s)?(?:\s+(?!{_ADVERB}\b)[a-z][\w-]*){{1,4}})?"
                         rf"(?P<appos>\s*,[^,\"“”]{{1,80}},)?(?P<comma>\s*,)?\s*(?:{_ADVERB}\s+)?{_SAYS}\b")
_GOVERNED = re.compile(r"\b(?:to|of|in|for|from|at|with|on|by|about|against|into|over|than|between|among)\s+"
                       r"(?:(?:the|a|an)\s+)?$", re.I)
_OPENS_CLAUSE = re.compile(r"(?:^|[,;:\"“”‘’(—–]\s*)$")
_FOR_WHOM = re.compile(r"\b(?:of|for|in|from|at|with|on|by)\s+(?:(?:the|a|an)\s+)?$", re.I)
# what may follow the name after an inverted "said" ("said Jens Stoltenberg at the meeting"; not "said SUVs took up")
_ENDS_CLAUSE = re.compile(r"\s*(?:[,.;:!?)]|$|(?:at|in|on|during|after|before|ahead|while|when)\b)")
_TITLE = re.compile(r"(?:Dr|Mr|Mrs|Ms|Prof|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Rev)$")
_SPEAKER_NOUN = (r"(?:coastguard|company|firm|ministry|department|police|spokes(?:man|woman|person)|officials?|union|"
                 r"government|army|military|court|agency|bank|council|statement|prosecutors?|regulator|authority|"
                 r"authorities|committee|board|club|party|office|embassy|commission|organi[sz]ers|group|operator|"
                 r"airline|hospital|federation|league|president|minister|mayor|governor|chairman|chairwoman|chair|"
                 r"chief|executive|director|envoy|secretary|general|secretary-general|analysts|experts|witnesses|"
                 r"residents|doctors|officers|aides|lawyers?|family|relatives|"
                 r"investigators|sources|campaigners|activists|researchers|scientists|medics|rescuers)")
_UNNAMED = re.compile(rf"(?:^|[,;][”\"’]?\s*|\b(?:and|but|as)\s+)(?P<who>(?:(?i:the|a|an|his|her|their)\s+)?"
                      rf"(?:[\w.’'-]+\s+){{0,3}}?{_SPEAKER_NOUN})\s+(?:{_ADVERB}\s+)?(?:said|says|added|told)\b")
# a "he said" that tags a quote ('"...," she said.', 'He said: "...') or opens the sentence ("He said that ..."); not
# reported speech ("Police said he admitted ...")
_HE_SAYS = re.compile(rf"(?:^\s*|[,:\"”’]\s*)(?P<who>he|she)\s+(?:{_ADVERB}\s+)?{_SAYS}\b", re.I)
_REPORTED = re.compile(rf"\b{_SAYS}\b|\baccording\s+to\b", re.I)
_CLAUSE_BREAK = re.compile(r";|,\s+(?:but|while|whereas|and)\b")


def _names(text: str) -> list[tuple[int, int]]:
    """The text's names (`entity_spans`), a title's abbreviation joined to the name after it ("Dr. Martin Feld")."""
    spans: list[tuple[int, int]] = []
    for s, e in entity_spans(text):
        if spans and _TITLE.search(text[spans[-1][0]:spans[-1][1]]) and text[spans[-1][1]:s] == ". ":
            s = spans.pop()[0]
        spans.append((s, e))
    return spans


def _speakers(text: str, before: str = "") -> list[tuple[int, int]]:
    """The spans of those the sentence `text` names as saying something, in order; none inside a quote, judged with
    `before`, the words of its quote that earlier sentences opened (`leaves_quote_open` up to the name's first
    letter: a straight mark opens a quote when a word follows it). A possessive's words go with the name
    ("Ireland's foreign ministry"), unless it is the appositive of the name before ("Brad Smith, Microsoft's
    president, told"). Of the names that follow an inverted "said" together ("said Fed chair Jerome Powell"), the
    last."""
    found: list[tuple[int, int]] = []
    inverted_last = False
    for s, e in _names(text):
        if leaves_quote_open(before + text[:s + 1]) or text[s:e].lower() in CALENDAR:
            continue
        if (_INVERTED.search(text[:s]) and _ENDS_CLAUSE.match(text[e:]) or _ACCORDING.search(text[:s])) and not (
                _FOR_WHOM.search(text[:s])):  # not "said a lawyer for Smith", "according to the ministry in Damascus"
            if inverted_last and re.fullmatch(r"[\s\w.’'-]*", text[found[-1][1]:s]):
                found.pop()  # "said Fed chair Jerome Powell": the name, not the title's
            found.append((s, e))
            inverted_last = True
            continue
        inverted_last = False
        after = _SAYS_AFTER.match(text[e:])
        if not after or _GOVERNED.search(text[:s]) or (after.group("comma") and not after.group("appos")
                                                       and not _OPENS_CLAUSE.search(text[:s])):
            continue
        own = after.group("own")
        if not own:
            found.append((s, e))
        elif (re.search(r"['’]s$", text[s:e]) or re.match(r"['’]s\b", own)) and not (
                found and text[found[-1][1]:s].strip() == ","):
            found.append((s, e + after.end("own")))
    return found


def _person(name: str) -> int:
    """How likely a speaker's name is a person's (a "he" or "she"): 2 for two capitalised words or a title, 1 for
    one word ("Stoltenberg", or a company's name), 0 for an acronym or a possessive's body ("Ireland's foreign
    ministry")."""
    words = name.split()
    if "'" in name or "’" in name or name.isupper():
        return 0
    return 2 if len([w for w in words if w[:1].isupper()]) >= 2 or _TITLE.match(words[0]) else 1


@dataclass(frozen=True)
class Said:
    """Who said the words of a sentence: the name at `start`:`end` of sentence `sentence`'s text, and the supporting
    span (character offsets in the article) that runs from the words to the name."""

    sentence: int
    start: int
    end: int
    support: tuple[int, int]


def speaker_span(index: Index, sid: int, at: int | None = None) -> Said | None:
    """Who said the words of sentence `sid` (those at offset `at` in it, where given: the speaker named in their
    clause, else the last one named before them, else the first after): named in the sentence, or in the quote it
    belongs to (the sentences before it only when it goes on with a quote they opened or follows a colon;
    `support_rows`); where the quote says only "he said" or "she said", who that is (`_he_or_she`); else an unnamed
    one ("the coastguard said"); for a quote that says nothing of who says it, the speaker of the nearest of the
    QUOTE_LOOKBACK sentences before it that says who speaks. None when no sentence says who: a sentence of the
    reporter's own."""
    lo, hi = support_rows(index, sid)
    if lo < sid and not (leaves_quote_open(index.span_text(lo, sid - 1))
                         or index.sentence_text(sid - 1).rstrip().endswith(":")):
        lo = sid  # a sentence before that a pronoun goes on from, not words of the same quote
    first, _ = index.article_sentences(int(index.article_of(sid)))
    rows = [sid] + list(range(sid + 1, hi + 1)) + list(range(sid - 1, lo - 1, -1))
    pronoun, unnamed = False, None
    for r in rows:
        text = index.sentence_text(r)
        before = index.span_text(lo, r - 1) + "\n" if r > lo else ""
        if names := _speakers(text, before):
            s, e = _of_clause(text, names, at) if r == sid and at is not None else names[0]
            return Said(r, s, e, index.char_span(min(lo, r), max(hi, r)))
        pronoun = pronoun or any(not leaves_quote_open(before + text[:m.start("who")])
                                 for m in _HE_SAYS.finditer(text))
        if unnamed is None and (m := _UNNAMED.search(text)) and not leaves_quote_open(before + text[:m.start("who")]):
            unnamed = Said(r, m.start("who"), m.end("who"), index.char_span(min(lo, r), max(hi, r)))
    if pronoun:
        return _he_or_she(index, lo, hi, first)
    if unnamed is not None or not _all_quoted(index, lo, hi):
        return unnamed
    for r in range(lo - 1, max(first, lo - QUOTE_LOOKBACK) - 1, -1):  # a quote no one is said to say
        if index.sentence_kind(r) is BlockKind.BODY and _says_who(index.sentence_text(r)):
            found = speaker_span(index, r)
            return None if found is None else dataclasses.replace(
                found, support=(found.support[0], index.char_span(hi)[1]))
    return None


def _says_who(text: str) -> bool:
    """Whether a sentence says who speaks: it names a speaker, an unnamed one, or a "he said"."""
    return bool(_speakers(text) or _UNNAMED.search(text) or _HE_SAYS.search(text))


def _all_quoted(index: Index, lo: int, hi: int) -> bool:
    """Whether body sentences `lo`..`hi` are one quote and nothing else ('"Ukraine has the momentum."'): no tag, no
    title in quote marks ('"Barbie" grossed ...'), no caption."""
    text = double_quotes(index.span_text(lo, hi)).strip()
    body = all(index.sentence_kind(r) is BlockKind.BODY for r in range(lo, hi + 1))
    return body and bool(re.fullmatch(r'[“"][^"“”]*[.!?,]?[”"][.!?]?', text)) and not _REPORTED.search(
        re.sub(r'[“"][^"“”]*[”"]', "", text))


def _he_or_she(index: Index, lo: int, hi: int, first: int) -> Said | None:
    """Who the "he" or "she" that says a quote (sentences `lo`..`hi`) is: the speaker named in the nearest of the
    QUOTE_LOOKBACK sentences before it that names one who may be a person (`_person`; not a one-word name the
    article says "said its" of: "Apple said its lawyers would appeal"). None where that sentence names two, where
    a sentence between names someone else who may be the "he" ("Resident Tom Lee lost his house."), where the
    speaker is named in full and another person named in full speaks in the sentences before (it could be either;
    a surname alone goes on with the one the story is about: "Jim Farley said ... Fain said ..."), or where none
    does."""
    _, last = index.article_sentences(int(index.article_of(lo)))
    article = index.span_text(first, last - 1)
    window = [r for r in range(lo - 1, max(first, lo - QUOTE_LOOKBACK) - 1, -1)
              if index.sentence_kind(r) is BlockKind.BODY]
    for at, r in enumerate(window):
        text = index.sentence_text(r)
        people = {text[s:e].split()[-1]: Said(r, s, e, index.char_span(r, hi)) for s, e in _speakers(text)
                  if _person(text[s:e]) and not re.search(
                      rf"\b{re.escape(text[s:e])}\s+(?:{_ADVERB}\s+)?{_SAYS}\s+its\b", article)}
        if len(people) > 1:
            return None
        if people:
            found = next(iter(people.values()))
            name = text[found.start:found.end]
            if _person(name) == 2 and any(
                    _person(t[s:e]) == 2 and t[s:e].split()[-1] != name.split()[-1]
                    for t in map(index.sentence_text, window[at + 1:]) for s, e in _speakers(t)):
                return None
            return found
        if _others(text):
            return None
    return None


def _others(text: str) -> bool:
    """Whether a sentence names someone who may be a "he" or "she" though it has them say nothing: a name of two
    capitalised words or with a title, or one word that opens the sentence ("Smith was taken to jail.")."""
    names = _names(text)
    return any(_person(text[s:e]) == 2 for s, e in names) or bool(
        names and names[0][0] == 0 and _person(text[names[0][0]:names[0][1]]))


def reported(text: str) -> bool:
    """Whether a passage reports someone's words: a quote, a verb of saying or "according to" (else it is the
    reporter's own)."""
    return quotes_someone(text) or bool(_REPORTED.search(text))


def clause_words(text: str, at: int | None, n: int = 10) -> str:
    """The first `n` words of the clause of `text` that holds offset `at` (the whole text's with no `at`), with "…"
    where it goes on."""
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(text) if m.end() <= at), default=0) if at is not None else 0
    words = text[start:].split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _of_clause(text: str, names: list[tuple[int, int]], at: int) -> tuple[int, int]:
    """Of the speakers `names` of a sentence, the one of the words at `at`: named in their clause (between breaks
    such as ", but" and ";"), else the last named before them, else the first after."""
    breaks = [0] + [m.start() for m in _CLAUSE_BREAK.finditer(text)] + [len(text)]
    lo = max(b for b in breaks if b <= at)
    hi = min((b for b in breaks if b > at), default=len(text))
    return next((n for n in names if lo <= n[0] < hi), None) or next((n for n in reversed(names) if n[0] < at),
                                                                     names[0])


def missing_sum(index: Index, question: str, sid: int) -> str | None:
    """Why sentence `sid` cannot answer: the question asks for a sum of money (`answer_types.asks_money`: "How
    much did X pay for ...?") and its supporting span (`support_rows`) states none (`states_sum`: no currency,
    share or multiple), as a notice. None when it may answer."""
    if not asks_money(question) or states_sum(index.span_text(*support_rows(index, sid))):
        return None
    return "the closest passage states no sum of money"


def other_count(index: Index, question: str, sid: int) -> str | None:
    """Why sentence `sid` cannot answer: the question counts things ("How many SUVs are registered in Paris?") and
    its supporting span (`support_rows`) never names them and counts only persons (`answer_types.counts_others`:
    "1.3 million Parisians registered to vote"), as a notice. None when it may answer."""
    persons = counts_others(question, index.span_text(*support_rows(index, sid)))
    if not persons:
        return None
    return f"the closest passage counts {' and '.join(persons)}, not {counted_noun(question)}"


def evidence_list(index: Index, scored: Scored, picked: Picked, top_k: int, selector: Selector,
                  neighbours: int) -> list[Evidence]:
    """Evidence for the top_k picked sentences, each scored by its calibrated confidence (its selector score
    and its margin over its rival)."""
    out = []
    for i, sid in enumerate(picked.sentences[:top_k]):
        start, end = index.char_span(sid)
        lo, hi = context_rows(index, sid, neighbours)
        context_start, context_end = index.char_span(lo, hi)
        record = index.article_record(sid)
        out.append(Evidence(
            sentence=index.sentence_text(sid), source=record.id, title=record.title, start=start, end=end,
            score=picked.confidence(scored, selector, i),
            context=index.span_text(lo, hi), context_start=context_start, context_end=context_end,
            kind=index.sentence_kind(sid).value,
            author=record.author, published=record.published, outlet=record.outlet, url=record.url,
        ))
    return out


def supporting(index: Index, scored: Scored, top: int, answer: str | None) -> tuple[str, ...]:
    """The top sentence's article, then other articles with a sentence among the best candidates that says the
    same (vectors closer than AGREEMENT) or holds the same short answer in a related sentence."""
    articles = [index.article_record(top).id]
    top_vector = index.sentence_vector(top)
    key = f" {dedupe_key(answer)} " if answer else None
    for sid in scored.sentences[:AGREEMENT_POOL].tolist():
        article = index.article_record(sid).id
        if article in articles:
            continue
        similarity = float(index.sentence_vector(sid) @ top_vector)
        holds = key is not None and key in f" {dedupe_key(index.sentence_text(sid))} "
        if similarity >= AGREEMENT or (holds and similarity >= 0.5):
            articles.append(article)
    return tuple(articles)


def header_answer(index: Index, question: str, sentence: int) -> tuple[int, int] | None:
    """For a question about a news piece itself answered by its header line (`select.asked_header`,
    `select.headers_first`): the short answer, the byline's names (`metadata.author_span`) for who wrote it, the
    date line's (or dated byline's) date (`metadata.date_span`: the last update's when asked when it was updated)
    or the day of the dateline that opens wire copy for when it came out. None for any other question or
    sentence."""
    kind = asked_header(question)
    if kind is None or sentence not in header_lines(index, int(index.article_of(sentence)), kind):
        return None
    text = index.sentence_text(sentence)
    if kind is BlockKind.BYLINE:
        return author_span(text)
    if index.sentence_kind(sentence) is not BlockKind.BODY:
        return date_span(text, asks_when_updated(question))
    opening = dateline(text, 0)
    return date_span(text[:opening.end]) if opening else None


def unsigned(index: Index, question: str, sentence: int) -> str | None:
    """For a question about who wrote a report, when the article that answers it names no author (no byline leads,
    and its page or row gave none) while others do: the notice that says so, in place of a body sentence's words as
    the writer. None for any other question, and where no article names its author (an encyclopedia's, whose text
    may say who wrote a report it describes), or where the answering sentence itself tells of the piece asked about.
    """
    if not asks_for_author(question) or index.sentence_kind(sentence) is BlockKind.BYLINE:
        return None
    record = index.article_record(sentence)
    if record.author or not index.names_authors:
        return None
    if tells_of_piece(question, index.sentence_text(sentence)):
        return None  # the sentence tells of the report asked about: "Maria Lopez filed the police report"
    return f"the closest article ({record.title or record.id}) does not say who wrote it"


def undated(index: Index, question: str, sentence: int) -> str | None:
    """For a question about when a news piece came out, when the article that answers it says nowhere (no date
    line, no dateline with the day, `select.header_lines`): the notice that says so (with the date its page or row
    gave, if any), in place of a date its story tells. None for any other question, when a date leads, where no
    article is dated (an encyclopedia's, whose text may say when a piece it describes came out: "When did the
    Herald Tribune publish its Tesla article?"), or where the answering sentence tells of the piece asked about."""
    if asked_header(question) is not BlockKind.DATE or not index.dates_articles:
        return None
    article = int(index.article_of(sentence))
    if len(header_lines(index, article, BlockKind.DATE)) or tells_of_piece(question, index.sentence_text(sentence)):
        return None
    record = index.articles[article]
    if record.published:  # its page or row gave the date (no header line of its text gives a day)
        return f"the closest article ({record.title or record.id}) states no date in its text; its file dates it " \
               f"{record.published}"
    return f"the closest article ({record.title or record.id}) does not say when it came out"


def answers_question(index: Index, selector: Selector, scored: Scored, picked: Picked,
                     threshold: float, reading: tuple[float, float]) -> bool:
    """Whether the articles answer the question: P(answerable) of the best sentence (with the reader's
    `reading` of it, or (1.0, 0.0) for a byline or date line that says who wrote the report asked about or when it
    came out) at least `threshold`. When such a line leads ("Who wrote the report on ...?"), the question is
    answerable if the articles hold the report, so the best body sentence is judged instead, against its best body
    rival."""
    if not picked.rows:
        return False
    row = picked.rows[0]
    best, runner_up = picked.scores[0], picked.runner_up(scored, 0)
    if index.sentence_kind(picked.sentences[0]) in (BlockKind.BYLINE, BlockKind.DATE):
        body = index.kind_of(scored.sentences) == kind_code(BlockKind.BODY)
        if body.any():
            row = int(np.flatnonzero(body)[0])
            best = float(scored.scores[row])
            runner_up = rival(scored.scores, row, picked.twins[row], among=body)
    return selector.answerable(best, runner_up, scored.features[row], reading) >= threshold


def refusal(question: str, score: float, items: list[Evidence], **fields) -> Answer:
    """The answer when the articles do not answer the question: no sentence, the nearest evidence."""
    return Answer(question=question, found=False, score=score, sentence=None, source=None, title=None, start=None,
                  end=None, context=None, context_start=None, context_end=None, answer=None, answer_start=None,
                  answer_end=None, evidence=tuple(items), **fields)


def from_evidence(question: str, top: Evidence, items: list[Evidence], span: tuple[int, int] | None,
                  support: tuple[int, int], score: float | None = None, **fields) -> Answer:
    """The answer built from its top Evidence; `span` is the short answer inside the sentence (or None) and
    `support` the supporting span in the article; `score` the answer's confidence (the top Evidence's own when
    None)."""
    return Answer(question=question, found=True, score=top.score if score is None else score,
                  sentence=top.sentence, source=top.source,
                  title=top.title, start=top.start, end=top.end, context=top.context,
                  context_start=top.context_start, context_end=top.context_end,
                  answer=top.sentence[span[0]:span[1]] if span else None,
                  answer_start=top.start + span[0] if span else None,
                  answer_end=top.start + span[1] if span else None, evidence=tuple(items),
                  support_start=support[0], support_end=support[1], author=top.author,
                  published=top.published, outlet=top.outlet, url=top.url, **fields)
