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


def dense_passages(index: Index, question_vector: np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids, inner-product scores), best first."""
    top_k = min(top_k, index.n_passages)
    scores, ids = index.passage_index.search(question_vector.reshape(1, -1), top_k)
    keep = ids[0] >= 0
    return ids[0][keep].astype(np.int64), scores[0][keep].astype(np.float32)


def bm25_scores(index: Index, query_token_ids: list[int]) -> np.ndarray:
    """BM25 score of every sentence (zeros when no query term is in the vocabulary)."""
    if not query_token_ids:
        return np.zeros(index.n_sentences, dtype=np.float32)
    return np.asarray(index.bm25.get_scores(query_token_ids), dtype=np.float32)


def candidates(index: Index, question_vector: np.ndarray, query_token_ids: list[int], retrieve_k: int) -> Candidates:
    """Union of the sentences of the top `retrieve_k` dense passages and the top `retrieve_k` BM25 sentences."""
    p_ids, p_scores = dense_passages(index, question_vector, retrieve_k)
    bm25 = bm25_scores(index, query_token_ids)
    best: dict[int, float] = {}
    for pid, score in zip(p_ids.tolist(), p_scores.tolist()):
        _, first, last = index.passage_table[pid]
        for s in range(int(first), int(last)):
            if score > best.get(s, -np.inf):
                best[s] = score
    k = min(retrieve_k, bm25.shape[0])
    if k and bm25.any():
        top = np.argpartition(-bm25, k - 1)[:k]
        for s in top[bm25[top] > 0].tolist():
            best.setdefault(int(s), np.nan)
    sentences = np.fromiter(best.keys(), dtype=np.int64, count=len(best))
    passage_dense = np.fromiter(best.values(), dtype=np.float32, count=len(best))
    missing = np.isnan(passage_dense)
    if missing.any():
        # Lexical-only hits: score the passage that holds them against the question too.
        holders = index.sentence_passage[sentences[missing]].astype(np.int64)
        passage_dense[missing] = index.passage_vectors[holders].astype(np.float32) @ question_vector
    best_article = int(index.passage_table[p_ids[0], 0]) if p_ids.size else -1
    return Candidates(sentences, passage_dense, bm25[sentences], best_article)
