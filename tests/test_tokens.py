"""Tokens for lexical matching: folding, compounds, numbers, currency, stems, invisible characters."""

import threading

import pytest

from qa.tokens import double_quotes, fold, query_tokens, stem_words, tokens, visible, words


def test_fold_lowers_and_strips_accents_and_invisible_characters():
    assert fold("Türkiye") == "turkiye"
    assert fold("Élisabeth Borne") == "elisabeth borne"
    assert fold("Ker\u200bmit") == "kermit"


def test_words_split_compounds_keep_decimals_and_name_currencies():
    assert words("The NATO-Ukraine Council") == ["the", "nato", "ukraine", "council"]
    assert words("It cost $3.5 billion, or 1,200,000 euros.") == ["it", "cost", "dollar", "3.5", "billion", "or",
                                                                  "1200000", "euros"]
    assert words("€40m") == ["euro", "40m"]
    assert words("snake_case under_scores") == ["snake", "case", "under", "scores"]  # "_" is no word character


def test_tokens_drop_stopwords_and_stem():
    assert tokens("The ministers were meeting in Brussels") == ["minist", "meet", "brussel"]
    assert tokens("the of and") == []


def test_query_tokens_drop_question_words_keep_order_and_no_repeats():
    assert query_tokens("How much did the ministers pay the ministers?") == ["minist", "pay"]
    assert query_tokens("Who?") == []


@pytest.mark.parametrize("text", ["plain text", "Ker\u200bmit the\u00ad frog", "\ufeffBOM first"])
def test_visible_maps_spans_back_onto_the_original(text):
    shown = visible(text)
    assert all(ch not in shown.text for ch in "\u200b\u00ad\ufeff")
    for start in range(len(shown.text)):
        for end in range(start + 1, len(shown.text) + 1):
            s, e = shown.span(start, end)
            assert visible(text[s:e]).text == shown.text[start:end]


def test_stemming_is_safe_from_many_threads():
    expected = stem_words(["meetings", "ministers", "running"] * 50)
    results = []

    def work():
        results.append(stem_words(["meetings", "ministers", "running"] * 50))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 8


@pytest.mark.parametrize("text,marked", [
    ("He said: ‘Nurses don’t want to strike.’", "He said: “Nurses don’t want to strike.”"),
    ("the workers’ pay ‘was low’ today", "the workers’ pay “was low” today"),  # an apostrophe with none open
    ("‘It goes on", "“It goes on"),  # a quote that the next sentence closes
    ("Nobody’s here and no quote is", "Nobody’s here and no quote is"),
    ("‘The nurses’ union will not back down on pay,’ she said.",  # the mark after punctuation closes it
     "“The nurses’ union will not back down on pay,” she said."),
    ("‘We loved the ’90s bands,’ he said.", "“We loved the ’90s bands,” he said."),
    ("“He called it ‘a sham’ and left,” she said.", "“He called it ‘a sham’ and left,” she said."),  # within a quote
    ("Sales peaked in the ‘90s with rock ‘n’ roll.", "Sales peaked in the ‘90s with rock ‘n’ roll."),  # elisions
])
def test_double_quotes_writes_single_curly_quotation_marks_as_double_ones(text, marked):
    assert double_quotes(text) == marked and len(double_quotes(text)) == len(text)
