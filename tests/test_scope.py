"""Dates and outlets in answering: filters, the newest article for "latest" questions, named years."""

from __future__ import annotations

import pytest

from qa.errors import QAError
from qa.scope import Scope, _figures, asks_latest, named_years

SUDAN = "What's the latest death toll from the fighting in Sudan?"


def test_scope_is_validated_quoting_the_bad_value():
    with pytest.raises(QAError, match="since must be an ISO date.*'April 2023'"):
        Scope.make(since="April 2023")
    with pytest.raises(QAError, match="until must be an ISO date.*'2023-02-30'"):
        Scope.make(until="2023-02-30")
    with pytest.raises(QAError, match="is after until"):
        Scope.make(since="2023-05-01", until="2023-04-01")
    with pytest.raises(QAError, match="sources must be"):
        Scope.make(sources=[""])
    assert not Scope.make().active
    assert Scope.make(sources="Reuters").sources == ("Reuters",)


def test_which_questions_ask_for_the_latest_and_which_name_a_year():
    assert asks_latest(SUDAN) and asks_latest("How many UAW members are on strike now?")
    assert asks_latest("What has the strike cost so far?") and asks_latest("What is the current rate?")
    assert not asks_latest("How many people were killed in the first three days?")
    assert not asks_latest("Who knows the answer?")
    assert named_years("How many crossed in 2021 and 1999?") == {"2021", "1999"}
    assert named_years("How many crossed last year?") == set()


def test_figures_leave_years_and_dates_out():
    assert _figures("At least 413 people were killed in 2023, up from 1,800 wounded; $3.9 billion") == [
        "413", "1800", "3.9 billion"]
    assert _figures("KHARTOUM, April 21 (Reuters) - At least 413 were killed by Sept. 29, 2023") == ["413"]


@pytest.mark.slow
def test_latest_prefers_the_newer_report_and_names_the_earlier_figure(news_engine):
    a = news_engine.answer(SUDAN)
    assert a.found and a.source == "sudan-toll-rises-413.html"  # the update, not the first report (185)
    assert a.published == "2023-04-21" and a.outlet == "Reuters" and "413" in a.context
    cost = news_engine.answer("What's the latest estimate of what the strike has cost the economy so far?")
    assert cost.source == "export.jsonl#uaw-strike-expands" and "3.9 billion" in cost.sentence
    assert cost.earlier is not None and cost.earlier.startswith("earlier report (2023-09-15): ")
    assert "5 billion" in cost.earlier
    assert cost.to_dict()["earlier"] == cost.earlier


@pytest.mark.slow
def test_latest_answers_with_the_sentence_that_states_the_newer_figure(news_engine):
    # within the update, "The new figure is more than double the toll of 185" (a figure the first report gave)
    # and "$500 a week in strike pay" (so did the first strike story) give way to the sentences with new figures
    assert "413" in news_engine.answer(SUDAN).sentence
    assert "25,000" in news_engine.answer("How many UAW members are on strike now?").sentence
    # a latest question whose best sentence states a new figure keeps it, though the update's lede is close
    assert "31,643" in news_engine.answer("How many people are now confirmed dead in Turkey?").sentence


@pytest.mark.slow
def test_date_and_outlet_filters_restrict_the_articles(news_engine):
    before = news_engine.answer("How many people have been killed in the fighting in Sudan?", until="2023-04-18")
    assert before.found and before.source == "sudan-fighting-toll-185.html" and "185" in before.sentence
    assert all(e.published and e.published <= "2023-04-18" for e in before.evidence)
    after = news_engine.answer("How many people have been killed in the fighting in Sudan?", since="2023-04-19",
                               until="2023-04-30")
    assert after.source == "sudan-toll-rises-413.html"
    assert all("2023-04-19" <= e.published <= "2023-04-30" for e in after.evidence)
    reuters = news_engine.answer("Who won the Eurovision Song Contest?", sources=["Reuters"])
    assert all(e.outlet == "Reuters" for e in reuters.evidence)
    by_file = news_engine.answer_batch(["Who won the Eurovision Song Contest?"],
                                       sources=["export.jsonl#eurovision-2023-loreen"])[0]
    assert {e.source for e in by_file.evidence} == {"export.jsonl#eurovision-2023-loreen"}
    nothing = news_engine.answer(SUDAN, since="2030-01-01")
    assert not nothing.found and nothing.evidence == ()
    with pytest.raises(QAError, match="'yesterday'"):
        news_engine.answer(SUDAN, since="yesterday")


@pytest.mark.slow
def test_a_question_about_a_year_no_article_covers_is_refused(news_engine):
    a = news_engine.answer("How many people were killed in the fighting in Sudan in 2011?")
    assert not a.found and "no article covers 2011" in a.notice
    covered = news_engine.answer("Which city hosted Eurovision in 2023?")
    assert covered.notice is None
