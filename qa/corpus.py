"""Read a folder of articles (text, markdown, web pages, JSONL / CSV collections), drop web boilerplate by general
rules, find each headline -> Article."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from qa import formats, metadata
from qa.errors import QAError
from qa.formats import COLLECTIONS, InputKind, Source
from qa.metadata import Dateline

SUFFIXES = tuple(formats.SUFFIX_KINDS)


class BlockKind(str, Enum):
    """What a line of an article is; only BODY lines are full-strength answers."""

    HEADLINE = "headline"
    BYLINE = "byline"
    CAPTION = "caption"
    HEADING = "heading"
    BODY = "body"
    DATE = "date"  # a publication or update time line ("Updated 14:05 GMT, 15 November 2023")
    NOTE = "note"  # the newsroom's note about the story itself ("Editor's note: This story has been updated ...")


@dataclass(frozen=True)
class Block:
    """One kept line of an article, as a span of the article's text (markup markers excluded)."""

    start: int
    end: int
    kind: BlockKind


@dataclass(frozen=True)
class Article:
    """One article: its original text and the spans of the lines worth reading."""

    id: str
    text: str
    title: str
    blocks: tuple[Block, ...]
    sha256: str  # of exactly the bytes that were read and indexed
    encoding: str
    stamp: "FileStamp"  # the file's size and time as they were before its bytes were read
    author: str | None = None  # the byline's names only: "Daniel Whitford and Priya Raman"
    published: str | None = None  # YYYY-MM-DD from a date line, or a dateline that gives the year
    dateline: Dateline | None = None  # "KHARTOUM, April 17 (Reuters) -" opening the first paragraph
    outlet: str | None = None  # the site, the row's source, or the dateline's agency ("Reuters")
    url: str | None = None
    path: str = ""  # the file it came from (relative to the corpus folder); `id` for a one-article file
    file_sha256: str = ""  # of the whole file (a collection's rows share it)
    kind: InputKind = InputKind.TEXT
    extra: tuple[tuple[str, str], ...] = ()  # a collection row's other fields
    # MM-DD when only a dateline without a year dates it ("ANTAKYA, Turkey, Feb 13 (Reuters) -"); None with `published`
    published_day: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class FileStamp:
    """Cheap change detection: size and modification time of one article file."""

    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Corpus:
    """The articles of one folder plus the files that were left out."""

    root: Path
    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]


# --- files -----------------------------------------------------------------------------------

def list_files(root: Path) -> list[Path]:
    """Article files under root, sorted, without following symlinked folders or entering hidden ones."""
    root = Path(root)
    if not root.is_dir():
        raise QAError(f"corpus folder not found: {root} (pass --corpus DIR with a folder of articles: "
                      ".txt, .md, .html, .jsonl or .csv)")
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                found.append(Path(folder) / name)
    return sorted(found)


def article_id(root: Path, path: Path) -> str:
    return Path(path).relative_to(root).as_posix()


def has_utf8_name(article: str) -> bool:
    """False for a name with bytes that are not UTF-8 (Python holds them as lone surrogates, which no JSON file
    or page can store)."""
    try:
        article.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(article: str) -> str:
    """A name as it can be printed and stored: bytes that are not UTF-8 as escapes (caf\\xe9.txt)."""
    return os.fsencode(article).decode("utf-8", "backslashreplace")


BAD_NAME = "the file name is not valid UTF-8: rename the file"


def stamp(path: Path) -> FileStamp:
    st = path.stat()
    return FileStamp(size=st.st_size, mtime_ns=st.st_mtime_ns)


def scan(root: Path) -> dict[str, FileStamp]:
    """Article id -> file stamp for every article file, without reading any."""
    stamps = {}
    for path in list_files(root):
        if not has_utf8_name(article_id(root, path)):
            continue  # never indexed; read_corpus reports it
        try:
            stamps[article_id(root, path)] = stamp(path)
        except OSError:
            continue  # vanished or unreadable: read_corpus reports it
    return stamps


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """Bytes -> (text, encoding). UTF-8 (BOM or not; a few invalid bytes become U+FFFD), UTF-16/32 with a BOM,
    else Windows-1252; binary data is refused with a message naming the file."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise QAError(f"{name}: starts with a {encoding} byte-order mark but is not valid {encoding}") from exc
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if b"\x00" in raw:
            raise QAError(f"{name}: binary data, not a text article") from None
        # Mostly UTF-8 with a few stray bytes (a Windows-1252 quote pasted in), or a Windows-1252 file? Take the
        # reading that garbles fewer characters: UTF-8 garbles each bad byte (now U+FFFD), Windows-1252 each
        # valid multi-byte character ("Zürich" -> "ZÃ¼rich"). Real Windows-1252 text hardly ever holds one.
        replaced = raw.decode("utf-8", errors="replace")
        bad = replaced.count("\ufffd")
        valid = len(replaced) - len(replaced.encode("ascii", "ignore")) - bad
        if bad <= valid:
            text, encoding = replaced, "utf-8"
        else:
            try:
                text, encoding = raw.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, encoding = raw.decode("latin-1"), "latin-1"
    if text and len(_CONTROL.findall(text[:65536])) > 0.01 * min(len(text), 65536):
        raise QAError(f"{name}: binary data, not a text article")
    return text, encoding


# --- line rules --------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:[-'’.]\w+)*", re.UNICODE)
_MARKER = re.compile(r"^(?:#{1,6}\s+|[-*•▪►|·]\s+|\d{1,3}[.)]\s+|>\s*)")
_LIST_MARKER = re.compile(r"^(?:[-*•▪►·]|\d{1,3}[.)])\s")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_STATEMENT_END = re.compile(r"[.!][\"'”’)\]]*$")
_INNER_END = re.compile(r"[.!?…][\"'”’)\]]*\s+[\"'“‘]?[A-Z]")  # a sentence ends inside the line
# Credits: "(Reporting by X; Editing by Y)", the same without brackets, "AP writer X contributed to this report."
_CREDIT_LINE = re.compile(
    r"^\((?:additional\s+)?(?:reporting|writing|written|editing|compiled)\s+by\b.*\)$"
    r"|^(?:additional\s+)?reporting by\b[^.]*;\s*(?:writing|editing)\s+by\b"
    r"|^(?=[^.]{0,200}\b(?:writers?|reporters?|correspondents?|staff|(?-i:[A-Z][a-z]+ [A-Z][a-z]+))\b)"
    r"[^.]{0,200}\bcontributed(?: reporting)? to this (?:report|story|article)\.?$", re.I)
_CAPTION_CREDIT = re.compile(r"\((?:[^()]*\b(?:photo|image|picture|credit|via|getty|afp|reuters|ap|epa|file)\b[^()]*)\)\s*$", re.I)
# A photo credit ending a caption without brackets: "... Photograph: Kacper Pempel/Reuters", "... REUTERS/Kim Hong-Ji",
# "...on Tuesday.Credit...Maansi Srivastava for The Times"; an agency's own photo credit marks a caption of any length
_CAPTION_TAIL = re.compile(
    r"(?:\b(?i:photograph|photo|picture|image|credit)s?\s*(?::|\.{3}|…)\s*[A-Z][^.:]{1,80}"
    r"|\b(?:REUTERS|AFP|AP|EPA|XINHUA|ANADOLU)/[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,3})$")
_AGENCY_PHOTO = re.compile(r"\((?:AP|AFP|EPA|Reuters) Photo/[^()]*\)\s*$|^FILE\s+[-–—]\s", re.I)
_TRAILING_PAREN = re.compile(r"\([^()]{2,80}\)\s*$")
# Markdown: image lines, links (their text is kept), lines wholly in emphasis, thematic breaks.
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_WRAPPED = re.compile(r"^(\*\*\*|\*\*|\*|___|__|_)(?=[^\s*_])(.*?[^\s*_])\1$")
_EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")
_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
_BRACKET_CAPTION = re.compile(r"^\[(?:photo|image|picture|video)?\s*caption\s*:\s*(.+)\]$", re.I)
# Page furniture recognised by what it says rather than by repetition.
_READ_TIME = re.compile(r"^(?:\d+\s*(?:-\s*)?min(?:ute)?s?\.?\s+read|reading time:?\s*\d+\s*min(?:ute)?s?)$", re.I)
_TAGS = re.compile(r"^(?:tags?|topics?|filed under|categories|related topics|keywords)\s*:", re.I)
# Where the comments, or the author's bio, begin: what follows is not the story. A comment count or "Comment" label
# (`_COMMENT_COUNT`) also stands above stories, as a link or a section's name: it opens the zone only below the
# story's first two paragraphs (the first may be a standfirst), the others below its first.
_COMMENTS_HEADER = re.compile(
    r"^(?:\d[\d,]*\s+comments?|comments?\s*\(\d[\d,]*\)|comments?|reader comments|about the authors?)$", re.I)
_COMMENT_COUNT = re.compile(r"^(?:\d[\d,]*\s+comments?|comment)$", re.I)
_TEASER_HEADER = re.compile(
    r"^(?:more on this (?:story|topic)|related(?:\s+(?:coverage|stories|articles|content|links|reading))?|read more|"
    r"most read|most popular|most viewed|top stories|more stories|more from [\w ]{1,30}|you may also like|"
    r"recommended(?: for you)?|see also|more news|latest news|trending(?: now)?|read next)\s*:?$", re.I)
# A markdown table's row ("| Ana Ruiz | 61,402 | 51.5% |", as trafilatura writes a page's table too) and the rule
# under its column names ("|---|:---:|")
_TABLE_ROW = re.compile(r"^\|.*\|$")
_TABLE_RULE = re.compile(r"[|:\s-]+")
_NAV_SEPARATOR = re.compile(r"\s*[|›»]\s*|\s+[>/•·]\s+")
_BREADCRUMB = re.compile(r"[›»]|\s>\s")

# Categories of site furniture, matched on short lines only: cookie and consent banners,
# subscription and newsletter prompts, comment forms, adverts, share/follow bars and footers.
_NOTICES = [re.compile(p, re.I) for p in (
    r"\bleave an? (?:reply|replay|comment)\b",
    r"\b(?:your )?e-?mail address will not be published\b",
    r"\brequired fields are marked\b",
    r"^(?:post|add|view|show|load|hide) (?:a |all |more )?comments?\b",
    r"\bcomments (?:on this (?:article|story) )?are (?:now )?closed\b",
    r"^\W*(?:advertisement|sponsored(?: content)?|ad|promoted)\W*$",
    r"^share(?: this)?(?: article| page| story)?\W*$",
    r"\ball rights reserved\b|^©|^copyright\b|^our standards\s*:",
    r"^(?=(?:\S+\s+){0,9}\S+$).*\b(?:reach|contact|e-?mail|write to) (?:him|her|me|the author|the writer)\b.*@",  # a bio's
    r"\baccept\b.*\bread more\b",
    r"^this (?:material|article|content|story)\s+may not be (?:published|reproduced|broadcast|rewritten|redistributed)\b",
    r"\b(?:this|our) (?:web)?site uses cookies\b|^we use cookies\b|^share (?:this|on)\b",
    # paywalls, app prompts, disclaimers, an agency's end mark
    r"\bfor subscribers only\b|^to continue reading\b|\blimit of free articles\b|\bfree articles? (?:left|remaining)\b",
    r"^download (?:our|the [\w ]{1,20}) app\b|^disclaimer\s*:|^enditem$",
)]
# Banners and prompts in words that news uses too ("This site uses cookies ...", "Subscribe now for free updates",
# "Share this article on Facebook"; news: "The regulator fined Meta over cookie consent banners.", "Share prices
# fell after Musk posted on X."): one is furniture unless it reads as a reported statement (`_reads_as_report`).
_PROMPTS = [re.compile(p, re.I) for p in (
    r"\bcookies?\b.*\b(?:experience|consent|accept|agree|browsing|website|site|policy|opt[- ]?out)\b"
    r"|\b(?:you|I)\b.*\b(?:accept|agree|consent)\w*\b.*\bcookies\b",
    r"\b(?:subscribe|subscription|newsletter|sign up|signup|notifications?)\b.*\b(?:now|updates?|free|inbox|today|device|here)\b",
    r"\bnewsletters?\b.*\b(?:sign up|subscribe|enter your e-?mail)\b|^(?:get|sign up for|subscribe to)\b.*\bnewsletters?\b",
    r"^(?:share|follow)\b.*\b(?:on|via|us|this)\b.*\b(?:facebook|twitter|telegram|whatsapp|linkedin|email|x|article|"
    r"story|instagram|youtube|tiktok|threads|bluesky|google news)\b",
)]
# Labels and menu words that open a line ("Search", "Home", "Skip to main content", "Related: ...", "Read more"),
# where news has nouns ("Home Secretary James Cleverly will visit Kigali.", "Search teams recovered two bodies.",
# "Related charges were dropped."): one is furniture when it is short, labels what follows ("Related:", "Most
# read:") or speaks to the reader, unless it reads as a reported statement.
_LABELS = re.compile(
    r"^(?:sign up|log ?in|register|menu|search|home|skip to (?:main )?content|accessibility(?: help)?|read more|"
    r"click here|see also|also read|read also|also see|related|more news|latest news|trending|most read|"
    r"recommended|watch|listen|more)\b", re.I)
_LABEL_COLON = re.compile(r"^[^:]{0,20}:")
# Words that speak to the reader: prompts do ("Register now and get access created for you."), news rarely does
_ADDRESS = re.compile(r"\b(?:you|your|yours|our|ours|us|we)\b", re.I)
# A verb of a statement, or a figure: what a reported sentence has ("will visit", "were dropped", "hit a record
# low of 84.5") and a label lacks; -ed words of prompts ("unlimited", "featured") are none
_STATEMENT_VERB = re.compile(
    r"\d|\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|said|says|told|rose|fell|grew|"
    r"won|lost|took|made|came|went|began|gave|saw|met|led|ran|paid|sold|held|found|kept|spoke|struck|hit|cut|set|put|"
    r"beat|cost|hurt|let|quit|shut|spread|stood|sent|spent|built|bought|brought|caught|fought|sought|taught|thought|"
    r"felt|dealt|meant|left|fled|fed|read|bound|\w{3,}ed)\b", re.I)
_PROMPT_WORDS = frozenset("unlimited limited related featured sponsored selected dedicated curated personalised "
                          "personalized updated detailed trusted registered recommended advertised delivered "
                          "accepted required needed informed".split())
# Prompts open with a command: "Subscribe for just $1 a week.", "Download our app."
_COMMANDS = frozenset("subscribe sign log register download click join donate skip continue get try enter".split())


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_menu(line: str) -> bool:
    """Language switchers and tab rows: a few short all-lower-case tokens ("ua en ru")."""
    tokens = line.split()
    return 1 < len(tokens) <= 8 and all(len(t) <= 3 and t.isalpha() and t.islower() for t in tokens)


def _is_nav_item(line: str, bare: str) -> bool:
    """A bulleted one-to-three word item without a full stop ("- Category", "- Advertisement -"); an item with a
    figure or a "label: value" pair ("- Deposit rate: 4%") is a fact in a list."""
    return (line[:1] in "-*•▪►|·" and len(_words(bare)) <= 3 and not _SENTENCE_END.search(bare)
            and not re.search(r"\d|:\s*\S", bare))


def _command(words: list[str]) -> bool:
    """The line opens with a command ("Register for free access"), not a noun ("Register of Deeds Amy Cole ...")."""
    return bool(words) and words[0].lower() in _COMMANDS and (len(words) < 2 or words[1].lower() != "of")


def _reads_as_report(line: str) -> bool:
    """A statement of five words or more with a verb or a figure (`_STATEMENT_VERB`) that does not label what
    follows ("Read more: Police named the victim."), speak to the reader or open with a command."""
    words = _words(line)
    return (len(words) >= 5 and bool(_STATEMENT_END.search(line)) and not _LABEL_COLON.match(line)
            and not _command(words) and not _ADDRESS.search(line)
            and any(m.group().lower() not in _PROMPT_WORDS for m in _STATEMENT_VERB.finditer(line)))


def _is_notice(line: str) -> bool:
    words = _words(line)
    if len(words) > 40:
        return False
    if any(p.search(line) for p in _NOTICES):
        return True
    if any(p.search(line) for p in _PROMPTS):
        return not _reads_as_report(line)
    if _LABELS.match(line):
        return (len(words) <= 4 or bool(_LABEL_COLON.match(line)) or bool(_ADDRESS.search(line))
                or _command(words)) and not _reads_as_report(line)
    return False


def _is_nav_bar(plain: str) -> bool:
    """A row of short items between separators: section menus ("News | Sport | Weather"), breadcrumbs
    ("Home > News > Politics"), share bars ("Copy link | Facebook | X")."""
    parts = [p for p in _NAV_SEPARATOR.split(plain) if p.strip()]
    if len(parts) < (2 if _BREADCRUMB.search(plain) else 3):
        return False
    return all(len(_words(p)) <= 5 and not _SENTENCE_END.search(p.strip()) for p in parts)


def _is_byline(line: str) -> bool:
    """A "By ..." line of twelve words at most; one that ends like a sentence only when it holds nothing but names
    and a role ("By Tuesday, 3,000 people had left." and "By Christmas Day, 40 people had died." are news)."""
    opening = metadata.BYLINE_OPENING.match(line)
    return (opening is not None and opening.end() < len(line) and len(_words(line)) <= 12
            and (not _SENTENCE_END.search(line) or metadata.names_only(line)))


def _meta_kind(plain: str) -> BlockKind | None:
    """BYLINE or DATE for a header line made only of bylines, dates and times, reading times and an outlet or
    place name ("New Delhi | Updated: June 5, 2024 07:12 IST", "By Claire Dubois · 5 February 2024 · 5 min read");
    None for anything else."""
    parts = metadata.parts(plain)
    if not parts or len(_words(plain)) > 30:
        return None
    by = [p for p in parts if _is_byline(p)]
    dates = [p for p in parts if metadata.is_date_part(p)]
    other = [p for p in parts if p not in by and p not in dates and not _READ_TIME.match(p)]
    # beside a date, a person with a role, or before an outlet, is the byline ("Jane Smith | The Buenos Aires Times |
    # August 3, 2024"); a name alone may be a place ("New Delhi | Updated: June 5, 2024")
    person = bool(dates) and bool(other) and (metadata.is_name_and_role(other[0]) or (
        len(other) > 1 and metadata.names_only("By " + other[0]) and metadata.outlet(other[1:]) is not None))
    named = (len(other) <= (3 if person else 1) and all(
        len(_words(p)) <= 6 and _starts_upper(p) and not _SENTENCE_END.search(p) for p in other))  # an outlet or place
    if (by or dates) and (not other or named):
        return BlockKind.BYLINE if by or person else BlockKind.DATE
    return None


def _starts_upper(line: str) -> bool:
    first = line.lstrip("\"'“‘«([")[:1]
    return bool(first) and (first.isupper() or first.isdigit())


def _normalise_line(line: str) -> str:
    return " ".join(_words(line.lower()))


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str
    bare: str  # the line without list/heading markers
    bare_start: int


def _lines(text: str) -> list[_Line]:
    lines = []
    for m in re.finditer(r"[^\n\r\u2028\u2029]+", text):
        raw = m.group()
        left = len(raw) - len(raw.lstrip())
        stripped = raw.strip()
        if not stripped:
            continue
        start = m.start() + left
        marker = _MARKER.match(stripped)
        cut = marker.end() if marker else 0
        bare = stripped[cut:].rstrip(" -–—|")
        lines.append(_Line(start, start + len(stripped), stripped, bare.strip(), start + cut))
    return lines


def _unwrap(line: _Line) -> tuple[int, str]:
    """The line's content span without markdown around it: emphasis that wraps the whole line, a lone link's
    brackets and target, a "[Photo caption: ...]" wrapper. Returns (start in the article, content)."""
    start, bare = line.bare_start, line.bare
    while True:
        for pattern, group in ((_WRAPPED, 2), (_BRACKET_CAPTION, 1)):
            m = pattern.match(bare)
            if m:
                start, bare = start + m.start(group), m.group(group)
                break
        else:
            m = _LINK.fullmatch(bare)
            if m is None or bare.startswith("!"):
                return start, bare
            start, bare = start + 1, m.group(1)


def furniture_lines(texts: list[str], min_articles: int = 3) -> frozenset[str]:
    """Short lines that recur in several distinct articles: site furniture rather than news.

    Copies of one article under several names count once, so duplicates never erase each other."""
    distinct = list({_normalise_line(text): text for text in texts}.values())
    if len(distinct) < min_articles:
        return frozenset()
    counts: Counter[str] = Counter()
    for text in distinct:
        seen = {_normalise_line(ln.text) for ln in _lines(text) if len(_words(ln.text)) <= 15}
        counts.update(seen)
    threshold = max(min_articles, int(0.02 * len(distinct)))
    return frozenset(line for line, n in counts.items() if n >= threshold and line)


@dataclass(frozen=True)
class _Kept:
    start: int
    end: int
    plain: str  # the content with markdown links reduced to their text and emphasis markers removed
    kind: BlockKind
    h1: bool  # a markdown "# " heading


_LABELLED_FIGURE = re.compile(r"^[A-Z][\w '’-]{0,30}:\s+\S.*\d")
_NOTE = re.compile(
    r"^(?:editor[’']?s[’']? note|note to readers|correction|clarification|update)"
    r"\s*(?:,\s*[a-z]{3,9}\.?\s+\d{1,2}|,\s*\d{1,2}\s+[a-z]{3,9}|\([^():]{1,30}\))?\s*[:—–-]"  # "Correction, Sept. 16:"
    r"|^this (?:article|story|piece|interview|transcript) (?:was|has been) (?:amended|updated|corrected|changed|"
    r"edited|condensed)\b(?!.*\bsaid\b)|^an? (?:earlier|previous) version of this (?:article|story|report|piece)\b"
    r"|^originally published (?:in|by|on)\b|^translated (?:from|by)\b"
    r"|^this (?:content|article|story) was (?:produced|created|paid for) (?:in partnership with|by|with)\b",
    re.I)


def _kind(plain: str, list_item: bool, after_image: bool, markdown_heading: bool) -> BlockKind:
    """The kind of a line that is not furniture."""
    if _NOTE.match(plain):
        return BlockKind.NOTE  # it tells how the story changed; the story itself states the facts
    n_words = len(_words(plain))
    meta = _meta_kind(plain)
    if meta is not None:
        return meta
    if _is_byline(plain) or _CREDIT_LINE.match(plain) or (  # a bulleted "Name, role" is a who's who, not a byline
            n_words <= 10 and not _SENTENCE_END.search(plain) and not list_item
            and (metadata.is_name_and_role(plain) or metadata.is_role_and_name(plain))):
        return BlockKind.BYLINE
    if list_item:
        return BlockKind.BODY  # a bulleted or numbered item is a fact in a list, never a heading
    if (markdown_heading and n_words <= 30) or (n_words <= 12 and plain.upper() == plain and plain.lower() != plain):
        return BlockKind.HEADING  # "## Who will pay more?", "HAVE YOU SEEN THIS PANEL?"
    if _AGENCY_PHOTO.search(plain) and n_words <= 100:
        return BlockKind.CAPTION
    if n_words <= 40 and (
        after_image
        or _CAPTION_CREDIT.search(plain)
        or _CAPTION_TAIL.search(plain)
        or (_TRAILING_PAREN.search(plain) and not _SENTENCE_END.search(_TRAILING_PAREN.sub("", plain).strip()))
    ):
        return BlockKind.CAPTION
    if _LABELLED_FIGURE.match(plain):
        return BlockKind.BODY  # "Attendance: 18,402", "Death toll: 14", "FT: Gor Mahia 2-1 AFC Leopards"
    if n_words <= 12 and not _SENTENCE_END.search(plain) and not plain.endswith((":", ",", ";")):
        return BlockKind.HEADING
    return BlockKind.BODY


def _is_table_rule(line: str) -> bool:
    return "-" in line and _TABLE_RULE.fullmatch(line) is not None


def _lines_kept(text: str, furniture: frozenset[str]) -> list[_Kept]:
    """Every line that is not furniture, with its kind (the headline is chosen afterwards)."""
    kept: list[_Kept] = []
    # "comments" from a comments header (`_COMMENTS_HEADER`) to the next thematic break; "teaser" for a list of
    # links
    zone = None
    after_image = in_list = False
    paragraphs = 0
    lines = _lines(text)
    for number, line in enumerate(lines):
        if _RULE.match(line.text):
            zone, after_image, in_list = None, False, False
            continue
        start, content = _unwrap(line)
        plain = _EMPHASIS.sub("", _LINK.sub(lambda m: m.group(1), content)).strip()
        list_item = bool(_LIST_MARKER.match(line.text))
        was_after_image, after_image = after_image, False
        if not _words(plain):
            continue
        comments = not list_item and _COMMENTS_HEADER.match(plain)
        if comments or (not list_item and _TEASER_HEADER.match(plain)):
            if not comments or paragraphs >= (2 if _COMMENT_COUNT.match(plain) else 1):
                zone = "comments" if comments else "teaser"
            continue
        if zone == "comments":
            continue
        if zone == "teaser":
            # links and bullets are teasers, except a bullet that reports ("- The Fed held rates at 5.25% on
            # Wednesday.": a briefing's news); a bare short line is one only below the story's start (above it, it
            # is the headline under a kicker: "Trending", "Latest News")
            if (list_item and not _reads_as_report(plain)) or _LINK.fullmatch(line.bare) or (
                    paragraphs and not _SENTENCE_END.search(plain) and len(_words(plain)) <= 20):
                continue
            zone = None
        if _IMAGE.match(line.bare):
            after_image = True  # the image is not text; the line under it is its caption
            continue
        in_list = in_list and list_item
        if _TABLE_ROW.match(line.text):  # a table's row: a fact when it holds a figure, else its column names
            figures = bool(re.search(r"\d", plain))
            # column names stand above the rule under them; a row of words without one is a menu ("| Home | News |")
            names = number + 1 < len(lines) and _is_table_rule(lines[number + 1].text)
            if not _is_table_rule(line.text) and (figures or names) and not (
                    _is_notice(plain) or _normalise_line(line.text) in furniture):
                kept.append(_Kept(start, start + len(content), plain,
                                  BlockKind.BODY if figures else BlockKind.HEADING, False))
            continue
        if (_is_menu(line.text) or (_is_nav_item(line.text, plain) and not in_list) or _is_notice(plain)
                or _TAGS.match(plain) or _READ_TIME.match(plain)):
            continue
        kind = _kind(plain, list_item, was_after_image, line.text.startswith("#"))
        if (kind not in (BlockKind.BYLINE, BlockKind.DATE) and _normalise_line(line.text) in furniture
                and not (kind is BlockKind.BODY and _reads_as_report(plain))):
            # repeated across articles: the site's, not the story's; a staff reporter's byline and a running story's
            # background ("The fighting began on April 15 between the army and the RSF.") are the story's
            continue
        if kind not in (BlockKind.BYLINE, BlockKind.DATE) and _is_nav_bar(plain):
            continue
        kept.append(_Kept(start, start + len(content), plain, kind, line.text.startswith("# ")))
        paragraphs += _is_paragraph(kind, plain)
        if kind is BlockKind.BODY and plain.endswith(":"):
            in_list = True
    return kept


def _is_paragraph(kind: BlockKind, text: str) -> bool:
    """Body text that ends a sentence: where the story starts, below the headline, standfirst and byline."""
    return kind is BlockKind.BODY and bool(_SENTENCE_END.search(text))


def _headline(kept: list[_Kept]) -> int | None:
    """Which kept line is the headline: among the headline-shaped lines above the first paragraph, a markdown
    "# " heading, else the first of four words or more (shorter ones are section labels: "WORLD NEWS") that is
    not the paper's name ("The Valley Sentinel Daily", a masthead). A one-line question above the story ("Is the
    four-day week here to stay?") is a headline, not its first paragraph."""
    paragraphs = (i for i, k in enumerate(kept) if _is_paragraph(k.kind, k.plain))
    first_paragraph = next(paragraphs, len(kept))

    def shaped_above(end: int) -> list[int]:
        return [i for i in range(end) if kept[i].kind in (BlockKind.HEADING, BlockKind.BODY)
                and _starts_upper(kept[i].plain) and len(_words(kept[i].plain)) <= 30
                and not kept[i].plain.endswith(".") and " | " not in kept[i].plain]  # a table's column names: none

    shaped = shaped_above(first_paragraph)
    if not shaped and first_paragraph < len(kept) and _question_headline(kept, first_paragraph):
        first_paragraph = next(paragraphs, len(kept))
        shaped = shaped_above(first_paragraph)
    masthead = {i: metadata.names_outlet(kept[i].plain) for i in shaped}
    # "Bolt Breaks World Record" ends like a paper's name, and still beats a one-word kicker
    for rule in (lambda i: kept[i].h1, lambda i: len(_words(kept[i].plain)) >= 4 and not masthead[i],
                 lambda i: len(_words(kept[i].plain)) >= 4, lambda i: not masthead[i], lambda i: True):
        found = [i for i in shaped if rule(i)]
        if found:
            return found[0]
    return None


def _question_headline(kept: list[_Kept], i: int) -> bool:
    """Whether kept line i, the first paragraph-shaped line with no headline-shaped line above it, is rather a
    headline that asks: one question of at most 20 words, with the story (a statement) below it."""
    plain = kept[i].plain
    return (plain.rstrip("\"'”’)").endswith("?") and len(_words(plain)) <= 20 and not _INNER_END.search(plain)
            and any(_is_paragraph(k.kind, k.plain) and _STATEMENT_END.search(k.plain) for k in kept[i + 1:]))


def classify(text: str, furniture: frozenset[str] = frozenset()) -> tuple[str | None, tuple[Block, ...]]:
    """Split an article into kept blocks and find its headline; boilerplate lines are dropped."""
    kept = _lines_kept(text, furniture)
    h = _headline(kept)
    blocks = []
    for i, k in enumerate(kept):
        kind = k.kind
        if h is not None and i != h:
            headline = kept[h].plain
            if i < h and kind in (BlockKind.HEADING, BlockKind.BODY):
                continue  # kickers, section labels and teaser links above the headline
            if k.plain == headline:
                continue  # the headline printed twice
            if k.plain.startswith(headline) and len(_words(k.plain)) <= 40:
                kind = BlockKind.CAPTION  # an image caption that repeats the headline
        blocks.append(Block(k.start, k.end, BlockKind.HEADLINE if i == h else kind))
    title = " ".join(kept[h].plain.split()) if h is not None else None
    return title, tuple(blocks)


def story_start(text: str, blocks: tuple[Block, ...]) -> int:
    """Which block the story starts at: its first paragraph, or the second when no byline or date line stands
    above the first but one comes after it (a standfirst: "The plan passed after seven hours of debate." / "By Ann
    Reid" / "March 3, 2024"); len(blocks) when there is no paragraph."""
    paragraphs = [i for i, b in enumerate(blocks) if _is_paragraph(b.kind, text[b.start:b.end])][:2]
    if (len(paragraphs) < 2 or metadata.dateline(text, blocks[paragraphs[0]].start) is not None  # wire copy
            or any(b.kind in (BlockKind.BYLINE, BlockKind.DATE) for b in blocks[:paragraphs[0]])):
        return paragraphs[0] if paragraphs else len(blocks)  # the header is above: a date below is the story's
    header_after = any(b.kind is BlockKind.BYLINE or (b.kind is BlockKind.DATE and metadata.iso_date(text[b.start:b.end]))
                       for b in blocks[paragraphs[0] + 1:paragraphs[1]])
    return paragraphs[1] if header_after else paragraphs[0]


def article_metadata(text: str, blocks: tuple[Block, ...]
                     ) -> tuple[str | None, str | None, Dateline | None, str | None]:
    """(author, published date as YYYY-MM-DD, dateline, outlet) from an article's bylines, date lines and first
    paragraph.

    Only the lines above where the story starts (`story_start`) count for the date and the outlet named beside it
    (else the dateline's agency); the author comes from the first byline there, else from a "(Reporting by ...)"
    credit anywhere."""
    first = story_start(text, blocks)
    header = [text[b.start:b.end] for b in blocks[:first] if b.kind in (BlockKind.BYLINE, BlockKind.DATE)]
    bylines = [text[b.start:b.end] for b in blocks[:first] if b.kind is BlockKind.BYLINE]
    credits = [text[b.start:b.end] for b in blocks[first:] if b.kind is BlockKind.BYLINE]
    author = next((a for a in map(metadata.authors, bylines + credits) if a), None)
    dateline = metadata.dateline(text, blocks[first].start) if first < len(blocks) else None
    if dateline is None:  # a standfirst above wire copy: "Rescuers dug through the night." / "INNSBRUCK – ..."
        after = next((i for i in range(first + 1, len(blocks))
                      if _is_paragraph(blocks[i].kind, text[blocks[i].start:blocks[i].end])), None)
        dateline = metadata.dateline(text, blocks[after].start) if after is not None else None
    published = metadata.published(header) or (dateline.date if dateline else None)
    return author, published, dateline, metadata.outlet(header) or (dateline.agency if dateline else None)


def _title_from_name(article: str) -> str:
    stem = Path(article).stem
    return re.sub(r"[_\-]+", " ", stem).strip() or stem


def make_article(article: str, raw: bytes, furniture: frozenset[str] = frozenset(),
                 file_stamp: FileStamp = FileStamp(0, 0)) -> Article:
    """Decode and classify one article file's bytes (a text, markdown or web page file); `file_stamp` is the
    file's, taken before the bytes were read."""
    text, encoding = decode(raw, article)
    kind = formats.kind_of(article) or InputKind.TEXT
    if kind in COLLECTIONS:
        raise QAError(f"{article}: a collection of articles, not one article (read it with read_sources)")
    source = formats.read_html(article, text, raw) if kind is InputKind.HTML else Source(
        article, text, hashlib.sha256(raw).hexdigest())
    return from_source(source, furniture, file_stamp, encoding=encoding, kind=kind, path=article,
                       file_sha256=hashlib.sha256(raw).hexdigest())


def from_source(source: Source, furniture: frozenset[str], file_stamp: FileStamp, *, encoding: str,
                kind: InputKind, path: str, file_sha256: str) -> Article:
    """Classify one article's text; what its page or row says (title, date, author, outlet, address) wins over
    what its own header lines say."""
    text, meta = source.text, source.meta
    title, blocks = classify(text, furniture)
    if not blocks:
        raise QAError(f"{source.id}: no readable text")
    if kind is InputKind.HTML and not any(b.kind is BlockKind.BODY for b in blocks):
        raise QAError(f"{source.id}: no main text found in the page (only its title and page furniture)")
    author, published, dateline, outlet = article_metadata(text, blocks)
    published = meta.published or published
    return Article(
        id=source.id,
        text=text,
        title=" ".join(meta.title.split()) if meta.title else (title or _title_from_name(source.id)),
        blocks=blocks,
        sha256=source.sha256,
        encoding=encoding,
        stamp=file_stamp,
        # a page's or row's author wins when it names someone: "Gulf Coast Herald Staff" does not beat the byline
        author=(meta.author if meta.author and metadata.authors(meta.author) else None) or author or meta.author,
        published=published,
        dateline=dateline,
        outlet=meta.outlet or outlet or meta.host,
        url=meta.url,
        path=path,
        file_sha256=file_sha256,
        kind=kind,
        extra=meta.extra,
        published_day=None if published or dateline is None else dateline.day,
    )


def read_sources(name: str, raw: bytes) -> tuple[list[Source], list[Skipped], str, InputKind]:
    """The article texts of one file before classification: (sources, rows skipped, encoding, kind). A text,
    markdown or page file gives one (QAError when it has no text); a JSONL or CSV collection one per good row,
    and its bad rows as skipped `file:line`."""
    text, encoding = decode(raw, name)
    kind = formats.kind_of(name) or InputKind.TEXT
    if kind is InputKind.HTML:
        return [formats.read_html(name, text, raw)], [], encoding, kind
    if kind not in COLLECTIONS:
        return [Source(name, text, hashlib.sha256(raw).hexdigest())], [], encoding, kind
    sources, bad = formats.read_collection(name, text, kind)
    skipped = [Skipped(f"{name}:{b.line}", f"line {b.line}: {b.reason}") for b in bad]
    if not sources:
        what = "; ".join(b.reason for b in bad[:3]) or "no rows"
        raise QAError(f"{name}: no article rows ({what}); each row needs a 'text' (or 'body', 'content') field "
                      "(a question set belongs outside the corpus folder)")
    return sources, skipped, encoding, kind


def read_raw(root: Path, paths: list[Path], max_bytes: int) -> tuple[dict[str, tuple[bytes, FileStamp]], list[Skipped]]:
    """Read regular files as bytes, each with its stamp taken before reading (so an edit made while the file is
    read changes the stamp and is noticed next time); unreadable, special or oversized files are reported,
    never fatal. The size limit holds for the bytes actually read, whatever the file claims to be."""
    raws, skipped = {}, []
    def too_large(size: str) -> str:
        return f"too large ({size}; the limit is {max_bytes / 2**20:.0f} MB): split it into several articles"

    for path in paths:
        name = article_id(root, path)
        try:
            # O_NONBLOCK: opening a named pipe must not wait for a writer; fstat then tells what was opened.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        except OSError as exc:
            skipped.append(Skipped(name, f"cannot read: {exc.strerror or exc}"))
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                skipped.append(Skipped(name, "not a regular file (a pipe, device or socket)"))
                continue
            if st.st_size > max_bytes:
                skipped.append(Skipped(name, too_large(f"{st.st_size / 2**20:.1f} MB")))
                continue
            with os.fdopen(os.dup(fd), "rb") as handle:
                raw = handle.read(max_bytes + 1)
            if len(raw) > max_bytes:  # the file grew while it was read
                skipped.append(Skipped(name, too_large(f"over {max_bytes / 2**20:.0f} MB")))
                continue
            raws[name] = (raw, FileStamp(size=st.st_size, mtime_ns=st.st_mtime_ns))
        except OSError as exc:
            skipped.append(Skipped(name, f"cannot read: {exc.strerror or exc}"))
        finally:
            os.close(fd)
    return raws, skipped


REMOVED = "removed from the index (qa remove)"


def unusable_reason(path: Path, max_mb: int = 20) -> str | None:
    """Why one file would be skipped by `read_corpus` (hidden, badly named, unreadable, too large, empty,
    binary, no readable text), or None if it can be indexed."""
    path = Path(path)
    if path.name.startswith("."):
        return "hidden file (its name starts with '.'), never indexed: rename it"
    if not has_utf8_name(path.name):
        return BAD_NAME
    raws, skipped = read_raw(path.parent, [path], max_mb * 2**20)
    if skipped:
        return skipped[0].reason
    raw, _ = raws[path.name]
    if not raw.strip():
        return "empty file"
    try:
        sources, _, encoding, kind = read_sources(path.name, raw)
        for source in sources:
            try:
                from_source(source, frozenset(), FileStamp(0, 0), encoding=encoding, kind=kind, path=path.name,
                            file_sha256="")
                return None
            except QAError as exc:
                problem = exc
        raise problem
    except QAError as exc:
        return str(exc).removeprefix(f"{path.name}: ")


def read_corpus(root: Path | str, exclude: frozenset[str] = frozenset(), *, max_mb: int = 20) -> Corpus:
    """Every article of a folder but the `exclude`d ids; files that cannot be used are listed in `skipped`
    with the reason."""
    root = Path(root).resolve()
    paths = list_files(root)
    bad_names = [p for p in paths if not has_utf8_name(article_id(root, p))]
    paths = [p for p in paths if has_utf8_name(article_id(root, p))]
    excluded = [p for p in paths if article_id(root, p) in exclude]
    raws, skipped = read_raw(root, [p for p in paths if article_id(root, p) not in exclude], max_mb * 2**20)
    skipped += [Skipped(article_id(root, p), REMOVED) for p in excluded]
    skipped += [Skipped(shown_name(article_id(root, p)), BAD_NAME) for p in bad_names]
    read: list[tuple[str, FileStamp, str, list[Source], str, InputKind]] = []
    for name, (raw, file_stamp) in raws.items():
        if not raw.strip():
            skipped.append(Skipped(name, "empty file"))
            continue
        try:
            sources, bad_rows, encoding, kind = read_sources(name, raw)
        except QAError as exc:
            skipped.append(Skipped(name, str(exc).removeprefix(f"{name}: ")))
            continue
        skipped += bad_rows
        read.append((name, file_stamp, hashlib.sha256(raw).hexdigest(), sources, encoding, kind))
    # Lines repeated across articles are furniture, whatever kind of file each article came from.
    furniture = furniture_lines([s.text for *_, sources, _, _ in read for s in sources])
    articles = []
    for name, file_stamp, file_sha256, sources, encoding, kind in read:
        file_articles = []
        for source in sources:
            try:
                file_articles.append(from_source(source, furniture, file_stamp, encoding=encoding, kind=kind,
                                                 path=name, file_sha256=file_sha256))
            except QAError as exc:
                where = name if source.id == name else source.id
                skipped.append(Skipped(where, str(exc).removeprefix(f"{source.id}: ")))
        if kind in COLLECTIONS and not file_articles:
            skipped.append(Skipped(name, "no row has readable text"))
        articles += file_articles
    return Corpus(root=root, articles=tuple(articles), skipped=tuple(sorted(skipped, key=lambda s: s.path)))
