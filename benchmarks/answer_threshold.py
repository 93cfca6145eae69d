"""How the reader's span probability trades answered share for exactness, on the SQuAD 'fit' quarter (never the
test half): for each answerable question, the engine's top sentence (re-ranking off, for speed) is read by the
reader, and its span is scored (EM/F1) against the answers; the answer-type rules (qa/span.py) are scored on the
same sentence. Prints, per threshold, the share answered, the exactness of what is answered, and EM/F1 over all
questions for reader-only and reader-else-rules. Settings.answer_threshold is chosen from this table.
The reader was fitted on these questions too, so its probabilities here are if anything optimistic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.fit_selector import fit_corpus  # noqa: E402
from qa import select  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import contains_answer, exact_match, f1_score  # noqa: E402
from qa.reader import DEFAULT_READER, Reader  # noqa: E402
from qa.span import short_answer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=800, help="first N answerable fit-quarter questions")
    parser.add_argument("--reader", type=Path, default=DEFAULT_READER)
    args = parser.parse_args()

    work = ROOT / "benchmarks" / "out" / "fit"
    corpus, labelled = fit_corpus(work)
    questions = [q for q in labelled if q.answerable][:args.questions]
    engine = QA(corpus, work / "index", Settings(rerank_top=0))
    reader, index = Reader(args.reader), engine.index
    rows = []
    for q, v in zip(questions, engine.encoder.encode([q.question for q in questions])):
        sq, cands = engine.candidates(index, q.question, v)
        sentence = index.sentence_text(int(select.rank(index, engine.cues, sq, cands, engine.selector).sentences[0]))
        span = reader.read(q.question, [sentence])[0]
        read = sentence[span.start:span.end] if span else None
        rule_span = short_answer(q.question, sq.kind, sentence, set(sq.stems))
        rule = sentence[rule_span[0]:rule_span[1]] if rule_span else None
        rows.append((span.answer_probability if span else 0.0, exact_match(read, q.answers), f1_score(read, q.answers),
                     exact_match(rule, q.answers), f1_score(rule, q.answers), contains_answer(sentence, q.answers)))
    r = np.array(rows)
    print(f"{len(r)} questions; top sentence holds an answer for {r[:, 5].mean():.3f}")
    print(f"reader EM {r[:, 1].mean():.3f} F1 {r[:, 2].mean():.3f}; rules EM {r[:, 3].mean():.3f} F1 {r[:, 4].mean():.3f}")
    for t in (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        a = r[:, 0] >= t
        print(f"threshold {t:.2f}: answered {a.mean():.2f}, exact among answered {r[a, 1].mean():.3f} "
              f"(F1 {r[a, 2].mean():.3f}) | reader only EM {np.where(a, r[:, 1], 0).mean():.3f} "
              f"F1 {np.where(a, r[:, 2], 0).mean():.3f} | else rules EM {np.where(a, r[:, 1], r[:, 3]).mean():.3f} "
              f"F1 {np.where(a, r[:, 2], r[:, 4]).mean():.3f}")


if __name__ == "__main__":
    main()
