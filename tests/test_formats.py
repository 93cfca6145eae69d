"""Input formats: saved web pages through trafilatura, JSONL and CSV collections, dates given as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.corpus import BlockKind, read_corpus
from qa.engine import QA
from qa.formats import InputKind, iso_day, kind_of, page_outlet, read_csv, read_jsonl
from qa.sentences import split_article

from conftest import NEWS_SET as NEWS, NO_NEWS_SET

PAGES = Path(__file__).resolve().parent / "data" / "pages"

FURNITURE = ("cookies", "Sport", "Weather", "Share on", "Related stories", "Ferry timetable", "Traders say",
             "scandal", "quieter", "Who is paying", "email address", "newsletter", "rights reserved",
             "dataLayer", "Subscribers", "Advertisement", "Search the Herald", "Home")


def test_a_saved_page_gives_its_story_and_metadata_and_none_of_its_furniture():
    corpus = read_corpus(PAGES)
    [page] = [a for a in corpus.articles if a.id == "harbour-bridge-reopens.html"]
    assert page.kind is InputKind.HTML and page.path == page.id
    assert (page.title, page.published, page.author, page.outlet) == (
        "Harbour bridge reopens after two-year repair", "2024-03-04", "Maria Lindqvist", "Coastal Herald")
    assert page.url == "https://coastalherald.example/news/harbour-bridge-reopens"
    sentences = split_article(page)
    texts = [s.text for s in sentences]
    assert any("replaced all 212 steel cables" in t for t in texts)
    assert any("31,000 vehicles a day" in t for t in texts)
    assert any("Cyclists will have to wait until April" in t for t in texts)
    for word in FURNITURE:
        assert not any(word in t for t in texts), word
    # offsets refer to the stored (extracted) text
    assert all(page.text[s.start:s.end] == s.text for s in sentences)
    kinds = {s.text: s.kind for s in sentences}
    assert kinds["Harbour bridge reopens after two-year repair"] is BlockKind.HEADLINE
    assert kinds["By Maria Lindqvist"] is BlockKind.BYLINE


def test_a_page_without_main_text_is_skipped_with_the_reason():
    corpus = read_corpus(PAGES)
    assert [a.id for a in corpus.articles] == ["harbour-bridge-reopens.html"]
    [skipped] = corpus.skipped
    assert skipped.path == "shell-only.html" and "no main text" in skipped.reason


def _rows(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    rows = [
        {"id": "a1", "title": "Strike widens to 25,000 workers", "date": "2023-09-29T10:00:00Z", "outlet": "Wire",
         "author": "Ann Lee", "url": "https://wire.example/a1", "section": "business", "words": 412,
         "text": "The union said on Friday that about 25,000 workers are now on strike at three carmakers."},
        "not json",
        {"title": "a row without text"},
        {"text": "The port reopened on Tuesday after repairs that lasted six weeks, the harbour master said.",
         "source": "Local Paper", "date": "March 5, 2024"},
        {"id": "a1", "text": "A second row with the id of the first one says something else entirely."},
    ]
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "feed.csv").write_text(
        'id,title,text,date,outlet\n'
        'c1,Bridge opens,"The new bridge opened on Monday, the city said.\nIt cost 48 million euros.",2024-03-04,Herald\n'
        'c2,Empty,,2024-03-02,Herald\n'
        'c3,Too,many,fields,here,really\n', encoding="utf-8")
    (folder / "story.txt").write_text("A plain story\n\nThe mayor opened the new library on Sunday.\n",
                                      encoding="utf-8")
    return folder


def test_collections_give_one_article_per_row_and_skip_bad_rows_by_line(tmp_path):
    corpus = read_corpus(_rows(tmp_path))
    by_id = {a.id: a for a in corpus.articles}
    assert sorted(by_id) == ["export.jsonl#4", "export.jsonl#a1", "feed.csv#c1", "story.txt"]
    a1 = by_id["export.jsonl#a1"]
    assert (a1.kind, a1.path, a1.title, a1.published, a1.author, a1.outlet, a1.url) == (
        InputKind.JSONL, "export.jsonl", "Strike widens to 25,000 workers", "2023-09-29", "Ann Lee", "Wire",
        "https://wire.example/a1")
    assert dict(a1.extra) == {"section": "business", "words": "412"}
    assert a1.text.startswith("Strike widens to 25,000 workers\n\nBy Ann Lee\n\nThe union said")
    assert by_id["export.jsonl#4"].published == "2024-03-05" and by_id["export.jsonl#4"].outlet == "Local Paper"
    assert "48 million euros" in by_id["feed.csv#c1"].text and by_id["feed.csv#c1"].published == "2024-03-04"
    # each row has its own hash; the rows of one file share the file's
    assert a1.sha256 != by_id["export.jsonl#4"].sha256 and a1.file_sha256 == by_id["export.jsonl#4"].file_sha256
    skipped = {s.path: s.reason for s in corpus.skipped}
    assert skipped["export.jsonl:2"].startswith("line 2: not valid JSON")
    assert skipped["export.jsonl:3"] == "line 3: no 'text' (or 'body', 'content')"
    assert "used by an earlier row" in skipped["export.jsonl:5"]
    assert skipped["feed.csv:4"] == "line 4: 'text' is empty or not text"
    assert skipped["feed.csv:5"] == "line 5: 6 fields, the header has 5"


def test_a_question_set_in_the_corpus_folder_is_skipped_not_read_as_articles(tmp_path):
    folder = _rows(tmp_path)
    (folder / "questions.jsonl").write_text(json.dumps({"question": "Who?", "answers": ["x"]}) + "\n")
    corpus = read_corpus(folder)
    assert not any(a.path == "questions.jsonl" for a in corpus.articles)
    reason = {s.path: s.reason for s in corpus.skipped}["questions.jsonl"]
    assert "no article rows" in reason and "question set" in reason


def test_csv_without_a_text_column_is_skipped(tmp_path):
    sources, bad = read_csv("x.csv", "title,summary\nA,B\n")
    assert sources == [] and "no 'text' (or 'body', 'content') column" in bad[0].reason
    sources, bad = read_jsonl("x.jsonl", '[1, 2]\n{"text": "ok"}\n')
    assert [s.id for s in sources] == ["x.jsonl#2"] and bad[0].line == 1


def test_kinds_and_dates():
    assert [kind_of(n) for n in ("a.TXT", "b.md", "c.htm", "d.html", "e.jsonl", "f.csv", "g.pdf")] == [
        InputKind.TEXT, InputKind.MARKDOWN, InputKind.HTML, InputKind.HTML, InputKind.JSONL, InputKind.CSV, None]
    assert iso_day("2023-04-21T16:12:00Z") == "2023-04-21"
    assert iso_day("21 April 2023") == "2023-04-21"
    assert iso_day("2023-02-30") is None and iso_day("April 2023") is None and iso_day(None) is None


NEWS_FIXTURES = Path(__file__).resolve().parent / "data" / "news"


def _original(article_id: str) -> str:
    """The news set's file name of a fixture article: x.html -> x.txt / x.md, export.jsonl#x -> x.txt / x.md."""
    stem = article_id.split("#", 1)[1] if "#" in article_id else Path(article_id).stem
    return next(p.name for p in (NEWS / "articles").iterdir() if p.stem == stem)


@pytest.mark.slow
@NO_NEWS_SET
def test_news_as_pages_and_a_jsonl_export_answers_as_the_original_files(encoder, tmp_path):
    pages = QA(NEWS_FIXTURES, tmp_path / "pages", encoder=encoder)
    originals = QA(NEWS / "articles", tmp_path / "originals", encoder=encoder)
    assert sorted(_original(r.id) for r in pages.index.articles) == sorted(r.id for r in originals.index.articles)
    assert sorted({r.kind for r in pages.index.articles}) == ["html", "jsonl"]
    rows = [json.loads(line) for line in (NEWS / "questions.jsonl").read_text().splitlines() if line.strip()]
    questions = [r["question"] for r in rows if not r.get("history")]
    got, want = pages.answer_batch(questions), originals.answer_batch(questions)
    same = [(g.found, g.answer, g.sentence, g.source and _original(g.source)) ==
            (w.found, w.answer, w.sentence, w.source) for g, w in zip(got, want)]
    assert len(questions) > 250
    assert sum(same) / len(same) >= 0.95, [(q, g.answer, w.answer) for q, g, w, s in zip(questions, got, want, same)
                                          if not s][:10]


def test_rows_under_the_field_names_scrapers_use(tmp_path):
    """news-please, newspaper3k and CMS exports name the fields otherwise ("maintext", "headline", "authors",
    "date_publish", "source_domain"), or capitalise them."""
    rows = [{"Title": "Port reopens", "Text": "The port reopened on Monday, officials said.", "Author": "Ann Lee"},
            {"headline": "Strike ends", "maintext": "The strike ended on Friday.", "authors": ["Ann Lee", "Bo Chen"],
             "date_publish": "2024-03-05 10:00:00", "source_domain": "wire.example", "link": "https://wire.example/2"},
            {"title": "Flood", "body": "The river rose two metres.", "published_at": "2024-06-05T07:12:45Z",
             "byline": "By Kai Lindgren", "site_name": "Valley Sentinel"}]
    (tmp_path / "export.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    (tmp_path / "feed.csv").write_text("Headline,Content,Publish_Date\nStorm,The storm hit at dawn.,2024-01-02\n",
                                       encoding="utf-8")
    by_id = {a.id: a for a in read_corpus(tmp_path).articles}
    got = {k: (a.title, a.author, a.published, a.outlet, a.url) for k, a in by_id.items()}
    assert got == {
        "export.jsonl#1": ("Port reopens", "Ann Lee", None, None, None),
        "export.jsonl#2": ("Strike ends", "Ann Lee and Bo Chen", "2024-03-05", "wire.example", "https://wire.example/2"),
        "export.jsonl#3": ("Flood", "Kai Lindgren", "2024-06-05", "Valley Sentinel", None),
        "feed.csv#2": ("Storm", None, "2024-01-02", None, None),  # its line number
    }
    assert "The strike ended on Friday." in by_id["export.jsonl#2"].text
    assert "\nBy Kai Lindgren\n" in by_id["export.jsonl#3"].text  # one "By", as written


def test_a_pages_outlet_is_the_name_its_title_masthead_and_copyright_line_give():
    """The end of the <title> that a logo, masthead or dated copyright line names too, or og:site_name; never the
    headline, a person or section the title also names, an image credit or a script's copyright."""
    def page(title: str, body: str = "") -> str:
        return f"<html><head><title>{title}</title></head><body>{body}</body></html>"

    headline = "Flood toll rises to 12 as council waives rates"
    assert page_outlet(page(f"{headline} | Clarence Valley Examiner",
                            '<a class="logo">Clarence Valley Examiner</a>'), headline, None) == "Clarence Valley Examiner"
    # the title's last piece after a section ("World"), confirmed by the copyright line without its company words
    assert page_outlet(page(f"{headline} | World | Global Dispatch", "<p>&copy; 2026 Global Dispatch Ltd.</p>"),
                       headline, None) == "Global Dispatch"
    assert page_outlet(page(f"Harbour Herald - {headline}", "<p>© Harbour Herald Pty Ltd 2026</p>"), headline,
                       None) == "Harbour Herald"
    for line in ("© 2024 by The Daily Planet", "© 2024 the Daily Planet", "© 2024 - The Daily Planet",
                 "© Copyright 2024 The Daily Planet Media", "&#xA9; Copyright The Daily Planet 2024"):
        assert page_outlet(page(f"{headline} | The Daily Planet", f"<footer>{line}</footer>"), headline, None) == (
            "The Daily Planet"), line
    # a "Page not found" is no outlet; an image credit, a script or a year alone confirms nothing
    assert page_outlet(page("Coastal Herald - Page not found", "<p>© 2024 Coastal Herald Media Ltd.</p>"), None,
                       None) == "Coastal Herald"
    assert page_outlet(page(f"{headline} | Valley Post", "<p>Photo © Jane Doe</p><footer>© 2024 Valley Post</footer>"),
                       headline, None) == "Valley Post"
    for body in ("<p>Photo © Valley Post</p>", "<script>var c = '© 2024 Valley Post';</script>",
                 "<footer>© 2024 All rights reserved.</footer>"):
        assert page_outlet(page(f"{headline} | Valley Post", body), headline, None) is None, body
    # a person or a section the title names first is not taken because the story or the menu names it again
    assert page_outlet(page("Biden - Trump debate: what we learned | Valley Post", "<p>Biden said</p>"),
                       "Five takeaways from the debate", None) is None
    assert page_outlet(page(f"Politics - {headline}", '<a class="logo">Valley Post</a><nav><a>Politics</a></nav>'),
                       headline, None) is None
    assert page_outlet(page(f"Japan - {headline}", "<footer>© 2024 AP</footer>"), headline, None) is None
    # a logo that is an image names the site by its alt text; a theme's credit in a comment confirms nothing
    assert page_outlet(page(f"{headline} | Valley Post", '<a class="logo" href="/"><img src="l.png" alt="Valley Post">'
                            '</a>'), headline, None) == "Valley Post"
    assert page_outlet(page(f"{headline} | Valley Post", "<footer>© 2024 Valley Post</footer><!-- Theme © 2019 Acme -->"
                            "<p>Photo © 2024 Getty Images</p>"), headline, None) == "Valley Post"
    for site in ('<meta property="og:site_name" content="The Mail Ledger">',
                 "<meta content='The Mail Ledger' property='og:site_name'>",
                 "<meta property=og:site_name content=\"The Mail Ledger\">"):
        assert page_outlet(f"<html><head>{site}<title>{headline}</title></head></html>", headline, None) == (
            "The Mail Ledger"), site
    # an outlet its own headline names is still the outlet
    assert page_outlet(page("Reuters journalist wins Pulitzer | Reuters", "<footer>© 2024 Reuters</footer>"),
                       "Reuters journalist wins Pulitzer", None) == "Reuters"
    # trafilatura's site name where it took the whole title is the headline, not an outlet
    assert page_outlet(page(f"{headline} | Harbour Herald"), headline, f"{headline} | Harbour Herald") is None
    assert page_outlet(page(headline, "<p>The Copyright Office ruled on Monday.</p>"), headline, "Valley Post") == (
        "Valley Post")
