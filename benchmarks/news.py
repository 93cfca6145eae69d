"""The news development set (../shared/eval/news): the shipped models, plain BM25, and the models refitted on
SQuAD + news, cross-validated over articles, in one run.

1. The shipped models answer all 286 questions over the 21 articles (qa/selector.json is fitted on SQuAD and
   these news questions, and qa/reader.npz too when its `fitted_on` says --news, so these figures are in-sample,
   not a result; the cross-encoder is fitted on SQuAD only): sentence_hit@1, support_hit@1 (the top sentence is
   the `support` sentence), EM/F1 of the short answer, abstention precision/recall, the share of answerable
   questions refused, and the follow-up rows (those with `history`) on their own.
2. Plain Okapi BM25 over the same sentences (benchmarks/squad.py's baseline).
3. With --cv: for each fold of articles, what the shipped models learnt from news is refitted without that
   fold's questions (the reader from its SQuAD-only fit, benchmarks/fit_reader.py --news; with
   --cross-encoder-news the cross-encoder too, benchmarks/fit_reranker.py --news, measured worse and not shipped;
   then the selector, both stages, confidence and abstention, on the SQuAD 'fit' quarter plus the other folds'
   news questions, each other fold's news scored by a cross-encoder that did not learn from it either,
   `stacked_scorer`) and scored on the held-out fold's questions; the held-out records are pooled into one set of
   figures. Stories about the same event share a fold.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks import fit_selector  # noqa: E402
from benchmarks.news_folds import NEWS, add_extra_argument, extra_note, extra_sets, folds_of  # noqa: E402
from benchmarks.squad import bm25_baseline  # noqa: E402
from benchmarks.scores_cache import CachedScorer  # noqa: E402
from qa import calibrate, rerank, select  # noqa: E402
from qa.config import Backend, Settings  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import Question, compute_metrics, evaluate, load_questions  # noqa: E402
from qa.adapter import read_adapter  # noqa: E402
from qa.reader import DEFAULT_READER, Reader  # noqa: E402

SHOWN = ("sentence_hit@1", "support_hit@1", "sentence_hit@3", "mrr", "source_hit@1", "exact_match", "f1",
         "abstain_precision", "abstain_recall", "calibration_error", "latency_ms_p50")


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


def fitted_on_news(adapter_file: Path) -> bool:
    """Whether a shipped adapter was fitted on the news questions too (then --cv refits it per fold)."""
    return "--news" in read_adapter(adapter_file, ("head.weight", "head.bias"))[1].fitted_on


# How the articles are read into sentences: a per-fold fit reads those sentences, so a change here refits it
INGEST = tuple(ROOT / "qa" / name for name in ("corpus.py", "sentences.py", "metadata.py", "formats.py"))


def fold_key(questions: list[Question], *files: Path) -> str:
    """A hash of what a per-fold fit reads: its questions and the files (start adapter, scripts)."""
    key = hashlib.sha256(repr(sorted((q.id, q.question, q.support, q.answers, q.source) for q in questions)).encode())
    for f in files:
        key.update(f.read_bytes())
    return key.hexdigest()[:12]


def fold_reader(index, corpus: Path, train: list[Question], fold: int, k: int, work: Path, *,
                extras: list | None = None, epochs: float | None = None, seed: int | None = None) -> Path:
    """The reader fitted as qa/reader.npz is (benchmarks/fit_reader.py --news) without fold `fold`'s questions,
    over `index` (of the articles in `corpus`), with the `extras` sets' (news_folds.extra_sets) questions too;
    cached under a hash of what the fit reads, so a rerun with the same code and data reuses it. `epochs` and
    `seed`, when given, replace the shipped recipe's (fit_reader's defaults) to compare recipes
    (benchmarks/reader_spans.py --cv --reader-epochs / --reader-seed)."""
    from benchmarks import fit_reader  # torch: only when a reader is refitted

    extras = extras or []
    corpora = [Path(corpus)] + [Path(e.corpus) for e, _ in extras]
    articles = sorted(p for c in corpora for p in c.iterdir() if p.is_file())  # the "no answer" sentences
    key = fold_key(train + [q for _, qs in extras for q in qs], fit_reader.SQUAD_READER,
                   ROOT / "benchmarks" / "fit_reader.py", ROOT / "qa" / "reader.py",
                   ROOT / "benchmarks" / "lora.py", ROOT / "qa" / "adapter.py", ROOT / "benchmarks" / "news_folds.py",
                   *INGEST, *articles)
    recipe = {name: value for name, value in (("epochs", epochs), ("seed", seed)) if value is not None}
    path = work / "readers" / f"fold-{fold}-of-{k}-{key}{''.join(f'-{n[0]}{v:g}' for n, v in recipe.items())}.npz"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fit_reader.fit_on_news([(index, train)] + [(e.index, qs) for e, qs in extras], path,
                               f"the news development set's standalone answerable questions outside fold {fold} of "
                               f"{k} (benchmarks/news_folds.py){extra_note(extras)}", **recipe)
    return path


def fold_reranker(news: calibrate.Collected, squad: calibrate.Collected, train: list[Question], corpus: Path,
                  fold: int | str, k: int, work: Path, near_misses: bool = False) -> Path:
    """The cross-encoder's news step (benchmarks/fit_reranker.py --news, not shipped) from `news`, the collected
    candidates of the questions outside fold `fold` (`train`; a name such as "0+1" for the folds left out), and
    `squad`, the SQuAD 'fit' quarter's (with its near-miss copies when `near_misses`); cached under a hash of what
    the fit reads."""
    from benchmarks import fit_reranker  # torch: only when a cross-encoder is refitted

    articles = sorted(p for p in Path(corpus).iterdir() if p.is_file())
    key = fold_key(train, rerank.DEFAULT_RERANKER, ROOT / "benchmarks" / "fit_reranker.py",
                   ROOT / "qa" / "rerank.py", ROOT / "qa" / "select.py", ROOT / "qa" / "calibrate.py",
                   ROOT / "benchmarks" / "lora.py", ROOT / "qa" / "adapter.py", *INGEST, *articles)
    path = work / "rerankers" / f"fold-{fold}-of-{k}-{key}{'-near-misses' if near_misses else ''}.npz"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fit_reranker.fit_on_news(news, squad, path, f"the news development set's standalone answerable questions "
                                                   f"outside fold{'s' if isinstance(fold, str) else ''} "
                                                   f"{str(fold).replace('+', ' and ')} of {k} "
                                                   f"(benchmarks/news_folds.py)")
    return path


class ByQuestion:
    """`score(question, texts)` by another scorer for some questions (by their text), else by `default`."""

    def __init__(self, default, others: dict[str, object]) -> None:
        self.default, self.others = default, others

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        return self.others.get(question, self.default).score(question, texts)

    def save(self) -> None:
        for scorer in {id(s): s for s in [self.default, *self.others.values()]}.values():
            scorer.save()


def stacked_scorer(reranker: rerank.Reranker, path: Path, news: calibrate.Collected, standalone: list[Question],
                   folds: dict[str, int], fold: int, k: int, squad: calibrate.Collected, engine: QA, work: Path,
                   near_misses: bool) -> ByQuestion:
    """What the selector of fold `fold` is fitted with when the cross-encoder learnt from news (stacking): the
    SQuAD rows scored by that fold's cross-encoder (it never read the 'fit' quarter), and each other fold g's news
    rows by a cross-encoder fitted without fold g as well as without `fold`. Scored by the cross-encoder that learnt
    them, news rows look surer than held-out ones do, and the selector leans on the cross-encoder too much."""
    # one scorer per question text: an answerable question asked in two other folds would be scored by a
    # cross-encoder that learnt one of its copies
    seen: dict[str, int] = {}
    for q in standalone:
        if folds[q.id] != fold and q.answerable and seen.setdefault(q.question, folds[q.id]) != folds[q.id]:
            raise ValueError(f"{q.question!r} is asked in folds {seen[q.question]} and {folds[q.id]}: stacking "
                             f"needs each answerable question in one fold")
    out = ROOT / "benchmarks" / "out"
    others: dict[str, object] = {}
    for g in range(k):
        if g == fold:
            continue
        left_out = (min(fold, g), max(fold, g))
        keep = np.array([folds[standalone[i].id] not in left_out for i in news.origin])
        inner = fold_reranker(calibrate.subset(news, keep), squad,
                              [q for q in standalone if folds[q.id] not in left_out], engine.corpus,
                              "+".join(map(str, left_out)), k, work, near_misses)
        scorer = CachedScorer(rerank.Reranker(inner, backend=engine.settings.backend), out, inner)
        others.update({q.question: scorer for q in standalone if folds[q.id] == g})
    return ByQuestion(CachedScorer(reranker, out, path), others)


def cross_validate(engine: QA, questions: list[Question], folds: dict[str, int], k: int, squad: calibrate.Collected,
                   work: Path, near_misses: bool = False, reranker_news: bool = False,
                   extras: list | None = None) -> tuple[list[Question], list[dict], list[float]]:
    """Refit the selector per fold on SQuAD + the other folds' news questions, and the reader too when the shipped
    one was fitted on news questions, with the `extras` sets' questions (news_folds.extra_sets) as well (the
    cross-encoder with `reranker_news`, from the development set alone); answer the held-out fold."""
    extras = extras or []
    standalone = [q for q in questions if not q.history]  # follow-ups are asked through the chat, not fitted on
    news = calibrate.collect(engine, standalone, near_misses=near_misses)
    refit_reader = fitted_on_news(DEFAULT_READER)
    refit_reranker = engine.reranker is not None and reranker_news
    print(f"refitted per fold: the selector{', the reader' if refit_reader else ''}"
          f"{', the cross-encoder' if refit_reranker else ''}", flush=True)
    scorer = CachedScorer(engine.reranker, ROOT / "benchmarks" / "out", rerank.DEFAULT_RERANKER)
    order, records, latencies = [], [], []
    for fold in range(k):
        train_questions = [q for q in standalone if folds[q.id] != fold]
        reader = (Reader(fold_reader(engine.index, engine.corpus, train_questions, fold, k, work, extras=extras),
                         backend=engine.settings.backend) if refit_reader else engine.reader)
        keep = np.array([folds[standalone[i].id] != fold for i in news.origin])
        train = calibrate.subset(news, keep)
        data = calibrate.combine([squad, train])
        reranker = engine.reranker
        if refit_reranker:
            path = fold_reranker(train, squad, train_questions, engine.corpus, fold, k, work, near_misses)
            reranker = rerank.Reranker(path, backend=engine.settings.backend)
            scorer = stacked_scorer(reranker, path, news, standalone, folds, fold, k, squad, engine, work,
                                    near_misses)
        news_rows = np.r_[np.zeros(len(squad.answerable), dtype=bool), np.ones(len(train.answerable), dtype=bool)]
        fitted = calibrate.fit(data, fitted_on=f"SQuAD fit quarter + news folds other than {fold}",
                               reranker=scorer, rerank_top=engine.settings.rerank_top, threshold_on=news_rows,
                               reader=reader, model=engine.settings.model)
        scorer.save()
        folder = work / f"fold-{fold}"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(engine.index_dir, folder)
        fitted.selector.save(folder / select.SELECTOR_FILE)
        fold_engine = QA(engine.corpus, folder, engine.settings, encoder=engine.encoder, reader=reader,
                         reranker=reranker)
        held = [q for q in questions if folds[q.id] == fold]
        report = evaluate(held, fold_engine)
        order += held
        records += report.per_question
        latencies += [report.metrics["latency_ms_p50"]] * len(held)
        print(f"fold {fold}: {len(held)} held-out questions, sentence_hit@1 {report.metrics['sentence_hit@1']}",
              flush=True)
    return order, records, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--news", type=Path, default=NEWS)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "news")
    parser.add_argument("--cv", action="store_true", help="also refit per fold of articles what the shipped "
                        "models learnt from these questions (the reader's news step, the selector)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--cross-encoder-news", action="store_true",
                        help="with --cv, also fit the cross-encoder's news step per fold and per pair of folds "
                             "(benchmarks/fit_reranker.py --news, about 20 minutes; measured worse)")
    parser.add_argument("--near-misses", action="store_true",
                        help="fit with near-miss negatives too (answer sentences left out; measured worse)")
    parser.add_argument("--backend", choices=[b.value for b in Backend], default=Settings().backend.value,
                        help="what runs the models (qa/onnx_backend.py for onnx)")
    parser.add_argument("--rerank-top", type=int, default=Settings().rerank_top)
    parser.add_argument("--answer-threshold", type=float, default=Settings().answer_threshold,
                        help="the reader's probability under which there is no short answer")
    parser.add_argument("--reranker", type=Path, default=None,
                        help="without --cv: another cross-encoder adapter to re-rank with (the selector stays the "
                             "shipped one, fitted on these questions: in-sample)")
    parser.add_argument("--dump", type=Path, help="write the cross-validated per-question records here (JSONL)")
    add_extra_argument(parser)
    args = parser.parse_args()
    if args.cross_encoder_news and args.folds < 3:
        parser.error("--cross-encoder-news fits a cross-encoder per pair of folds on the third: it needs --folds 3 "
                     "or more")

    questions = load_questions(args.news / "questions.jsonl")
    if args.reranker and args.cv:
        parser.error("--reranker is for the shipped models' run: --cv refits the selector with the shipped one")
    settings = Settings(rerank_top=args.rerank_top, backend=args.backend, answer_threshold=args.answer_threshold)
    reranker = rerank.Reranker(args.reranker, backend=settings.backend) if args.reranker else None
    engine = QA(args.news / "articles", args.work / "index", settings, reranker=reranker, progress=True)
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
    on_news = ", the reader" if fitted_on_news(DEFAULT_READER) else ""
    with_reranker = f", the cross-encoder {args.reranker}" if args.reranker else ""
    print_metrics(f"shipped models{with_reranker} (fitted on SQuAD + these questions: the selector{on_news}; in-sample, "
                  f"not a result)",
                  summary(questions, shipped.per_question, [shipped.metrics["latency_ms_p50"]] * len(questions)))
    print(f"[plain BM25 over the same sentences, answerable questions] sentence_hit@1 {baseline['sentence_hit@1']}"
          f"  hit@3 {baseline['sentence_hit@3']}  source_hit@1 {baseline['source_hit@1']}")
    print(f"failure buckets (shipped): {shipped.buckets}")
    if args.cv:
        squad = fit_selector.squad_fit_data(ROOT / "benchmarks" / "out" / "fit", progress=True,
                                            near_misses=args.near_misses)[0]
        folds = folds_of(questions, [p.name for p in (args.news / "articles").iterdir()], args.folds)
        extras = extra_sets(args.extra, ROOT / "benchmarks" / "out")
        order, records, latencies = cross_validate(engine, questions, folds, args.folds, squad, args.work,
                                                   near_misses=args.near_misses,
                                                   reranker_news=args.cross_encoder_news, extras=extras)
        print_metrics(f"refitted on SQuAD + the other folds' news (the reader{extra_note(extras)} too), "
                      f"{args.folds}-fold cross-validated over the development set's articles",
                      summary(order, records, latencies))
        buckets = {}
        for r in records:
            if r.failure:
                buckets[r.failure] = buckets.get(r.failure, 0) + 1
        print(f"failure buckets (cross-validated): {buckets}")
        if args.dump:
            args.dump.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in records), encoding="utf-8")


if __name__ == "__main__":
    main()
