"""The news development set's folds of articles: which questions a cross-validated fit may learn from."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from qa.evaluate import Question, load_questions

NEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "news"
# Files about one event, named differently: they go to the same fold.
SAME_STORY = {"uk": "rwanda"}


def story(article: str) -> str:
    key = article.split("-")[0].split(".")[0]
    return SAME_STORY.get(key, key)


def folds_of(questions: list[Question], articles: list[str], k: int) -> dict[str, int]:
    """Question id -> fold. Stories are dealt to folds in name order; a question without a source (an
    unanswerable one) goes by a hash of its id."""
    stories = sorted({story(a) for a in articles})
    fold_of_story = {s: i % k for i, s in enumerate(stories)}
    return {q.id: fold_of_story[story(q.source)] if q.source
            else int(hashlib.md5(q.id.encode()).hexdigest()[:8], 16) % k for q in questions}


def add_news_arguments(parser: argparse.ArgumentParser, start: Path, what: str) -> None:
    """--news [DIR], --start, --leave-out-fold and --folds: a fit that goes on from `start` with the news
    development set's questions (benchmarks/fit_reader.py)."""
    parser.add_argument("--news", type=Path, nargs="?", const=NEWS, default=None,
                        help="go on from --start with the news development set's questions (default folder: "
                             "../shared/eval/news)")
    parser.add_argument("--start", type=Path, default=start, help=f"the {what} a --news fit starts from")
    parser.add_argument("--leave-out-fold", type=int, default=None, help="with --news: fold K's articles stay out")
    parser.add_argument("--folds", type=int, default=3)


def news_questions(args: argparse.Namespace) -> tuple[list[Question], str]:
    """The questions a --news fit learns from (all but --leave-out-fold's), and a note saying which."""
    questions = load_questions(args.news / "questions.jsonl")
    note = "the news development set's standalone answerable questions"
    if args.leave_out_fold is not None:
        folds = folds_of(questions, [p.name for p in (args.news / "articles").iterdir()], args.folds)
        questions = [q for q in questions if folds[q.id] != args.leave_out_fold]
        note += f" outside fold {args.leave_out_fold} of {args.folds} (benchmarks/news_folds.py)"
    return questions, note
