"""Follow-up questions without an LLM: rewrite a question that leans on the previous turn, by rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answer_types import (AUXILIARIES, DATE, HOW_MANY, MONTHS, NUMBER, counted_noun, entity_spans,
                             is_content, word_matches)
from qa.tokens import QUESTION_WORDS, STOPWORDS, fold, tokens


@dataclass(frozen=True)
class Turn:
    """What the chat remembers of an earlier turn: the question (as it was read), and if it was answered, the
    short answer, its article and the supporting sentence."""

    question: str
    answer: str | None = None
    source: str | None = None
    sentence: str | None = None
    start: int | None = None  # where `sentence` starts in its article


# --- words ---------------------------------------------------------------------------------------------

_MALE, _FEMALE = {"he", "him", "his", "himself"}, {"she", "her", "hers", "herself"}
_PERSONAL = _MALE | _FEMALE
_THING = {"it", "its", "they", "them", "their", "theirs"}
_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|it|its|they|them|their|there)\b", re.I)
_POSSESSIVE = {"his", "its", "their"}  # "her" is possessive only before a noun (see _is_possessive)
_CONJUNCTION = re.compile(r"^\s*(?:and|but|so|or|also)\b[\s,]*", re.I)
_ELLIPSIS = re.compile(r"^\s*(?:(?:and|but|or|so)\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*[?.!]*\s*$"
                       r"|^\s*(?:and|but|or|also|same for)\s+(?P<y>.+?)\s*[?.!]*\s*$", re.I)
_WH_START = re.compile(r"^\s*(?:what|which|who|whom|whose|when|where|why|how)\b", re.I)
_FIGURE = re.compile(r"\b(?:that|this|the same)\s+(figure|number|total|toll|amount|sum|estimate|count|tally)\b",
                     re.I)
_HOW_MANY_BARE = re.compile(r"\bhow\s+many\b(?=\s*(?:[?.!,]|$|(?:%s)\b))" % "|".join(sorted(AUXILIARIES - {"'s"})),
                            re.I)
_ORDINAL = re.compile(r"\bthe\s+(first|second|third|fourth|fifth|last|next|other)\b(?=\s*(?:[?.!,]|$))", re.I)
_ORDINAL_NOUN = re.compile(r"\b(?:first|second|third|fourth|fifth|last|next|other)\s+([^\W\d_]+)", re.I)
_PREPOSITIONS = frozenset("in on at into to from for with by of about over under after before during since "
                          "until near across against toward towards through within without".split())
_TIME_PHRASE = re.compile(r"^(?:(?:as of|in|on|at|by|since|until|before|after|during)\s+)?(?:"
                          r"(?:a|an|one|two|three|four|five|six|\d+)\s+(?:days?|weeks?|months?|years?|hours?)\s+"
                          r"(?:later|earlier|before|after|ago|on)|(?:last|this|next)\s+(?:week|month|year|time)|"
                          r"now|then|today|yesterday|tomorrow)$", re.I)
_PERSON_NOUNS = frozenset("""man woman boy girl person minister president secretary chancellor leader chief
governor king queen prince princess singer actor actress player coach winner author writer director editor
spokesman spokeswoman spokesperson envoy official ceo chairman chairwoman chairperson judge senator mp mayor
general officer manager founder father mother son daughter wife husband brother sister""".split())
_TITLES = frozenset("""president minister secretary general chancellor king queen prince mr mrs ms dr sir
governor chairperson chairman ceo chief senator judge prime foreign""".split())
_GROUP_WORDS = frozenset("""council ministers ministry party organization organisation union bank court command
agency government committee commission league association company corporation airlines airline cup awards
summit games trial university alliance forces army navy police parliament congress senate assembly department
office group club team fund board federation institute news times post reuters authority service""".split())
_PLACES = frozenset(fold(p) for p in """Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia
Austria Azerbaijan Bahamas Bahrain Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia Bosnia Botswana
Brazil Brunei Bulgaria Burkina Burundi Cambodia Cameroon Canada Chad Chile China Colombia Comoros Congo Croatia
Cuba Cyprus Czechia Denmark Djibouti Dominica Ecuador Egypt Eritrea Estonia Eswatini Ethiopia Fiji Finland France
Gabon Gambia Georgia Germany Ghana Greece Grenada Guatemala Guinea Guyana Haiti Honduras Hungary Iceland India
Indonesia Iran Iraq Ireland Israel Italy Jamaica Japan Jordan Kazakhstan Kenya Kiribati Kosovo Kuwait Kyrgyzstan
Laos Latvia Lebanon Lesotho Liberia Libya Liechtenstein Lithuania Luxembourg Madagascar Malawi Malaysia Maldives
Mali Malta Mauritania Mauritius Mexico Moldova Monaco Mongolia Montenegro Morocco Mozambique Myanmar Namibia Nauru
Nepal Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palau Palestine Panama Paraguay Peru Philippines
Poland Portugal Qatar Romania Russia Rwanda Samoa Senegal Serbia Seychelles Singapore Slovakia Slovenia Somalia
Spain Sudan Suriname Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Togo Tonga Tunisia Turkey
Türkiye Turkmenistan Tuvalu Uganda Ukraine Uruguay Uzbekistan Vanuatu Venezuela Vietnam Yemen Zambia Zimbabwe
Britain England Scotland Wales Europe Asia Africa America Gaza Crimea Kyiv Moscow Beijing Washington London Paris
Berlin Brussels Tokyo Delhi""".split())


def _words(text: str) -> list[str]:
    return [fold(w) for w in re.findall(r"[^\W_]+(?:[’'][^\W_]+)*", text)]


# --- what a name is -------------------------------------------------------------------------------------

def _names(text: str) -> list[tuple[int, int]]:
    """Spans of the named things in a text: capitalised runs, without a leading "The" or question word, and
    without month or weekday names."""
    out = []
    for s, e in entity_spans(text):
        parts = text[s:e].split()
        while parts and fold(parts[0]) in STOPWORDS | QUESTION_WORDS:
            s = text.index(parts[1], s) if len(parts) > 1 else e
            parts = parts[1:]
        if parts and not all(fold(p).strip(".’'s") in MONTHS or DATE.fullmatch(p) for p in parts):
            out.append((s, e))
    return out


def _bare(name: str) -> str:
    """A name without a trailing possessive ("Activision's" -> "Activision")."""
    return re.sub(r"[’']s?$", "", name.strip(" .,;:"))


def _is_person(name: str) -> bool:
    """Could this name be a person's: not an acronym, an organisation, a group of people or a country."""
    parts = [_bare(p) for p in name.split()]
    if not parts or any(ch.isdigit() for ch in name) or not parts[0][:1].isupper():
        return False
    if len(parts[0]) > 1 and parts[0].isupper():
        return False
    low = {fold(p) for p in parts}
    return not (low & _GROUP_WORDS) and not (len(parts) == 1 and fold(parts[0]) in _PLACES)


def _person_name(name: str) -> str:
    """The person's own name out of a titled one ("Comoros President Azali Assoumani" -> "Azali Assoumani",
    "Kenya's Grace Wanjiru" -> "Grace Wanjiru")."""
    parts = _bare(name).split()
    titled = [i for i, p in enumerate(parts) if fold(p).strip(".") in _TITLES or re.search(r"[’']s$", p)]
    if titled and titled[-1] < len(parts) - 1:
        parts = parts[titled[-1] + 1:]
    return " ".join(parts)


def _quoted(text: str, start: int, end: int) -> bool:
    """Is text[start:end] inside quotation marks: a title ('Oppenheimer'), not a person."""
    while end > start and text[end - 1] in _QUOTES:
        end -= 1
    return text[start - 1:start] in _QUOTES and text[end:end + 1] in _QUOTES


_QUOTES = frozenset("'\"‘’“”")


def _looks_like_name(answer: str | None) -> bool:
    return bool(answer) and answer[:1].isupper() and len(answer.split()) <= 6 and not DATE.fullmatch(answer)


# --- the previous question's parts ---------------------------------------------------------------------


def _subject(question: str) -> tuple[int, int] | None:
    """Span of the explicit subject of a question ("did [the BJP] win", "is [the new NATO Command] located"),
    or None when the question word is the subject ("Who won ...?") or the subject is a pronoun."""
    toks = word_matches(question)
    for i, t in enumerate(toks[:-1]):
        if fold(t.group()) not in AUXILIARIES or i == 0 and not _WH_START.match(question):
            continue
        j = i + 1
        first = toks[j]
        if fold(first.group()) in _PRONOUN_WORDS or (fold(first.group()) in STOPWORDS
                                                     and fold(first.group()) not in ("the", "a", "an")):
            return None
        if first.group()[:1].islower() and re.search(r"(?:ed|ing|en)$", first.group()):
            return None  # "Which drug was [tested] in ...": the question word is the subject
        if fold(first.group()) in ("the", "a", "an"):
            j += 1
        # up to three modifiers, then a capitalised run or one lowercase head noun
        k = j
        while k < len(toks) and k < j + 3 and toks[k].group()[:1].islower() and fold(toks[k].group()) not in STOPWORDS:
            if k + 1 < len(toks) and toks[k + 1].group()[:1].isupper():
                k += 1
                continue
            break
        if k >= len(toks):
            return None
        if toks[k].group()[:1].isupper():
            while k + 1 < len(toks) and toks[k + 1].group()[:1].isupper():
                k += 1
        return first.start(), toks[k].end()
    return None


_PRONOUN_WORDS = _PERSONAL | _THING | {"i", "you", "we", "us", "me", "there", "that", "this", "these", "those"}


def _person(turn: Turn) -> str | None:
    """Who "he"/"she" most likely is: the previous short answer if it is a person's name, else the first
    person named in the previous question, else in the previous supporting sentence."""
    sentence = turn.sentence or ""
    answer = (turn.answer or "").strip()
    at = sentence.find(answer) if answer else -1
    if _looks_like_name(answer) and _is_person(_person_name(answer)) \
            and not (at >= 0 and _quoted(sentence, at, at + len(answer))):
        return _person_name(answer)
    for text in (turn.question, sentence):
        for s, e in _names(text):
            # "the Oscars", "the Netherlands": a name after "the" is no person's
            if _is_person(text[s:e]) and not re.search(r"\bthe\s+(?:\d+\s+)?$", text[:s], re.I) \
                    and not re.match(r"\s+\d{4}\b", text[e:]) and not _quoted(text, s, e):
                return _person_name(text[s:e])
    return None


# "When did the WHO say [COVID-19 was no longer ...]?": a reported clause after a verb of saying
_REPORTED = re.compile(r"\b(?:say|says|said|announce|announced|report|reported|declare|declared|confirm|confirmed|"
                       r"think|thinks|thought|believe|believes|believed)\s+(?:that\s+)?(?P<clause>\S.*)$", re.I)


def _reported_subject(question: str) -> str | None:
    """The subject of the clause a question reports ("When did the WHO say COVID-19 was no longer a global
    health emergency?" -> "COVID-19", "... say the Luna-25 mission had failed?" -> "the Luna-25 mission"): the
    one to five words that open the clause before its verb, a name or a noun phrase with an article."""
    m = _REPORTED.search(question)
    if not m:
        return None
    clause = m.group("clause")
    toks = word_matches(clause)
    verb = next((i for i, t in enumerate(toks) if fold(t.group()) in AUXILIARIES), None)
    if not verb or verb > 5 or fold(toks[0].group()) in _PRONOUN_WORDS:
        return None
    if not (fold(toks[0].group()) in ("the", "a", "an") and verb > 1 or toks[0].group()[:1].isupper()):
        return None
    return _bare(clause[toks[0].start():toks[verb - 1].end()])


def _thing(turn: Turn, plural: bool = False) -> str | None:
    """What "it"/"they" most likely is: the previous answer when that question asked which thing, else the
    subject of the clause it reported ("... say COVID-19 was ..."), else the previous question's subject, else the
    first name in it that is not a person's."""
    asked_thing = re.match(r"^\s*(?:what|which)\s+(?!is\b|was\b|are\b|were\b|did\b|does\b|do\b)\w+", turn.question,
                           re.I)
    answer = (turn.answer or "").strip(" .,;:")
    new = set(_words(answer)) - set(_words(turn.question)) - STOPWORDS
    if asked_thing and new and len(answer.split()) <= 6 and not DATE.fullmatch(answer) \
            and not (answer[:1].isupper() and _is_person(answer) and len(answer.split()) > 1):
        return _bare(answer)
    reported = _reported_subject(turn.question)
    if reported and not _is_person(reported):
        return reported
    span = _subject(turn.question)
    if span:
        text = turn.question[span[0]:span[1]]
        names = [text[s:e] for s, e in _names(text)]
        if not (names and _is_person(names[-1]) and not plural):
            return _bare(names[-1]) if names else text
    for s, e in _names(turn.question):
        if not _is_person(turn.question[s:e]):
            return _bare(turn.question[s:e])
    if plural and answer[:1].isupper() and len(answer.split()) <= 6:
        return _bare(answer)
    return None


def _place(turn: Turn) -> str | None:
    """Where "there" is: the previous answer to a "where" question, else a name after in/at/to/from, else a
    country named in the previous question."""
    if re.match(r"^\s*where\b", turn.question, re.I) and _looks_like_name(turn.answer):
        return _bare(turn.answer)
    for s, e in _names(turn.question):
        before = turn.question[:s].split()
        if before and fold(before[-1]) in ("in", "at", "to", "from", "near") or fold(_bare(turn.question[s:e])) in _PLACES:
            return _bare(turn.question[s:e])
    return None


# --- pronouns ------------------------------------------------------------------------------------------

def _is_possessive(question: str, match: re.Match[str]) -> bool:
    word = match.group(1).lower()
    if word in _POSSESSIVE:
        return True
    if word != "her":
        return False
    after = re.match(r"\s+([^\W_]+)", question[match.end():])
    return bool(after) and is_content(after.group(1))


def _resolved_inside(question: str, match: re.Match[str]) -> bool:
    """Does the question itself hold what the pronoun points at ("Why did Finland close its border?")."""
    word = match.group(1).lower()
    before = question[:match.start()]
    names = [before[s:e] for s, e in _names(before)]
    nouns = [w for w in _words(before) if w in _PERSON_NOUNS]
    if word in _PERSONAL:
        if any(_is_person(n) for n in names) or nouns:
            return True
    elif word == "there":
        return bool(names)
    elif names or re.search(r"\b(?:the|a|an)\s+(?:[^\W_]+\s+){0,3}?[^\W_]*[^\W\d_]", before, re.I) and any(
            is_content(w) for w in _words(before)):
        return True
    # a possessive can point at the subject that follows it: "How many of its jets did the airline pull?"
    if _is_possessive(question, match):
        span = _subject(question)
        if span and span[0] > match.start():
            subject = question[span[0]:span[1]]
            person = any(w in _PERSON_NOUNS for w in _words(subject)) or any(
                _is_person(subject[s:e]) for s, e in _names(subject))
            return person == (word in _PERSONAL)
    return False


def _is_expletive(question: str, match: re.Match[str]) -> bool:
    """"there" in "Is there ...?" / "there were ..." is no place; "it" in "How long did it take X to ...?" is
    no thing."""
    after = question[match.end():].split()
    if match.group(1).lower() == "it":
        return bool(after) and fold(after[0]) in ("take", "takes", "took", "seem", "seems", "seemed")
    before = question[:match.start()].split()
    return bool(after and fold(after[0]) in AUXILIARIES | {"'s"} or before and fold(before[-1]) in AUXILIARIES)


def _open_pronouns(question: str) -> list[re.Match[str]]:
    """The pronouns of a question that point outside it, keeping only the first person's when the question
    holds both a "she" and a "he" ("Who replaced her, and what job did he have?": he is someone new)."""
    found = [m for m in _PRONOUN.finditer(question)
             if not _resolved_inside(question, m)
             and not (m.group(1).lower() in ("there", "it") and _is_expletive(question, m))]
    genders = [m.group(1).lower() in _MALE for m in found if m.group(1).lower() in _PERSONAL]
    if genders:
        found = [m for m in found if m.group(1).lower() not in _PERSONAL or (m.group(1).lower() in _MALE) == genders[0]]
    return found


def _swap_pronouns(question: str, previous: Turn) -> str:
    out, last = [], 0
    for m in _open_pronouns(question):
        word = m.group(1).lower()
        if word in _PERSONAL:
            referent = _person(previous)
        elif word == "there":
            referent = _place(previous)
        else:
            referent = _thing(previous, plural=word.startswith("the"))
        if not referent:
            continue
        if word == "there":
            before = question[:m.start()].split()
            text = referent if before and fold(before[-1]) in _PREPOSITIONS else f"in {referent}"
        elif _is_possessive(question, m) or word == "hers" or word == "theirs":
            text = f"{referent}’s" if "’" in question else f"{referent}'s"
        else:
            text = referent
        out.append(question[last:m.start()] + text)
        last = m.end()
    return "".join(out) + question[last:]


# --- elided nouns ("how many were wounded", "the second") ------------------------------------------------

def _fill_elided(question: str, previous: Turn) -> str:
    m = _HOW_MANY_BARE.search(question)  # "how many were wounded": many what? ("how much did it cost" is whole)
    if m:
        noun = counted_noun(previous.question)
        if noun:
            question = f"{question[:m.end()]} {noun}{question[m.end():]}"
    m = _ORDINAL.search(question)
    if m:
        noun = _ORDINAL_NOUN.search(previous.question)
        if noun and is_content(noun.group(1)):
            question = f"{question[:m.end()]} {noun.group(1)}{question[m.end():]}"
    m = _FIGURE.search(question)
    number = _answer_figure(previous)
    if m and number:
        question = f"{question[:m.start()]}the {m.group(1)} of {number}{question[m.end():]}"
    return question


def _answer_figure(previous: Turn) -> str | None:
    number = NUMBER.search(previous.answer or "")
    return number.group() if number and any(ch.isdigit() for ch in number.group()) else None


def points_at_figure(question: str, previous: Turn | None) -> bool:
    """Does the question ask about the figure the previous reply showed ("who gave that figure?", "when was that
    total reported?")? Then it asks about the sentence that stated it."""
    return previous is not None and previous.sentence is not None and _FIGURE.search(question) is not None


# --- ellipsis ("And the Netherlands?", "What about small brain bleeds?") ----------------------------------

def _phrase_end(text: str, start: int) -> int:
    """Where a phrase starting at `start` ends: at the next preposition, clause word, comma or the end."""
    for t in word_matches(text[start:])[1:]:
        if fold(t.group()) in _PREPOSITIONS | {"when", "while", "after", "before", "and", "but", "that", "which"}:
            return start + t.start() - 1 if text[start + t.start() - 1] == " " else start + t.start()
    end = len(text.rstrip(" ?.!"))
    comma = text.find(",", start)
    return comma if 0 <= comma < end else end


def _time_slot(question: str) -> tuple[int, int] | None:
    for m in DATE.finditer(question):
        before = question[:m.start()]
        p = re.search(r"(?:\b(?:as of|in|on|at|by|since|until|before|after|during)\s+)$", before, re.I)
        return (p.start() if p else m.start()), m.end()
    m = re.search(r"\b(?:this|last|next) (?:week|month|year|time)\b|\b(?:now|then|today|yesterday)\b", question, re.I)
    return m.span() if m else None


def _slot(question: str, x: str) -> tuple[int, int] | None:
    """The part of the previous question that `x` stands in for."""
    first = fold(x.split()[0])
    if _TIME_PHRASE.match(x) or DATE.search(x) and len(x.split()) <= 4:
        return _time_slot(question)
    if first in _PREPOSITIONS:
        m = re.search(rf"\b{re.escape(first)}\b", question, re.I)
        return (m.start(), _phrase_end(question, m.start())) if m else None
    names = _names(question)
    x_names = _names(x)
    if x_names:
        kind = _is_person(x[x_names[0][0]:x_names[0][1]])
        same = [n for n in names if _is_person(question[n[0]:n[1]]) == kind]
        pick = (same or names or [None])[0]
        if pick:
            s, e = pick
            if e < len(question) and question[e:e + 2] in ("'s", "’s"):
                e += 2 if not x.endswith("s") else 0
            if fold(x.split()[0]) == "the" and question[:s].lower().endswith("the "):
                s -= 4
            return s, e
        return _subject(question)
    # a common noun phrase: the run of the previous question that shares a word with it, else its
    # "how many X" noun, else its subject
    own = {w for w in _words(x) if is_content(w)}
    toks = word_matches(question)
    for i, t in enumerate(toks):
        if fold(t.group()) in own:
            # from the first shared word to the end of its run: x brings its own modifiers ("small")
            hi = i
            while hi + 1 < len(toks) and is_content(toks[hi + 1].group()):
                hi += 1
            return t.start(), toks[hi].end()
    noun = counted_noun(question)
    if noun:
        s = question.find(noun)
        return s, s + len(noun)
    return _subject(question)


def _elliptical_part(question: str) -> str | None:
    """The X of "And X?" / "What about X?", when X is no question of its own ("And who got the second?")."""
    m = _ELLIPSIS.match(question)
    if not m:
        return None
    x = (m.group("x") or m.group("y")).strip()
    if not x or _WH_START.match(x) or fold(x.split()[0]) in AUXILIARIES | _PRONOUN_WORDS:
        return None
    return x


def _elliptical(question: str, previous: Turn) -> str | None:
    """"And X?" / "What about X?" / "How about X?" as the previous question with X in its place."""
    x = _elliptical_part(question)
    if x is None:
        return None
    prev = previous.question.strip()
    slot = _slot(prev, x)
    if slot is None:
        if _TIME_PHRASE.match(x) or DATE.search(x):
            return f"{prev.rstrip(' ?.!')} {x}?"
        return None
    s, e = slot
    x = x if s > 0 else x[:1].upper() + x[1:]
    return f"{prev[:s]}{x}{prev[e:]}"


_FRAGMENT = re.compile(r"^\s*(?:(?:and|but|so)\s+)?(?P<f>(?:(?:for|since|until|in|on|at|by|from|to|with)\s+)?"
                       r"(?:how\s+(?:many|much|long|often|far|old)(?:\s+[^\W\d_]+)?|what\s+[^\W\d_]+|which\s+[^\W\d_]+|"
                       r"when|where|why|how))\s*[?.!]*\s*$", re.I)


_ORDINAL_ASK = re.compile(r"^\s*(?:(?:and|but|so)\s+)?(?:(?P<wh>who|what|which|when|where|how\s+many|how\s+much)\s+"
                          r"(?:[^\W\d_]+\s+){0,2}?)?the\s+(?P<ord>first|second|third|fourth|fifth|last|next|other)"
                          r"\s*[?.!]*\s*$", re.I)


def _next_ordinal(question: str, previous: Turn) -> str | None:
    """"And who got the second?" after "Who scored Argentina's first goal in the final?": the previous question
    with its ordinal replaced ("Who scored Argentina's second goal in the final?"), when both ask the same
    question word or the question is only the ordinal ("And the second?")."""
    m = _ORDINAL_ASK.match(question)
    prev = previous.question.strip()
    old = _ORDINAL_NOUN.search(prev)
    if not m or not old or not is_content(old.group(1)):
        return None
    wh = m.group("wh")
    if wh and fold(" ".join(wh.split())) != fold(" ".join(prev.split()[:len(wh.split())])):
        return None
    word = m.group("ord").lower()
    word = word if prev[old.start()].islower() else word.capitalize()
    return f"{prev[:old.start()]}{word}{prev[old.start() + len(old.group(0)) - len(old.group(1)) - 1:]}"


def _wh_fragment(question: str, previous: Turn) -> str | None:
    """"For how many years?" / "Since when?": the previous question asked again with the new question word."""
    m = _FRAGMENT.match(question)
    if not m or any(fold(w) in AUXILIARIES for w in m.group("f").split()):
        return None
    if not re.match(r"(?:for|since|until|in|on|at|by|from|to|with)\s", m.group("f"), re.I) and len(m.group("f").split()) > 1 \
            and not HOW_MANY.match(m.group("f")) and not re.match(r"how\s+(?:long|often|far|old)", m.group("f"), re.I):
        return None
    fragment = m.group("f")
    prev = previous.question.strip().rstrip(" ?.!")
    return f"{prev}, {fragment[:1].lower()}{fragment[1:]}?"


# --- the rewrite ---------------------------------------------------------------------------------------

def follows(question: str) -> bool:
    """Does the question lean on the previous turn: a pronoun it does not resolve itself, an ellipsis
    ("And X?", "What about X?"), a noun left out ("how many were wounded"), or a leading "And" on a question
    that names nothing of its own."""
    if _open_pronouns(question) or _elliptical_part(question) is not None or _FRAGMENT.match(question):
        return True
    if _HOW_MANY_BARE.search(question) or _ORDINAL.search(question) or _FIGURE.search(question):
        return True
    return bool(_CONJUNCTION.match(question)) and not _names(question)


# "Who wrote that story?", "Who was the article written by?", "When was this piece published?", "And when was that
# story last updated?": a question about the piece that answered the previous turn, with nothing of its own to look
# for. The piece is named as a news piece, or as "it" where the previous turn tells of nothing else written
# (`about_piece`); not "that one", nor "the report" (one the story tells of), nor a bare "the reporter" (the story
# may be about one).
_PIECE_REF = r"(?:the|that|this)\s+(?:news\s+)?(?:story|article|piece)"
_START = (r"^(?:.*?[.!?]\s+)?\W*(?:(?:and|so|but|ok|okay|thanks|please|can\s+you\s+tell\s+me|could\s+you\s+tell\s+me|"
          r"do\s+you\s+know|tell\s+me)\W+)*")
_END = r"(?:\W+please)?\W*$"
_WRITER = r"(?:reporter|journalist|correspondent|author|writer)"
_ABOUT_PIECE = (
    (re.compile(rf"{_START}(?:who|which\s+{_WRITER})\s+(?:wrote|writes|reported|filed|authored)\s+{_PIECE_REF}{_END}",
                re.I), "Who wrote the story?"),
    (re.compile(rf"{_START}who\s+(?:was|is)\s+{_PIECE_REF}\s+(?:written|filed|reported)\s+by{_END}", re.I),
     "Who wrote the story?"),
    (re.compile(rf"{_START}who(?:['’]s|\s+is|\s+was)\s+the\s+{_WRITER}\s+(?:of|on|behind|for)\s+{_PIECE_REF}{_END}",
                re.I), "Who wrote the story?"),
    (re.compile(rf"{_START}(?:when|what\s+(?:date|day))\s+(?:was|is)\s+{_PIECE_REF}\s+(?:last\s+)?"
                rf"(?:updated|modified){_END}", re.I), "When was the story last updated?"),
    (re.compile(rf"{_START}(?:when|what\s+(?:date|day))\s+(?:was|is)\s+{_PIECE_REF}\s+(?:first\s+)?"
                rf"(?:published|posted|written|filed|put\s+out){_END}", re.I), "When was the story published?"),
    (re.compile(rf"{_START}when\s+did\s+{_PIECE_REF}\s+(?:come\s+out|run|appear|go\s+(?:out|live|online)){_END}",
                re.I), "When was the story published?"),
)
# "Who wrote it?", "When was it published?", "When was it last updated?": no other form ("When was it filed?" may be a
# lawsuit, "When did it come out?" a phone)
_ABOUT_IT = (
    (re.compile(rf"{_START}who\s+wrote\s+it{_END}", re.I), "Who wrote the story?"),
    (re.compile(rf"{_START}(?:when|what\s+(?:date|day))\s+was\s+it\s+last\s+updated{_END}", re.I),
     "When was the story last updated?"),
    (re.compile(rf"{_START}(?:when|what\s+(?:date|day))\s+was\s+it\s+(?:first\s+)?published{_END}", re.I),
     "When was the story published?"),
)
# what else "it" may be that is written, published or updated: the previous turn told of one (not words with an
# everyday sense besides: an order, a case, a post, a score, an estimate, an interview)
_WRITTEN = re.compile(r"\b(?:book|novel|memoir|biography|report|letter|study|paper|journal|album|song|film|movie|poem|"
                      r"essay|column|op-ed|statement|thesis|declaration|manifesto|budget|survey|poll|guidance|"
                      r"guidelines|law|bill|treaty|lawsuit|speech|tweet|ruling|judgment|judgement|verdict|video|"
                      r"podcast|episode|software|website|forecast)s?\b", re.I)


def about_piece(question: str, previous: Turn | None = None) -> str | None:
    """For a question about the piece that answered the previous turn (`_ABOUT_PIECE`), the question it asks of
    that piece: "Who wrote the story?", "When was the story published?" or "When was the story last updated?".
    "When was it published?" and "Who wrote it?" ask it too when the `previous` turn (its question and sentence)
    tells of nothing else that is written or published (`_WRITTEN`: a book, letter or report may be what "it" is)."""
    patterns = _ABOUT_PIECE
    if previous is not None and not _WRITTEN.search(f"{previous.question} {previous.sentence or ''}"):
        patterns += _ABOUT_IT
    return next((asked for pattern, asked in patterns if pattern.match(question)), None)


# "Who said that?", "And who made that claim?", "According to whom?", "Whose words are those?": who said what the
# previous answer came from, with nothing of its own to look for ("Who wrote that?" may ask about the piece).
_THAT = r"(?:that|this|it|so|those\s+words|these\s+words)"
_REMARK = r"(?:statement|comment|remark|claim|quote|promise|warning|pledge)"
_ASKS_SPEAKER = (
    re.compile(rf"{_START}who\s+(?:said|says|stated|told\s+(?:them|us|him|her|reporters))\s+{_THAT}{_END}", re.I),
    re.compile(rf"{_START}who\s+(?:made|gave|issued)\s+(?:that|this|the)\s+{_REMARK}{_END}", re.I),
    re.compile(rf"{_START}who\s+(?:was|is)\s+(?:that|this|it)\s+(?:said|stated)\s+by{_END}", re.I),
    re.compile(rf"{_START}(?:who(?:['’]s|\s+is|\s+was)\s+(?:being\s+)?quoted|according\s+to\s+whom|"
               rf"whose\s+(?:words|quote|statement)\s+(?:is|are|was|were)\s+(?:that|this|those|these)){_END}", re.I),
)


def asks_speaker(question: str) -> bool:
    """Does the question ask who said the words the previous answer came from (`_ASKS_SPEAKER`)?"""
    return any(pattern.match(question) for pattern in _ASKS_SPEAKER)


def keeps_topic(question: str) -> bool:
    """Does the question stay with what the previous turn was about, so its article is the likely place of the
    answer? An ellipsis ("And the Netherlands?", "And a week later?") moves to a new slot, so it does not."""
    return follows(question) and _elliptical_part(question) is None


def replaces_slot(question: str, previous: Turn) -> bool:
    """Is the question an ellipsis whose new part the previous supporting sentence says nothing of ("And a
    week later?"): then that sentence answered only the old question."""
    x = _elliptical_part(question)
    if x is None or not previous.sentence:
        return False
    return not set(tokens(x)) & set(tokens(previous.sentence))


def rewrite(question: str, previous: Turn | None) -> str:
    """The question made self-contained using the previous turn; unchanged when it stands on its own.

    Pronouns that point outside the question are replaced (he/she -> a person, it/they -> a thing or group,
    there -> a place), a noun the question leaves out is taken from the previous question ("how many were
    wounded" -> "how many people were wounded"), and an ellipsis ("And the Netherlands?") is the previous
    question with the new part in the matching slot."""
    if previous is None or not previous.question.strip() or not follows(question):
        return question
    whole = _next_ordinal(question, previous) or _elliptical(question, previous) or _wh_fragment(question, previous)
    if whole:
        return whole
    text = _fill_elided(_swap_pronouns(question, previous), previous)
    if text == question:
        return question
    rest = _CONJUNCTION.sub("", text, count=1)
    return rest[:1].upper() + rest[1:] if rest else text
