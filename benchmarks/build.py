"""Index build throughput (sentences + passages per second) against a bare model.encode of the same texts.

Both run in one process with the model already loaded, over the same corpus (default: the first 8 SQuAD
articles written by benchmarks/squad.py; any folder with --corpus). The ratio is build / bare encode.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.squad import DEFAULT_ZIP, make_corpus  # noqa: E402
from qa import index as index_mod  # noqa: E402
from qa.config import Backend, Settings  # noqa: E402
from qa.corpus import read_corpus  # noqa: E402
from qa.encoder import Encoder  # noqa: E402
from qa.passages import embedding_text, make_passages  # noqa: E402
from qa.sentences import split_article  # noqa: E402


def texts_of(corpus, settings: Settings) -> list[str]:
    """What the build encodes: every passage (with its headline) and every sentence."""
    passages, sentences = [], []
    for article in corpus.articles:
        ss = split_article(article)
        for p in make_passages(ss, 0, settings):
            passages.append(embedding_text(p, article.title, ss[p.first].kind, settings))
        sentences.extend(s.text for s in ss)
    return passages + sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--articles", type=int, default=8, help="SQuAD articles to use when --corpus is not given")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        corpus_dir = args.corpus
        if corpus_dir is None:
            full = ROOT / "benchmarks" / "out" / "squad" / "corpus"
            make_corpus(DEFAULT_ZIP, full)
            corpus_dir = Path(tmp) / "corpus"
            corpus_dir.mkdir()
            for path in sorted(full.glob("*.txt"))[: args.articles]:
                shutil.copy2(path, corpus_dir / path.name)
        corpus = read_corpus(corpus_dir)
        build_s = {}
        for backend in Backend:
            encoder = Encoder(settings.model, batch_size=settings.batch_size, backend=backend)
            encoder.encode(["warm up"])
            started = time.perf_counter()
            index_mod.build(read_corpus(corpus_dir), Path(tmp) / f"index-{backend.value}",
                            settings.replace(backend=backend), encoder)
            build_s[backend.value] = time.perf_counter() - started
            if backend is Backend.TORCH:
                texts = texts_of(corpus, settings)
                started = time.perf_counter()
                encoder.model.encode(texts, batch_size=settings.batch_size, normalize_embeddings=True)
                bare_s = time.perf_counter() - started
    n = len(texts)
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {platform.machine()}, {__import__('os').cpu_count()} cores")
    print(f"corpus: {len(corpus.articles)} articles, {n} texts (passages + sentences)")
    for backend, seconds in build_s.items():
        print(f"index build, {backend:<5} (read, split, encode, BM25, FAISS, write): {seconds:.1f} s = {n / seconds:.1f} texts/s")
    print(f"bare PyTorch model.encode of the same texts:                    {bare_s:.1f} s = {n / bare_s:.1f} texts/s")
    print(f"ratio build onnx / build torch throughput: {build_s['torch'] / build_s['onnx']:.2f}x; "
          f"build torch / bare encode: {bare_s / build_s['torch']:.2f}x")


if __name__ == "__main__":
    main()
