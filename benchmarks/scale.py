"""Search-side scale: exact vs IVF passage search over synthetic normalised vectors at 10k, 100k and 1M.

The vectors have the model's dimension (384) and a clustered structure like real sentence embeddings
(a mixture of 2,000 topic directions with noise); queries come from the same mixture. For each size it prints
the build time, bytes in memory, p50 search time for one question (top 24, as the engine asks), and the
recall@10 of the approximate index against exact search.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from qa.config import IndexType, Settings  # noqa: E402
from qa.index import ivf_lists, ivf_probes, make_search_index  # noqa: E402


def clustered(n: int, dim: int, rng: np.random.Generator, centers: np.ndarray) -> np.ndarray:
    topic = rng.integers(0, len(centers), n)
    x = centers[topic] + rng.normal(0, 0.8 / np.sqrt(dim), (n, dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32)


def index_bytes(index: faiss.Index) -> int:
    return int(faiss.serialize_index(index).size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--dim", type=int, default=384)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 1, (2000, args.dim)).astype(np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    print(f"date: {time.strftime('%Y-%m-%d')}  machine: {platform.machine()}, {__import__('os').cpu_count()} cores, "
          f"faiss {faiss.__version__}, threads {faiss.omp_get_max_threads()}")
    print(f"{'passages':>9} {'index':>5} {'lists/probes':>12} {'build s':>8} {'MiB':>7} {'p50 ms':>7} {'recall@10':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        data = clustered(n, args.dim, rng, centers)
        queries = clustered(args.queries, args.dim, rng, centers)
        results = {}
        for kind in (IndexType.FLAT, IndexType.IVF):
            started = time.perf_counter()
            index = make_search_index(data, Settings(index_type=kind))
            build_s = time.perf_counter() - started
            times = []
            found = []
            for q in queries:
                t = time.perf_counter()
                _, ids = index.search(q.reshape(1, -1), 24)
                times.append((time.perf_counter() - t) * 1000)
                found.append(ids[0][:10])
            results[kind] = found
            recall = (np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, results[IndexType.FLAT])])
                      if kind is IndexType.IVF else 1.0)
            lists = f"{ivf_lists(n)}/{ivf_probes(ivf_lists(n))}" if kind is IndexType.IVF else "-"
            print(f"{n:>9} {kind.value:>5} {lists:>12} {build_s:>8.1f} {index_bytes(index) / 2**20:>7.0f} "
                  f"{np.median(times):>7.2f} {recall:>9.3f}", flush=True)
            del index
    print(f"AUTO switches to IVF at {Settings().ann_threshold} passages.")


if __name__ == "__main__":
    main()
