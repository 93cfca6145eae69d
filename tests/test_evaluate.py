"""Evaluation: SQuAD-style matching, metrics on hand-made cases, question-set errors, reports end to end."""

import json
import subprocess
import sys

import pytest

from qa import QAError, evaluate
from qa.answer import Answer, Evidence
from qa.evaluate import (BUCKETS, METRIC_KEYS, Question, compute_metrics, contains_answer, exact_match, f1_score,
                         judge, load_questions, normalize_answer, parse_questions, write_report)

from conftest import DATA, ROOT


def test_normalisation_follows_squad():
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert normalize_answer("“Wiesbaden”, Germany — an ally") == "wiesbaden germany ally"
    assert exact_match("the Eiffel tower.", ["Eiffel Tower"]) == 1.0
    assert exact_match(None, ["x"]) == 0.0
    # SQuAD's F1: "cat sat" vs "cat sat on mat" -> precision 1, recall 0.5
    assert f1_score("the cat sat", ["cat sat on mat"]) == pytest.approx(2 / 3)
    assert f1_score("dog", ["cat", "a dog"]) == 1.0
    assert f1_score("nothing shared", ["cat"]) == 0.0


def test_contains_answer_respects_word_boundaries():
    assert contains_answer("It recaptured 50 percent of the land.", ["50 percent"])
    assert contains_answer("NATO Command in Wiesbaden, Germany, which", ["Wiesbaden, Germany"])
    assert not contains_answer("Mr Rutter spoke.", ["Rutte"])
    assert not contains_answer(None, ["Rutte"])


def _answer(found: bool, sentences: list[str], answer: str | None = None, score: float = 0.9) -> Answer:
    evidence = tuple(Evidence(s, f"{i}.txt", "T", 0, len(s), score, s, 0, len(s), "body")
                     for i, s in enumerate(sentences))
    top = evidence[0]
    return Answer("q", found, score, top.sentence if found else None, top.source if found else None, "T",
                  0, 1, top.sentence, 0, 1, answer, None, None, evidence)


def test_metrics_and_buckets_on_known_cases():
    questions = [
        Question("a", "Where?", ("Paris",), source="0.txt", support="It is in  paris."),  # right sentence, span
        Question("b", "Who?", ("Alice",), source="1.txt", support="Alice came."),  # second -> selection miss
        Question("c", "When?", ("1999",), source="0.txt"),          # nowhere -> retrieval miss
        Question("d", "What?", ("tea",)),                           # right sentence, abstained -> false abstain
        Question("e", "CEO?", ()),                                  # unanswerable, refused
        Question("f", "Mars?", ()),                                 # unanswerable, answered -> false answer
        Question("g", "How many?", ("ten",)),                       # right sentence, wrong span -> span miss
    ]
    answers = [
        _answer(True, ["It is in Paris.", "Other."], "Paris"),
        _answer(True, ["Bob came.", "Alice came."], "Bob"),
        _answer(True, ["Nothing here.", "Or here."], None),
        _answer(False, ["They drank tea.", "x"], None),
        _answer(False, ["Apple pie.", "y"], None),
        _answer(True, ["Mars is red.", "z"], "red"),
        _answer(True, ["There were ten of them.", "w"], "There were ten"),
    ]
    records = [judge(q, a) for q, a in zip(questions, answers)]
    assert [r.failure for r in records] == [None, "selection_miss", "retrieval_miss", "false_abstain", None,
                                               "false_answer", "span_miss"]
    m = compute_metrics(questions, records, [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0])
    assert tuple(m) == METRIC_KEYS
    assert (m["n"], m["n_answerable"], m["n_unanswerable"]) == (7, 5, 2)
    assert m["sentence_hit@1"] == 0.6  # a, d, g
    assert m["sentence_hit@3"] == 0.8  # + b
    assert m["support_hit@1"] == 0.5  # of a and b, the rows with a support sentence
    assert m["mrr"] == pytest.approx((1 + 0.5 + 1 + 1) / 5, abs=1e-4)
    assert m["source_hit@1"] == pytest.approx(2 / 3, abs=1e-4)  # a and c: top evidence is 0.txt
    assert m["exact_match"] == 0.2 and m["f1"] == pytest.approx((1 + 0 + 0 + 0 + 0.5) / 5, abs=1e-4)
    assert m["abstain_precision"] == 0.5 and m["abstain_recall"] == 0.5
    assert m["answered_accuracy"] == 0.4  # answered a, b, c, f, g; right: a, g
    assert m["latency_ms_p50"] == 40.0 and m["latency_ms_p95"] == 70.0
    assert 0.0 <= m["calibration_error"] <= 1.0


@pytest.mark.parametrize("text, message", [
    ('{"question": "Q1", "answers": []}\n\n{"question": "Q2", "answers": [1]}\n', "line 3: 'answers' must be a list"),
    ('{"question": "Q1", "answers": []}\n{broken\n', "line 2: not valid JSON"),
    ('{"answers": ["x"]}\n', "line 1: 'question' is missing"),
    ('{"question": "Q", "answers": "x"}\n', "line 1: 'answers' must be a list"),
    ('{"question": "Q"}\n', "line 1: 'answers' is missing"),
    ('{"question": "Q", "answers": [], "source": 3}\n', "line 1: 'source' must be a string"),
    ('["Q"]\n', "line 1: each line must be a JSON object"),
    ('{"id": "x", "question": "Q", "answers": []}\n{"id": "x", "question": "R", "answers": []}\n', "duplicate id"),
    ("", "no questions"),
    ('{"question": "Q", "answers": []}\n' + "[" * 100_000 + "]" * 100_000 + "\n", "line 2: not valid JSON \\(nested"),
    ('{"id": ' + "7" * 5000 + ', "question": "Q", "answers": []}\n', "line 1: a number is too long"),
    ('{"question": "Q", "answers": []}\n{"question": "???", "answers": []}\n', "line 2: the question has no words"),
    ('{"question": "Q", "answers": [], "history": ["?!"]}\n', "line 1: the question has no words"),
])
def test_bad_jsonl_rows_name_their_line(text, message):
    with pytest.raises(QAError, match=message):
        parse_questions(text, "set.jsonl")


def test_line_and_paragraph_separators_inside_jsonl_strings():
    text = ('{"question": "Who met in\u2028Oslo?", "answers": ["the\u0085ministers"]}\r\n'
            '{"question": "Where?", "answers": []}\n')
    first, second = parse_questions(text, "set.jsonl")  # before the fix: "line 1: not valid JSON"
    assert first.question == "Who met in\u2028Oslo?" and first.answers == ("the\u0085ministers",)
    assert second.question == "Where?"


def test_csv_question_sets(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("id,question,answers,source,history\n"
                    "c1,Where is it?,Wiesbaden|Wiesbaden Germany,001.txt,\n"
                    "c2,Who is the CEO of Apple?,,,Earlier one?|Another?\n", encoding="utf-8")
    q1, q2 = load_questions(path)
    assert q1 == Question("c1", "Where is it?", ("Wiesbaden", "Wiesbaden Germany"), "001.txt")
    assert q2.answers == () and not q2.answerable and q2.history == ("Earlier one?", "Another?")
    path.write_text("id,question,answers\nc1,,x\n", encoding="utf-8")
    with pytest.raises(QAError, match="line 2: 'question' is missing"):
        load_questions(path)


def test_end_to_end_report_over_the_seeds(seed_engine, tmp_path):
    report = evaluate(str(DATA / "seed_questions.jsonl"), seed_engine)
    assert set(report.metrics) == set(METRIC_KEYS) and set(report.buckets) == set(BUCKETS)
    assert report.metrics["n"] == 14 and report.metrics["abstain_recall"] == 1.0
    # counted, not compared as a rate: the report rounds rates to 4 places (10/12 -> 0.8333 < 10/12)
    assert report.metrics["n_answerable"] == 12
    assert sum(r.rank == 1 for r in report.per_question if r.answers) >= 10
    paths = write_report(report, tmp_path / "out")
    data = json.loads(paths[0].read_text())
    assert set(data["metrics"]) == set(METRIC_KEYS) and len(data["per_question"]) == 14
    assert {"question", "answers", "sentence", "answer", "source", "score", "found", "failure"} <= set(
        data["per_question"][0])
    assert "| sentence_hit@1 |" in paths[1].read_text()
    assert paths[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_cli_eval_json_and_bad_file(seed_engine, tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "qa", "eval", *args, "--index-dir", str(seed_engine.index_dir)],
                              cwd=ROOT, capture_output=True, text=True, timeout=600)

    done = run(str(DATA / "seed_questions.jsonl"), "--json", "--out", str(tmp_path / "rep"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["metrics"]["n"] == 14  # stdout is the report and nothing else
    assert (tmp_path / "rep" / "report.md").is_file()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok", "answers": []}\n{"question": 5, "answers": []}\n')
    done = run(str(bad), "--out", str(tmp_path / "nothing"))
    assert done.returncode == 2 and "bad.jsonl: line 2" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "nothing").exists()
