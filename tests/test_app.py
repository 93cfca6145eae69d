"""The Gradio app: rendering escapes article text; the running app answers over HTTP (gradio_client)."""

import json
import re
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT))
import app  # noqa: E402
from qa.answer import Answer, Evidence  # noqa: E402
from qa.engine import ArticleText  # noqa: E402
from qa.evaluate import load_questions  # noqa: E402


def test_render_escapes_article_text_and_marks_the_sentence():
    context = "Before. <script>alert(1)</script> *bold* sentence. After."
    start = context.index("<script>")
    end = context.index(" After.")
    ev = Evidence(context[start:end], "a.txt", "<b>Title</b>", start, end, 0.9, context, 0, len(context), "body")
    a = Answer("q?", True, 0.9, ev.sentence, "a.txt", "<b>Title</b>", start, end, context, 0, len(context),
               "alert", None, None, (ev,), ("a.txt", "b.txt"))
    out = app.render(a)
    assert "<script>" not in out and "&#60;script&#62;" in out and "<b>Title</b>" not in out
    assert "<mark>&#60;script&#62;alert(1)&#60;/script&#62; &#42;bold&#42; sentence.</mark>" in out
    assert "also supported by 1 other article" in out and "confident (90%)" in out


def test_render_says_low_confidence_in_words_and_shows_the_date():
    ev = Evidence("It rained.", "a.txt", "Weather", 0, 10, 0.3, "It rained.", 0, 10, "body", "Ann Lee", "2024-03-01")
    a = Answer("q?", True, 0.3, ev.sentence, "a.txt", "Weather", 0, 10, ev.context, 0, 10, None, None, None, (ev,),
               author="Ann Lee", published="2024-03-01")
    out = app.render(a)
    assert "not sure: check the passage (30%)" in out and "<em>Weather</em> (2024-03-01)</button>, Ann Lee" in out


def test_article_rows_give_title_date_author_outlet_file_and_sentences(seed_engine):
    rows = app.article_rows(seed_engine)
    assert len(rows) == 5 and all(len(r) == 6 and r[5] > 0 for r in rows)
    assert sum(r[5] for r in rows) == seed_engine.index.n_sentences


def test_render_names_the_outlet_and_the_earlier_report():
    ev = Evidence("At least 413 died.", "a.html", "T", 0, 18, 0.9, "At least 413 died.", 0, 18, "body",
                  published="2023-04-21", outlet="Reuters")
    a = Answer("q?", True, 0.9, ev.sentence, "a.html", "T", 0, 18, ev.context, 0, 18, "413", 9, 12, (ev,),
               published="2023-04-21", outlet="Reuters", earlier="earlier report (2023-04-17): 185")
    out = app.render(a)
    assert "Reuters" in out and "2023-04-21" in out and "Earlier report (2023-04-17): 185" in out


def test_render_abstention():
    ev = Evidence("Near.", "a.txt", "T", 0, 5, 0.1, "Near.", 0, 5, "body")
    out = app.render(Answer("q?", False, 0.1, None, None, None, None, None, None, None, None, None, None, None, (ev,)))
    assert "The articles don't answer this." in out and "Closest passages (1, from 1 article)" in out
    assert "The closest is from <em>T</em>" in out  # says what was closest and how to rephrase
    assert app.reply_text(Answer("q?", False, 0.1, None, None, None, None, None, None, None, None, None, None, None,
                                 (ev,))) == "The articles don't answer this. The closest is from “T” (a.txt)."


@pytest.mark.slow
def test_api_answers_through_gradio_client(running_app):
    from gradio_client import Client

    client = Client(running_app, verbose=False)
    data = client.predict("Where is the new NATO command for Ukraine located?", 3, api_name="/answer")
    assert data["found"] and "Wiesbaden" in data["sentence"] and len(data["evidence"]) == 3
    refused = client.predict("Who is the CEO of Apple?", 5, api_name="/answer")
    assert refused["found"] is False
    assert "error" in client.predict("   ", 5, api_name="/answer")


def _two_article_answer() -> Answer:
    headline = "A very long headline about the council meeting that would fill a whole line on its own"
    items = tuple(Evidence(f"Sentence {i}.", src, title, 10 * i, 10 * i + 11, score, f"Sentence {i}.", 10 * i,
                           10 * i + 11, "body", None, date)
                  for i, (src, title, score, date) in enumerate([
                      ("a.txt", headline, 0.9, "2024-12-03"), ("a.txt", headline, 0.0, "2024-12-03"),
                      ("b.txt", "Other", 0.2, None), ("a.txt", headline, 0.003, "2024-12-03")]))
    top = items[0]
    return Answer("Who chaired it?", True, 0.9, top.sentence, "a.txt", headline, top.start, top.end, top.context,
                  top.context_start, top.context_end, "Rutte", 0, 5, items, published="2024-12-03")


def test_other_evidence_is_grouped_by_article_with_ranks_in_words():
    out = app.render(_two_article_answer()).split('<pre class="qa-plain">')[0]  # what the page shows
    assert out.count("A very long headline") == 2  # the source line, and once for its group of evidence
    assert "Other evidence (3, from 2 articles)" in out
    assert "2nd best match)" in out and "3rd best match, 20%)" in out and "4th best match)" in out
    assert not re.search(r"(?<!\d)0%", out)  # a zero confidence is not shown as one


def test_source_buttons_name_the_article_and_the_span_to_mark():
    out = app.render(_two_article_answer())
    values = [json.loads(v.replace("&#34;", '"')) for v in
              re.findall(r'class="qa-open" value="([^"]*)"', out)]
    assert values[0] == {"source": "a.txt", "start": 0, "end": 11}  # the source line: the supporting span
    assert {"source": "b.txt", "start": 20, "end": 31} in values and {"source": "b.txt"} in values


def test_reply_text_is_the_answer_sentence_and_source_as_plain_text():
    a = _two_article_answer()
    text = app.reply_text(a)
    assert text.splitlines() == ["Answer: Rutte", "“Sentence 0.”", f"Source: {a.title}, 2024-12-03 (a.txt), "
                                 "confident (90%)"]
    assert '<pre class="qa-plain">' in app.render(a) and "<" not in text


def test_article_view_marks_the_span_by_offsets_not_by_search():
    text = "Headline\nIt rained. Then <b>it</b> rained.\nIt rained."
    view = ArticleText("a.txt", "Headline", "Ann Lee", "2024-03-01", text, 100)
    start = 100 + text.rindex("It rained.")  # the second of three equal sentences
    out = app.article_html(view, start, start + len("It rained."))
    assert out.count("<mark") == 1 and '<p><mark id="qa-target">It rained.</mark></p>' in out
    assert "&#60;b&#62;it&#60;/b&#62;" in out and "2024-03-01 · Ann Lee · a.txt" in out
    across = app.article_html(view, 100 + text.index("Then"), start + 2)  # a span over a line break
    assert across.count("<mark") == 2 and across.count("</mark>") == 2 and across.count("<p>") == 3


def test_feedback_rows_load_as_a_question_set(tmp_path):
    a = _two_article_answer()
    refused = Answer("Who is the CEO of Apple?", False, 0.1, None, None, None, None, None, None, None, None, None,
                     None, None, a.evidence)
    answers = [refused, a]
    path = tmp_path / "feedback.jsonl"
    app.save_feedback(path, "fb-1", app.feedback_row(answers, 1, True, None))
    app.save_feedback(path, "fb-2", app.feedback_row(answers, 0, True, None))
    assert app.feedback_row(answers, 0, False, None) is None  # a refusal marked wrong has no answer to record
    rows = {q.id: q for q in load_questions(path)}
    assert rows["fb-1"].answers == ("Rutte",) and rows["fb-1"].support == "Sentence 0." and rows["fb-1"].source == "a.txt"
    assert rows["fb-1"].history == ("Who is the CEO of Apple?",) and rows["fb-2"].answers == ()
    app.save_feedback(path, "fb-1", app.feedback_row(answers, 1, False, None))  # marked again: one row, replaced
    assert [q.answers for q in load_questions(path)] == [(), ()]
    app.save_feedback(path, "fb-1", app.feedback_row(answers, 1, False, "  Mark  Rutte "))
    corrected = [q for q in load_questions(path) if q.id == "fb-1"]
    assert len(corrected) == 1 and corrected[0].answers == ("Mark Rutte",) and corrected[0].source is None
    assert json.loads(path.read_text().splitlines()[-1])["given"] == "Rutte"
