"""What the articles cover in answering: filters, the newest article for "latest" questions, named years and days,
names no article (or not the answering one) mentions, numbered names, the outlet a report ran in."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from qa import metadata
from qa.engine import QA
from qa.errors import QAError
from qa.scope import (Scope, TimeChoice, _figures, article_dates, asks_latest, day_ahead, named_start, named_years,
                      other_figure, other_number, outlet_named, prefer_time, unknown_names, unnamed_in_article)

from conftest import one_article, sentence_starting

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


def test_the_month_or_day_a_question_names_with_its_year():
    assert named_start("What rate did the Bank of Japan set at its July 2024 meeting?") == "2024-07-01"
    assert named_start("What did the FDA decide on 6 January 2023?") == "2023-01-06"
    assert named_start("What did it decide on January 6, 2023, and in late November 2022?") == "2022-11-01"
    assert named_start("How many crossed in 2021?") is None and named_start("What did it do on January 6?") is None
    assert named_start("What happened on February 30, 2023?") is None  # no such day


def test_a_day_without_its_year_is_one_to_come_only_where_the_sentence_expects_it():
    # the days a text names without a year, where each starts: no day with its year, none its month never has
    assert metadata.month_days("By Jan. 6, or 6 January 2024, or Feb 30, or the 7th March and May 3.") == [
        (3, "01-06"), (48, "03-07"), (62, "05-03")]
    expects = "The FDA is expected to decide by Jan. 6 whether to grant accelerated approval."
    assert day_ahead("What did the FDA decide on January 6?", expects, "2022-11-30") == "2023-01-06"
    assert day_ahead("What did the FDA decide on January 6?", expects, "2023-01-06") == "2023-01-06"
    # a day the sentence gives as past, or does not give, is no day to come
    past = "Militants took about 250 hostages in the October 7 attack, officials said."
    assert day_ahead("How many hostages were taken in the October 7 attack?", past, "2024-06-20") is None
    assert day_ahead("What did the FDA decide on January 7?", expects, "2022-11-30") is None
    assert day_ahead("What did the FDA decide?", expects, "2022-11-30") is None
    # an expectation word elsewhere in the sentence is not about the day; a day with its year is no such day
    assert day_ahead("How many were killed in the October 7 attack?", "About 1,200 were killed in the October 7 "
                     "attack, which Israel said would not go unpunished.", "2024-06-20") is None
    assert day_ahead("When did the strike begin on September 15?", "The strike, which began on September 15, is "
                     "expected to last weeks.", "2023-09-20") is None
    assert day_ahead("What was decided on January 6?", "A decision is expected by Jan. 6, 2023.", "2022-11-30") is None
    # 29 February: the next leap year; dates out of range, as some exports give, are no day at all
    leap = "The vote is expected on 29 February."
    assert day_ahead("How did the vote on 29 February go?", leap, "2097-03-01") == "2104-02-29"  # 2100 is no leap year
    assert day_ahead("How did the vote on March 3 go?", "It will vote on March 3.", "9999-12-31") is None
    assert day_ahead("How did the vote on March 3 go?", "It will vote on March 3.", "0001-01-01") == "0001-03-03"


def test_figures_leave_years_and_dates_out():
    assert _figures("At least 413 people were killed in 2023, up from 1,800 wounded; $3.9 billion") == [
        "413", "1800", "3.9 billion"]
    assert _figures("KHARTOUM, April 21 (Reuters) - At least 413 were killed by Sept. 29, 2023") == ["413"]
    assert _figures("The first flight was due in June 2022.") == []
    # a unit only as a whole word: "12,700 members" is 12700, not 12,700 million
    assert _figures("About 12,700 members, 5,600 more, $2m and 3.5bn, 40% and 7 per cent") == [
        "12700", "5600", "2m", "3.5bn", "40%", "7 per cent"]


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
    # the first report's lede scores best ("wounded" is its word; the update says "injured"), but the update reports
    # the same thing with other figures, and supersedes it however far behind it scores
    hurt = news_engine.answer("According to the most recent update, how many people have been wounded in Sudan's "
                              "fighting?")
    assert hurt.source == "sudan-toll-rises-413.html" and "3,551" in hurt.sentence
    assert hurt.earlier is not None and hurt.earlier.startswith("earlier report (2023-04-17): ")
    # a question that does not ask for the latest keeps the best report, whichever is newer
    assert news_engine.answer("How many people were wounded in the first three days of fighting in Sudan?"
                              ).source == "sudan-fighting-toll-185.html"


@pytest.mark.slow
def test_a_latest_follow_up_asks_for_the_update_of_what_the_previous_turn_reported(news_engine):
    # "how many are out now?" after the strike's first day asks for the newest figure of the walkout the previous
    # answer reported ("The strike began on Sept. 15 with about 12,700 workers"); the question alone reads poorly
    # ("autoworkers ... out": the layoffs of "more than 4,000" score best), but the update's lede reports that same
    # thing with another figure, and supersedes it
    first = "How many autoworkers walked out when the UAW strike began on September 15?"
    now = news_engine.answer("and how many are out now?", history=[first])
    assert now.rewritten == "How many autoworkers are out now?"
    assert now.source == "export.jsonl#uaw-strike-expands" and now.answer == "about 25,000"
    # its confidence is that the articles answer the question (the best-scored sentence's), not the update's own
    # score against the question's words (under 1%)
    assert now.score > 0.1 > now.evidence[0].score
    # and it is answered though the best-scored sentence alone would be refused: it is the update of the previous
    # answer, which the articles answer
    index = news_engine.index
    before = news_engine.answer(first)
    update, said = (index.sentence_at(index.article_number(a.source), a.start) for a in (now, before))
    assert prefer_time(index, now.rewritten, [said, update], [1.0, -5.0], previous=said) == TimeChoice(1, update=True)
    # not asked for the latest: the best stays
    assert prefer_time(index, "How many autoworkers are out?", [said, update], [1.0, -5.0], previous=said) == \
        TimeChoice()
    # with no previous turn, a far-behind sentence of the same article is not taken
    assert prefer_time(index, now.rewritten, [said, update], [1.0, -5.0]) == TimeChoice()
    assert "12,700" in news_engine.answer(first).sentence  # the first question keeps its figure


@pytest.mark.slow
def test_within_the_previous_answer_s_own_article_only_an_earlier_sentence_updates_it(news_engine):
    # the update's lede gives the newest figure ("bringing the number ... to about 25,000"); its later "The strike
    # began on Sept. 15 with about 12,700 workers" reports the same thing with another figure, as background
    index = news_engine.index
    first, last = index.article_sentences(index.article_number("export.jsonl#uaw-strike-expands"))
    texts = {index.sentence_text(s): s for s in range(first, last)}
    lede = next(s for t, s in texts.items() if "about 25,000" in t and t.startswith("DETROIT"))
    background = next(s for t, s in texts.items() if t.startswith("The strike began on Sept. 15"))
    assert other_figure(index, lede, background)
    now = "How many autoworkers are out now?"
    assert prefer_time(index, now, [background], [1.0], previous=lede) == TimeChoice(0, update=False)
    assert prefer_time(index, now, [lede], [1.0], previous=background) == TimeChoice(0, update=True)


@pytest.mark.slow
def test_a_question_about_the_previous_answer_s_figure_is_answered_where_it_was_stated(news_engine):
    toll = news_engine.answer(SUDAN)
    assert toll.answer == "At least 413"
    who = news_engine.answer("who gave that figure?", history=[SUDAN])
    assert who.rewritten == "Who gave the figure of 413?"
    # not "The new figure is more than double the toll of 185 given by the U.N. envoy", which scores best
    assert who.sentence == toll.sentence and "World Health Organization" in who.sentence
    assert who.score > 0.1 > who.evidence[0].score
    # a reply without a short answer showed the figures of its sentence: "that figure" is one of those
    shown = dataclasses.replace(toll, answer=None, answer_start=None, answer_end=None, answer_score=None)
    again = news_engine.answer("who gave that figure?", history=[shown])
    assert again.rewritten is None and again.sentence == toll.sentence


@pytest.mark.slow
def test_a_dateline_without_a_year_is_ordered_beside_the_dated_reports_of_its_story(news_engine):
    index = news_engine.index
    week_on = index.article_number("export.jsonl#turkey-syria-quake-week-on")  # "ANTAKYA, Turkey, Feb 13 (Reuters)"
    first = index.article_number("export.jsonl#turkey-syria-quake")  # "Tuesday 7 February 2023"
    far = index.article_number("export.jsonl#uaw-strike-expands")  # 2023-09-29, months away
    assert index.articles[week_on].published is None and index.articles[week_on].published_day == "02-13"
    assert article_dates(index, [week_on, first]) == {week_on: "2023-02-13", first: "2023-02-07"}
    assert article_dates(index, [week_on]) == {} and week_on not in article_dates(index, [week_on, far])
    a = news_engine.answer("What's the most recent number of quake deaths reported in Syria?")
    assert a.source == "export.jsonl#turkey-syria-quake-week-on" and "3,581" in a.sentence
    assert a.published is None  # the guessed year orders reports; it is never shown as the article's date
    assert a.earlier is not None and a.earlier.startswith("earlier report (2023-02-07): ")
    # nor does it count for a date filter
    assert all(e.source != "export.jsonl#turkey-syria-quake-week-on"
               for e in news_engine.answer("How many quake deaths were reported in Syria?", since="2023-01-01").evidence)


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


@pytest.mark.slow
def test_a_question_about_a_time_the_answering_article_does_not_report_on_is_refused(news_engine):
    # the 2023 article says "so far this year, down from 45,774 in 2022": it answers for 2022, not for 2021
    a = news_engine.answer("How many people crossed the Channel in small boats in 2021?")
    assert not a.found and "does not report on 2021" in a.notice and a.evidence
    assert news_engine.answer("How many people crossed the Channel in small boats in 2022?").found
    # an article of March 2024 cannot report what the July 2024 meeting decided
    july = news_engine.answer("What interest rate did the Bank of Japan set at its July 2024 meeting?")
    assert not july.found and "published before 2024-07-01" in july.notice
    march = news_engine.answer("What did the Bank of Japan decide at its March 2024 meeting?")
    assert march.found and march.source == "export.jsonl#boj-ends-negative-rates"
    # a day named without its year is the one nearest the article's date: the trial article of 30 November 2022
    # expects the decision "by Jan. 6" and cannot say what was decided then
    untold = news_engine.answer("What did the FDA decide about lecanemab on January 6?")
    assert not untold.found and untold.notice == "the closest article (2022-11-30) was published before 2023-01-06"
    expected = news_engine.answer("What is the FDA expected to decide about lecanemab by January 6?")
    assert expected.found and expected.notice is None
    # what was expected of a later month is what an earlier article can say
    ahead = news_engine.answer("What is the Bank of Japan expected to do by July 2024?")
    assert ahead.notice is None or "published before" not in ahead.notice


@pytest.mark.slow
def test_a_question_about_names_no_article_mentions_is_refused(news_engine):
    index = news_engine.index
    assert unknown_names(index, "How many Airbus jets did IndiGo order?") == ["Airbus", "IndiGo"]
    assert unknown_names(index, "What were Evergrande's total liabilities?") == ["Evergrande"]
    a = news_engine.answer("How many Airbus jets did IndiGo order?")
    assert not a.found and a.notice == "no article mentions Airbus or IndiGo" and a.evidence
    # one name the articles mention is enough: "Syrians" and "Rwanda" are there, "Afghans" and "Yemenis" are not
    assert unknown_names(index, "What share of claims from Afghans, Syrians and Yemenis did Rwanda turn down?") == []
    # a slip in a long name is the name; a short one must be spelt right
    assert unknown_names(index, "What did Loreen sing in Liverpol?") == []  # Liverpool
    assert unknown_names(index, "What did the governor, Uedda, say?") == ["Uedda"]  # Ueda, but five letters
    assert unknown_names(index, "Who is Kazuo Uedda?") == [] and unknown_names(index, "How did Käärijä do?") == []
    # the length is the word's as asked, not its stem's: "Ukriane" (7 letters, "ukrian") is Ukraine
    assert unknown_names(index, "What did the G20 say about Ukriane?") == []
    assert unknown_names(index, "What did the G20 say about Ukrane?") == ["Ukrane"]  # six letters
    # but a short stem of a long word ("steven", "linek", "hast") is spelt right or is another name ("seven")
    for name in ("Stevens", "Gary Lineker", "Hastings", "Jean-Luc Mélenchon"):
        assert unknown_names(index, f"What did {name} say about the strike?") == [name]
    assert unknown_names(index, "How much did Actvision cost?") == []  # "actvis" for "activis": both long words
    # acronyms (spelt out in the articles or not), months, weekdays and a capitalised first word are not names
    assert unknown_names(index, "What did the FDA and the IOC decide in March?") == []
    assert unknown_names(index, "Boycotts: what happened on Tuesday?") == []


@pytest.mark.slow
def test_a_question_is_refused_where_the_answering_article_mentions_none_of_its_names(news_engine):
    index = news_engine.index
    texts = [index.sentence_text(i) for i in range(index.n_sentences)]
    quake = sentence_starting(index, "The first quake, of magnitude 7.8")
    sudan = next(i for i, t in enumerate(texts) if "Sudan" in t and "killed" in t)
    # a word of the names stands in some article, so the articles as a whole may answer; the quake's article names
    # neither Storm Daniel nor Greece
    assert unknown_names(index, "How many people did Storm Daniel kill in Greece?") == []
    assert unnamed_in_article(index, "How many people did Storm Daniel kill in Greece?", quake) == (
        "the closest article does not mention Storm Daniel or Greece")
    # one name it mentions is enough, and a people's name stands for its nation and the other way round
    assert unnamed_in_article(index, "How many people did Storm Daniel kill in Turkey?", quake) is None
    assert unnamed_in_article(index, "What did Turkish rescuers find in the rubble?", quake) is None
    assert unnamed_in_article(index, "How many Sudanese have been killed?", sudan) is None
    assert unnamed_in_article(index, "How many people were killed?", quake) is None  # no name given
    a = news_engine.answer("How many people did Storm Daniel kill in Greece?")
    assert not a.found and a.notice == "the closest article does not mention Storm Daniel or Greece" and a.evidence


@pytest.mark.slow
def test_a_question_is_refused_where_the_answering_article_numbers_its_name_otherwise(news_engine):
    index = news_engine.index
    texts = [index.sentence_text(i) for i in range(index.n_sentences)]
    grounded = next(i for i, t in enumerate(texts) if "grounding of 171 Boeing 737 MAX 9" in t)
    assert other_number(index, "How many Boeing 737 MAX 8 jets did the FAA ground?", grounded) == (
        "the closest article names MAX 9, not MAX 8")
    assert other_number(index, "How many Boeing 737 MAX 9 jets did the FAA ground?", grounded) is None
    # a year and a score are no such names (the article writes "Boeing 737": each would be refused were it read as
    # one), nor is a name the article never numbers
    for question in ("What did the Boeing 2024 review find?", "Was it Boeing 7-3 on the vote?",
                     "Which Portland 2 runway did the plane use?"):
        assert other_number(index, question, grounded) is None, question
    assert other_number(index, "Which Boeing 7 jets were grounded?", grounded) == (
        "the closest article names Boeing 737, not Boeing 7")
    a = news_engine.answer("How many Boeing 737 MAX 8 jets did the FAA ground after the Alaska Airlines incident?")
    assert not a.found and a.notice == "the closest article names MAX 9, not MAX 8" and a.evidence
    assert news_engine.answer("How many Boeing 737 MAX 9 jets did the FAA ground?").found


TRIALS = """Drug trial results

The Phase III trial of the drug found it slowed decline by 27%, the company said.
An earlier Phase 2 study had shown mixed results.
Max Verstappen won the Formula One world title in Qatar, ahead of the Formula 2 champion's debut.
Nearly 150 homes were destroyed when the river burst its banks in Derna, and almost 200 people died.
"""


@pytest.mark.slow
def test_a_name_written_with_a_roman_or_spelt_out_number_may_be_the_one_asked_about(tmp_path, encoder):
    index = one_article(encoder, tmp_path, TRIALS).index
    phase = sentence_starting(index, "The Phase III")
    assert other_number(index, "What did the Phase 3 trial find?", phase) is None
    assert other_number(index, "Who won the Formula 1 world title in Qatar?", phase) is None
    assert other_number(index, "Nearly 200 people died in which town?", phase) is None  # a qualifier, first word
    assert other_number(index, "What did the Phase 4 study show?", phase) is None  # "Phase III" may be it
    assert other_number(index, "How many homes did Derna 2 lose?", phase) is None  # never numbered


OTHER_FORMS = """Wildfire kills firefighters

Four firefighters from Canada died fighting the blaze, officials said.
The Conservatives lost two of three by-elections on Thursday.
The Federal Reserve raised rates by 25 basis points.
Anna Kowalska, a nurse in Belgium, said the smoke was everywhere.
"""


@pytest.mark.slow
def test_an_article_mentions_a_name_in_its_other_forms(tmp_path, encoder):
    index = one_article(encoder, tmp_path, OTHER_FORMS).index
    for question in ("How many Canadian firefighters died?", "How many by-elections did the Tories lose?",
                     "How much did the Fed raise rates?", "What did Anna Kowalksa say?",  # a slip
                     "What did the Belgian nurse say?"):
        assert unnamed_in_article(index, question, 0) is None, question
    assert unnamed_in_article(index, "What did Storm Daniel do in Greece?", 0) == (
        "the closest article does not mention Storm Daniel or Greece")
    assert unnamed_in_article(index, "What did the Greek nurse say?", 0) == (
        "the closest article does not mention Greek")


def test_who_wrote_an_outlets_story_is_looked_for_among_that_outlets_articles(tmp_path, encoder):
    """The outlet's name is no word of the story: it picks the articles, then leaves the question."""
    rows = [{"id": "wire", "title": "Dock workers strike at northern port", "author": "Ann Lee", "outlet": "Reuters",
             "text": "Dock workers at the northern port went on strike on Monday over pay, halting all container "
                     "traffic. The union said 2,000 members had walked out."},
            {"id": "local", "title": "Port strike halts ferries", "author": "Tom Reyes",
             "outlet": "The Valley Sentinel",
             "text": "The strike by dock workers at the port stopped the island ferries on Monday. Shops on the "
                     "island ran short of milk by the afternoon."}]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "export.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    engine = QA(corpus, tmp_path / "index", encoder=encoder)
    index = engine.build()
    asked, allowed, shown = outlet_named(index, "Who wrote the Valley Sentinel story on the dock workers' strike?",
                                         None)
    assert (asked, shown) == ("Who wrote the story on the dock workers' strike?", "Valley Sentinel")
    assert [a.outlet for a, ok in zip(index.articles, allowed) if ok] == ["The Valley Sentinel"]
    assert outlet_named(index, "who wrote the reuters report on the strike", None)[1].tolist() == [True, False]
    assert outlet_named(index, "Which reporter covered the strike for Reuters?", None)[0] == (
        "Which reporter covered the strike?")
    assert outlet_named(index, "Who wrote the story on the dock workers' strike?", None) is None
    assert outlet_named(index, "What did Reuters say about the strike?", None) is None  # not who wrote it
    assert outlet_named(index, "Which reporter covered the strike for Reuters on Monday?", None)[0] == (
        "Which reporter covered the strike on Monday?")
    assert outlet_named(index, "Which reporter covered Dockside Ltd for Reuters?", None)[0] == (
        "Which reporter covered Dockside Ltd?")
    assert outlet_named(index, "Which Reuters reporter wrote about the strike?", None)[2] == "Reuters"
    # a name the outlet's is part of is not the outlet, nor the outlet's name as an ordinary word
    for question in ("Who wrote the story on the Valley Sentinel strike?", "Who wrote the Reuters Institute report?",
                     "Who wrote the story on the strike in Reuters Square?",
                     "Who wrote the story about the valley sentinel report on the Strike?",
                     "Who wrote the Highland Valley Sentinel story on the strike?",  # another outlet's longer name
                     "Who wrote the story on the strike in the Valley Sentinel?"):  # "in" may name a place
        assert outlet_named(index, question, None) is None, question
    # a filter that leaves the outlet out still holds
    assert not outlet_named(index, "Who wrote the Valley Sentinel story?", np.array([True, False]))[1].any()
    assert engine.answer("Who wrote the story on the dock workers' strike?").answer == "Ann Lee"
    a = engine.answer("Who wrote the Valley Sentinel story on the dock workers' strike?")
    assert a.found and a.answer == "Tom Reyes" and a.outlet == "The Valley Sentinel"
    a = engine.answer("Who wrote the Valley Sentinel story on the election results?")
    assert not a.found and a.notice and "Valley Sentinel" in a.notice
