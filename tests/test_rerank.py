"""The cross-encoder re-ranker: the shipped adapter loads offline onto its base and prefers answering sentences."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa import adapter, rerank
from qa.encoder import model_path
from qa.config import Settings
from qa.engine import QA
from qa.errors import QAError

CASES = [
    ("Where will the new NATO command be based?",
     ["The new command will be based in Wiesbaden, Germany, officials said.",
      "NATO leaders met in Washington for the alliance's 75th anniversary summit.",
      "The command was announced after months of debate among allies."]),
    ("How much military aid did the allies pledge for next year?",
     ["Allies pledged a minimum baseline of 40 billion euros in military aid within the next year.",
      "Allies discussed military aid for Ukraine at length during the summit.",
      "The secretary general thanked the allies for their support."]),
    ("Who became NATO's 31st member?",
     ["NATO leaders welcomed the progress of reforms in Ukraine.",
      "Finland became NATO's 31st member in April 2023, doubling the alliance's border with Russia.",
      "Membership of the alliance requires the agreement of every member."]),
]


@pytest.fixture(scope="module")
def reranker():
    return rerank.Reranker()


def test_adapter_is_fitted_for_the_installed_base_model(reranker):
    _, version = model_path(adapter.BASE_MODEL)
    assert reranker.info.base == adapter.BASE_MODEL and reranker.info.base_version == version
    assert reranker.info.rank > 0 and "SQuAD" in reranker.info.fitted_on


@pytest.mark.parametrize("question,texts", CASES)
def test_the_answering_sentence_scores_highest(reranker, question, texts):
    scores = reranker.score(question, texts)
    assert scores.shape == (len(texts),) and scores.dtype == np.float32
    right = 1 if "31st" in question else 0
    assert int(np.argmax(scores)) == right


def test_scores_are_the_same_from_several_threads(reranker):
    question, texts = CASES[0]
    alone = reranker.score(question, texts)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: reranker.score(question, texts), range(8)))
    for r in results:
        np.testing.assert_allclose(r, alone, rtol=1e-4, atol=1e-4)
    assert reranker.score(question, []).shape == (0,)


def test_an_unreadable_adapter_is_a_clear_error(tmp_path):
    bad = tmp_path / "reranker.npz"
    bad.write_bytes(b"not an npz file")
    with pytest.raises(QAError, match="re-ranker adapter"):
        rerank.Reranker(bad)


def test_engine_answers_with_re_ranking_off(seed_engine):
    engine = QA(seed_engine.corpus, seed_engine.index_dir, Settings(rerank_top=0), encoder=seed_engine.encoder)
    assert engine.reranker is None
    a = engine.answer("Where will the new NATO command for Ukraine be based?")
    assert a.found and "Wiesbaden" in a.sentence
    # the linear scores are mapped onto the scale the abstention was fitted on
    assert not engine.answer("Who is the CEO of Apple?").found


def test_rerank_top_is_validated():
    with pytest.raises(QAError, match="rerank_top"):
        Settings(rerank_top=-1)


def test_a_question_longer_than_the_model_input_is_cut_not_refused(reranker):
    scores = reranker.score("what about the alliance " * 200, ["The alliance met in Brussels.", "Short."])
    assert scores.shape == (2,) and np.isfinite(scores).all()
