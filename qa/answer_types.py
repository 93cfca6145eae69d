"""What a question asks for (person, time, number, place, ...) and which parts of a sentence could be it."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

from qa.tokens import QUESTION_WORDS, STOPWORDS, double_quotes, fold, stem_words, tokens, visible


class AnswerType(str, Enum):
    PERSON = "person"
    TIME = "time"
    NUMBER = "number"
    PLACE = "place"
    ENTITY = "entity"  # "which organisation / country / systems ..." -> a named thing
    OTHER = "other"


# "how many", "what number of", "the death toll": the answer is a count of things, not money, a share or a date
_COUNT_NOUN = (r"\bwhat(?:'s|’s| is| was| are| were| will be)? (?:the |its |their )?(?:\w+ ){0,3}?"
               r"(?:toll|tally|headcount|turnout|count)\b")
_COUNT = re.compile(r"\bhow many\b|\b(?:what|which) number of\b|" + _COUNT_NOUN, re.I)


def asks_count(question: str) -> bool:
    """The question asks how many of something there are ("How many are on strike?", "the latest death toll")."""
    return bool(_COUNT.search(question))


AUXILIARIES = frozenset("is are was were be been did does do will would can could should shall may might must has "
                        "have had 's".split())
WORD = re.compile(r"[^\W_]+(?:[’'\-.][^\W_]+)*(?:[’']s)?")  # "COVID-19", "U.S", "Sudan's": one word each
HOW_MANY = re.compile(r"\bhow\s+(?:many|much)\b", re.I)


def word_matches(text: str) -> list[re.Match[str]]:
    """The words of a text as the question rules read them: hyphenated and dotted compounds and a possessive stay
    one word."""
    return list(WORD.finditer(text))


def is_content(word: str) -> bool:
    """Neither a stopword nor a question word."""
    return fold(word) not in STOPWORDS and fold(word) not in QUESTION_WORDS


def counted_noun(question: str) -> str | None:
    """The noun of a "how many X" / "how much X" question ("How many Lok Sabha seats did ..." -> "Lok Sabha
    seats"), cut after the last plural when a verb follows it ("autoworkers walked" -> "autoworkers")."""
    m = HOW_MANY.search(question)
    if not m:
        return None
    run = []
    for t in word_matches(question[m.end():]):
        if not is_content(t.group()) or fold(t.group()) in AUXILIARIES or run and t.group().endswith("ed"):
            break
        run.append(t.group())
    plural = [i for i, w in enumerate(run) if w.lower().endswith("s") and not w.endswith("'s")]
    if len(run) > 1 and plural:
        run = run[:plural[-1] + 1]
    return " ".join(run) or None


# what any count of persons counts: "185" answers "How many people ...?" as well as "185 people" does
_GENERIC_COUNTED = frozenset({"persons"})  # "people" is no plural in -s


def counted_words(question: str) -> tuple[str, ...]:
    """The folded words of what a "how many" question counts (`counted_noun`) up to its last plural, the head noun,
    for a count shown with its noun ("How many COVID-19 vaccine doses have ...?" -> covid-19, vaccine, doses).
    Only when the verb's auxiliary follows the noun: not for "how much" (money, an amount), nor "How many types
    of ...?" (the noun is the "of" phrase's), nor without a plural ("How many died?", "How many people left?": a
    verb may pass for a noun there), nor for persons in general."""
    m = re.search(r"\bhow\s+many\s+", question, re.I)
    noun = counted_noun(question) if m else None
    after = word_matches(question[m.end() + len(noun):]) if noun and question[m.end():].startswith(noun) else []
    if not after or fold(after[0].group()) not in AUXILIARIES:
        return ()
    found = [fold(w) for w in noun.split()]
    plural = [i for i, w in enumerate(found) if w.endswith("s") and not w.endswith(("ss", "'s", "’s"))]
    found = found[:plural[-1] + 1] if plural else []
    return () if not found or found[-1] in _GENERIC_COUNTED else tuple(found)


# Nouns that count persons ("78,121 people", "1.3 million Parisians": a people's plural name in -ans counts too, not
# one in -ese, which is as often an adjective: "200 Japanese cars")
PERSON_NOUNS = frozenset("""people persons residents voters citizens workers employees staff passengers migrants
refugees children kids adults students patients fans members officers soldiers troops civilians visitors tourists
customers users players spectators protesters demonstrators inhabitants men women individuals teenagers pupils nurses
doctors teachers volunteers delegates lawmakers legislators mps meps senators survivors victims travellers travelers
""".split())
_PEOPLES = re.compile(r"^[A-Z][a-z]+(?:ians|eans|ans)$")
_SHARE_OR_MONEY = re.compile(r"[%$€£¥]|\bper ?cent\b|\bpercent\b|\beuros?\b|\bdollars?\b|\bpounds?\b", re.I)
_COUNT_FILLER = frozenset("million billion thousand hundred more than other of the additional extra".split())


def counts_persons(word: str) -> bool:
    return fold(word) in PERSON_NOUNS or bool(_PEOPLES.match(word))


def counted_nouns(text: str) -> list[str | None]:
    """The noun each count in the text counts, the word after it ("1.3 million Parisians": Parisians), None where
    none follows; shares, sums of money and years are no counts."""
    nouns = []
    for m in NUMBER.finditer(text):
        if DATE.fullmatch(m.group()) or _SHARE_OR_MONEY.search(m.group()):
            continue
        after = [w.group() for w in word_matches(text[m.end():m.end() + 60])][:4]
        while after and fold(after[0]) in _COUNT_FILLER:
            after.pop(0)
        nouns.append(after[0] if after else None)
    return nouns


# Things counted in persons: "413 people were killed" answers "How many deaths ...?", "5,600 workers" "How many
# jobs ...?", "90,000 fans" "How many tickets ...?"
_COUNTED_IN_PERSONS = frozenset(stem_words("""deaths casualties fatalities injuries victims jobs cases infections votes
seats signatures arrests tickets admissions births applications visas claims crossings arrivals departures evacuations
hospitalisations hospitalizations lives places spots""".split()))


def counts_others(question: str, text: str) -> list[str]:
    """Where a question counts things ("How many SUVs are registered in Paris?") and the text never names them and
    counts nothing but persons, a people among them ("... of the roughly 1.3 million Parisians registered to vote"):
    the persons it counts, which are not what was asked; else []. Not for things that are counted in persons
    ("How many deaths ...?" over "413 people were killed", "How many jobs ...?" over "5,600 workers")."""
    counted = counted_words(question)
    head = stem_words([counted[-1]])[0] if counted else None
    if not counted or counts_persons(counted[-1]) or head in _COUNTED_IN_PERSONS or head in set(tokens(text)):
        return []
    nouns = counted_nouns(text)
    if not nouns or not all(n and counts_persons(n) for n in nouns) or not any(_PEOPLES.match(n) for n in nouns):
        return []
    return list(dict.fromkeys(nouns))


# Casualty figures: news gives "At least 413 people have been killed and 3,551 injured" in one breath, and a
# question about the dead is not answered by the injured figure, nor the other way round.
_CASUALTY = {"death": re.compile(r"\b(?:deaths?|dead|died|dies|die|killed|kills?|killing|fatalit\w*|lives|toll)\b",
                                 re.I),
             "injury": re.compile(r"\b(?:injur\w*|wounded|wounds?|wounding|hurt|hospitali[sz]ed)\b", re.I)}
_FIGURE_TAIL = re.compile(r"(?:\s+[\w’'-]+){1,4}")


def asks_casualty(question: str) -> str | None:
    """"death" or "injury" when a question asks about only one of the two ("the latest death toll", "How many
    were wounded?"), else None."""
    kinds = [k for k, pattern in _CASUALTY.items() if pattern.search(question)]
    return kinds[0] if len(kinds) == 1 else None


_FIGURE = re.compile(r"\d[\d,.]*\d|\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|dozens?|hundreds?|thousands?|millions?)\b",
                     re.I)
# Words that say how exact a quantity is ("about 12,700", "more than 1,800", "at least nine"), as a regex alternation.
QUALIFIERS = (r"about|around|approximately|roughly|nearly|almost|some|over|under|above|below|up to|more than|"
              r"less than|fewer than|at least|at most|as many as|as much as|an estimated")
# The word that governs a figure from before it: "killed at least 413", "injured 3,551", "the toll rose to 185".
_GOVERNED = re.compile(r"([\w’'-]+)(?:\s+(?:to|of|at|by|reached|rose|risen|climbed|stands?|stood|is|was|now))*"
                       rf"(?:\s+(?:{QUALIFIERS}))*\s+$", re.I)


def _casualty_of(word: str) -> str | None:
    return next((k for k, pattern in _CASUALTY.items() if pattern.fullmatch(word)), None)


def figure_casualty(text: str, start: int, end: int) -> frozenset[str]:
    """What the figures of the span `text[start:end]` count. For each figure, the casualty word that governs it
    from before ("killed at least 413", "injured 3,551", "the toll rose to 185"), or else the nearest among the
    (at most four) words after it ("413 people have been killed", "3,551 injured"); for a span without figures,
    the casualty words inside it. Empty when nothing says."""
    kinds = set()
    figures = list(_FIGURE.finditer(text, start, end))
    for figure in figures:
        before = _GOVERNED.search(text, max(0, figure.start() - 80), figure.start())
        kind = _casualty_of(before.group(1)) if before else None
        if kind is None:
            tail = _FIGURE_TAIL.match(text, figure.end())
            found = [(m.start(), k) for k, pattern in _CASUALTY.items()
                     for m in [pattern.search(tail.group()) if tail else None] if m]
            kind = min(found)[1] if found else None
        if kind:
            kinds.add(kind)
    if not figures:
        kinds.update(k for k, pattern in _CASUALTY.items() if pattern.search(text, start, end))
    return frozenset(kinds)


_RULES: list[tuple[re.Pattern[str], AnswerType]] = [(re.compile(p, re.I), t) for p, t in (
    (r"\b(?:what|which) (?:year|years|date|day|month|decade|century|time|era|period|season)\b", AnswerType.TIME),
    (r"^\s*(?:when|since when|until when)\b|\bwhen (?:did|does|do|is|was|were|will|has|had)\b", AnswerType.TIME),
    (r"\bhow (?:many|much|long|old|far|big|large|tall|high|deep|wide|often|fast|heavy)\b", AnswerType.NUMBER),
    (r"\b(?:what|which) (?:percentage|percent|share|proportion|number|amount|sum|population|size|rate|fraction)\b",
     AnswerType.NUMBER),
    # "What's the latest death toll ...?", "What was the final tally?": a count under another name
    (_COUNT_NOUN, AnswerType.NUMBER),
    (r"^\s*(?:who|whom|whose)\b|\b(?:who|whom|whose) (?:is|was|were|are|did|does|will|has|had)\b", AnswerType.PERSON),
    (r"\b(?:what|which) (?:person|man|woman|president|leader|minister|secretary|chief|king|queen|author|player|"
     r"coach|general|official|scientist|artist|composer|writer)\b", AnswerType.PERSON),
    (r"^\s*where\b|\bwhere (?:is|was|were|are|did|does|do|will)\b", AnswerType.PLACE),
    (r"\b(?:what|which|in what|in which) (?:country|countries|city|cities|state|states|place|region|continent|"
     r"town|province|capital|location|island|river|area|nation|county|district)\b", AnswerType.PLACE),
    (r"\b(?:what|which) (?:organi[sz]ation|company|group|party|team|alliance|ally|allies|agency|institution|"
     r"university|school|body|systems?|weapons?|brand|newspaper|network|club|band|language|church)\b",
     AnswerType.ENTITY),
)]


def answer_type(question: str) -> AnswerType:
    """The kind of thing a question asks for, by rules over its wording."""
    for pattern, kind in _RULES:
        if pattern.search(question):
            return kind
    return AnswerType.OTHER


# --- sums of money ------------------------------------------------------------------------------------------------
# "How much did X pay for ...?", "What was Y's revenue?": asked for a sum of money, which a sentence states with a
# currency ("$3.8 billion", "about £9 million", "R187 million", "Rs. 2.4 lakh crore", "28p", "2.3 million euros",
# "USD 500,000", "billions of dollars") or as a share or multiple of another sum ("61% of GDP", "half the cost",
# "doubled"); "for free" and "paid nothing" are sums too.
_CURRENCY_WORDS = (r"dollars?|euros?|pounds?|pence|cents?|yen|yuan|renminbi|rupees?|rupiah|rand|naira|cedis?|"
                   r"shillings?|francs?|kron[aeo]r?|krone|rubles?|roubles?|hryvnias?|dinars?|dirhams?|pesos?|reais|"
                   r"rials?|riyals?|shekels?|lira|kwacha|baht|ringgit|taka|zloty|forints?|birr|leones?|won|quid|grand|"
                   r"bitcoins?")
_CURRENCY_CODES = (r"USD|EUR|GBP|CHF|JPY|CNY|RMB|INR|AUD|CAD|NZD|HKD|SGD|ZAR|KES|NGN|GHS|SEK|NOK|DKK|PLN|TRY|BRL|MXN|"
                   r"AED|UGX|TZS|EGP")
_SPELLED = (r"a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
            r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion|few|several")
_NUMBER_WORDS = r"\d[\d,.]*(?:\s?(?:thousand|million|billion|trillion|bn|lakh|crore)(?!\w))*"
_SUM = re.compile(
    r"[$€£¥₹₦₵₴₽]|"
    rf"\b(?:US|A|NZ|C|HK|S)\$|\b(?:R|Rs\.?|Sh|KSh|Ksh|TSh|USh|Tk|GH₵|GH¢|N|K|RM|Rp|Dh|{_CURRENCY_CODES})\s?\d|"
    rf"\b{_NUMBER_WORDS}\s?(?:p|c|pc)(?!\w)(?!\.m\b)|"  # "28p", "50c", "5pc"; not "3 p.m."
    # "2.3 million euros", "500 Canadian dollars", "a 500-euro fine", "USD 500"
    rf"\b{_NUMBER_WORDS}[\s-]?(?:[A-Z][A-Za-z]*\s){{0,2}}(?:(?i:{_CURRENCY_WORDS})|{_CURRENCY_CODES})\b|"
    rf"\b(?i:(?:thousands|millions|billions|trillions|hundreds) of (?:{_CURRENCY_WORDS}))\b|"
    rf"\b(?i:(?:{_SPELLED})[\s-]+)+(?i:{_CURRENCY_WORDS})\b|"  # "fifty thousand dollars", "a few pounds"
    r"(?i:\b(?:million|billion|trillion|bn|lakh|crore)\b)|\b\d[\d,.]*\s?m\b|"  # the currency said before: "2.3 billion"
    r"%|(?i:\bper ?cent\b|\bpercentage\b|(?<!first )(?<!second )\bhalf\b|\btwo-thirds\b|\bthree-quarters\b|"
    r"\b(?:a|one|two|three|four)[\s-](?:third|quarter|fifth|tenth)s?\b|\bdouble[ds]?\b|\btripled?\b|\btwice\b|"
    r"\bfree\b(?!\s+(?:of|from|to|and|speech|trade|will|kick|agent|agency|press|fall|zone|market)\b)|"
    r"\bfree of (?:charge|cost)\b|\bat no (?:cost|charge)\b|\bfor nothing\b|"
    r"\b(?:pa(?:y|id|ys|ying)|cost(?:s|ing)?) nothing\b)")
_MONEY_NOUN = (r"money|cash|revenues?|profits?|funding|income|tax(?:es)?|compensation|debts?|pay|wages?|"
               r"salar(?:y|ies)|fees?|damages|bribes?|donations?")
_MONEY_VERB = (r"pa(?:y|id|ying|ys)|cost(?:s|ing)?|spen[dt]|spending|worth|fined?|damages|fund(?:s|ed|ing)?|"
               r"invest(?:s|ed|ing)?|earn(?:s|ed|ing)?|revenues?|profits?|salary|sold|sell(?:s|ing)?|bought|"
               r"buy(?:s|ing)?|owe[sd]?|owing|loan(?:s|ed)?|leas(?:e|ed|ing)|money|cash|wages?|bonus|fees?|"
               r"offer(?:s|ed|ing)?|pledg(?:e|es|ed|ing)|bid|bribes?")
_CHANGE = re.compile(r"\b(?:rise|rose|risen|rising|raise[ds]?|raising|fall|fell|fallen|falling|increase\w*|"
                     r"decrease\w*|drop\w*|cut|cuts|cutting|grow|grew|grown|jump\w*|climb\w*|slump\w*|declin\w*|"
                     r"gain\w*|lose|lost|more|less|higher|lower|up|down)\b", re.I)
# "how much" with a money noun right after it ("How much money ...?", "How much prize money ...?", not "how much
# of"), also of a change ("How much money was raised?"); else, and not of a change, "how much" with a verb after
# it and a word of money on ("How much did X pay ...?"), not with another noun ("How much spectrum must they
# sell?") or a comparison ("how much more"); "what price", "what revenue"; "what was its revenue", "what is the
# price of"; "What was the fine?", "What did the stadium cost?"; "how much ... in dollars"
_ASKS_MONEY_NOUN = re.compile(rf"\bhow much\s+(?!of\b)(?:[\w’'-]+\s+)?(?:{_MONEY_NOUN})\b", re.I)
_ASKS_MONEY = re.compile(
    rf"\bhow much\s+(?:is|are|was|were|will|would|did|does|do|has|have|had|can|could|should|must|might)\b"
    rf"(?=.*\b(?:{_MONEY_VERB})\b)|"
    rf"\bhow much\b.*\bin (?:{_CURRENCY_WORDS})\b|"
    r"\bwhat (?:price|revenue|profit|salary)\b|"
    r"\bwhat(?:'s|’s|\s+is|\s+was|\s+were|\s+are|\s+will be)\s+(?:the |its |their |[\w’'-]+(?:'s|’s) )(?:\w+ )?"
    r"(?:price|revenue|profit|salary|valuation|turnover)s?\b(?![\w-])|"
    r"\bwhat(?:'s|’s|\s+is|\s+was|\s+will be)\s+the\s+(?:\w+\s+)?(?:fine|fee|ransom|cost|bill)\W*$|"  # "What was the fine?"
    r"\bwhat (?:did|does|will|would)\b.*\bcost\W*$|\bhow much (?:is|are|was|were)\s+(?:the\s+)?(?:tickets?|ransom)\b",
    re.I)


def asks_money(question: str) -> bool:
    """The question asks for a sum of money ("How much did Westinghouse pay for the patents?", "What was ABC's
    revenue in 1962?"), not for how much something changed ("How much did the cedi fall?", "How much will OPEC+
    raise output?")."""
    return bool(_ASKS_MONEY_NOUN.search(question)) or (bool(_ASKS_MONEY.search(question))
                                                       and not _CHANGE.search(question))


def states_sum(text: str) -> bool:
    """The text states a sum of money, or a share or multiple that may stand for one (`_SUM`)."""
    return bool(_SUM.search(text))


MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
# "may" is a month only before a day number ("May 3"), not the verb.
_MONTH_WORDS = [m for m in MONTHS if m != "may"] + [r"may(?=\s+\d)"]
DATE = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b|\b(?:%s)\b\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?\b(?:[-–]\d{1,2}(?:st|nd|rd|th)?\b)?(?:,?\s+\d{4})?)?|\b\d{1,2}(?:st|nd|rd|th)? (?:%s)\b|"
                   r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow)\b|"
                   r"\b(?:century|decade)\b" % ("|".join(_MONTH_WORDS), "|".join(_MONTH_WORDS)), re.I)
NUMBER = re.compile(r"(?:[$€£¥]\s?)?\b\d[\d,.]*\b(?:\s?(?:%|(?:percent|per cent|million|billion|trillion|thousand|"
                     r"hundred|euros?|dollars?|pounds?)\b))*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
                     r"eleven|twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
                     r"million|billion|dozen|half)\b", re.I)


def _category_class(categories: tuple[str, ...]) -> str:
    """A regex character class of the characters in some Unicode categories (`re` has no \\p{Lu}). Upper- and
    title-case letters all lie in planes 0 and 1."""
    chars = [chr(c) for c in range(0x20000) if unicodedata.category(chr(c)) in categories]
    ranges, start = [], 0
    for i in range(1, len(chars) + 1):
        if i == len(chars) or ord(chars[i]) != ord(chars[i - 1]) + 1:
            first, last = chars[start], chars[i - 1]
            ranges.append(re.escape(first) if first == last else f"{re.escape(first)}-{re.escape(last)}")
            start = i
    return "[" + "".join(ranges) + "]"


# A capital is any upper- or title-case letter: "Élisabeth Borne", "Henrik Ødegård", not only A-Z.
_UPPER = _category_class(("Lu", "Lt"))
_CAPS = re.compile(rf"\b{_UPPER}[\w’'\-]*(?:\s+(?:of|de|da|von|van|the|and|for|al|bin)?\s*{_UPPER}[\w’'\-]*)*")


_OPENING = re.compile(r"\s*(?:[“\"‘']\s*)?")  # what may come before a sentence-initial word

CUE_KINDS = ("date", "number", "entity", "count")
# a number that is an amount of money or a share, not a count: "$500", "€225", "12%", "3.9 billion dollars"
_NOT_COUNT = re.compile(r"^[$€£¥]|(?:%|percent|per cent|euros?|dollars?|pounds?)$", re.I)
# "What did Burnham say about ...?", "How did Blinken describe ...?", "What were Tedros's exact words ...?": asked
# for someone's words, which news gives as a direct quote; not "How much does Sunak say ...?" nor "How high did the
# review say ...?", which ask for a figure
_SPEECH = r"say|said|says|tell|told|admit(?:ted)?|warn(?:ed)?|call(?:ed)?"  # verbs of saying the question rules share
_SAID = re.compile(r"^\W*(?:what|how(?!\s+(?:many|much|high|low|long|far|big|large|old|often|soon|fast)\b))\b.*\b"
                   rf"(?:{_SPEECH}|describe[ds]?|words?|argue[ds]?|claim(?:ed)?|add(?:ed)?)\b", re.I)
_QUOTE = re.compile(r"[\"“]([^\"“”]*)[\"”]")


def asks_said(question: str) -> bool:
    """The question asks for someone's words (what they said, how they described something)."""
    return _SAID.search(question) is not None


# "What did Burhan say ...?", "What did Griffiths admit about ...?", "What did Spencer post on X?", "How did
# Blinken describe ...?", "What were Tedros's exact words ...?": asked for the words themselves, not for a detail of
# what was said ("What characteristic did Tesla say ...?", "How early did Luther say ...?", "What did the report say
# the toll was?", "What did Biden call for?"): the verb of saying ends the question or a phrase of where, when or
# about what follows it
_WORDS = re.compile(rf"^\W*(?:what\s+(?:did|does|do|has|have|had|will|would)\b.*\b(?:{_SPEECH}|post(?:ed)?|write|"
                    r"wrote)(?=\s*[?.!]?\s*$|\s+(?:about|on|of|in|at|when|after|before|during|while|regarding|as|"
                    r"through|over|to|upon)\b)(?<!call)(?<!called)|"
                    r"how\s+(?:did|does|do|has|have|had)\b.*\bdescribe[ds]?\b|"
                    r"what\s+(?:were|are|was|is)\b.*\bwords\b|what\s+words\b)", re.I)


def asks_words(question: str) -> bool:
    """The question asks for someone's words themselves, which a quote gives. Not the same questions as
    `asks_said`: "What did Spencer post on X?" is one, "What did the report say the toll was?" is not."""
    return _WORDS.search(question) is not None


def quotes_someone(sentence: str) -> bool:
    """The sentence quotes someone: it opens with a quote mark, or holds four words or more between quote marks
    ("a very serious event"; not a "turning point"). Single curly marks count as double ones (`double_quotes`)."""
    sentence = double_quotes(sentence)
    return sentence.lstrip()[:1] in ('"', "“") or any(m.group(1).count(" ") >= 3 for m in _QUOTE.finditer(sentence))


def quotes(sentence: str) -> list[tuple[int, int]]:
    """Where the sentence quotes someone's words: the (start, end) inside each pair of quote marks holding four
    words or more, and the rest of the sentence when it opens with a quote mark that no later mark closes (a quote
    that runs on into the next sentence). Single curly marks count as double ones (`double_quotes`)."""
    sentence = double_quotes(sentence)
    found = [m.span(1) for m in _QUOTE.finditer(sentence) if len(m.group(1).split()) >= 4]
    lead = len(sentence) - len(sentence.lstrip())
    rest = sentence[lead + 1:]
    if sentence[lead:lead + 1] in ('"', "“") and rest.strip() and '"' not in rest and "”" not in rest:
        found.insert(0, (lead + 1, len(sentence)))
    return found


def leaves_quote_open(text: str) -> bool:
    """Whether a sentence's last quote mark opens a quote (that the next sentence goes on with): '“' (or '‘',
    `double_quotes`) does, and a straight '"' at the start or after a space or line break with a word after it
    ('"This was worse.')."""
    text = double_quotes(text)
    marks = list(re.finditer(r'["“”]', text))
    if not marks:
        return False
    last = marks[-1]
    if last.group() != '"':
        return last.group() == "“"
    at = last.start()
    return (at == 0 or text[at - 1].isspace() or text[at - 1] in "([—–-") and text[at + 1:at + 2].strip() != ""


# "Did the G20 declaration condemn Russia?", "Is Messi retiring ...?": answered by what the sentence states about it
# ("stopped short of condemning Russia"), not by one of its names
_YES_NO = re.compile(r"^\W*(?:(?:and|but|so|then)\s+)?(?:is|are|was|were|did|does|do|has|have|had|will|would|can|"
                     r"could|should|may|might|must)\b", re.I)


def asks_yes_no(question: str) -> bool:
    """The question asks whether something is so ("Did the army agree to a truce?"), not "Was it X or Y?": any
    "or" makes it a choice ("Did Israel or Hamas agree ...?" too, which then keeps the reader's own span)."""
    return _YES_NO.match(question) is not None and not re.search(r"\bor\b", question, re.I)


# Where a clause of a sentence ends: a semicolon, colon or dash, or a comma before a word that opens another clause
# ("..., calling the attack ...", "..., EU foreign policy chief Josep Borrell said, ...")
_CONNECTIVES = "and|but|although|though|while|whereas|as"
_CLAUSE_END = re.compile(rf"(?<!\s)\s*+(?:[;:]|\s[-–—]\s|,\s+(?=(?:{_CONNECTIVES}|which|who|whose|where|when|after|before|"
                         r"because|despite|according|rather|with|\d+|\w+ing)\b|"
                         r"[^,]*\b(?:said|says|told|added)\b\s*[,.]))|(?<!\s)[.!?\"”’]*\s*+$|^\s*+$", re.I)
# a relative clause set off by commas (", which makes the PlayStation and ...,"): not where the verb of the clause is
_RELATIVE = re.compile(r",\s+(?:which|who|whose|where)\b[^,]*,")
# the verb of a clause: an auxiliary, a past form, a verb of saying (_REPORTING) or one of a few common irregular ones
_AUX_VERBS = AUXILIARIES - {"'s"}
_IRREGULAR = frozenset("""went goes came comes took takes gave gives made makes won wins lost loses got gets held
    holds led leads left leaves kept keeps met meets paid pays put puts sent sends set sets found finds became
    becomes began begins brought brings knew knows saw sees ran runs stood stands""".split())  # and _REPORTING's
_PAST = re.compile(r"^[a-z]+ed$")
_NOT_PAST = frozenset("hundred indeed speed need seed feed deed breed greed bleed creed steed tweed weed".split())
# "haven't", "wasn’t": an auxiliary with its "not"
_NEGATED = re.compile(r"^[a-z]+n[’']t$")
_NEGATION = frozenset("not never no".split())  # before the verb: part of what the clause states ("never signed")
_DETERMINER = frozenset("a an the this that these those its his her their our your my each every".split())
_PREPOSITION = frozenset("on in at by for from with under over into during".split())
# after one of these the clause that was said or thought is what the sentence states ("He confirmed he would not
# retire ...", "said in a statement that it had agreed to a three-day ceasefire")
_REPORTING = frozenset("""said says say told tells confirmed confirms added adds announced announces insisted insists
    argued argues admitted admits warned warns stressed stresses believes believe believed thinks think thought
    understand understands understood expects expect expected noted notes claimed claims suggested suggests
    acknowledged acknowledges explained explains reported reports""".split())
_LEAD = re.compile(r"[\s,\"“]*")  # what may come before a clause's first word
# a subject that is itself the answer ("No asylum seeker has been sent ...", "everyone inside was safe")
_QUANTIFIER_SUBJECT = re.compile(rf"(?:(?:{_CONNECTIVES}|that)\s+)*"
                                 r"((?:no|none|nobody|nothing|neither|everyone|everybody|everything|all)\b)", re.I)


def _verb_at(words: list[re.Match[str]], i: int) -> bool:
    word = words[i].group()
    if word != word.lower() and i > 0:  # a capitalised word inside a clause is a name
        return False
    low = word.lower()
    if low in _AUX_VERBS or low in _IRREGULAR or low in _REPORTING or _NEGATED.match(low):
        return True
    if not _PAST.match(low) or len(low) < 5 or low in _NOT_PAST:
        return False
    # right after "a", "the" (or "a clearly") or a preposition, a past form is an adjective: "a clearly marked
    # convoy"
    before = [w.group().lower() for w in words[max(0, i - 2):i]]
    if before and (before[-1] in _DETERMINER or before[-1] in _PREPOSITION  # "on canceled flights"
                   or before[-1].endswith("ly") and len(before) > 1 and before[0] in _DETERMINER):
        return False
    # nor is it the verb when a preposition follows and an auxiliary comes later: "passengers booked on canceled
    # flights can rebook ..."
    after = [w.group().lower() for w in words[i + 1:]]
    return not (after and after[0] in _PREPOSITION and any(w in AUXILIARIES for w in after[1:]))


def has_verb(text: str) -> bool:
    """Some word of the text is a verb as `predicates` finds them ("1282 left PDX at 5:07 p.m"); a capitalised word
    is a name or a date, never a verb ("May 11")."""
    words = word_matches(text)
    return any(words[i].group().islower() and _verb_at(words, i) for i in range(len(words)))


def _clause_predicate(sentence: str, words: list[re.Match[str]], start: int, end: int) -> tuple[int, int] | None:
    """What one clause (`words`, from `start` to `end` in the sentence) states: `predicates`."""
    i, reporting = 0, None
    while i < len(words):
        if not _verb_at(words, i):
            i += 1
        elif words[i].group().lower() in _REPORTING:  # what was said or thought is what the clause states
            if i + 1 == len(words):  # "..., EU foreign policy chief Josep Borrell said,": nothing of its own
                return None
            reporting = reporting or words[i].start()
            rest = [w.group().lower() for w in words[i + 1:]]
            i = rest.index("that") + i + 2 if "that" in rest[:6] else i + 1
            start = words[i].start() if i < len(words) else end
        else:
            subject = _QUANTIFIER_SUBJECT.match(sentence, _LEAD.match(sentence, start).end(), words[i].start())
            begin = subject.start(1) if subject else words[i].start()
            if not subject and i > 0 and words[i - 1].group().lower() in _NEGATION:  # "He never signed the deal"
                begin = words[i - 1].start()
            return (begin, end) if end > begin else None
    return (reporting, end) if reporting is not None else None  # "She announced her resignation on Monday"


def predicates(sentence: str) -> list[tuple[int, int]]:
    """What each clause of the sentence states, as (start, end): from its verb to where the clause ends, its
    subject left out ("the declaration [stopped short of condemning Russia]") unless the subject is what answers
    ("[No asylum seeker has been sent to Rwanda under the deal so far]"); after a verb of saying or thinking, what
    was said ("He confirmed he [would not retire from international football just yet]"). The answer to a
    yes/no question is one of them."""
    hidden = [m.span() for m in _RELATIVE.finditer(sentence)]
    out: list[tuple[int, int]] = []
    at = 0
    while at < len(sentence):
        end = _CLAUSE_END.search(sentence, at)  # always found: the sentence's own end
        # the comma that closes a relative clause ends nothing
        while end.start() < len(sentence) and any(a < end.start() < b for a, b in hidden):
            end = _CLAUSE_END.search(sentence, end.start() + 1)
        words = [w for w in WORD.finditer(sentence, at, end.start()) if not any(a <= w.start() < b for a, b in hidden)]
        if (found := _clause_predicate(sentence, words, at, end.start())) is not None:
            out.append(found)
        at = max(end.end(), end.start() + 1)
    return out


_THAT_CLAUSE_LEAD = 9  # words before the "that" of a quote's opening "We judged that ...", at most
# verbs whose "that" opens what was said, thought or found ("We judged that ..."), not a "that" pointing at something
# ("I knew that feeling", "We signed that deal")
_SAYING_THAT = _REPORTING | frozenset("""judged judge judges decided decide decides concluded conclude concludes
    found find finds agreed agree agrees feel feels felt hope hopes hoped know knows realised realized recognise
    recognize recognised recognized""".split())


def reported(sentence: str, start: int, end: int) -> tuple[int, int]:
    """A quote (`sentence[start:end]`) without its own opening "<someone> <said, judged> that": what was said or
    judged ("We judged that [the ... 2% price target has come into sight]", "The country has unanimously and clearly
    said that [we do not want ...]"). The quote itself when it opens otherwise."""
    words = list(WORD.finditer(sentence, start, end))
    lead = [w.group().lower() for w in words[:_THAT_CLAUSE_LEAD + 1]]
    at = next((i for i in range(2, len(lead)) if lead[i] == "that"), None)
    if at is None or at + 1 >= len(words) or "," in sentence[start:words[at].start()]:
        return start, end
    if lead[at - 1] in _SAYING_THAT and _verb_at(words, at - 1):
        return words[at + 1].start(), end
    return start, end


PRONOUN_START = re.compile(r"^[\"“‘']?(?:he|she|it|they|this|these|those|that|his|her|its|their)\b", re.I)


def entity_spans(sentence: str) -> list[tuple[int, int]]:
    """Runs of capitalised words, leaving out a sentence-initial capital that is an ordinary word. Invisible
    characters inside a name ("Ker\\u200bmit") do not split it; spans are offsets into `sentence`."""
    shown = visible(sentence)
    text = shown.text
    spans = []
    opening = _OPENING.match(text).end()  # (testing each name's whole prefix was quadratic in long sentences)
    for m in _CAPS.finditer(text):
        s, e = m.span()
        words = m.group().split()
        if s <= opening and words[0].lower().strip("’'") in _COMMON_OPENERS:
            if len(words) == 1:
                continue
            s = e - len(m.group()[len(words[0]):].lstrip())
        spans.append(shown.span(s, e))
    return spans


def asked_names(question: str, *, lone_first: bool = True) -> list[str]:
    """The names a question holds (`entity_spans`), a possessive's "'s" left off ("Greg Pattinson's farm": "Greg
    Pattinson"); without a one-word name that opens the question when not `lone_first` (it may be an ordinary word:
    "Boycotting, ...")."""
    return [re.sub(r"['’]s$", "", question[s:e]) for s, e in entity_spans(question)
            if lone_first or s > 0 or " " in question[s:e]]


_COMMON_OPENERS = STOPWORDS | frozenset("""according after although because before despite during however
meanwhile moreover since speaking then therefore thus today yesterday""".split())


def cue_spans(sentence: str) -> dict[str, list[tuple[int, int]]]:
    """Character spans of dates, numbers/amounts, named things, and counts (numbers that are neither money, a share
    nor part of a date) in a sentence."""
    shown = visible(sentence)
    dates = [m.span() for m in DATE.finditer(shown.text)]
    numbers = [m for m in NUMBER.finditer(shown.text)]
    counts = [m.span() for m in numbers if not _NOT_COUNT.search(m.group())
              and not any(s < m.end() and m.start() < e for s, e in dates)]
    return {
        "date": [shown.span(*d) for d in dates],
        "number": [shown.span(*m.span()) for m in numbers],
        "entity": entity_spans(sentence),
        "count": [shown.span(*c) for c in counts],
    }


def cue_stems(sentence: str) -> dict[str, list[str]]:
    """The content stems inside each kind of cue span; a cue is new to a question when one of its stems is."""
    return {kind: [t for s, e in spans for t in tokens(sentence[s:e])] for kind, spans in cue_spans(sentence).items()}


# "Who wrote the report on ...?", "Which reporter covered ...?": answered by the byline of the article asked about.
# The piece must be what was written ("Who wrote the Mekong Herald article ...?"), or a writer be asked for ("Which
# reporter covered ...?", "the journalist who wrote about ..."), so "Who wrote the letter?", "Who covered the costs?"
# and "Who filed the lawsuit described in the article?" stay questions about the story.
PIECE = (r"(?:story|stories|article|report|piece|column|byline|write-?up|obituary|obituaries|obit|profile|"
         r"explainer|op-?ed|editorial|dispatch|blog(?:\s+post)?|feature|coverage)s?")
WRITER = r"(?:reporter|journalist|correspondent|writer|author|editor|columnist|critic)s?"
_WROTE = r"(?:wrote|write|written|writes|authored|reported|covered|filed)"
_HAS_WRITTEN = r"(?:wrote|writes|authored|reported|covered|filed)"  # what a writer asked for did ("reporter covered")
_NOT_IN_A_NAME = r"(?:in|on|of|about|at|for|from|with|by|to|that|which|who|whom|and|or|as|than)"
# a word that names the piece ("the Mekong Herald article"), not one that starts what it is about
_PIECE_WORD = rf"(?:(?!{_NOT_IN_A_NAME}\s)[\w'’\"“”&.:-]+\s+)"
# Who writes a news piece, and a piece that is news (a "report" may be a panel's, a "feature" a film)
_REFERENT_WRITER = r"(?:reporter|journalist|correspondent|writer|author|columnist)s?"
_NEWS_PIECE = (r"(?:story|article|piece|column|write-?up|obituary|obit|profile|explainer|op-?ed|editorial|dispatch|"
               r"blog\s+post)")
AUTHORSHIP = (
    re.compile(rf"\bwho\b[^?.;]*?\b{_WROTE}\s+(?:up\s+)?(?:the|this|that|a|an|their|its)?\s*"
               rf"{_PIECE_WORD}{{0,6}}?{PIECE}\b", re.I),
    # "Which reporter covered ...?", "Which BBC correspondent reported ...?", not "What did the columnist write ...?"
    re.compile(rf"\b(?:which|what)\s+(?:(?!(?:did|does|do|is|was|were|are|the|a|an)\b)[\w'’&.-]+\s+){{0,2}}?"
               rf"{WRITER}\s+{_HAS_WRITTEN}\b", re.I),
    # "the legal affairs editor that reported on ...", "the journalist who wrote about ..."
    re.compile(rf"\b{WRITER}\s+(?:who|that)\s+(?:had\s+|has\s+)?{_HAS_WRITTEN}\b", re.I),
    # "Who is the author of the HS2 article?", "Who was the reporter behind the Reuters story?" (not "the author of
    # the UN report", a panel's)
    re.compile(rf"\bwho(?:['’]s|\s+(?:is|was|are|were))\s+the\s+(?:[\w'’&.-]+\s+){{0,2}}?{_REFERENT_WRITER}\s+"
               rf"(?:of|behind)\s+(?:the|this|that|a|an|their|its)\s+{_PIECE_WORD}{{0,6}}?{_NEWS_PIECE}s?\b(?![\w-])",
               re.I),
)


def asks_for_author(question: str) -> bool:
    return any(p.search(question) for p in AUTHORSHIP)


# "When was the HS2 article published?", "What date did the Courier run its story on the walkout?", "When was the
# Paris SUV piece last updated?", "When did the Reuters story on the quake come out?": answered by the piece's date
# line. The piece must be news (`_NEWS_PIECE`; "When was the UN report published?" asks what the story tells) and what
# the question asks about (the subject of "was ... published" or "did ... come out", the object of "did the Courier
# run"), not a source it cites ("When does the article say the ship ran aground?", "..., according to the story
# published by the Courier?") nor "a piece of debris" that "came out of the engine".
_PIECE_NAMED = (rf"(?:the|this|that|its|their|a|an|[A-Z][\w&.-]*(?:['’]s|s['’]|['’]))\s+{_PIECE_WORD}{{0,6}}?"
                rf"(?P<piece>{_NEWS_PIECE}s?|stories)\b(?![\w-])(?!(?<=piece)\s+of\b)(?!(?<=column)\s+of\b)")
_WHEN = r"\b(?:when|(?:on\s+)?(?:what|which)\s+(?:date|day)|what\s+time)\b"
_PARTICIPLE = (r"(?:published|posted|put\s+(?:out|online|up)|updated|modified|dated|filed|written|run|printed|"
               r"released)")
_CAME_OUT = r"(?:(?:come|came|go|went)\s+(?:out|online|live)|run|ran|appear(?:ed)?)(?!\s+(?:of|from|onto|into)\b)"
_PUBLISH = r"(?P<verb>publish|post|run|print|file|put\s+out|release)"
PUBLICATION = (
    # "When was the story on X published?", "when the story on X came out", "When did the BBC story on X run?"
    re.compile(rf"{_WHEN}\s+(?:(?:was|were|is|are|has|had|did|does|do)\s+)?{_PIECE_NAMED}(?P<between>[^?.;]*)"
               rf"\b(?:(?:was|were|is|has|had)\s+)?(?:(?:first|last|originally|actually)\s+)?(?:been\s+)?"
               rf"(?P<verb>{_PARTICIPLE}|{_CAME_OUT})\b", re.I),
    # "When did the Courier run its story on X?"
    re.compile(rf"{_WHEN}\s+(?:did|does|do)\s+(?P<between>[^?.;]*?)\b{_PUBLISH}\s+{_PIECE_NAMED}", re.I),
)
# (the last such verb is the one asked about: "the article on the updated tax guidance published"); a piece followed
# by a verb of saying cites a source of what is asked ("When does the article say the ship ran aground?"), as does
# "according to" before it
_SOURCE = re.compile(r"^\s*(?:(?:first|also|only)\s+)?(?:say|says|said|report|reports|reported|describe|describes|"
                     r"state|states|mention|mentions|claim|claims|tell|tells|told|suggest|suggests|show|shows)\b", re.I)


def _publication(question: str) -> re.Match[str] | None:
    for pattern in PUBLICATION:
        m = pattern.search(question)
        if m and not _SOURCE.match(m.group("between")) and not re.search(r"\baccording\s+to\b",
                                                                           question[:m.start("verb")], re.I):
            return m
    return None


def asks_when_published(question: str) -> bool:
    """The question asks when a news piece came out (or was last updated, `asks_when_updated`)."""
    return _publication(question) is not None


def published_piece(question: str) -> str | None:
    """The news piece a question asks when came out ("When was the story on the UN report published?": "story")."""
    m = _publication(question)
    return m.group("piece") if m else None


def asks_when_updated(question: str) -> bool:
    """The question asks when a news piece was last updated or modified (its verb, not a word of its topic: "the
    article on the updated tax guidance")."""
    m = _publication(question)
    return m is not None and m.group("verb").lower() in ("updated", "modified")


# "the writer of the Paris SUV piece", "the author of the HS2 article": a person the question names by the piece they
# wrote, to be asked about once that piece's byline names them. The piece must be a news piece (`_NEWS_PIECE`: not
# "the authors of the UN report", "the writer of the feature film") named by a topic or outlet word ("the writer of
# the piece" in a chat leans on the previous turn, which chat.py reads); a critic or editor is no writer of it.
_REFERENT = re.compile(rf"\bthe\s+{_REFERENT_WRITER}\s+(?:of|behind)\s+(?P<piece>(?:the|this|that|their|its)\s+"
                       rf"{_PIECE_WORD}{{1,6}}?{_NEWS_PIECE})\b(?![\w-])", re.I)
_TOPIC_AFTER = re.compile(r"\s+(?:on|about|over|covering|into|of|from|in|for|by|with|that|which)\b", re.I)


def writer_referent(question: str) -> tuple[int, int, str] | None:
    """Where a question that is not itself about who wrote a piece names someone as that piece's writer ("What does
    the writer of the Paris SUV piece normally cover?"): (start, end) of "the writer of the Paris SUV piece" in it,
    and the question that asks who wrote the piece ("Who wrote the Paris SUV piece?"); else None."""
    m = _REFERENT.search(question)
    if m is None or asks_for_author(question) or _TOPIC_AFTER.match(question, m.end()):
        return None  # where a topic that follows the piece ends is not told ("... the piece on the moon landing cover?")
    return m.start(), m.end(), f"Who wrote {m.group('piece')}?"
