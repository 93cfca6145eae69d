"""QA: the engine that wires corpus -> index -> retrieve -> select -> Answer for one folder of articles."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa import index as index_mod
from qa import chat, retrieve, scope, select
from qa.answer import (Answer, Picked, Said, answers_question, clause_words, evidence_list, from_evidence,
                       header_answer, missing_sum, other_count, pick, refusal, reported, speaker_span, support_rows,
                       support_span, supporting, undated, unsigned)
from qa.answer_types import asks_when_updated, writer_referent
from qa.config import Settings, default_corpus, default_index_dir
from qa.corpus import SUFFIXES, BlockKind, Skipped, read_corpus, shown_name, unusable_reason
from qa.corpus import scan as corpus_scan
from qa.encoder import Encoder, one_blas_thread
from qa.errors import QAError, os_failure
from qa.index import Index, IndexUnusable
from qa.reader import Reader, Span, reading
from qa.span import counted_span, short_answer

if TYPE_CHECKING:
    from qa.rerank import Reranker

log = logging.getLogger("qa")

HISTORY_TURNS = 3  # how many earlier turns of a chat are read to understand its next question


def _turn(a: Answer) -> chat.Turn:
    """What the chat keeps of an answered turn: the question as it was read, and what answered it."""
    if not a.found:
        return chat.Turn(a.rewritten or a.question)
    return chat.Turn(a.rewritten or a.question, a.answer, a.source, a.sentence, a.start)


def _with_reason(notice: str | None, reason: str) -> str:
    """The question's own notice (it was cut short, ...), if any, and why it is refused, as one notice."""
    return "; ".join(x for x in (notice, reason) if x)


def _only(index: Index, article: int, allowed: np.ndarray | None) -> np.ndarray:
    """The articles a follow-up about one article may be answered from: that one, if the filters allow it."""
    only = np.zeros(len(index.articles), dtype=bool)
    only[article] = True
    return only if allowed is None else only & allowed


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
class ArticleText:
    """An indexed article for reading: its metadata and its text from its first sentence to its last.
    `text[i]` is character `offset + i` of the article's text, so the offsets of an Answer or Evidence
    (minus `offset`) mark their sentence in it."""

    id: str
    title: str
    author: str | None
    published: str | None
    text: str
    offset: int


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
                 settings: Settings | None = None, *, encoder: Encoder | None = None, reader: Reader | None = None,
                 reranker: Reranker | None = None, progress: bool = False) -> None:
        self.corpus = Path(corpus).expanduser().resolve() if corpus is not None else default_corpus()
        self.index_dir = (Path(index_dir).expanduser().resolve() if index_dir is not None
                          else default_index_dir(self.corpus))
        self.settings = settings or Settings()
        if encoder is not None and encoder.backend != self.settings.backend.value:
            raise QAError(f"the encoder runs on {encoder.backend} but the settings say {self.settings.backend.value}: "
                          f"make both the same (its vectors are the index's)")
        for name, given in (("reader", reader), ("cross-encoder", reranker)):
            if given is not None and given.backend != self.settings.backend.value:
                raise QAError(f"the {name} runs on {given.backend} but the settings say {self.settings.backend.value}")
        self.progress = progress
        self._encoder = encoder
        self._index: Index | None = None
        self._cues: select.SentenceCues | None = None  # selection's tables for `_index`
        self._selector: select.Selector | None = None
        self._reranker = reranker  # another adapter than qa/reranker.npz, or None: the packaged one on first use
        self._reader = reader  # another adapter than qa/reader.npz, or None: the packaged one on first use
        self._one_blas_thread = False  # set on the first answer (encoder.one_blas_thread)
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # one build at a time; later callers wait and reuse it

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = Encoder(self.settings.model, batch_size=self.settings.batch_size,
                                            backend=self.settings.backend)
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

                    self._reranker = Reranker(backend=self.settings.backend)
        return self._reranker

    @property
    def reader(self):
        """The short-answer reader (qa/reader.py), loaded on first use."""
        if self._reader is None:
            with self._lock:
                if self._reader is None:
                    self._reader = Reader(backend=self.settings.backend)
        return self._reader

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
        built = index_mod.build(corpus, self.index_dir, self.settings,
                                self.encoder, progress=self.progress, previous=previous)
        log.warning("encoded %d article(s), reused the vectors of %d", built.encoded, built.reused)
        return index_mod.load(self.index_dir)

    # --- adding and removing articles -------------------------------------------------------------

    def excluded(self) -> frozenset[str]:
        """Article ids taken out of the index with `remove` (the index folder keeps them)."""
        return index_mod.read_excluded(self.index_dir)

    def add(self, paths: list[str | Path]) -> Added:
        """Copy articles into the corpus folder (files already in it are just re-included) and update the
        index; only the new articles are encoded. Every file is checked before any is copied: a name taken by
        other content is refused, and a file that could not be indexed (empty, binary, hidden, ...) is left
        out, not copied, and listed in `skipped`."""
        skipped: list[Skipped] = []
        plan: dict[str, Path | None] = {}  # article id -> the file to copy in, or None if it is in the corpus
        for path in map(Path, paths):
            if not path.is_file() or not path.name.lower().endswith(SUFFIXES):
                raise QAError(f"{path}: not an article file ({', '.join(SUFFIXES)})")
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
        index_mod.write_excluded(self.index_dir, self.excluded() - set(plan))
        index = self.build()
        indexed = {a.file for a in index.articles}
        reasons = index.manifest.skipped
        skipped += [Skipped(a, reasons.get(a, "not indexed")) for a in plan if a not in indexed]
        return Added(tuple(a for a in plan if a in indexed), tuple(skipped))

    def remove(self, ids: list[str]) -> None:
        """Take articles out of the index (their files stay in the corpus folder) and update the index."""
        known = set(corpus_scan(self.corpus))
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise QAError(f"no article {unknown[0]!r} in {self.corpus} (ids are file names relative to it)")
        index_mod.write_excluded(self.index_dir, self.excluded() | set(ids))
        self.build()

    def _set(self, index: Index) -> Index:
        model = index.manifest.model
        if self._encoder is not None and model.dim != self._encoder.info.dim:
            raise IndexUnusable(f"the index was built with {model.name}, not {self._encoder.info.name}")
        cues = select.prepare(index)
        with self._lock:
            self._index, self._cues = index, cues
        return index

    @property
    def index(self) -> Index:
        index = self._index
        if index is not None:
            return index
        with self._build_lock:
            return self._index if self._index is not None else self.build()

    def loaded(self) -> tuple[Index, select.SentenceCues]:
        """The loaded index with selection's per-sentence tables for it (select.prepare), as one pair."""
        while True:
            self.index  # loads or builds
            with self._lock:
                if self._index is not None:
                    return self._index, self._cues

    @property
    def cues(self) -> select.SentenceCues:
        return self.loaded()[1]

    def article(self, article_id: str) -> ArticleText:
        """An indexed article's text and metadata by its id (the file name relative to the corpus)."""
        index = self.index
        number = index.article_number(article_id)
        if number is None:
            raise QAError(f"no article {article_id!r} in the index (ids are file names relative to {self.corpus})")
        record = index.articles[number]
        first, last = index.article_sentences(number)
        if last == first:
            return ArticleText(record.id, record.title, record.author, record.published, "", 0)
        start, _ = index.char_span(first, last - 1)
        return ArticleText(record.id, record.title, record.author, record.published,
                           index.span_text(first, last - 1), start)

    # --- answering ------------------------------------------------------------------------------

    def answer(self, question: str, *, history: list[str | Answer] | None = None,
               top_k: int | None = None, since: str | None = None, until: str | None = None,
               sources: list[str] | None = None) -> Answer:
        """Answer one question; `history` holds the chat's earlier questions (or their Answers), oldest first.
        `since` / `until` (ISO dates, inclusive) and `sources` (outlets, article ids or files) restrict which
        articles may answer; an article without a date is outside any date range."""
        return self.answer_batch([question], histories=[history] if history else None, top_k=top_k,
                                 since=since, until=until, sources=sources)[0]

    def answer_batch(self, questions: list[str], *, histories: list[list[str | Answer] | None] | None = None,
                     top_k: int | None = None, since: str | None = None, until: str | None = None,
                     sources: list[str] | None = None) -> list[Answer]:
        """Answer several questions with one encoder call. A question with a history is first rewritten
        from the previous turn (qa/chat.py) and, when it leans on that turn, prefers the article that turn was
        answered from. The earlier questions of all histories are answered level by level, one batch each."""
        top_k = self.settings.top_k if top_k is None else top_k
        if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k <= 0:
            raise QAError(f"top_k must be a positive integer. Currently, top_k is {top_k!r}")
        if histories is not None and len(histories) != len(questions):
            raise QAError(f"histories must have one entry per question ({len(questions)}), not {len(histories)}")
        limit = self.settings.max_question_chars
        within = scope.Scope.make(since, until, sources)
        cleaned, notices = zip(*(clean_question(q, limit) for q in questions)) if questions else ((), ())
        if self.settings.one_blas_thread and not self._one_blas_thread:  # a question's work is small
            one_blas_thread()
            self._one_blas_thread = True
        previous = self._previous_turns(histories or [None] * len(questions), top_k, within)
        return self._answer_all(list(cleaned), list(notices), previous, top_k, within)

    def _answer_all(self, questions: list[str], notices: list[str | None], previous: list[chat.Turn | None],
                    top_k: int, within: scope.Scope = scope.Scope()) -> list[Answer]:
        index, cues = self.loaded()
        allowed = within.allowed(index) if within.active else None
        asked = [chat.rewrite(q, p) for q, p in zip(questions, previous)]
        vectors = self.encoder.encode(asked)
        return [self._answer_one(index, cues, q, a, n, v, top_k, p, allowed)
                for q, a, n, v, p in zip(questions, asked, notices, vectors, previous)]

    def _previous_turns(self, histories: list[list[str | Answer] | None], top_k: int,
                        within: scope.Scope = scope.Scope()) -> list[chat.Turn | None]:
        """The turn before each question. Only the last HISTORY_TURNS of a history count, from its latest
        Answer on; the questions among them are answered oldest first, one batch per level across all
        histories, each rewritten from the turn before it."""
        chains = []
        for history in histories:
            items = list(history or [])[-HISTORY_TURNS:]
            for item in items:
                if not isinstance(item, (str, Answer)):
                    raise QAError(f"history items must be questions (text) or Answers, not {type(item).__name__}")
            start = max((i for i, item in enumerate(items) if isinstance(item, Answer)), default=0)
            chains.append(items[start:])
        turns: list[chat.Turn | None] = [None] * len(chains)
        for level in range(max((len(c) for c in chains), default=0)):
            asks: dict[tuple[str, chat.Turn | None], list[int]] = {}  # the same turn asked twice is answered once
            for i, chain in enumerate(chains):
                if level >= len(chain):
                    continue
                if isinstance(chain[level], Answer):
                    turns[i] = _turn(chain[level])
                else:
                    text, _ = clean_question(chain[level], self.settings.max_question_chars)
                    asks.setdefault((text, turns[i]), []).append(i)
            if asks:
                keys = list(asks)
                answers = self._answer_all([k[0] for k in keys], [None] * len(keys), [k[1] for k in keys], top_k,
                                           within)
                for key, a in zip(keys, answers):
                    for i in asks[key]:
                        turns[i] = _turn(a)
        return turns

    @property
    def selector(self) -> select.Selector:
        if self._selector is None:
            selector = select.load_selector(self.index_dir)
            if selector.model and selector.model != self.settings.model:
                raise QAError(f"the selector was fitted for the vectors of {selector.model}, not {self.settings.model}: "
                              f"fit one for this model with: qa calibrate QUESTIONS")
            self._selector = selector
        return self._selector

    def candidates(self, index: Index, question: str, vector: np.ndarray,
                   allowed: np.ndarray | None = None) -> tuple[select.Question, retrieve.Candidates]:
        """Retrieval for one question: what the selector knows of the question, and the candidate sentences
        (only of the `allowed` articles when a filter gives them)."""
        q = select.make_question(index, question, vector)
        return q, retrieve.candidates(index, vector, q.token_ids, self.settings.retrieve_k, allowed)

    def _answer_one(self, index: Index, cues: select.SentenceCues, question: str, asked: str, notice: str | None,
                    vector: np.ndarray, top_k: int, previous: chat.Turn | None,
                    allowed: np.ndarray | None = None) -> Answer:
        article = index.article_number(previous.source) if previous is not None and previous.source else None
        piece = chat.about_piece(question, previous) if article is not None else None
        if piece is not None and (allowed is None or allowed[article]):
            # "Who wrote that story?": the previous answer's article, by its byline or date line
            return self._answer_piece(index, cues, question, piece, notice, top_k, article, allowed)
        if chat.asks_speaker(question):  # "Who said that?": whoever the previous answer's passage says said it
            said = index.sentence_at(article, previous.start) if article is not None else None
            if said is not None and (allowed is None or allowed[article]):
                return self._answer_speaker(index, cues, question, notice, top_k, previous, said, allowed)
            why = ("the passage that answered last is outside the articles searched" if said is not None
                   else "there is no earlier answer to attribute")
            return refusal(question, 0.0, [], notice=_with_reason(notice, why))
        referent = writer_referent(asked)
        if referent is not None:  # "the writer of the Paris SUV piece": asked about by name, once its byline gives it
            start, end, who = referent
            writer = self._answer_one(index, cues, who, who, None, self.encoder.encode([who])[0], 1, None, allowed)
            if writer.found and writer.answer:  # else the question is answered as asked
                asked = asked[:start] + writer.answer + asked[end:]
                vector = self.encoder.encode([asked])[0]
        outlet = scope.outlet_named(index, asked, allowed)
        if outlet is None:
            return self._answer_among(index, cues, question, asked, asked, notice, vector, top_k, previous, allowed)
        # who wrote "the Reuters story on ...": the story among that outlet's articles, matched without its name
        matched, allowed, shown = outlet
        vector = self.encoder.encode([matched])[0]  # the outlet's name is no word of the story
        a = self._answer_among(index, cues, question, asked, matched, notice, vector, top_k, previous, allowed)
        return a if a.found or a.notice else dataclasses.replace(a, notice=f"only {shown} articles were searched")

    def _answer_piece(self, index: Index, cues: select.SentenceCues, question: str, piece: str, notice: str | None,
                      top_k: int, article: int, allowed: np.ndarray | None) -> Answer:
        """A question about the piece that answered the previous turn (`article`; "Who wrote that story?",
        `chat.about_piece` gives it as `piece`, "Who wrote the story?"): answered by that article's byline or date
        line, shown as asked of it by its headline; the articles hold the piece, so it is answered whenever such a
        line is there, and refused with the reason where it is not."""
        record = index.articles[article]
        title = record.title or shown_name(record.id)
        shown = piece.replace("the story", f"the story “{title}”", 1)
        kind = select.asked_header(piece)
        if not len(select.header_lines(index, article, kind, asks_when_updated(piece))):
            said = ("who wrote it" if kind is BlockKind.BYLINE else "when it was last updated"
                    if asks_when_updated(piece) else "when it came out")
            dated = f"; its file dates it {record.published}" if kind is BlockKind.DATE and record.published else ""
            unsaid = f"the story “{title}” does not say {said}{dated}"
            return refusal(question, 0.0, [], rewritten=shown, notice=_with_reason(notice, unsaid))
        return self._answer_among(index, cues, question, shown, piece, notice, self.encoder.encode([piece])[0], top_k,
                                  None, _only(index, article, allowed), sure=True)

    def _answer_speaker(self, index: Index, cues: select.SentenceCues, question: str, notice: str | None,
                        top_k: int, previous: chat.Turn, sentence: int, allowed: np.ndarray | None) -> Answer:
        """Who said the words the previous answer came from (`sentence`; "Who said that?"): the name the passage
        gives (`answer.speaker_span`), shown as asked of the clause the previous answer came from ("Who said
        ‘Lukashenko has said he will deploy joint forces to operate …’?"); refused with the reason where the
        passage names no one, or is the reporter's own words (`answer.reported`)."""
        text = index.sentence_text(sentence)
        at = text.find(previous.answer) if previous.answer else -1
        shown = f"Who said ‘{clause_words(text, at if at >= 0 else None)}’?"
        said = speaker_span(index, sentence, at if at >= 0 else None)
        if said is None:
            title = index.articles[int(index.article_of(sentence))].title or previous.source
            own = not reported(index.span_text(*support_rows(index, sentence)))
            unsaid = (f"the passage of “{title}” that answered is the reporter's own words" if own
                      else f"the passage of “{title}” that answered does not name who said it")
            return refusal(question, 0.0, [], rewritten=shown, notice=_with_reason(notice, unsaid))
        return self._answer_among(index, cues, question, shown, shown, notice, self.encoder.encode([shown])[0], top_k,
                                  None, _only(index, int(index.article_of(sentence)), allowed), speaker=said)

    def _answer_among(self, index: Index, cues: select.SentenceCues, question: str, asked: str, matched: str,
                      notice: str | None, vector: np.ndarray, top_k: int, previous: chat.Turn | None,
                      allowed: np.ndarray | None, sure: bool = False,
                      speaker: Said | None = None) -> Answer:
        """The answer to `question` (`asked` as the chat rewrote it; `matched` as it is matched against the
        articles) among the `allowed` articles; with `sure` (the articles are known to hold the piece asked about),
        answered whenever a byline or date line that says what is asked leads, and else refused; with `speaker`
        (who said what the previous answer came from, `answer.speaker_span`), answered by that name."""
        fields = dict(rewritten=asked if asked != question else None, notice=notice)
        asked = matched
        missing = scope.uncovered_years(index, allowed if allowed is not None
                                        else np.ones(len(index.articles), dtype=bool), asked)
        if missing and speaker is None:  # (the words quoted of the previous answer may hold a year)
            note = f"no article covers {' or '.join(missing)}"
            return refusal(question, 0.0, [], **{**fields, "notice": _with_reason(notice, note)})
        q, cands = self.candidates(index, asked, vector, allowed)
        # the previous turn's article (when the question keeps to it) and its sentence
        prefer = previous_sentence = None
        if previous is not None and previous.source is not None:
            article = index.article_number(previous.source)
            prefer = article if chat.keeps_topic(question) else None
            previous_sentence = index.sentence_at(article, previous.start)
        # "who gave that figure?" asks about the sentence that stated it, whatever words the two share; never from an
        # article the filters leave out
        about_previous = chat.points_at_figure(question, previous) and previous_sentence is not None and (
            allowed is None or allowed[int(index.article_of(previous_sentence))])
        if about_previous:
            cands = retrieve.with_sentences(index, cands, np.array([previous_sentence]), vector)
        if speaker is not None:
            cands = retrieve.with_sentences(index, cands, np.array([speaker.sentence]), vector)
        reranker = self.reranker if self.selector.reranks else None
        scored = select.rank(index, cues, q, cands, self.selector, reranker=reranker,
                             rerank_top=self.settings.rerank_top, prefer_article=prefer, spent=previous_sentence,
                             demote_spent=previous is not None and chat.replaces_slot(question, previous))
        ranked = picked = pick(index, scored, top_k + 1)
        timed = scope.prefer_time(index, asked, picked.sentences, picked.scores, scored.sentences,
                                  previous=previous_sentence)
        if speaker is not None:  # the sentence that names who said it
            picked = picked.led_by(scored, speaker.sentence)
        elif timed.at:  # a newer (or the named year's) article's sentence answers: it goes first
            picked = picked.first(timed.at)
            lines = select.asked_lines(index, q, int(picked.sentences[0]))  # or its byline or date line, asked for
            if len(lines) and int(lines[0]) in scored.sentences:  # ("the latest story on ...")
                picked = picked.led_by(scored, int(lines[0]))
        elif about_previous:
            picked = picked.led_by(scored, previous_sentence)
        items = evidence_list(index, scored, picked, top_k, self.selector, self.settings.context_sentences)
        # A sentence put first for what the question means (the newer report, the one asked about) answers, or is
        # refused, with the confidence that the articles answer it at all, the best-scored sentence's; its own score
        # ranked it against the question's words alone (and stays on its Evidence).
        moved = bool(items) and picked.rows[0] != ranked.rows[0]
        score = ranked.confidence(scored, self.selector, 0) if moved else items[0].score if items else 0.0
        unknown = scope.unknown_names(index, asked) if speaker is None else []
        late = None if speaker is not None else f"no article mentions {' or '.join(unknown)}" if unknown else (
            scope.out_of_time(index, asked, picked.sentences[0]) or missing_sum(index, asked, picked.sentences[0])
            or other_count(index, asked, picked.sentences[0])
            or scope.unnamed_in_article(index, asked, picked.sentences[0])
            or scope.other_number(index, asked, picked.sentences[0])
            or unsigned(index, asked, picked.sentences[0]) or undated(index, asked, picked.sentences[0])
            if picked.sentences else None)
        # about something no article names, a year or month the answering article does not report on, a sum of money
        # where the answering passage states none, things it neither names nor counts (it counts only persons), names
        # the answering article does not mention, or a numbered name it gives another number ("737 MAX 8" of an
        # article on the MAX 9), or who wrote a report that names no author, or when a piece came out that says nowhere
        if late:
            return refusal(question, score, items, **{**fields, "notice": _with_reason(notice, late)})
        threshold = self.settings.abstain_threshold
        threshold = self.selector.threshold if threshold is None else threshold
        # a byline (a date line) answers who wrote the report (when it came out) with certainty, unread; whether the
        # articles hold that report is the body's to say (answers_question)
        names = (speaker.start, speaker.end) if speaker is not None else (
            header_answer(index, asked, int(picked.sentences[0])) if items else None)
        # (a follow-up about the piece is answered by its header line alone: "Edited by Mark Vos" names no writer)
        read = self.reader.read(asked, [items[0].sentence])[0] if items and not names and not sure else None
        # whether the articles answer is judged on the best-scored sentence, whichever article answers, unless the
        # sentence that goes first is the update of what the previous turn answered (not when the sentence asked
        # about was led first instead)
        update = timed.update and picked.sentences[0] == ranked.sentences[timed.at]
        if sure:  # known to be held: answered by its byline or date line, if that leads ("By Reuters" names no one)
            answered = int(picked.sentences[0]) in select.asked_lines(index, q, int(picked.sentences[0]))
        elif speaker is not None:  # the passage names who said it
            answered = True
        else:
            answered = update or answers_question(index, self.selector, scored, ranked, threshold,
                                                  (1.0, 0.0) if names else reading(read))
        if not items or not answered:
            return refusal(question, score, items, **fields)
        top = items[0]
        span, answer_score = (names, None) if names or sure else self._short_answer(asked, q, top.sentence, read)
        support = speaker.support if speaker is not None else support_span(index, picked.sentences[0])
        agreeing = supporting(index, scored, picked.sentences[0], top.sentence[span[0]:span[1]] if span else None)
        return from_evidence(question, top, items, span, support, score=score, answer_score=answer_score,
                             supporting_sources=agreeing, earlier=self._earlier(index, asked, picked), **fields)

    def _earlier(self, index: Index, asked: str, picked: Picked) -> str | None:
        """"earlier report (date): figure" when a close-scored sentence of an older article states another figure
        for the same thing as the answer's."""
        close = [s for s, v in zip(picked.sentences, picked.scores) if v >= picked.scores[0] - scope.LATEST_MARGIN]
        at = scope.earlier_report(index, close, 0)
        if at is None:
            return None
        sentence = index.sentence_text(close[at])
        read = self.reader.read(asked, [sentence])[0]
        likely = read is not None and read.shown(self.settings.answer_threshold)
        figure = sentence[read.start:read.end] if likely else sentence
        date = index.article_record(close[at]).published
        return f"earlier report ({date}): {figure}"

    def _short_answer(self, asked: str, q: select.Question, sentence: str,
                      read: Span | None) -> tuple[tuple[int, int] | None, float | None]:
        """(span of the short answer in the sentence, its probability): the reader's span (`read`) when it is
        likely enough (`answer_threshold`) or the whole quote or clause the question's form asks for
        (`Span.whole`), else the answer-type rules' span when `rule_answers` is on, else None."""
        if read is not None and read.shown(self.settings.answer_threshold):
            span = counted_span(asked, sentence, (read.start, read.end))
            # the count put in place of the reader's span is the rules', with no probability of the reader's
            return span, round(read.answer_probability, 4) if span == (read.start, read.end) else None
        if self.settings.rule_answers:
            return short_answer(asked, q.kind, sentence, set(q.stems)), None
        return None, None


_default: QA | None = None
_default_lock = threading.Lock()


def default_engine() -> QA:
    """The engine over `seeds/` and `embeddings/`, created on first use (the one piece of module state)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = QA()
        return _default
