"""The short-answer reader: the shipped adapter loads offline, marks the answer inside a sentence, and never
returns half a name or an unbalanced quote."""

import numpy as np
import pytest

from qa import adapter, reader
from qa.answer_types import AnswerType, counted_words, predicates, quotes
from qa.encoder import model_path
from qa.config import Settings
from qa.errors import QAError

CASES = [
    ("Where will the new NATO command be based?",
     "The new command will be based in Wiesbaden, Germany, officials said.", "Wiesbaden"),
    ("How much military aid did the allies pledge?",
     "Allies pledged a minimum baseline of 40 billion euros in military aid within the next year.", "40 billion"),
    ("Who chaired the meeting on December 3?",
     "The meeting on December 3 was chaired by NATO Secretary General Mark Rutte in Brussels.", "Mark Rutte"),
    ("When did Finland join NATO?", "Finland became NATO's 31st member in April 2023.", "April 2023"),
]


@pytest.fixture(scope="module")
def the_reader():
    return reader.Reader()


def test_adapter_is_fitted_for_the_installed_base_model(the_reader):
    _, version = model_path(adapter.BASE_MODEL)
    assert the_reader.info.base == adapter.BASE_MODEL and the_reader.info.base_version == version
    assert "SQuAD" in the_reader.info.fitted_on and "test half never read" in the_reader.info.fitted_on


@pytest.mark.parametrize("question,sentence,expected", CASES)
def test_the_reader_marks_the_answer(the_reader, question, sentence, expected):
    span = the_reader.read(question, [sentence])[0]
    assert span is not None and expected in sentence[span.start:span.end]
    assert len(sentence[span.start:span.end]) < len(sentence) / 2
    assert 0.0 < span.probability <= 1.0 and 0.0 <= span.null_probability < 1.0


def test_a_sentence_without_the_answer_is_less_likely(the_reader):
    question = "Where will the new NATO command be based?"
    right, wrong = the_reader.read(question, ["The new command will be based in Wiesbaden, Germany.",
                                              "The secretary general thanked the allies for their support."])
    assert wrong is None or wrong.probability < right.probability


def test_spans_are_tidy():
    text = 'Officials led by Henrik Ødegård said "we will win the vote" on Monday.'
    start = text.index("Ødegård")
    assert text[slice(*reader.tidy_span(text, start, start + 3))] == "Henrik Ødegård"  # never half a name
    quote = text.index('"we')
    tidy = reader.tidy_span(text, quote, quote + 8)  # '"we will' opens a quote it does not close
    assert tidy is None or text[slice(*tidy)].count('"') % 2 == 0
    single = "The minister said the government’s ‘door remains open’ to talks."
    door = single.index("‘door")
    tidy = reader.tidy_span(single, door, door + 15)  # '‘door remains' opens a single-marked quote
    assert tidy is not None and "‘" not in single[slice(*tidy)]
    assert single[slice(*reader.tidy_span(single, door, door + 20))] == "door remains open"  # marks stripped
    assert text[slice(*reader.tidy_span(text, text.index("Monday"), len(text)))] == "Monday"  # no full stop
    us = "Aid from the U.S. arrived."
    assert us[slice(*reader.tidy_span(us, us.index("U.S."), us.index("U.S.") + 4))] == "U.S."
    listed = "At least 1,832 deaths have been reported - 812 in government-held areas, and -5% growth."
    dash = listed.index("- 812")
    assert listed[slice(*reader.tidy_span(listed, dash, dash + 5))] == "812"  # a dash that sets off a list
    minus = listed.index("-5%")
    assert listed[slice(*reader.tidy_span(listed, minus, minus + 3))] == "-5%"  # a minus sign stays
    film = "Hayao Miyazaki's *The Boy and the Heron* won best animated feature."
    at = film.index("*The")  # markdown's emphasis is not part of the answer
    assert film[slice(*reader.tidy_span(film, at, film.index(" won")))] == "The Boy and the Heron"
    # nor is an emphasised title cut: the span takes all of it, markers and all, or none of them
    assert film[slice(*reader.tidy_span(film, film.index("Heron"), film.index(" won")))] == "The Boy and the Heron"
    assert film[slice(*reader.tidy_span(film, 0, film.index("* won")))] == "Hayao Miyazaki's *The Boy and the Heron*"
    bold = "Foreign Minister **Sergei Lavrov** attended instead."
    assert bold[slice(*reader.tidy_span(bold, 0, bold.index("Lavrov") + 6))] == "Foreign Minister **Sergei Lavrov**"
    long = "*Editor's note: the ferry sailed at 9 p.m. with 212 people on board, officials said*"
    at = long.index("212")
    assert long[slice(*reader.tidy_span(long, at, len(long)))] == "212 people on board, officials said"
    bullet = "* 212 people were on board"
    assert bullet[slice(*reader.tidy_span(bullet, 0, 5))] == "212"  # a list's marker closes nothing
    listed = "* The film *Heron* won big. Rated 5* by critics, *Dune* is long."  # nor does a rating's "5*"
    for cut, whole in (("film *Heron", "film *Heron*"), ("Heron* won", "*Heron* won"), ("critics, *Dune", "critics, *Dune*")):
        at = listed.index(cut)
        assert listed[slice(*reader.tidy_span(listed, at, at + len(cut)))] == whole
    end = "It won best animated feature for *The Boy and the Heron*."
    assert end[slice(*reader.tidy_span(end, end.index("*The"), len(end)))] == "The Boy and the Heron"
    plan = 'Ministers said the "Rwanda plan" would "fail badly'
    at = plan.index("the")  # cut where the quote left open starts
    assert plan[slice(*reader.tidy_span(plan, at, len(plan) - len(" badly")))] == 'the "Rwanda plan" would'
    bold = "The winner was **Vladimir Putin** last year."  # a span cut inside a run of markers keeps no lone "*"
    for a, b in (("Vladimir", "Putin*"), ("*Vladimir", "Putin"), ("*Vladimir", "Putin*")):
        at = bold.index(a)
        assert bold[slice(*reader.tidy_span(bold, at, bold.index(b) + len(b)))] == "Vladimir Putin"
    cities = "The cities were **Paris, London and Rome** in 2024."  # a span from inside the opening run is cut as read
    assert cities[slice(*reader.tidy_span(cities, cities.index("*Paris"), cities.index(",")))] == "Paris"
    see = "see *Oppenheimer* now"
    assert see[slice(*reader.tidy_span(see, 3, 17))] == "Oppenheimer"
    called = 'The motorists\' group called the vote a "sham" and said it would go to court.'
    at = called.index('a "sham')  # an unclosed quote is cut on the side that says something, not at "a"
    assert called[slice(*reader.tidy_span(called, at, at + len('a "sham')))] == "sham"


def test_best_span_keeps_to_the_length_limit():
    allowed = np.ones(60, dtype=bool)
    start, end = np.zeros(60), np.zeros(60)
    start[5], end[50] = 10.0, 10.0  # the likeliest start and end are too far apart
    end[12] = 5.0
    i, j, p, p_null = reader.best_span(start, end, allowed)
    assert (i, j) == (5, 12) and j - i < reader.MAX_ANSWER_TOKENS and 0 < p < 1 and 0 < p_null < 1


def test_many_texts_and_none_at_all(the_reader):
    assert the_reader.read("Who?", []) == []
    spans = the_reader.read("Who won?", ["Argentina won the final on penalties.", "", "..."])
    assert len(spans) == 3 and spans[2] is None


def test_an_unreadable_adapter_is_a_clear_error(tmp_path):
    bad = tmp_path / "reader.npz"
    bad.write_bytes(b"not an npz file")
    with pytest.raises(QAError, match="reader adapter"):
        reader.Reader(bad)


def test_a_quantity_keeps_the_words_that_say_how_exact_it_is():
    from qa.reader import with_qualifier

    def widened(text, figure):
        start = text.index(figure)
        return text[with_qualifier(text, start, start + len(figure)):start + len(figure)]

    assert widened("About 12,700 members walked off the job.", "12,700") == "About 12,700"
    assert widened("At least 185 people were killed and more than 1,800 wounded.", "1,800") == "more than 1,800"
    assert widened("It has between 10,000 and 20,000 fighters.", "10,000 and 20,000") == "between 10,000 and 20,000"
    assert widened("Some 40 people were rescued.", "40") == "Some 40"
    assert widened("The death toll rose above 35,000 on Monday.", "35,000") == "above 35,000"
    assert widened("The panel measured roughly 2 feet by 4 feet.", "2 feet by 4 feet") == "roughly 2 feet by 4 feet"
    # no quantity, or "between" without a range: nothing is added
    assert widened("It happened around Christmas.", "Christmas") == "Christmas"
    assert widened("It fell between 40 points.", "40 points") == "40 points"
    assert widened("They played the 2023 season.", "2023 season") == "2023 season"


def test_a_count_is_shown_with_the_noun_the_question_counts():
    text = ("Oppenheimer won seven Oscars' worth of praise from 13 Oscar nominations, and more than 13 billion "
            "COVID-19 vaccine doses and 9 billion COVID-19 tests were given in 2023 seasons; 21 people left.")
    oscars, doses, people = (counted_words("How many Oscars did it win?"),
                             counted_words("How many COVID-19 vaccine doses have been given?"),
                             counted_words("How many people left?"))

    def shown(figure, counted):
        start = text.index(figure)
        span = reader.shown_span(text, start, start + len(figure), counted=counted)
        return text[span[0]:span[1]]

    assert shown("seven", oscars) == "seven Oscars"  # not the possessive's mark
    assert shown("13 billion", doses) == "more than 13 billion COVID-19 vaccine doses"  # up to the head noun
    assert shown("9 billion", doses) == "9 billion"  # the run stops short of the head: nothing is added
    assert shown("13 Oscar", oscars) == "13 Oscar"  # "Oscar nominations" are not Oscars
    assert shown("13", oscars) == "13"
    assert shown("2023", counted_words("How many seasons did it run?")) == "2023"  # a year is no count
    assert shown("21", people) == "21"
    assert shown("Oppenheimer won", oscars) == "Oppenheimer won"  # no figure: nothing is added
    # "seven" and "seven Oscars" are one answer
    at = lambda s, p: (text.index(s), text.index(s) + len(s), p)  # noqa: E731
    spans = [at("seven", 0.4), at("seven Oscars", 0.3), at("Oppenheimer", 0.2)]
    whole = reader.shown_span(text, *spans[0][:2], counted=oscars)
    assert reader.answer_probability(text, spans, whole, counted=oscars) == pytest.approx(0.7)


def test_an_opening_dateline_is_not_read_and_offsets_stay_in_the_whole_sentence(the_reader):
    sentence = ("DETROIT, Sept. 29, 2023 — The United Auto Workers on Friday expanded its strike, bringing the number "
                "of members on picket lines to about 25,000, two weeks after the walkout began.")
    span = the_reader.read("How many UAW members are on strike now?", [sentence])[0]
    assert sentence[span.start:span.end] == "about 25,000"
    body = sentence[sentence.index("The United"):]
    alone = the_reader.read("How many UAW members are on strike now?", [body])[0]
    assert alone.probability == pytest.approx(span.probability, abs=1e-6)  # the same reading as without it
    assert reader.dateline_end("NATO - the alliance said") == 0  # not a dateline: read whole


def test_a_count_of_the_dead_is_not_answered_by_the_injured_figure(the_reader):
    sentence = ("KHARTOUM, April 21 (Reuters) - At least 413 people have been killed and 3,551 injured since "
                "fighting broke out in Sudan last Saturday, the World Health Organization said on Friday.")
    dead = the_reader.read("What's the latest death toll from the fighting in Sudan?", [sentence])[0]
    hurt = the_reader.read("According to the latest update, how many people have been wounded?", [sentence])[0]
    assert sentence[dead.start:dead.end] == "At least 413"
    assert sentence[hurt.start:hurt.end] == "3,551"
    who = the_reader.read("Who said 413 people had been killed?", [sentence])[0]  # not a count: no such rule
    assert "World Health Organization" in sentence[who.start:who.end]


def test_a_count_of_the_dead_when_the_verb_comes_before_the_figures(the_reader):
    sentence = "Fighting has killed at least 413 people and injured 3,551 since Saturday, the WHO said."
    span = the_reader.read("How many people have been killed in the fighting?", [sentence])[0]
    assert sentence[span.start:span.end] == "at least 413"


def test_a_count_of_the_dead_weighs_every_span_that_starts_at_its_figure():
    # The reader's start is sure of "413" while its end runs on over the injured figure: those spans are votes
    # for 413, and the answer is 413 read as its own span, likelier than any one span of it
    text = "At least 413 people have been killed and 3,551 injured, the WHO said."
    at = {s: (text.index(s), text.index(s) + len(s)) for s in ("At least 413", "413", "3,551", "3,551 injured")}
    run_on = (text.index("At least"), text.index("3,551") + len("3,551"))
    read = [(at["3,551"], 0.12), (run_on, 0.10), (at["3,551 injured"], 0.03), (at["At least 413"], 0.03),
            (at["413"], 0.04), ((text.index("WHO"), text.index("WHO") + 3), 0.05)]
    [(span, p)] = reader.casualty_read(text, read, "death")
    assert text[span[0]:span[1]] == "At least 413"
    # 413's weight (0.10 + 0.03 + 0.04) given that neither 3,551 (0.12 + 0.03) nor a span without a figure (0.05)
    # answers
    assert p == pytest.approx(0.17 / (1 - 0.15 - 0.05))
    [(span, p)] = reader.casualty_read(text, read, "injury")
    assert text[span[0]:span[1]] == "3,551" and p == pytest.approx(0.15 / (1 - 0.17 - 0.05))
    # only run-on spans start at 413: the figure alone is the answer
    [(span, _)] = reader.casualty_read(text, [(run_on, 0.3), (at["3,551"], 0.1)], "death")
    assert text[span[0]:span[1]] == "413"
    # no figure counts the asked kind: the reading is left as it was
    assert reader.casualty_read("The WHO said so.", [((4, 7), 0.4)], "death") == [((4, 7), 0.4)]


def test_the_dead_in_a_sentence_with_the_injured_are_answered_clearly_enough_to_show(the_reader):
    sentence = ("KHARTOUM, April 21 (Reuters) - At least 413 people have been killed and 3,551 injured since "
                "fighting broke out in Sudan last Saturday, the World Health Organization said on Friday, as "
                "explosions and gunfire rocked Khartoum on the first day of the Eid al-Fitr holiday.")
    dead = the_reader.read("What's the latest death toll from the fighting in Sudan?", [sentence])[0]
    assert sentence[dead.start:dead.end] == "At least 413"
    assert dead.probability >= Settings().answer_threshold  # the bold answer is shown (it was 0.046)


def test_the_answer_shown_is_as_likely_as_every_span_that_shows_as_it():
    text = "At least 413 people have been killed, the WHO said."
    at = lambda s, p: (text.index(s), text.index(s) + len(s), p)  # noqa: E731
    spans = [at("413", 0.06), at("At least 413", 0.05), at("least 413", 0.02), at("413 people", 0.04),
             at("WHO", 0.3)]
    shown = reader.shown_span(text, *spans[0][:2])
    assert text[shown[0]:shown[1]] == "At least 413"
    # "413" and "At least 413" show as "At least 413"; "least 413" and "413 people" show as themselves
    assert reader.answer_probability(text, spans, shown) == pytest.approx(0.11)
    bare = reader.shown_span(text, *spans[0][:2], qualifiers=False)
    assert text[bare[0]:bare[1]] == "413" and reader.answer_probability(text, spans, bare, False) == pytest.approx(0.06)


def test_a_quantity_s_answer_is_likelier_than_its_best_span(the_reader):
    # the reader splits its belief between "4,000" and "more than 4,000", which show as one answer
    sentence = ("The automakers have temporarily laid off more than 4,000 non-striking workers at other facilities, "
                "blaming parts shortages caused by the walkout.")
    span = the_reader.read("How many non-striking workers have been laid off?", [sentence])[0]
    assert sentence[span.start:span.end] == "more than 4,000 non-striking workers"  # with what was counted
    assert span.probability < span.answer_probability <= 1.0 + 1e-6


def test_someone_s_words_are_answered_with_the_whole_quote():
    text = '"You deserve what you\'ve earned, and you\'ve earned a hell of a lot more," Biden told the workers.'
    quoted = tuple(quotes(text))
    at = lambda s, p: (text.index(s), text.index(s) + len(s), p)  # noqa: E731
    spans = [at("You deserve what you've earned", 0.3), at("a hell of a lot more", 0.2), at("Biden", 0.25)]
    whole = reader.shown_span(text, *spans[0][:2], wholes=quoted)
    assert text[whole[0]:whole[1]] == "You deserve what you've earned, and you've earned a hell of a lot more"
    # the parts of the quote are one answer, likelier than the speaker's name; a span outside a quote is itself
    assert reader.answer_probability(text, spans, whole, wholes=quoted) == pytest.approx(0.5)
    assert reader.shown_span(text, *spans[2][:2], wholes=quoted) == spans[2][:2]
    # not asked for words: each span shows as itself
    assert reader.shown_span(text, *spans[0][:2]) == spans[0][:2]
    # a connective that opens the quote is not part of what was said
    text = '"However, we do take issue with the ruling," a spokeswoman said.'
    start = text.index("issue")
    whole = reader.shown_span(text, start, start + 5, wholes=tuple(quotes(text)))
    assert text[whole[0]:whole[1]] == "we do take issue with the ruling"
    # only a whole connective, followed by its comma, is left out
    for text, kept in (('"Andrew, we will win this strike," she said.', "Andrew, we will win this strike"),
                       ('"Nowhere, not one plant, is safe from this," she said.', "Nowhere, not one plant, is safe from this")):
        whole = reader.shown_span(text, 1, 7, wholes=tuple(quotes(text)))
        assert text[whole[0]:whole[1]] == kept


def test_a_question_for_someone_s_words_reads_the_quote_they_said(the_reader):
    sentence = ('"Sadly, despite our willingness to bargain, Ford and GM have refused to make meaningful progress '
                'at the table," Fain said.')
    span = the_reader.read("What did Fain say about how Ford and GM were bargaining?", [sentence])[0]
    assert sentence[span.start:span.end] == ("despite our willingness to bargain, Ford and GM have refused to "
                                             "make meaningful progress at the table")  # without its "Sadly,"
    assert span.answer_probability > span.probability
    # asked for something else, the same sentence gives a short answer
    span = the_reader.read("Who said Ford and GM had refused to make progress?", [sentence])[0]
    assert sentence[span.start:span.end] == "Fain"


def test_a_yes_no_question_is_answered_with_what_the_sentence_states(the_reader):
    sentence = "On the war in Ukraine, the declaration stopped short of condemning Russia."
    span = the_reader.read("Did the G20 declaration condemn Russia?", [sentence])[0]
    assert sentence[span.start:span.end] == "stopped short of condemning Russia" and span.whole
    sentence = "He confirmed he would not retire from international football just yet."
    span = the_reader.read("Is Messi retiring from the national team?", [sentence])[0]
    assert sentence[span.start:span.end] == "would not retire from international football just yet" and span.whole
    # asked for something else, the same sentence gives a short answer that is no whole
    span = the_reader.read("What did the declaration stop short of condemning?", [sentence.replace(
        "He confirmed he would not retire from international football just yet", "The declaration stopped short "
        "of condemning Russia")])[0]
    assert not span.whole


def test_a_name_a_time_or_a_place_is_answered_without_a_clause():
    text = "Alaska Airlines Flight 1282 left PDX at 5:07 p.m. bound for Ontario, California."
    at = lambda s, p: (text.index(s), text.index(s) + len(s), p)  # noqa: E731
    ranked = [at("1282 left PDX at 5:07 p.m.", 0.4), at("Alaska", 0.2), at("PDX", 0.15), at("5:07 p.m.", 0.1)]
    # a time: the best span inside the best one without a verb and with a figure (not "Alaska", outside it, nor
    # "PDX", no time)
    assert reader.named(text, ranked, AnswerType.TIME) == ranked[3]
    start, end, _ = reader.named(text, ranked, AnswerType.TIME)
    assert text[slice(*reader.tidy_span(text, start, end))] == "5:07 p.m."  # the abbreviation keeps its full stop
    assert reader.named(text, ranked, AnswerType.PLACE) == ranked[2]  # a place: the first inside without a verb
    assert reader.named(text, ranked[:2], AnswerType.PLACE) == ranked[0]  # none inside: the best
    assert reader.named(text, ranked[1:], AnswerType.PLACE) == ranked[1]  # the best has no verb: it stands
    may = "The new rules take effect on May 11."
    assert reader.named(may, [(may.index("May"), len(may) - 1, 0.5)], AnswerType.TIME)[0] == may.index("May")



def test_asked_for_someone_s_words_a_sentence_that_quotes_answers_with_the_quote(the_reader):
    sentence = ('Army chief General Abdel Fattah al-Burhan, in his first televised address since the conflict began, '
                'did not mention a truce but said the army would "emerge from this crisis more unified".')
    span = the_reader.read("What did Burhan say in his first TV address of the conflict?", [sentence])[0]
    assert sentence[span.start:span.end] == "emerge from this crisis more unified" and span.whole
    assert span.shown(1.0)  # however likely the reader finds it
    # asked for a detail of what was said, the reader's span stands, and the threshold with it
    span = the_reader.read("What did Burhan not mention in his first televised address?", [sentence])[0]
    assert not span.whole and not span.shown(1.0)


def test_asked_what_someone_said_the_answer_leaves_out_the_quote_s_own_said_that(the_reader):
    sentence = ('"We judged that the sustainable and stable achievement of the 2% price target has come into sight," '
                "Governor Kazuo Ueda told a news conference.")
    span = the_reader.read("What did Kazuo Ueda say about the 2% inflation target?", [sentence])[0]
    assert sentence[span.start:span.end].startswith("the sustainable and stable achievement")


def test_a_yes_no_question_is_answered_by_the_clause_about_what_it_asks():
    text = ("Labour leader Sir Keir Starmer declined to say whether a Labour government would revive the northern leg, "
            "saying he could not make commitments without seeing the state of the public finances.")
    clauses = predicates(text)
    second = clauses[1]
    chosen = reader.about("Would Labour bring the northern leg back?", text, clauses, {second: 0.6})
    assert text[chosen[0]:chosen[1]] == "declined to say whether a Labour government would revive the northern leg"
    # sharing as many words with the question, the clause most spans show
    assert reader.about("Is it so?", text, clauses, {second: 0.6}) == second


def test_an_amount_keeps_the_rate_it_is_given_at():
    for text, amount, shown in [
        ("Strikers get $500 a week from the union's fund.", "$500", "$500 a week"),
        ("The bank will buy about 6 trillion yen a month of bonds.", "about 6 trillion yen", "about 6 trillion yen a month"),
        ("Each check takes four to eight hours per aircraft.", "four to eight hours", "four to eight hours per aircraft"),
        ("Prices rose 5 per cent in May.", "5", "5"),  # a share, not a rate
        ("The toll reached 185 a day later.", "185", "185"),  # a time, not a rate
        ("In 2019 a year of talks began.", "2019", "2019"),  # a year is no amount
        ("He was fined $5,000 per the terms of the deal.", "$5,000", "$5,000"),  # "per" as "according to"
        ("It is worth $80 million per ESPN.", "$80 million", "$80 million"),
        ("Profit fell from $5 billion a year-earlier.", "$5 billion", "$5 billion"),
        ("Shares hit $5 a share price not seen since 2009.", "$5", "$5"),
    ]:
        at = text.index(amount)
        assert text[slice(*reader.qualified(text, (at, at + len(amount))))] == shown
