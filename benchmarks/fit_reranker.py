"""Fit the package's cross-encoder re-ranker (qa/reranker.npz) on the 'rerank' quarter of SQuAD v1.1 dev, then,
with --news, on the news development set's questions as well.

For every question of that quarter the engine retrieves candidates and the current selector ranks them; the
best `--top` go to the cross-encoder. Low-rank adapters (LoRA, rank 8) on every linear layer of MiniLM-L6 and
a scoring head are trained with a listwise loss: per question, the softmax over its candidates should put its
mass on the sentences that hold an answer. The base weights stay frozen, so only the adapter is stored.
The 'fit' quarter (benchmarks/fit_selector.py) and the 'test' half (benchmarks/squad.py) are never used here.
Takes about 22 minutes on 2 CPU cores (2 epochs).

With --news [DIR] the fit goes on from the SQuAD-only cross-encoder (--start, qa/reranker.npz as shipped) with the
news questions (`collected_groups`): each standalone answerable question's best `--top` candidates as a linear
selector fitted on the SQuAD 'fit' quarter and these questions ranks them (the cross-encoder's own input when
answering), mixed with as many 'rerank' quarter questions so that it does not forget prose. 3 epochs at lr 3e-4,
about 4 minutes, written to benchmarks/out/reranker-news.npz unless --out says otherwise. --leave-out-fold K keeps
fold K's articles out. Not shipped: `benchmarks/news.py --cv --cross-encoder-news` refits it per fold (and per
pair of folds, for the selector's fit), and the cross-validated figures went down (README, Figures).
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

from benchmarks.lora import save_fit, training_setup_from  # noqa: E402
from benchmarks.news_folds import add_news_arguments, news_questions  # noqa: E402
from benchmarks.squad import DEFAULT_ZIP, make_corpus, split  # noqa: E402
from qa import adapter, calibrate, rerank, select  # noqa: E402
from qa.engine import QA  # noqa: E402
from qa.evaluate import Question, contains_answer  # noqa: E402

SQUAD_WORK = ROOT / "benchmarks" / "out" / "squad"
NEWS_OUT = ROOT / "benchmarks" / "out" / "reranker-news.npz"  # where --news writes: measured worse, not shipped
Group = tuple[str, list[str], np.ndarray]  # (question, candidate sentences as the cross-encoder reads them, labels)


def training_groups(engine: QA, questions, top: int, selector: select.Selector | None = None) -> list[Group]:
    """(question, its `top` best candidate sentences by `selector` (the engine's own when None), labels) where the
    labels mix."""
    index = engine.index
    vectors = engine.encoder.encode([q.question for q in questions], progress=True)
    groups = []
    for q, v in zip(questions, vectors):
        sq, cands = engine.candidates(index, q.question, v)
        scored = select.rank(index, engine.cues, sq, cands, selector or engine.selector)
        texts = [index.sentence_text(int(s)) for s in scored.sentences[:top]]
        labels = np.array([contains_answer(t, q.answers) for t in texts], dtype=np.float32)
        if 0 < labels.sum() < len(labels):
            groups.append((q.question, texts, labels))
    return groups


def collected_groups(data: calibrate.Collected, selector: select.Selector, top: int) -> list[Group]:
    """`training_groups` from collected candidates: per question, the `top` rows the cross-encoder would read
    after `selector`'s linear stage (select.rerank_rows), as it reads them, where right and wrong ones mix."""
    linear = selector.score(data.x)
    groups = []
    for start, end in calibrate.question_rows(data.groups):
        best = select.rerank_rows(data.x[start:end], linear[start:end], top)
        labels = data.y[start + best].astype(np.float32)
        if 0 < labels.sum() < len(labels):
            groups.append((data.questions[data.groups[start]], [(data.read or data.texts)[start + r] for r in best],
                           labels))
    return groups


def train(groups: list[Group], *, start: Path | None = None, epochs: float = 2.0, rank: int = 8, lr: float = 1e-3,
          batch: int = 4):
    """LoRA adapters and a scoring head fitted with the listwise loss on the groups, from the adapter and head of
    `start` when given (its rank is kept). Returns (adapters, head, rank)."""
    groups = list(groups)
    model, tokenizer = adapter.load_base()
    head = torch.nn.Linear(model.config.hidden_size, 1)
    steps = max(1, int(len(groups) * epochs / batch))
    adapters, optimizer, schedule, rank = training_setup_from(model, head, start, rank, lr, steps)
    model.train()
    started = time.perf_counter()
    step, recent = 0, []
    while step < steps:
        random.shuffle(groups)
        for at in range(0, len(groups) - batch + 1, batch):
            if step >= steps:
                break
            loss = torch.zeros(())
            for question, texts, labels in groups[at:at + batch]:
                s = rerank.pair_scores(model, head.weight[0], head.bias[0], tokenizer, question, texts)
                right = torch.from_numpy(labels) > 0
                loss = loss + torch.logsumexp(s, 0) - torch.logsumexp(s[right], 0)
            (loss / batch).backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            recent.append(loss.item() / batch)
            if step % 50 == 0 or step == steps:
                print(f"step {step}/{steps}  listwise loss {np.mean(recent):.3f}  "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
                recent = []
    return adapters, head, rank


def save(out: Path, adapters, head, rank: int, fitted_on: str) -> None:
    save_fit(out, adapters, {"head.weight": head.weight[0].detach().numpy(), "head.bias": head.bias.detach().numpy()},
             rank, fitted_on)


def fit_on_news(news: calibrate.Collected, squad_fit: calibrate.Collected, out: Path, note: str, *,
                start: Path = rerank.DEFAULT_RERANKER, top: int = 8, epochs: float = 3.0, lr: float = 3e-4,
                batch: int = 4, zip_path: Path = DEFAULT_ZIP, seed: int = 0) -> None:
    """Go on from the cross-encoder `start` with the answerable news questions collected in `news`
    (`collected_groups`), and as many 'rerank' quarter questions; the candidates of both are ranked by a linear
    selector fitted on `squad_fit` (the SQuAD 'fit' quarter) and `news`. Writes the adapter to `out`."""
    _, info, _ = adapter.read_adapter(start, ("head.weight", "head.bias"), "re-ranker adapter")
    if "--news" in info.fitted_on:
        raise ValueError(f"{start} was fitted on news questions already: start from a SQuAD-only fit")
    torch.manual_seed(seed)
    random.seed(seed)
    news = calibrate.subset(news, news.answerable)  # the news groups: its answerable questions, whoever collected it
    linear = calibrate.fit(calibrate.combine([squad_fit, news])).selector  # no cross-encoder: its first stage
    news_rows = collected_groups(news, linear, top)
    questions = [q for q in make_corpus(zip_path, SQUAD_WORK / "corpus") if split(q.id) == "rerank"]
    sample = random.Random(seed).sample(questions, min(len(questions), 3 * len(news_rows)))
    squad = training_groups(QA(SQUAD_WORK / "corpus", SQUAD_WORK / "index"), sample, top, linear)
    groups = news_rows + squad[:len(news_rows)]
    started = time.perf_counter()
    adapters, head, rank = train(groups, start=start, epochs=epochs, lr=lr, batch=batch)
    save(out, adapters, head, rank,
         f"{start.name} ({info.fitted_on}), then {len(groups)} questions' top {top} candidates: {note} "
         f"({len(news_rows)} news, the rest SQuAD 'rerank'), {epochs:g} epochs, lr {lr:g}, by "
         f"benchmarks/fit_reranker.py --news")
    print(f"wrote {out} in {time.perf_counter() - started:.0f} s ({len(groups)} questions)", flush=True)


def news_data(news_dir: Path, questions: list[Question]) -> calibrate.Collected:
    """The standalone news questions' candidates collected over the news index (`fit_on_news` keeps the
    answerable ones)."""
    engine = QA(news_dir / "articles", ROOT / "benchmarks" / "out" / "news" / "index")
    engine.build()
    return calibrate.collect(engine, [q for q in questions if not q.history], progress=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--work", type=Path, default=SQUAD_WORK)
    parser.add_argument("--out", type=Path, default=None,
                        help=f"default {rerank.DEFAULT_RERANKER}; with --news {NEWS_OUT} (it is not shipped)")
    parser.add_argument("--top", type=int, default=8, help="candidates per question (default 8)")
    parser.add_argument("--epochs", type=float, default=None, help="2 from scratch, 3 with --news")
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--lr", type=float, default=None, help="1e-3 from scratch, 3e-4 with --news")
    parser.add_argument("--batch", type=int, default=4, help="questions per step")
    parser.add_argument("--splits", nargs="+", choices=("rerank", "fit"), default=["rerank"],
                        help="the SQuAD dev quarters to fit on (default: 'rerank'; the selector is fitted on 'fit')")
    add_news_arguments(parser, rerank.DEFAULT_RERANKER, "cross-encoder")
    args = parser.parse_args()

    torch.manual_seed(0)
    random.seed(0)
    if args.news is not None:
        from benchmarks.fit_selector import squad_fit_data

        questions, note = news_questions(args)
        squad_fit = squad_fit_data(progress=True, zip_path=args.zip)[0]
        fit_on_news(news_data(args.news, questions), squad_fit, args.out or NEWS_OUT, note, start=args.start,
                    top=args.top, epochs=args.epochs or 3.0, lr=args.lr or 3e-4, batch=args.batch, zip_path=args.zip)
        return
    questions = [q for q in make_corpus(args.zip, args.work / "corpus") if split(q.id) in args.splits]
    engine = QA(args.work / "corpus", args.work / "index", progress=True)
    engine.build()
    groups = training_groups(engine, questions, args.top)
    shown = " + ".join(f"'{s}'" for s in args.splits)
    print(f"{shown} split: {len(questions)} questions, {len(groups)} with right and wrong candidates in the "
          f"top {args.top}", flush=True)
    epochs = args.epochs or 2.0
    started = time.perf_counter()
    adapters, head, rank = train(groups, epochs=epochs, rank=args.rank, lr=args.lr or 1e-3, batch=args.batch)
    out = args.out or rerank.DEFAULT_RERANKER
    save(out, adapters, head, rank, f"SQuAD v1.1 dev {shown} split: {len(groups)} questions, top {args.top} "
                                    f"candidates each, {epochs:g} epoch(s)")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
