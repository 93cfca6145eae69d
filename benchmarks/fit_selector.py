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
from benchmarks.scores_cache import CachedScorer  # noqa: E402
from qa import calibrate, rerank, select  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import Question, expected_calibration_error, load_questions  # noqa: E402


def fit_corpus(work: Path, zip_path: Path = DEFAULT_ZIP) -> tuple[Path, list[Question]]:
    """(corpus folder of 40 of the 48 SQuAD articles, the 'fit' quarter's questions: answerable about those 40,
    made out-of-corpus (no answers) about the 8 left out)."""
    full = work / "all"
    questions = [q for q in make_corpus(zip_path, full) if split(q.id) == "fit"]
    files = sorted(p.name for p in full.glob("*.txt"))
    held_out = set(files[::6])  # 8 of 48 articles
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in files:
        target = corpus / name
        if name in held_out:
            target.unlink(missing_ok=True)
        elif not target.exists() or target.read_bytes() != (full / name).read_bytes():
            shutil.copy2(full / name, target)
    return corpus, [q if q.source not in held_out else Question(q.id, q.question, (), None) for q in questions]


def squad_fit_data(work: Path = ROOT / "benchmarks" / "out" / "fit", progress: bool = True,
                   near_misses: bool = False, zip_path: Path = DEFAULT_ZIP):
    """The SQuAD 'fit' quarter collected over its corpus (`fit_corpus`), as main() fits on it: (collected
    data, its engine, the labelled questions)."""
    corpus, labelled = fit_corpus(work, zip_path)
    engine = QA(corpus, work / "index", progress=progress)
    engine.build()
    return calibrate.collect(engine, labelled, near_misses=near_misses, progress=progress), engine, labelled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "fit")
    parser.add_argument("--out", type=Path, default=select.DEFAULT_SELECTOR)
    parser.add_argument("--news", type=Path, default=ROOT.parent / "shared" / "eval" / "news",
                        help="news question set folder fitted on too ('' for SQuAD alone)")
    parser.add_argument("--max-cost", type=float, default=0.001,
                        help="share of the fitting questions' right answers the cross-encoder's gap may cost")
    parser.add_argument("--near-misses", action="store_true",
                        help="also fit on near misses (answer sentences left out); measured worse on news")
    args = parser.parse_args()

    data, engine, labelled = squad_fit_data(args.work, True, args.near_misses, args.zip)
    n_out = sum(not q.answerable for q in labelled)
    fitted_on = (f"SQuAD v1.1 dev 'fit' split: {len(labelled)} questions ({n_out} made out-of-corpus) over 40 "
                 f"articles" + (", each answerable one also as a near miss (answer sentences left out)"
                                if args.near_misses else ""))
    news_rows = None
    if str(args.news):
        news = [q for q in load_questions(args.news / "questions.jsonl") if not q.history]
        news_engine = QA(args.news / "articles", ROOT / "benchmarks" / "out" / "news" / "index", progress=True)
        news_engine.build()
        news_data = calibrate.collect(news_engine, news, near_misses=args.near_misses, progress=True)
        news_rows = np.r_[np.zeros(len(data.answerable), dtype=bool), np.ones(len(news_data.answerable), dtype=bool)]
        data = calibrate.combine([data, news_data])
        fitted_on += (f"; and the {len(news)} standalone questions of the news development set "
                      f"({args.news.name}/questions.jsonl) over its articles; the "
                      f"abstention threshold is set on the news questions")
    scorer = CachedScorer(engine.reranker, ROOT / "benchmarks" / "out", rerank.DEFAULT_RERANKER)
    fitted = calibrate.fit(data, fitted_on=fitted_on, reranker=scorer, rerank_top=engine.settings.rerank_top,
                           progress=True, threshold_on=news_rows, reader=engine.reader,
                           model=engine.settings.model, max_cost=args.max_cost)
    scorer.save()
    selector, scores = fitted.selector, fitted.scores
    selector.save(args.out)
    best, margin, row = calibrate.best_and_margin(scores, data.groups, len(data.answerable), data.twins)
    have = row >= 0
    correct = data.y[row[have]] & data.answerable[have]
    conf = np.array([selector.confidence(b, b - m) for b, m in zip(best[have], margin[have])])
    p_in = fitted.p_answerable
    answerable = data.answerable[have]
    answered = p_in >= selector.threshold
    print(f"wrote {args.out}")
    print(f"questions {len(data.answerable)} ({(~data.answerable).sum()} unanswerable: out of corpus or near "
          f"misses), candidate rows {len(data.y)}")
    print(f"fit-split top-1 right: {correct[answerable].mean():.4f} of answerable questions (in-sample)")
    print(f"confidence ECE {expected_calibration_error(conf.tolist(), correct.tolist()):.4f}")
    print(f"abstention threshold {selector.threshold}: answered {answered.mean():.3f}; answerable among answered "
          f"{answerable[answered].mean():.4f}; out-of-corpus refused {(~answered[~answerable]).mean():.4f}; "
          f"answerable refused {(~answered[answerable]).mean():.4f}")
    if selector.reranks:
        pairs = fitted.pairs_read
        print(f"the cross-encoder reads the candidates within {selector.rerank_gap:.4f} of the best: on the fitting "
              f"questions {pairs.mean():.2f} pairs per question of at most {engine.settings.rerank_top}, none for "
              f"{(pairs == 0).mean():.1%}")
        print(f"second stage over the best {engine.settings.rerank_top}: cross-encoder weight "
              f"{selector.rerank_weights[-1]:+.3f}; the features' weights there:")
        for name, w in sorted(zip(select.FEATURES, selector.rerank_weights), key=lambda t: -abs(t[1]))[:8]:
            print(f"  {name:<28} {w:+.3f}")
    print("first stage (linear) weights:")
    for name, w in sorted(zip(select.FEATURES, selector.weights), key=lambda t: -abs(t[1])):
        print(f"  {name:<28} {w:+.3f}")


if __name__ == "__main__":
    main()
