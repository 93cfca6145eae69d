"""Input formats beyond plain text: saved web pages (trafilatura) and JSONL / CSV collections -> Source texts."""

from __future__ import annotations

import csv
import datetime
import hashlib
import html
import io
import json
import re
from dataclasses import dataclass, field
from enum import Enum

from qa import metadata
from qa.errors import QAError


class InputKind(str, Enum):
    """What kind of file an article came from."""

    TEXT = "txt"
    MARKDOWN = "md"
    HTML = "html"
    JSONL = "jsonl"
    CSV = "csv"


SUFFIX_KINDS = {".txt": InputKind.TEXT, ".md": InputKind.MARKDOWN, ".html": InputKind.HTML,
                ".htm": InputKind.HTML, ".jsonl": InputKind.JSONL, ".csv": InputKind.CSV}
COLLECTIONS = (InputKind.JSONL, InputKind.CSV)  # one article per line / row
# A row's fields by what they hold, under the names scrapers and exporters give them (news-please, trafilatura,
# newspaper3k, CMS exports); the first one present wins, and names are matched in any case ("Text", "Title")
FIELDS = {
    "text": ("text", "body", "content", "maintext", "article", "article_text", "full_text", "fulltext"),
    "id": ("id", "guid"),
    "title": ("title", "headline"),
    "date": ("date", "published", "published_at", "publish_date", "date_publish", "date_published", "pubdate"),
    "author": ("author", "authors", "byline", "creator"),
    "url": ("url", "link"),
    "outlet": ("outlet", "source", "site_name", "sitename", "source_domain", "publisher"),
}
KNOWN_FIELDS = tuple(name for names in FIELDS.values() for name in names)


def kind_of(name: str) -> InputKind | None:
    """The input kind a file name's suffix says, or None for a file that is not read."""
    lowered = name.lower()
    return next((k for suffix, k in SUFFIX_KINDS.items() if lowered.endswith(suffix)), None)


@dataclass(frozen=True)
class Meta:
    """What a page or a row says about its article; None where it says nothing."""

    title: str | None = None
    published: str | None = None  # YYYY-MM-DD
    author: str | None = None
    outlet: str | None = None
    url: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # a row's other fields, as text
    host: str | None = None  # a page's address's host: its outlet when nothing else names one


@dataclass(frozen=True)
class Source:
    """One article's text as read from its file (a page's main text, a row's text) before it is classified."""

    id: str  # the file's path, or "file#id" / "file#line" for a row
    text: str
    sha256: str  # of this article's own bytes: the whole file, or the row
    meta: Meta = field(default_factory=Meta)


@dataclass(frozen=True)
class BadRow:
    """A row of a collection that was not read, and why."""

    line: int
    reason: str


_ISO_PREFIX = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])")


def iso_day(value: str | None) -> str | None:
    """A date as YYYY-MM-DD from ISO text ("2023-04-21T16:12:00Z") or a written date ("April 21, 2023");
    None when it does not give a full date."""
    if not value or not isinstance(value, str):
        return None
    m = _ISO_PREFIX.match(value)
    if m:
        try:
            return datetime.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    return metadata.iso_date(value)


def with_header(body: str, title: str | None, author: str | None) -> str:
    """The article text as stored: the headline and a "By ..." line above the body unless its first lines
    already hold them, so the headline and byline are sentences of the article as on the page."""
    body = body.strip()
    lines = body.splitlines()
    head = "\n".join(lines[:6])
    title = " ".join(title.split()) if title else ""
    author = " ".join(author.split()) if author else ""
    if author and author in head:
        author = ""
    if title and title in head:
        if not author:
            return body
        # the byline goes under the headline: after the line that holds it
        at = next(i for i, line in enumerate(lines) if title in line) + 1
        return "\n".join(lines[:at]) + "\n\nBy " + author + "\n\n" + "\n".join(lines[at:]).strip()
    return "\n\n".join([t for t in (title, "By " + author if author else "") if t] + [body])


# --- web pages ------------------------------------------------------------------------------------------------

def read_html(name: str, text: str, raw: bytes) -> Source:
    """A saved web page's main text through trafilatura (navigation, banners, related links, comments and
    scripts left out) with its title, author, date, site name and address. QAError when it has no main text."""
    import trafilatura

    # Dates only from the page's markup (meta tags, <time>, JSON-LD): the wider search takes a copyright
    # year for a publication date ("© 2024" -> 2024-01-01).

    doc = trafilatura.bare_extraction(text, include_comments=False, favor_precision=True, with_metadata=True,
                                      include_tables=True, date_extraction_params={"original_date": True, "extensive_search": False})
    body = (doc.text or "").strip() if doc is not None else ""
    if not body:
        raise QAError(f"{name}: no main text found in the page (trafilatura extracted nothing)")
    names = [n.strip() for n in (doc.author or "").split(";") if n.strip()]  # trafilatura joins with "; "
    author = (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]) if names else None
    meta = Meta(title=doc.title or None, published=iso_day(doc.date), author=author,
                outlet=page_outlet(text, doc.title, doc.sitename), url=doc.url or None, host=doc.hostname or None)
    return Source(name, with_header(body, meta.title, meta.author), hashlib.sha256(raw).hexdigest(), meta)


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_META_TAG = re.compile(r"<meta\b[^<>]{0,600}>", re.I)  # bounded: a page of unclosed tags stays linear
_SITE_NAME = re.compile(r"\b(?:property|name)\s*=\s*[\"']?og:site_name\b", re.I)
_CONTENT = re.compile(r"\bcontent\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))", re.I)
_NOT_TEXT = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·•]\s+|\s*\|\s*")
# an element that holds the site's name: <a class="logo">, <div class="masthead">, <img class="site-logo" alt=...>
_BRAND = re.compile(r"<(?:a|div|span|h1|h2|p|header|img|strong|b|em|figure|section)\b[^<>]{0,300}?\b(?:class|id)\s*=\s*"
                    r"[\"']?[^\"'<>]*(?:logo|masthead|brand|site-?name|site-?title)[^<>]{0,300}>", re.I)
_BRAND_END = re.compile(r"</(?:a|div|span|h1|h2|p|header|strong|b|em|figure|section)\s*>", re.I)
_LABEL = re.compile(r"\b(?:alt|aria-label)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I)
_SIGN = re.compile(r"©|&copy;|&#169;|&#xa9;|\bcopyright\b", re.I)
_SIGN_PREFIX = re.compile(r"^(?:\s*(?:©|\(c\)|copyright|\d{4}(?:\s*[-–]\s*\d{4})?|by|[,|·•:–—-]))+\s*", re.I)
_HOLDER = re.compile(r"(?:[Tt]he\s+)?[A-Z0-9][\w&'’-]*(?:\.(?=\w)[\w&'’-]*)*(?:\s+[A-Z0-9][\w&'’-]*(?:\.(?=\w)[\w&'’-]*)*){0,6}")
_COMPANY = re.compile(r"(?:\s+\(?(?:Ltd|Limited|LLC|L\.L\.C|Inc|Pty|PLC|B\.V|N\.V|GmbH|AG|SA|Co|Corp|Corporation|Company|Media|"
                      r"Group|Holdings|Publishing|Publications|Enterprises|Registered|All|\d{4})\)?\.?)+$", re.I)
_MAX_OUTLET_WORDS = 5


def _plain_name(name: str) -> str:
    """A name as compared: folded, spaces collapsed, without a leading "The"."""
    return re.sub(r"^the\s+", "", " ".join(html.unescape(name).split()).casefold())


def _copyright_holders(text: str) -> set[str]:
    """The holders the page's dated copyright lines name ("© 2026 The Mail Ledger (Pty) Ltd. All rights reserved."
    -> the mail ledger), company words left out, as `_plain_name`s; a credit without a year ("Photo © Jane Doe") is
    not one."""
    holders = set()
    for m in _SIGN.finditer(text):
        line = html.unescape(text[m.start():m.start() + 200].split("<", 1)[0].split("\n", 1)[0])
        if not re.search(r"\b(?:19|20)\d\d\b", line):
            continue
        found = _HOLDER.match(_SIGN_PREFIX.sub("", line))
        name = _COMPANY.sub("", found.group(0)).strip(" .,") if found else ""
        if name and not name.isdigit() and name.split()[0].lower() not in ("all", "copyright"):
            holders.add(_plain_name(name))
    return holders


def _brand_names(text: str) -> set[str]:
    """What the page's logo, masthead or site-name elements say: their text, or their image's alt text."""
    names = set()
    for m in _BRAND.finditer(text):
        end = _BRAND_END.search(text, m.end(), m.end() + 300)
        element = text[m.start():end.start() if end else m.end()]
        names.add(_plain_name(re.sub(r"<[^>]*>", " ", element)))
        names.update(_plain_name(next(filter(None, label.groups()), "")) for label in _LABEL.finditer(element))
    return names - {""}


def page_outlet(page: str, headline: str | None, sitename: str | None) -> str | None:
    """The outlet a saved page names: its og:site_name; else the end of its <title> ("Flood toll rises to 12 |
    Clarence Valley Examiner") that its logo, masthead or a dated copyright line names too ("© 2026 Clarence Valley
    Examiner Ltd."); else trafilatura's site name unless it is the headline (it takes the whole title where the
    separator is unusual). None if none: then the page's dateline agency, else its address's host, stands for it."""
    def short(name: str | None) -> str | None:
        name = " ".join(html.unescape(name or "").split()).strip(" .,|")
        return name if name and len(name.split()) <= _MAX_OUTLET_WORDS and name != (headline or "").strip() else None

    for tag in _META_TAG.findall(page):
        if _SITE_NAME.search(tag) and (found := _CONTENT.search(tag)) and short(next(filter(None, found.groups()), "")):
            return short(next(filter(None, found.groups())))
    text = _NOT_TEXT.sub(" ", page)
    title = _TITLE.search(text)
    pieces = [p.strip() for p in _TITLE_SEPARATOR.split(html.unescape(title.group(1)))] if title else []
    if len(pieces) > 1:
        named = _copyright_holders(text) | _brand_names(text)
        for end in (pieces[-1], pieces[0]):
            if short(end) and _plain_name(end) != _plain_name(headline or "") and _plain_name(end) in named:
                return end
    name = short(sitename)
    return name if name and _plain_name(name) != _plain_name(headline or "") else None


# --- collections ----------------------------------------------------------------------------------------------

def _field(row: dict, what: str) -> str | None:
    """The row's value for one of FIELDS, as text (a list of names, "authors": ["A", "B"], as "A and B")."""
    for name in FIELDS[what]:
        value = row.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            value = value[0] if len(value) == 1 else ", ".join(value[:-1]) + " and " + value[-1]
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _row_source(name: str, line: int, row: dict, digest: str, seen: set[str]) -> Source | BadRow:
    lowered: dict = {}
    for k, v in row.items():
        lowered.setdefault(k.lower() if isinstance(k, str) else k, v)
    row = lowered
    held = next((n for n in FIELDS["text"] if row.get(n) is not None), None)
    text = row[held] if held else None
    if not isinstance(text, str) or not text.strip():
        return BadRow(line, "no 'text' (or 'body', 'content')" if held is None else f"'{held}' is empty or not text")
    key = _field(row, "id")
    article = f"{name}#{key if key is not None else line}"
    if article in seen:
        return BadRow(line, f"the id {key!r} is used by an earlier row")
    seen.add(article)
    extra = tuple((k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                  for k, v in row.items() if k not in KNOWN_FIELDS and v not in (None, ""))
    author = _field(row, "author")
    if author:
        author = re.sub(r"^by\s+", "", author, flags=re.I) or None  # "By EVELYNE MUSAMBI"
    meta = Meta(title=_field(row, "title"), published=iso_day(_field(row, "date")), author=author,
                outlet=_field(row, "outlet"), url=_field(row, "url"), extra=extra)
    return Source(article, with_header(text, meta.title, meta.author), digest, meta)


def read_jsonl(name: str, text: str) -> tuple[list[Source], list[BadRow]]:
    """One article per line of a JSONL file: an object with `text` and optional id, title, date, author,
    url, source/outlet (or the other names of FIELDS); other fields are kept as metadata. Bad lines are reported
    with their number."""
    sources, bad, seen = [], [], set()
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError as exc:
            bad.append(BadRow(line, f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(row, dict):
            bad.append(BadRow(line, f"a JSON {type(row).__name__}, not an object"))
            continue
        got = _row_source(name, line, row, hashlib.sha256(raw.encode("utf-8")).hexdigest(), seen)
        (bad if isinstance(got, BadRow) else sources).append(got)
    return sources, bad


def read_csv(name: str, text: str) -> tuple[list[Source], list[BadRow]]:
    """One article per row of a CSV file with a header row naming its columns (`text` required)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], []
    except csv.Error as exc:
        return [], [BadRow(1, f"not a CSV header row ({exc})")]
    if not set(FIELDS["text"]) & set(header):
        return [], [BadRow(1, f"the header has no 'text' (or 'body', 'content') column (it has "
                              f"{', '.join(header)[:120]})")]
    sources, bad, seen = [], [], set()
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad.append(BadRow(start, f"not a CSV row ({exc})"))
            line = reader.line_num
            continue
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            bad.append(BadRow(start, f"{len(values)} fields, the header has {len(header)}"))
            continue
        row = dict(zip(header, values))
        digest = hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
        got = _row_source(name, start, row, digest, seen)
        (bad if isinstance(got, BadRow) else sources).append(got)
    return sources, bad


def read_collection(name: str, text: str, kind: InputKind) -> tuple[list[Source], list[BadRow]]:
    return read_jsonl(name, text) if kind is InputKind.JSONL else read_csv(name, text)
