"""Follow-up questions: rule-based rewriting from the previous turn, and through the engine."""

import json
import random

import pytest

from conftest import NEWS_SET, NO_NEWS_SET, ROOT

from qa.chat import Turn, about_piece, asks_speaker, points_at_figure, rewrite

NEWS = NEWS_SET / "questions.jsonl"


def test_pronoun_resolves_to_previous_answer():
    prev = Turn("Who is the new EU High Representative for Foreign Affairs?", "Kaja Kallas", "001.txt")
    assert rewrite("Which meeting will she attend?", prev) == "Which meeting will Kaja Kallas attend?"
    assert rewrite("What did he say?", Turn("Who leads NATO?", "Mark Rutte")) == "What did Mark Rutte say?"


def test_it_and_there_resolve_to_the_previous_topic():
    prev = Turn("Where is the new NATO Command located?", "Wiesbaden, Germany")
    assert rewrite("What will it coordinate?", prev) == "What will NATO Command coordinate?"
    assert rewrite("Who met there?", Turn("What happened in Vilnius?", None)) == "Who met in Vilnius?"
    assert rewrite("Who met there?", Turn("What happened in Ærøskøbing?", None)) == "Who met in Ærøskøbing?"


def test_it_after_a_reported_clause_is_that_clause_s_subject():
    who = Turn("When did the WHO say COVID-19 was no longer a global health emergency?", "Friday")
    assert rewrite("And when had it first been declared one?", who) == "When had COVID-19 first been declared one?"
    luna = Turn("When did officials say the Luna-25 mission had failed?", None)
    assert rewrite("How much did it cost?", luna) == "How much did the Luna-25 mission cost?"
    assert rewrite("Why did it fall?", Turn("Did analysts think the yen was too weak?", None)) == "Why did the yen fall?"
    # no clause, or one that opens with its verb or a pronoun: the subject of the question as before
    assert rewrite("What did it say next?", Turn("When did the WHO say that?", None)) == "What did the WHO say next?"
    court = Turn("What did the court say was unlawful?", "the Rwanda scheme")
    assert rewrite("When did it say so?", court) == "When did the court say so?"
    assert rewrite("Why did it fail?", Turn("Who said he was resigning?", None)) == "Why did it fail?"


def test_elliptical_question_replaces_the_matching_slot():
    prev = Turn("How much money did Germany promise?", "10 billion euros")
    assert rewrite("And the Netherlands?", prev) == "How much money did the Netherlands promise?"
    kallas = Turn("Which meeting will Kaja Kallas attend?", "the NATO-Ukraine Council")
    assert rewrite("And Germany?", kallas) == "Which meeting will Germany attend?"
    quake = Turn("How many people had died in Turkey from the earthquake as of February 7?", "5,434")
    assert rewrite("And a week later?", quake) == \
        "How many people had died in Turkey from the earthquake a week later?"
    hs2 = Turn("How much is the government putting into a Leeds tram after scrapping HS2's northern leg?")
    assert rewrite("And into fixing potholes?", hs2) == \
        "How much is the government putting into fixing potholes after scrapping HS2's northern leg?"
    trial = Turn("How often did patients on lecanemab get brain swelling?", "12.6%")
    assert rewrite("What about small brain bleeds?", trial) == \
        "How often did patients on lecanemab get small brain bleeds?"


def test_a_noun_left_out_comes_from_the_previous_question():
    sudan = Turn("How many people had been killed after the first three days of fighting in Sudan?", "185")
    assert rewrite("And how many were wounded by then?", sudan) == "How many people were wounded by then?"
    bjp = Turn("How many Lok Sabha seats did the BJP win this time?", "240")
    assert rewrite("How many did it need for a majority?", bjp) == "How many Lok Sabha seats did BJP need for a majority?"
    toll = Turn("What's the latest death toll from the fighting in Sudan?", "413")
    assert rewrite("who gave that figure?", toll) == "Who gave the figure of 413?"
    # such a question is about the sentence that stated the figure (the engine answers from it)
    said = "At least 413 people have been killed and 3,551 injured, the WHO said."
    assert points_at_figure("who gave that figure?", Turn(toll.question, None, "sudan.txt", said, 0))
    assert rewrite("who gave that figure?", Turn(toll.question, None, "sudan.txt", said, 0)) == "who gave that figure?"
    assert not points_at_figure("who gave that figure?", toll)  # nothing was stated: no sentence
    assert not points_at_figure("Who gave the figure?", Turn(toll.question, None, "sudan.txt", said, 0))
    assert not points_at_figure("who gave that figure?", None)


def test_a_new_ordinal_takes_the_place_of_the_old_one():
    goal = Turn("Who scored Argentina's first goal in the 2022 World Cup final?", "Lionel Messi")
    for question in ("And who got the second?", "And the second?", "who scored the last?"):
        word = "last" if "last" in question else "second"
        assert rewrite(question, goal) == f"Who scored Argentina's {word} goal in the 2022 World Cup final?"
    # another question word keeps the question's own words, with the noun filled in
    assert rewrite("What was the second?", goal) == "What was the second goal?"
    assert rewrite("Who won the second?", Turn("Which team won the first match?")) == "Who won the second match?"


def test_gibberish_and_self_contained_questions_pass_through():
    kallas = Turn("Who is the new EU High Representative for Foreign Affairs?", "Kaja Kallas", "001.txt")
    for question in ("Why did Finland close its border crossings?", "asdfgh qwerty",
                     "And how many seats did the BJP have after the 2019 election?",
                     "Where was the second big quake centred, and how strong was it?",
                     "What did the Finnish singer say about the crowd chanting his chorus?"):
        assert rewrite(question, kallas) == question
    assert rewrite("asdfgh qwerty", Turn("What is the capital of France?", "Paris")) == "asdfgh qwerty"


def test_he_and_she_resolve_to_a_person_not_an_organisation():
    # the short answer picked the group ("NATO Foreign Ministers"); the person is in the supporting sentence
    chaired = Turn("Who chaired the meeting on December 3?", "NATO Foreign Ministers", "001.txt",
                   "Speaking at a press conference ahead of the NATO Foreign Ministers meeting on December 3, first to "
                   "be chaired by him, Rutte reaffirmed that Ukraine has the right to defend itself.")
    assert rewrite("What did he say about negotiations?", chaired) == "What did Rutte say about negotiations?"
    # a quoted title is no person; a place before a name is no part of it
    oscars = Turn("Who won best actress at the 2024 Oscars?", "Oppenheimer", "oscars.md",
                  "Oscars 2024: 'Oppenheimer' dominates with seven wins as Emma Stone takes best actress")
    assert rewrite("Was that her first Oscar?", oscars) == "Was that Emma Stone's first Oscar?"
    race = Turn("Who won the women's race?", "Kenya's Grace Wanjiru")
    assert rewrite("How much prize money did she receive?", race) == \
        "How much prize money did Grace Wanjiru receive?"
    # "he" is someone new once "her" took the previous turn's person
    assert rewrite("Who replaced her, and what job did he have before?",
                   Turn("How long before the judgment was Braverman fired?", "two days")) == \
        "Who replaced Braverman, and what job did he have before?"


@NO_NEWS_SET
def test_standalone_questions_of_the_news_set_are_never_rewritten():
    rows = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines() if line.strip()]
    standalone = [r for r in rows if not r.get("history")]
    rng = random.Random(7)
    for row in standalone:  # each after 40 random others (all pairs take a second too: the rules are cheap)
        for other in rng.sample([r for r in rows if r is not row], 40):
            previous = Turn(other["question"], other["answers"][0] if other["answers"] else None,
                            other.get("source"), other.get("support"))
            assert rewrite(row["question"], previous) == row["question"], other["question"]


def test_self_contained_questions_are_left_alone():
    prev = Turn("Who is the NATO Secretary General?", "Mark Rutte")
    question = "Where is the new NATO command for Ukraine located?"
    assert rewrite(question, prev) == question
    assert rewrite("Which meeting will she attend?", None) == "Which meeting will she attend?"
    assert rewrite("Who is the CEO of Apple?", prev) == "Who is the CEO of Apple?"


def test_engine_follow_up_uses_history(seed_engine):
    first = seed_engine.answer("Who is the new EU High Representative for Foreign Affairs?")
    assert first.found and "Kaja Kallas" in first.sentence
    follow = seed_engine.answer("Which meeting will she attend?",
                                history=["Who is the new EU High Representative for Foreign Affairs?"])
    assert follow.rewritten and "Kallas" in follow.rewritten
    assert follow.found and follow.source == first.source and "meeting" in follow.sentence
    # an Answer object works as history too, with no second lookup of the first question
    again = seed_engine.answer("Which meeting will she attend?", history=[first])
    assert again.sentence == follow.sentence


def test_eval_follows_the_history_field(seed_engine):
    from qa.evaluate import evaluate, parse_questions

    rows = parse_questions('{"id": "f1", "question": "Which meeting will she attend?", '
                           '"answers": ["would also attend the meeting"], '
                           '"history": ["Who is the new EU High Representative for Foreign Affairs?"]}\n')
    report = evaluate(rows, seed_engine)
    record = report.per_question[0]
    assert "Kallas" in record.rewritten and record.rank == 1


def test_history_is_answered_in_one_batch_per_level(seed_engine, monkeypatch):
    calls = []
    encode = seed_engine.encoder.encode
    monkeypatch.setattr(seed_engine.encoder, "encode", lambda texts, **kw: calls.append(len(texts)) or encode(texts, **kw))
    history = ["Who is the new EU High Representative for Foreign Affairs?", "Which meeting will she attend?"]
    questions = ["What did she say?", "Who met there?", "And the Netherlands?", "How much money did Germany promise?"]
    answers = seed_engine.answer_batch(questions, histories=[history] * 4)
    assert calls == [1, 1, 4]  # the same history is answered once per level, then all four questions
    assert "Kallas" in answers[0].rewritten
    # the one-question call agrees with the batch
    assert seed_engine.answer("What did she say?", history=history).sentence == answers[0].sentence


def test_the_chat_trash_icon_forgets_the_follow_up_memory(seed_engine):
    import sys

    sys.path.insert(0, str(ROOT))
    import gradio as gr

    import app

    demo = app.make_app(seed_engine)
    chatbot = next(b for b in demo.blocks.values() if isinstance(b, gr.Chatbot))
    box = next(b for b in demo.blocks.values() if isinstance(b, gr.Textbox) and b.elem_id == "question")
    handlers = {(target, event): fn for fn in demo.fns.values() for target, event in fn.targets}
    respond, clear = handlers[(box._id, "submit")].fn, handlers[(chatbot._id, "clear")]
    assert any(isinstance(block, gr.State) for block in clear.outputs)
    messages, answers, _, replies = respond("Who is the new EU High Representative for Foreign Affairs?", [], [], {}, 3)
    assert len(answers) == 1
    messages, answers, _, replies, *_ = clear.fn()
    assert answers == [] and not replies
    messages, answers, _, replies = respond("Which meeting will she attend?", messages, answers, replies, 3)
    assert answers[-1].rewritten is None and "Read as" not in messages[-1]["content"]


@pytest.mark.parametrize("question, asked", [
    ("Who wrote that story?", "Who wrote the story?"),
    ("and who's the reporter behind this article?", "Who wrote the story?"),
    ("Who was the story written by?", "Who wrote the story?"),
    ("Thanks! Can you tell me who wrote that news story?", "Who wrote the story?"),
    ("Which reporter wrote that story?", "Who wrote the story?"),
    ("Who is the author of that article?", "Who wrote the story?"),
    ("What date was the story published, please?", "When was the story published?"),
    ("Who's the reporter?", None),  # the story may be about a reporter
    ("When was the report published?", None),  # a report the story tells of, maybe
    ("When was that one published?", None),
    ("When was the article published?", "When was the story published?"),
    ("And when was that piece last updated?", "When was the story last updated?"),
    ("When did this story come out?", "When was the story published?"),
    ("Who wrote it?", None),  # "it" may be the letter or book the story told of
    ("Who is the author?", None),  # a novel's, maybe
    ("Who wrote the story on the port strike?", None),  # names its own piece
    ("When was the letter published?", None),
])
def test_a_question_about_the_previous_answer_s_piece_itself(question, asked):
    assert about_piece(question) == asked


def test_it_asks_about_the_piece_when_the_previous_turn_tells_of_nothing_else_written():
    strike = Turn("What pay rise did the port offer?", "6%", "strike.txt", "The port offered a 6% pay rise.", 0)
    letter = Turn("What did the union's letter demand?", "a 10% rise", "strike.txt",
                  "The union's letter to the port demanded a 10% rise.", 0)
    assert about_piece("When was it published?", strike) == "When was the story published?"
    assert about_piece("Who wrote it?", strike) == "Who wrote the story?"
    assert about_piece("And when was it last updated?", strike) == "When was the story last updated?"
    assert about_piece("When was it published?", letter) is None  # the letter, maybe
    assert about_piece("When was it published?") is None  # no previous turn
    assert about_piece("When was it filed?", strike) is None  # a lawsuit, maybe
    assert about_piece("When did it come out?", strike) is None  # a phone, maybe
    lawsuit = Turn("Who sued Apple?", "Epic Games", "apple.txt", "Epic Games filed a lawsuit against Apple.", 0)
    assert about_piece("Who wrote it?", lawsuit) is None
    # words with an everyday sense ("in order to", "said in an interview") tell of nothing written
    cuts = Turn("How much will the cuts save?", "2 billion dollars", "ford.txt",
                "Ford will cut 3,000 jobs in order to save 2 billion dollars, Jim Farley said in an interview.", 0)
    assert about_piece("Who wrote it?", cuts) == "Who wrote the story?"


@pytest.mark.parametrize("question, asks", [
    ("Who said that?", True), ("And who said that?", True), ("who said this", True), ("Who said so?", True),
    ("Who made that claim?", True), ("According to whom?", True), ("Whose words are those?", True),
    ("Who is quoted?", True), ("Who was that said by?", True), ("Ok, who said that, please?", True),
    ("Who said that the strike would end?", False),  # a question of its own
    ("Who said Russia would attack?", False), ("Who wrote that?", False),  # the piece, maybe
])
def test_a_question_for_who_said_what_the_previous_answer_came_from(question, asks):
    assert asks_speaker(question) is asks
