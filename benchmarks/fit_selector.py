"""Fit the package's default sentence selector (qa/selector.json) on the 'fit' quarter of SQuAD v1.1 dev.

The selector is fitted over a corpus of 40 of the 48 SQuAD articles: fit-split questions about those 40 are
answerable; fit-split questions about the 8 left out become out-of-corpus questions, so the confidence learns
to abstain. The 'test' split (benchmarks/squad.py) and the seed questions are never used here.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.squad import DEFAULT_ZIP, make_corpus, split  # noqa: E402
from qa import calibrate, select  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import Question, expected_calibration_error  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "fit")
    parser.add_argument("--out", type=Path, default=select.DEFAULT_SELECTOR)
    args = parser.parse_args()

    full = args.work / "all"
    questions = [q for q in make_corpus(args.zip, full) if split(q.id) == "fit"]
    files = sorted(p.name for p in full.glob("*.txt"))
    held_out = set(files[::6])  # 8 of 48 articles
    corpus = args.work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    for name in files:
        if name not in held_out:
            shutil.copy2(full / name, corpus / name)
    labelled = [q if q.source not in held_out else Question(q.id, q.question, (), None) for q in questions]
    n_out = sum(not q.answerable for q in labelled)
    engine = QA(corpus, args.work / "index", progress=True)
    engine.build()
    data = calibrate.collect(engine, labelled, progress=True)
    fitted = calibrate.fit(data, fitted_on=f"SQuAD v1.1 dev 'fit' split: {len(labelled)} questions "
                                             f"({n_out} made out-of-corpus) over 40 articles",
                             reranker=engine.reranker, rerank_top=engine.settings.rerank_top, progress=True)
    selector, scores = fitted.selector, fitted.scores
    selector.save(args.out)
    best, margin, row = calibrate.best_and_margin(scores, data.groups, len(labelled))
    have = row >= 0
    correct = data.y[row[have]] & data.answerable[have]
    conf = np.array([selector.confidence(b, b - m) for b, m in zip(best[have], margin[have])])
    p_in = np.array([selector.answerable(b, b - m, data.x[r]) for b, m, r in zip(best[have], margin[have], row[have])])
    answerable = data.answerable[have]
    answered = p_in >= selector.threshold
    print(f"wrote {args.out}")
    print(f"questions {len(labelled)} ({n_out} out of corpus), candidate rows {len(data.y)}")
    print(f"fit-split top-1 right: {correct[answerable].mean():.4f} of answerable questions (in-sample)")
    print(f"confidence ECE {expected_calibration_error(conf.tolist(), correct.tolist()):.4f}")
    print(f"abstention threshold {selector.threshold}: answered {answered.mean():.3f}; answerable among answered "
          f"{answerable[answered].mean():.4f}; out-of-corpus refused {(~answered[~answerable]).mean():.4f}; "
          f"answerable refused {(~answered[answerable]).mean():.4f}")
    if selector.reranks:
        print(f"second stage over the best {engine.settings.rerank_top}: cross-encoder weight "
              f"{selector.rerank_weights[-1]:+.3f}; the features' weights there:")
        for name, w in sorted(zip(select.FEATURES, selector.rerank_weights), key=lambda t: -abs(t[1]))[:8]:
            print(f"  {name:<28} {w:+.3f}")
    print("first stage (linear) weights:")
    for name, w in sorted(zip(select.FEATURES, selector.weights), key=lambda t: -abs(t[1])):
        print(f"  {name:<28} {w:+.3f}")


if __name__ == "__main__":
    main()
