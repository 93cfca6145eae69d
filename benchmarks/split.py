"""Sentence splitting time on one-line (one-paragraph) articles of 0.5 MB and 5 MB, and their ratio.

Splitting is linear when the ratio of the times is about 10 (the text is 10 times longer). The article is
the seed articles' body lines joined into one line and repeated; a third case is a short article around one
8,000-character URL. With --index, a 400 KB one-line article is also indexed end to end and the time is set
against encoding the same sentences and passages alone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.corpus import BlockKind, read_corpus  # noqa: E402
from qa.sentences import split_spans  # noqa: E402


def one_line_article(size: int) -> str:
    """About `size` characters of real news sentences as one paragraph."""
    corpus = read_corpus(ROOT / "seeds")
    body = " ".join(a.text[b.start:b.end] for a in corpus.articles for b in a.blocks if b.kind is BlockKind.BODY)
    return (body + " ") * (size // (len(body) + 1)) + body[: size % (len(body) + 1)]


def url_article() -> str:
    """A 9 KB article around one 8,000-character URL, full stops after it."""
    url = "https://example.com/" + "-".join(f"story{i}.v2_id" for i in range(800))[:7980]
    return f"The report is online at {url} for everyone. " + "The minister said so. He left. " * 30


def timed(text: str) -> tuple[float, int]:
    started = time.perf_counter()
    n = len(split_spans(text))
    return time.perf_counter() - started, n


def index_one_line(size: int) -> None:
    """Index a one-line article end to end, against encoding its sentences and passages alone."""
    from qa.config import Settings
    from qa.encoder import Encoder
    from qa.engine import QA
    from qa.passages import embedding_text, make_passages
    from qa.sentences import split_article

    settings = Settings()
    encoder = Encoder(settings.model, batch_size=settings.batch_size)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        (folder / "long.txt").write_text("A long article\n\n" + one_line_article(size) + "\n", encoding="utf-8")
        started = time.perf_counter()
        QA(folder, Path(tmp) / "index", settings, encoder=encoder).build()
        build = time.perf_counter() - started
        article = read_corpus(folder).articles[0]
        sentences = split_article(article)
        passages = make_passages(sentences, 0, settings)
        texts = [embedding_text(p, article.title, sentences[p.first].kind, settings) for p in passages]
        started = time.perf_counter()
        encoder.encode(texts + [s.text for s in sentences])
        encode = time.perf_counter() - started
    print(f"index {size / 1e3:.0f} KB one-line article: {build:.1f} s end to end, {encode:.1f} s encoding alone "
          f"(ratio {build / encode:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", action="store_true", help="also index a 400 KB one-line article")
    args = parser.parse_args()
    small, large = one_line_article(500_000), one_line_article(5_000_000)
    t_small, n_small = timed(small)
    t_large, n_large = timed(large)
    print(f"split 0.5 MB one-line article: {t_small:.3f} s ({n_small} sentences)")
    print(f"split 5 MB one-line article:   {t_large:.3f} s ({n_large} sentences)")
    print(f"ratio 10x / 1x: {t_large / t_small:.1f} (10 is linear, 100 quadratic)")
    t_url, n_url = timed(url_article())
    print(f"split 9 KB article with an 8,000-character URL: {t_url:.4f} s ({n_url} sentences)")
    if args.index:
        index_one_line(400_000)


if __name__ == "__main__":
    main()
