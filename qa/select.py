"""Sentence selection: features of each candidate sentence, a fitted linear scorer, calibrated confidence."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import metadata
from qa.answer_types import (CUE_KINDS, PIECE, PRONOUN_START, AnswerType, answer_type, asked_names, asks_count,
                             asks_for_author, asks_said, asks_when_published, asks_when_updated, cue_stems,
                             leaves_quote_open, published_piece, quotes_someone)
from qa.corpus import BlockKind
from qa.errors import QAError, os_failure
from qa.index import Index, Ragged, kind_code
from qa.retrieve import Candidates, with_sentences
from qa.tokens import double_quotes, query_tokens, tokens, words

SELECTOR_FILE = "selector.json"
DEFAULT_SELECTOR = Path(__file__).resolve().parent / SELECTOR_FILE

FEATURES = (
    "sentence_dense", "sentence_dense_gap", "passage_dense", "passage_dense_gap", "coverage", "coverage_gap",
    "context_coverage", "bigram_coverage", "bm25_relative", "novelty", "log_length", "same_article_as_best_passage",
    "article_best_coverage", "previous_dense", "pronoun_start", "headline", "other_non_body",
    "time_q_x_date", "number_q_x_number", "count_q_x_count", "person_place_q_x_entity", "entity_q_x_entity", "other_q_x_entity",
    "question_new_terms", "wide_context_coverage", "match_density", "coverage_x_sentence_dense",
    "context_x_passage_gap", "article_coverage", "year_missing", "said_q_x_quote", "speaker_asked",
)


# What the abstention model sees: the best candidate's score, its margin, and some of its features.
# The reader's reading of the best sentence (P(its best span), P(no answer in it)) comes after the score and margin.
ANSWERABLE_INPUTS = ("best_score", "margin", "reader_answer", "reader_no_answer", "coverage", "context_coverage",
                     "sentence_dense", "passage_dense", "question_new_terms", "article_coverage", "year_missing")
ANSWERABLE_COLUMNS = [FEATURES.index(name) for name in ANSWERABLE_INPUTS[4:]]


@dataclass(frozen=True)
class Question:
    """What the selector needs to know about the question itself."""

    text: str
    vector: np.ndarray
    token_ids: list[int]  # content terms known to the corpus
    n_tokens: int  # content terms, known or not
    stems: list[str]  # content terms in question order
    kind: AnswerType
    count: bool = False  # it asks how many ("How many are on strike?", "the death toll"): answer_types.asks_count
    said: bool = False  # it asks for someone's words ("How did Blinken describe ...?"): answer_types.asks_said
    name_ids: tuple[int, ...] = ()  # the last word of each name it holds ("Greg Pattinson's farm": pattinson)
    header: BlockKind | None = None  # it asks who wrote the piece or when it came out: `asked_header`
    updated: bool = False  # it asks when the piece was last updated: answer_types.asks_when_updated


# --- the margin: how far the best sentence leads its rival ------------------------------------------------------

MAX_MARGIN = 2.0  # a lead this large is as safe as having no rival at all
NEAR_DUPLICATE = 0.95  # cosine above which two sentences count as the same evidence


def dedupe_key(text: str) -> str:
    return " ".join(words(text))


def twins(index: Index, sentences: np.ndarray) -> np.ndarray:
    """Boolean matrix over candidate sentences: i and j say the same thing (the same words, or vectors closer
    than NEAR_DUPLICATE). A sentence is its own twin."""
    vectors = index.sentence_vectors[sentences].astype(np.float32)
    close = vectors @ vectors.T >= NEAR_DUPLICATE
    same = close | close.T | np.eye(len(sentences), dtype=bool)
    # The same words means the same content tokens, so only sentences that share those are compared by text.
    by_tokens: dict[bytes, list[int]] = {}
    for row, s in enumerate(sentences.tolist()):
        by_tokens.setdefault(index.sentence_token_ids(s).tobytes(), []).append(row)
    for rows in (r for r in by_tokens.values() if len(r) > 1):
        keys = [dedupe_key(index.sentence_text(int(sentences[r]))) for r in rows]
        for a, b in itertools.combinations(range(len(rows)), 2):
            if keys[a] == keys[b]:
                same[rows[a], rows[b]] = same[rows[b], rows[a]] = True
    return same


def rival(scores: np.ndarray, row: int, twin: np.ndarray | None = None, among: np.ndarray | None = None) -> float | None:
    """The best score of the candidates other than `row` that are not its twins (`twin`: row `row` of `twins`)
    and are `among` those allowed; None when there is none. `found`, each Evidence's confidence and the fitting of
    both (qa/calibrate.py) all measure the margin against this rival."""
    others = np.ones(len(scores), dtype=bool) if twin is None else ~np.asarray(twin, dtype=bool)
    others[row] = False
    if among is not None:
        others &= among
    return float(scores[others].max()) if others.any() else None


def margin(best: float, runner_up: float | None) -> float:
    """The lead of the best score over its rival, capped at MAX_MARGIN (also with no rival)."""
    return MAX_MARGIN if runner_up is None else min(best - runner_up, MAX_MARGIN)


@dataclass(frozen=True)
class Selector:
    """A linear scorer over FEATURES; for its best few sentences a second linear stage over the same features
    plus the cross-encoder's score (`rerank_weights`, empty when fitted without one); a logistic map from
    (final score, margin) to P(this sentence is right), and a logistic model of P(the articles answer the
    question at all) over ANSWERABLE_INPUTS.

    Fitted by `qa calibrate` (see qa/calibrate.py); the engine abstains when P(answerable) < `threshold`."""

    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    confidence_coef: tuple[float, float, float]  # (score, margin to the runner-up, intercept)
    answerable_coef: tuple[float, ...]  # one per ANSWERABLE_INPUTS, then the intercept
    threshold: float
    fitted_on: str = ""
    rerank_weights: tuple[float, ...] = ()  # one per FEATURES, then the cross-encoder score's
    # (a, b): with re-ranking turned off, a * linear score + b keeps the order and puts scores on the scale
    # that the confidence and abstention were fitted on (a least-squares fit of the final scores)
    plain_scale: tuple[float, float] = (1.0, 0.0)
    # The cross-encoder is skipped when the linear stage's best leads its runner-up by at least this much
    # (qa/calibrate.py sets it to `rerank_gap`, of which it is the special case; older selectors fitted it alone).
    skip_margin: float = math.inf
    # The cross-encoder reads only those of the best `rerank_top` whose linear score is within this of the first
    # one's (none when only the first is): on the fitting questions, the ones further down changed no answer
    # for the better beyond the fit's budget (qa/calibrate.py `rerank_gap`). inf: all of them.
    rerank_gap: float = math.inf
    # The bi-encoder whose vectors the dense features were computed with ("" when not recorded): a selector
    # fitted for one model's similarities is refused for another's.
    model: str = ""

    @property
    def reranks(self) -> bool:
        return bool(self.rerank_weights)

    def __post_init__(self) -> None:
        if not (len(self.weights) == len(self.means) == len(self.scales) == len(FEATURES)
                and len(self.answerable_coef) == len(ANSWERABLE_INPUTS) + 1
                and len(self.rerank_weights) in (0, len(FEATURES) + 1)):
            raise QAError(f"selector has {len(self.weights)} weights but the selector uses {len(FEATURES)} features; "
                          "refit it with: qa calibrate QUESTIONS")

    def standardise(self, x: np.ndarray) -> np.ndarray:
        return (x - np.asarray(self.means, dtype=np.float32)) / np.asarray(self.scales, dtype=np.float32)

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.standardise(x) @ np.asarray(self.weights, dtype=np.float32) + self.bias

    def rescore(self, x: np.ndarray, linear: np.ndarray, top: np.ndarray, cross: np.ndarray) -> np.ndarray:
        """Final scores once the rows `top` (the linear stage's best) have cross-encoder scores: the second
        stage for those; the others follow below the lowest of them, spaced as the linear stage spaced them."""
        w = np.asarray(self.rerank_weights, dtype=np.float32)
        final = np.asarray(linear, dtype=np.float32).copy()
        if not len(top):
            return final
        second = self.standardise(x[top]) @ w[:-1] + w[-1] * np.asarray(cross, dtype=np.float32)
        rest = np.ones(len(final), dtype=bool)
        rest[top] = False
        final[rest] = second.min() - (final[top].min() - final[rest])
        final[top] = second
        return final

    def confidence(self, best: float, runner_up: float | None) -> float:
        a, b, c = self.confidence_coef
        z = a * best + b * margin(best, runner_up) + c
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def answerable(self, best: float, runner_up: float | None, top_row: np.ndarray,
                   reading: tuple[float, float] = (0.0, 1.0)) -> float:
        """P(the articles answer the question) from the best candidate, its features, and the reader's
        `reading` of it: (P(its best span), P(no answer in it))."""
        inputs = np.r_[best, margin(best, runner_up), reading[0], reading[1], top_row[ANSWERABLE_COLUMNS]]
        z = float(inputs @ np.asarray(self.answerable_coef[:-1])) + self.answerable_coef[-1]
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "weights": list(self.weights), "bias": self.bias,
                "means": list(self.means), "scales": list(self.scales),
                "confidence_coef": list(self.confidence_coef),
                "answerable_inputs": list(ANSWERABLE_INPUTS), "answerable_coef": list(self.answerable_coef),
                "rerank_weights": list(self.rerank_weights), "plain_scale": list(self.plain_scale),
                "skip_margin": self.skip_margin if math.isfinite(self.skip_margin) else None,
                "rerank_gap": self.rerank_gap if math.isfinite(self.rerank_gap) else None,
                "threshold": self.threshold, "fitted_on": self.fitted_on, "model": self.model}

    def save(self, path: Path) -> None:
        path = check_selector_path(path)
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise os_failure(f"write the selector {path}", exc, "pass --out FILE in a writable folder") from None

    @classmethod
    def load(cls, path: Path) -> "Selector":
        refit = "delete it to use the packaged selector, or refit it with: qa calibrate QUESTIONS"
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            raise QAError(f"cannot read the selector {path}: {exc}; {refit}") from None
        if not isinstance(data, dict):
            raise QAError(f"the selector {path} is damaged (it holds a {type(data).__name__}); {refit}")
        if data.get("features") != list(FEATURES) or data.get("answerable_inputs") != list(ANSWERABLE_INPUTS):
            raise QAError(f"the selector {path} was fitted for other features; refit it with: qa calibrate QUESTIONS")

        def numbers(name: str, default: list | None = None) -> tuple[float, ...]:
            value = data.get(name, default)
            if not isinstance(value, list) or not all(_is_number(v) for v in value):
                raise QAError(f"the selector {path} is damaged ('{name}' is not a list of numbers); {refit}")
            return tuple(float(v) for v in value)

        def number(name: str) -> float:
            if not _is_number(data.get(name)):
                raise QAError(f"the selector {path} is damaged ('{name}' is not a number); {refit}")
            return float(data[name])

        fitted_on, model = data.get("fitted_on", ""), data.get("model", "")
        plain_scale = numbers("plain_scale", [1.0, 0.0])
        confidence_coef = numbers("confidence_coef")
        if (not isinstance(fitted_on, str) or not isinstance(model, str) or len(plain_scale) != 2
                or len(confidence_coef) != 3):
            raise QAError(f"the selector {path} is damaged ('fitted_on', 'model', 'plain_scale' or "
                          f"'confidence_coef'); {refit}")
        return cls(numbers("weights"), number("bias"), numbers("means"), numbers("scales"), confidence_coef,
                   numbers("answerable_coef"), number("threshold"), fitted_on, numbers("rerank_weights", []),
                   plain_scale, math.inf if data.get("skip_margin") is None else number("skip_margin"),
                   math.inf if data.get("rerank_gap") is None else number("rerank_gap"), model)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_selector_path(path: Path) -> Path:
    """A path a selector can be saved to; checked before fitting one, so a bad --out is refused up front."""
    path = Path(path)
    if path.is_dir():
        raise QAError(f"{path} is a folder: pass --out FILE, for example --out {path / SELECTOR_FILE}")
    if not path.parent.is_dir():
        raise QAError(f"{path.parent} is not a folder: pass --out FILE in an existing folder")
    return path


def load_selector(index_dir: Path | None) -> Selector:
    """The index folder's own fitted selector if it has one, else the package default."""
    if index_dir is not None and (Path(index_dir) / SELECTOR_FILE).is_file():
        return Selector.load(Path(index_dir) / SELECTOR_FILE)
    return Selector.load(DEFAULT_SELECTOR)


# --- what selection derives from an index once --------------------------------------------------------------

# Bump when what `prepare` computes changes: only this cache is remade, never the index (its vectors stay).
PREPARED_VERSION = 7  # 4: speaker_before; 5: more speech verbs; 6: single curly quotes; 7: a quote opened on a new line


@dataclass(frozen=True)
class SentenceCues:
    """What selection precomputes per sentence of an index: the vocabulary ids inside its date / number /
    entity / count cues (row len(CUE_KINDS) * i + CUE_KINDS.index(kind) of `cue_ids`), whether it opens
    with a pronoun, whether it quotes someone (answer_types.quotes_someone), and whether it is what a person
    said or did whom only a sentence before it names (`speaker_before`)."""

    cue_ids: Ragged
    pronoun_start: np.ndarray  # bool (n,)
    quote: np.ndarray  # bool (n,)
    speaker_before: np.ndarray  # bool (n,)

    def new_cue(self, sentences: np.ndarray, kind: str, question_ids: np.ndarray) -> np.ndarray:
        """Per sentence: does its cue of this kind (one of CUE_KINDS) hold a stem the question does not."""
        values, owner = self.cue_ids.gather(sentences * len(CUE_KINDS) + CUE_KINDS.index(kind))
        out = np.zeros(sentences.shape[0], dtype=bool)
        out[owner[~np.isin(values, question_ids)]] = True
        return out


_CUE_FLAGS = ("pronoun_start", "quote", "speaker_before")


def _compute_cues(index: Index) -> SentenceCues:
    rows = []
    n = index.n_sentences
    pronoun, quote, speaker = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    articles = index.article_of(np.arange(n)).tolist() if n else []
    starts = {a: index.article_sentences(a)[0] for a in set(articles)}
    for i in range(n):
        text = index.sentence_text(i)
        cues = cue_stems(text)
        rows.extend(index.term_ids(cues[kind]) for kind in CUE_KINDS)
        pronoun[i] = bool(PRONOUN_START.match(text))
        quote[i] = quotes_someone(text)
        speaker[i] = bool(_person_pronoun(text)) or _speaker_elsewhere(index, i, starts[articles[i]], text)
    return SentenceCues(Ragged.from_rows(rows), pronoun, quote, speaker)


def _cues_fit(cues: SentenceCues, index: Index) -> bool:
    n = index.n_sentences
    return (cues.cue_ids.offsets.shape == (len(CUE_KINDS) * n + 1,)
            and all(flags.shape == (n,) and flags.dtype == np.bool_
                    for flags in (cues.pronoun_start, cues.quote, cues.speaker_before))
            and np.issubdtype(cues.cue_ids.values.dtype, np.integer)
            and int(cues.cue_ids.offsets[-1]) == cues.cue_ids.values.shape[0]
            and (not cues.cue_ids.values.size or 0 <= int(cues.cue_ids.values.min())
                 and int(cues.cue_ids.values.max()) < index.n_terms))


def prepare(index: Index) -> SentenceCues:
    """Selection's per-sentence tables for an index: read from the cache this stage keeps in the index's data
    folder (`select-v{PREPARED_VERSION}/`), else computed and cached there. A cache that does not fit the index
    is remade; a folder that cannot be written only means computing it again next time."""
    cache = index.data_folder / f"select-v{PREPARED_VERSION}"
    try:
        cues = SentenceCues(Ragged.load(cache, "cue_ids"),
                            *(np.load(cache / f"{name}.npy", allow_pickle=False) for name in _CUE_FLAGS))
        if _cues_fit(cues, index):
            return cues
    except (OSError, ValueError):
        pass
    cues = _compute_cues(index)
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        cues.cue_ids.save(tmp, "cue_ids")
        for name in _CUE_FLAGS:
            np.save(tmp / f"{name}.npy", getattr(cues, name))
        shutil.rmtree(cache, ignore_errors=True)
        os.rename(tmp, cache)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
    return cues


@dataclass(frozen=True)
class Scored:
    """Candidate sentences, best first, with the selector's score and their features."""

    sentences: np.ndarray
    scores: np.ndarray
    features: np.ndarray


def _idf_weights(index: Index, q: Question) -> tuple[np.ndarray, float]:
    """IDF of each known question term, and the total IDF mass (unknown terms weigh as the rarest)."""
    weights = index.idf[q.token_ids].astype(np.float32) if q.token_ids else np.zeros(0, dtype=np.float32)
    unknown = max(0, q.n_tokens - len(q.token_ids)) * float(np.log1p((index.n_sentences + 0.5) / 0.5))
    return weights, float(weights.sum()) + unknown


def _bigram_coverage(index: Index, ids: np.ndarray, q: Question) -> np.ndarray:
    """Share of the question's adjacent term pairs that occur adjacent in each sentence."""
    q_ids = q.token_ids
    if len(q_ids) < 2:
        return np.zeros(ids.shape[0], dtype=np.float32)
    vocab = np.int64(index.n_terms + 1)
    pairs = np.unique(np.asarray(q_ids[:-1], dtype=np.int64) * vocab + np.asarray(q_ids[1:], dtype=np.int64))
    values, owner = index.token_ids.gather(ids)
    same = owner[1:] == owner[:-1]
    codes = values[:-1].astype(np.int64) * vocab + values[1:].astype(np.int64)
    hit = same & np.isin(codes, pairs)
    counts = np.bincount(owner[1:][hit], minlength=ids.shape[0]).astype(np.float32)
    return np.minimum(counts / len(pairs), 1.0)


def _match_density(index: Index, ids: np.ndarray, q: Question) -> np.ndarray:
    """Matched question terms over the width of the token window that holds them (1 = side by side)."""
    out = np.zeros(ids.shape[0], dtype=np.float32)
    if not q.token_ids:
        return out
    values, owner = index.token_ids.gather(ids)
    position = np.arange(len(values)) - np.repeat(np.r_[0, np.cumsum(np.bincount(owner, minlength=len(ids)))[:-1]],
                                                  np.bincount(owner, minlength=len(ids)))
    hit = np.isin(values, np.asarray(q.token_ids, dtype=np.int32))
    if not hit.any():
        return out
    o, p = owner[hit], position[hit]
    count = np.bincount(o, minlength=len(ids))
    lo = np.full(len(ids), np.iinfo(np.int64).max)
    hi = np.full(len(ids), -1)
    np.minimum.at(lo, o, p)
    np.maximum.at(hi, o, p)
    has = count > 0
    out[has] = count[has] / (hi[has] - lo[has] + 1)
    return out


_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


def _article_level(index: Index, q: Question, articles: np.ndarray, weights: np.ndarray, norm: float,
                   title_terms: dict[int, set[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: the share of the question's IDF mass found anywhere in its article (text or headline),
    and whether the question names a year its article never mentions. A near-miss question ("How many
    crossed in 2021?", "How many Airbus jets did IndiGo order?") shares most words with some sentence but
    names something its article does not hold."""
    q_ids = np.asarray(q.token_ids, dtype=np.int32)
    years = [index.term_ids([stem]) for stem in q.stems if _YEAR.match(stem)]
    coverage = np.zeros(len(articles), dtype=np.float32)
    year_missing = np.zeros(len(articles), dtype=np.float32)
    for a in np.unique(articles).tolist():
        held = index.article_token_ids(a)
        # a few question terms against an article's tokens: a comparison table is cheaper than np.isin's sort
        present = (held[:, None] == q_ids[None, :]).any(axis=0) | np.isin(q_ids, list(title_terms[a]))
        mask = articles == a
        coverage[mask] = float(weights @ present) / norm if len(q_ids) else 0.0
        year_missing[mask] = any(not ids or not (held[:, None] == np.asarray(ids)[None, :]).any() for ids in years)
    return coverage, year_missing


def _named_before(index: Index, q: Question, ids: np.ndarray, articles: np.ndarray) -> np.ndarray:
    """Per candidate: whether one of the QUOTE_LOOKBACK sentences before it in its article names someone the
    question names."""
    out = np.zeros(ids.shape[0], dtype=bool)
    if not q.name_ids:
        return out
    for step in range(1, QUOTE_LOOKBACK + 1):
        other = np.maximum(ids - step, 0)
        out |= (index.term_presence(list(q.name_ids), other).any(axis=0) & (ids - step >= 0)
                & (index.article_of(other) == articles))
    return out


def features(index: Index, cues: SentenceCues, q: Question, cands: Candidates) -> np.ndarray:
    """The FEATURES matrix, one row per candidate sentence, its columns built by name and stacked in FEATURES
    order. Vectorised: no Python work per candidate."""
    ids = cands.sentences
    n = ids.shape[0]
    if not n:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    articles = index.article_of(ids)
    kinds = index.kind_of(ids)
    weights, total = _idf_weights(index, q)
    present = index.term_presence(q.token_ids, ids)
    prev_ids = np.maximum(ids - 1, 0)
    has_prev = (ids > 0) & (index.article_of(prev_ids) == articles)
    present_prev = index.term_presence(q.token_ids, prev_ids) & has_prev
    in_title = np.zeros_like(present)
    title_terms = {}
    for a in np.unique(articles).tolist():
        title_ids = title_terms[a] = set(index.term_ids(tokens(index.articles[a].title)))
        rows = [i for i, t in enumerate(q.token_ids) if t in title_ids]
        if rows:
            in_title[np.ix_(rows, articles == a)] = True
    norm = total if total > 0 else 1.0
    coverage = weights @ present / norm
    context = weights @ (present | present_prev | in_title) / norm
    matched = present.sum(axis=0)
    sentence_dense = index.sentence_dense(ids, q.vector)
    ntokens = np.maximum(index.sentence_ntokens[ids].astype(np.float32), 1.0)
    top_bm25 = float(cands.bm25.max())
    article_best = np.zeros(n, dtype=np.float32)
    for a in np.unique(articles):
        mask = articles == a
        article_best[mask] = coverage[mask].max()
    q_ids = np.asarray(q.token_ids, dtype=np.int32)
    new = {kind: cues.new_cue(ids, kind, q_ids) for kind in CUE_KINDS}
    # Two sentences back and one ahead: the subject of a question is often named a little earlier.
    wide = present | present_prev | in_title
    for step in (-2, 1):
        other = np.clip(ids + step, 0, index.n_sentences - 1)
        wide |= index.term_presence(q.token_ids, other) & (index.article_of(other) == articles)
    passage_gap = cands.passage_dense - cands.passage_dense.max()
    article_coverage, year_missing = _article_level(index, q, articles, weights, norm, title_terms)
    body, headline = kinds == kind_code(BlockKind.BODY), kinds == kind_code(BlockKind.HEADLINE)
    columns = {
        "sentence_dense": sentence_dense,
        "sentence_dense_gap": sentence_dense - sentence_dense.max(),
        "passage_dense": cands.passage_dense,
        "passage_dense_gap": passage_gap,
        "coverage": coverage,
        "coverage_gap": coverage - coverage.max(),
        "context_coverage": context,
        "bigram_coverage": _bigram_coverage(index, ids, q),
        "bm25_relative": cands.bm25 / top_bm25 if top_bm25 > 0 else 0.0,
        "novelty": np.clip(1.0 - matched / ntokens, 0, 1),
        "log_length": np.log(ntokens),
        "same_article_as_best_passage": articles == cands.best_article,
        "article_best_coverage": article_best,
        "previous_dense": np.where(has_prev, index.sentence_dense(prev_ids, q.vector), 0.0),
        "pronoun_start": cues.pronoun_start[ids],
        "headline": headline,
        "other_non_body": ~body & ~headline,
        "time_q_x_date": (q.kind is AnswerType.TIME) * new["date"],
        "number_q_x_number": (q.kind is AnswerType.NUMBER) * new["number"],
        "count_q_x_count": q.count * new["count"],
        "person_place_q_x_entity": (q.kind in (AnswerType.PERSON, AnswerType.PLACE)) * new["entity"],
        "entity_q_x_entity": (q.kind is AnswerType.ENTITY) * new["entity"],
        "other_q_x_entity": (q.kind is AnswerType.OTHER) * new["entity"],
        "question_new_terms": max(0, q.n_tokens - len(q.token_ids)) / q.n_tokens if q.n_tokens else 1.0,
        "wide_context_coverage": weights @ wide / norm,
        "match_density": _match_density(index, ids, q),
        "coverage_x_sentence_dense": coverage * sentence_dense,
        "context_x_passage_gap": context * passage_gap,
        "article_coverage": article_coverage,
        "year_missing": year_missing,
        "said_q_x_quote": q.said * cues.quote[ids],
        "speaker_asked": cues.speaker_before[ids] & _named_before(index, q, ids, articles),
    }
    if set(columns) != set(FEATURES):  # a feature named in one place only is a bug, not a zero column
        raise RuntimeError(f"features and FEATURES disagree: {sorted(set(columns) ^ set(FEATURES))}")
    return np.stack([np.broadcast_to(np.asarray(columns[name], dtype=np.float32), (n,)) for name in FEATURES],
                    axis=1)


# A follow-up question leans towards the article of the previous answer by this much (in score units).
PREFERRED_ARTICLE_BONUS = 0.75


def linear_margin(scores: np.ndarray) -> float:
    """How far the best linear score leads the runner-up (inf with one candidate)."""
    if len(scores) < 2:
        return math.inf
    top2 = np.partition(-scores, 1)[:2]
    return float(top2[1] - top2[0])


def rerank_rows(x: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
    """Which rows the cross-encoder reads: the `n` best by the linear score, headlines left out (a headline
    restates a story's topic in question-like words, and the cross-encoder has learnt to like exactly that)."""
    order = np.argsort(-scores, kind="stable")
    return order[x[order, FEATURES.index("headline")] == 0][:n]


def rows_within(scores: np.ndarray, rows: np.ndarray, gap: float) -> np.ndarray:
    """Of `rows` (best first by `scores`), those whose score is within `gap` of the first's."""
    return rows[scores[rows] >= scores[rows[0]] - gap] if len(rows) else rows


QUOTE_LOOKBACK = 3  # sentences back where a quote's speaker may be named (name said; "..., he said; "...; ...")
_LEADING_PERSON = re.compile(r"^[\W_]*\b(He|She)\b")
# a quote whose speaker a pronoun after it names: '"It feels like ... once again," he said.'
_QUOTED_BY = re.compile(r"[\"”]\s+(he|she)\s+(?:said|says|added|adds|continued|told|wrote|warned|argued|insisted)\b")


def _person_pronoun(text: str) -> re.Match[str] | None:
    """The "He" or "She" that stands for a person a sentence is about: opening it, or naming the speaker of the
    quote it opens with; group 1 is the pronoun. Single curly marks count as double ones (`double_quotes`)."""
    text = double_quotes(text)
    opening = _LEADING_PERSON.match(text)
    if opening or text.lstrip()[:1] not in ('"', "“"):
        return opening
    return _QUOTED_BY.search(text)


# (selection's per-sentence `speaker_before` is computed with these: a change here needs PREPARED_VERSION bumped)
_SPEECH = re.compile(r"\b(?:said|says|say|saying|added|adds|told|tells|asked|asks|wrote|writes|according|continued|"
                     r"warned|argued|insisted|explained|recalled|stressed|promised|declared|claimed|noted|vowed|"
                     r"announced|replied|admitted|acknowledged|conceded|predicted|urged|pleaded|agreed|estimated|"
                     r"described|called)\b", re.I)


def _speaker_elsewhere(index: Index, s: int, first: int, text: str) -> bool:
    """Whether sentence s is someone's words whose speaker another sentence names: it goes on with a quote the
    sentence before left open ('"This was worse.' / 'It came up in about three hours, ..."'), or it is a quote that
    names no speaker ('"This was worse.' after '"My dad farmed this land ...," he said.')."""
    if s - 1 >= first and leaves_quote_open(index.sentence_text(s - 1)):
        return True
    return double_quotes(text).lstrip()[:1] in ('"', "“") and not _SPEECH.search(text)


def _quote_speaker(index: Index, s: int, first: int, names: list[str]) -> str | None:
    """Which of `names` says the words of sentence s: the one named in the nearest of the QUOTE_LOOKBACK sentences
    before it that names one, unless a sentence on the way attributes words to someone else by name ('His
    neighbour Ann Lee said: "It was awful.')."""
    for r in range(s - 1, max(first, s - QUOTE_LOOKBACK) - 1, -1):
        before = index.sentence_text(r)
        if named := _named_in(before, names):
            return named
        if _SPEECH.search(before) and not _person_pronoun(before) and not _QUOTED_BY.search(double_quotes(before)):
            return None  # someone else's words
    return None


def _named_in(text: str, names: list[str]) -> str | None:
    """The first of `names` that `text` holds as whole words."""
    return next((n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)), None)


def cross_texts(index: Index, question: str, sentences: np.ndarray, texts: list[str]) -> list[str]:
    """The sentences (`texts`, their own text) as the cross-encoder reads them: one that opens with "He" or "She",
    or opens a quote that "he said" or "she said" attributes, reads the pronoun as the person the question names
    when the one or two sentences before it in its article name that person, and the one right before does not
    open with the other pronoun ("She finished with 583 points" after sentences on Loreen, asked how many points
    Loreen finished with; '"It feels like the North is being treated as second-class citizens," he said.' after
    one on Andy Burnham). Someone's words whose speaker another sentence names (a quote that goes on from the
    sentence before, or one with no "said" of its own) read as that person's ('Greg Pattinson said: It came up in
    about three hours ...') when one of the QUOTE_LOOKBACK sentences before it names the person the question names.
    The cross-encoder reads a sentence alone, and on its own a pronoun reads as someone other than the one asked
    about, and a quote as no one's."""
    texts = list(texts)
    names = asked_names(question)
    if not names:
        return texts
    for i, (s, text) in enumerate(zip(sentences.tolist(), texts)):
        m = _person_pronoun(text)
        first, _ = index.article_sentences(int(index.article_of(np.array([s]))[0]))
        if not m:
            if _speaker_elsewhere(index, s, first, text) and (named := _quote_speaker(index, s, first, names)):
                texts[i] = f"{named} said: {text}"
            continue
        if s - 1 >= first:
            prior = _person_pronoun(index.sentence_text(s - 1))
            if prior and prior.group(1).lower() != m.group(1).lower():  # "She won. He said ...": someone else
                continue
        before = " ".join(index.sentence_text(r) for r in range(max(first, s - 2), s))
        if named := _named_in(before, names):
            texts[i] = text[:m.start(1)] + named + text[m.end(1):]
    return texts


# Lines that label or restate a story rather than report it; they answer only when no body sentence is a
# candidate. A byline stays free to answer "Who wrote ...?".
NOT_ANSWERS = np.array([kind_code(k) for k in (BlockKind.HEADLINE, BlockKind.HEADING, BlockKind.CAPTION,
                                                 BlockKind.DATE, BlockKind.NOTE)])
BODY_GAP = 0.25  # how far (in score units) such a line is put below the best body sentence


def body_first(kinds: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Scores with every headline, heading, caption and date line lowered to below the best body sentence, so a
    headline, section heading or caption never wins over a body sentence that states the answer."""
    body = kinds == kind_code(BlockKind.BODY)
    if not body.any():
        return scores
    cap = scores[body].max() - BODY_GAP
    return np.where(np.isin(kinds, NOT_ANSWERS), np.minimum(scores, cap), scores).astype(np.float32)


def asked_header(question: str) -> BlockKind | None:
    """The page line that answers a question about a news piece itself: its byline for who wrote it
    (`answer_types.asks_for_author`), its date line for when it came out (`answer_types.asks_when_published`)."""
    if asks_for_author(question):
        return BlockKind.BYLINE
    return BlockKind.DATE if asks_when_published(question) else None


DATELINE_REACH = 3  # how many body sentences from the top a dateline is looked for in (under a standfirst)


def dated_by_dateline(index: Index, sentence: int) -> bool:
    """Whether a body sentence opens with a dateline that gives the day ("KHARTOUM, April 17 (Reuters) - ")."""
    found = metadata.dateline(index.sentence_text(sentence), 0)
    return found is not None and found.day is not None


def header_lines(index: Index, article: int, kind: BlockKind, updated: bool = False) -> np.ndarray:
    """An article's lines of the header `kind` that answer, the one to show first first: its bylines, in order; or
    for the date its date lines and bylines that give a day (`metadata.date_span`; not a time alone), the last one
    that marks an update first when `updated`, else one that gives the publication day; without any, for wire
    copy, the first of its first DATELINE_REACH body sentences that opens with a dateline giving the day (under a
    standfirst too)."""
    first, last = index.article_sentences(article)
    rows = np.arange(first, last)
    kinds = index.kind_of(rows)
    if kind is not BlockKind.DATE:
        return rows[kinds == kind_code(kind)]
    lines = [int(r) for r in rows[np.isin(kinds, [kind_code(BlockKind.DATE), kind_code(BlockKind.BYLINE)])]
             if metadata.date_span(index.sentence_text(int(r))) is not None]
    if updated:  # the last line that marks an update first
        marked = [r for r in lines if metadata.marks_update(index.sentence_text(r))]
        lines = marked[::-1] + [r for r in lines if r not in marked]
    else:  # a line that gives the publication day before one that gives only an update's ("Last updated ...")
        lines = sorted(lines, key=lambda r: not metadata.gives_publication(index.sentence_text(r)))
    if not lines:
        body = rows[kinds == kind_code(BlockKind.BODY)][:DATELINE_REACH]
        lines = [next((int(r) for r in body if dated_by_dateline(index, int(r))), -1)][:1]
        lines = [r for r in lines if r >= 0]
    return np.array(lines, dtype=np.int64)


def asked_lines(index: Index, q: Question, sentence: int) -> np.ndarray:
    """The lines of the header the question asks for (`Question.header`) in the article of `sentence`, the one to
    show first first (`header_lines`); none for any other question."""
    if q.header is None:
        return np.zeros(0, dtype=np.int64)
    return header_lines(index, int(index.article_of(sentence)), q.header, q.updated)


def tells_of_piece(question: str, text: str) -> bool:
    """Whether a sentence tells of the piece a question asks about (it names it as the question does: "Maria Lopez
    filed the police report", "The Herald Tribune published the article on 11 July 1934"), so that it, not the
    article's own byline or date line, answers who wrote or when came out that piece. For when it came out, only
    the piece asked about counts ("the story", not "the UN report" of "the story on the UN report")."""
    piece = published_piece(question)
    pieces = {piece.lower()} if piece else {m.group(0).lower() for m in re.finditer(rf"\b{PIECE}\b", question, re.I)}
    return any(re.search(rf"\b{re.escape(p)}\b", text, re.I) for p in pieces)


def with_headers(index: Index, q: Question, cands: Candidates) -> Candidates:
    """For a question about a news piece itself (`asked_header`: who wrote it, when it came out), the candidates
    plus the bylines or date lines of their articles (such a line shares no words with a question about the story,
    so retrieval alone rarely finds it)."""
    if q.header is None or not len(cands.sentences):
        return cands
    lines = [header_lines(index, a, q.header, q.updated)  # only the candidates' articles are read
             for a in np.unique(index.article_of(cands.sentences)).tolist()]
    return with_sentences(index, cands, np.concatenate(lines), q.vector)


def headers_first(index: Index, q: Question, sentences: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """For a question about a news piece itself (`asked_header`), its byline or date line goes to the top: the
    best-scoring byline if one outscores every body sentence ("Who's the legal affairs editor ...?"), else the
    first (`header_lines`: for "When was ... last updated?" the last update's) of the article of the best body
    sentence, or of the best-scoring date line."""
    kind = q.header
    if kind is None or not len(scores):
        return scores
    kinds, articles = index.kind_of(sentences), index.article_of(sentences)
    lines = {a: header_lines(index, a, kind, q.updated) for a in np.unique(articles).tolist()}
    is_header = np.isin(sentences, np.concatenate(list(lines.values())))
    eligible = np.flatnonzero(is_header | (kinds == kind_code(BlockKind.BODY)))
    if not len(eligible) or not is_header.any():
        return scores
    top = eligible[np.argmax(scores[eligible])]
    if kind is BlockKind.DATE and not is_header[top] and tells_of_piece(q.text,
                                                                        index.sentence_text(int(sentences[top]))):
        return scores  # the story tells when the piece asked about came out
    if kind is BlockKind.DATE or not is_header[top]:
        row = {int(s): r for r, s in enumerate(sentences.tolist())}
        own = [row[int(s)] for s in lines[int(articles[top])] if int(s) in row]
        if not own:
            return scores
        top = own[0]
    out = scores.astype(np.float32)
    out[top] = max(float(out[top]), float(scores.max()) + BODY_GAP)
    return out


def rank(index: Index, cues: SentenceCues, q: Question, cands: Candidates, selector: Selector, *, reranker=None,
         rerank_top: int = 0,
         prefer_article: int | None = None, spent: int | None = None, demote_spent: bool = False) -> Scored:
    """Score and sort the candidates, best first. With a `reranker` (qa.rerank.Reranker) and a selector fitted
    with one, the best `rerank_top` by the linear score are re-scored by the cross-encoder.

    For a follow-up, sentences of `prefer_article` get PREFERRED_ARTICLE_BONUS, except `spent`, the sentence
    that answered the previous question: it already matches the names the question took from that turn, and
    the bonus is there to bring in the article's other sentences. With `demote_spent` (the question replaced
    the part of the previous one that sentence answered, which it does not hold) it goes last."""
    cands = with_headers(index, q, cands)
    x = features(index, cues, q, cands)
    scores = selector.score(x) if len(x) else np.zeros(0, dtype=np.float32)
    bonus = np.zeros_like(scores)
    if prefer_article is not None and len(x):
        bonus = PREFERRED_ARTICLE_BONUS * (index.article_of(cands.sentences) == prefer_article)
    if spent is not None and len(x):
        bonus = np.where(cands.sentences == spent, 0.0, bonus)
    bonus = bonus.astype(np.float32)
    top = np.zeros(0, dtype=np.int64)
    if (selector.reranks and reranker is not None and rerank_top > 0 and len(x) > 1
            and linear_margin(scores + bonus) < selector.skip_margin):
        top = rows_within(scores + bonus, rerank_rows(x, scores + bonus, rerank_top), selector.rerank_gap)
    if len(top) > 1:
        read = cands.sentences[top]
        cross = reranker.score(q.text, cross_texts(index, q.text, read, [index.sentence_text(int(s)) for s in read]))
        scores = selector.rescore(x, scores, top, cross)
    elif selector.reranks:
        a, b = selector.plain_scale
        scores = (a * scores + b).astype(np.float32)
    scores = body_first(index.kind_of(cands.sentences), scores + bonus)
    scores = headers_first(index, q, cands.sentences, scores)
    if demote_spent and spent is not None and len(x) > 1:
        scores = np.where(cands.sentences == spent, scores.min() - 1.0, scores).astype(np.float32)
    order = np.argsort(-scores, kind="stable")
    return Scored(cands.sentences[order], scores[order].astype(np.float32), x[order])


# months' and weekdays' full names (not "mar" or "sun": "Bruno Mars", "Phoenix Suns" keep their surnames)
_CALENDAR = frozenset(query_tokens(" ".join(w for w in metadata.CALENDAR
                                            if not any(o != w and o.startswith(w) for o in metadata.CALENDAR))))


def make_question(index: Index, text: str, vector: np.ndarray) -> Question:
    stems = query_tokens(text)
    surnames = [tokens[-1] for tokens in map(query_tokens, asked_names(text))
                if tokens and tokens[-1] not in _CALENDAR]  # "President Biden": biden; "Monday": none
    return Question(text=text, vector=vector, token_ids=index.term_ids(stems), n_tokens=len(stems),
                    stems=stems, kind=answer_type(text), count=asks_count(text), said=asks_said(text),
                    name_ids=tuple(dict.fromkeys(index.term_ids(surnames))), header=asked_header(text),
                    updated=asks_when_updated(text))
