"""What sparing the cross-encoder costs: the share of questions whose linear stage leads by enough to skip it,
the pairs it reads per question when it reads only the candidates within Selector.rerank_gap of the best (both
fitted in qa/calibrate.py on the fitting questions), and how often the top sentence holds the answer: all against
re-reading the best `rerank_top` of every question, on questions the rule was not fitted on (the SQuAD dev test
split sample of benchmarks/squad.py) and on the news development set (whose standalone questions the selector
did see).

Both rankings come from select.rank over the same candidates, with the shipped selector and one whose
skip_margin and rerank_gap are infinite; a question counts as skipped when the shipped selector reads no pair.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.squad import DEFAULT_ZIP, make_corpus, split  # noqa: E402
from qa import select  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import contains_answer, load_questions  # noqa: E402

NEWS = ROOT.parent / "shared" / "eval" / "news"


def compare(engine: QA, rows: list[tuple[str, tuple[str, ...]]]) -> dict[str, float]:
    index, cues = engine.loaded()
    shipped = engine.selector
    always = dataclasses.replace(shipped, skip_margin=math.inf, rerank_gap=math.inf)
    vectors = engine.encoder.encode([q for q, _ in rows])
    skipped = hit_skip = hit_always = 0
    seconds = {"skip": 0.0, "always": 0.0}
    pairs = {"skip": 0, "always": 0}
    for (question, answers), vector in zip(rows, vectors):
        q, cands = engine.candidates(index, question, vector)
        ranked = {}
        read = {}
        for name, selector in (("skip", shipped), ("always", always)):
            counted = Counting(engine.reranker)
            started = time.perf_counter()
            ranked[name] = select.rank(index, cues, q, cands, selector, reranker=counted,
                                       rerank_top=engine.settings.rerank_top)
            seconds[name] += time.perf_counter() - started
            read[name] = counted.pairs
            pairs[name] += counted.pairs
        skipped += read["skip"] == 0 and read["always"] > 0

        def hit(scored: select.Scored) -> bool:
            return bool(len(scored.sentences)) and contains_answer(index.sentence_text(int(scored.sentences[0])),
                                                                   answers)
        hit_skip += hit(ranked["skip"])
        hit_always += hit(ranked["always"])
    n = len(rows)
    return {"questions": n, "skipped": skipped / n, "hit_skip": hit_skip / n, "hit_always": hit_always / n,
            "ms_skip": seconds["skip"] / n * 1000, "ms_always": seconds["always"] / n * 1000,
            "pairs_skip": pairs["skip"] / n, "pairs_always": pairs["always"] / n}


class Counting:
    """The engine's cross-encoder, counting the pairs it scores."""

    def __init__(self, reranker) -> None:
        self.reranker, self.pairs = reranker, 0

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.pairs += len(texts)
        return self.reranker.score(question, texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    settings = Settings()
    work = ROOT / "benchmarks" / "out" / "squad"
    squad = [q for q in make_corpus(DEFAULT_ZIP, work / "corpus") if split(q.id) == "test"]
    squad = random.Random(args.seed).sample(squad, min(args.sample, len(squad)))
    news = [q for q in load_questions(NEWS / "questions.jsonl") if q.answers and not q.history]
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {platform.machine()}, {__import__('os').cpu_count()} cores, "
          f"backend {settings.backend.value}, re-ranking the best {settings.rerank_top}")
    with tempfile.TemporaryDirectory() as tmp:
        sets = (("SQuAD dev test split sample (margin not fitted on it)", QA(work / "corpus", work / "index", settings),
                 [(q.question, q.answers) for q in squad]),
                ("news dev set, answerable standalone questions (in the selector's fitting set)",
                 QA(NEWS / "articles", Path(tmp) / "news", settings), [(q.question, q.answers) for q in news]))
        for name, engine, rows in sets:
            engine.build()
            r = compare(engine, rows)
            print(f"{name}: {r['questions']} questions; cross-encoder skipped for {r['skipped']:.1%}, "
                  f"{r['pairs_skip']:.2f} pairs per question vs {r['pairs_always']:.2f} re-ranking every one; "
                  f"top sentence holds the answer: with the skip {r['hit_skip']:.4f} vs re-ranking every question "
                  f"{r['hit_always']:.4f} ({r['hit_skip'] - r['hit_always']:+.4f}); selection "
                  f"{r['ms_skip']:.1f} vs {r['ms_always']:.1f} ms per question", flush=True)


if __name__ == "__main__":
    main()
