"""The answer stage: support spans that run over two sentences, evidence without near-duplicates, refusals."""

import pytest

from qa.answer import context_rows, dedupe_key, header_answer, missing_sum, other_count, support_rows, undated, unsigned
from qa.engine import QA

from conftest import one_article, sentence_starting

STORY = """Court backs port expansion

The High Court on Tuesday approved the expansion of the northern port after a two-year dispute.
Justice Linda Chan said the plan met every environmental condition set by the ministry:
"The applicants have not shown that the dredging would harm the estuary."
The port authority welcomed the decision and said work would begin in March.
It expects the new berths to handle 40 ships a month.
"""


def test_support_covers_the_sentence_a_quote_or_pronoun_continues(tmp_path, encoder):
    engine = one_article(encoder, tmp_path, STORY)
    index = engine.index
    quote = sentence_starting(index, '"The applicants')
    pronoun = sentence_starting(index, "It expects")
    plain = sentence_starting(index, "The port authority")
    assert support_rows(index, quote) == (quote - 1, quote)
    assert support_rows(index, pronoun) == (pronoun - 1, pronoun)
    assert support_rows(index, plain) == (plain, plain)

    a = engine.answer("How many ships a month will the new berths handle?")
    assert a.found and a.sentence.startswith("It expects")
    text = STORY
    assert text[a.start:a.end] == a.sentence  # `sentence` stays the one best sentence
    assert text[a.support_start:a.support_end].startswith("The port authority welcomed")
    assert text[a.support_start:a.support_end].endswith("40 ships a month.")


STRIKE = """Nurses to strike again

Pat Cullen, the union's general secretary, said: ‘Nurses don’t want to strike. Ministers have left them no choice.
We will be back on the picket line on October 2.’
The health department said talks had stalled.
Officials said the strike would cost £300 million. "It is a huge sum.
Hospitals will struggle."
"""


def test_support_runs_on_over_a_quote_left_open_in_single_or_double_marks(tmp_path, encoder):
    index = one_article(encoder, tmp_path, STRIKE).index
    opened = sentence_starting(index, "Pat Cullen")
    middle, last = opened + 1, opened + 2
    assert index.sentence_text(middle).startswith("Ministers") and index.sentence_text(last).startswith("We will")
    assert support_rows(index, opened) == (opened, last)  # the quote closes two sentences on
    assert support_rows(index, middle) == (opened, last)  # the words before it say whose they are
    assert support_rows(index, last) == (opened, last)  # back to the sentence that opened the quote
    after = sentence_starting(index, "The health department")
    assert support_rows(index, after) == (after, after)  # the quote has closed: nothing runs on
    huge = sentence_starting(index, '"It is a huge sum.')
    assert support_rows(index, huge) == (huge - 1, huge + 1)  # a straight mark left open runs on too
    assert context_rows(index, opened, 1) == (opened, last)  # the context shows all of the support (no headline)
    assert context_rows(index, middle, 1) == (opened, last) and context_rows(index, middle, 0) == (middle, middle)
    assert context_rows(index, after, 1) == (after - 1, after + 1)


SALE = """Ferry business sold

Marlow Shipping has agreed to sell its ferry business to Nordline for £48 million, the companies said on Monday.
The council said repairs to the harbour wall would cost the town about €2.1 million:
"That is what the wall needs before winter."
The companies did not say how much Nordline will pay for the two new ships Marlow ordered last year.
"""


def test_a_question_asking_for_money_is_refused_where_the_passage_states_no_sum(tmp_path, encoder):
    engine = one_article(encoder, tmp_path, SALE)
    index = engine.index
    untold = sentence_starting(index, "The companies did not say")
    quote = sentence_starting(index, '"That is what')
    assert missing_sum(index, "How much will Nordline pay for the two new ships?", untold) == (
        "the closest passage states no sum of money")
    assert missing_sum(index, "Which ships did Marlow order last year?", untold) is None  # not asked for money
    # the quote goes on from the sentence before it, which states the sum
    assert missing_sum(index, "How much will the harbour wall repairs cost?", quote) is None

    untold_answer = engine.answer("How much will Nordline pay for the two new ships?")
    assert not untold_answer.found and untold_answer.notice == "the closest passage states no sum of money"
    assert untold_answer.evidence and untold_answer.evidence[0].sentence.startswith("The companies did not say")
    sold = engine.answer("How much did Nordline agree to pay for Marlow Shipping's ferry business?")
    assert sold.found and sold.notice is None and "£48 million" in sold.answer


VOTE = """Paris votes to triple parking fees for SUVs

Only 78,121 people took part, or 5.68% of the roughly 1.3 million Parisians registered to vote.
The new rate applies to visiting cars weighing more than 1.6 tonnes and starts in September.
City Hall said 14 car parks would be reserved for residents.
"""


def test_a_count_of_things_is_refused_where_the_passage_counts_only_persons(tmp_path, encoder):
    engine = one_article(encoder, tmp_path, VOTE)
    index = engine.index
    voters = sentence_starting(index, "Only 78,121")
    assert other_count(index, "How many SUVs are registered in Paris?", voters) == (
        "the closest passage counts people and Parisians, not SUVs")
    assert other_count(index, "How many people took part in the vote?", voters) is None  # persons asked
    assert other_count(index, "How much did turnout fall?", voters) is None  # no count of things
    parks = sentence_starting(index, "City Hall said")
    assert other_count(index, "How many car parks will be reserved?", parks) is None  # it names them

    a = engine.answer("How many SUVs are registered in Paris?")
    assert not a.found and a.notice == "the closest passage counts people and Parisians, not SUVs"
    assert a.evidence and a.evidence[0].sentence.startswith("Only 78,121")
    a = engine.answer("How many Parisians were registered to vote?")
    assert a.found and a.notice is None and "1.3 million" in a.answer


def test_refusal_has_no_sentence_but_keeps_the_nearest_evidence(seed_engine):
    a = seed_engine.answer("Who is the CEO of Apple?")
    assert not a.found and a.sentence is None and a.support_start is None and a.answer is None
    assert a.evidence and all(e.sentence for e in a.evidence)


def test_evidence_never_repeats_a_sentence(seed_engine):
    a = seed_engine.answer("Where is the new NATO command for Ukraine located?", top_k=5)
    keys = [dedupe_key(e.sentence) for e in a.evidence]
    assert len(keys) == len(set(keys)) and 1 <= len(keys) <= 5
    assert a.score == a.evidence[0].score


def test_a_sentence_asked_about_leads_the_picks_at_its_own_score_without_its_twins():
    import numpy as np

    from qa.answer import Picked
    from qa.select import Scored

    scored = Scored(np.array([10, 11, 12, 13, 14]), np.array([2.0, 1.5, 1.0, 0.5, -1.0], dtype=np.float32),
                    np.zeros((5, 1), dtype=np.float32))
    twins = np.zeros((5, 5), dtype=bool)
    twins[4, 1] = twins[1, 4] = True  # sentence 14 says what 11 says
    picked = Picked([0, 1, 2], [10, 11, 12], [2.0, 1.5, 1.0], twins)
    led = picked.led_by(scored, 14)  # ranked fifth, outside the picks
    assert led.sentences == [14, 10, 12] and led.rows == [4, 0, 2] and led.scores == [-1.0, 2.0, 1.0]
    assert picked.led_by(scored, 12).sentences == [12, 10, 11]  # one of the picks moves up


def test_a_byline_answers_only_who_wrote_the_report(tmp_path, encoder):
    index = one_article(encoder, tmp_path,
                        STORY.replace("\n\n", "\n\nBy Tom Reyes in Aberdeen and Ana Silva, Staff\n\n", 1)).index
    byline = sentence_starting(index, "By Tom")
    body = sentence_starting(index, "The port authority")
    start, end = header_answer(index, "Who wrote the story on the port ruling?", byline)
    assert index.sentence_text(byline)[start:end] == "Tom Reyes in Aberdeen and Ana Silva"
    assert header_answer(index, "Who wrote the story on the port ruling?", body) is None
    assert header_answer(index, "Who approved the port expansion?", byline) is None


def test_who_wrote_a_report_that_names_no_author_is_refused_with_the_reason(tmp_path, encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "port.txt").write_text(STORY + "Inspector Maria Lopez filed the police report on the break-in at the "
                                             "port office.\n", encoding="utf-8")
    (corpus / "floods.txt").write_text("River floods farmland\n\nBy Kai Lindgren\n\nThe river rose two metres on "
                                       "Sunday and flooded farmland near the town.\n", encoding="utf-8")
    engine = QA(corpus, tmp_path / "index", encoder=encoder)
    engine.build()
    body = sentence_starting(engine.index, "The High Court")
    assert unsigned(engine.index, "Who wrote the story on the port ruling?", body) == (
        "the closest article (Court backs port expansion) does not say who wrote it")
    for question in ("Who approved the port expansion?", "Who filed the appeal described in the story on the port?",
                     "Which judge reported the ruling, according to the article?"):
        assert unsigned(engine.index, question, body) is None, question  # not about who wrote the story
    # a report the answering sentence tells of is what is asked about, not the story
    filed = sentence_starting(engine.index, "Inspector Maria Lopez")
    assert unsigned(engine.index, "Who filed the police report on the port break-in?", filed) is None
    assert unsigned(engine.index, "Who filed the story on the port break-in?", filed) is not None
    a = engine.answer("Who wrote the story on the port ruling?")
    assert not a.found and a.answer is None and "does not say who wrote it" in a.notice
    assert a.evidence  # the nearest sentences are still shown
    # where no article names its author (an encyclopedia), who wrote a report is a question about the text
    (tmp_path / "lone").mkdir()
    lone = one_article(encoder, tmp_path / "lone", STORY)
    assert not lone.index.names_authors and engine.index.names_authors
    assert unsigned(lone.index, "Who wrote the story on the port ruling?",
                    sentence_starting(lone.index, "The High Court")) is None
    (tmp_path / "signed").mkdir()
    signed = one_article(encoder, tmp_path / "signed", STORY.replace("\n\n", "\n\nBy Tom Reyes\n\n", 1))
    a = signed.answer("Who wrote the story on the port ruling?")
    assert a.found and a.answer == "Tom Reyes"
    # an article whose author is known is not refused, whichever of its sentences leads
    assert unsigned(signed.index, a.question, sentence_starting(signed.index, "The High Court")) is None


DATED = """Port strike ends after nine days

By Tom Reyes

Published 10:02 GMT, 14 September 2023 | Updated 12:15 GMT, 15 September 2023

Dock workers in Aberdeen voted on Wednesday to end a nine-day strike after the port offered a 6% pay rise.
"""
WIRE = """Ferry capsizes off Lesbos

MYTILENE, Greece, March 3 (Reuters) - A ferry carrying 40 passengers capsized off the island of Lesbos on Sunday.
"""
UNDATED = """Harbour wall to be rebuilt

The council approved a plan to rebuild the harbour wall in Stonehaven before the winter storms.
"""


def test_a_date_line_or_a_dated_dateline_answers_when_a_piece_came_out(tmp_path, encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in (("strike.txt", DATED), ("ferry.txt", WIRE), ("wall.txt", UNDATED)):
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "rows.jsonl").write_text('{"id": "dam", "title": "Dam opens", "date": "2024-05-02", "text": "The new '
                                       'dam on the River Dee in Braemar opened to visitors on Thursday."}\n',
                                       encoding="utf-8")
    engine = QA(corpus, tmp_path / "index", encoder=encoder)
    engine.build()
    a = engine.answer("When was the story on the Aberdeen dock strike published?")
    assert a.found and a.sentence.startswith("Published") and a.answer == "14 September 2023"
    a = engine.answer("When was the article on the dock strike last updated?")
    assert a.found and a.answer == "15 September 2023"
    a = engine.answer("When did Reuters run its story on the Lesbos ferry?")  # wire copy dated by its dateline
    assert a.found and a.sentence.startswith("MYTILENE") and a.answer == "March 3"
    a = engine.answer("When was the story on the harbour wall in Stonehaven published?")
    assert not a.found and "does not say when it came out" in a.notice and a.evidence
    a = engine.answer("When was the story on the River Dee dam in Braemar published?")  # a row's date only
    assert not a.found and a.notice == (
        "the closest article (Dam opens) states no date in its text; its file dates it 2024-05-02")
    # a question about the story itself is not one about when the piece came out
    a = engine.answer("When did the dock workers vote to end the strike?")
    assert a.found and a.sentence.startswith("Dock workers") and "Wednesday" in a.answer
    body = sentence_starting(engine.index, "Dock workers")
    assert undated(engine.index, "When did the dock workers vote?", body) is None
    assert header_answer(engine.index, "When did the dock workers vote?", body) is None


def test_the_date_asked_for_comes_from_the_right_line_of_the_right_article(tmp_path, encoder):
    stories = {
        "strike-1.txt": "Dock strike begins in Aberdeen\n\nPublished 5 September 2023\n\nDock workers in Aberdeen walked "
                        "out on Tuesday over pay.\n",
        "strike-2.txt": "Dock strike in Aberdeen ends\n\nPublished 14 September 2023\n\nUpdated 15 September 2023\n\n"
                        "Dock workers in Aberdeen voted on Wednesday to end their strike after a 6% pay offer.\n",
        "ferry.txt": "Ferry capsizes off Lesbos\n\nBy Ana Silva · 5 February 2024 · 5 min read\n\nA ferry carrying 40 "
                     "passengers capsized off the island of Lesbos on Sunday.\n",
        "quake.txt": "Quake shakes Tokyo\n\nBuildings swayed across the capital for almost a minute.\n\nTOKYO, March 19, "
                     "2024 (Reuters) - A magnitude 6.1 earthquake struck near Tokyo on Tuesday, officials said.\n",
        "dam.txt": "Dam opens in Braemar\n\nPublished 10:02 GMT\n\nThe new dam on the River Dee near Braemar opened to "
                   "visitors on Thursday.\n",
    }
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in stories.items():
        (corpus / name).write_text(text, encoding="utf-8")
    engine = QA(corpus, tmp_path / "index", encoder=encoder)
    engine.build()
    a = engine.answer("When was the article on the end of the Aberdeen dock strike last updated?")
    assert a.answer == "15 September 2023"  # the update's own line, below the publication's
    a = engine.answer("When was the article on the end of the Aberdeen dock strike published?")
    assert a.answer == "14 September 2023"
    a = engine.answer("When was the story on the ferry that capsized off Lesbos published?")
    assert a.answer == "5 February 2024"  # a byline that gives the day
    a = engine.answer("When was the story on the Tokyo earthquake published?")
    assert a.answer == "March 19, 2024"  # a dateline under a standfirst
    a = engine.answer("When was the story on the dam near Braemar published?")
    assert not a.found and "does not say when it came out" in a.notice  # a time is no day
    a = engine.answer("When was the latest story on the Aberdeen dock strike published?")
    assert a.answer == "14 September 2023"  # the newest article's date line, not a day its story tells
    a = engine.answer("When does the article say the dock workers walked out?")  # the story's content
    assert a.found and "Tuesday" in (a.answer or "") and a.sentence.startswith("Dock workers")


def test_the_publication_line_answers_when_the_update_s_line_comes_first(tmp_path, encoder):
    engine = one_article(encoder, tmp_path, "Storm damages Stonehaven harbour wall\n\nLast updated 18 October 2023\n\n"
                                            "First published 16 October 2023\n\nPart of the harbour wall in Stonehaven "
                                            "collapsed during the storm on Sunday night.\n")
    assert engine.answer("When was the story on the Stonehaven harbour wall published?").answer == "16 October 2023"
    assert engine.answer("When was the story on the Stonehaven harbour wall last updated?").answer == "18 October 2023"


def test_a_piece_the_story_tells_of_is_dated_by_the_story_not_by_the_date_line(tmp_path, encoder):
    text = ("Nikola Tesla\n\n{header}The Herald Tribune published an article on Tesla's death ray on 11 July 1934. "
            "Tesla claimed the weapon could bring down planes from 250 miles away.\n")
    for header in ("", "Published 3 May 2024\n\n"):  # an encyclopedia's article, and a dated news story
        (tmp_path / str(len(header))).mkdir()
        engine = one_article(encoder, tmp_path / str(len(header)), text.format(header=header))
        a = engine.answer("When did the Herald Tribune publish its article on Tesla's death ray?")
        assert a.found and a.sentence.startswith("The Herald Tribune") and "1934" in (a.answer or ""), header


def test_a_report_the_story_is_about_does_not_stand_for_the_story(tmp_path, encoder):
    engine = one_article(encoder, tmp_path, "Watchdog criticises rail project\n\nPublished 8 February 2024\n\nThe "
                                            "National Audit Office report on the rail project, published on Tuesday, "
                                            "found that it was 3 billion pounds over budget.\n")
    a = engine.answer("When was the story on the audit office report on the rail project published?")
    assert a.answer == "8 February 2024"
    a = engine.answer("When was the National Audit Office report on the rail project published?")  # not a news piece
    assert a.sentence.startswith("The National Audit Office") and "Tuesday" in (a.answer or "")


SPEECH = """Port strike talks collapse

Talks between the dockers' union and the port operator collapsed on Friday, the union said.
Union leader Maria Costa, who has led the dockers since 2019, said the operator had walked away.
"We offered to meet them halfway.
They refused even to discuss the night shifts," she said.
The operator's chief executive, Tom Hale, told reporters the union's demands were unaffordable.
"There was a loud bang," said passenger Evan Sato, who was on the last ferry out.
Ireland's foreign ministry said no Irish citizens were among the injured.
The port handles 40 ships a month.
"""


def test_who_said_a_sentence_s_words_is_read_from_it_its_quote_or_the_speaker_named_before_a_he_said(
        tmp_path, encoder):
    from qa.answer import speaker_span

    index = one_article(encoder, tmp_path, SPEECH).index

    def said(prefix: str) -> str | None:
        found = speaker_span(index, sentence_starting(index, prefix))
        return None if found is None else index.sentence_text(found.sentence)[found.start:found.end]

    assert said("Union leader Maria Costa") == "Maria Costa"  # the appositive does not hide the verb
    assert said("The operator's chief executive") == "Tom Hale"
    assert said('"There was a loud bang') == "Evan Sato"  # "said passenger Evan Sato"
    assert said("Ireland's foreign ministry") == "Ireland's foreign ministry"  # a possessive's words go with it
    assert said("The port handles") is None  # the reporter's own words: no one said them
    # "... she said" of a quote over two sentences: the speaker named in the sentence before the quote
    opened = sentence_starting(index, '"We offered')
    found = speaker_span(index, opened)
    assert found.sentence == opened - 1 and index.sentence_text(found.sentence)[found.start:found.end] == (
        "Maria Costa")
    # the support runs from the speaker's name to the end of the quote
    assert index.char_span(opened - 1, opened + 1) == found.support
    assert said("They refused") == "Maria Costa"
    # a name inside the quote is not its speaker
    (tmp_path / "b").mkdir()
    index = one_article(encoder, tmp_path / "b", 'Talks collapsed.\n\n"Maria Costa said no," Tom Hale said.\n').index
    assert said('"Maria Costa said no') == "Tom Hale"


@pytest.mark.parametrize("sentence, speaker", [
    ("The operator's chief executive told Reuters the demands would cost 40 million pounds.",
     "The operator's chief executive"),  # not Reuters, who was told
    ("The port authority said Monday that 12 ships had been diverted to Rotterdam.", "The port authority"),
    ("The union said Maria Costa would lead a new round of talks.", "The union"),  # the subject of what was said
    ("Allies will send 12 more systems to Ukraine, said NATO Secretary General Jens Stoltenberg.",
     "NATO Secretary General Jens Stoltenberg"),
    ("At least 185 people were killed, the United Nations envoy to Sudan said on Monday.", None),  # not "Sudan"
    ('"It is robust," said Dr. Martin Feld, a neurologist.', "Dr. Martin Feld"),
    ("NATO will not back down from supporting Ukraine, says alliance chief.", None),
    ("A ferry capsized off Lesbos on Sunday, the coastguard said.", "the coastguard"),
    ("According to the UN, 185 people died.", "UN"),
    ("Its Lansing plant builds the Chevrolet Traverse.", None),  # no one's words: not the sentence before's speaker
    ("Aid will arrive soon, Britain's ambassador to the United States said.", None),  # not "United States"
    ("The head of the UAW, Shawn Fain, said 3,000 jobs would go.", "Shawn Fain"),
    ("Brad Smith, Microsoft's president, told the BBC the deal would close.", "Brad Smith"),
    ("Jerome Powell also said rates would rise.", "Jerome Powell"),
    ("Antony Blinken on Monday said the talks failed.", "Antony Blinken"),
    ('"We will open," said Fed chair Jerome Powell.', "Jerome Powell"),
    ("U.S. officials said the talks failed.", "U.S. officials"),
    ("The figures told a different story, with 40,000 jobs lost.", None),
    ("Lukashenko has said he will deploy joint forces.", "Lukashenko"),
    ("Rutte further noted that the EU must act.", "Rutte"),
    ("Police said he admitted stealing the car.", "Police"),  # reported speech, not a "he said"
    ("SUVs take space, David Belliard, a deputy mayor, said SUVs took up more room.", "David Belliard"),
    ("Nvidia's earnings confirmed that demand for chips remains strong.", None),
])
def test_the_speaker_is_the_one_who_says_not_a_name_told_or_reported_on(tmp_path, encoder, sentence, speaker):
    from qa.answer import speaker_span

    index = one_article(encoder, tmp_path, f"Talks collapse\n\nGM said it was disappointed.\n{sentence}\n").index
    sid = sentence_starting(index, sentence[:12])
    found = speaker_span(index, sid)
    assert (None if found is None else index.sentence_text(found.sentence)[found.start:found.end]) == speaker


def test_the_speaker_of_a_quote_across_sentences_two_speakers_and_a_she_said_that_could_be_either(tmp_path, encoder):
    from qa.answer import speaker_span

    index = one_article(encoder, tmp_path, (
        "Talks collapse\n\nUnion leader Maria Costa said: \"We offered a 6% pay rise in the first year.\n"
        "Tom Hale said it was fair, but the board refused to discuss the night shifts,\" she said.\n"
        "The operator's chief executive, Tom Hale, said the union wanted too much.\n"
        "\"We offered a 7% pay rise in the second year,\" she said.\n"
        "Mayor Jane Price said the city would lose 3 million pounds a week, but Tom Hale said the losses would be 5 "
        "million pounds.\n")).index

    def said(prefix: str, at: str | None = None) -> str | None:
        sid = sentence_starting(index, prefix)
        text = index.sentence_text(sid)
        found = speaker_span(index, sid, text.index(at) if at else None)
        return None if found is None else index.sentence_text(found.sentence)[found.start:found.end]

    assert said("Tom Hale said it was fair") == "Maria Costa"  # Tom Hale is named inside her quote
    assert said('"We offered a 7%') is None  # "she": Maria Costa or Tom Hale, named just before
    assert said("Mayor Jane Price", at="5 million") == "Tom Hale"  # the speaker of the clause that holds the words
    assert said("Mayor Jane Price", at="3 million") == "Mayor Jane Price"


def test_a_he_said_after_no_one_s_words_is_no_one_and_a_bare_quote_is_the_last_speaker_s(
        tmp_path, encoder):
    from qa.answer import speaker_span

    index = one_article(encoder, tmp_path, (
        "Talks resume\n\nAllies will also address the challenges posed by China.\n"
        "The Secretary General welcomed recent talks between China and Allies.\n"
        "\"China is not an adversary,\" he said.\nThe talks ended late.\n"
        "\"We will step up our support,\" the secretary general said.\n\"Ukraine has the momentum.\"\n")).index

    def said(prefix: str) -> str | None:
        found = speaker_span(index, sentence_starting(index, prefix))
        return None if found is None else index.sentence_text(found.sentence)[found.start:found.end]

    assert said('"China is not') is None  # no one before says anything: who "he" is, is not said
    assert said('"Ukraine has') == "the secretary general"  # a quote no one is said to say: the last speaker's

    (tmp_path / "b").mkdir()
    index = one_article(encoder, tmp_path / "b", (
        "Trial\n\nProsecutor Ann Lee said the evidence was overwhelming.\n"
        "\"My client is innocent of all charges,\" his lawyer said.\n\"Barbie\" grossed 1.4 billion dollars.\n"
        "Apple said its lawyers would appeal the fine.\n\"We strongly disagree,\" he said.\n"
        "Mayor Karen Bass said the city would help.\nResident Tom Lee lost his house.\n\"It is all gone,\" he said.\n"
        "Jim Farley said the offer was generous.\nFain said it fell short.\n\"We strike at midnight,\" he said.\n"
        "\"My client is innocent,\" said a lawyer for Smith.\n")).index
    assert said('"My client') == "his lawyer"  # its own tag, not the speaker before
    assert said('"Barbie"') is None  # a title in quote marks is no one's words
    assert said('"We strongly') is None  # "he" is not Apple, which "said its"
    assert said('"It is all gone') is None  # Tom Lee, named after the mayor, may be the "he"
    assert said('"We strike') == "Fain"  # the nearest speaker, a surname alone, not Jim Farley before him
    assert said('"My client is innocent,"') is None  # not Smith, whom the lawyer speaks for


def test_a_he_said_is_the_person_named_before_it_not_the_company_that_spoke_first(tmp_path, encoder):
    from qa.answer import speaker_span

    index = one_article(encoder, tmp_path, (
        "Deal cleared\n\nThe CMA said it had cleared the revised deal on Friday.\nSarah Cardell, its chief executive, "
        "said cloud gaming would stay open.\n\"Customers will get lower prices and 12 more games,\" she said.\n"
        "Then the losses would reach 5 million pounds, but prices would fall 3%, Tom Hale said.\n")).index
    sid = sentence_starting(index, '"Customers')
    found = speaker_span(index, sid)
    assert index.sentence_text(found.sentence)[found.start:found.end] == "Sarah Cardell"
    sid = sentence_starting(index, "Then the losses")
    text = index.sentence_text(sid)
    found = speaker_span(index, sid, text.index("3%"))  # the speaker named in the clause after the words
    assert text[found.start:found.end] == "Tom Hale"
