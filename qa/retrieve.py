"""Candidate retrieval: dense passages from FAISS plus BM25 sentences, as one candidate sentence set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.index import Index


@dataclass(frozen=True)
class Candidates:
    """Sentences worth scoring for one question, with the retrieval signals known about each."""

    sentences: np.ndarray  # int64 sentence ids, unique
    passage_dense: np.ndarray  # float32: best dense score among the retrieved passages holding it
    bm25: np.ndarray  # float32: BM25 score of the sentence itself
    best_article: int  # article of the best dense passage (-1 if none)


def with_sentences(index: Index, cands: Candidates, extra: np.ndarray, question_vector: np.ndarray) -> Candidates:
    """The candidates plus the `extra` sentences not among them yet, each with the dense score of the passage that
    holds it and a BM25 score of 0 (they are added for what they are, a byline or the sentence an earlier answer
    came from, not for sharing the question's words)."""
    extra = np.setdiff1d(np.asarray(extra, dtype=np.int64), cands.sentences)
    if not len(extra):
        return cands
    dense = index.passage_dense(extra, question_vector)
    return Candidates(np.r_[cands.sentences, extra], np.r_[cands.passage_dense, dense].astype(np.float32),
                      np.r_[cands.bm25, np.zeros(len(extra), dtype=np.float32)], cands.best_article)


def dense_passages(index: Index, question_vector: np.ndarray, top_k: int,
                   allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids, inner-product scores), best first; with `allowed` (a boolean per article), only those
    articles' passages, searched exactly."""
    if allowed is not None:
        ids = np.flatnonzero(allowed[index.passage_table[:, 0]])
        scores = index.passage_vectors[ids].astype(np.float32) @ question_vector
        order = np.argsort(-scores, kind="stable")[:top_k]
        return ids[order].astype(np.int64), scores[order].astype(np.float32)
    top_k = min(top_k, index.n_passages)
    scores, ids = index.passage_index.search(question_vector.reshape(1, -1), top_k)
    keep = ids[0] >= 0
    return ids[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)


def bm25_top(index: Index, query_token_ids: list[int], top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """(sentence ids, BM25 scores) of the `top_k` best-scoring sentences, best first (ties: lower id first);
    only sentences holding a query term, so never more than those."""
    sentences, scores = bm25_touched(index, query_token_ids)
    top = _top(scores, top_k)
    order = np.lexsort((sentences[top], -scores[top]))
    return sentences[top][order], scores[top][order]


def bm25_touched(index: Index, query_token_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(the sentences holding at least one query term, ascending; their BM25 scores). A sparse dot product over
    the query terms' postings: the cost grows with the postings touched, not with the corpus. A repeated query
    term counts again, as in bm25s's `get_scores`, whose float32 sums these equal."""
    ids = np.asarray(query_token_ids, dtype=np.int64)
    rows, _ = index.postings.gather(ids)
    weights, _ = index.bm25_weights.gather(ids)
    sentences, at = np.unique(rows, return_inverse=True)
    scores = np.zeros(sentences.shape[0], dtype=np.float32)
    np.add.at(scores, at, weights)  # in query-term order, one float32 addition at a time
    return sentences.astype(np.int64), scores


def _top(scores: np.ndarray, top_k: int) -> np.ndarray:
    """Positions of the `top_k` largest scores; of equal scores at the cut, the first positions."""
    if scores.shape[0] <= top_k:
        return np.arange(scores.shape[0])
    if top_k <= 0:
        return np.zeros(0, dtype=np.int64)
    kth = np.partition(scores, scores.shape[0] - top_k)[scores.shape[0] - top_k]
    above = np.flatnonzero(scores > kth)
    return np.r_[above, np.flatnonzero(scores == kth)[:top_k - above.shape[0]]]


def candidates(index: Index, question_vector: np.ndarray, query_token_ids: list[int], retrieve_k: int,
               allowed: np.ndarray | None = None) -> Candidates:
    """Union of the sentences of the top `retrieve_k` dense passages and the top `retrieve_k` BM25 sentences;
    with `allowed` (a boolean per article, from a date or outlet filter), of those articles only."""
    p_ids, p_scores = dense_passages(index, question_vector, retrieve_k, allowed)
    touched, touched_scores = bm25_touched(index, query_token_ids)
    if allowed is not None:
        keep = allowed[index.article_of(touched)] & (touched_scores > 0)
        touched, touched_scores = touched[keep], touched_scores[keep]
    best: dict[int, float] = {}
    for pid, score in zip(p_ids.tolist(), p_scores.tolist()):
        _, first, last = index.passage_table[pid]
        for s in range(int(first), int(last)):
            if score > best.get(s, -np.inf):
                best[s] = score
    for s in np.sort(touched[_top(touched_scores, retrieve_k)]).tolist():
        best.setdefault(int(s), np.nan)
    sentences = np.fromiter(best.keys(), dtype=np.int64, count=len(best))
    passage_dense = np.fromiter(best.values(), dtype=np.float32, count=len(best))
    missing = np.isnan(passage_dense)
    if missing.any():
        # Lexical-only hits: score the passage that holds them against the question too.
        holders = index.sentence_passage[sentences[missing]].astype(np.int64)
        passage_dense[missing] = index.passage_vectors[holders].astype(np.float32) @ question_vector
    at = np.minimum(np.searchsorted(touched, sentences), max(0, touched.shape[0] - 1))
    held = touched.shape[0] > 0
    bm25 = np.where(touched[at] == sentences, touched_scores[at], 0.0).astype(np.float32) if held \
        else np.zeros(sentences.shape[0], dtype=np.float32)
    best_article = int(index.passage_table[p_ids[0], 0]) if p_ids.size else -1
    return Candidates(sentences, passage_dense, bm25, best_article)
