"""Per-question latency of answer() against a bare question-encoder call, in one process (p50/p95, ratio),
with the cross-encoder re-ranking on (the default) and off (`rerank_top=0`); on a quiet machine and beside a
competing CPU-bound process that this script starts (one busy Python loop, stopped when the pass ends); and
for each backend (PyTorch fp32, the reference, and ONNX Runtime int8) in the same run, with the thread policy of
qa/encoder.py (one intra-op thread for one question's work); `--every-core` adds PyTorch's previous default (every
core for every call)."""

from __future__ import annotations

import argparse
import json
import platform
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import encoder as encoder_mod  # noqa: E402
from qa.config import Backend, Settings  # noqa: E402
from qa.engine import QA  # noqa: E402

BUSY_LOOP = "import time\nend = time.time() + {seconds}\nwhile time.time() < end:\n    pass\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT / "seeds")
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "seed_questions.jsonl")
    parser.add_argument("--repeat", type=int, default=20, help="passes over the question set")
    parser.add_argument("--every-core", action="store_true", help="also PyTorch with every core for every call")
    args = parser.parse_args()

    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    results, default_small_work = {}, encoder_mod.SMALL_WORK
    runs = [(b.value, "one thread per question", default_small_work) for b in Backend]
    if args.every_core:
        runs.append((Backend.TORCH.value, "every core", 0))
    with tempfile.TemporaryDirectory() as tmp:
        engines = {}
        for backend in Backend:
            engine = QA(args.corpus, Path(tmp) / f"index-{backend.value}", Settings(backend=backend))
            engine.build()
            plain = QA(args.corpus, Path(tmp) / f"index-{backend.value}", Settings(backend=backend, rerank_top=0),
                       encoder=engine.encoder)
            for q in questions:  # warm up every path
                engine.answer(q)
                plain.answer(q)
                engine.encoder.encode([q])
            engines[backend.value] = engine, plain
        for backend, policy, small_work in runs:
            engine, plain = engines[backend]
            encoder = engine.encoder
            calls = {"encoder call": lambda q, e=encoder: e.encode([q]), "answer()": engine.answer,
                     "answer(), no re-ranking": plain.answer}
            encoder_mod.SMALL_WORK = small_work  # 0: every call uses every core, the PyTorch default before
            for load in ("quiet", "busy"):
                competitor = None
                if load == "busy":
                    competitor = subprocess.Popen([sys.executable, "-c", BUSY_LOOP.format(seconds=600)])
                try:
                    results[backend, policy, load] = measure(calls, questions, args.repeat)
                finally:
                    if competitor is not None:
                        competitor.kill()
                        competitor.wait()
            encoder_mod.SMALL_WORK = default_small_work
    print(f"machine: {platform.machine()} {platform.processor() or ''} cores={os.cpu_count()}; {time.strftime('%Y-%m-%d')}")
    print(f"questions: {len(questions)} x {args.repeat} passes, corpus {args.corpus}, "
          f"re-ranking the best {Settings().rerank_top}; busy = one CPU-bound process beside it")
    for (backend, policy, load), times in results.items():
        p50 = {name: statistics.median(values) for name, values in times.items()}
        print(f"[{backend}, {policy}, {load}]")
        for name, values in times.items():
            print(f"  {name:<24} p50 {p50[name]:8.2f} ms   p95 {percentile(values, 0.95):8.2f} ms")
        print(f"  ratio answer/encoder p50: {p50['answer()'] / p50['encoder call']:.2f}x "
              f"(no re-ranking: {p50['answer(), no re-ranking'] / p50['encoder call']:.2f}x)")
    for backend, policy, _ in runs:
        quiet, busy = (statistics.median(results[backend, policy, load]["answer()"]) for load in ("quiet", "busy"))
        print(f"{backend}, {policy}: answer() p50 busy/quiet {busy / quiet:.2f}x")
    for load in ("quiet", "busy"):
        key = "one thread per question"
        onnx, torch_ = (statistics.median(results[b, key, load]["answer()"]) for b in ("onnx", "torch"))
        plain = statistics.median(results["onnx", key, load]["answer(), no re-ranking"])
        reference = statistics.median(results["torch", key, load]["encoder call"])
        print(f"{load}: answer() p50 onnx/torch {onnx / torch_:.2f}x; onnx answer() / torch encoder call "
              f"{onnx / reference:.2f}x (no re-ranking {plain / reference:.2f}x)")


def measure(calls: dict, questions: list[str], repeat: int) -> dict[str, list[float]]:
    """Milliseconds per call of each named call, over `repeat` passes of the questions, interleaved."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for q in questions:
            for name, call in calls.items():
                t = time.perf_counter()
                call(q)
                times[name].append((time.perf_counter() - t) * 1000)
    return times

if __name__ == "__main__":
    main()
