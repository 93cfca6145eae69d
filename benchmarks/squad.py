"""SQuAD v1.1 dev as a retrieval + sentence-selection benchmark: our engine vs plain BM25 over the same sentences.

Turns ../shared/eval/squad-dev-v1.1.json.zip into a corpus folder (one article per title, paragraphs separated
by blank lines) and a question set with `source`, runs `qa.evaluate` on it, and scores a plain Okapi BM25
sentence ranker (k1 1.2, b 0.75, lower-cased words, English stop words) over the engine's own sentence table
with the same metric. Prints both sentence_hit@1 figures and their ratio, index build time and latency.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import platform
import random
import re
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402
import numpy as np  # noqa: E402

from qa.config import Backend, Settings  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import Question, contains_answer, evaluate, write_report  # noqa: E402
from qa.rerank import Reranker  # noqa: E402

DEFAULT_ZIP = ROOT.parent / "shared" / "eval" / "squad-dev-v1.1.json.zip"


def split(question_id: str) -> str:
    """A fixed split of SQuAD dev by question id: a quarter 'fit' (the selector is fitted on it), a quarter
    'rerank' (the cross-encoder re-ranker is fitted on it), the other half 'test'."""
    return {0: "fit", 1: "rerank"}.get(int(hashlib.md5(question_id.encode()).hexdigest()[:8], 16) % 4, "test")


def article_file(title: str) -> str:
    return re.sub(r"[^\w\-]+", "_", title).strip("_") + ".txt"


def make_corpus(zip_path: Path, folder: Path) -> list[Question]:
    """Write one article per SQuAD title into `folder`; return every question with its source article."""
    with zipfile.ZipFile(zip_path) as z:
        name = next(n for n in z.namelist() if n.endswith(".json"))
        data = json.loads(z.read(name))["data"]
    folder.mkdir(parents=True, exist_ok=True)
    questions = []
    for article in data:
        title = article["title"].replace("_", " ")
        fname = article_file(article["title"])
        paragraphs = [" ".join(p["context"].split()) for p in article["paragraphs"]]
        text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
        path = folder / fname
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                answers = tuple(dict.fromkeys(a["text"].strip() for a in qa["answers"]))
                questions.append(Question(id=qa["id"], question=qa["question"].strip(), answers=answers,
                                          source=fname))
    return questions


def bm25_baseline(engine: QA, questions: list[Question]) -> dict[str, float]:
    """Plain Okapi BM25 over the engine's sentences: sentence_hit@1, hit@3 and source_hit@1."""
    index = engine.index
    texts = [index.sentence_text(i) for i in range(index.n_sentences)]
    sources = [index.articles[a].id for a in index.sentence_table[:, 0].tolist()]
    started = time.perf_counter()
    retriever = bm25s.BM25(method="robertson", k1=1.2, b=0.75)
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    build_s = time.perf_counter() - started
    hit1 = hit3 = src1 = 0
    latencies = []
    for q in questions:
        t = time.perf_counter()
        tokens = bm25s.tokenize([q.question], stopwords="en", show_progress=False)
        ids, _ = retriever.retrieve(tokens, k=3, show_progress=False)
        latencies.append((time.perf_counter() - t) * 1000)
        top = ids[0].tolist()
        hit1 += contains_answer(texts[top[0]], q.answers)
        hit3 += any(contains_answer(texts[i], q.answers) for i in top)
        src1 += sources[top[0]] == q.source
    n = len(questions)
    return {"sentence_hit@1": round(hit1 / n, 4), "sentence_hit@3": round(hit3 / n, 4),
            "source_hit@1": round(src1 / n, 4), "build_s": round(build_s, 2),
            "latency_ms_p50": round(float(np.median(latencies)), 2)}


def fusion_baselines(engine: QA, questions: list[Question], k: int = 60) -> dict[str, float]:
    """sentence_hit@1 over the engine's own candidates ranked by dense similarity alone, BM25 alone, their
    reciprocal rank fusion (1/(k + rank), k = 60), and our selector's linear stage alone (the learned weighted
    sum, without the cross-encoder)."""
    from qa import select

    index = engine.index
    vectors = engine.encoder.encode([q.question for q in questions])
    hits = {"dense": 0, "bm25": 0, "rrf": 0, "linear": 0}
    for q, v in zip(questions, vectors):
        sq, cands = engine.candidates(index, q.question, v)
        if not cands.sentences.size:
            continue
        x = select.features(index, engine.cues, sq, cands)
        dense, bm25 = x[:, select.FEATURES.index("sentence_dense")], cands.bm25
        rank_dense = np.argsort(np.argsort(-dense, kind="stable"), kind="stable")
        rank_bm25 = np.argsort(np.argsort(-bm25, kind="stable"), kind="stable")
        rrf = 1.0 / (k + rank_dense) + 1.0 / (k + rank_bm25)
        linear = engine.selector.score(x)
        for name, scores in (("dense", dense), ("bm25", bm25), ("rrf", rrf), ("linear", linear)):
            best = int(cands.sentences[int(np.argmax(scores))])
            hits[name] += contains_answer(index.sentence_text(best), q.answers)
    return {name: round(h / len(questions), 4) for name, h in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP, help="SQuAD v1.1 dev zip")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "squad",
                        help="where the corpus, index and report go")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--sample", type=int, default=1000, help="fixed random sample of questions (default 1000)")
    group.add_argument("--all", action="store_true", help="all 10,570 questions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if it is current")
    parser.add_argument("--backend", choices=[b.value for b in Backend], default=Settings().backend.value,
                        help="what runs the models (qa/onnx_backend.py for onnx)")
    parser.add_argument("--rerank-top", type=int, default=Settings().rerank_top,
                        help="sentences the cross-encoder re-scores per question (0 = off; default %(default)s)")
    parser.add_argument("--reranker", type=Path, default=None,
                        help="another cross-encoder adapter to re-rank with, to compare fits (default: the shipped one)")
    args = parser.parse_args()

    corpus = args.work / "corpus"
    questions = [q for q in make_corpus(args.zip, corpus) if split(q.id) == "test"]
    pool = len(questions)
    if not args.all:
        questions = random.Random(args.seed).sample(questions, min(args.sample, pool))
    settings = Settings(rerank_top=args.rerank_top, backend=args.backend)
    reranker = Reranker(args.reranker, backend=settings.backend) if args.reranker else None
    engine = QA(corpus, args.work / "index", settings, reranker=reranker, progress=True)
    started = time.perf_counter()
    engine.build(force=args.rebuild)
    build_s = time.perf_counter() - started
    counts = dataclasses.asdict(engine.index.manifest.counts)
    report = evaluate(questions, engine, progress=True)
    write_report(report, args.work / "report")
    baseline = bm25_baseline(engine, questions)
    fusion = fusion_baselines(engine, questions)

    m = report.metrics
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {platform.machine()}, {__import__('os').cpu_count()} cores")
    print(f"corpus: {counts['articles']} articles, {counts['passages']} passages, {counts['sentences']} sentences; "
          f"questions: {len(questions)} of the {pool} in the test split (seed {args.seed}{', all' if args.all else ''})")
    print(f"the cross-encoder ({args.reranker or 'shipped'}) re-scores the best {args.rerank_top} sentences per question")
    print(f"index build (this run, incl. model load; 0 if it was current): {build_s:.1f} s "
          f"(manifest: {engine.index.manifest.build_seconds:.1f} s)")
    for key in ("sentence_hit@1", "sentence_hit@3", "mrr", "source_hit@1", "source_recall@5", "exact_match", "f1",
                "answered_accuracy", "abstain_recall", "latency_ms_p50", "latency_ms_p95"):
        print(f"  ours   {key:<18} {m[key]}")
    for key, value in baseline.items():
        print(f"  bm25   {key:<18} {value}")
    for name, value in fusion.items():
        print(f"  same candidates ranked by {name:<6} sentence_hit@1 {value}")
    ratio = m["sentence_hit@1"] / baseline["sentence_hit@1"] if baseline["sentence_hit@1"] else float("nan")
    print(f"sentence_hit@1: ours {m['sentence_hit@1']:.4f} vs BM25 {baseline['sentence_hit@1']:.4f} "
          f"-> ratio {ratio:.3f}")
    print(f"failure buckets: {report.buckets}")


if __name__ == "__main__":
    main()
