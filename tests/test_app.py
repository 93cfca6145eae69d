"""The Gradio app: rendering escapes article text; the running app answers over HTTP (gradio_client)."""

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT))
import app  # noqa: E402
from qa.answer import Answer, Evidence  # noqa: E402


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
    assert "not sure: check the passage (30%)" in out and "Weather</em>, Ann Lee, 2024-03-01" in out


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
    assert "Reuters, 2023-04-21" in out and "Earlier report (2023-04-17): 185" in out


def test_render_abstention():
    ev = Evidence("Near.", "a.txt", "T", 0, 5, 0.1, "Near.", 0, 5, "body")
    out = app.render(Answer("q?", False, 0.1, None, None, None, None, None, None, None, None, None, None, None, (ev,)))
    assert "The articles don't answer this." in out and "Closest passages (1)" in out
    assert "The closest is from <em>T</em>" in out  # says what was closest and how to rephrase


@pytest.mark.slow
def test_api_answers_through_gradio_client(running_app):
    from gradio_client import Client

    client = Client(running_app, verbose=False)
    data = client.predict("Where is the new NATO command for Ukraine located?", 3, api_name="/answer")
    assert data["found"] and "Wiesbaden" in data["sentence"] and len(data["evidence"]) == 3
    refused = client.predict("Who is the CEO of Apple?", 5, api_name="/answer")
    assert refused["found"] is False
    assert "error" in client.predict("   ", 5, api_name="/answer")
