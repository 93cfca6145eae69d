"""Article metadata read from page furniture: author names from bylines, ISO dates from date lines and datelines."""

from __future__ import annotations

import datetime
import itertools
import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri "
                     "sat sun".split())
CALENDAR = frozenset(MONTHS) | WEEKDAYS  # months and weekdays, as words and abbreviations
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH}),?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "16/09/2024", "09/16/2024", "16.09.2024": read only where the order is sure (a first number over 12 is the day, a
# second over 12 is; dots are the day-first countries'); "03/12/2024" is left unread rather than guessed
_NUMERIC = re.compile(r"\b(\d{1,2})([/.])(\d{1,2})\2(\d{4})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH})\s+(\d{{4}})\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.I)
_DAY_OF_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})(?!\w)", re.I)
_YEAR_AFTER = re.compile(r",?\s+\d{4}\b")  # what follows a day that has its year: "January 6, 2023"
_DAY_MONTH = re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}", re.I)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?|\b\d{1,2}\s*[ap]\.?m\.?(?!\w)", re.I)
# What a date line may hold besides dates and times: labels, time zones, weekdays.
_DATE_WORDS = WEEKDAYS | frozenset("""
posted published updated last first modified revised originally created on at and am pm a.m p.m gmt bst utc cet
cest ist et est edt pt pst pdt ct cst cdt jst aest eat cat wat sast hkt sgt today yesterday
""".split())
_WORD = re.compile(r"[\w.]+")

# What opens a byline: "By", "Written by", "Reporting by", "Author:" (and what comes before its names)
BYLINE_OPENING = re.compile(r"^(?:(?:written|reporting|posted|edited|words|story|interview)\s+by|by|authors?)\b"
                            r"\s*[:\-]?\s*", re.I)
_ROLE = re.compile(
    r"\b(?:editor|correspondent|reporter|writer|journalist|columnist|critic|staff|contributor|producer|"
    r"analyst|news|desk|bureau|team|agency|media|press|reuters|ap|afp)\b", re.I)
# Latin capitals, accented ones too ("Şebnem", "Łukasz", "Žukauskaitė"); up to two particles ("Ana de la Cruz")
_CAPITAL = "A-ZÀ-ÖØ-Þ"  # the Latin-1 capitals: "BOGOTÁ", "SÃO PAULO", "ZÜRICH"
_UPPER = _CAPITAL + "".join(chr(c) for c in range(0x100, 0x250) if chr(c).isupper())
_PARTICLE = r"(?:de|da|das|do|dos|du|des|del|della|di|van|von|der|den|ter|ten|le|la|al|bin|ibn|el)"
_NAME = re.compile(rf"^[{_UPPER}][\w'’.\-]*(?:\s+(?:{_PARTICLE}\s+){{0,2}}[{_UPPER}][\w'’.\-]*){{1,3}}$")
# An outlet's name: two to six capitalised words (or figures) ending in a newspaper's or broadcaster's word ("The Great
# Lakes Courier", "KPNW 8 News"), not a section's ("Breaking News", "Local News")
_OUTLET = re.compile(
    r"^(?!(?:Breaking|Local|World|Business|Latest|National|International|Sports?|Top|More|Live|Morning|Evening|"
    r"Daily|Weekly|Financial|Political|Science|Health|Tech|Technology|Entertainment|Press)\s+\w+$)"
    r"(?:[A-Z0-9][\w&'’.-]*\s+){1,5}(?:News|Times|Post|Courier|Herald|Journal|Tribune|Gazette|Daily|Chronicle|"
    r"Telegraph|Guardian|Observer|Express|Mail|Mirror|Standard|Independent|Record|Dispatch|Inquirer|Examiner|Monitor|"
    r"Sentinel|Ledger|Bulletin|Wire|Today|Weekly|Magazine|Radio|TV|Network)$")
_ROLE_FIRST = re.compile(
    r"^((?:[A-Z][a-z]+\s+){0,2}(?:[a-z]+\s+)?(?:editor|correspondent|reporter|writer|journalist|columnist|critic)),?\s+"
    r"(\S+(?:\s+\S+){1,4})$", re.I)
_PLACE_TAIL = re.compile(r"\s+(?:in|at|from)\s+[A-Z].*$")
_CREDIT = re.compile(r"^\(?\s*(?:additional\s+)?(?:reporting|writing|written|compiled)\s+by\s+", re.I)
_MARKUP = re.compile(r"[*_`]+")
_PART_SEPARATOR = re.compile(r"\s+[|·•/]\s+|\s+[—–]\s+|\s*\|\s*")
_ICON = re.compile(r"^[^\w\"'“‘(\[*_`]+\s*")
_UPDATE = re.compile(r"\b(?:updated|modified|revised)\b", re.I)

# A dateline opens the first paragraph of wire copy: "KHARTOUM, April 17 (Reuters) - ", "PORTLAND, Ore. (KPNW) — ",
# "TOKYO, March 19, 2024 — ", "NEW DELHI — ".
_DATELINE = re.compile(
    rf"^(?P<place>[{_CAPITAL}][{_CAPITAL}'’.\-]+(?:\s+[{_CAPITAL}][{_CAPITAL}'’.\-]+){{0,3}})"
    r"(?:,\s+(?P<region>[A-Z][a-z]+\.?(?:\s+[A-Z][a-z]+\.?)?|(?:[A-Z]\.){2,3}))?"  # "Ore.", "New Mexico", "N.C."
    rf"(?:,\s+(?P<date>(?i:{_MONTH})\s+\d{{1,2}}(?:,\s+\d{{4}})?|\d{{1,2}}\s+(?i:{_MONTH})(?:\s+\d{{4}})?))?"
    r"(?:\s+\((?P<agency>[A-Za-z][\w .&'-]{0,30})\))?"
    r"(?:\s+[-–—]+\s+|(?<=\)):\s+)(?=\S)")  # "NEW DELHI, Nov 21 (PTI): " as well


# The same with the place in title case, when a news agency names itself: "Berlin (dpa) - ", "Mumbai, Nov 21 (PTI) - ";
# Indian agencies also write it with no dash ("New Delhi, May 16 (PTI) The monsoon ...", only with a date: see
# `dateline`) and ANI with the country in square brackets ("New Delhi [India], May 16 (ANI): ").
_AGENCIES = r"Reuters|AP|AFP|dpa|DPA|PTI|ANI|IANS|Xinhua|EFE|ANSA|Kyodo|Yonhap|AAP|CP|UPI|Bernama|Anadolu|TASS|AA"
_AGENCY_DATELINE = re.compile(
    rf"^(?P<place>[{_CAPITAL}][a-zà-ÿ'’.\-]+(?:\s+[{_CAPITAL}][a-zà-ÿ'’.\-]+){{0,2}})"
    r"(?:\s+\[(?P<country>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\])?"
    r"(?:,\s+(?P<region>[A-Z][a-z]+\.?(?:\s+[A-Z][a-z]+\.?)?))?"
    rf"(?:,\s+(?P<date>(?i:{_MONTH})\s+\d{{1,2}}(?:,\s+\d{{4}})?|\d{{1,2}}\s+(?i:{_MONTH})(?:\s+\d{{4}})?))?"
    rf"\s+\((?P<agency>{_AGENCIES})\)(?:\s+[-–—]+\s+|:\s+|\s+(?=[\"“‘]?[{_CAPITAL}]))(?=\S)")


@dataclass(frozen=True)
class Dateline:
    """The place (and date, as written) that opens wire copy: `text[start:end]` is the prefix with its dash."""

    start: int
    end: int
    place: str
    date: str | None  # ISO YYYY-MM-DD only when the dateline gives a year
    agency: str | None = None  # the news agency in brackets: "Reuters"
    day: str | None = None  # MM-DD when it gives a month and day, with or without the year ("Feb 13" -> 02-13)


def _full_dates(text: str) -> list[tuple[int, int, str]]:
    """(start, end, YYYY-MM-DD) of every full date (day, month and year) in text that is a real day."""
    found = []
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_ISO, "ymd")):
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups()))
            month = parts["m"]
            month = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
            try:
                found.append((m.start(), m.end(), datetime.date(int(parts["y"]), month, int(parts["d"])).isoformat()))
            except ValueError:
                continue
    for m in _NUMERIC.finditer(text):
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if first > 12 or (m.group(2) == "." and second <= 12):
            day, month = first, second
        elif second > 12:
            day, month = second, first
        else:
            continue
        try:
            found.append((m.start(), m.end(), datetime.date(year, month, day).isoformat()))
        except ValueError:
            continue
    return found


def iso_date(text: str) -> str | None:
    """The first full date (day, month and year) in text as YYYY-MM-DD; None when no year is given."""
    found = _full_dates(text)
    return min(found)[2] if found else None


def named_days(text: str) -> list[str]:
    """Every day the text names with its year, as YYYY-MM-DD: its full dates, and a month with its year as that
    month's first day ("at its July 2024 meeting" -> 2024-07-01); a month inside a full date is not one on its own."""
    full = _full_dates(text)
    days = [d for _, _, d in full]
    for m in _MONTH_YEAR.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e, _ in full):
            days.append(datetime.date(int(m.group(2)), MONTHS[m.group(1).lower().rstrip(".")], 1).isoformat())
    return days


def is_date_part(text: str) -> bool:
    """A piece of a header line that only gives a date or time ("Updated 14:05 GMT", "Wed 15 Nov 2023 13.42 GMT")."""
    plain = _MARKUP.sub("", text).strip(" :,")
    rest = plain
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _ISO, _NUMERIC, _DAY_MONTH, _TIME):
        rest = pattern.sub(" ", rest)
    words = [w.lower().rstrip(".") for w in _WORD.findall(rest)]
    return rest != plain and all(w in _DATE_WORDS for w in words if w)


def parts(line: str) -> list[str]:
    """The pieces of a header line between separators: "By X · 5 February 2024 · 5 min read" -> three; an icon
    before a piece is not part of it ("⏱ 6 min read")."""
    pieces = (_ICON.sub("", p.strip(" ,")) for p in _PART_SEPARATOR.split(line))
    return [p for p in pieces if p]


def published(lines: list[str]) -> str | None:
    """The publication date of an article from its header's date lines: the first full date not marked as an
    update (`_dated`: "Published Nov. 30, 2022 | Updated Dec. 1, 2022" -> 2022-11-30, "Updated 15 September 2023,
    first published 14 September 2023" -> 2023-09-14), else the first update's date."""
    dated = [(update, day) for line in lines for (start, end), update in _dated(line)
             if (day := iso_date(line[start:end]))]
    first = [d for update, d in dated if not update] or [d for _, d in dated]
    return first[0] if first else None


def marks_update(line: str) -> bool:
    """Whether a header line speaks of an update ("Updated 12:15 GMT", "Last modified ...")."""
    return _UPDATE.search(line) is not None


_DATE_MARK = re.compile(r"\b(?:updated|modified|revised|published|posted|created|originally)\b", re.I)


def _dated(line: str) -> list[tuple[tuple[int, int], bool]]:
    """The days a date line gives, in order, each with whether it is an update's: a label marks the first day after
    it, "updated", "modified" or "revised" an update's rather than "published", "posted", "created" or "originally"
    ("Updated 15 September 2023, first published 14 September 2023"; "Updated 12:15 GMT · 15 Nov 2023"; in
    "Updated 15 Nov 2023 | 14 Nov 2023" the second has none). A day without its year counts ("Published Sept. 14 |
    Updated Sept. 15, 2023")."""
    full = [(start, end) for start, end, _ in _full_dates(line)]
    days = [m.span() for m in _DAY_MONTH.finditer(line) if not any(a <= m.start() < b for a, b in full)]
    found = sorted(full + days)
    marks = [(m.start(), bool(_UPDATE.fullmatch(m.group()))) for m in _DATE_MARK.finditer(line)]

    def update(i: int) -> bool:
        since = found[i - 1][1] if i else 0  # a label after the day before
        return next((marked for at, marked in reversed(marks) if since <= at < found[i][0]), False)

    return [(d, update(i)) for i, d in enumerate(found)]


def date_span(line: str, updated: bool = False) -> tuple[int, int] | None:
    """Where a date line gives the publication date (the first day not marked as an update's, `_dated`, as
    `published` reads it), or with `updated` the last update's (the publication date when none is marked):
    (start, end) in `line`, None when it gives no day (a time alone)."""
    found = _dated(line)
    if not found:
        return None
    update = [d for d, marked in found if marked]
    first = [d for d, marked in found if not marked] or [d for d, _ in found]
    return update[-1] if updated and update else first[0]


def gives_publication(line: str) -> bool:
    """Whether a date line gives a day that is not an update's ("Published 14 September 2023 | Updated ...")."""
    return any(not marked for _, marked in _dated(line))


def names_outlet(line: str) -> bool:
    """Whether a line is an outlet's name alone ("The Valley Sentinel Daily", a masthead)."""
    plain = " ".join(_MARKUP.sub("", line).split())
    return bool(_OUTLET.match(plain)) and not is_date_part(plain)


def outlet(lines: list[str]) -> str | None:
    """The outlet a header line names beside its date or byline ("The Great Lakes Courier | September 15, 2023"):
    a piece of a few capitalised words that ends in a newspaper's or broadcaster's word (`_OUTLET`)."""
    for line in lines:
        for piece in parts(_MARKUP.sub("", line)):
            if names_outlet(piece) and not BYLINE_OPENING.match(piece):
                return piece
    return None


def _names(byline: str) -> list[str]:
    """The persons' names in a byline, in order."""
    text = _MARKUP.sub("", byline).strip(" ()")
    if re.match(r"edited\s+by\b", text, re.I):
        return []  # an editor is no author
    text = _CREDIT.sub("", text) if _CREDIT.match(text) else BYLINE_OPENING.sub("", text)
    role_first = _ROLE_FIRST.match(text)
    if role_first and _NAME.match(role_first.group(2)):  # "Court reporter Jamie McKinnell"
        text = role_first.group(2)
    text = re.split(r"\s+[|·•—–]\s+|;", text)[0]
    names: list[str] = []
    for piece in text.split(","):
        piece = piece.strip()
        chunk = [p.strip() for p in re.split(r"\s+(?:and|&)\s+", piece) if p.strip()]
        found = [_PLACE_TAIL.sub("", p) for p in chunk]
        leading = list(itertools.takewhile(lambda p: bool(_NAME.match(p)) and not _ROLE.search(p), found))
        names.extend(leading)
        if not found or len(leading) < len(found):
            break  # the role ("Economics Correspondent", "Jaime Ocampo-Reyes and Staff Writer") or outlet ends them
    return names


def authors(byline: str) -> str | None:
    """The names in a byline: "By Elif Demir in Gaziantep and Hannah Cole, Middle East Correspondent" ->
    "Elif Demir and Hannah Cole"; None when no person's name is found."""
    names = _names(byline)
    if not names:
        return None
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def author_span(byline: str) -> tuple[int, int] | None:
    """Where a byline's names stand in it, from the first name's start to the last one's end ("Elif Demir in
    Gaziantep and Hannah Cole" in the byline above); None when it names no person."""
    found, at = [], 0
    for name in _names(byline):  # each after the one before: "By Ann Smith and Mark Ann Smith"
        at = byline.find(name, at)
        if at < 0:
            return None
        found.append(at)
        at += len(name)
    return (found[0], at) if found else None


def names_only(byline: str) -> bool:
    """Whether a byline holds names and, after them, at most a role or an outlet ("By Jane Doe, Staff Writer."),
    not a sentence ("By Christmas Day, 40 people had died.")."""
    span = author_span(byline)
    if span is None:
        return False
    rest = _MARKUP.sub("", byline[span[1]:]).strip(" ,.;:()")
    return not rest or (len(rest.split()) <= 6 and bool(_ROLE.search(rest)))


def is_role_and_name(line: str) -> bool:
    """A byline that gives the role first: "Court reporter Jamie McKinnell", "Political editor Jane Smith"."""
    m = _ROLE_FIRST.match(_MARKUP.sub("", line).strip())
    return bool(m) and bool(_NAME.match(m.group(2)))


def is_name_and_role(line: str) -> bool:
    """A byline without "By": "Anna Whitfield, Legal affairs editor"."""
    name, _, role = _MARKUP.sub("", line).partition(",")
    return bool(role) and bool(_NAME.match(name.strip())) and bool(_ROLE.search(role)) and len(role.split()) <= 6


def dateline(text: str, start: int) -> Dateline | None:
    """The dateline at the start of a paragraph (`text[start:]`), if there is one."""
    head = text[start:start + 200]
    m = _DATELINE.match(head) or _AGENCY_DATELINE.match(head)
    if m is None:
        return None
    date = m.group("date")
    if not (date or m.group("region") or m.group("agency")) and "-" in m.group().rstrip()[-1:]:
        return None  # "NATO - the alliance ...": a bare capitalised word and a hyphen is not enough
    if not date and m.group().rstrip().endswith(")"):
        return None  # with no dash, only a date makes it one: not "Andhra Pradesh (AP) Chief Minister ..."
    return Dateline(start, start + m.end(), m.group("place"), iso_date(date) if date else None,
                    m.group("agency"), month_day(date) if date else None)


def month_days(text: str) -> list[tuple[int, str]]:
    """The days text names with no year after them ("Jan. 6", "6 January"; not "January 6, 2023"), in text order:
    (where each starts, MM-DD). A day its month never has is left out."""
    found = [(m, m.group(1), m.group(2)) for m in _MONTH_DAY.finditer(text)]
    found += [(m, m.group(2), m.group(1)) for m in _DAY_OF_MONTH.finditer(text)]
    days = []
    for m, month, day in sorted(found, key=lambda f: f[0].start()):
        if _YEAR_AFTER.match(text, m.end()):
            continue
        try:
            datetime.date(2000, MONTHS[month.lower().rstrip(".")], int(day))  # a leap year: 29 February is a day
        except ValueError:
            continue
        days.append((m.start(), f"{MONTHS[month.lower().rstrip('.')]:02d}-{int(day):02d}"))
    return days


def month_day(text: str) -> str | None:
    """The first month and day in text as MM-DD, year or not ("Feb 13" -> "02-13"); None when it names none or
    a day its month never has."""
    m = _MONTH_DAY.search(text)
    if m is not None:
        month, day = MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2))
    elif (m := _DAY_OF_MONTH.search(text)) is not None:  # "15 March"
        month, day = MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1))
    else:
        return None
    try:
        datetime.date(2000, month, day)  # a leap year: 29 February is a day
    except ValueError:
        return None
    return f"{month:02d}-{day:02d}"
