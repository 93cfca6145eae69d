"""Corpus loading: boilerplate never becomes a sentence, headlines are found, encodings are handled."""

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa import metadata
from qa.corpus import Article, BlockKind, FileStamp, article_metadata, classify, decode, read_corpus
from qa.errors import QAError
from qa.sentences import split_article

from conftest import SEEDS

BOILERPLATE = [
    "ua en ru", "Category", "Latest news", "Get real time updates directly on you device, subscribe now.",
    "Advertisement", "Leave A Reply", "Leave a Replay", "Your email address will not be published.",
    "This website uses cookies to improve your experience.",
]
HEADLINES = {
    "000_7b99441e01d371a2.txt": "NATO Secretary-General identifies key mission in supporting Ukraine",
    "001_125c12f66963a421.txt": "NATO Chief: Stronger Military Support Strengthens Ukraine’s Position in Future Talks With Russia",
    "002_850d14aa6cab7301.txt": "Stoltenberg: NATO Remains Committed to Supporting Ukraine",
    "003_fb3da561d2b0cf07.txt": "NATO ‘will not back down’ from supporting Ukraine, says alliance chief",
    "004_42e67ac98264cd0f.txt": (
        "Secretary General: NATO to reaffirm long-term support to Ukraine as Foreign Ministers address urgent "
        "security issues"),
}


@pytest.fixture(scope="module")
def seeds():
    return read_corpus(SEEDS)


def test_headlines_detected(seeds):
    assert {a.id: a.title for a in seeds.articles} == HEADLINES
    assert not seeds.skipped


def test_no_boilerplate_sentence(seeds):
    for article in seeds.articles:
        for sentence in split_article(article):
            for junk in BOILERPLATE:
                assert junk.lower() not in sentence.text.lower(), (article.id, sentence.text)
            assert article.text[sentence.start:sentence.end] == sentence.text


def test_bylines_captions_and_subheadings_are_marked(seeds):
    kinds = {(a.id, a.text[b.start:b.end]): b.kind for a in seeds.articles for b in a.blocks}
    assert kinds[("000_7b99441e01d371a2.txt", "Author: Liliana Oleniak")] is BlockKind.BYLINE
    assert kinds[("000_7b99441e01d371a2.txt", "Ukraine-NATO Council")] is BlockKind.HEADING
    caption = "NATO Secretary General Jens Stoltenberg. (Photo by JOHN THYS/AFP via Getty Images)"
    assert kinds[("003_fb3da561d2b0cf07.txt", caption)] is BlockKind.CAPTION
    # the teaser link to another story above the headline is dropped
    assert not any("wind, rain and cold" in text for (_, text) in kinds)


def test_repeated_site_furniture_is_dropped(tmp_path):
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text(
            f"Story number {i} title\n\nThe minister said {i} things happened today.\n\nMost Viewed Stories Now\n",
            encoding="utf-8")
    corpus = read_corpus(tmp_path)
    texts = [a.text[b.start:b.end] for a in corpus.articles for b in a.blocks]
    assert not any("Most Viewed" in t for t in texts)
    assert sum("minister said" in t for t in texts) == 4


def test_markdown_headline_and_list_markers(tmp_path):
    (tmp_path / "a.md").write_text("# Big news today\n\n- The first point is made here.\n", encoding="utf-8")
    (article,) = read_corpus(tmp_path).articles
    assert article.title == "Big news today"
    assert [article.text[b.start:b.end] for b in article.blocks] == ["Big news today", "The first point is made here."]


def test_encodings(tmp_path):
    text = "Café talks in Türkiye\n\nThe ministers met in the café on Monday."
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "latin1.txt").write_bytes(text.encode("latin-1"))
    (tmp_path / "bom.txt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (tmp_path / "crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    corpus = read_corpus(tmp_path)
    assert not corpus.skipped
    for article in corpus.articles:
        assert article.title == "Café talks in Türkiye"
        body = [article.text[b.start:b.end] for b in article.blocks if b.kind is BlockKind.BODY]
        assert body == ["The ministers met in the café on Monday."]


def test_one_stray_byte_does_not_turn_a_utf8_article_into_windows_1252():
    raw = "Talks in Zürich\n\nThe ministers met in Zürich and Genève on Monday.".encode("utf-8")
    raw = raw.replace(b"ministers", b"minister\x92s")  # one Windows-1252 apostrophe pasted in
    text, encoding = decode(raw, "stray.txt")
    assert encoding == "utf-8"
    assert text == "Talks in Zürich\n\nThe minister\ufffds met in Zürich and Genève on Monday."
    latin = "Café talks in Türkiye, the café’s owner said.".encode("cp1252")
    assert decode(latin, "latin.txt") == ("Café talks in Türkiye, the café’s owner said.", "cp1252")


def test_binary_and_empty_files_are_skipped_with_reason(tmp_path):
    (tmp_path / "good.txt").write_text("Headline here\n\nA real sentence about the talks.", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    corpus = read_corpus(tmp_path)
    assert [a.id for a in corpus.articles] == ["good.txt"]
    assert {s.path: s.reason for s in corpus.skipped} == {
        "binary.txt": "binary data, not a text article", "empty.txt": "empty file"}


def test_decode_refuses_binary_naming_the_file():
    with pytest.raises(QAError, match="x.txt: binary"):
        decode(b"\x00\x01\x02\xff" * 20, "x.txt")


def test_missing_folder(tmp_path):
    with pytest.raises(QAError, match="corpus folder not found"):
        read_corpus(tmp_path / "nope")


# --- article structure: page furniture, bylines, dates ----------------------------------------------------

def _body(blocks) -> list[str]:
    """The body lines among `_parse`'s blocks."""
    return [t for t, kind in blocks if kind is BlockKind.BODY]


def _folder(tmp_path, name: str):
    (tmp_path / name).mkdir()
    return tmp_path / name


def _parse(tmp_path, text: str, name: str = "a.md"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    (article,) = read_corpus(tmp_path).articles
    return article, [(article.text[b.start:b.end], b.kind) for b in article.blocks]


MARKDOWN = """[Home](/) › [World](/world) › [Europe](/world/europe)

# Rivers flood three towns after record rain

*By **Maria Lopez**, Economics Correspondent · 5 February 2024 · 5 min read*

> **Get the Morning Brief newsletter** — the day's news, straight to your inbox. [Sign up](/newsletter)

![A flooded street in Tarnow](/images/flood.jpg)
*A flooded street in the old town. (Photo: Jan Kowal/Reuters)*

Rivers burst their banks in three towns on Sunday, forcing 2,000 people from their homes.

## What the mayor said

The mayor said the water had peaked. [Read more: Why floods are getting worse](/explained/floods)

- **Evacuated:** 2,000 people
- **Schools closed:** 14

[Firefighters worked through the night to rescue stranded residents.](/gallery/rescue)

---

**Tags:** [Floods](/tags/floods) · [Poland](/tags/poland) · [Weather](/tags/weather)

### 2 comments

**reader_1** · 5 Feb 2024, 09:12
The rain never stopped here.

---

*Maria Lopez covers economics and the environment.*
"""


def test_markdown_structure(tmp_path):
    article, blocks = _parse(tmp_path, MARKDOWN)
    assert article.title == "Rivers flood three towns after record rain"
    assert blocks == [
        ("Rivers flood three towns after record rain", BlockKind.HEADLINE),
        ("By **Maria Lopez**, Economics Correspondent · 5 February 2024 · 5 min read", BlockKind.BYLINE),
        ("A flooded street in the old town. (Photo: Jan Kowal/Reuters)", BlockKind.CAPTION),
        ("Rivers burst their banks in three towns on Sunday, forcing 2,000 people from their homes.", BlockKind.BODY),
        ("What the mayor said", BlockKind.HEADING),
        ("The mayor said the water had peaked. [Read more: Why floods are getting worse](/explained/floods)",
         BlockKind.BODY),
        ("**Evacuated:** 2,000 people", BlockKind.BODY),
        ("**Schools closed:** 14", BlockKind.BODY),
        ("Firefighters worked through the night to rescue stranded residents.", BlockKind.BODY),
        ("Maria Lopez covers economics and the environment.", BlockKind.BODY),
    ]
    assert (article.author, article.published) == ("Maria Lopez", "2024-02-05")
    for sentence in split_article(article):
        assert "![" not in sentence.text and "Tags" not in sentence.text and "reader_1" not in sentence.text


PLAIN = """Home | News | World | Business | Sport | Weather
Skip to content
WORLD NEWS

Central bank raises rates to 4% as inflation bites

Central bank raises rates to 4% as inflation bites

By Daniel Whitford and Priya Raman
Updated 23:41 GMT, January 6, 2024
3 min read
Share this article

FRANKFURT, Jan 6 (Reuters) - The central bank raised its main rate to 4% on Thursday, its tenth rise in a row.

Policymakers voted 19 to 6 for the increase.

KEY FIGURES
- Deposit rate: 4%
- Inflation in December: 6.1%

Kingmakers

Two members who had backed a pause changed their minds.

Governors said they expected rates to stay high. (Reporting by Daniel Whitford in Frankfurt; Editing by Chris Loughran)

More on this story
- Why inflation is falling slowly
- Markets rally after the decision

Comments (12)
Sort by: Newest
mike_b · 2h ago
Finally some action.
Reply · Like (3)

Tags: Economy, Interest rates, Europe
"""


def test_page_furniture_in_plain_text(tmp_path):
    article, blocks = _parse(tmp_path, PLAIN, "b.txt")
    assert blocks == [
        ("Central bank raises rates to 4% as inflation bites", BlockKind.HEADLINE),
        ("By Daniel Whitford and Priya Raman", BlockKind.BYLINE),
        ("Updated 23:41 GMT, January 6, 2024", BlockKind.DATE),
        ("FRANKFURT, Jan 6 (Reuters) - The central bank raised its main rate to 4% on Thursday, its tenth rise in "
         "a row.", BlockKind.BODY),
        ("Policymakers voted 19 to 6 for the increase.", BlockKind.BODY),
        ("KEY FIGURES", BlockKind.HEADING),
        ("Deposit rate: 4%", BlockKind.BODY),
        ("Inflation in December: 6.1%", BlockKind.BODY),
        ("Kingmakers", BlockKind.HEADING),
        ("Two members who had backed a pause changed their minds.", BlockKind.BODY),
        ("Governors said they expected rates to stay high. (Reporting by Daniel Whitford in Frankfurt; Editing by "
         "Chris Loughran)", BlockKind.BODY),
    ]
    assert (article.author, article.published) == ("Daniel Whitford and Priya Raman", "2024-01-06")
    assert article.dateline is not None and article.dateline.place == "FRANKFURT" and article.dateline.date is None
    assert article.text[article.dateline.start:article.dateline.end] == "FRANKFURT, Jan 6 (Reuters) - "
    # the dateline stays inside the first sentence
    assert split_article(article)[3].text.startswith("FRANKFURT, Jan 6 (Reuters) - The central bank")


def test_an_editors_note_is_a_note_not_a_body_line(tmp_path):
    text = ("Sudan toll rises to 413\n\nKHARTOUM, April 21 (Reuters) - At least 413 people have been killed.\n\n"
            "Editor's note: This story has been updated with the latest casualty figures from the WHO.\n\n"
            "Correction: An earlier version misspelt the envoy's name.\n\n"
            "The update came on Friday.\n")
    _, blocks = _parse(tmp_path, text, "n.txt")
    kinds = dict(blocks)
    assert kinds["Editor's note: This story has been updated with the latest casualty figures from the WHO."] \
        is BlockKind.NOTE
    assert kinds["Correction: An earlier version misspelt the envoy's name."] is BlockKind.NOTE
    assert kinds["The update came on Friday."] is BlockKind.BODY


def test_dates_never_invent_a_year(tmp_path):
    article, _ = _parse(tmp_path, "Storm closes port\n\nUpdated 14:05 GMT\n\nKHARTOUM, April 17 (Reuters) - The port "
                                  "was closed on Monday.\n", "c.txt")
    assert article.published is None and article.dateline.date is None and article.dateline.place == "KHARTOUM"
    assert article.published_day == article.dateline.day == "04-17"  # the day as written, for ordering only
    article, _ = _parse(tmp_path, "Storm closes port\n\nTOKYO, March 19, 2024 — The port was closed on Tuesday.\n",
                        "c.txt")
    assert article.published == "2024-03-19" and article.author is None and article.published_day is None
    article, _ = _parse(tmp_path, "Storm\n\nApril 17, 2023 8:47 PM GMT\n\nKHARTOUM, April 17 (Reuters) - Shut.\n",
                        "c.txt")
    assert article.published == "2023-04-17" and article.published_day is None
    article, _ = _parse(tmp_path, "Storm\n\nKHARTOUM, Feb. 30 (Reuters) - Shut on Monday.\n", "c.txt")
    assert article.published_day is None  # no such day


def test_published_prefers_the_publication_date_to_the_update(tmp_path):
    article, blocks = _parse(tmp_path, "Drug slows decline in trial\n\nBy Rachel Whitford, Health Reporter\n"
                                       "Published Nov. 30, 2022 | Updated Dec. 1, 2022\n\nThe drug slowed decline by 27%.\n",
                             "d.txt")
    assert blocks[2] == ("Published Nov. 30, 2022 | Updated Dec. 1, 2022", BlockKind.DATE)
    assert (article.author, article.published) == ("Rachel Whitford", "2022-11-30")


def test_byline_without_by_and_credit_line(tmp_path):
    article, blocks = _parse(tmp_path, "Court blocks deportation plan\n\nAnna Whitfield, Legal affairs editor\n"
                                       "Wed 15 Nov 2023 13.42 GMT\n\nThe court ruled on Wednesday.\n", "e.txt")
    assert blocks[1:3] == [("Anna Whitfield, Legal affairs editor", BlockKind.BYLINE),
                           ("Wed 15 Nov 2023 13.42 GMT", BlockKind.DATE)]
    assert (article.author, article.published) == ("Anna Whitfield", "2023-11-15")
    article, blocks = _parse(tmp_path, "Quake toll rises\n\nThe toll rose on Monday.\n\n(Reporting by Selin Kaya in "
                                       "Ankara and Omar Haddad in Beirut; Editing by Mark Hollis)\n", "e.txt")
    assert blocks[-1][1] is BlockKind.BYLINE and article.author == "Selin Kaya and Omar Haddad"


@pytest.mark.parametrize("byline, names", [
    ("By Maria Lopez, Economics Correspondent", "Maria Lopez"),
    ("by Kelsey Brandt, KPNW 8 News", "Kelsey Brandt"),
    ("By Daniel Whitford and Priya Raman", "Daniel Whitford and Priya Raman"),
    ("By Elif Demir in Gaziantep and Hannah Cole, Middle East Correspondent", "Elif Demir and Hannah Cole"),
    ("By Tom Brennan, Chief Football Writer, at Lusail Stadium", "Tom Brennan"),
    ("Written by Ritika Sharma", "Ritika Sharma"),
    ("By **Arjun Menon**, Diplomatic Editor", "Arjun Menon"),
    ("By Samia Osman, Daniel Frost and Lucie Martin", "Samia Osman, Daniel Frost and Lucie Martin"),
    ("Author: Liliana Oleniak", "Liliana Oleniak"),
    ("By Reuters staff", None),
    ("By Şebnem Arsu and Łukasz Wróbel", "Şebnem Arsu and Łukasz Wróbel"),
    ("By Ana de la Cruz and Maria dos Santos", "Ana de la Cruz and Maria dos Santos"),
    ("Interview by Hana Kurosawa, Books Editor", "Hana Kurosawa"),
    ("Story by Ann Reid", "Ann Reid"),
    ("Court reporter Jamie McKinnell", "Jamie McKinnell"),
    ("Senior Political Correspondent Ann Lee", "Ann Lee"),
    ("Author Liliana Oleniak", "Liliana Oleniak"),
    ("Edited by Tom Hale", None),  # an editor is no author
    ("Byron Smith", "Byron Smith"),  # a name that opens with "By" keeps it
])
def test_author_names_from_bylines(byline, names):
    assert metadata.authors(byline) == names


@pytest.mark.parametrize("byline, shown", [
    ("By Maria Lopez, Economics Correspondent", "Maria Lopez"),
    ("By Elif Demir in Gaziantep and Hannah Cole, Middle East Correspondent", "Elif Demir in Gaziantep and Hannah Cole"),
    ("By **Arjun Menon**, Diplomatic Editor", "Arjun Menon"),
    ("By Samia Osman, Daniel Frost and Lucie Martin", "Samia Osman, Daniel Frost and Lucie Martin"),
    ("By Maria Lopez Garcia and Maria Lopez", "Maria Lopez Garcia and Maria Lopez"),
    ("By Reuters staff", None),
])
def test_where_a_bylines_names_stand(byline, shown):
    span = metadata.author_span(byline)
    assert (byline[span[0]:span[1]] if span else None) == shown


@pytest.mark.parametrize("line, iso", [
    ("15 November 2023", "2023-11-15"), ("Wed 15 Nov 2023 13.42 GMT", "2023-11-15"),
    ("September 15, 2023, 6:42 a.m. ET", "2023-09-15"), ("Posted: Jan 6, 2024 / 09:12 AM PST", "2024-01-06"),
    ("Updated 14:05 GMT", None), ("April 17", None), ("31 February 2024", None),
    ("Last updated: 16/09/2024 - 14:21 CET", "2024-09-16"), ("Published 09/16/2024", "2024-09-16"),
    ("16.09.2024, 14:21", "2024-09-16"), ("03/12/2024", None),  # day first or month first: not guessed
    ("Last Updated: Jun 05, 2024, 07:12:45 IST", "2024-06-05"),
])
def test_iso_dates(line, iso):
    assert metadata.iso_date(line) == iso


def test_headline_is_not_a_section_label_or_teaser(tmp_path):
    article, blocks = _parse(tmp_path, "HealthWatch Daily\nEntertainment & Arts\n\nSweden's Loreen wins Eurovision for "
                                       "a second time\n\nLoreen won the contest in Liverpool.\n", "f.txt")
    assert article.title == "Sweden's Loreen wins Eurovision for a second time"
    assert blocks[0][1] is BlockKind.HEADLINE and len(blocks) == 2


def test_headline_that_asks_and_a_masthead_above_the_headline(tmp_path):
    """A one-line question above the story is its headline, not its first paragraph; the paper's name above the
    headline is not it."""
    article, blocks = _parse(tmp_path, "Is the four-day week here to stay?\n\nBy Jane Smith, Work Correspondent\n\n"
                                       "Dozens of firms that tried a four-day week have kept it.\n", "q.txt")
    assert article.title == "Is the four-day week here to stay?" and article.author == "Jane Smith"
    assert [kind for _, kind in blocks] == [BlockKind.HEADLINE, BlockKind.BYLINE, BlockKind.BODY]
    # a story that opens with questions of its own keeps them: two questions in a line, or no statement below
    article, blocks = _parse(_folder(tmp_path, "b"), "Why now? Why here?\n\nThe council voted on Tuesday.\n", "q2.txt")
    assert article.title != "Why now? Why here?" and _body(blocks)[0] == "Why now? Why here?"
    article, _ = _parse(_folder(tmp_path, "c"), "The Valley Sentinel Daily\n\nCouncil approves new bridge over the "
                                                 "Ouse after a long debate\n\nBy Jane Smith\n\nThe council approved "
                                                 "a new bridge on Tuesday.\n", "m.txt")
    assert article.title == "Council approves new bridge over the Ouse after a long debate"
    article, _ = _parse(_folder(tmp_path, "d"), "The Valley Sentinel Daily\n\nThe council approved a new bridge on "
                                                 "Tuesday.\n", "n.txt")
    assert article.title == "The Valley Sentinel Daily"  # the only headline-shaped line


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "# ", "## ", "- ", "* ", "> ", "**", "*", "_", "![", "[", "](", ")", "]", "---", "·", " | ", " › ", "By ", "Tags: ",
    "Updated 14:05 GMT", "5 min read", "KHARTOUM, April 17 (Reuters) - ", "Maria Lopez", ", Economics Correspondent",
    "Comments (3)", "More on this story", "The talks went on. ", "Mr. ", "15 November 2023", "\n", "\n\n", " ", "x"]),
    max_size=40))
def test_fuzz_markdown_structure_keeps_offsets(pieces):
    text = "".join(pieces)
    title, blocks = classify(text)
    article = Article("a.md", text, title or "a", blocks, "", "utf-8", FileStamp(0, 0),
                      *article_metadata(text, blocks))
    for sentence in split_article(article):
        assert 0 <= sentence.start < sentence.end <= len(text) and text[sentence.start:sentence.end] == sentence.text
    assert article.published is None or len(article.published) == 10


def test_news_sentences_that_open_like_furniture_are_kept(tmp_path):
    """"Share", "Search", "Home", "Related", "By", "Author" open menus, prompts and bylines, and news sentences too."""
    news = ["Share prices in Tesla fell after Musk posted on X.", "Search teams recovered two more bodies on Sunday.",
            "Home prices rose 6.1% last year, the board said.", "Related charges were dropped in March.",
            "By Tuesday, 3,000 people had left.", "By contrast, exports rose 4.1% in March.",
            "By Christmas Day, 40 people had died.", "Author Salman Rushdie spoke at the event.",
            "Home Secretary James Cleverly will visit Kigali next week to sign the treaty.",
            "Trending lower, the rupee hit a record low of 84.5 against the dollar.",
            "Most users accept all cookies without reading the banner.",
            "Register of Deeds Amy Cole resigned on Monday.",
            "Police asked anyone with information to contact them at tips@police.gov."]
    furniture = ["Share this article on Facebook", "Follow us on X for the latest updates.", "Search",
                 "Related: Who is Shawn Fain, the firebrand leader taking on Detroit?",
                 "Register for unlimited access to every story.", "Sign up for our newsletter to stay informed.",
                 "This website uses cookies that are needed for the site to work.",
                 "Share this story with friends who need to know what happened.",
                 "Follow us on X, where we posted updates all night.", "Read more: Police named the victim on Tuesday.",
                 "Most read: Ferry capsized off Hatteras.", "Reach her at ann@example.com."]
    text = "Port reopens after storm\n\nBy Ann Reid, Staff Writer\n\n" + "\n\n".join(news + furniture) + "\n"
    article, blocks = _parse(tmp_path, text, "s.txt")
    assert _body(blocks) == news
    assert not {t for t, _ in blocks} & set(furniture)
    assert article.author == "Ann Reid"
    for headline in ("Home Office to appeal ruling on Rwanda flights", "EU agrees to ban third-party tracking cookies",
                     "Share of TikTok users who get news there doubles"):
        article, _ = _parse(tmp_path, f"{headline}\n\nThe ruling came on Monday.\n", "s.txt")
        assert article.title == headline


def test_a_comment_count_near_the_top_hides_nothing(tmp_path):
    text = ("Comment\n\nFerry fiasco is a lesson in how not to buy a ship\n\nBy Ann Reid\n\n12 Comments\n\n"
            "The ferry finally sailed this year.\n\nIts cost tells a story.\n\nThe yard was nationalised in 2019.\n\n"
            "Comments (12)\n\nGreat piece, Ann.\n\nI disagree with all of it.\n")
    article, blocks = _parse(tmp_path, text, "c.txt")
    assert _body(blocks) == [
        "The ferry finally sailed this year.", "Its cost tells a story.", "The yard was nationalised in 2019."]
    assert article.title == "Ferry fiasco is a lesson in how not to buy a ship" and article.author == "Ann Reid"
    # below a one-paragraph story, "Comments" opens the comments
    _, blocks = _parse(tmp_path, "Council backs harbour plan\n\nBy Ann Reid\n\nThe council voted 6-3 for the plan.\n\n"
                                 "Comments\n\nThis is a waste of money.\n\nJohn says: I agree with the mayor.\n", "c.txt")
    assert _body(blocks) == ["The council voted 6-3 for the plan."]


def test_the_date_under_a_standfirst_is_the_articles(tmp_path):
    article, _ = _parse(tmp_path, "Council passes budget\n\nThe plan passed after seven hours of debate.\n\n"
                                  "By Ann Reid\n\nMarch 3, 2024\n\nThe council voted 7-2 on Monday night.\n", "d.txt")
    assert (article.author, article.published) == ("Ann Reid", "2024-03-03")
    # a dateline paragraph followed by an update line starts the story all the same
    article, _ = _parse(tmp_path, "Quake toll passes 35,000\n\nANTAKYA, Turkey, Feb 13 (Reuters) - The toll rose.\n\n"
                                  "Updated Feb 13, 2023 18:40 GMT\n\nRescuers kept digging.\n", "d.txt")
    assert article.dateline is not None and article.dateline.place == "ANTAKYA" and article.published is None
    # under a byline, a date between paragraphs is the story's timeline, not its publication date
    article, _ = _parse(tmp_path, "Council passes budget\n\nBy Ann Reid\n\nThe plan has a long history.\n\n"
                                  "March 3, 2019\n\nThe first vote failed.\n", "d.txt")
    assert (article.author, article.published) == ("Ann Reid", None)


def test_a_staff_reporters_byline_on_several_stories_is_not_furniture(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Story {i} of the flood\n\nBy Kai Lindgren\n\nThe river rose {i + 2} feet "
                                           f"on day {i}, officials said.\n", encoding="utf-8")
    assert [a.author for a in read_corpus(tmp_path).articles] == ["Kai Lindgren"] * 3


def test_notes_credits_and_photo_credits_are_not_news(tmp_path):
    lines = {
        "Correction, Sept. 16: An earlier version misstated the number of flats.": BlockKind.NOTE,
        "This article was amended on 8 March 2024 to correct a name.": BlockKind.NOTE,
        "This interview has been edited and condensed for clarity.": BlockKind.NOTE,
        "Associated Press writer Jane Doe in Raleigh contributed to this report.": BlockKind.BYLINE,
        "Reporting by Ann Reid in Belém; Editing by Tom Lee": BlockKind.BYLINE,
        "Residents wade through floodwater in Nysa on Sunday. Photograph: Kacper Pempel/Reuters": BlockKind.CAPTION,
        "Firefighters evacuate residents by boat on Monday. REUTERS/Lisa Leutner": BlockKind.CAPTION,
        "A rider waits for a bus on Tuesday.Credit...Maansi Srivastava for The Times": BlockKind.CAPTION,
        ("FILE - Coast Guard crews search the water off Bald Head Island, N.C., on Wednesday, Sept. 11, 2024, after "
         "the ferry capsized in rough seas. The search went on for three days and nights, officials said at a "
         "briefing in Wilmington. (AP Photo/Chris Seward, File)"): BlockKind.CAPTION,
        # news that shares their words
        "The photo credit was wrong, the paper said.": BlockKind.BODY,
        "Credit card debt rose 4% in March, the Fed said.": BlockKind.BODY,
        "Updated figures show 41 people died.": BlockKind.BODY,
        "Emergency notifications were sent to every device in the county.": BlockKind.BODY,
        "The regulator fined Meta over cookie consent banners on its website.": BlockKind.BODY,
        "Netflix said its subscription tier now has 40 million users.": BlockKind.BODY,
        "Update, 3:15 p.m.: Police confirmed four people died.": BlockKind.BODY,
        "This report was updated in 2023 with new data, the agency said.": BlockKind.BODY,
        "More than 200 scientists from 60 countries contributed to this report.": BlockKind.BODY,
        "Only 38% approve of the plan, an AP/NORC poll found.": BlockKind.BODY,
    }
    prompts = ["Sign up for our newsletter to get the latest news delivered to your inbox.",
               "By using this site you have accepted our use of cookies.",
               "Subscribe for just $1 a week, free for 30 days, cancel now."]
    text = "Flood waters rise across the region\n\n" + "\n\n".join([*lines, *prompts]) + "\n\nThe river fell on Tuesday.\n"
    _, blocks = _parse(tmp_path, text, "n.txt")
    kinds = dict(blocks)
    assert {line: kinds.get(line) for line in lines} == lines
    assert not set(prompts) & set(kinds)


@pytest.mark.parametrize("header, published", [
    ("By Ann Reid\nLast updated: 16/09/2024 - 14:21 CET", "2024-09-16"),
    ("By Ann Reid\nLast Updated: Jun 05, 2024, 07:12:45 IST", "2024-06-05"),
    ("By Ann Reid\nPublished 12 October 2024 · ⏱ 6 min read", "2024-10-12"),
    ("By Ann Reid\nPublished 12 October 2024 · Reading time: 6 minutes", "2024-10-12"),
])
def test_date_lines_with_figures_seconds_and_icons(tmp_path, header, published):
    article, blocks = _parse(tmp_path, f"Council approves harbour plan\n\n{header}\n\nThe council voted 6-3.\n", "h.txt")
    assert (article.author, article.published) == ("Ann Reid", published)
    assert [kind for _, kind in blocks] == [BlockKind.HEADLINE, BlockKind.BYLINE, BlockKind.DATE, BlockKind.BODY]


def test_a_kicker_above_the_headline_and_an_outlet_beside_the_date(tmp_path):
    article, _ = _parse(tmp_path, "Trending\n\nCouncil approves harbour plan\n\nBy Ann Reid\n"
                                  "The Great Lakes Courier | September 15, 2023, 6:42 a.m. ET\n\nThe council voted 6-3.\n",
                        "k.txt")
    assert (article.title, article.author, article.published) == (
        "Council approves harbour plan", "Ann Reid", "2023-09-15")
    assert article.outlet == "The Great Lakes Courier"
    # a place or a section is no outlet
    assert [metadata.outlet([f"{name} | June 5, 2024"]) for name in ("New Delhi", "The Hague", "Breaking News")] == [
        None, None, None]


def test_a_tables_rows_are_kept(tmp_path):
    """A results table (markdown, or a page's table as trafilatura writes it) holds facts; a nav bar does not."""
    text = ("| Home | News | Sport | World |\n\n# Ruiz wins county race\n\nThe clerk announced the results on Tuesday."
            "\n\n| Candidate | Votes | Share |\n"
            "|---|:---:|---|\n| Ana Ruiz | 61,402 | 51.5% |\n| Tom Lee | 57,800 | 48.5% |\n\n"
            "[Home](/) | [News](/news) | [Sport](/sport)\n\n| © 2024 Gulf Coast Herald | Privacy | Terms |\n\n"
            "Ruiz takes office in January.\n")
    article, blocks = _parse(tmp_path, text, "t.md")
    assert article.title == "Ruiz wins county race"
    assert blocks[1:] == [("The clerk announced the results on Tuesday.", BlockKind.BODY),
                          ("Candidate | Votes | Share", BlockKind.HEADING),
                          ("Ana Ruiz | 61,402 | 51.5%", BlockKind.BODY), ("Tom Lee | 57,800 | 48.5%", BlockKind.BODY),
                          ("Ruiz takes office in January.", BlockKind.BODY)]


def test_the_end_of_a_story_its_bio_licence_and_links_are_not_news(tmp_path):
    text = ("Ferry capsizes off Hatteras\n\nBy Jaime Ocampo-Reyes and Staff Writer\n\nThe ferry capsized on Monday.\n\n"
            "Three people are missing, the Coast Guard said.\n\nAlso read: Storm closes the inlet\n\n"
            "The book may not be published until 2026, its editor said.\n\n"
            "This material may not be published, broadcast, rewritten or redistributed.\n\n"
            "Follow us on Google News for the latest updates.\n\nWrite to the author at jaime@example.com.\n\n"
            "About the author\n\n"
            "Jaime Ocampo-Reyes covers the coast for the Sentinel.\n\nReach him at jaime@example.com.\n")
    article, blocks = _parse(tmp_path, text, "e.txt")
    assert _body(blocks) == [
        "The ferry capsized on Monday.", "Three people are missing, the Coast Guard said.",
        "The book may not be published until 2026, its editor said."]
    assert article.author == "Jaime Ocampo-Reyes"  # the role is not a second author


def test_more_house_styles(tmp_path):
    text = ("Flood hits the city\n\nJane Smith | The Buenos Aires Times | August 3, 2024\n\n"
            "Posted at 5:42 PM, Nov 16, 2022 and last updated 11:05 PM, Nov 16, 2022\n\n"
            "The river rose on Monday.\n\nAttendance: 18,402\n\nDeath toll: 14\n\n"
            "This article is for subscribers only.\n\nTo continue reading, subscribe for just $1 a week.\n\n"
            "Download our app for the latest weather alerts.\n\nDisclaimer: The views above are the writer's own.\n\n"
            "Originally published in Spanish in Perfil. Translated by Patrick Boyle.\n\nEnditem\n")
    article, blocks = _parse(tmp_path, text, "m.txt")
    kinds = dict(blocks)
    assert (article.author, article.published) == ("Jane Smith", "2024-08-03")
    assert kinds["Jane Smith | The Buenos Aires Times | August 3, 2024"] is BlockKind.BYLINE
    assert kinds["Posted at 5:42 PM, Nov 16, 2022 and last updated 11:05 PM, Nov 16, 2022"] is BlockKind.DATE
    assert _body(blocks) == [
        "The river rose on Monday.", "Attendance: 18,402", "Death toll: 14"]
    assert kinds["Originally published in Spanish in Perfil. Translated by Patrick Boyle."] is BlockKind.NOTE


def test_a_running_storys_background_repeated_in_its_updates_is_kept(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(
            f"Sudan toll rises to {100 + i}\n\nThe toll rose to {100 + i} on day {i}.\n\n"
            "The fighting began on April 15 between the army and the RSF.\n\nMost Viewed Stories Now\n",
            encoding="utf-8")
    texts = [[a.text[b.start:b.end] for b in a.blocks] for a in read_corpus(tmp_path).articles]
    assert all("The fighting began on April 15 between the army and the RSF." in t for t in texts)
    assert not any("Most Viewed Stories Now" in t for t in texts)


def test_a_briefings_bullets_that_report_and_a_whos_who_are_news(tmp_path):
    text = ("Morning briefing\n\nBy Ann Reid\n\nThe markets opened higher today, traders said.\n\nTop stories\n\n"
            "- The Fed held rates at 5.25% on Wednesday.\n- [Ferry capsizes](/x)\n- Markets rally\n\nWho is who\n\n"
            "- Karine Jean-Pierre, White House press secretary\n\nThe briefing ended at noon.\n")
    article, blocks = _parse(tmp_path, text, "b.md")
    assert _body(blocks) == [
        "The markets opened higher today, traders said.", "The Fed held rates at 5.25% on Wednesday.",
        "Karine Jean-Pierre, White House press secretary", "The briefing ended at noon."]
    assert article.author == "Ann Reid"


def test_a_byline_that_gives_the_role_first(tmp_path):
    article, blocks = _parse(tmp_path, "Court jails former mayor\n\nCourt reporter Jamie McKinnell\n\n"
                                       "The former mayor was jailed for six years.\n", "r.txt")
    assert blocks[1] == ("Court reporter Jamie McKinnell", BlockKind.BYLINE) and article.author == "Jamie McKinnell"
    assert metadata.dateline("Apple (AAPL) - shares rose.", 0) is None  # a ticker is no agency


def test_wire_copy_under_a_standfirst_keeps_its_dateline(tmp_path):
    article, _ = _parse(tmp_path, "Avalanche hits ski resort\n\nRescuers dug through the night for survivors.\n\n"
                                  "INNSBRUCK, Austria, Feb 3 (Reuters) – An avalanche buried a ski lift.\n\n"
                                  "Three people died.\n", "w.txt")
    assert (article.dateline.place, article.dateline.day, article.outlet) == ("INNSBRUCK", "02-03", "Reuters")
    assert split_article(article)[2].text == "INNSBRUCK, Austria, Feb 3 (Reuters) – An avalanche buried a ski lift."
