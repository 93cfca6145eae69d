"""Follow-up questions: rule-based rewriting from the previous turn, and through the engine."""

from qa.chat import Turn, rewrite


def test_pronoun_resolves_to_previous_answer():
    prev = Turn("Who is the new EU High Representative for Foreign Affairs?", "Kaja Kallas", "001.txt")
    assert rewrite("Which meeting will she attend?", prev) == "Which meeting will Kaja Kallas attend?"
    assert rewrite("What did he say?", Turn("Who leads NATO?", "Mark Rutte")) == "What did Mark Rutte say?"


def test_it_and_there_resolve_to_the_previous_topic():
    prev = Turn("Where is the new NATO Command located?", "Wiesbaden, Germany")
    assert rewrite("What will it coordinate?", prev) == "What will NATO Command coordinate?"
    assert rewrite("Who met there?", Turn("What happened in Vilnius?", None)) == "Who met in Vilnius?"
    assert rewrite("Who met there?", Turn("What happened in Ærøskøbing?", None)) == "Who met in Ærøskøbing?"


def test_elliptical_question_keeps_previous_terms():
    prev = Turn("How much money did Germany promise?", "10 billion euros")
    assert rewrite("And the Netherlands?", prev) == "And the Netherlands money Germany promise?"


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
    assert "Kallas" in record["rewritten"] and record["rank"] == 1
