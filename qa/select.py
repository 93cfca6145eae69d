"""Sentence selection: score candidate sentences, rank evidence, decide whether the articles answer."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qa.corpus import BlockKind
from qa.index import KINDS, Index
from qa.retrieve import Candidates

# A headline, byline, caption or sub-heading rarely carries the answer to a question about
# something else; it keeps this fraction of its score.
KIND_WEIGHT = {
    BlockKind.BODY: 1.0,
    BlockKind.HEADLINE: 0.55,
    BlockKind.HEADING: 0.55,
    BlockKind.CAPTION: 0.5,
    BlockKind.BYLINE: 0.4,
}
_KIND_WEIGHTS = np.array([KIND_WEIGHT[k] for k in KINDS], dtype=np.float32)


@dataclass(frozen=True)
class Weights:
    """Linear mix of the selector's features; `scale`/`bias` map the mix to a confidence in [0, 1]."""

    sentence_dense: float = 1.0
    passage_dense: float = 0.5
    coverage: float = 1.0
    bm25_relative: float = 0.3
    novelty: float = 0.3
    scale: float = 8.0
    bias: float = 1.05


@dataclass(frozen=True)
class Scored:
    """Candidate sentences, best first, with their selector score."""

    sentences: np.ndarray
    scores: np.ndarray
    features: dict[str, np.ndarray]


def overlap(index: Index, query_token_ids: list[int], n_unknown: int,
            sentences: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(share of the question's IDF mass whose terms occur in each sentence, number of question terms
    each sentence holds). Question terms the corpus never uses weigh as much as the rarest term."""
    mass = np.zeros(sentences.shape[0], dtype=np.float32)
    count = np.zeros(sentences.shape[0], dtype=np.float32)
    if not sentences.size:
        return mass, count
    indptr, indices = index.bm25.scores["indptr"], index.bm25.scores["indices"]
    n = index.n_sentences
    total = n_unknown * float(np.log1p((n + 0.5) / 0.5))
    for t in query_token_ids:
        weight = float(index.idf[t])
        total += weight
        present = np.isin(sentences, indices[indptr[t]:indptr[t + 1]])
        mass += weight * present
        count += present
    return (mass / total if total > 0 else mass), count


def score(index: Index, question_vector: np.ndarray, query_token_ids: list[int], n_query_tokens: int,
          cands: Candidates, weights: Weights = Weights()) -> Scored:
    """Score every candidate sentence; higher is a better supporting sentence."""
    ids = cands.sentences
    sentence_dense = index.sentence_vectors[ids].astype(np.float32) @ question_vector
    cov, matched = overlap(index, query_token_ids, max(0, n_query_tokens - len(query_token_ids)), ids)
    # A sentence that only restates the question holds no answer: reward content beyond it.
    ntokens = np.maximum(index.sentence_ntokens[ids].astype(np.float32), 1.0)
    novelty = np.clip(1.0 - matched / ntokens, 0.0, 1.0)
    top_bm25 = float(cands.bm25.max()) if cands.bm25.size else 0.0
    bm25_rel = cands.bm25 / top_bm25 if top_bm25 > 0 else np.zeros_like(cands.bm25)
    mix = (weights.sentence_dense * sentence_dense + weights.passage_dense * cands.passage_dense
           + weights.coverage * cov + weights.bm25_relative * bm25_rel + weights.novelty * novelty)
    mix = mix * _KIND_WEIGHTS[index.sentence_table[ids, 3]]
    order = np.argsort(-mix, kind="stable")
    features = {"sentence_dense": sentence_dense[order], "passage_dense": cands.passage_dense[order],
                "coverage": cov[order], "bm25_relative": bm25_rel[order], "novelty": novelty[order]}
    return Scored(ids[order], mix[order].astype(np.float32), features)


def confidence(mix: float, weights: Weights = Weights()) -> float:
    """Map a selector score to [0, 1]."""
    return 1.0 / (1.0 + math.exp(-weights.scale * (mix - weights.bias)))
