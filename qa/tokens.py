"""Tokenisation for lexical matching of news text: case, accents, hyphens, numbers, currency, stemming, quote marks."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

import Stemmer

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until up very was we
were what when where which while who whom whose why will with would you your yours yourself yourselves
also according said says say s t don't can't won't isn't aren't wasn't weren't it's
""".split())

# Question words carry no content of their own; they are dropped from queries only.
QUESTION_WORDS = frozenset("what which who whom whose when where why how much many does did do is are was were".split())

_CURRENCY = {"€": "euro", "$": "dollar", "£": "pound", "¥": "yen", "₴": "hryvnia", "₽": "rouble"}
_TOKEN = re.compile(r"[^\W_]+(?:[.,][0-9]+)*", re.UNICODE)
# PyStemmer objects are not thread-safe; the engine answers from several threads.
_stemmer = Stemmer.Stemmer("english")
_stem_lock = threading.Lock()


# Characters that show nothing but split words for regular expressions: zero-width space, non-joiner and joiner,
# word joiner, byte-order mark, soft hyphen. "Ker\u200bmit" is the name Kermit.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")


@dataclass(frozen=True)
class Visible:
    """A text without its invisible characters and, for each of its characters and its end, the offset in the
    original (None when there were none), so that spans found in `text` map back onto the original."""

    text: str
    offsets: tuple[int, ...] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for `text[start:end]` (invisible characters inside it included)."""
        if self.offsets is None:
            return start, end
        return self.offsets[start], (self.offsets[end - 1] + 1 if end > start else self.offsets[start])


def visible(text: str) -> Visible:
    """`text` as the matching rules see it: invisible characters taken out (see Visible)."""
    if not _INVISIBLE.search(text):
        return Visible(text, None)
    kept = [i for i, ch in enumerate(text) if ch not in INVISIBLE]
    return Visible("".join(text[i] for i in kept), (*kept, len(text)))


def fold(text: str) -> str:
    """Lower-case, strip accents and invisible characters: "Türkiye" -> "turkiye"."""
    text = unicodedata.normalize("NFKD", _INVISIBLE.sub("", text).lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def stem_words(words: list[str]) -> list[str]:
    """Snowball (Porter 2) English stems."""
    with _stem_lock:
        return _stemmer.stemWords(words)


def words(text: str) -> list[str]:
    """Folded word tokens; hyphenated compounds ("NATO-Ukraine") give their parts, numbers keep their
    decimal point ("3.5"), currency signs become words."""
    folded = fold(text)
    for sign, name in _CURRENCY.items():
        if sign in folded:
            folded = folded.replace(sign, f" {name} ")
    return [t.replace(",", "") for t in _TOKEN.findall(folded)]


def tokens(text: str) -> list[str]:
    """Stemmed content tokens of a document: stopwords dropped."""
    return stem_words([w for w in words(text) if w not in STOPWORDS])


def query_tokens(text: str) -> list[str]:
    """Stemmed content tokens of a question: stopwords and question words dropped, order kept, no repeats."""
    kept = [w for w in words(text) if w not in STOPWORDS and w not in QUESTION_WORDS]
    return list(dict.fromkeys(stem_words(kept)))


def double_quotes(text: str) -> str:
    """The text with its single curly quotation marks written as double ones, character for character (the same
    length, so offsets into it are offsets into `text`), for the rules that read quotes: British papers quote in
    single marks (‘Nurses don’t want to strike.’ -> “Nurses don’t want to strike.”).

    A ‘ opens a quote unless it stands inside a double-marked quote (a quote within a quote stays as written) or
    elides ("the ‘90s", "rock ‘n’ roll"). The ’ that closes it is the first after it, and before the next ‘, that
    follows punctuation ("pay,’"), else the last that no letter or digit follows (not "don’t" nor "the ’90s"; "the
    nurses’ union" only when nothing better closes it). A ‘ that nothing closes opens a quote that goes on in the
    next sentence."""
    if "‘" not in text:
        return text
    chars, inside, openers = list(text), False, []
    for i, ch in enumerate(text):
        if ch in "“”\"":
            inside = ch == "“" or (ch == '"' and not inside)
        elif ch == "‘" and not inside and not text[i + 1:i + 2].isdigit() and text[i + 1:i + 3] != "n’":
            openers.append(i)
    for k, opener in enumerate(openers):
        until = openers[k + 1] if k + 1 < len(openers) else len(text)
        closers = [j for j in range(opener + 1, until) if text[j] == "’" and not text[j + 1:j + 2].isalnum()]
        after_stop = [j for j in closers if text[j - 1] in ",.!?;:…—–-"]
        chars[opener] = "“"
        if closers:
            chars[(after_stop or closers[-1:])[0]] = "”"
    return "".join(chars)
