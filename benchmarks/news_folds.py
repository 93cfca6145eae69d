"""The news development set's folds of articles: which questions a cross-validated fit may learn from."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from qa.evaluate import Question, load_questions

NEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "news"
# More news questions for the reader to learn from, in the repo (benchmarks/news_extra/README.md): never scored by a
# cross-validation of the development set, always among what its folds' readers learn from
EXTRA = Path(__file__).resolve().parent / "news_extra"
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


def add_extra_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--extra", type=Path, nargs="*", default=[EXTRA],
                        help="question sets (folders with articles/ and questions.jsonl) fitted on beside the news "
                             "development set (default: benchmarks/news_extra; --extra alone: none)")


def extra_sets(folders: list[Path], work: Path) -> list[tuple[object, list[Question]]]:
    """(built engine over its articles, its standalone questions) for each extra question set; the engine's index
    lives under `work`/extra/<folder name>."""
    from qa.engine import QA

    sets = []
    for folder in folders:
        engine = QA(folder / "articles", work / "extra" / folder.name / "index")
        engine.build()
        sets.append((engine, [q for q in load_questions(folder / "questions.jsonl") if not q.history]))
    return sets


def extra_note(sets: list[tuple[object, list[Question]]]) -> str:
    return "".join(f", and the {sum(q.answerable for q in qs)} standalone answerable questions of "
                   f"{Path(engine.corpus).parent.name}" for engine, qs in sets)


def news_questions(args: argparse.Namespace) -> tuple[list[Question], str]:
    """The questions a --news fit learns from (all but --leave-out-fold's), and a note saying which."""
    questions = load_questions(args.news / "questions.jsonl")
    note = "the news development set's standalone answerable questions"
    if args.leave_out_fold is not None:
        folds = folds_of(questions, [p.name for p in (args.news / "articles").iterdir()], args.folds)
        questions = [q for q in questions if folds[q.id] != args.leave_out_fold]
        note += f" outside fold {args.leave_out_fold} of {args.folds} (benchmarks/news_folds.py)"
    return questions, note
