"""Article metadata from page furniture: where a date line gives the publication or update date."""

import pytest

from qa.metadata import date_span


@pytest.mark.parametrize("line, updated, shown", [
    ("Published: 10:02 GMT, 14 September 2023 | Updated: 12:15 GMT, 15 September 2023", False, "14 September 2023"),
    ("Published: 10:02 GMT, 14 September 2023 | Updated: 12:15 GMT, 15 September 2023", True, "15 September 2023"),
    ("Updated Dec. 1, 2022", False, "Dec. 1, 2022"),  # only an update: it is the date
    ("March 19, 2024 at 5:02 a.m. ET", True, "March 19, 2024"),  # never updated: the publication date
    ("MYTILENE, Greece, March 3 (Reuters) - ", False, "March 3"),  # a dateline's day without its year
    ("Posted 5 min ago", False, None),
    ("Updated 15 September 2023, first published 14 September 2023", False, "14 September 2023"),
    ("Updated 15 September 2023, first published 14 September 2023", True, "15 September 2023"),
    ("Published Sept. 14, 2023 at 10:02 a.m. | Updated Sept. 15 at 9:15 a.m.", True, "Sept. 15"),
    ("Published Sept. 14 | Updated Sept. 15, 2023", False, "Sept. 14"),
    ("Originally posted 3 May 2023, last revised 4 May 2023", True, "4 May 2023"),
])
def test_date_span_finds_the_publication_or_the_last_update(line, updated, shown):
    span = date_span(line, updated)
    assert (line[slice(*span)] if span else None) == shown


@pytest.mark.parametrize("line", ["Originally posted: 3 May 2023", "Last revised 4 May 2023"])
def test_date_lines_with_their_labels_are_date_lines_not_the_headline(line):
    from qa.corpus import BlockKind, classify

    text = f"Storm hits the town\n\n{line}\n\nThe storm hit the town on Sunday and flooded forty homes.\n"
    title, blocks = classify(text)
    assert title == "Storm hits the town"
    assert [b.kind for b in blocks] == [BlockKind.HEADLINE, BlockKind.DATE, BlockKind.BODY]


def test_a_date_an_info_box_gives_is_the_story_s_not_the_article_s():
    from qa.corpus import BlockKind, classify

    text = ("Forms open for the teacher exam\n\nApplications opened on Monday for the state teacher exam.\n\n"
            "Last date: 31 May 2024\n\nCandidates must apply online.\n")
    title, blocks = classify(text)
    assert [b.kind for b in blocks][-2:] == [BlockKind.BODY, BlockKind.BODY]


def test_the_stored_publication_date_reads_a_line_as_date_span_does():
    from qa.metadata import published

    line = "Updated 15 September 2023, first published 14 September 2023"
    assert published([line]) == "2023-09-14" and line[slice(*date_span(line))] == "14 September 2023"
    assert published(["Published Nov. 30, 2022 | Updated Dec. 1, 2022"]) == "2022-11-30"
    assert published(["Updated Dec. 1, 2022"]) == "2022-12-01"  # only an update: its date
    assert published(["Updated 15 Nov 2023 | 14 Nov 2023"]) == "2023-11-14"  # a label marks the next day only
    line = "Published 10:02 GMT · 14 Nov 2023 | Updated 12:15 GMT · 15 Nov 2023"  # a time between label and day
    assert line[slice(*date_span(line, True))] == "15 Nov 2023" and published([line]) == "2023-11-14"
    assert published(["Last updated 12:15 GMT · 15 Nov 2023", "First published 14 Nov 2023"]) == "2023-11-14"
