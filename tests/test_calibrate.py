"""Fitting the selector and its confidence on small hand-made cases, and the fitted default."""

import dataclasses

import numpy as np
import pytest

from qa import select
from qa.calibrate import Collected, best_and_margin, fit, rerank_gap, threshold_for_refusals
from qa.evaluate import expected_calibration_error
from qa.errors import QAError


def test_threshold_for_refusals():
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1, 0.2])
    answerable = np.array([1, 1, 1, 1, 1, 0, 0])
    assert threshold_for_refusals(p, answerable, 0.0) == 0.5  # refuses none of the answerable
    assert threshold_for_refusals(p, answerable, 0.2) == 0.6  # refuses one answerable question in five
    p_all = np.linspace(0, 1, 101)
    t = threshold_for_refusals(p_all, np.ones(101), 0.02)
    assert (p_all < t).mean() <= 0.02


def test_expected_calibration_error():
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert expected_calibration_error([1.0, 1.0], [False, False]) == pytest.approx(1.0)


def _synthetic(n_questions: int = 300, n_candidates: int = 8, seed: int = 0, signal: float = 2.5) -> Collected:
    """Candidates whose first feature marks the right one (noisily); a fifth of the questions unanswerable."""
    rng = np.random.default_rng(seed)
    xs, ys, groups, answerable = [], [], [], []
    for q in range(n_questions):
        ok = q % 5 != 0
        x = rng.normal(0, 1, (n_candidates, len(select.FEATURES))).astype(np.float32)
        x[:, select.FEATURES.index("headline")] = 0.0  # a 0/1 feature; no headlines here
        y = np.zeros(n_candidates, dtype=np.int8)
        if ok:
            y[0] = 1
            x[0, 0] += signal
            x[:, select.FEATURES.index("coverage")] += 1.0  # answerable questions are better covered
        xs.append(x), ys.append(y), groups.append(np.full(n_candidates, q)), answerable.append(ok)
    y = np.concatenate(ys)
    return Collected(np.concatenate(xs), y, np.concatenate(groups).astype(np.int32), np.array(answerable),
                     tuple(f"question {q}" for q in range(n_questions)),
                     tuple("the right sentence" if v else "a wrong sentence" for v in y))


def test_fit_learns_the_informative_feature_and_calibrates(tmp_path):
    data = _synthetic()
    selector = fit(data, fitted_on="synthetic").selector
    weights = np.array(selector.weights)
    assert np.argmax(np.abs(weights)) == 0 and weights[0] > 0
    # the ranker puts the marked candidate first for most answerable questions
    scores = selector.score(data.x)
    right = [scores[data.groups == q].argmax() == 0 for q in range(300) if q % 5]
    assert np.mean(right) > 0.8
    assert 0.0 < selector.threshold < 1.0
    path = tmp_path / "selector.json"
    selector.save(path)
    assert select.Selector.load(path) == selector


class _Marks:
    """Stands in for the cross-encoder in this fitting test: scores the sentences the data marks as right
    higher, with noise (the real cross-encoder is tested in tests/test_rerank.py)."""

    def __init__(self) -> None:
        self.rng = np.random.default_rng(1)
        self.calls = 0

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.array([2.0 * (t == "the right sentence") for t in texts]) + self.rng.normal(0, 0.5, len(texts))


def test_second_stage_learns_how_much_to_trust_the_cross_encoder():
    data = _synthetic(signal=1.0)  # the features alone often miss
    one = fit(data)
    two = fit(data, reranker=(marks := _Marks()), rerank_top=4)
    assert one.selector.rerank_weights == () and not one.selector.reranks
    assert two.selector.rerank_weights[-1] > 0 and marks.calls == len(set(data.groups.tolist()))
    assert len(two.selector.rerank_weights) == len(select.FEATURES) + 1
    assert two.selector.plain_scale[0] > 0 and one.selector.plain_scale == (1.0, 0.0)

    def hit(scores):
        return np.mean([data.y[data.groups == q][scores[data.groups == q].argmax()] for q in range(300) if q % 5])

    assert hit(two.scores) > hit(one.scores) + 0.1  # with the cross-encoder reading only what the gap lets it
    assert two.selector.rerank_gap == two.selector.skip_margin and np.isfinite(two.selector.rerank_gap)
    assert one.pairs_read is None and two.pairs_read.max() <= 4
    # the final score is what the confidence was fitted on, and stays calibrated
    assert 0.0 < two.selector.threshold < 1.0


def test_the_rerank_gap_is_the_smallest_lead_that_keeps_the_answers_re_ranking_gave():
    # per question, the linear scores of the rows the cross-encoder would read (best first), and for k = 1, 2, ...
    # whether re-scoring the first k of them puts a right sentence on top (k = 1: the linear order alone)
    cases = [([5.0, 4.5, 4.0, 2.0], [0, 0, 1, 1]),  # the right row is the third, 1.0 behind the first
             ([3.0, 2.8, 0.5], [1, 1, 1]),  # right whatever is read
             ([1.0, 0.6], [0, 1])]  # the runner-up, 0.4 behind
    linear, stage, outcomes, start = [], [], [], 0
    for scores, right in cases:
        linear += scores
        stage.append((start, start + len(scores), np.arange(len(scores)), np.zeros(len(scores))))
        outcomes.append(np.array(right))
        start += len(scores)
    linear = np.array(linear, dtype=np.float32)
    assert rerank_gap(linear, stage, outcomes, max_cost=0.0) == pytest.approx(1.0)
    assert rerank_gap(linear, stage, outcomes, max_cost=0.34) == pytest.approx(0.4)  # one question may be lost
    assert rerank_gap(linear, stage, outcomes, max_cost=1.0) == pytest.approx(0.2)  # the smallest lead there is
    assert rerank_gap(linear, [], [], max_cost=0.0) == float("inf")


def test_rescore_keeps_rows_the_cross_encoder_did_not_see_below_those_it_did(tmp_path):
    base = select.load_selector(None)
    selector = dataclasses.replace(base, rerank_weights=(0.0,) * len(select.FEATURES) + (2.0,))
    x = np.zeros((5, len(select.FEATURES)), dtype=np.float32)
    linear = np.array([5.0, 4.0, 3.0, 2.9, 0.0], dtype=np.float32)
    final = selector.rescore(x, linear, np.array([0, 1, 2]), np.array([-1.0, 3.0, -2.0], dtype=np.float32))
    assert final.argmax() == 1  # the cross-encoder moved the second row up
    assert final[3] < final[:3].min() and final[4] < final[3]
    assert final[3] - final[4] == pytest.approx(2.9)  # spaced as the linear stage spaced them
    x[0, select.FEATURES.index("headline")] = 1.0
    assert select.rerank_rows(x, linear, 3).tolist() == [1, 2, 3]  # the cross-encoder never reads headlines
    selector.save(tmp_path / "selector.json")
    assert select.Selector.load(tmp_path / "selector.json") == selector and selector.reranks
    with pytest.raises(QAError, match="refit"):
        dataclasses.replace(base, rerank_weights=(1.0, 2.0))


def test_fit_refuses_a_set_without_unanswerable_questions():
    data = _synthetic()
    all_answerable = Collected(data.x, data.y, data.groups, np.ones_like(data.answerable))
    with pytest.raises(QAError, match="unanswerable"):
        fit(all_answerable)


def test_packaged_selector_loads():
    selector = select.load_selector(None)
    assert len(selector.weights) == len(select.FEATURES) and "SQuAD" in selector.fitted_on


@pytest.mark.slow
def test_qa_calibrate_command_fits_a_selector_the_engine_can_use(seed_engine, tmp_path):
    from qa.cli import main
    from qa.engine import QA

    from conftest import DATA

    out = tmp_path / "selector.json"
    assert main(["calibrate", str(DATA / "seed_questions.jsonl"), "--corpus", str(seed_engine.corpus),
                 "--index-dir", str(seed_engine.index_dir), "--out", str(out)]) == 0
    fitted = select.Selector.load(out)
    assert fitted.fitted_on.startswith("seed_questions.jsonl") and 0.0 <= fitted.threshold <= 1.0
    # an index folder with its own selector.json uses it instead of the packaged one
    own = tmp_path / "index"
    own.mkdir()
    (own / "selector.json").write_text(out.read_text())
    engine = QA(seed_engine.corpus, own, encoder=seed_engine.encoder)
    assert engine.selector == fitted


def test_the_fit_measures_the_margin_against_the_rival_answering_uses(tmp_path, encoder):
    """A sentence repeated by a second article is no rival of itself: answering (answer.pick / Picked.runner_up)
    and calibration (best_and_margin with the collected twins) both measure the lead over the next other one."""
    from qa.answer import pick
    from qa.engine import QA
    from qa.select import Scored, twins

    corpus = tmp_path / "news"
    corpus.mkdir()
    same = "The council approved the new budget of 40 million euros on Monday."
    (corpus / "a.txt").write_text(f"Budget approved\n\n{same}\n\nThe mayor welcomed it.\n", encoding="utf-8")
    (corpus / "b.txt").write_text(f"City news\n\n{same}\n\nProtests are planned.\n", encoding="utf-8")
    engine = QA(corpus, tmp_path / "index", encoder=encoder)
    index = engine.index
    texts = [index.sentence_text(i) for i in range(index.n_sentences)]
    a_row, b_row = (i for i, t in enumerate(texts) if t == same)
    other = texts.index("The mayor welcomed it.")
    sentences = np.array([a_row, b_row, other])
    scores = np.array([2.0, 1.9, 1.5], dtype=np.float32)
    scored = Scored(sentences, scores, np.zeros((3, len(select.FEATURES)), dtype=np.float32))
    picked = pick(index, scored, 3)
    assert picked.sentences == [a_row, other]
    assert picked.runner_up(scored, 0) == pytest.approx(1.5)
    best, margin, row = best_and_margin(scores, np.zeros(3, dtype=np.int32), 1, (twins(index, sentences),))
    assert row[0] == 0 and margin[0] == pytest.approx(0.5)
    assert best_and_margin(scores, np.zeros(3, dtype=np.int32), 1)[1][0] == pytest.approx(0.1)  # without twins
