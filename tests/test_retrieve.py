"""Retrieval: our term -> sentence table and BM25 checked against plain implementations (oracle tests)."""

import math
from collections import Counter

import numpy as np

from qa import retrieve
from qa.tokens import query_tokens


def test_postings_hold_exactly_the_sentences_with_each_term(seed_engine):
    index = seed_engine.index
    n_terms = len(index.bm25.vocab_dict)
    held = [set(index.token_ids.values[index.token_ids.offsets[i]:index.token_ids.offsets[i + 1]].tolist())
            for i in range(index.n_sentences)]
    for term in range(n_terms):
        row = index.postings.values[index.postings.offsets[term]:index.postings.offsets[term + 1]].tolist()
        assert row == sorted(i for i, terms in enumerate(held) if term in terms)
    # the same document frequencies as the BM25 library's own score matrix (read here only, as the oracle); its
    # vocabulary also holds an empty token that no sentence has
    ours, theirs = np.diff(index.postings.offsets), np.diff(np.asarray(index.bm25.scores["indptr"]))
    assert np.array_equal(ours[:len(theirs)], theirs) and not ours[len(theirs):].any()
    sentences = np.arange(index.n_sentences)
    presence = index.term_presence([0, 5], sentences)
    assert presence.tolist() == [[0 in h for h in held], [5 in h for h in held]]
    shuffled = np.array([7, 0, 7, 3, index.n_sentences - 1])  # any order, repeats allowed (as candidates come)
    assert index.term_presence([0, 5], shuffled).tolist() == [[t in held[s] for s in shuffled] for t in (0, 5)]
    assert index.term_presence([], shuffled).shape == (0, 5) and index.term_presence([0], shuffled[:0]).shape == (1, 0)


def test_bm25_scores_equal_a_plain_lucene_bm25(seed_engine):
    index = seed_engine.index
    docs = [index.token_ids.values[index.token_ids.offsets[i]:index.token_ids.offsets[i + 1]].tolist()
            for i in range(index.n_sentences)]
    n, avg = len(docs), sum(map(len, docs)) / len(docs)
    df = Counter(t for d in docs for t in set(d))
    k1, b = 1.2, 0.75

    def plain(query: list[int], doc: list[int]) -> float:
        tf = Counter(doc)
        # Lucene's BM25 (bm25s's default): Okapi's idf and saturation, without Okapi's (k1 + 1) factor
        return sum(math.log1p((n - df[t] + 0.5) / (df[t] + 0.5)) * tf[t]
                   / (tf[t] + k1 * (1 - b + b * len(doc) / avg)) for t in set(query) if t in tf)

    for question in ("Where is the new NATO command for Ukraine?", "How much did Germany promise?"):
        query = index.bm25.get_tokens_ids(query_tokens(question))
        ours = dense(index, query)
        expected = np.array([plain(query, d) for d in docs])
        np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-5)
        assert int(np.argmax(ours)) == int(np.argmax(expected))


def dense(index, query: list[int]) -> np.ndarray:
    """BM25 of every sentence from the sparse path (zeros for the sentences it does not touch)."""
    out = np.zeros(index.n_sentences, dtype=np.float32)
    sentences, scores = retrieve.bm25_touched(index, query)
    out[sentences] = scores
    return out


def queries(index, seed_questions) -> list[list[int]]:
    """The seed questions' terms, and random term lists with repeats, common and rare terms."""
    out = [index.bm25.get_tokens_ids(query_tokens(q["question"])) for q in seed_questions]
    rng = np.random.default_rng(0)
    n_terms = len(index.bm25.vocab_dict)
    common = np.argsort(-np.diff(index.postings.offsets))[:20]
    for _ in range(40):
        picked = rng.integers(0, n_terms, rng.integers(1, 8)).tolist()
        out.append(picked + rng.choice(common, 2).tolist() + picked[:1])  # a repeated term counts twice
    return out + [[]]


def test_sparse_bm25_equals_the_libraries_dense_scores_exactly(seed_engine, seed_questions):
    index = seed_engine.index
    for query in queries(index, seed_questions):
        theirs = (np.asarray(index.bm25.get_scores(query), dtype=np.float32) if query
                  else np.zeros(index.n_sentences, dtype=np.float32))
        sentences, scores = retrieve.bm25_touched(index, query)
        assert np.array_equal(sentences, np.flatnonzero(theirs))  # every sentence with a query term, and only those
        assert np.array_equal(dense(index, query), theirs)  # bit for bit


def test_bm25_top_is_the_dense_ranking_cut_at_top_k(seed_engine, seed_questions):
    index = seed_engine.index
    for query in queries(index, seed_questions):
        theirs = np.asarray(index.bm25.get_scores(query), dtype=np.float32) if query else np.zeros(index.n_sentences)
        for top_k in (1, 5, 24, index.n_sentences + 1):
            expected = [s for s in np.lexsort((np.arange(index.n_sentences), -theirs)) if theirs[s] > 0][:top_k]
            sentences, scores = retrieve.bm25_top(index, query, top_k)
            assert sentences.tolist() == expected
            assert np.array_equal(scores, theirs[expected].astype(np.float32))


def test_candidates_join_dense_passages_and_bm25_sentences(seed_engine):
    index = seed_engine.index
    question = "Where is the new NATO command for Ukraine located?"
    vector = seed_engine.encoder.encode([question])[0]
    query = index.bm25.get_tokens_ids(query_tokens(question))
    cands = retrieve.candidates(index, vector, query, 4)
    passages, _ = retrieve.dense_passages(index, vector, 4)
    in_passages = {s for p in passages.tolist() for s in range(*index.passage_table[p, 1:3].tolist())}
    scores = dense(index, query)
    top_bm25 = set(retrieve.bm25_top(index, query, 4)[0].tolist())
    assert len(top_bm25) == 4 and scores[list(top_bm25)].min() >= np.sort(scores)[-4]
    assert in_passages | top_bm25 == set(cands.sentences.tolist())
    assert len(set(cands.sentences.tolist())) == len(cands.sentences)
    assert np.array_equal(cands.bm25, scores[cands.sentences])  # BM25 of the dense passages' sentences too
