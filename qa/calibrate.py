"""Fit the sentence selector and its confidence on a labelled question set (`qa calibrate QUESTIONS`)."""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass

import numpy as np

from qa import select
from qa.errors import QAError
from qa.evaluate import Question, contains_answer

# The abstention threshold refuses at most this share of the answerable fitting questions. (A precision target
# depends on how many unanswerable questions the fitting set happens to hold; this does not.) Below the 2% a user
# may bear: on questions it was not fitted on, a threshold fitted to refuse 2% refused 2.61% (news.py --cv).
MAX_REFUSED = 0.015
# The second stage sees few rows per question and the first stage's features again: regularise it more.
SECOND_STAGE_L2 = 1e-2


@dataclass(frozen=True)
class Collected:
    """Per candidate: features and whether it holds an answer; per question: which rows are its candidates."""

    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray  # question index of each row
    answerable: np.ndarray  # per question
    questions: tuple[str, ...] = ()  # per question, as asked (for the cross-encoder)
    texts: tuple[str, ...] = ()  # per row, the candidate sentence
    origin: np.ndarray | None = None  # per question, which of the collected questions it was made from
    # per question, select.twins over its rows (in row order): the margin is measured against the best row
    # that is not a near-duplicate of the best, as answering does; empty = every other row is a rival
    twins: tuple[np.ndarray, ...] = ()
    read: tuple[str, ...] = ()  # per row, the sentence as the cross-encoder reads it (select.cross_texts); () = texts


def collect(engine, questions: list[Question], *, near_misses: bool = False, progress: bool = False) -> Collected:
    """Retrieve candidates for every question and label them (one batched encoder call).

    With `near_misses`, every answerable question is also added a second time with the candidates that hold
    its answer taken out of the corpus, as an unanswerable question: the hard negatives of abstention (the
    same names and topic, but not the asked-for detail)."""
    from qa.retrieve import Candidates

    index, cues = engine.loaded()
    vectors = engine.encoder.encode([q.question for q in questions], progress=progress)
    xs, ys, groups, all_texts, asked, answerable, origin, twins = [], [], [], [], [], [], [], []
    read: list[str] = []
    iterator = zip(questions, vectors)
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(iterator, total=len(questions), desc="features", unit="q", file=sys.stderr)

    def add(sq, cands, texts, labels, is_answerable, number) -> None:
        xs.append(select.features(index, cues, sq, cands))
        read.extend(select.cross_texts(index, sq.text, cands.sentences, texts))
        twins.append(select.twins(index, cands.sentences))
        ys.append(labels)
        groups.append(np.full(len(texts), len(asked), dtype=np.int32))
        all_texts.extend(texts)
        asked.append(questions[number].question)
        answerable.append(is_answerable)
        origin.append(number)

    for number, (q, v) in enumerate(iterator):
        sq, cands = engine.candidates(index, q.question, v)
        texts = [index.sentence_text(int(s)) for s in cands.sentences]
        labels = np.array([contains_answer(t, q.answers) for t in texts], dtype=np.int8)
        if not cands.sentences.size:
            asked.append(q.question), answerable.append(q.answerable), origin.append(number)  # no rows
            twins.append(np.zeros((0, 0), dtype=bool))
            continue
        add(sq, cands, texts, labels, q.answerable, number)
        if near_misses and q.answerable and labels.any() and not labels.all():
            keep = labels == 0
            rest = Candidates(cands.sentences[keep], cands.passage_dense[keep], cands.bm25[keep], cands.best_article)
            add(sq, rest, [t for t, k in zip(texts, keep) if k], labels[keep], False, number)
    if not xs:
        raise QAError("no candidates were retrieved for any question; is the corpus the one the questions are about?")
    return Collected(np.concatenate(xs), np.concatenate(ys), np.concatenate(groups), np.array(answerable),
                     tuple(asked), tuple(all_texts), np.array(origin), tuple(twins), tuple(read))


def combine(parts: list[Collected]) -> Collected:
    """One data set from several (questions numbered one after another), e.g. two domains fitted together."""
    offsets = np.cumsum([0] + [len(p.answerable) for p in parts])
    return Collected(np.concatenate([p.x for p in parts]), np.concatenate([p.y for p in parts]),
                     np.concatenate([p.groups + o for p, o in zip(parts, offsets)]),
                     np.concatenate([p.answerable for p in parts]),
                     tuple(q for p in parts for q in p.questions), tuple(t for p in parts for t in p.texts),
                     twins=tuple(t for p in parts for t in p.twins) if all(p.twins for p in parts) else (),
                     read=tuple(t for p in parts for t in (p.read or p.texts)))


def subset(data: Collected, keep: np.ndarray) -> Collected:
    """The questions where `keep` (a boolean per question) holds, renumbered."""
    rows = keep[data.groups]
    new_number = np.cumsum(keep) - 1
    return Collected(data.x[rows], data.y[rows], new_number[data.groups[rows]].astype(np.int32),
                     data.answerable[keep], tuple(q for q, k in zip(data.questions, keep) if k),
                     tuple(t for t, r in zip(data.texts, rows) if r),
                     data.origin[keep] if data.origin is not None else None,
                     tuple(t for t, k in zip(data.twins, keep) if k) if data.twins else (),
                     tuple(t for t, r in zip(data.read, rows) if r))


def best_and_margin(scores: np.ndarray, groups: np.ndarray, n: int,
                    twins: tuple[np.ndarray, ...] = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per question: best score, its margin (select.margin) over its rival (select.rival: with `twins`, the best
    row that is not a near-duplicate of it, as answering measures it), and the row of the best candidate."""
    order = np.argsort(groups, kind="stable")
    bounds = np.searchsorted(groups[order], np.arange(n + 1))
    best = np.full(n, -np.inf)
    margin = np.full(n, select.MAX_MARGIN)
    row = np.full(n, -1)
    for g in range(n):
        rows = order[bounds[g]:bounds[g + 1]]
        if not len(rows):
            continue
        local = int(np.argmax(scores[rows]))
        best[g], row[g] = scores[rows[local]], rows[local]
        rival = select.rival(scores[rows], local, twins[g][local] if twins else None)
        margin[g] = select.margin(float(best[g]), rival)
    return best, margin, row


def threshold_for_refusals(p_answerable: np.ndarray, answerable: np.ndarray, max_refused: float = MAX_REFUSED) -> float:
    """The highest threshold that refuses at most `max_refused` of the answerable questions (those scored below
    it are refused)."""
    scores = np.sort(p_answerable[answerable.astype(bool)])
    if not len(scores):
        return 0.5
    allowed = int(np.floor(max_refused * len(scores)))  # this many may fall below the threshold
    return float(scores[allowed])


def _logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> tuple[np.ndarray, float]:
    """Plain L2-regularised logistic regression (weights, intercept)."""
    from scipy.optimize import minimize

    xb = np.hstack([x, np.ones((len(x), 1))])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = xb @ w
        p = 1.0 / (1.0 + np.exp(-z))
        value = np.sum(np.logaddexp(0, z) - y * z) / len(y) + l2 * np.sum(w[:-1] ** 2)
        grad = xb.T @ (p - y) / len(y)
        grad[:-1] += 2 * l2 * w[:-1]
        return value, grad

    w = minimize(loss, np.zeros(xb.shape[1]), jac=True, method="L-BFGS-B").x
    return w[:-1], float(w[-1])


def _group_starts(groups: np.ndarray) -> np.ndarray:
    """First row of each question (a question's rows are contiguous)."""
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])


def question_rows(groups: np.ndarray) -> list[tuple[int, int]]:
    """Per question (its rows are contiguous, as `collect` lays them out): its first row and the row after its last."""
    starts = _group_starts(groups)
    return list(zip(starts.tolist(), np.r_[starts[1:], len(groups)].tolist()))


def _listwise(z: np.ndarray, y: np.ndarray, groups: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Weights that maximise, per question, the softmax probability of its answer-bearing candidates
    (a conditional logit: it learns to put a right sentence first, not to score sentences in isolation)."""
    from scipy.optimize import minimize

    keep = np.isin(groups, np.unique(groups[y == 1]))
    z, y, groups = z[keep], y[keep].astype(np.float64), groups[keep]
    starts = _group_starts(groups)
    owner = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(groups)]))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = z @ w
        s = s - np.maximum.reduceat(s, starts)[owner]
        e = np.exp(s)
        all_sum = np.add.reduceat(e, starts)
        pos_sum = np.add.reduceat(e * y, starts)
        value = -np.mean(np.log(pos_sum / all_sum)) + l2 * np.sum(w ** 2)
        p_all = e / all_sum[owner]
        p_pos = e * y / pos_sum[owner]
        grad = z.T @ (p_all - p_pos) / len(starts) + 2 * l2 * w
        return value, grad

    return minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B").x


def _second_stage(data: Collected, linear: np.ndarray, reranker, top: int,
                  progress: bool) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """Per question (its rows are contiguous): (first row, end row, the rows the cross-encoder reads counted
    from the first, their cross-encoder scores)."""
    spans = question_rows(data.groups)
    if progress:
        from tqdm.auto import tqdm

        spans = tqdm(spans, desc="re-ranking", unit="q", file=sys.stderr)
    out = []
    for start, end in spans:
        best = select.rerank_rows(data.x[start:end], linear[start:end], top)
        cross = reranker.score(data.questions[data.groups[start]], [(data.read or data.texts)[start + r] for r in best])
        out.append((start, end, best, cross))
    return out


@dataclass(frozen=True)
class Fitted:
    selector: select.Selector
    scores: np.ndarray  # per row of the data, the fitted selector's final score
    p_answerable: np.ndarray  # per question that has candidates, the fitted P(the articles answer it)
    pairs_read: np.ndarray | None = None  # with a reranker: per question, the pairs the cross-encoder reads


GAP_GRID = 400  # candidate gaps tried by `rerank_gap` (quantiles of the leads seen)


def _prefix_outcomes(data: Collected, linear: np.ndarray, stage: list, two: select.Selector) -> list[np.ndarray]:
    """Per question of the stage: for k = 1 .. its re-ranked rows, 1 when re-scoring only the first k of them
    (k = 1: none, the linear order) puts a right sentence on top, else 0."""
    out = []
    for start, end, best, cross in stage:
        lin, x, y = linear[start:end], data.x[start:end], data.y[start:end]
        right = [int(y[int(np.argmax(lin))])]
        for k in range(2, len(best) + 1):
            right.append(int(y[int(np.argmax(two.rescore(x, lin, best[:k], cross[:k])))]))
        out.append(np.asarray(right))
    return out


def rerank_gap(linear: np.ndarray, stage: list, outcomes: list[np.ndarray], max_cost: float) -> float:
    """The smallest lead `g` such that re-scoring only the candidates within `g` of the best re-ranked one (none
    when it alone is) would have cost at most `max_cost` of the questions their right top sentence, against
    re-scoring all of them (counting those it would also have put right)."""
    leads = [linear[start + best[0]] - linear[start + best] for start, _, best, _ in stage]  # 0 first, ascending
    spread = np.concatenate([lead[1:] for lead in leads]) if leads else np.zeros(0)
    if not spread.size:
        return math.inf
    budget = max_cost * len(stage)
    full = np.array([o[-1] for o in outcomes])
    for g in np.unique(np.quantile(spread, np.linspace(0.0, 1.0, GAP_GRID), method="lower")):  # leads seen
        kept = np.array([int(np.sum(lead <= g)) for lead in leads])
        cost = int(full.sum() - sum(int(o[k - 1]) for o, k in zip(outcomes, kept)))
        if cost <= budget:
            return float(g)
    return math.inf


def fit(data: Collected, *, fitted_on: str = "", max_refused: float = MAX_REFUSED, reranker=None,
        rerank_top: int = 0, progress: bool = False, max_cost: float = 0.001,
        threshold_on: np.ndarray | None = None, reader=None, model: str = "") -> Fitted:
    """A listwise linear ranker over the features; with a `reranker`, a second listwise linear stage over the
    features and the cross-encoder's score of the first stage's best `rerank_top` candidates; a logistic map
    from (final score, margin over the runner-up) to P(the top sentence is right); a logistic model of P(the
    articles answer the question), and the abstention threshold that refuses at most `max_refused` of the
    answerable questions (of those marked in `threshold_on`, one flag per question, when given: the domain the
    engine will answer in, when the fit pools several). With a `reranker`, also the margin above which the
    cross-encoder reads only the candidates within a lead of the best (`rerank_gap`; none when the runner-up
    is further), at a cost of at most `max_cost` of the questions' right answers."""
    if data.y.min() == data.y.max():
        raise QAError("the question set needs both candidates that hold an answer and ones that do not")
    means = data.x.mean(axis=0)
    scales = data.x.std(axis=0)
    scales[scales < 1e-6] = 1.0
    z = (data.x - means) / scales
    weights = _listwise(z, data.y, data.groups)
    scores = z @ weights
    second: dict = {}
    pairs_read = None
    if reranker is not None and rerank_top > 0:
        stage = _second_stage(data, scores, reranker, rerank_top, progress)
        rows = np.concatenate([start + best for start, _, best, _ in stage])
        cross = np.concatenate([c for *_, c in stage])
        w2 = _listwise(np.column_stack([z[rows], cross]), data.y[rows], data.groups[rows], l2=SECOND_STAGE_L2)
        rerank_weights = tuple(float(w) for w in w2)
        two = select.Selector(tuple(weights), 0.0, tuple(means), tuple(scales), (0.0, 0.0, 0.0),
                              (0.0,) * (len(select.ANSWERABLE_INPUTS) + 1), 0.5, rerank_weights=rerank_weights)
        linear = scores.astype(np.float32)
        scores = linear.copy()
        for start, end, best, c in stage:
            scores[start:end] = two.rescore(data.x[start:end], linear[start:end], best, c)
        slope, offset = np.polyfit(linear[rows], scores[rows], 1)
        plain_scale = (float(max(slope, 1e-3)), float(offset))
        gap = rerank_gap(linear, stage, _prefix_outcomes(data, linear, stage, two), max_cost)
        pairs_read = np.zeros(len(stage), dtype=np.int64)
        for i, (start, end, best, c) in enumerate(stage):  # the fit sees the scores answering will give
            kept = select.rows_within(linear[start:end], best, gap)
            if len(kept) > 1:
                pairs_read[i] = len(kept)
                scores[start:end] = two.rescore(data.x[start:end], linear[start:end], kept, c[:len(kept)])
            else:  # skipped: the linear order, plain-scaled
                scores[start:end] = plain_scale[0] * linear[start:end] + plain_scale[1]
        # the skip is the gap's special case (the runner-up is further than the gap), kept for older selectors
        second = dict(rerank_weights=rerank_weights, plain_scale=plain_scale, skip_margin=gap, rerank_gap=gap)
    n = len(data.answerable)
    best, margin, row = best_and_margin(scores, data.groups, n, data.twins)
    have = row >= 0
    correct = np.zeros(n, dtype=np.int8)
    correct[have] = data.y[row[have]] & data.answerable[have]
    if correct[have].min() == correct[have].max():
        raise QAError("calibration needs questions answered right and wrong; add harder or unanswerable questions")
    (a, b), c = _logistic(np.stack([best[have], margin[have]], axis=1), correct[have].astype(np.float64))
    readings = np.zeros((n, 2)) + (0.0, 1.0)
    if reader is not None:  # the reader's reading of each question's best sentence (qa.reader.Reader)
        from qa.reader import reading

        for g in np.flatnonzero(have).tolist():
            readings[g] = reading(reader.read(data.questions[g], [data.texts[row[g]]])[0])
    inputs = np.column_stack([best[have], margin[have], readings[have], data.x[row[have]][:, select.ANSWERABLE_COLUMNS]])
    labels = data.answerable[have].astype(np.float64)
    if labels.min() == labels.max():
        raise QAError("calibration needs unanswerable questions (empty 'answers') as well as answerable ones")
    coef, intercept = _logistic(inputs, labels)
    selector = select.Selector(tuple(float(w) for w in weights), 0.0, tuple(float(m) for m in means),
                               tuple(float(s) for s in scales), (float(a), float(b), c),
                               tuple(float(v) for v in coef) + (intercept,), 0.5, fitted_on, **second,
                               model=model)
    p_answerable = np.array([selector.answerable(float(s), float(s - m), data.x[r], tuple(read))
                             for s, m, r, read in zip(best[have], margin[have], row[have], readings[have])])
    domain = np.ones(len(labels), dtype=bool) if threshold_on is None else np.asarray(threshold_on)[have]
    threshold = threshold_for_refusals(p_answerable[domain], labels[domain], max_refused)
    return Fitted(dataclasses.replace(selector, threshold=round(threshold, 4)), scores, p_answerable, pairs_read)
