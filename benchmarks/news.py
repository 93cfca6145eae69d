"""The news development set (../shared/eval/news): the shipped models, plain BM25, and the selector refitted on
SQuAD + news, cross-validated over articles, in one run.

1. The shipped models answer all 286 questions over the 21 articles (qa/reranker.npz and qa/reader.npz are
   fitted on SQuAD only; qa/selector.json on SQuAD and these news questions, so its figures here are
   in-sample, not a result): sentence_hit@1, support_hit@1 (the top sentence is the `support` sentence),
   EM/F1 of the short answer, abstention precision/recall, the share of answerable questions refused, and the
   follow-up rows (those with `history`) on their own.
2. Plain Okapi BM25 over the same sentences (benchmarks/squad.py's baseline).
3. With --cv: the selector (both stages, confidence and abstention) is refitted on the SQuAD 'fit' quarter plus
   the news questions of all but one fold of articles and scored on the held-out fold's questions, for each
   fold; the held-out records are pooled into one set of figures. Stories about the same event share a fold.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.squad import bm25_baseline  # noqa: E402
from benchmarks.scores_cache import CachedScorer  # noqa: E402
from qa import calibrate, rerank, select  # noqa: E402
from qa.config import Backend, Settings  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import Question, compute_metrics, evaluate, load_questions  # noqa: E402

NEWS = ROOT.parent / "shared" / "eval" / "news"
# Files about one event, named differently: they go to the same fold.
SAME_STORY = {"uk": "rwanda"}
SHOWN = ("sentence_hit@1", "support_hit@1", "sentence_hit@3", "mrr", "source_hit@1", "exact_match", "f1",
         "abstain_precision", "abstain_recall", "calibration_error", "latency_ms_p50")


def story(article: str) -> str:
    key = article.split("-")[0].split(".")[0]
    return SAME_STORY.get(key, key)


def folds_of(questions: list[Question], articles: list[str], k: int) -> dict[str, int]:
    """Question id -> fold. Stories are dealt to folds in name order; a question without a source (an
    unanswerable one) goes by a hash of its id."""
    stories = sorted({story(a) for a in articles})
    fold_of_story = {s: i % k for i, s in enumerate(stories)}
    return {q.id: fold_of_story[story(q.source)] if q.source
            else int(hashlib.md5(q.id.encode()).hexdigest()[:8], 16) % k for q in questions}


def summary(questions: list[Question], records: list, latencies: list[float]) -> dict:
    """compute_metrics, plus the share of answerable questions refused and the follow-up rows' hit@1."""
    m = compute_metrics(questions, records, latencies)
    answerable = [r for q, r in zip(questions, records) if q.answerable]
    m["answerable_refused"] = round(sum(not r.found for r in answerable) / max(1, len(answerable)), 4)
    follow = [r for q, r in zip(questions, records) if q.history]
    m["follow_ups_right"] = f"{sum(r.rank == 1 for r in follow)}/{len(follow)}"
    m["unanswerable_refused"] = (f"{sum(not r.found for q, r in zip(questions, records) if not q.answerable)}"
                                 f"/{sum(not q.answerable for q in questions)}")
    return m


def print_metrics(name: str, m: dict) -> None:
    print(f"[{name}]")
    for key in SHOWN + ("answerable_refused", "unanswerable_refused", "follow_ups_right"):
        print(f"  {key:<22} {m[key]}")


def squad_fit_data(work: Path, progress: bool, near_misses: bool = False) -> calibrate.Collected:
    """The SQuAD 'fit' quarter as benchmarks/fit_selector.py collects it (8 of 48 articles left out so that
    their questions are out of corpus)."""
    from benchmarks.fit_selector import fit_corpus

    corpus, labelled = fit_corpus(work)
    engine = QA(corpus, work / "index", progress=progress)
    engine.build()
    return calibrate.collect(engine, labelled, near_misses=near_misses, progress=progress)


def cross_validate(engine: QA, questions: list[Question], folds: dict[str, int], k: int, squad: calibrate.Collected,
                   work: Path, near_misses: bool = False) -> tuple[list[Question], list[dict], list[float]]:
    """Refit the selector per fold on SQuAD + the other folds' news questions; answer the held-out fold."""
    standalone = [q for q in questions if not q.history]  # follow-ups are asked through the chat, not fitted on
    news = calibrate.collect(engine, standalone, near_misses=near_misses)
    scorer = CachedScorer(engine.reranker, ROOT / "benchmarks" / "out", rerank.DEFAULT_RERANKER)
    order, records, latencies = [], [], []
    for fold in range(k):
        keep = np.array([folds[standalone[i].id] != fold for i in news.origin])
        train = calibrate.subset(news, keep)
        data = calibrate.combine([squad, train])
        news_rows = np.r_[np.zeros(len(squad.answerable), dtype=bool), np.ones(len(train.answerable), dtype=bool)]
        fitted = calibrate.fit(data, fitted_on=f"SQuAD fit quarter + news folds other than {fold}",
                               reranker=scorer, rerank_top=engine.settings.rerank_top, threshold_on=news_rows,
                               reader=engine.reader, model=engine.settings.model)
        folder = work / f"fold-{fold}"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(engine.index_dir, folder)
        fitted.selector.save(folder / select.SELECTOR_FILE)
        fold_engine = QA(engine.corpus, folder, engine.settings, encoder=engine.encoder)
        held = [q for q in questions if folds[q.id] == fold]
        report = evaluate(held, fold_engine)
        order += held
        records += report.per_question
        latencies += [report.metrics["latency_ms_p50"]] * len(held)
        scorer.save()
        print(f"fold {fold}: {len(held)} held-out questions, sentence_hit@1 {report.metrics['sentence_hit@1']}",
              flush=True)
    return order, records, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--news", type=Path, default=NEWS)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "news")
    parser.add_argument("--cv", action="store_true", help="also refit the selector per fold of articles")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--near-misses", action="store_true",
                        help="fit with near-miss negatives too (answer sentences left out; measured worse)")
    parser.add_argument("--backend", choices=[b.value for b in Backend], default=Settings().backend.value,
                        help="what runs the models (qa/onnx_backend.py for onnx)")
    parser.add_argument("--rerank-top", type=int, default=Settings().rerank_top)
    args = parser.parse_args()

    questions = load_questions(args.news / "questions.jsonl")
    engine = QA(args.news / "articles", args.work / "index", Settings(rerank_top=args.rerank_top, backend=args.backend), progress=True)
    engine.build()
    started = time.perf_counter()
    shipped = evaluate(questions, engine, progress=True)
    shipped_s = time.perf_counter() - started
    answerable = [q for q in questions if q.answerable]
    baseline = bm25_baseline(engine, answerable)
    counts = dataclasses.asdict(engine.index.manifest.counts)
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {platform.machine()}, {__import__('os').cpu_count()} cores")
    print(f"corpus: {counts['articles']} articles, {counts['sentences']} sentences; questions: {len(questions)} "
          f"({len(answerable)} answerable, {sum(1 for q in questions if q.history)} follow-ups); "
          f"answered in {shipped_s:.0f} s")
    print_metrics("shipped models (selector fitted on SQuAD + these questions: in-sample; reader and "
                  "cross-encoder on SQuAD only)",
                  summary(questions, shipped.per_question, [shipped.metrics["latency_ms_p50"]] * len(questions)))
    print(f"[plain BM25 over the same sentences, answerable questions] sentence_hit@1 {baseline['sentence_hit@1']}"
          f"  hit@3 {baseline['sentence_hit@3']}  source_hit@1 {baseline['source_hit@1']}")
    print(f"failure buckets (shipped): {shipped.buckets}")
    if args.cv:
        squad = squad_fit_data(ROOT / "benchmarks" / "out" / "fit", progress=True,
                               near_misses=args.near_misses)
        folds = folds_of(questions, [p.name for p in (args.news / "articles").iterdir()], args.folds)
        order, records, latencies = cross_validate(engine, questions, folds, args.folds, squad, args.work,
                                                   near_misses=args.near_misses)
        print_metrics(f"selector refitted on SQuAD fit + news, {args.folds}-fold cross-validated over articles",
                      summary(order, records, latencies))
        buckets = {}
        for r in records:
            if r.failure:
                buckets[r.failure] = buckets.get(r.failure, 0) + 1
        print(f"failure buckets (cross-validated): {buckets}")


if __name__ == "__main__":
    main()
