"""Batch evaluation: question sets (JSONL/CSV), stage-wise metrics, failure buckets, reports and plots."""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import string
import sys
import time
import unicodedata
from collections import Counter
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from qa.answer import Answer
from qa.errors import QAError, os_failure

METRIC_KEYS = (
    "n", "n_answerable", "n_unanswerable", "source_hit@1", "source_recall@5", "sentence_hit@1", "sentence_hit@3",
    "support_hit@1", "mrr", "exact_match", "f1", "abstain_precision", "abstain_recall", "answered_accuracy",
    "latency_ms_p50", "latency_ms_p95", "calibration_error",
)
BUCKETS = ("retrieval_miss", "selection_miss", "span_miss", "false_answer", "false_abstain")


@dataclass(frozen=True)
class Question:
    """One labelled question; `answers == ()` means the articles do not answer it."""

    id: str
    question: str
    answers: tuple[str, ...]
    source: str | None = None
    support: str | None = None
    history: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class Report:
    """Metrics (the keys of METRIC_KEYS), failure-bucket counts and one record per question."""

    metrics: dict[str, float | int | None]
    buckets: dict[str, int]
    per_question: list[Judgement]
    meta: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"metrics": self.metrics, "buckets": self.buckets, "meta": self.meta,
                "per_question": [r.to_dict() for r in self.per_question]}


# --- question sets ------------------------------------------------------------------------------------

def _check_strings(value: object, name: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QAError(f"{where}: '{name}' must be a list of strings, got {json.dumps(value)[:80]}")
    return tuple(v.strip() for v in value if v.strip())


def _row_to_question(row: dict, where: str, number: int) -> Question:
    from qa.engine import clean_question

    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise QAError(f"{where}: 'question' is missing or empty")
    if "answers" not in row:
        raise QAError(f"{where}: 'answers' is missing (use [] for a question the articles do not answer)")
    answers = _check_strings(row["answers"], "answers", where)
    history = _check_strings(row.get("history") or [], "history", where)
    for text in (question, *history):  # the engine's own rule, so that no question fails half-way through a run
        try:
            clean_question(text, len(text))
        except QAError as exc:
            raise QAError(f"{where}: {exc}") from None
    fields = {}
    for name in ("id", "source", "support"):
        value = row.get(name)
        if value is not None and not isinstance(value, str):
            raise QAError(f"{where}: '{name}' must be a string or null, got {json.dumps(value)[:80]}")
        fields[name] = value.strip() if isinstance(value, str) and value.strip() else None
    return Question(id=fields["id"] or f"q{number:05d}", question=question.strip(), answers=answers,
                    source=fields["source"], support=fields["support"], history=history)


def parse_questions(text: str, name: str = "questions", fmt: str = "jsonl") -> list[Question]:
    """Parse a question set; any bad row raises QAError naming its line, before any work is done."""
    questions: list[Question] = []
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or "question" not in reader.fieldnames:
            raise QAError(f"{name}: line 1: the CSV header must name a 'question' column")
        for row in reader:
            where = f"{name}: line {reader.line_num}"
            if None in row:
                raise QAError(f"{where}: more cells than header columns")
            data: dict = {k: (v if v != "" else None) for k, v in row.items()}
            for key in ("answers", "history"):
                if key in row:
                    data[key] = [part for part in (row[key] or "").split("|") if part.strip()]
            questions.append(_row_to_question(data, where, len(questions) + 1))
    else:
        # Lines end at line feeds and carriage returns only: JSON strings may hold U+2028 or U+0085, which
        # str.splitlines would also break at.
        for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
            if not line.strip():
                continue
            where = f"{name}: line {number}"
            try:
                row = json.loads(line)
            except RecursionError:
                raise QAError(f"{where}: not valid JSON (nested too deeply)") from None
            except json.JSONDecodeError as exc:
                raise QAError(f"{where}: not valid JSON ({exc.msg})") from None
            except ValueError:  # Python refuses to convert integers of over 4,300 digits
                raise QAError(f"{where}: a number is too long to read (thousands of digits); "
                              "write it as a string") from None
            if not isinstance(row, dict):
                raise QAError(f"{where}: each line must be a JSON object")
            questions.append(_row_to_question(row, where, len(questions) + 1))
    if not questions:
        raise QAError(f"{name}: no questions found")
    ids = Counter(q.id for q in questions)
    duplicated = [i for i, n in ids.items() if n > 1]
    if duplicated:
        raise QAError(f"{name}: duplicate id {duplicated[0]!r}")
    return questions


def load_questions(path: str | Path) -> list[Question]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise QAError(f"cannot read the question set {path}: {exc}") from None
    return parse_questions(text, path.name, "csv" if path.suffix.lower() == ".csv" else "jsonl")


# --- answer matching (SQuAD v1.1's normalisation, after folding unicode quotes and dashes) ---------------

_UNICODE_PUNCT = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-",
                                "−": "-", "\u00a0": " "})
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower-case, drop punctuation and the articles a/an/the, collapse whitespace (SQuAD's rules)."""
    text = unicodedata.normalize("NFKC", text).translate(_UNICODE_PUNCT).lower()
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str | None, answers: tuple[str, ...] | list[str]) -> float:
    if prediction is None:
        return 0.0
    return float(any(normalize_answer(prediction) == normalize_answer(a) for a in answers))


def f1_score(prediction: str | None, answers: tuple[str, ...] | list[str]) -> float:
    """Best token-overlap F1 against any acceptable answer (SQuAD v1.1)."""
    if prediction is None:
        return 0.0
    best = 0.0
    pred = normalize_answer(prediction).split()
    for answer in answers:
        gold = normalize_answer(answer).split()
        common = Counter(pred) & Counter(gold)
        same = sum(common.values())
        if same == 0:
            continue
        precision, recall = same / len(pred), same / len(gold)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def contains_answer(sentence: str | None, answers: tuple[str, ...] | list[str]) -> bool:
    """The sentence holds one of the answers as a whole-word sequence, after normalisation."""
    if not sentence:
        return False
    padded = f" {normalize_answer(sentence)} "
    return any(f" {normalize_answer(a)} " in padded for a in answers if normalize_answer(a))


# --- metrics --------------------------------------------------------------------------------------------

def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 2)


def expected_calibration_error(confidence: list[float], correct: list[bool], bins: int = 10) -> float:
    """Expected calibration error: mean |confidence - accuracy| over equal-width bins, weighted by size."""
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [(c, ok) for c, ok in zip(confidence, correct) if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if members:
            total += len(members) * abs(sum(c for c, _ in members) / len(members)
                                        - sum(ok for _, ok in members) / len(members))
    return total / len(confidence) if confidence else 0.0


def same_sentence(returned: str | None, support: str | None) -> bool:
    """The returned sentence is the expected supporting sentence, or holds it (a question set may give a part
    of a sentence), or is most of it (sentence splitters differ on quotes and datelines); whitespace and case
    aside."""
    if not returned or not support:
        return False
    a, b = " ".join(returned.lower().split()), " ".join(support.lower().split())
    return b in a or (a in b and len(a) >= 0.5 * len(b))


@dataclass(frozen=True)
class Judgement:
    """What came back for one question of a set, and which failure bucket (BUCKETS) it falls in, if any."""

    id: str
    question: str
    answers: list[str]
    expected_source: str | None
    found: bool
    sentence: str | None  # the answer's sentence (None when the engine abstained)
    top_sentence: str | None  # the top-ranked evidence sentence, abstained or not
    answer: str | None
    source: str | None
    top_source: str | None
    score: float
    rank: int | None  # of the first evidence sentence that holds an acceptable answer
    evidence_sources: list[str]
    exact_match: float | None  # None for a question the articles do not answer
    f1: float | None
    support_hit: bool | None  # the top sentence is the row's `support` sentence (None: the row names none)
    rewritten: str | None
    failure: str | None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def judge(q: Question, a: Answer) -> Judgement:
    """One per-question record: what came back and which failure bucket it falls in."""
    sentences = [e.sentence for e in a.evidence]
    rank = next((i + 1 for i, s in enumerate(sentences) if contains_answer(s, q.answers)), None)
    if not q.answerable:
        failure = "false_answer" if a.found else None
    elif rank is None:
        failure = "retrieval_miss"
    elif rank > 1:
        failure = "selection_miss"
    elif not a.found:
        failure = "false_abstain"
    elif exact_match(a.answer, q.answers) < 1.0:
        failure = "span_miss"
    else:
        failure = None
    return Judgement(
        id=q.id, question=q.question, answers=list(q.answers), expected_source=q.source,
        found=a.found, sentence=a.sentence, top_sentence=sentences[0] if sentences else None,
        answer=a.answer, source=a.source, top_source=a.evidence[0].source if a.evidence else None,
        score=a.score, rank=rank, evidence_sources=[e.source for e in a.evidence],
        exact_match=exact_match(a.answer, q.answers) if q.answerable else None,
        f1=round(f1_score(a.answer, q.answers), 4) if q.answerable else None,
        support_hit=same_sentence(sentences[0] if sentences else None, q.support) if q.support else None,
        rewritten=a.rewritten, failure=failure,
    )


def compute_metrics(questions: list[Question], records: list[Judgement], latencies_ms: list[float]) -> dict:
    """The metrics of METRIC_KEYS over per-question judgements (see `judge`).

    `sentence_hit@1` judges the top-ranked evidence sentence, whether or not the engine abstained;
    abstention is measured on its own by the abstain_* metrics and `answered_accuracy`.
    """
    answerable = [(q, r) for q, r in zip(questions, records) if q.answerable]
    unanswerable = [(q, r) for q, r in zip(questions, records) if not q.answerable]
    with_source = [(q, r) for q, r in zip(questions, records) if q.source]
    abstained = [(q, r) for q, r in zip(questions, records) if not r.found]
    answered = [(q, r) for q, r in zip(questions, records) if r.found]
    metrics = {
        "n": len(questions),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "source_hit@1": _ratio(sum(r.top_source == q.source for q, r in with_source), len(with_source)),
        "source_recall@5": _ratio(sum(q.source in r.evidence_sources[:5] for q, r in with_source),
                                  len(with_source)),
        "sentence_hit@1": _ratio(sum(r.rank == 1 for _, r in answerable), len(answerable)),
        "sentence_hit@3": _ratio(sum(r.rank is not None and r.rank <= 3 for _, r in answerable),
                                 len(answerable)),
        # the top sentence is the question set's `support` sentence (rows that name one)
        "support_hit@1": _ratio(sum(bool(r.support_hit) for q, r in answerable if q.support),
                                sum(1 for q, _ in answerable if q.support)),
        "mrr": _ratio(sum(1.0 / r.rank for _, r in answerable if r.rank), len(answerable)),
        "exact_match": _ratio(sum(r.exact_match for _, r in answerable), len(answerable)),
        "f1": _ratio(sum(r.f1 for _, r in answerable), len(answerable)),
        "abstain_precision": _ratio(sum(not q.answerable for q, _ in abstained), len(abstained)),
        "abstain_recall": _ratio(sum(not r.found for _, r in unanswerable), len(unanswerable)),
        "answered_accuracy": _ratio(sum(q.answerable and contains_answer(r.sentence, q.answers)
                                        for q, r in answered), len(answered)),
        "latency_ms_p50": round(statistics.median(latencies_ms), 2) if latencies_ms else None,
        "latency_ms_p95": _percentile(latencies_ms, 0.95),
        # expected calibration error of `score` as P(the top sentence holds an answer), over every row
        "calibration_error": round(expected_calibration_error([r.score for r in records],
                                        [q.answerable and r.rank == 1 for q, r in zip(questions, records)]), 4),
    }
    assert tuple(metrics) == METRIC_KEYS
    return metrics


def evaluate(questions: list[Question] | str | Path, engine=None, *, top_k: int = 5,
             progress: bool = False) -> Report:
    """Answer every question (one at a time, as a user would) and score the answers."""
    if not isinstance(questions, list):
        questions = load_questions(questions)
    if engine is None:
        from qa.engine import default_engine

        engine = default_engine()
    engine.index  # load or build before timing anything
    records, latencies = [], []
    iterator = questions
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(questions, desc="questions", unit="q", file=sys.stderr)
    for q in iterator:
        started = time.perf_counter()
        a = engine.answer(q.question, history=list(q.history) or None, top_k=top_k)
        latencies.append((time.perf_counter() - started) * 1000)
        records.append(judge(q, a))
    metrics = compute_metrics(questions, records, latencies)
    buckets = {b: sum(r.failure == b for r in records) for b in BUCKETS}
    meta = {"corpus": str(engine.corpus), "index_dir": str(engine.index_dir), "top_k": top_k,
            "model": dataclasses.asdict(engine.index.manifest.model), "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    return Report(metrics=metrics, buckets=buckets, per_question=records, meta=meta)


# --- reports ---------------------------------------------------------------------------------------------

def risk_coverage(records: list[Judgement]) -> list[tuple[float, float, float]]:
    """(threshold, coverage, accuracy of the answered) as the confidence threshold sweeps over the scores.

    A row is right when it is answerable and its top sentence holds the answer."""
    rows = sorted(((r.score, r.rank == 1) for r in records), key=lambda x: -x[0])
    out, right = [], 0
    for i, (score, ok) in enumerate(rows, start=1):
        right += ok
        out.append((score, i / len(rows), right / i))
    return out


def _markdown(report: Report) -> str:
    lines = ["# Evaluation report", "", f"Corpus `{report.meta.get('corpus')}`, {report.meta.get('date')}", "",
             "| metric | value |", "| --- | --- |"]
    lines += [f"| {k} | {'n/a' if v is None else v} |" for k, v in report.metrics.items()]
    lines += ["", "## Failure buckets", "", "| bucket | count |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in report.buckets.items()]
    failing = [r for r in report.per_question if r.failure]
    lines += ["", f"## Failing questions ({len(failing)})", ""]
    for r in failing:
        lines += [f"- **{r.id}** `{r.failure}`: {r.question}",
                  f"  - expected: {' / '.join(r.answers) or '(not answerable)'}",
                  f"  - returned: {r.top_sentence or '(nothing)'} (score {r.score:.2f}, found {r.found})"]
    return "\n".join(lines) + "\n"


def _plot(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = risk_coverage(report.per_question)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.plot([c for _, c, _ in curve], [a for _, _, a in curve], color="#1f6feb")
    records = report.per_question
    answered = [r for r in records if r.found]
    if records and answered:  # where the engine's own abstention puts it
        coverage = len(answered) / len(records)
        accuracy = sum(r.rank == 1 and bool(r.answers) for r in answered) / len(answered)
        ax.plot([coverage], [accuracy], "o", color="#d1242f", label="operating point (abstention in use)")
        ax.legend(loc="lower left")
    ax.set_xlabel("coverage (share of questions answered)")
    ax.set_ylabel("accuracy of answered (top sentence right)")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, 1.0)
    ax.grid(alpha=0.3)
    ax.set_title("Risk-coverage: confidence threshold swept")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def report_folder(out: str | Path) -> Path:
    """The report folder, made now: called before any question is answered, so that a bad --out is refused
    before the work rather than after it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise QAError(f"{out} is a file, not a folder: pass --out DIR, a folder for report.json, report.md and "
                      "the plot")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_failure(f"create the report folder {out}", exc, "pass --out DIR with a writable folder") from None
    return out


def write_report(report: Report, out: str | Path) -> list[Path]:
    """Write report.json, report.md and risk_coverage.png into `out`."""
    out = report_folder(out)
    paths = [out / "report.json", out / "report.md", out / "risk_coverage.png"]
    try:
        paths[0].write_text(json.dumps(report.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
        paths[1].write_text(_markdown(report), encoding="utf-8")
        _plot(report, paths[2])
    except OSError as exc:
        raise os_failure(f"write the report in {out}", exc, "pass --out DIR with a writable folder") from None
    return paths
