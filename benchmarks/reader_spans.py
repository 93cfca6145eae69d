"""The short-answer reader on the right sentence: EM / F1 of its span when it reads the sentence that holds the
answer, so that span rules can be measured apart from retrieval and selection. On the SQuAD dev test split
(never fitted on; the sentence that holds the first answer's start) and on the news development set (each row's
`support` sentence), with and without the quantity qualifiers (qa/reader.py `with_qualifier`; the other display
rules of `shown_span`, the counted noun and whole quotes, apply in both), in one run.
Spans under Settings.answer_threshold count as no answer unless they are a whole quote or clause the question's
form asks for (qa/reader.py `Span.shown`), as in answering.

--reader PATH (once or more) reads with those adapters instead of the shipped one, each on the same rows, to compare
fits (a SQuAD-only reader such as benchmarks/reader_squad.npz never saw the news questions, so its news figures are
held out too); --threshold 0 shows what the readers' spans score when every one is shown.

With --cv, the news figures that count: the shipped reader is fitted on the news questions too
(benchmarks/fit_reader.py --news), so each fold of articles is read by the reader fitted without it (the same
per-fold readers benchmarks/news.py --cv fits and caches), beside the SQuAD-only reader it started from
(benchmarks/reader_squad.npz) on the same rows; and both on the SQuAD test split.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.news_folds import add_extra_argument  # noqa: E402
from benchmarks.squad import DEFAULT_ZIP, split  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.evaluate import exact_match, f1_score, load_questions  # noqa: E402
from qa.reader import Reader  # noqa: E402
from qa.sentences import split_spans  # noqa: E402

NEWS = ROOT.parent / "shared" / "eval" / "news"


def squad_rows(zip_path: Path, sample: int, seed: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """(question, the sentence that holds its first answer, answers) for a sample of the test split."""
    with zipfile.ZipFile(zip_path) as z:
        data = json.loads(z.read(next(n for n in z.namelist() if n.endswith(".json"))))["data"]
    rows = []
    for article in data:
        for p in article["paragraphs"]:
            spans = split_spans(p["context"])
            for qa in p["qas"]:
                if split(qa["id"]) != "test":
                    continue
                at = qa["answers"][0]["answer_start"]
                sentence = next((p["context"][s:e] for s, e in spans if s <= at < e), None)
                if sentence:
                    rows.append((qa["question"].strip(), sentence,
                                 tuple(dict.fromkeys(a["text"].strip() for a in qa["answers"]))))
    random.Random(seed).shuffle(rows)
    return rows[:sample]


def news_rows(folder: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(q.question, q.support, q.answers) for q in load_questions(folder / "questions.jsonl")
            if q.answerable and q.support and not q.history]


def score(reader: Reader, rows, qualifiers: bool, threshold: float) -> tuple[float, float, float]:
    """(EM, F1, share given a short answer) over the rows."""
    em = f1 = answered = 0.0
    for question, sentence, answers in rows:
        span = reader.read(question, [sentence], qualifiers=qualifiers)[0]
        text = sentence[span.start:span.end] if span is not None and span.shown(threshold) else None
        em += exact_match(text, answers)
        f1 += f1_score(text, answers)
        answered += text is not None
    n = max(1, len(rows))
    return round(em / n, 4), round(f1 / n, 4), round(answered / n, 4)


def cross_validated(folds_k: int, threshold: float, epochs: float | None = None, seed: int | None = None,
                    extra: list[Path] | None = None) -> None:
    """Per fold of news articles: the reader fitted without that fold vs the SQuAD-only reader, pooled."""
    from benchmarks.fit_reader import SQUAD_READER
    from benchmarks.news import fold_reader
    from benchmarks.news_folds import EXTRA, extra_sets, folds_of
    from qa.engine import QA

    questions = [q for q in load_questions(NEWS / "questions.jsonl") if not q.history]
    folds = folds_of(questions, [p.name for p in (NEWS / "articles").iterdir()], folds_k)
    index = QA(NEWS / "articles", ROOT / "benchmarks" / "out" / "news" / "index").build()
    work = ROOT / "benchmarks" / "out" / "news"
    squad_only = Reader(SQUAD_READER)
    extras = extra_sets([EXTRA] if extra is None else extra, ROOT / "benchmarks" / "out")  # as news.py --cv
    pooled = {"SQuAD-only reader": [0.0, 0.0, 0], "news-fitted reader, fold held out": [0.0, 0.0, 0]}
    for fold in range(folds_k):
        held = [(q.question, q.support, q.answers) for q in questions
                if folds[q.id] == fold and q.answerable and q.support]
        fitted = Reader(fold_reader(index, NEWS / "articles", [q for q in questions if folds[q.id] != fold], fold,
                                    folds_k, work, extras=extras, epochs=epochs, seed=seed))
        for name, r in zip(pooled, (squad_only, fitted)):
            em, f1, _ = score(r, held, True, threshold)
            pooled[name][0] += em * len(held)
            pooled[name][1] += f1 * len(held)
            pooled[name][2] += len(held)
            print(f"news fold {fold} ({len(held)} questions)  {name:<34} EM {em:.4f}  F1 {f1:.4f}", flush=True)
    for name, (em, f1, n) in pooled.items():
        print(f"news dev set, {folds_k}-fold cross-validated ({n} questions)  {name:<34} EM {em / n:.4f}  "
              f"F1 {f1 / n:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=1500, help="SQuAD test-split questions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cv", action="store_true", help="news figures per fold of articles (see above)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--reader-epochs", type=float, default=None,
                        help="with --cv: the fold readers' news epochs (default: the shipped recipe's)")
    parser.add_argument("--reader-seed", type=int, default=None,
                        help="with --cv: the fold readers' seed (default: the shipped recipe's)")
    parser.add_argument("--reader", type=Path, action="append",
                        help="without --cv: a reader adapter to score instead of the shipped one (repeatable)")
    parser.add_argument("--threshold", type=float, default=Settings().answer_threshold,
                        help="the reader's probability under which a span counts as no answer")
    add_extra_argument(parser)
    args = parser.parse_args()
    if args.cv and args.reader:
        parser.error("--reader is for the comparison without --cv (--cv reads with the per-fold readers)")
    threshold = args.threshold
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {platform.machine()}, {__import__('os').cpu_count()} cores; "
          f"reader on the sentence that holds the answer; spans under {threshold} count as none")
    if args.cv:
        from benchmarks.fit_reader import SQUAD_READER

        cross_validated(args.folds, threshold, args.reader_epochs, args.reader_seed, args.extra)
        squad = squad_rows(DEFAULT_ZIP, args.sample, args.seed)
        for name, r in (("SQuAD-only reader", Reader(SQUAD_READER)), ("shipped reader", Reader())):
            em, f1, answered = score(r, squad, True, threshold)
            print(f"SQuAD dev test split ({len(squad)} questions)  {name:<34} EM {em:.4f}  F1 {f1:.4f}  "
                  f"answered {answered:.4f}", flush=True)
        return
    sets = {"SQuAD dev test split": squad_rows(DEFAULT_ZIP, args.sample, args.seed), "news dev set": news_rows(NEWS)}
    for path in args.reader or [None]:
        reader = Reader() if path is None else Reader(path)
        print(f"reader: {path or 'shipped'}", flush=True)
        for name, rows in sets.items():
            for qualifiers in (False, True):
                em, f1, answered = score(reader, rows, qualifiers, threshold)
                print(f"{name:<22} ({len(rows)} questions)  qualifiers {'on ' if qualifiers else 'off'}  "
                      f"EM {em:.4f}  F1 {f1:.4f}  answered {answered:.4f}", flush=True)


if __name__ == "__main__":
    main()
