"""Scale: the real index (FAISS + BM25 + tables) over 10k, 100k and 1M sentences of real text; the time of the
whole answer() path except the question encoder, sentence_hit@1, and memory (RSS and bytes on disk per sentence).

- Text: the 48 SQuAD v1.1 dev articles and the 21 news development articles as they are (about 10.9k
  sentences, so the questions have their answers somewhere), plus filler up to the size: their body sentences
  recombined (the first half of one sentence's words, then the second half of another's) into articles of 30
  sentences in paragraphs of 4, written as JSONL exports (title, date, text) and read by the same ingest as a
  user's. Word statistics are those of the real sentences; the vocabulary is theirs (about 40k stems), so
  postings are longer than a real corpus of that size would have, which makes the BM25 side slower here.
- Vectors: the real articles' sentences and passages are encoded by the real encoder with the backend in use,
  as the build would (its throughput is printed); a filler sentence's vector is the normalised sum of its two
  source sentences' vectors, and a filler passage's the normalised mean of its sentences'. The build's other
  work is the real build's (qa/index.py: plan, then write_planned with these vectors).
- Questions: 3/4 from the SQuAD dev test split, 1/4 the news set's answerable standalone ones, encoded
  beforehand by the real encoder; answer() is then timed as it runs (retrieval, selection, the cross-encoder,
  the reader, the evidence), without the encoder call. hit@1: the answer's sentence holds a gold answer (a
  refusal counts as a miss), so the filler's distractors show in it.
- Each size is built in one child process and measured in others, so RSS belongs to the loaded index and the
  models only: "index RSS" is what loading the index added, "RSS" the process after the timed questions.

With --faiss, the earlier search-only table: exact vs IVF passage search over synthetic clustered vectors,
with the recall@10 of IVF against exact search (what AUTO's switch at Settings.ann_threshold rests on).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from qa.config import Backend, IndexType, Settings  # noqa: E402

SQUAD_ZIP = ROOT.parent / "shared" / "eval" / "squad-dev-v1.1.json.zip"
NEWS = ROOT.parent / "shared" / "eval" / "news"
ARTICLE_SENTENCES = 30
PARAGRAPH_SENTENCES = 4
ROWS_PER_FILE = 2000  # about 10 MB of JSONL per file


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def squad_questions() -> list[tuple[str, tuple[str, ...]]]:
    """(question, answers) of the SQuAD dev test split (benchmarks/squad.py's; nothing was fitted on it)."""
    from benchmarks.squad import split

    with zipfile.ZipFile(SQUAD_ZIP) as z:
        data = json.loads(z.read(next(n for n in z.namelist() if n.endswith(".json"))))["data"]
    return [(qa["question"].strip(), tuple(a["text"] for a in qa["answers"]))
            for a in data for p in a["paragraphs"] for qa in p["qas"] if split(qa["id"]) == "test"]


def source_corpus(tmp: Path) -> Path:
    """The SQuAD dev articles (one file each, as benchmarks/squad.py writes them) and the news articles."""
    from benchmarks.squad import make_corpus

    folder = tmp / "sources"
    make_corpus(SQUAD_ZIP, folder)
    for path in sorted((NEWS / "articles").iterdir()):
        if path.is_file():
            (folder / f"news-{path.name}").write_bytes(path.read_bytes())
    return folder


def encode_sources(tmp: Path, settings: Settings) -> Path:
    """The source corpus's own index texts (every sentence and every passage as the build embeds it) and their
    vectors from the real encoder; prints the encoder's throughput."""
    from qa import index as index_mod
    from qa.corpus import BlockKind, read_corpus
    from qa.encoder import Encoder, model_path

    shutil.rmtree(tmp / "sources", ignore_errors=True)  # left by an interrupted run in a kept folder
    folder = source_corpus(tmp)
    encoder = Encoder(settings.model, batch_size=settings.batch_size, backend=settings.backend)
    model = index_mod.ModelRecord(settings.model, model_path(settings.model)[1], encoder.info.dim, encoder.info.graph)
    work = index_mod.plan(read_corpus(folder), settings, model)
    texts = list(dict.fromkeys(work.sentence_texts + work.passage_texts))
    encoder.encode(["warm up"])
    started = time.perf_counter()
    vectors = encoder.encode(texts)
    seconds = time.perf_counter() - started
    print(f"real texts encoded ({settings.backend.value}): {len(texts)} sentences and passages in {seconds:.1f} s = "
          f"{len(texts) / seconds:.1f} texts/s", flush=True)
    body = {t for t, (_, _, _, kind) in zip(work.sentence_texts, work.sentence_rows)
            if kind == index_mod.kind_code(BlockKind.BODY) and len(t.split()) >= 6}
    out, partial = tmp / f"sources-{settings.backend.value}.npz", tmp / "sources-partial.npz"
    np.savez(partial, vectors=vectors, texts=np.array(texts, dtype=object),
             recombine=np.array([t in body for t in texts]), folder=np.array(str(folder)),
             real_sentences=np.array(len(work.sentence_texts)))
    os.replace(partial, out)  # complete, or not there: a kept folder never holds half a file
    return out


def recombined(texts: list[str], vectors: np.ndarray, n: int, rng: random.Random) -> tuple[list[str], np.ndarray]:
    """n sentences, each the first half of one real sentence's words and the second half of another's, with the
    normalised sum of the two sources' vectors."""
    words = [t.split() for t in texts]
    out, rows = [], np.zeros((n, vectors.shape[1]), dtype=np.float32)
    for i in range(n):
        a, b = rng.randrange(len(texts)), rng.randrange(len(texts))
        head, tail = words[a][: len(words[a]) // 2], words[b][len(words[b]) // 2:]
        out.append(" ".join(head + tail))
        rows[i] = vectors[a] + vectors[b]
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return out, rows


def build_child(sources: Path, size: int, folder: Path, settings: Settings) -> None:
    """Write the JSONL corpus of `size` sentences and build its index in folder/index; print one JSON line."""
    from qa import index as index_mod
    from qa.corpus import read_corpus
    from qa.encoder import graph_key, model_path

    saved = np.load(sources, allow_pickle=True)
    rng = random.Random(size)
    real_texts, real_vectors = list(saved["texts"]), saved["vectors"]
    pool = np.flatnonzero(saved["recombine"])
    filler = max(0, size - int(saved["real_sentences"]))
    texts, vectors = recombined([real_texts[i] for i in pool], real_vectors[pool], filler, rng)
    # the real articles keep their real vectors; the filler its mixed ones
    by_text = {**dict(zip(texts, vectors)), **dict(zip(real_texts, real_vectors))}
    corpus_dir = folder / "corpus"
    shutil.copytree(str(saved["folder"]), corpus_dir)
    n_articles = (filler + ARTICLE_SENTENCES - 1) // ARTICLE_SENTENCES
    started = time.perf_counter()
    for f in range(0, n_articles, ROWS_PER_FILE):
        with open(corpus_dir / f"export-{f // ROWS_PER_FILE:04d}.jsonl", "w", encoding="utf-8") as out:
            for a in range(f, min(n_articles, f + ROWS_PER_FILE)):
                ss = texts[a * ARTICLE_SENTENCES:(a + 1) * ARTICLE_SENTENCES]
                paragraphs = [" ".join(ss[p:p + PARAGRAPH_SENTENCES]) for p in range(0, len(ss), PARAGRAPH_SENTENCES)]
                day = 1 + a % 28
                row = {"id": f"a{a}", "title": " ".join(ss[0].split()[:8]), "text": "\n\n".join(paragraphs),
                       "date": f"{2015 + a % 10}-{1 + a % 12:02d}-{day:02d}", "source": f"outlet{a % 50}"}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    corpus = read_corpus(corpus_dir)
    read_s = time.perf_counter() - started
    _, version = model_path(settings.model)
    dim = vectors.shape[1]
    model = index_mod.ModelRecord(settings.model, version, dim, graph_key(settings.model, settings.backend))
    started = time.perf_counter()
    work = index_mod.plan(corpus, settings, model)
    plan_s = time.perf_counter() - started
    missing = 0

    def made_vectors() -> tuple[np.ndarray, np.ndarray]:
        nonlocal missing
        sentence_vectors = np.zeros((len(work.sentence_texts), dim), dtype=np.float32)
        for i, text in enumerate(work.sentence_texts):
            vector = by_text.get(text)
            if vector is None:  # a filler headline, or a recombined sentence the splitter cut differently
                missing += 1
                vector = vectors[rng.randrange(len(vectors))] if len(vectors) else real_vectors[0]
            sentence_vectors[i] = vector
        passage_vectors = np.zeros((len(work.passage_rows), dim), dtype=np.float32)
        for p, (_, first, last) in enumerate(work.passage_rows):
            real = by_text.get(work.passage_texts[p])  # a real article's passage, encoded as the build would
            passage_vectors[p] = real if real is not None else sentence_vectors[first:last].mean(axis=0)
        passage_vectors /= np.linalg.norm(passage_vectors, axis=1, keepdims=True)
        return passage_vectors, sentence_vectors

    started = time.perf_counter()
    manifest = index_mod.write_planned(work, made_vectors, folder / "index", settings, model, started)
    write_s = time.perf_counter() - started
    data = folder / "index" / manifest.data
    disk = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    print(json.dumps({"sentences": manifest.counts.sentences, "passages": manifest.counts.passages,
                      "articles": manifest.counts.articles, "read_s": read_s, "plan_s": plan_s,
                      "write_s": write_s, "disk": disk,
                      "not_recombined": missing / max(1, len(work.sentence_texts))}))


class KnownQuestions:
    """The real encoder, with the benchmark's questions encoded by it beforehand: answer() then runs everything
    but the question encoder call. A text it was not given is encoded on the spot (and counted)."""

    def __init__(self, encoder, questions: list[str]) -> None:
        self.info, self.backend, self._encoder = encoder.info, encoder.backend, encoder
        self._vectors = dict(zip(questions, encoder.encode(questions)))
        self.unknown = 0

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if all(t in self._vectors for t in texts):
            return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, self.info.dim), np.float32)
        self.unknown += 1
        return self._encoder.encode(texts, progress=progress)


def measure_child(folder: Path, settings: Settings, n_questions: int) -> None:
    """Load the index, answer the questions (20 to warm up, then each once, timed), print one JSON line."""
    from qa.encoder import Encoder
    from qa.engine import QA, clean_question
    from qa.evaluate import contains_answer, load_questions
    from qa.index import stale_reason

    rng = random.Random(0)
    pool = squad_questions()
    rng.shuffle(pool)
    news = [(q.question, q.answers) for q in load_questions(NEWS / "questions.jsonl") if q.answers and not q.history]
    rows = pool[: n_questions - n_questions // 4] + news[: n_questions // 4]
    questions = [q for q, _ in rows]
    asked = [clean_question(q, settings.max_question_chars)[0] for q in questions]  # what answer() encodes
    encoder = KnownQuestions(Encoder(settings.model, batch_size=settings.batch_size, backend=settings.backend),
                             asked)
    if (reason := stale_reason(folder / "index", folder / "corpus", settings)) is not None:
        sys.exit(f"the index in {folder} does not match this code or these settings ({reason}): delete the folder "
                 f"and run again to rebuild it")
    before = rss_mib()
    engine = QA(folder / "corpus", folder / "index", settings, encoder=encoder)
    engine.build()  # loads the index: the corpus is unchanged since it was built
    index, _ = engine.loaded()
    index_rss = rss_mib() - before
    for q in questions[:20]:
        engine.answer(q)
    timings, hits = [], []
    for q, answers in rows:
        started = time.perf_counter()
        a = engine.answer(q)
        timings.append((time.perf_counter() - started) * 1000)
        hits.append(a.found and contains_answer(a.sentence, answers))
    timings.sort()
    out = {"questions": len(questions), "unknown": encoder.unknown, "index_rss": index_rss, "rss": rss_mib(),
           "hit": float(np.mean(hits)),
           "search": type(index.passage_index).__name__.replace("Index", ""), "p50": statistics.median(timings),
           "p95": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]}
    print(json.dumps(out))


def child(args: list[str]) -> dict:
    run = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def faiss_table(sizes: list[int], n_queries: int, dim: int) -> None:
    """Exact vs IVF passage search over synthetic clustered vectors (2,000 topic directions with noise)."""
    import faiss

    from qa.index import ivf_lists, ivf_probes, make_search_index

    rng = np.random.default_rng(0)
    centers = rng.normal(0, 1, (2000, dim)).astype(np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)

    def clustered(n: int) -> np.ndarray:
        x = centers[rng.integers(0, len(centers), n)] + rng.normal(0, 0.8 / np.sqrt(dim), (n, dim)).astype(np.float32)
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    print(f"\nsearch only (synthetic vectors), faiss {faiss.__version__}, threads {faiss.omp_get_max_threads()}")
    print(f"{'passages':>9} {'index':>5} {'lists/probes':>12} {'build s':>8} {'MiB':>7} {'p50 ms':>7} {'recall@10':>9}")
    for n in sizes:
        data, queries = clustered(n), clustered(n_queries)
        exact = None
        for kind in (IndexType.FLAT, IndexType.IVF):
            started = time.perf_counter()
            index = make_search_index(data, Settings(index_type=kind))
            build_s = time.perf_counter() - started
            times, found = [], []
            for q in queries:
                t = time.perf_counter()
                _, ids = index.search(q.reshape(1, -1), 24)
                times.append((time.perf_counter() - t) * 1000)
                found.append(ids[0][:10])
            exact = found if kind is IndexType.FLAT else exact
            recall = 1.0 if kind is IndexType.FLAT else float(
                np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact)]))
            lists = f"{ivf_lists(n)}/{ivf_probes(ivf_lists(n))}" if kind is IndexType.IVF else "-"
            mib = faiss.serialize_index(index).size / 2**20
            print(f"{n:>9} {kind.value:>5} {lists:>12} {build_s:>8.1f} {mib:>7.0f} {np.median(times):>7.2f} "
                  f"{recall:>9.3f}", flush=True)
    print(f"AUTO switches to IVF at {Settings().ann_threshold} passages.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="sentences")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--backend", choices=[b.value for b in Backend], default=None,
                        help="encoder backend (default: Settings().backend)")
    parser.add_argument("--faiss", action="store_true", help="also the synthetic search-only table")
    parser.add_argument("--keep", metavar="FOLDER", type=Path, default=None,
                        help="build in FOLDER and keep it; a later run reuses the sources and indexes found there "
                             "(for profiling one size again without rebuilding it)")
    parser.add_argument("--build-child", nargs=3, metavar=("SOURCES", "SIZE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--measure-child", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--rerank-top", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings = Settings() if args.backend is None else Settings(backend=Backend(args.backend))
    if args.rerank_top is not None:
        settings = settings.replace(rerank_top=args.rerank_top)
    if args.build_child:
        sources, size, folder = args.build_child
        return build_child(Path(sources), int(size), Path(folder), settings)
    if args.measure_child:
        return measure_child(Path(args.measure_child), settings, args.questions)

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"backend {settings.backend.value}, {args.questions} questions (3/4 SQuAD dev, 1/4 news)")
    backend = ["--backend", settings.backend.value]
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        kept = work / f"sources-{settings.backend.value}.npz"
        sources = kept if kept.exists() else encode_sources(work, settings)
        print(f"{'sentences':>9} {'passages':>8} {'search':>6} {'build s':>8} {'disk B/sent':>11} "
              f"{'index RSS MiB':>13} {'RSS MiB':>8} {'answer()-enc p50/p95 ms':>24} {'no rerank p50/p95':>18} "
              f"{'hit@1':>6} {'no rerank':>9}")
        for size in sizes:
            folder = work / f"size-{size}-{settings.backend.value}"
            done = folder / "built.json"
            reused = done.exists()
            if not reused:
                shutil.rmtree(folder, ignore_errors=True)
                done.parent.mkdir(parents=True)
                done.write_text(json.dumps(child([*backend, "--build-child", str(sources), str(size), str(folder)])))
            built = json.loads(done.read_text())
            seen = child([*backend, "--questions", str(args.questions), "--measure-child", str(folder)])
            plain = child([*backend, "--questions", str(args.questions), "--rerank-top", "0",
                           "--measure-child", str(folder)])
            build_s = built["read_s"] + built["plan_s"] + built["write_s"]
            print(f"{built['sentences']:>9} {built['passages']:>8} {seen['search']:>6} {build_s:>8.1f} "
                  f"{built['disk'] / built['sentences']:>11.0f} {seen['index_rss']:>13.0f} {seen['rss']:>8.0f} "
                  f"{seen['p50']:>11.1f} / {seen['p95']:<10.1f} {plain['p50']:>7.1f} / {plain['p95']:<8.1f} "
                  f"{seen['hit']:>6.3f} {plain['hit']:>9.3f}",
                  flush=True)
            if built["not_recombined"] > 0.02 or seen["unknown"]:
                print(f"  note: {built['not_recombined']:.1%} of sentences not as generated (random vectors of the "
                      f"pool); {seen['unknown']} question(s) encoded during timing")
            if reused:
                print(f"  note: the index was kept from an earlier run ({folder}); its build time is that run's")
            if args.keep is None:
                shutil.rmtree(folder, ignore_errors=True)
    if args.faiss:
        faiss_table([s // 3 for s in sizes], 200, 384)


if __name__ == "__main__":
    main()
