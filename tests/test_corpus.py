"""Corpus loading: boilerplate never becomes a sentence, headlines are found, encodings are handled."""

import codecs

import pytest

from qa.corpus import BlockKind, decode, read_corpus
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
