"""Sentence splitting for news text, keeping each sentence's character span in the article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.corpus import Article, BlockKind

# Abbreviations after which a full stop does not end a sentence (lower-case, without the dot).
ABBREVIATIONS = frozenset("""
mr mrs ms mx dr prof sr jr st gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep reps pres rev hon fr
messrs mme mlle vs v al inc ltd co corp bros dept univ approx est no nos vol vols fig figs op ed eds
jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave blvd rd cf ca pp para art arts sec secs
det supt insp cllr atty smt shri rs hwy ste engr alh
""".split())
# US state abbreviations after a place and a comma: one ends no sentence before a title ("Lansing, Mich. Gov.
# Gretchen Whitmer ..." is one sentence; "... in Woods Hole, Mass. Although ..." and "went to Mass. Afterwards" two).
STATES = frozenset("""
ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev okla ore pa
penn tenn tex va vt wash wis wyo
""".split())

# Words that start a new sentence even after a dotted acronym ("... in the U.S. The talks ...").
SENTENCE_STARTERS = frozenset("""
the a an he she it they we i you his her its their our this that these those there but and or so yet
however meanwhile in on at after before while when if as for with according also still then now
""".split())

# Only the first of a run of stops starts a match: trying every stop inside a long run ("......") would be quadratic.
_TERMINATOR = re.compile(r"(?<![.!?…])[.!?…]+[\"'”’»)\]]*(?=\s+\S)")
# The token before a stop, read backwards in the reversed text: only its own characters are looked at (searching
# the text before each stop for a token that ends there rescanned the whole paragraph every time).
_PREV_TOKEN_REVERSED = re.compile(r"[\w.’'-]*")
_COMMA_BEFORE_REVERSED = re.compile(r"\s*,")  # a comma before a token, read backwards: "Lansing, Mich."
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]?$")
_NEXT_WORD = re.compile(r"\s+([\"'“‘«(\[]?)(\S+)")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its article, kind and character span in the article's original text."""

    article: str
    start: int
    end: int
    kind: BlockKind
    text: str


def _ends_sentence(text: str, reversed_text: str, match: re.Match[str]) -> bool:
    punct = match.group()
    nxt = _NEXT_WORD.match(text, match.end())
    if nxt is None:
        return False
    opener, word = nxt.group(1), nxt.group(2)
    first = word[:1]
    if not opener and not (first.isupper() or first.isdigit()):
        return False  # lower-case continuation: '"..., " he said', 'continue … to defend'
    if punct[0] != ".":
        return True
    if len(punct.rstrip("\"'”’»)]")) > 1:
        return True  # an ellipsis "..." before a capital starts a new sentence
    length = len(_PREV_TOKEN_REVERSED.match(reversed_text, len(text) - match.start()).group())
    if not length:
        return True
    token = text[match.start() - length:match.start()].strip("'’-")
    bare = token.lower().rstrip(".")
    if bare in ABBREVIATIONS and punct.rstrip(")]") == ".":
        return False  # "Mr. Stoltenberg", "No. 5", "Chief (Mrs.) Abimbola Bello"
    if len(token) == 1 and token.isalpha() and token.isupper():
        return False  # an initial: "J. K. Rowling"
    if (bare in STATES and token[:1].isupper() and word.endswith(".") and word.lower().rstrip(".") in ABBREVIATIONS
            and _COMMA_BEFORE_REVERSED.match(reversed_text, len(text) - match.start() + length)):
        return False
    if _DOTTED_ACRONYM.match(token + "."):
        # "U.S." / "a.m.": ends a sentence only if the next word is a usual sentence opener or a quote opens; a
        # bracket goes on with the sentence ("at 3:24 a.m. (1924 GMT Friday), about ...")
        return opener not in ("", "(", "[") or word.lower().strip("\"'“”’,") in SENTENCE_STARTERS
    return True


def split_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) inside text[start:end], whitespace trimmed."""
    end = len(text) if end is None else end
    segment = text[start:end]
    reversed_segment = segment[::-1]
    spans, begin = [], 0
    for match in _TERMINATOR.finditer(segment):
        if _ends_sentence(segment, reversed_segment, match):
            spans.append((begin, match.end()))
            begin = match.end()
    spans.append((begin, len(segment)))
    out = []
    for s, e in spans:
        piece = segment[s:e]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            out.append((start + s + left, start + s + right))
    return out


def split_article(article: Article) -> list[Sentence]:
    """All sentences of an article in reading order; non-body lines (headline, byline, ...) are one sentence each."""
    sentences = []
    for block in article.blocks:
        if block.kind is BlockKind.BODY:
            dateline = article.dateline
            if dateline is not None and block.start == dateline.start:
                # "PORTLAND, Ore. (KPNW) — ...": the dateline's full stops end no sentence
                spans = split_spans(article.text, dateline.end, block.end)
                spans[0] = (block.start, spans[0][1])
            else:
                spans = split_spans(article.text, block.start, block.end)
        else:
            spans = [(block.start, block.end)]
        for s, e in spans:
            sentences.append(Sentence(article.id, s, e, block.kind, article.text[s:e]))
    return sentences
