"""Fit the package's cross-encoder re-ranker (qa/reranker.npz) on the 'rerank' quarter of SQuAD v1.1 dev.

For every question of that quarter the engine retrieves candidates and the current selector ranks them; the
best `--top` go to the cross-encoder. Low-rank adapters (LoRA, rank 8) on every linear layer of MiniLM-L6 and
a scoring head are trained with a listwise loss: per question, the softmax over its candidates should put its
mass on the sentences that hold an answer. The base weights stay frozen, so only the adapter is stored.
The 'fit' quarter (benchmarks/fit_selector.py) and the 'test' half (benchmarks/squad.py) are never used here.
Takes about 22 minutes on 2 CPU cores (2 epochs).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from benchmarks.lora import adapter_arrays, training_setup  # noqa: E402
from benchmarks.squad import DEFAULT_ZIP, make_corpus, split  # noqa: E402
from qa import adapter, rerank, select  # noqa: E402
from qa.encoder import model_path  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import contains_answer  # noqa: E402


def training_groups(engine: QA, questions, top: int) -> list[tuple[str, list[str], np.ndarray]]:
    """(question, its `top` best candidate sentences by the current selector, labels) where the labels mix."""
    index = engine.index
    vectors = engine.encoder.encode([q.question for q in questions], progress=True)
    groups = []
    for q, v in zip(questions, vectors):
        sq, cands = engine.candidates(index, q.question, v)
        scored = select.rank(index, engine.cues, sq, cands, engine.selector)
        texts = [index.sentence_text(int(s)) for s in scored.sentences[:top]]
        labels = np.array([contains_answer(t, q.answers) for t in texts], dtype=np.float32)
        if 0 < labels.sum() < len(labels):
            groups.append((q.question, texts, labels))
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "squad")
    parser.add_argument("--out", type=Path, default=rerank.DEFAULT_RERANKER)
    parser.add_argument("--top", type=int, default=8, help="candidates per question (default 8)")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch", type=int, default=4, help="questions per step")
    args = parser.parse_args()

    torch.manual_seed(0)
    random.seed(0)
    questions = [q for q in make_corpus(args.zip, args.work / "corpus") if split(q.id) == "rerank"]
    engine = QA(args.work / "corpus", args.work / "index", progress=True)
    engine.build()
    groups = training_groups(engine, questions, args.top)
    print(f"'rerank' split: {len(questions)} questions, {len(groups)} with right and wrong candidates in the "
          f"top {args.top}", flush=True)

    model, tokenizer = adapter.load_base()
    head = torch.nn.Linear(model.config.hidden_size, 1)
    steps = max(1, int(len(groups) * args.epochs / args.batch))
    adapters, optimizer, schedule = training_setup(model, head, args.rank, args.lr, steps)
    model.train()
    started = time.perf_counter()
    step, recent = 0, []
    while step < steps:
        random.shuffle(groups)
        for at in range(0, len(groups) - args.batch + 1, args.batch):
            if step >= steps:
                break
            loss = torch.zeros(())
            for question, texts, labels in groups[at:at + args.batch]:
                s = rerank.pair_scores(model, head.weight[0], head.bias[0], tokenizer, question, texts)
                right = torch.from_numpy(labels) > 0
                loss = loss + torch.logsumexp(s, 0) - torch.logsumexp(s[right], 0)
            (loss / args.batch).backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            recent.append(loss.item() / args.batch)
            if step % 50 == 0 or step == steps:
                print(f"step {step}/{steps}  listwise loss {np.mean(recent):.3f}  "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
                recent = []
    _, version = model_path(adapter.BASE_MODEL)
    info = adapter.AdapterInfo(base=adapter.BASE_MODEL, base_version=version, rank=args.rank, alpha=2.0 * args.rank,
                              fitted_on=f"SQuAD v1.1 dev 'rerank' split: {len(groups)} questions, top {args.top} "
                                        f"candidates each, {args.epochs:g} epoch(s)")
    adapter.save_adapter(args.out, adapter_arrays(adapters),
                        {"head.weight": head.weight[0].detach().numpy(), "head.bias": head.bias.detach().numpy()},
                        info)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
