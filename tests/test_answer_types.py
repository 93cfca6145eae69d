"""Answer-type detection from the question's wording, and the cues a sentence offers."""

import pytest

from qa.answer_types import (DATE, AnswerType, answer_type, asks_count, asks_for_author, asks_money, asks_said,
                             asks_when_published, asks_when_updated,
                             asks_words, asks_yes_no, counted_nouns, counted_words, counts_others, cue_spans,
                             entity_spans, has_verb, leaves_quote_open, predicates, quotes, quotes_someone, reported,
                             states_sum, writer_referent)
from qa.tokens import tokens


@pytest.mark.parametrize("question, kind", [
    ("Who is the CEO of Apple?", AnswerType.PERSON),
    ("Which Carolina Panthers player was named MVP?", AnswerType.OTHER),
    ("Which minister attended the meeting?", AnswerType.PERSON),
    ("When will the first meeting take place?", AnswerType.TIME),
    ("In what year did the war start?", AnswerType.TIME),
    ("How much money did Germany promise?", AnswerType.NUMBER),
    ("How many turnovers did Cam Newton have?", AnswerType.NUMBER),
    ("What share of the territory has Ukraine recaptured?", AnswerType.NUMBER),
    ("Where is the new NATO command located?", AnswerType.PLACE),
    ("Which countries announced more aid?", AnswerType.PLACE),
    ("Which systems are national decisions?", AnswerType.ENTITY),
    ("What did Stoltenberg say about the war?", AnswerType.OTHER),
    ("What's the latest death toll from the fighting in Sudan?", AnswerType.NUMBER),
])
def test_answer_type(question, kind):
    assert answer_type(question) is kind


def test_cue_spans_find_dates_numbers_and_names():
    s = "On May 3, 2013, the Florida legislature refused $1.2 billion; 50% of voters may agree."
    found = {k: [s[a:b] for a, b in v] for k, v in cue_spans(s).items()}
    assert "May 3, 2013" in found["date"] and "may" not in " ".join(found["date"]).split()[1:]
    assert "$1.2 billion" in found["number"] and "50%" in found["number"]
    assert "Florida" in found["entity"]


def test_a_month_with_its_year_is_not_a_month_and_a_day():
    # "June 2022" once read as "June 20" and a stray "22" (a figure the latest-report rules compared)
    assert [m.group() for m in DATE.finditer("the first flight in June 2022 and the vote in April 2023")] == [
        "June", "2022", "April", "2023"]
    assert [m.group() for m in DATE.finditer("on June 20, 2022, and June 20-22")] == ["June 20, 2022", "June 20-22"]
    # ordinal days are days, not stray figures
    assert [m.group() for m in DATE.finditer("on June 5th, 2023, May 3rd and June 21st-22nd")] == [
        "June 5th, 2023", "May 3rd", "June 21st-22nd"]


def test_entity_spans_skip_ordinary_sentence_openers():
    s = "According to Stoltenberg, NATO has been delivering fuel."
    assert [s[a:b] for a, b in entity_spans(s)] == ["Stoltenberg", "NATO"]


def test_cue_stems_are_tokenised_as_bm25_indexes_them():
    from qa.answer_types import cue_stems
    from qa.tokens import query_tokens

    cues = cue_stems("The package cost $3.5 billion, the NATO-Ukraine Council said on 12 July.")
    assert "3.5" in cues["number"] and "dollar" in cues["number"]  # not "3" and "5", as the question has it
    assert set(query_tokens("Did it cost $3.5 billion?")) <= set(cues["number"]) | {"cost"}
    assert {"nato", "ukrain", "council"} <= set(cues["entity"])


def test_names_may_start_with_any_capital_letter():
    sentence = "Élisabeth Borne met Henrik Ødegård in Ærøskøbing, with Łukasz Żak."
    assert [sentence[s:e] for s, e in entity_spans(sentence)] == [
        "Élisabeth Borne", "Henrik Ødegård", "Ærøskøbing", "Łukasz Żak"]


def test_invisible_characters_do_not_split_names_or_numbers():
    sentence = "The envoy Ker\u200bmit Sm\u00adith arrived in Oslo on Mon\u2060day, 20\ufeff24."
    assert [sentence[s:e] for s, e in entity_spans(sentence)] == ["Ker\u200bmit Sm\u00adith", "Oslo", "Mon\u2060day"]
    assert [sentence[s:e] for s, e in cue_spans(sentence)["number"]] == ["20\ufeff24"]
    assert tokens("Ker\u200bmit Sm\u00adith") == tokens("Kermit Smith") == ["kermit", "smith"]


@pytest.mark.parametrize("question, count", [
    ("How many UAW members are on strike now?", True),
    ("What's the latest death toll from the fighting in Sudan?", True),
    ("What was the final tally of votes?", True),
    ("What number of seats did the BJP win?", True),
    ("How much did the strike cost the economy?", False),
    ("Who counted the votes?", False),
    ("What share of the vote did Labour win?", False),
])
def test_asks_count(question, count):
    assert asks_count(question) is count


@pytest.mark.parametrize("question, counted", [
    ("How many Oscars did Oppenheimer win?", ("oscars",)),
    ("How many COVID-19 vaccine doses have been given worldwide?", ("covid-19", "vaccine", "doses")),
    ("How many Lok Sabha seats did the BJP win?", ("lok", "sabha", "seats")),
    ("How many jobs may have been lost?", ("jobs",)),  # an auxiliary ends the noun
    ("How many migrants crossed the Channel?", ()),  # not an auxiliary: "crossed" may belong to the noun
    ("How many types of thylakoids are there?", ()),  # the count is of thylakoids
    ("How many people were killed?", ()),  # any count of persons counts people
    ("How many people left?", ()),  # no plural: "left" may be a verb
    ("How many died?", ()),  # a verb, no noun
    ("How much money did Germany promise?", ()),  # an amount, not a count
    ("How many of its own jets did it ground?", ()),
    ("What did the minister say?", ()),
])
def test_what_a_how_many_question_counts(question, counted):
    assert counted_words(question) == counted


def test_counts_are_numbers_that_are_not_money_shares_or_dates():
    s = "On Sept. 29, 2023 about 25,000 members, paid $500 a week, won 12% more and 1.5 million euros; two left."
    found = {k: [s[a:b] for a, b in v] for k, v in cue_spans(s).items()}
    assert found["count"] == ["25,000", "two"]
    assert {"$500", "12%", "1.5 million euros"} <= set(found["number"])


def test_casualty_questions_and_what_a_figure_counts():
    from qa.answer_types import asks_casualty, figure_casualty

    assert asks_casualty("What's the latest death toll from the fighting in Sudan?") == "death"
    assert asks_casualty("And how many were wounded by then?") == "injury"
    assert asks_casualty("How many were killed or injured?") is None  # both: nothing to tell apart
    assert asks_casualty("Who won the final?") is None
    s = "At least 413 people have been killed and 3,551 injured since fighting broke out, the WHO said."
    at = s.index("413")
    assert figure_casualty(s, at - 9, at + 3) == {"death"}  # "At least 413" ... "people have been killed"
    assert figure_casualty(s, s.index("3,551"), s.index("3,551") + 5) == {"injury"}
    assert figure_casualty(s, at - 9, s.index("3,551") + 5) == {"death", "injury"}  # a span over both figures
    assert figure_casualty("The plan costs 5 dollars a day.", 15, 16) == frozenset()
    assert figure_casualty("Everyone was killed.", 0, 19) == {"death"}  # no figure: the words inside


def test_the_word_before_a_figure_says_what_it_counts_first():
    from qa.answer_types import figure_casualty

    def kinds(sentence, figure):
        at = sentence.index(figure)
        return figure_casualty(sentence, at, at + len(figure))

    s = "Fighting has killed at least 413 people and injured 3,551 since Saturday."
    assert kinds(s, "at least 413") == {"death"} and kinds(s, "3,551") == {"injury"}
    s = "The death toll rose to 185 on Monday, with 1,800 wounded."
    assert kinds(s, "185") == {"death"} and kinds(s, "1,800") == {"injury"}
    assert kinds("UNICEF said at least nine children had been killed.", "at least nine") == {"death"}


def test_questions_for_someone_s_words_and_sentences_that_quote_someone():
    for q in ("What did Andy Burnham say about the decision?", "How did Blinken describe the attack?",
              "What were Tedros's exact words when he ended the emergency?", "What words did Modi use?",
              "What did Griffiths admit about the aid effort?"):
        assert asks_said(q), q
    for q in ("How many people were killed?", "Who said the toll was 413?", "What did the FDA decide?",
              "How much does Sunak claim the plan will save?", "How high did the review say the bill could go?",
              "How many workers did Fain say were out?"):
        assert not asks_said(q), q
    assert quotes_someone('"It feels like the North is being treated as second-class citizens," he said.')
    assert quotes_someone('She called it "a very serious event" and said the agency had not ruled anything out.')
    assert quotes_someone("“Yes,” she said.")  # a quote opens it
    assert not quotes_someone('Solomon said the ruling should be a "turning point".')  # a phrase, not a quote
    s = '"Short," he said, "but then a long quote follows here." "And a quote that runs on'
    assert [s[a:b] for a, b in quotes(s)] == ["but then a long quote follows here."]
    s = '“It feels like the North is being treated as second-class citizens, and'
    assert [s[a:b] for a, b in quotes(s)] == [s[1:]]  # a quote that runs on into the next sentence
    assert quotes('"') == [] and quotes("") == [] and quotes('Solomon said it was a "turning point".') == []
    # a quote inside a quote: the inner one is found, the outer one is closed later and is no run-on quote
    s = '"She said “we will win this fight” today," he said.'
    assert [s[a:b] for a, b in quotes(s)] == ["we will win this fight"]
    # British papers quote in single curly marks; an apostrophe is no quote mark
    assert quotes_someone("‘It feels like the North is being treated as second-class citizens,’ he said.")
    s = "Cullen said: ‘Nurses don’t want to strike and never did.’"
    assert [s[a:b] for a, b in quotes(s)] == ["Nurses don’t want to strike and never did."]
    assert not quotes_someone("The workers’ pay rose and the bosses’ pay rose more.")
    s = "“He called it ‘a sham’ and walked out of the room,” she said."  # a quote within a quote
    assert [s[a:b] for a, b in quotes(s)] == ["He called it ‘a sham’ and walked out of the room,"]


def test_a_sentence_leaves_a_quote_open_for_the_next_one():
    assert leaves_quote_open("Cullen said: ‘Nurses don’t want to strike.")
    assert leaves_quote_open('"It is a huge sum.') and leaves_quote_open("He said: “It is a huge sum.")
    assert not leaves_quote_open("Cullen said: ‘Nurses don’t want to strike.’")
    assert not leaves_quote_open('"It is a huge sum," he said.') and not leaves_quote_open("The workers’ pay rose.")
    assert not leaves_quote_open("Sales of the records peaked in the ‘90s.")
    assert leaves_quote_open('away.\n"We offered to meet them halfway.')  # a quote opened on a new line
    assert quotes('"   " and "a b"') == []  # words, not spaces, are counted
    assert not quotes_someone("We have so far failed the people in north-west Syria.")
    assert not quotes_someone('He said "' + "a b " * 5000)  # an unclosed quote: no answer, and no slow one


def test_yes_no_questions():
    for q in ("Did the G20 declaration condemn Russia?", "Is Messi retiring from the national team?",
              "was the EU ambassador badly injured", "Has anybody actually been sent to Rwanda yet?",
              "And will Labour bring it back?", "Could the WHO bring back the emergency status?"):
        assert asks_yes_no(q), q
    for q in ("What did Biden say?", "Who won Faizabad?", "How many were killed?", "When was it built?",
              "Was the Supreme Court split on the Rwanda case, or did all the judges agree?",  # which of two
              "Is it Paris or Lyon?", "Island nations: which joined?"):
        assert not asks_yes_no(q), q


@pytest.mark.parametrize("sentence, stated", [
    # the subject left out; after a verb of saying or thinking, what was said
    ("On the war in Ukraine, the declaration stopped short of condemning Russia.",
     ["stopped short of condemning Russia"]),
    ("He confirmed he would not retire from international football just yet.",
     ["would not retire from international football just yet"]),
    ("Patients and families need to understand that this is not a cure.", ["is not a cure"]),
    ("Later on Friday, the army said in a statement that it had agreed to a three-day ceasefire, although residents "
     "reported that shelling and gunfire continued in several districts.",
     ["had agreed to a three-day ceasefire", "continued in several districts"]),
    # a subject that is itself the answer stays
    ("No asylum seeker has been sent to Rwanda under the deal so far, although the UK has already paid the Rwandan "
     "government £140m.", ["No asylum seeker has been sent to Rwanda under the deal so far",
                           "has already paid the Rwandan government £140m"]),
    ("Seven people were hurt, but none had to go to the hospital.", ["were hurt", "none had to go to the hospital"]),
    ('"Nobody was sitting in those two seats."', ["Nobody was sitting in those two seats"]),
    # commas inside a subject or a relative clause end no clause; an attribution after the clause does
    ("The first phase of the line, between London and Birmingham, will go ahead.", ["will go ahead"]),
    ("Sony, which makes the PlayStation and had been the deal's loudest critic, signed a 10-year agreement in July "
     "to keep Call of Duty on its consoles.",
     ["signed a 10-year agreement in July to keep Call of Duty on its consoles"]),
    ("The European Union's ambassador to Sudan, Aidan O'Hara, was assaulted in his residence in Khartoum, EU foreign "
     "policy chief Josep Borrell said, calling the attack a gross violation of the Vienna Convention.",
     ["was assaulted in his residence in Khartoum"]),
    ("It was the first Oscar win for Nolan, 53, who had been nominated five times before without winning.",
     ["was the first Oscar win for Nolan", "had been nominated five times before without winning"]),
    # a past form after "a", "the" or a preposition, or before a preposition with a verb to come, is no verb
    ("A clearly marked convoy had come under fire.", ["had come under fire"]),
    ("Alaska says passengers booked on canceled flights can rebook without a fee or request a refund.",
     ["can rebook without a fee or request a refund"]),
    # a "not" or "never" is part of what is stated
    ("Police haven't identified the suspect.", ["haven't identified the suspect"]),
    ("He never signed the deal.", ["never signed the deal"]),
    # a verb of saying with nothing said after it states what it does; words that only look like past forms
    ("She announced her resignation on Monday.", ["announced her resignation on Monday"]),
    ("Two hundred people were killed.", ["were killed"]),
    # no verb found: nothing stated (a relative clause that ends the text included)
    ("Paris", []), ("", []), ("Reuters reported.", []), ("The president, who was elected in 2020,", []),
    (", which ,", []),
])
def test_what_each_clause_states(sentence, stated):
    assert [sentence[a:b] for a, b in predicates(sentence)] == stated


def test_has_verb():
    assert has_verb("1282 left PDX at 5:07 p.m") and has_verb("was then escorted to his seat")
    assert has_verb("Ousmane Dembélé clumsily tripped Ángel Di María")
    for text in ("5:07 p.m.", "May 11", "External Affairs Minister S Jaishankar", "a clearly marked convoy", ""):
        assert not has_verb(text), text


def test_questions_for_the_words_themselves():
    for q in ("What did Burhan say in his first TV address?", "What did Griffiths admit about the aid effort?",
              "What did Phil Spencer post on X?", "What were Tedros's exact words?", "What words did Modi use?",
              "How did Blinken describe the attack?"):
        assert asks_words(q), q
    for q in ("What characteristic did Tesla say helped his scientific abilities?",  # a detail of what was said
              "How early did Luther say he had to awaken?", "What did Luther add to his catechisms?",
              "How many workers did Fain say were out?", "What did the report say the death toll was?",
              "What did the company say it would cut?", "What did Biden call for?"):
        assert not asks_words(q), q


def test_clauses_of_odd_text():
    # a long run of spaces (where a clause end was once looked for from every space: minutes) and a text of
    # relative-clause openers only
    assert predicates("He won." + " " * 20000 + "x") == [(3, 20008)]
    assert predicates(", which" * 5000) == []


@pytest.mark.parametrize("sentence, said", [
    ('"We judged that the 2% price target has come into sight," Ueda said.', "the 2% price target has come into sight,"),
    ('Gandhi said: "The country has unanimously and clearly said that we do not want them to run this country."',
     "we do not want them to run this country."),
    ('"This action was reckless and of course unsafe," Blinken said.', "This action was reckless and of course unsafe,"),
    ('"The thing that matters is the vote," she said.', "The thing that matters is the vote,"),  # "that" of a noun
    ('"Frankly, we said that before," she said.', "Frankly, we said that before,"),  # nothing after a comma's lead
    ('"I knew that feeling very well," she said.', "I knew that feeling very well,"),  # a "that" pointing at
    ('"We signed that deal in 2019 and it holds," he said.', "We signed that deal in 2019 and it holds,"),
    ('"That is the plan that we approved," he said.', "That is the plan that we approved,"),
])
def test_a_quote_s_own_opening_said_that_is_not_what_was_said(sentence, said):
    (start, end), = quotes(sentence)
    a, b = reported(sentence, start, end)
    assert sentence[a:b] == said


@pytest.mark.parametrize("question, money", [
    ("How much did Westinghouse pay for Tesla's patents?", True),
    ("What was ABC's revenue in 1962?", True),
    ("What price did Nordtel shares close at?", True),
    ("How much prize money do the cup winners get?", True),
    ("How much damage in dollars did the typhoon cause?", True),
    ("How much is the strike costing Kenya's economy every day?", True),
    ("How much did the cedi fall against the euro this year?", False),  # a change: a share answers it
    ("How much spectrum must Lumera sell to a competitor?", False),  # another noun is counted
    ("How much of the indulgences went to Rome?", False),
    ("How much rain fell in a single day?", False),
    ("How many people were paid compensation?", False),
    ("How much money did the finance minister allot to the railways?", True),
    ("What is the price of a ticket?", True),
    # a reason, a compound, a change, another noun, a share
    ("What was the fine for?", False),
    ("What did budget airline Ryanair say about French strikes?", False),
    ("What is the cost of living crisis forcing families to do?", False),
    ("What cost-cutting measures did the carmaker announce?", False),
    ("How much will OPEC+ raise oil output from August?", False),
    ("How much did the Fed raise interest rates on Wednesday?", False),
    ("How much food aid entered Gaza on Saturday?", False),
    ("How much does the battery charge in 10 minutes?", False),
    ("How much did Derna receive in rainfall?", False),
    ("How much of the money went to Rome?", False),
    ("How much money was raised?", True),  # a money noun: a sum, changed or not
    ("How much are tickets?", True),
    ("What did the stadium cost?", True),
    ("What was the fine?", True),
    ("What's the price of a ticket?", True),
])
def test_which_questions_ask_for_a_sum_of_money(question, money):
    assert asks_money(question) is money


def test_a_sum_is_stated_with_a_currency_or_as_a_share():
    for text in ("It paid $3.8 billion.", "about £9 million", "a R187 million fund", "a 28p rise", "2.3 million euros",
                 "Sh500 a day", "61% of GDP", "half the cost", "the tests are free", "Tk 1,200", "Rs. 2.4 lakh crore",
                 "USD 500,000", "500,000 rupiah", "20,000 shekels", "300 quid", "5 grand", "billions of dollars",
                 "There's fifty thousand dollars in it", "a deal worth 2.3 billion", "they paid nothing",
                 "A loaf now costs 95p.", "500 Canadian dollars", "100 Hong Kong dollars", "a 500-euro fine",
                 "offered at no cost", "They paid N500 billion.", "GH¢500", "worth a billion", "fees of 10m",
                 "one third of the cost", "5pc", "£2.3bn", "₹500 crore", "NZ$30 million"):
        assert states_sum(text), text
    for text in ("It paid for two cars and school fees.", "He was jailed for nine years.", "It leased four jets.",
                 "The charge per unit will fall.", "a 10-2 verdict", "at 3 p.m.", "Paul Lynch won the Booker Prize",
                 "Rand Paul said", "in the third quarter", "40C heat", "Nothing was decided",
                 "free of amendments", "in the second half"):
        assert not states_sum(text), text


def test_authorship_questions():
    """"Who wrote ...?" about the story (any kind of piece) is answered by its byline; about anything else, the
    piece named only as where something was described, it is a question about the story."""
    for q in ("Who wrote the obituary of Ingrid Solberg?", "Who wrote the report on the central bank raising rates?",
              "which reporter covered the PDX blowout", "Who wrote the profile of the new coach?",
              "Who is the diplomatic editor who wrote up the AU joining the G20?",
              'who wrote the "Rwanda asylum plan unlawful" story that was updated at 14:05 GMT',
              "Who reported the AFP story on the Sagaing monastery airstrike?",
              "who wrote the Leicester care home fraud sentencing article",
              "Who is the author of the HS2 article?", "Who was the reporter behind the Reuters story on the strike?",
              "Who's the legal affairs writer of the column?"):
        assert asks_for_author(q), q
    for q in ("Who wrote the letter to the council?", "Who covered the costs of the trip?",
              "Which officer reported the break-in to the post office?", "Who won the 2022 final?",
              "Who filed the lawsuit described in the article about the bridge?",
              "Which sheriff reported the bridge collapse, according to the story?", "Who is the editor of Vogue?",
              "What did the columnist write about the mayor?", "What did the reporter write about the review?",
              "Who is the author of the novel?", "Who was the writer of the letter?",
              "Who was the author of the UN report?"):
        assert not asks_for_author(q), q


def test_counts_others():
    """A count of things is not answered by a passage that never names them and counts only persons."""
    voters = "Only 78,121 people took part, or 5.68% of the roughly 1.3 million Parisians registered to vote."
    assert counted_nouns(voters) == ["people", "Parisians"]  # the share is no count
    assert counted_nouns("It cost $5 million in 2019 and 3 euros a head for 20 teachers.") == ["teachers"]
    assert counts_others("How many SUVs are registered in Paris?", voters) == ["people", "Parisians"]
    assert counts_others("How many homes were sold?", "About 2,000 residents and 40 Brazilians left.") == [
        "residents", "Brazilians"]
    for question, text in (
            ("How many people voted?", voters),  # persons asked
            ("How many voters took part?", voters),
            ("How many SUVs are registered?", "Some 40,000 SUVs and 1.3 million Parisians are registered."),
            ("How many homes were flooded?", "About 2,000 residents and 300 homes were hit."),  # a count of things
            ("How many homes were flooded?", "About 2,000 were flooded, officials told 300 residents."),  # unnamed
            ("How many SUVs were sold?", "Some 200 Japanese cars were sold."),  # a people's name as an adjective
            ("How many homes were flooded?", "About 2,000 residents and 40 kids left."),  # no people among them
            ("How many deaths has the outbreak caused?", "It has killed 413 Syrians."),  # things counted in persons
            ("How many jobs will GM cut?", "GM will lay off about 5,600 Americans."),
            ("How many tickets were sold?", "Some 90,000 Argentinians watched."),
            ("How much did it cost?", voters)):  # not a count
        assert counts_others(question, text) == [], (question, text)


def test_writer_referent():
    """A person named by the piece they wrote is asked about by name once the piece's byline gives it; not where the
    question asks who wrote the piece, and not where a topic follows the piece (where it ends is not told)."""
    q = "What does the writer of the Paris SUV piece normally cover?"
    start, end, who = writer_referent(q)
    assert q[start:end] == "the writer of the Paris SUV piece" and who == "Who wrote the Paris SUV piece?"
    start, end, who = writer_referent("How long has the author of the HS2 article been reporting on rail?")
    assert who == "Who wrote the HS2 article?"
    for q in ("Who is the author of the HS2 article?", "What does the writer of the piece on the moon landing cover?",
              "What did the author of the novel say?", "Where is the correspondent of the BBC based?",
              "What did the writer of the letter ask for?", "What did the authors of the report find?",
              "What did the critics of the report say?", "What else did the writer of the feature film direct?",
              "What does the writer of the piece normally cover?"):  # a chat's follow-up: chat.py reads it
        assert writer_referent(q) is None, q


@pytest.mark.parametrize("question, published, updated", [
    ("When was the HS2 article published?", True, False),
    ("What date did the Courier run its story on the walkout?", True, False),
    ("When was the Paris SUV piece last updated?", True, True),
    ("When did Reuters publish the story on Sudan?", True, False),
    ("What day was the Sudan story filed?", True, False),
    ("When did the Reuters story on the quake come out?", True, False),
    ("When was the UN report published?", False, False),  # a report the story tells of, not a news piece
    ("When did the story happen?", False, False),
    ("When was the film released?", False, False),
    ("When did the strike begin, according to the article?", False, False),
    ("When was the story on the state budget published?", True, False),  # "state" is a word of the topic
    ("Can you tell me when the story about the dock strike came out?", True, False),
    ("On which date was the article on the dock strike published?", True, False),
    ("When was Reuters' story on the quake published?", True, False),
    ("When did the story appear on the website?", True, False),
    ("When was the obituary of the former provost published?", True, False),
    ("When were the stories on the port strike published?", True, False),
    ("When was the article on the updated tax guidance published?", True, False),  # "updated" of the topic
    ("When was the article on the port expansion last modified?", True, True),
    ("When does the article say the cargo ship ran aground?", False, False),  # the piece is a source
    ("When was the ship refloated, according to the Courier article published on the grounding?", False, False),
    ("When did the piece of debris come out of the engine?", False, False),
    ("What day did the column of protesters go out onto the streets?", False, False),
])
def test_questions_about_when_a_news_piece_came_out(question, published, updated):
    assert (asks_when_published(question), asks_when_updated(question)) == (published, updated)
