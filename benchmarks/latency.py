"""Per-question latency of answer() against a bare question-encoder call, in one process (p50/p95, ratio)."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.engine import QA  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT / "seeds")
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "seed_questions.jsonl")
    parser.add_argument("--repeat", type=int, default=20, help="passes over the question set")
    args = parser.parse_args()

    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        engine = QA(args.corpus, Path(tmp) / "index")
        engine.build()
        encoder = engine.encoder
        for q in questions:  # warm up both paths
            engine.answer(q)
            encoder.encode([q])
        encode_ms, answer_ms = [], []
        for _ in range(args.repeat):
            for q in questions:
                t = time.perf_counter()
                encoder.encode([q])
                encode_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                engine.answer(q)
                answer_ms.append((time.perf_counter() - t) * 1000)
    enc50, ans50 = statistics.median(encode_ms), statistics.median(answer_ms)
    print(f"machine: {platform.machine()} {platform.processor() or ''} cores={__import__('os').cpu_count()}")
    print(f"questions: {len(questions)} x {args.repeat} passes, corpus {args.corpus}")
    print(f"encoder call   p50 {enc50:7.2f} ms   p95 {percentile(encode_ms, 0.95):7.2f} ms")
    print(f"answer()       p50 {ans50:7.2f} ms   p95 {percentile(answer_ms, 0.95):7.2f} ms")
    print(f"ratio answer/encoder p50: {ans50 / enc50:.2f}x")


if __name__ == "__main__":
    main()
