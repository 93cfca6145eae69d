"""The `qa` command: index, add, remove, ask, eval, calibrate, info."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import textwrap
from pathlib import Path

from qa.answer import Answer
from qa.config import Backend, Settings, default_corpus
from qa.errors import QAError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, default=None,
                        help="folder of articles: .txt, .md, .html, .jsonl, .csv (default: seeds/)")
    parser.add_argument("--index-dir", type=Path, default=None,
                        help="index folder (default: embeddings/ for seeds/, else CORPUS/.qa-index)")
    parser.add_argument("--backend", choices=[b.value for b in Backend], default=None,
                        help=f"what runs the models: onnx (int8, fast) or torch (fp32, the reference); "
                             f"a change rebuilds the index's vectors (default {Settings().backend.value})")


# Answer-time settings the answering commands take (see qa/config.py); a flag left out keeps the default.
ANSWER_FLAGS = {
    "top_k": (int, "evidence sentences per answer"),
    "retrieve_k": (int, "passages and BM25 sentences gathered per question"),
    "rerank_top": (int, "best sentences the cross-encoder re-reads (0: off)"),
    "context_sentences": (int, "neighbours each side of the sentence in the context"),
    "abstain_threshold": (float, "P(answerable) under which the answer is a refusal (default: the fitted one)"),
    "answer_threshold": (float, "the reader's probability under which there is no short answer"),
}


def _answer_settings(parser: argparse.ArgumentParser) -> None:
    for name, (kind, text) in ANSWER_FLAGS.items():
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=kind, default=None, dest=name,
                            help=f"{text} (default {getattr(Settings(), name)})")


def _settings(args: argparse.Namespace) -> Settings:
    """Settings() with the answer-time flags and the backend the command was given; a bad value is a one-line
    QAError."""
    given = {name: getattr(args, name) for name in (*ANSWER_FLAGS, "backend") if getattr(args, name, None) is not None}
    return Settings(**given)


def _parser() -> argparse.ArgumentParser:
    # No abbreviated options: "--index X" must not be read as "--index-dir X" (it rebuilt X from seeds/).
    parser = argparse.ArgumentParser(prog="qa", description="Answer questions from a folder of news articles.",
                                     allow_abbrev=False)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, allow_abbrev=False)

    p = command("index", help="build or update the index")
    _common(p)
    p.add_argument("--force", action="store_true", help="rebuild even if the index is up to date")
    p = command("add", help="add article files to the corpus and the index (only they are encoded)")
    _common(p)
    p.add_argument("files", nargs="+", type=Path, help="article files (.txt, .md, .html, .jsonl, .csv)")
    p = command("remove", help="take articles out of the index (their files stay)")
    _common(p)
    p.add_argument("ids", nargs="+", help="article ids: file names relative to the corpus folder")
    p = command("ask", help="answer one question")
    _common(p)
    p.add_argument("question", help="the question, in quotes")
    _answer_settings(p)
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--since", default=None, help="only articles published on or after this ISO date (YYYY-MM-DD)")
    p.add_argument("--until", default=None, help="only articles published on or before this ISO date")
    p.add_argument("--source", action="append", default=None,
                   help="only articles of this outlet (or article id / file); repeat for several")
    p = command("eval", help="evaluate against a labelled question set (JSONL or CSV)")
    _common(p)
    p.add_argument("questions", type=Path, help="question set: .jsonl or .csv")
    _answer_settings(p)
    p.add_argument("--out", type=Path, default=None, help="write report.json, report.md and plots here")
    p.add_argument("--json", action="store_true", help="print report.json to stdout and nothing else")
    p = command("calibrate", help="fit the sentence selector and abstention on a labelled question set")
    _common(p)
    p.add_argument("questions", type=Path, help="question set (.jsonl or .csv) with answerable and unanswerable rows")
    p.add_argument("--out", type=Path, default=None, help="where to write selector.json (default: the index folder)")
    _answer_settings(p)
    p = command("info", help="describe the index")
    _common(p)
    p.add_argument("--json", action="store_true", help="print as JSON")
    return parser


def _engine(args: argparse.Namespace, progress: bool = True):
    from qa.engine import QA

    corpus = args.corpus if args.corpus is not None else default_corpus()
    return QA(corpus, args.index_dir, _settings(args), progress=progress)


def _print_answer(a: Answer) -> None:
    width = 100
    if a.notice:
        print(f"Note: {a.notice}")
    if a.found:
        if a.answer:
            bold = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None
            print(f"\033[1m{a.answer}\033[0m\n" if bold else f"Answer: {a.answer}\n")
        print(textwrap.fill(a.sentence or "", width))
        byline = ", ".join(x for x in (a.author, a.outlet, a.published) if x)
        print(f"\n  source: {a.title}{f' ({byline})' if byline else ''}  [{a.source}, characters {a.start}-{a.end}]")
        if a.url:
            print(f"  url: {a.url}")
        if a.earlier:
            print(f"  {a.earlier}")
        print(f"  confidence: {a.score:.0%}")
        others = a.evidence[1:]
    else:
        print("The articles don't answer this.")
        others = a.evidence
        if others:
            print("\nNearest passages:")
    if others:
        if a.found:
            print("\nOther evidence:")
        for e in others:
            print(textwrap.fill(f"- {e.sentence}", width, subsequent_indent="  "))
            print(f"  ({e.source}, {e.score:.0%})")


def _cmd_index(args: argparse.Namespace) -> int:
    engine = _engine(args)
    index = engine.build(force=args.force)
    counts = index.manifest.counts
    print(f"index in {engine.index_dir}: {counts.articles} articles, {counts.passages} passages, "
          f"{counts.sentences} sentences")
    for path, reason in index.manifest.skipped.items():
        print(f"skipped {path}: {reason}")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    engine = _engine(args)
    result = engine.add(args.files)
    print(f"added {', '.join(result.added) or 'nothing'}; the index holds {len(engine.index.articles)} articles")
    for skipped in result.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    engine = _engine(args)
    engine.remove(args.ids)
    print(f"removed {', '.join(args.ids)}; the index holds {len(engine.index.articles)} articles")
    return 0


def _cmd_ask(args: argparse.Namespace) -> int:
    engine = _engine(args)
    a = engine.answer(args.question, since=args.since, until=args.until, sources=args.source)
    if args.json:
        print(json.dumps(a.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(a)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from qa.evaluate import evaluate, load_questions, report_folder, write_report

    questions = load_questions(args.questions)  # a bad file stops here, before any work
    if args.out is not None:
        report_folder(args.out)  # and so does an --out that cannot hold the report
    engine = _engine(args)
    report = evaluate(questions, engine, top_k=engine.settings.top_k, progress=True)
    if args.out is not None:
        for path in write_report(report, args.out):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        return 0
    width = max(len(k) for k in report.metrics)
    for key, value in report.metrics.items():
        print(f"{key:<{width}}  {'n/a' if value is None else value}")
    print("failures: " + ", ".join(f"{k} {v}" for k, v in report.buckets.items()))
    return 0


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from qa import calibrate
    from qa.evaluate import load_questions
    from qa.select import check_selector_path

    questions = load_questions(args.questions)
    if args.out is not None:
        check_selector_path(args.out)
    engine = _engine(args)
    data = calibrate.collect(engine, questions, progress=True)
    selector = calibrate.fit(data, fitted_on=f"{args.questions.name}: {len(questions)} questions",
                             reranker=engine.reranker, rerank_top=engine.settings.rerank_top,
                             progress=True, reader=engine.reader, model=engine.settings.model).selector
    out = args.out or engine.index_dir / "selector.json"
    selector.save(out)
    print(f"wrote {out}: abstain below P(answerable) {selector.threshold}; "
          "qa ask/eval over this index now use it")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    engine = _engine(args)
    index = engine.build()
    m = index.manifest
    size = sum(f.stat().st_size for f in index.folder.rglob("*") if f.is_file())
    info = {
        "corpus": str(engine.corpus), "index_dir": str(engine.index_dir), "model": dataclasses.asdict(m.model),
        **dataclasses.asdict(m.counts), "index_type": type(index.passage_index).__name__,
        "index_setting": m.settings["index_type"], "bytes_on_disk": size,
        "bytes_per_passage": round(size / max(1, m.counts.passages), 1),
        "built_at": m.built_at, "inputs": _input_counts(index), "skipped": m.skipped,
        "selector": engine.selector.fitted_on,
        "cross_encoder_reranks": engine.settings.rerank_top if engine.selector.reranks else 0,
    }
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return 0


def _input_counts(index) -> dict[str, dict[str, int]]:
    """Per kind of input file (txt, md, html, jsonl, csv): how many files and how many articles."""
    files: dict[str, set[str]] = {}
    articles: dict[str, int] = {}
    for r in index.articles:
        files.setdefault(r.kind, set()).add(r.file)
        articles[r.kind] = articles.get(r.kind, 0) + 1
    return {k: {"files": len(files[k]), "articles": articles[k]} for k in sorted(files)}


COMMANDS = {"index": _cmd_index, "add": _cmd_add, "remove": _cmd_remove, "ask": _cmd_ask, "eval": _cmd_eval, "calibrate": _cmd_calibrate,
            "info": _cmd_info}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    try:
        return COMMANDS[args.command](args)
    except QAError as exc:
        print(f"qa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qa: interrupted", file=sys.stderr)
        return 130
