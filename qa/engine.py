"""QA: the engine that wires corpus -> index -> retrieve -> select -> Answer for one folder of articles."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import index as index_mod
from qa import chat, retrieve, select
from qa.answer import Answer, Evidence
from qa.config import Settings, default_corpus, default_index_dir
from qa.corpus import SUFFIXES, BlockKind, Skipped, read_corpus, shown_name, unusable_reason
from qa.corpus import scan as corpus_scan
from qa.encoder import Encoder
from qa.errors import QAError, os_failure
from qa.index import Index, IndexUnusable
from qa.span import short_answer
from qa.tokens import words

log = logging.getLogger("qa")

EXCLUDED = "excluded.json"
NEAR_DUPLICATE = 0.95  # cosine above which two sentences count as the same evidence
AGREEMENT = 0.8  # cosine above which a sentence of another article supports the answer
AGREEMENT_POOL = 30  # how many of the best candidates are checked for agreement


def _dedupe_key(text: str) -> str:
    return " ".join(words(text))


def _same_file(a: Path, b: Path) -> bool:
    """The same file (a link to it counts) or the same bytes."""
    try:
        return os.path.samefile(a, b) or a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def clean_question(question: str, max_chars: int) -> tuple[str, str | None]:
    """A question without control characters and extra spaces, cut to `max_chars` (with a notice saying so);
    QAError for one with no words. Question sets are checked with it before they are run."""
    if not isinstance(question, str):
        raise QAError(f"a question must be text, not {type(question).__name__}")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", question)
    text = " ".join(text.split())
    if not text:
        raise QAError("the question is empty: type a question about the articles")
    if not any(ch.isalnum() for ch in text):
        raise QAError("the question has no words in it: ask about the articles in words")
    if len(text) > max_chars:
        cut = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
        return cut, f"the question was {len(text)} characters long; only its first {len(cut)} were used"
    return text, None


@dataclass(frozen=True)
class Added:
    """What `QA.add` did: the article ids now in the index, and the files left out with the reason."""

    added: tuple[str, ...]
    skipped: tuple[Skipped, ...]


class QA:
    """Question answering over one folder of articles, with its index in `index_dir`.

    The index is loaded (or built, or rebuilt when the corpus or settings changed) on first use.
    An engine is safe to share between threads once loaded.
    """

    def __init__(self, corpus: str | Path | None = None, index_dir: str | Path | None = None,
                 settings: Settings | None = None, *, encoder: Encoder | None = None,
                 progress: bool = False) -> None:
        self.corpus = Path(corpus).expanduser().resolve() if corpus is not None else default_corpus()
        self.index_dir = (Path(index_dir).expanduser().resolve() if index_dir is not None
                          else default_index_dir(self.corpus))
        self.settings = settings or Settings()
        self.progress = progress
        self._encoder = encoder
        self._index: Index | None = None
        self._selector: select.Selector | None = None
        self._reranker = None
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # one build at a time; later callers wait and reuse it

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = Encoder(self.settings.model, batch_size=self.settings.batch_size)
        return self._encoder

    @property
    def reranker(self):
        """The cross-encoder (qa/rerank.py), loaded on first use; None when `rerank_top` is 0."""
        if self.settings.rerank_top == 0:
            return None
        if self._reranker is None:
            with self._lock:
                if self._reranker is None:
                    from qa.rerank import Reranker

                    self._reranker = Reranker()
        return self._reranker

    def build(self, *, force: bool = False) -> Index:
        """Bring the index up to date with the corpus (rebuilding it if `force`) and load it."""
        with self._lock:
            self._index = None
        if not self.corpus.is_dir():
            raise QAError(f"corpus folder not found: {self.corpus} (pass --corpus DIR with a folder of articles)")
        with index_mod.build_lock(self.index_dir):
            return self._set(self._build_locked(force))

    def _build_locked(self, force: bool) -> Index:
        reason = ("rebuild requested" if force
                  else index_mod.stale_reason(self.index_dir, self.corpus, self.settings, self.excluded()))
        if reason is None:
            try:
                return index_mod.load(self.index_dir)
            except IndexUnusable as exc:
                reason = str(exc)
        log.warning("building the index in %s: %s", self.index_dir, reason)
        try:
            previous = None if force else index_mod.load(self.index_dir)
        except IndexUnusable:
            previous = None
        corpus = read_corpus(self.corpus, self.excluded(), max_mb=self.settings.max_article_mb)
        counts = index_mod.build(corpus, self.index_dir, self.settings,
                                 self.encoder, progress=self.progress, previous=previous)
        log.warning("encoded %d article(s), reused the vectors of %d", counts["encoded"], counts["reused"])
        return index_mod.load(self.index_dir)

    # --- adding and removing articles -------------------------------------------------------------

    def excluded(self) -> frozenset[str]:
        """Article ids taken out of the index with `remove` (kept in the index folder's excluded.json)."""
        path = self.index_dir / EXCLUDED
        if not path.is_file():
            return frozenset()
        try:
            ids = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise QAError(f"{path} is unreadable ({exc}); delete it to index every article") from None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise QAError(f"{path} is damaged (it must be a list of article ids); delete it to index every article")
        return frozenset(ids)

    def _set_excluded(self, ids: frozenset[str]) -> None:
        tmp = self.index_dir / f"{EXCLUDED}.tmp"
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(sorted(ids)), encoding="utf-8")
            tmp.replace(self.index_dir / EXCLUDED)
        except OSError as exc:
            raise os_failure(f"write {self.index_dir / EXCLUDED}", exc,
                             "pass --index-dir DIR with a writable folder") from None

    def add(self, paths: list[str | Path]) -> Added:
        """Copy articles into the corpus folder (files already in it are just re-included) and update the
        index; only the new articles are encoded. Every file is checked before any is copied: a name taken by
        other content is refused, and a file that could not be indexed (empty, binary, hidden, ...) is left
        out, not copied, and listed in `skipped`."""
        skipped: list[Skipped] = []
        plan: dict[str, Path | None] = {}  # article id -> the file to copy in, or None if it is in the corpus
        for path in map(Path, paths):
            if not path.is_file() or not path.name.lower().endswith(SUFFIXES):
                raise QAError(f"{path}: not a .txt or .md file")
            reason = unusable_reason(path, self.settings.max_article_mb)
            if reason is not None:
                skipped.append(Skipped(shown_name(str(path)), reason))
                continue
            path = path.resolve()
            if self.corpus in path.parents:
                plan[path.relative_to(self.corpus).as_posix()] = None
                continue
            earlier = plan.get(path.name)
            if earlier is not None and not _same_file(earlier, path):
                raise QAError(f"{earlier} and {path} are both named {path.name}; rename one of them first")
            target = self.corpus / path.name
            if target.exists() and not _same_file(target, path):
                raise QAError(f"{target} already exists with other content; rename {path.name} first")
            plan[path.name] = None if target.exists() else path
        if not plan:
            raise QAError("nothing was added: " + "; ".join(f"{s.path}: {s.reason}" for s in skipped))
        for article, source in plan.items():
            if source is not None:
                try:
                    shutil.copy2(source, self.corpus / article)
                except OSError as exc:
                    raise os_failure(f"copy {source} into {self.corpus}", exc, "check the corpus folder") from None
        self._set_excluded(self.excluded() - set(plan))
        index = self.build()
        indexed = {a.id for a in index.articles}
        reasons = index.manifest.get("skipped", {})
        skipped += [Skipped(a, reasons.get(a, "not indexed")) for a in plan if a not in indexed]
        return Added(tuple(a for a in plan if a in indexed), tuple(skipped))

    def remove(self, ids: list[str]) -> None:
        """Take articles out of the index (their files stay in the corpus folder) and update the index."""
        known = set(corpus_scan(self.corpus))
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise QAError(f"no article {unknown[0]!r} in {self.corpus} (ids are file names relative to it)")
        self._set_excluded(self.excluded() | set(ids))
        self.build()

    def _set(self, index: Index) -> Index:
        model = index.manifest.get("model", {})
        if self._encoder is not None and model.get("dim") != self._encoder.info.dim:
            raise IndexUnusable(f"the index was built with {model.get('name')}, not {self._encoder.info.name}")
        with self._lock:
            self._index = index
        return index

    @property
    def index(self) -> Index:
        index = self._index
        if index is not None:
            return index
        with self._build_lock:
            return self._index if self._index is not None else self.build()

    # --- answering ------------------------------------------------------------------------------

    def answer(self, question: str, *, history: list[str | Answer] | None = None,
               top_k: int | None = None) -> Answer:
        """Answer one question; `history` holds the chat's earlier questions (or their Answers), oldest first."""
        return self.answer_batch([question], histories=[history] if history else None, top_k=top_k)[0]

    def answer_batch(self, questions: list[str], *, histories: list[list[str | Answer] | None] | None = None,
                     top_k: int | None = None) -> list[Answer]:
        """Answer several questions with one encoder call. A question with a history is first rewritten
        from the previous turn (qa/chat.py) and prefers the article that turn was answered from."""
        top_k = self.settings.top_k if top_k is None else top_k
        if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k <= 0:
            raise QAError(f"top_k must be a positive integer. Currently, top_k is {top_k!r}")
        if histories is not None and len(histories) != len(questions):
            raise QAError(f"histories must have one entry per question ({len(questions)}), not {len(histories)}")
        limit = self.settings.max_question_chars
        cleaned, notices = zip(*(clean_question(q, limit) for q in questions)) if questions else ((), ())
        index = self.index
        previous = [self._previous_turn(h, top_k) for h in (histories or [None] * len(questions))]
        asked = [chat.rewrite(q, p) for q, p in zip(cleaned, previous)]
        vectors = self.encoder.encode(list(asked))
        return [self._answer_one(index, q, a, n, v, top_k, p)
                for q, a, n, v, p in zip(cleaned, asked, notices, vectors, previous)]

    def _previous_turn(self, history: list[str | Answer] | None, top_k: int) -> chat.Turn | None:
        """The last earlier turn, answering it first when only its question is known."""
        if not history:
            return None
        last = history[-1]
        if isinstance(last, str):
            last = self.answer_batch([last], histories=[history[-3:-1]] if len(history) > 1 else None,
                                     top_k=top_k)[0]
        if not isinstance(last, Answer):
            raise QAError(f"history items must be questions (text) or Answers, not {type(last).__name__}")
        return chat.Turn(last.rewritten or last.question, last.answer if last.found else None,
                         last.source if last.found else None)

    @property
    def selector(self) -> select.Selector:
        if self._selector is None:
            self._selector = select.load_selector(self.index_dir)
        return self._selector

    def candidates(self, index: Index, question: str, vector: np.ndarray) -> tuple[select.Question, retrieve.Candidates]:
        """Retrieval for one question: what the selector knows of the question, and the candidate sentences."""
        q = select.make_question(index, question, vector)
        return q, retrieve.candidates(index, vector, q.token_ids, self.settings.retrieve_k)

    def _answer_one(self, index: Index, question: str, asked: str, notice: str | None, vector: np.ndarray,
                    top_k: int, previous: chat.Turn | None) -> Answer:
        q, cands = self.candidates(index, asked, vector)
        prefer = index.article_number(previous.source) if previous and previous.source else None
        reranker = self.reranker if self.selector.reranks else None
        scored = select.rank(index, q, cands, self.selector, reranker=reranker,
                             rerank_top=self.settings.rerank_top, prefer_article=prefer)
        picked = self._pick(index, scored, top_k + 1)
        evidence = self._evidence(index, picked, top_k)
        threshold = self.settings.abstain_threshold
        threshold = self.selector.threshold if threshold is None else threshold
        runner_up = float(scored.scores[1]) if len(scored.scores) > 1 else None
        found = bool(evidence) and self.selector.answerable(float(scored.scores[0]), runner_up,
                                                             scored.features[0]) >= threshold
        top = evidence[0] if found else None
        span = short_answer(asked, q.kind, top.sentence, set(q.stems)) if top else None
        answer = top.sentence[span[0]:span[1]] if top and span else None
        return Answer(
            question=question,
            found=found,
            score=evidence[0].score if evidence else 0.0,
            sentence=top.sentence if top else None,
            source=top.source if top else None,
            title=top.title if top else None,
            start=top.start if top else None,
            end=top.end if top else None,
            context=top.context if top else None,
            context_start=top.context_start if top else None,
            context_end=top.context_end if top else None,
            answer=answer,
            answer_start=top.start + span[0] if span else None,
            answer_end=top.start + span[1] if span else None,
            evidence=tuple(evidence),
            supporting_sources=self._supporting(index, scored, picked[0][0], answer) if top else (),
            rewritten=asked if asked != question else None,
            notice=notice,
        )

    def _pick(self, index: Index, scored: select.Scored, n: int) -> list[tuple[int, float]]:
        """The n best (sentence, score) pairs, never two that say the same thing (same words, or vectors
        closer than NEAR_DUPLICATE)."""
        picked: list[tuple[int, float]] = []
        vectors: list[np.ndarray] = []
        seen: set[str] = set()
        for sid, score in zip(scored.sentences.tolist(), scored.scores.tolist()):
            key = _dedupe_key(index.sentence_text(sid))
            vector = index.sentence_vectors[sid].astype(np.float32)
            if key in seen or any(float(vector @ v) >= NEAR_DUPLICATE for v in vectors):
                continue
            seen.add(key)
            vectors.append(vector)
            picked.append((sid, score))
            if len(picked) >= n:
                break
        return picked

    def _evidence(self, index: Index, picked: list[tuple[int, float]], top_k: int) -> list[Evidence]:
        """Evidence for the top_k picked sentences, each scored by its calibrated confidence (its selector
        score and its margin over the best other sentence)."""
        out = []
        for i, (sid, score) in enumerate(picked[:top_k]):
            others = [s for j, (_, s) in enumerate(picked) if j != i]
            a, start, end, _ = (int(x) for x in index.sentence_table[sid])
            lo, hi = self._context_rows(index, sid)
            record = index.articles[a]
            out.append(Evidence(
                sentence=index.sentence_text(sid), source=record.id, title=record.title, start=start, end=end,
                score=round(self.selector.confidence(score, max(others) if others else None), 4),
                context=index.span_text(lo, hi), context_start=int(index.sentence_table[lo, 1]),
                context_end=int(index.sentence_table[hi, 2]), kind=index.sentence_kind(sid).value,
            ))
        return out

    def _supporting(self, index: Index, scored: select.Scored, top: int, answer: str | None) -> tuple[str, ...]:
        """The top sentence's article, then other articles with a sentence among the best candidates that
        says the same (vectors closer than AGREEMENT) or holds the same short answer in a related sentence."""
        articles = [index.articles[int(index.sentence_table[top, 0])].id]
        top_vector = index.sentence_vectors[top].astype(np.float32)
        key = f" {_dedupe_key(answer)} " if answer else None
        for sid in scored.sentences[:AGREEMENT_POOL].tolist():
            article = index.articles[int(index.sentence_table[sid, 0])].id
            if article in articles:
                continue
            similarity = float(index.sentence_vectors[sid].astype(np.float32) @ top_vector)
            holds = key is not None and key in f" {_dedupe_key(index.sentence_text(sid))} "
            if similarity >= AGREEMENT or (holds and similarity >= 0.5):
                articles.append(article)
        return tuple(articles)

    def _context_rows(self, index: Index, sid: int) -> tuple[int, int]:
        """First and last sentence of the context: the sentence with up to `context_sentences` neighbours
        each side from the same article, leaving out the headline."""
        table = index.sentence_table
        article = table[sid, 0]
        lo = hi = sid
        for _ in range(self.settings.context_sentences):
            if lo - 1 >= 0 and table[lo - 1, 0] == article and index.sentence_kind(lo - 1) is not BlockKind.HEADLINE:
                lo -= 1
            if hi + 1 < table.shape[0] and table[hi + 1, 0] == article:
                hi += 1
        return lo, hi
