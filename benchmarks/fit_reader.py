"""Fit the package's short-answer reader (qa/reader.npz): on the SQuAD v1.1 dev questions outside the test split,
then, with --news, on the news development set's questions as well.

Every question of the 'fit' and 'rerank' quarters (benchmarks/squad.py `split`) gives one example: the question
with the sentence of its paragraph that holds the first given answer, and the answer's start and end tokens.
For each, another sentence of the same paragraph that holds no answer is a "no answer" example (target:
[CLS]), so the reader's null probability means something. Low-rank adapters (LoRA) on every linear layer of
MiniLM-L6 and a start/end head are trained on -log P(any of the answer's given spans): where the annotators drew
another boundary around the same answer ("At least 185" and "185"), either counts (`gold_spans`; with one span
this is the usual start and end cross-entropy). benchmarks/reader_squad.npz was fitted before this, with the first
answer alone. The test half is never read. --holdout keeps a share of the questions out of training and prints
span EM/F1 on them.

With --start ADAPTER --news DIR the fit starts from a fitted reader (benchmarks/reader_squad.npz, the SQuAD-only
reader) and goes on with the news questions (`news_examples`: each standalone row's `support` sentence with its
answer, and another sentence of its article as "no answer"), mixed with as many SQuAD examples again so that it
does not forget prose; --leave-out-fold K keeps fold K's articles (benchmarks/news_folds.py) out, as
benchmarks/news.py --cv does per fold. The questions of benchmarks/news_extra (more invented news articles, see its
README) join the news step too, each over its own articles; --extra DIR ... names other such sets, --extra alone
none.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from benchmarks.lora import save_fit, training_setup_from  # noqa: E402
from benchmarks.news_folds import (add_extra_argument, add_news_arguments, extra_note, extra_sets,  # noqa: E402
                                   news_questions)
from benchmarks.squad import DEFAULT_ZIP, split  # noqa: E402
from qa import adapter, reader  # noqa: E402
from qa.corpus import BlockKind  # noqa: E402
from qa.evaluate import Question, exact_match, f1_score  # noqa: E402
from qa.sentences import split_spans  # noqa: E402

SQUAD_READER = ROOT / "benchmarks" / "reader_squad.npz"  # the SQuAD-only fit: where --news fits start


def examples(zip_path: Path, splits: tuple[str, ...], seed: int = 0) -> list[tuple[str, str, int, int, tuple]]:
    """(question, sentence, answer start, answer end (characters in the sentence; -1 for none), answers)."""
    rng = random.Random(seed)
    with zipfile.ZipFile(zip_path) as z:
        name = next(n for n in z.namelist() if n.endswith(".json"))
        data = json.loads(z.read(name))["data"]
    out = []
    for article in data:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            spans = split_spans(context)
            for qa in paragraph["qas"]:
                if split(qa["id"]) not in splits:
                    continue
                first = qa["answers"][0]
                a0, a1 = first["answer_start"], first["answer_start"] + len(first["text"])
                holder = [(s, e) for s, e in spans if s <= a0 and a1 <= e]
                if not holder:
                    continue  # the answer runs over a sentence boundary
                s, e = holder[0]
                answers = tuple(a["text"] for a in qa["answers"])
                out.append((qa["question"].strip(), context[s:e], a0 - s, a1 - s, answers))
                others = [(s2, e2) for s2, e2 in spans if (s2, e2) != (s, e)
                          and not any(a in context[s2:e2] for a in answers)]
                if others:
                    s2, e2 = rng.choice(others)
                    out.append((qa["question"].strip(), context[s2:e2], -1, -1, answers))
    return out


def news_examples(index, questions: list[Question], seed: int = 0) -> list[tuple[str, str, int, int, tuple]]:
    """`examples` from the news questions (standalone, answerable, with `support` and `source`) over the news
    articles' index: the support sentence from after its opening dateline (the reader does not read one) with the
    first given answer found in it, and a random body sentence of the same article that holds none of the
    answers as "no answer". Rows whose answer is not inside their support sentence are left out."""
    rng = random.Random(seed)
    out = []
    for q in questions:
        if q.history or not q.answerable or not q.support or not q.source:
            continue
        skip = reader.dateline_end(q.support)
        text = q.support[skip:]
        found = [(text.lower().find(a.lower()), a) for a in q.answers]
        found = [(at, a) for at, a in found if at >= 0]
        if not found:
            continue
        at, answer = found[0]
        out.append((q.question, text, at, at + len(answer), q.answers))
        article = index.article_number(q.source)
        if article is None:
            continue
        first, last = index.article_sentences(article)
        others = [t for t in (index.sentence_text(i) for i in range(first, last)
                              if index.sentence_kind(i) == BlockKind.BODY)
                  if t.strip() != q.support.strip() and not any(a.lower() in t.lower() for a in q.answers)]
        if others:
            other = rng.choice(others)
            out.append((q.question, other[reader.dateline_end(other):], -1, -1, q.answers))
    return out


def gold_spans(text: str, a0: int, a1: int, answers: tuple) -> list[tuple[int, int]]:
    """The answer's (start, end) characters in `text` and those of every other given answer that overlaps it: the
    annotators' other boundaries ("At least 185" and "185"), not another part of a two-part answer."""
    spans = [(a0, a1)]
    for answer in filter(None, answers):
        for m in re.finditer(re.escape(answer), text, re.IGNORECASE):
            if m.start() < a1 and m.end() > a0 and m.span() not in spans:
                spans.append(m.span())
    return spans


def targets(enc, batch) -> tuple[list[list[tuple[int, int]]], list[int]]:
    """Per row, the (start, end) token pairs of its given answers (`gold_spans`; [(0, 0)], the [CLS] position,
    for "no answer"), and the rows of which some answer survived truncation."""
    offsets = np.asarray(enc["offset_mapping"])
    allowed = reader.allowed_positions(enc)
    pairs, keep = [], []
    for row, (_, text, a0, a1, answers) in enumerate(batch):
        if a0 < 0:
            pairs.append([(0, 0)]), keep.append(row)
            continue
        tokens = np.flatnonzero(allowed[row, 1:]) + 1
        found = []
        for c0, c1 in gold_spans(text, a0, a1, answers):
            begin = [t for t in tokens if offsets[row, t, 1] > c0]
            finish = [t for t in tokens if offsets[row, t, 0] < c1]
            if begin and finish and begin[0] <= finish[-1] and (begin[0], finish[-1]) not in found:
                found.append((begin[0], finish[-1]))
        if found:
            pairs.append(found), keep.append(row)
    return pairs, keep


def span_loss(starts: torch.Tensor, ends: torch.Tensor, allowed: np.ndarray,
              pairs: list[list[tuple[int, int]]]) -> torch.Tensor:
    """-log P(one of the row's given spans), start and end scored as the reader decodes them (log-softmax each over
    the allowed positions), averaged over rows and halved (with one span per row: the mean of the start and end
    cross-entropies)."""
    mask = torch.from_numpy(allowed)
    log_start = torch.log_softmax(starts.masked_fill(~mask, -1e4), dim=1)
    log_end = torch.log_softmax(ends.masked_fill(~mask, -1e4), dim=1)
    losses = [-torch.logsumexp(torch.stack([log_start[r, s] + log_end[r, e] for s, e in spans]), dim=0)
              for r, spans in enumerate(pairs)]
    return torch.stack(losses).mean() / 2


def evaluate_spans(model, head_w, head_b, tokenizer, rows) -> tuple[float, float, float]:
    """(EM, F1, share answered) of the best span on answerable rows, as qa.reader.Reader decodes it."""
    em = f1 = 0.0
    model.eval()
    with torch.inference_mode():
        for at in range(0, len(rows), 32):
            batch = rows[at:at + 32]
            by_question: dict[str, list] = {}
            for row in batch:
                by_question.setdefault(row[0], []).append(row)
            for question, group in by_question.items():
                enc = reader.encode_pairs(tokenizer, question, [g[1] for g in group])
                starts, ends = reader.span_logits(model, head_w, head_b, enc)
                allowed = reader.allowed_positions(enc)
                offsets = np.asarray(enc["offset_mapping"])
                for r, (_, text, _, _, answers) in enumerate(group):
                    i, j, _, _ = reader.best_span(starts[r].numpy(), ends[r].numpy(), allowed[r])
                    tidy = reader.tidy_span(text, int(offsets[r, i, 0]), int(offsets[r, j, 1])) if i > 0 else None
                    prediction = text[tidy[0]:tidy[1]] if tidy else None
                    em += exact_match(prediction, answers)
                    f1 += f1_score(prediction, answers)
    model.train()
    return em / len(rows), f1 / len(rows), 1.0


def train(rows: list, *, start: Path | None = None, epochs: float = 2.0, rank: int = 16, lr: float = 1e-3,
          batch: int = 16, log_every: int = 100):
    """LoRA adapters and a start/end head fitted on the rows; from the adapter and head of `start` when given
    (its rank is kept). Returns (model, tokenizer, adapters, head, rank)."""
    model, tokenizer = adapter.load_base()
    head = torch.nn.Linear(model.config.hidden_size, 2)
    steps = max(1, int(len(rows) * epochs / batch))
    adapters, optimizer, schedule, rank = training_setup_from(model, head, start, rank, lr, steps)
    rows = list(rows)
    model.train()
    started = time.perf_counter()
    step, recent = 0, []
    while step < steps:
        random.shuffle(rows)
        # Batches of similar length pad little: sort each chunk of 50 batches by sentence length.
        chunk = batch * 50
        order = [r for at in range(0, len(rows), chunk)
                 for r in sorted(rows[at:at + chunk], key=lambda r: len(r[0]) + len(r[1]))]
        batches = [order[at:at + batch] for at in range(0, len(order) - batch + 1, batch)]
        random.shuffle(batches)
        for group in batches:
            if step >= steps:
                break
            enc = tokenizer([r[0] for r in group], [r[1] for r in group], truncation="longest_first",
                            max_length=reader.MAX_TOKENS, padding=True, return_tensors="pt",
                            return_offsets_mapping=True)
            pairs, keep = targets(enc, group)
            if not keep:
                continue
            starts, ends = reader.span_logits(model, head.weight.T, head.bias, enc)
            loss = span_loss(starts[keep], ends[keep], reader.allowed_positions(enc)[keep], pairs)
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            recent.append(loss.item())
            if step % log_every == 0 or step == steps:
                print(f"step {step}/{steps}  span loss {np.mean(recent):.3f}  {time.perf_counter() - started:.0f} s",
                      flush=True)
                recent = []
    model.eval()
    return model, tokenizer, adapters, head, rank


def save(out: Path, adapters, head, rank: int, fitted_on: str) -> None:
    save_fit(out, adapters, {"head.weight": head.weight.T.detach().numpy(), "head.bias": head.bias.detach().numpy()},
             rank, fitted_on)


def news_mix(sets: list[tuple[object, list[Question]]], zip_path: Path = DEFAULT_ZIP, seed: int = 0) -> list:
    """The news questions' examples, each (index, questions) set's over its own articles, with as many SQuAD
    'fit'/'rerank' examples (a seeded sample): what a --news fit trains on."""
    news = [row for index, questions in sets for row in news_examples(index, questions, seed)]
    squad = examples(zip_path, ("fit", "rerank"), seed)
    return news + random.Random(seed).sample(squad, min(len(squad), len(news)))


def fit_on_news(sets: list[tuple[object, list[Question]]], out: Path, note: str, *, start: Path = SQUAD_READER,
                epochs: float = 3.0, lr: float = 3e-4, batch: int = 16, zip_path: Path = DEFAULT_ZIP,
                seed: int = 0) -> None:
    """Go on from the SQuAD reader `start` with `news_mix` of these (index, questions) sets; write the adapter to
    `out`."""
    torch.manual_seed(seed)
    random.seed(seed)
    rows = news_mix(sets, zip_path, seed=seed)
    started = time.perf_counter()
    _, _, adapters, head, rank = train(rows, start=start, epochs=epochs, lr=lr, batch=batch)
    _, info, _ = adapter.read_adapter(start, ("head.weight", "head.bias"), "reader adapter")
    save(out, adapters, head, rank,
         f"{start.name} ({info.fitted_on}), then {len(rows)} (question, sentence) pairs: {note} "
         f"(half of them news, half SQuAD 'fit'/'rerank'), {epochs:g} epochs, lr {lr:g}, every given answer "
         f"that overlaps the first a target, by benchmarks/fit_reader.py --news")
    print(f"wrote {out} in {time.perf_counter() - started:.0f} s ({len(rows)} pairs)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--out", type=Path, default=reader.DEFAULT_READER)
    parser.add_argument("--epochs", type=float, default=None, help="2 from scratch, 3 with --news")
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--lr", type=float, default=None, help="1e-3 from scratch, 3e-4 with --news")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--holdout", type=float, default=0.0, help="share of questions kept out and scored")
    parser.add_argument("--threads", type=int, default=2)
    add_news_arguments(parser, SQUAD_READER, "reader")
    add_extra_argument(parser)
    args = parser.parse_args()

    torch.manual_seed(0)
    random.seed(0)
    torch.set_num_threads(args.threads)
    if args.news is not None:
        from qa.engine import QA

        if args.holdout:
            parser.error("--holdout scores a share of the SQuAD questions: it is for the fit from scratch")
        questions, note = news_questions(args)
        engine = QA(args.news / "articles", ROOT / "benchmarks" / "out" / "news" / "index")
        extras = extra_sets(args.extra, ROOT / "benchmarks" / "out")
        fit_on_news([(engine.build(), questions)] + [(e.index, qs) for e, qs in extras], args.out,
                    note + extra_note(extras), start=args.start, epochs=args.epochs or 3.0, lr=args.lr or 3e-4,
                    batch=args.batch, zip_path=args.zip)  # the rank is --start's
        return
    epochs, lr = args.epochs or 2.0, args.lr or 1e-3
    rows = examples(args.zip, ("fit", "rerank"))
    questions = sorted({r[0] for r in rows})
    held = set(random.Random(1).sample(questions, int(len(questions) * args.holdout)))
    train_rows = [r for r in rows if r[0] not in held]
    test = [r for r in rows if r[0] in held and r[2] >= 0]
    print(f"SQuAD dev fit+rerank quarters: {sum(r[2] >= 0 for r in rows)} answer sentences, "
          f"{sum(r[2] < 0 for r in rows)} no-answer sentences; training on {len(train_rows)}, scoring {len(test)}",
          flush=True)
    started = time.perf_counter()
    model, tokenizer, adapters, head, _ = train(train_rows, epochs=epochs, rank=args.rank, lr=lr, batch=args.batch)
    if test:
        em, f1, _ = evaluate_spans(model, head.weight.T.detach(), head.bias.detach(), tokenizer, test)
        print(f"held-out {len(test)} answer sentences: span EM {em:.3f}  F1 {f1:.3f}", flush=True)
    save(args.out, adapters, head, args.rank,
         f"SQuAD v1.1 dev 'fit' and 'rerank' quarters (benchmarks/squad.py split, test half never read): "
         f"{len(train_rows)} (question, sentence) pairs, {epochs:g} epoch(s), lr {lr:g}, "
         f"rank {args.rank}, every given answer that overlaps the first a target, by benchmarks/fit_reader.py")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
