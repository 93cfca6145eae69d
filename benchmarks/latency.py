"""Per-question latency of answer() against a bare question-encoder call, in one process (p50/p95, ratio),
with the cross-encoder re-ranking on (the default) and off (`rerank_top=0`)."""

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

from qa.config import Settings  # noqa: E402
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
        plain = QA(args.corpus, Path(tmp) / "index", Settings(rerank_top=0), encoder=encoder)
        for q in questions:  # warm up every path
            engine.answer(q)
            plain.answer(q)
            encoder.encode([q])
        times: dict[str, list[float]] = {"encoder call": [], "answer()": [], "answer(), no re-ranking": []}
        for _ in range(args.repeat):
            for q in questions:
                for name, call in (("encoder call", lambda: encoder.encode([q])),
                                   ("answer()", lambda: engine.answer(q)),
                                   ("answer(), no re-ranking", lambda: plain.answer(q))):
                    t = time.perf_counter()
                    call()
                    times[name].append((time.perf_counter() - t) * 1000)
    p50 = {name: statistics.median(values) for name, values in times.items()}
    print(f"machine: {platform.machine()} {platform.processor() or ''} cores={__import__('os').cpu_count()}")
    print(f"questions: {len(questions)} x {args.repeat} passes, corpus {args.corpus}, "
          f"re-ranking the best {engine.settings.rerank_top}")
    for name, values in times.items():
        print(f"{name:<24} p50 {p50[name]:7.2f} ms   p95 {percentile(values, 0.95):7.2f} ms")
    print(f"ratio answer/encoder p50: {p50['answer()'] / p50['encoder call']:.2f}x "
          f"(no re-ranking: {p50['answer(), no re-ranking'] / p50['encoder call']:.2f}x)")


if __name__ == "__main__":
    main()
