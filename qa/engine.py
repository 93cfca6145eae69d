"""QA: the engine that wires corpus -> index -> retrieve -> select -> Answer for one folder of articles."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import numpy as np

from qa import index as index_mod
from qa import retrieve, select
from qa.answer import Answer, Evidence
from qa.config import Settings, default_corpus, default_index_dir
from qa.corpus import BlockKind, read_corpus
from qa.encoder import Encoder
from qa.errors import QAError
from qa.index import Index, IndexUnusable
from qa.tokens import query_tokens, words

log = logging.getLogger("qa")


def _dedupe_key(text: str) -> str:
    return " ".join(words(text))


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
        self._lock = threading.Lock()

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = Encoder(self.settings.model, batch_size=self.settings.batch_size)
        return self._encoder

    def build(self, *, force: bool = False) -> Index:
        """Bring the index up to date with the corpus (rebuilding it if `force`) and load it."""
        with self._lock:
            self._index = None
        if not self.corpus.is_dir():
            raise QAError(f"corpus folder not found: {self.corpus} (pass --corpus DIR with a folder of articles)")
        reason = "rebuild requested" if force else index_mod.stale_reason(self.index_dir, self.corpus, self.settings)
        if reason is None:
            try:
                return self._set(index_mod.load(self.index_dir))
            except IndexUnusable as exc:
                reason = str(exc)
        log.warning("building the index in %s: %s", self.index_dir, reason)
        index_mod.build(read_corpus(self.corpus), self.index_dir, self.settings, self.encoder, progress=self.progress)
        return self._set(index_mod.load(self.index_dir))

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
        return index if index is not None else self.build()

    # --- answering ------------------------------------------------------------------------------

    def answer(self, question: str, *, history: list[str] | None = None, top_k: int | None = None) -> Answer:
        """Answer one question; see `answer_batch`."""
        return self.answer_batch([question], histories=[history] if history else None, top_k=top_k)[0]

    def answer_batch(self, questions: list[str], *, histories: list[list[str] | None] | None = None,
                     top_k: int | None = None) -> list[Answer]:
        """Answer several questions with one encoder call."""
        top_k = self.settings.top_k if top_k is None else top_k
        if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k <= 0:
            raise QAError(f"top_k must be a positive integer. Currently, top_k is {top_k!r}")
        if histories is not None and len(histories) != len(questions):
            raise QAError(f"histories must have one entry per question ({len(questions)}), not {len(histories)}")
        cleaned, notices = zip(*(self._clean_question(q) for q in questions)) if questions else ((), ())
        index = self.index
        vectors = self.encoder.encode(list(cleaned))
        return [self._answer_one(index, q, n, v, top_k) for q, n, v in zip(cleaned, notices, vectors)]

    def _clean_question(self, question: str) -> tuple[str, str | None]:
        if not isinstance(question, str):
            raise QAError(f"a question must be text, not {type(question).__name__}")
        text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", question)
        text = " ".join(text.split())
        if not text:
            raise QAError("the question is empty: type a question about the articles")
        limit = self.settings.max_question_chars
        if len(text) > limit:
            cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
            return cut, f"the question was {len(text)} characters long; only its first {len(cut)} were used"
        return text, None

    def _answer_one(self, index: Index, question: str, notice: str | None, vector: np.ndarray, top_k: int) -> Answer:
        q_tokens = query_tokens(question)
        q_ids = retrieve.query_ids(index, q_tokens)
        cands = retrieve.candidates(index, vector, q_ids, self.settings.retrieve_k)
        scored = select.score(index, vector, q_ids, len(q_tokens), cands)
        evidence = self._evidence(index, scored, top_k)
        found = bool(evidence) and evidence[0].score >= self.settings.abstain_threshold
        top = evidence[0] if found else None
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
            answer=None,
            evidence=tuple(evidence),
            supporting_sources=(top.source,) if top else (),
            notice=notice,
        )

    def _evidence(self, index: Index, scored: select.Scored, top_k: int) -> list[Evidence]:
        out: list[Evidence] = []
        seen: set[str] = set()
        texts: dict[int, str] = {}
        for sid, mix in zip(scored.sentences.tolist(), scored.scores.tolist()):
            a, start, end, _ = (int(x) for x in index.sentence_table[sid])
            text = texts.get(a)
            if text is None:
                text = texts[a] = index.article_text(a)
            sentence = text[start:end]
            key = _dedupe_key(sentence)
            if key in seen:
                continue
            seen.add(key)
            c_start, c_end = self._context_span(index, sid)
            record = index.articles[a]
            out.append(Evidence(
                sentence=sentence, source=record.id, title=record.title, start=start, end=end,
                score=round(select.confidence(mix), 4), context=text[c_start:c_end],
                context_start=c_start, context_end=c_end, kind=index.sentence_kind(sid).value,
            ))
            if len(out) >= top_k:
                break
        return out

    def _context_span(self, index: Index, sid: int) -> tuple[int, int]:
        """The sentence with up to `context_sentences` neighbours each side from the same article,
        leaving out the headline."""
        table = index.sentence_table
        article = table[sid, 0]
        lo = hi = sid
        for _ in range(self.settings.context_sentences):
            if lo - 1 >= 0 and table[lo - 1, 0] == article and index.sentence_kind(lo - 1) is not BlockKind.HEADLINE:
                lo -= 1
            if hi + 1 < table.shape[0] and table[hi + 1, 0] == article:
                hi += 1
        return int(table[lo, 1]), int(table[hi, 2])
