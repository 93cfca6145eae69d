"""What the articles cover in answering: filters (since / until / sources), retrieval within them, the newest
supporting article for "latest" questions, the named year or month for questions that name one, and names that
no article, or not the answering one, mentions (or numbers otherwise)."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from qa import metadata
from qa.answer_types import DATE, PIECE, QUALIFIERS, WRITER, asked_names, asks_for_author, asks_when_published
from qa.errors import QAError
from qa.index import Index
from qa.tokens import STOPWORDS, fold, tokens

# "What's the latest toll?", "How many are on strike now?", "the current rate", "so far", "to date"
_LATEST = re.compile(r"\b(?:latest|newest|most recent(?:ly)?|current(?:ly)?|now|so far|to date|as of today|"
                     r"at present|presently)\b", re.I)
# "now" that is not about time: "now that the BJP has no majority" still asks about the present, keep it
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
# how close (in selector score) a newer article's sentence must come to the best to be preferred
LATEST_MARGIN = 1.5


@dataclass(frozen=True)
class Scope:
    """Which articles may answer: published in [since, until] (both ISO dates, inclusive; an article without a
    date is outside any date range) and from one of `sources` (outlet names or article ids / files)."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()

    @classmethod
    def make(cls, since: str | None = None, until: str | None = None,
             sources: list[str] | tuple[str, ...] | str | None = None) -> "Scope":
        """A validated scope; QAError quoting a bad value."""
        for name, value in (("since", since), ("until", until)):
            if value is not None and not _is_iso(value):
                raise QAError(f"{name} must be an ISO date (YYYY-MM-DD). Currently, {name} is {value!r}")
        since, until = since or None, until or None
        if since and until and since > until:
            raise QAError(f"since ({since}) is after until ({until}): no article can be in that range")
        if isinstance(sources, str):
            sources = [sources]
        if sources is not None and not all(isinstance(s, str) and s.strip() for s in sources):
            raise QAError(f"sources must be a list of outlet names or article ids. Currently, sources is {sources!r}")
        return cls(since, until, tuple(s.strip() for s in sources or ()))

    @property
    def active(self) -> bool:
        return bool(self.since or self.until or self.sources)

    def allowed(self, index: Index) -> np.ndarray:
        """bool per article of the index: may it answer."""
        wanted = {s.casefold() for s in self.sources}
        out = np.ones(len(index.articles), dtype=bool)
        for i, r in enumerate(index.articles):
            if self.since or self.until:
                if not r.published or (self.since and r.published < self.since) or (
                        self.until and r.published > self.until):
                    out[i] = False
                    continue
            if wanted and not ({(r.outlet or "").casefold(), r.id.casefold(), r.file.casefold()} & wanted):
                out[i] = False
        return out


def _is_iso(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


# --- dates in answering -----------------------------------------------------------------------------------------

def asks_latest(question: str) -> bool:
    """The question asks for the present state of something ("the latest toll", "on strike now", "so far")."""
    return bool(_LATEST.search(question))


def named_years(question: str) -> set[str]:
    return set(_YEAR.findall(question))


# a question about what was to come, which an earlier article can answer ("What will the BoJ decide in July 2024?")
_AHEAD = re.compile(r"\b(?:will|would|expected|expects?|plans?|planned|going to|due to|scheduled|forecasts?|"
                    r"predicted|set to|next)\b", re.I)


def named_start(question: str) -> str | None:
    """The earliest day the question names with its year (a month counts from its first day: "at its July 2024
    meeting" -> 2024-07-01, "on 6 January 2023" -> 2023-01-06), as YYYY-MM-DD, in the years 1900-2099; None when it
    names none."""
    days = [d for d in metadata.named_days(question) if d[:2] in ("19", "20")]
    return min(days) if days else None


_EXPECTED_BEFORE = 50  # how many characters before a day an expectation word may stand and be about that day


def day_ahead(question: str, sentence: str, published: str) -> str | None:
    """The day the question names without its year ("on January 6") when the answering `sentence` gives that day
    as one to come, an expectation word just before it ("is expected to decide by Jan. 6": `_AHEAD`, "by"): that
    day's first occurrence on or after the article's date `published` (YYYY-MM-DD), as YYYY-MM-DD. None otherwise:
    a day the sentence gives as past ("killed in the October 7 attack, which Israel said would not go unpunished")
    or does not give is left to the reader."""
    asked = metadata.month_days(question)
    if not asked:
        return None
    day = asked[0][1]
    if not any(d == day and (_AHEAD.search(sentence, max(0, at - _EXPECTED_BEFORE), at)
                             or re.search(r"\bby\s+$", sentence[max(0, at - 4):at]))
               for at, d in metadata.month_days(sentence)):
        return None
    month, number = int(day[:2]), int(day[3:])
    try:
        base = datetime.date.fromisoformat(published)
        for year in range(base.year, min(base.year + 9, datetime.MAXYEAR + 1)):  # 29 February: the next leap year
            if month == 2 and number == 29 and not calendar.isleap(year):
                continue
            if (when := datetime.date(year, month, number)) >= base:
                return when.isoformat()
    except ValueError:  # a date the article's metadata gives out of range
        return None
    return None


def out_of_time(index: Index, question: str, sentence: int) -> str | None:
    """Why this sentence may not answer for the time the question names, or None when it may. Not when the
    question names a year and the sentence's article was published another year while neither the sentence nor
    the one before it names that year (a 2023 article's "so far this year, down from 45,774 in 2022" does not say
    how many crossed in 2021); nor when it names a month or day and the article was published before it, unless
    the question asks what was expected (an article of March cannot report the July meeting; nor one of 30
    November that expects a decision "by Jan. 6" what was decided on January 6: `day_ahead`). An article without
    a date may answer."""
    record = index.article_record(sentence)
    if not record.published:
        return None
    years = named_years(question)
    if years and record.published[:4] not in years:
        first, _ = index.article_sentences(int(index.article_of(sentence)))
        nearby = index.sentence_text(sentence) + " " + (index.sentence_text(sentence - 1) if sentence > first else "")
        if not years & set(_YEAR.findall(nearby)):
            return f"the closest article ({record.published}) does not report on {' or '.join(sorted(years))}"
    start = named_start(question) or day_ahead(question, index.sentence_text(sentence), record.published)
    if start and record.published < start and not _AHEAD.search(question):
        return f"the closest article ({record.published}) was published before {start}"
    return None


# Words of a name that say nothing of what the articles cover: an acronym ("the FDA" may be spelt out in them),
# a month or a weekday.
_ACRONYM = re.compile(r"^[A-Z0-9&.\-]+(?:s|['’]s)?$")
SLIP_LENGTH = 7  # a name's term this long or longer may be asked with a slip: one edit, two from 10 letters


def _name_terms(question: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The names the question gives (runs of capitalised words past its first word), each with its terms (tokens),
    each with the word it came from. Acronyms ("the FDA" may be spelt out), months and weekdays are not counted, and
    a capitalised first word that stands alone may be an ordinary one ("Boycotting, ...")."""
    names = []
    for name in asked_names(question, lone_first=False):
        words = [w for w in name.split() if not _ACRONYM.match(w) and w.lower().strip(".") not in metadata.CALENDAR]
        terms = [(t, w) for w in words for t in tokens(w)]
        if terms:
            names.append((name, terms))
    return names


def _swapped(a: str, b: str) -> bool:
    """Whether b is a with two neighbouring letters swapped."""
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(a) == len(b) and len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and (
        a[diff[1]] == b[diff[0]])


def _is_slip(term: str, word: str, other: str) -> bool:
    """Whether `other`, a term within `_slip_edits(term)` edits of `term` (the stem of the asked `word`), is that name
    spelt with a slip: any such for a term of SLIP_LENGTH letters or more; for a shorter stem of a word that long,
    one that long too ("Actvision" -> "actvis" for "activis") or the same with two neighbouring letters swapped
    ("Ukriane" -> "ukrian" for "ukrain"; not "Stevens" -> "steven" for "seven")."""
    return len(term) >= SLIP_LENGTH or (len(word) >= SLIP_LENGTH and (len(other) >= SLIP_LENGTH
                                                                      or _swapped(term, other)))


def _slip_edits(term: str, word: str) -> int:
    """How many edits away a name's term may be asked (`_is_slip`): one under 10 letters, two from 10; none for a
    term under SLIP_LENGTH - 1 letters, or under SLIP_LENGTH from a word under SLIP_LENGTH."""
    if len(term) < SLIP_LENGTH and not (len(term) == SLIP_LENGTH - 1 and len(word) >= SLIP_LENGTH):
        return 0
    return 1 if len(term) < 10 else 2


def _slips(index: Index, term: str, word: str) -> list[str]:
    """The corpus's spellings of a name's term asked with a slip (`_is_slip`)."""
    edits = _slip_edits(term, word)
    return [t for t in index.near_terms(term, edits) if _is_slip(term, word, t)] if edits else []


def unknown_names(index: Index, question: str) -> list[str]:
    """The names the question gives (`_name_terms`), when it gives some and no article mentions any of them, not
    even spelt a slip away ("How many Airbus jets did IndiGo order?" over articles that never name either: they
    cannot be about it); else []. A name is mentioned when one of its terms is."""
    names = _name_terms(question)
    for _, terms in names:
        if index.term_ids([t for t, _ in terms]) or any(_slips(index, t, w) for t, w in terms):
            return []
    return [name for name, _ in names]


# Nations and the words for their people, and other names of one thing, that neither begin with the other nor share
# a root (`_roots`): "Dutch" for the Netherlands, "Tories" for the Conservatives. One group a line: a name asked as
# one of them is mentioned by any other.
_ALIASES = """Britain British Briton UK England English Scotland Scottish Wales Welsh
America American US USA
Netherlands Dutch Holland
France French
Spain Spanish Spaniard
Switzerland Swiss
Ireland Irish
Denmark Danish Dane
Norway Norwegian
Sweden Swedish Swede
Finland Finnish Finn
Poland Polish Pole
Philippines Filipino
China Chinese
Turkey Turkish Türkiye Turk
Greece Greek
Lebanon Lebanese
Thailand Thai
Australia Aussie
Fed Federal
Tories Tory Conservative
Kiev Kyiv""".splitlines()
_ALIAS_OF = {t: group for group in (frozenset(t for w in line.split() for t in tokens(w)) for line in _ALIASES)
             for t in group}
_STEM_PREFIX = 4  # a term this long that begins another names the same place or people ("zambia", "zambian")
# endings of nations' and peoples' names: "Canad-a" and "Canad-ian", "Belgi-um" and "Belgi-an", "Cypr-us" and
# "Cypr-iot" share a root
_ENDINGS = ("ians", "ian", "ans", "an", "ese", "ish", "iots", "iot", "ots", "ot", "ar", "ia", "um", "us", "es", "i", "a",
            "o", "e", "y", "s")


def _roots(term: str) -> set[str]:
    """The term and what is left of it, at least _STEM_PREFIX letters, with one of _ENDINGS taken off."""
    return {term} | {term[:-len(e)] for e in _ENDINGS if term.endswith(e) and len(term) - len(e) >= _STEM_PREFIX}


def _names_term(term: str, terms: frozenset[str]) -> bool:
    """Whether an article's `terms` name what the name's `term` names: the term, another name for it (`_ALIASES`),
    a term of at least _STEM_PREFIX letters that begins the other ("Zambian" by "Zambia", "Afghans" by
    "Afghanistan"), or one with the same root (`_roots`: "Canadian" by "Canada")."""
    if term in terms or _ALIAS_OF.get(term, frozenset()) & terms:
        return True
    roots = _roots(term)
    return any((t.startswith(term) if len(term) < len(t) else term.startswith(t)) or roots & _roots(t)
               for t in terms if t[:1] == term[:1] and min(len(t), len(term)) >= _STEM_PREFIX)


def _slip_of(term: str, word: str, terms: frozenset[str]) -> bool:
    """Whether `terms` hold a name's term spelt a slip away (`_is_slip`, as `unknown_names` allows), with the same
    first letter."""
    edits = _slip_edits(term, word)
    near = [t for t in terms if t[:1] == term[:1]] if edits else []
    return any(_is_slip(term, word, t) for t, _, _ in process.extract(term, near, scorer=OSA.distance,
                                                                      score_cutoff=edits, limit=None))


def unnamed_in_article(index: Index, question: str, sentence: int) -> str | None:
    """Why `sentence` may not answer: the question gives names (`_name_terms`) and its article mentions none of
    them (`_names_term`, or spelt a slip away), as a notice ("How many people did Storm Daniel kill in Greece?" of
    an article on the earthquake in Turkey, which names neither). None when it may answer."""
    names = _name_terms(question)
    if not names:
        return None
    terms = index.article_terms(int(index.article_of(np.array([sentence]))[0]))
    for _, name_terms in names:
        if any(_names_term(t, terms) or _slip_of(t, w, terms) for t, w in name_terms):
            return None
    return f"the closest article does not mention {' or '.join(name for name, _ in names)}"


# A name with a number that tells it from others of its kind: "737 MAX 8", "Flight 1282", "Apollo 11", "Season 20";
# not a score ("Denver 0-4"), a verse ("Psalm 31:5") nor a decimal
_NUMBERED = re.compile(r"\b([A-Z][\w-]*)\s+(\d+[A-Za-z]?)\b(?![.,:/\-–]?\d)")
_QUALIFIER = re.compile(rf"(?:{QUALIFIERS})", re.I)  # "Nearly 200 people": a quantity, not a name
_NUMBER_WORD = r"[IVXL]+\b|(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"


def other_number(index: Index, question: str, sentence: int) -> str | None:
    """Why `sentence` may not answer: the question names something by a name and a number ("How many Boeing 737
    MAX 8 jets ...?") that its article never writes, while it writes that name with another number ("737 MAX 9"),
    as a notice. None when it may answer. Not for the question's first word, a stopword or a qualifier ("Nearly
    200 ..."), a year, or a name the article also writes with a Roman or spelt-out number ("Phase III", "Formula
    One": it may be the one asked about)."""
    first, last = index.article_sentences(int(index.article_of(np.array([sentence]))[0]))
    text = None
    for m in _NUMBERED.finditer(question):
        name, number = m.groups()
        if (m.start() == 0 or name.lower() in metadata.CALENDAR or fold(name) in STOPWORDS or _QUALIFIER.fullmatch(name)
                or _YEAR.fullmatch(number)):
            continue
        text = index.span_text(first, last - 1) if text is None else text
        named = rf"\b{re.escape(name)}\s+"
        if re.search(named + rf"{re.escape(number)}\b", text, re.I) or re.search(named + rf"(?:{_NUMBER_WORD})", text):
            continue
        others = sorted({n for n in re.findall(named + r"(\d+[A-Za-z]?)\b(?![.,:/\-–]?\d)", text, re.I)
                         if not _YEAR.fullmatch(n)})
        if others:
            return f"the closest article names {name} {' or '.join(others)}, not {name} {number}"
    return None


def _outlet_core(outlet: str) -> str:
    """An outlet's name as a question gives it: without a leading "The" ("The Times" -> "Times")."""
    return re.sub(r"^the\s+", "", " ".join(outlet.split()), flags=re.I)


def _outlet_pattern(core: str, lowercase: bool) -> re.Pattern | None:
    """How a question names an outlet (by its `_outlet_core`) as where a report ran: as written (in any case in a
    question typed all in lower case) before the piece or its writer ("the Reuters story", "the Mekong Herald's
    match report", "Which Reuters reporter ..."), or after "for" where no other capitalised word follows ("the
    blowout for KPNW"); never as a word of another name ("the Washington Post strike", "the Guardian Angels", "the
    Reuters Institute report"; "the New York Times story" for The Times: `_within_a_name`). None for a web address
    or a name too short to tell."""
    if len(core) < 2 or not core[0].isupper() or re.search(r"\.[a-z]{2,}$", core):
        return None
    name = f"(?i:{re.escape(core)})" if lowercase else re.escape(core)
    return re.compile(rf"(?<![\w-]){name}(?:['’]s)?(?=\s+(?:[a-z][\w-]*\s+){{0,2}}(?:{PIECE}|{WRITER})\b)"
                      rf"|\b(?i:for)\s+(?i:the\s+)?{name}(?![\w-])(?!\s+[A-Z])")


def _within_a_name(question: str, at: int) -> bool:
    """Whether the word before `at` is a capitalised word of the same name ("the New York Times story" for "The
    Times"), not the question's first word or an article."""
    before = re.search(r"([\w'’-]+)\s+$", question[:at])
    return bool(before) and before.group(1)[0].isupper() and before.start() > 0 and (
        before.group(1).lower() not in ("the", "for"))


def outlet_named(index: Index, question: str, allowed: np.ndarray | None) -> tuple[str, np.ndarray, str] | None:
    """For a question about who wrote a report that names the outlet it ran in ("Who wrote the Great Lakes Courier
    piece on the walkout?"): the question without the outlet's name ("Who wrote the piece on the walkout?"), the
    (allowed) articles of that outlet, among which the report is looked for, and the outlet's name without "The".
    An outlet's name is not a word of the story, so left in it would count against every sentence. The same for a
    question about when a piece came out ("When did the Courier run its story on the walkout?"). None for any other
    question."""
    if not (asks_for_author(question) or asks_when_published(question)):
        return None
    lowercase = not any(c.isupper() for c in question[1:])  # "who wrote the reuters story on ..."
    folded = question.casefold()
    cores = {o: core for o in index.outlets if (core := _outlet_core(o)).casefold() in folded}  # only those it holds
    patterns = {o: _outlet_pattern(core, lowercase) for o, core in cores.items()}
    found = {o: [m.span() for m in p.finditer(question)
                 if m.group(0)[:3].lower() == "for" or not _within_a_name(question, m.start())]
             for o, p in patterns.items() if p is not None}
    named = {o for o, spans in found.items() if spans}
    if not named:
        return None
    mask = Scope(sources=tuple(named)).allowed(index)
    for start, end in sorted((span for o in named for span in found[o]), reverse=True):
        question = question[:start] + " " + question[end:]
    question = re.sub(r"\s+([?.!,;])", r"\1", question)
    shown = " or ".join(sorted(cores[o] for o in named))
    return " ".join(question.split()), mask if allowed is None else mask & allowed, shown


def uncovered_years(index: Index, allowed: np.ndarray, question: str) -> list[str]:
    """Years the question names that no (allowed) article covers: none was published that year and no sentence
    of one mentions it (looked up in the index's term -> sentence table)."""
    years = named_years(question)
    if not years:
        return []
    covered = {r.published[:4] for i, r in enumerate(index.articles) if allowed[i] and r.published}
    for year in years - covered:
        for t in index.term_ids(tokens(year)):
            if allowed[index.article_of(index.sentences_with(t))].any():
                covered.add(year)
    return sorted(years - covered)


def article_dates(index: Index, articles) -> dict[int, str]:
    """The date of each of these articles that has one, for telling newer reports from older ones: its
    `published`, or for wire copy dated only by a dateline's month and day ("ANTAKYA, Turkey, Feb 13 (Reuters) -"),
    that day in the year that puts it nearest one of these articles' `published` dates, when that is within
    SAME_STORY_DAYS (the articles are the candidates for one question, so reports on one story). Only ordering
    uses the guessed year: `published`, the filters and the named-year rule never do."""
    records = {int(a): index.articles[int(a)] for a in articles}
    dates = {a: r.published for a, r in records.items() if r.published}
    anchors = sorted({datetime.date.fromisoformat(d) for d in dates.values()})
    for a, r in records.items():
        if r.published or not r.published_day or not anchors:
            continue
        month, day = (int(x) for x in r.published_day.split("-"))
        options = []
        for anchor in anchors:
            for year in (anchor.year - 1, anchor.year, anchor.year + 1):
                try:
                    d = datetime.date(year, month, day)
                except ValueError:  # 29 February outside a leap year
                    continue
                options.append((abs((d - anchor).days), d))
        gap, d = min(options) if options else (SAME_STORY_DAYS + 1, None)
        if gap <= SAME_STORY_DAYS:
            dates[a] = d.isoformat()
    return dates


SAME_STORY_DAYS = 92  # how far from a dated report on the same story a year-less dateline's day may be placed


@dataclass(frozen=True)
class TimeChoice:
    """Which of a question's ranked sentences answers for the time it asks about (`prefer_time`): `at` is a
    position in the ranked sentences (0: the best-scored one); `update` says it is the newer report of what the
    previous turn's sentence reported, so the articles answer a "latest" follow-up however little its own words say
    ("and how many are out now?")."""

    at: int = 0
    update: bool = False


def prefer_time(index: Index, question: str, sentences: list[int], scores: list[float],
                candidates: np.ndarray | None = None, previous: int | None = None) -> TimeChoice:
    """Which of the ranked (deduplicated) sentences answers: the best, unless the question asks for the latest
    or names a year. For the latest: the best-scored sentence of the newest dated article among those within
    LATEST_MARGIN of the best and those of newer articles that report another figure for the same thing as the
    best (`other_figure`: the update's "413 killed and 3,551 injured" supersedes the first report's "185 killed and
    1,800 wounded", however the two score); then, within that article, one that states a figure no older article
    reported (`fresh_figure`). A follow-up ("and how many are out now?" after "How many walked out when the strike
    began?") asks for the latest of what the `previous` turn's sentence reported: the sentence closest to that one
    among its updates (`updates_of`) in the newest article that has one, when that article is no older than the
    newest the question alone would pick. For a named year: the best within the margin from an article published
    that year, else the best within the margin that may answer for that time.
    `candidates` (all the question's candidate sentences, which hold `sentences`) say which articles report on the
    same story. The caller refuses when the chosen sentence is `out_of_time`."""
    if not sentences:
        return TimeChoice()
    latest, years = asks_latest(question), named_years(question)
    if not latest and not years:
        return TimeChoice()
    close = [i for i, s in enumerate(scores) if s >= scores[0] - LATEST_MARGIN]
    if years:  # the best of that year's articles, else the best that may answer for that time (`out_of_time`)
        dates = [index.article_record(sentences[i]).published for i in close]
        same = [i for i, d in zip(close, dates) if d and d[:4] in years]
        timely = [i for i in close if out_of_time(index, question, sentences[i]) is None]
        return TimeChoice((same or timely or [0])[0])
    candidates = np.asarray(sentences if candidates is None else candidates, dtype=np.int64)
    if previous is not None:
        candidates = np.append(candidates, previous)
    known = article_dates(index, np.unique(index.article_of(candidates)))
    date = [known.get(int(index.article_of(s))) for s in sentences]
    chosen, newest = 0, None  # when the best's article has no date, which is newer than it is not known
    if date[0] is not None:
        close += [i for i in range(len(sentences)) if i not in close and date[i] and date[i] > date[0]
                  and other_figure(index, sentences[0], sentences[i])]
        dated = [(date[i], i) for i in close if date[i]]
        newest = max(d for d, _ in dated)
        chosen = min(i for d, i in dated if d == newest)  # the best-scored sentence of the newest article
    updates = updates_of(index, sentences, previous, known)
    if updates and (newest is None or max(date[i] for i in updates) >= newest):
        newest = max(date[i] for i in updates)  # the newest report of what the previous turn reported
        close += [i for i in updates if i not in close]
        chosen = max((i for i in updates if date[i] == newest),
                     key=lambda i: float(index.sentence_vector(previous) @ index.sentence_vector(sentences[i])))
    if newest is None:
        return TimeChoice()
    at = fresh_figure(index, sentences, close, chosen, known)
    return TimeChoice(at, update=at in updates)


def updates_of(index: Index, sentences: list[int], previous: int | None, known: dict[int, str]) -> list[int]:
    """Positions of the ranked sentences that are newer reports of what the `previous` turn's sentence reported:
    another figure for the same thing (`other_figure`) in an article dated no earlier than its own (`known`: the
    dates of the candidates' articles, which hold both, `article_dates`). Within the previous sentence's own
    article only sentences before it count: a story gives its newest figure first, and a later sentence with
    another figure is background ("the toll of 185 given on Monday")."""
    if previous is None:
        return []
    own = int(index.article_of(previous))
    then = known.get(own)
    if not then:
        return []
    articles = [int(index.article_of(s)) for s in sentences]
    return [i for i, (s, a) in enumerate(zip(sentences, articles)) if known.get(a, "") >= then and s != previous
            and (a != own or s < previous) and other_figure(index, previous, s)]


def fresh_figure(index: Index, sentences: list[int], close: list[int], chosen: int, dates: dict[int, str]) -> int:
    """For a "latest" question: when every figure of the chosen sentence was already reported by an older article
    among the candidates' ("the toll of 185 given on Monday" in the update that says 413; "$500 a week in strike
    pay" that the first report gave too), the best close-scored sentence of the same article that states a figure
    no older one reported; else `chosen`. Positions index `sentences`; `close` are the positions near the best;
    `dates` are those of the candidates' articles (`article_dates`), so an older one is an older candidate's."""
    top = sentences[chosen]
    article = int(index.article_of(top))
    figures = set(_figures(index.sentence_text(top)))
    if article not in dates or not figures:
        return chosen
    older = {a for a, d in dates.items() if d < dates[article]}
    if not older:
        return chosen
    reported = set()
    for a in sorted(older):
        first, last = index.article_sentences(a)
        for s in range(first, last):
            reported.update(_figures(index.sentence_text(s)))
    if not figures <= reported:
        return chosen
    for i in close:
        s = sentences[i]
        if i != chosen and int(index.article_of(s)) == article and set(_figures(index.sentence_text(s))) - reported:
            return i
    return chosen


def other_figure(index: Index, a: int, b: int) -> bool:
    """Sentences a and b report on the same thing (vectors within SAME_THING) with figures that differ: each
    states one and they share none."""
    mine, theirs = set(_figures(index.sentence_text(a))), set(_figures(index.sentence_text(b)))
    return bool(mine and theirs and not mine & theirs
                and float(index.sentence_vector(a) @ index.sentence_vector(b)) >= SAME_THING)


def earlier_report(index: Index, sentences: list[int], chosen: int) -> int | None:
    """Position of a sentence of an older, dated article among the ranked ones that states a different figure
    for the same thing as the chosen one (`other_figure`), or None. The chosen one's article may be dated by its
    dateline's day alone (`article_dates`)."""
    top = sentences[chosen]
    known = article_dates(index, np.unique(index.article_of(np.asarray(sentences, dtype=np.int64))))
    top_date = known.get(int(index.article_of(top)))
    if top_date is None:
        return None
    for i, s in enumerate(sentences):
        published = index.article_record(s).published
        if i != chosen and published and published < top_date and other_figure(index, top, s):
            return i
    return None


SAME_THING = 0.6  # cosine above which two sentences are taken to report on the same thing
_FIGURE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion|bn|m|%|per cent|percent)(?!\w))?")


def _figures(text: str) -> list[str]:
    """The figures of a sentence, years and days of dates left out ("At least 413", "$3.9 billion" -> "413",
    "3.9 billion"; "April 17" none)."""
    undated = DATE.sub(lambda m: " " * len(m.group()), text)
    figures = (f.strip(",").replace(",", "") for f in _FIGURE.findall(undated))
    return [f for f in figures if not _YEAR.fullmatch(f)]
