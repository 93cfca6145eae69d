"""Build, save and load the index folder (FAISS passages, sentence table and vectors, BM25, manifest)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import faiss
import filelock
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from qa import corpus as corpus_mod
from qa.config import IndexType, Settings
from qa.corpus import BlockKind, Corpus
from qa.encoder import Encoder, graph_key, model_path
from qa.errors import QAError, os_failure
from qa.passages import embedding_text, make_passages
from qa.sentences import split_article
from qa.tokens import tokens

FORMAT_VERSION = 14  # 14: "Originally posted", "Last revised" date lines; a line's dates read by their nearest label
# 13: a one-line question above the story is its headline; a masthead is not the headline
# 12: a bracket after "a.m." goes on with the sentence; "Name | Outlet | date" is a byline
# 11: ingest reads furniture-like news, bylines, notes, credits, datelines and abbreviations anew
# 10: published_day, the month and day of a dateline without a year
# 9: the BM25 vocabulary as our own table (vocab.json), so loading needs no bm25s/scipy
# 8: outlet, url, source file and input kind on each article; manifest articles are files
# 7: selection keeps its own per-sentence cues (select.prepare); 6: author and published, the DATE sentence kind
BM25_K1, BM25_B = 1.2, 0.75
MANIFEST = "manifest.json"
BUILD_MARKER = ".qa-build"  # written into every data folder we make: only folders holding it are ever deleted
LOCK_FILE = ".qa-build.lock"
EXCLUDED = "excluded.json"  # the article ids `qa remove` took out
SEARCH_ONLY = ("index_type", "ann_threshold")  # index settings that change how passages are searched, not vectors
KINDS = tuple(BlockKind)


def kind_code(kind: BlockKind) -> int:
    """The code of a sentence kind in the index's tables (`Index.kind_of`)."""
    return KINDS.index(kind)
log = logging.getLogger("qa")


class IndexUnusable(QAError):
    """The index folder is missing, from another corpus or settings, or damaged; a rebuild fixes it."""


@dataclass(frozen=True)
class ArticleRecord:
    id: str
    title: str
    sha256: str
    size: int
    mtime_ns: int
    encoding: str
    # Defaults let an index of an earlier format load, so a rebuild can reuse its vectors.
    author: str | None = None
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    path: str = ""  # the file it came from: `id`, or a JSONL / CSV collection holding one row per article
    kind: str = "txt"  # the input kind (qa.formats.InputKind)
    extra: dict[str, str] | None = None  # a collection row's other fields
    published_day: str | None = None  # MM-DD from a dateline without a year, when `published` is unknown

    @property
    def file(self) -> str:
        return self.path or self.id


@dataclass(frozen=True)
class ModelRecord:
    """The bi-encoder that made an index's vectors."""

    name: str
    version: str | None
    dim: int
    graph: str | None = None  # the ONNX encoder graph's key (qa/encoder.py `graph_key`); None for PyTorch


@dataclass(frozen=True)
class FileRecord:
    """What staleness knows of an indexed file: its content hash and the stamp taken before it was read."""

    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Counts:
    articles: int
    passages: int
    sentences: int


@dataclass(frozen=True)
class Manifest:
    """`manifest.json`, the index folder's description of itself; replaced last by a build."""

    format_version: int
    data: str  # the data folder of this build, inside the index folder
    model: ModelRecord
    settings: dict  # Settings.index_fields() of the build
    counts: Counts
    articles: dict[str, FileRecord]
    skipped: dict[str, str]  # file -> why it is not indexed
    versions: dict = dataclasses.field(default_factory=dict)  # library versions of the build
    build_seconds: float = 0.0
    built_at: str = ""

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, raw: object) -> "Manifest":
        """The manifest of a parsed manifest.json; ValueError saying what is wrong with its shape (a hand edit,
        a damaged file)."""
        if not isinstance(raw, dict):
            raise ValueError(f"it holds a {type(raw).__name__}, not an object")
        fields = {"format_version": int, "data": str, "model": dict, "settings": dict, "counts": dict,
                  "articles": dict, "skipped": dict}
        for name, kind in fields.items():
            value = raw.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"'{name}' is {json.dumps(value)[:40]}, not a {kind.__name__}")
        model, counts = raw["model"], raw["counts"]
        if not (isinstance(model.get("name"), str) and _is_int(model.get("dim"))):
            raise ValueError("'model' lacks its name or dimension")
        if not all(_is_int(counts.get(k)) and counts[k] >= 0 for k in ("articles", "passages", "sentences")):
            raise ValueError("'counts' lacks a count of articles, passages or sentences")
        articles = {}
        for name, record in raw["articles"].items():
            if not (isinstance(record, dict) and isinstance(record.get("sha256"), str)
                    and _is_int(record.get("size")) and _is_int(record.get("mtime_ns"))):
                raise ValueError(f"the entry of article {name!r} is not a record of its hash, size and time")
            articles[name] = FileRecord(record["sha256"], record["size"], record["mtime_ns"])
        if not all(isinstance(reason, str) for reason in raw["skipped"].values()):
            raise ValueError("'skipped' holds a reason that is not text")
        version = model.get("version")
        seconds = raw.get("build_seconds")
        return cls(raw["format_version"], raw["data"],
                   ModelRecord(model["name"], version if isinstance(version, str) else None, model["dim"],
                               model.get("graph") if isinstance(model.get("graph"), str) else None),
                   raw["settings"], Counts(counts["articles"], counts["passages"], counts["sentences"]), articles,
                   dict(raw["skipped"]), raw.get("versions") if isinstance(raw.get("versions"), dict) else {},
                   float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else 0.0,
                   raw.get("built_at") if isinstance(raw.get("built_at"), str) else "")


@dataclass(frozen=True)
class Built:
    """What a build did: how many articles it encoded, and how many kept the previous index's vectors."""

    encoded: int
    reused: int


@dataclass(frozen=True)
class Ragged:
    """Rows of varying length: row i is values[offsets[i]:offsets[i + 1]]."""

    values: np.ndarray
    offsets: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[list[int]]) -> "Ragged":
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(r) for r in rows])
        values = np.fromiter((v for r in rows for v in r), dtype=np.int32, count=int(offsets[-1]))
        return cls(values, offsets)

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values of the given rows, one after another; the position in `rows` each value came from)."""
        starts, ends = self.offsets[rows], self.offsets[rows + 1]
        lengths = ends - starts
        owner = np.repeat(np.arange(len(rows)), lengths)
        base = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return self.values[np.arange(int(lengths.sum())) + base], owner

    def save(self, folder: Path, name: str) -> None:
        np.save(folder / f"{name}.npy", self.values)
        np.save(folder / f"{name}_offsets.npy", self.offsets)

    @classmethod
    def load(cls, folder: Path, name: str) -> "Ragged":
        return cls(np.load(folder / f"{name}.npy", allow_pickle=False),
                   np.load(folder / f"{name}_offsets.npy", allow_pickle=False))


@dataclass(frozen=True)
class Index:
    """A loaded index. Sentence i of the corpus is row i of every `sentence_*` array."""

    folder: Path
    manifest: Manifest
    articles: tuple[ArticleRecord, ...]
    text_blob: np.ndarray  # uint8, all article texts as UTF-8, one after another
    text_offsets: np.ndarray  # int64, n_articles + 1 byte offsets into text_blob
    sentence_table: np.ndarray  # int64 (n, 4): article, start, end (characters in the article text), kind
    sentence_bytes: np.ndarray  # int64 (n, 2): the sentence's byte span in text_blob
    sentence_passage: np.ndarray  # int32 (n,): first passage that holds the sentence
    passage_table: np.ndarray  # int64 (m, 3): article, first sentence, last sentence (exclusive)
    passage_index: faiss.Index
    passage_vectors: np.ndarray  # float16 (m, dim), L2-normalised
    sentence_vectors: np.ndarray  # float16 (n, dim), L2-normalised
    vocab: dict  # BM25 vocabulary: stemmed token -> id (the ids of token_ids and postings)
    idf: np.ndarray  # float32 per BM25 vocabulary id
    token_ids: "Ragged"  # per sentence: its stemmed content tokens as BM25 vocabulary ids, in order
    postings: "Ragged"  # per vocabulary id: the sentences that hold it, ascending (derived from token_ids)

    @property
    def sentence_ntokens(self) -> np.ndarray:
        return np.diff(self.token_ids.offsets)

    @property
    def n_sentences(self) -> int:
        return int(self.sentence_table.shape[0])

    @property
    def n_passages(self) -> int:
        return int(self.passage_table.shape[0])

    @functools.cached_property
    def _article_numbers(self) -> dict[str, int]:
        return {a.id: i for i, a in enumerate(self.articles)}

    @functools.cached_property
    def _article_bounds(self) -> np.ndarray:
        return np.searchsorted(self.sentence_table[:, 0], np.arange(len(self.articles) + 1))

    def article_sentences(self, article: int) -> tuple[int, int]:
        """First sentence of an article (by its row in `articles`) and the one after its last."""
        bounds = self._article_bounds
        return int(bounds[article]), int(bounds[article + 1])

    def article_token_ids(self, article: int) -> np.ndarray:
        """The BM25 vocabulary ids of every content token of an article's sentences (with repeats)."""
        first, last = self.article_sentences(article)
        return self.token_ids.values[self.token_ids.offsets[first]:self.token_ids.offsets[last]]

    def article_terms(self, article: int) -> frozenset[str]:
        """The vocabulary terms (folded, stemmed content tokens) of an article's sentences."""
        terms = self._terms
        return frozenset(terms[i] for i in np.unique(self.article_token_ids(article)).tolist())

    @functools.cached_property
    def outlets(self) -> frozenset[str]:
        """The outlets the articles name (a page's site, a row's source, a dateline's agency)."""
        return frozenset(a.outlet for a in self.articles if a.outlet)

    @functools.cached_property
    def dates_articles(self) -> bool:
        """Whether any article gives its date (news does; an encyclopedia does not)."""
        return any(a.published or a.published_day for a in self.articles)

    @functools.cached_property
    def names_authors(self) -> bool:
        """Whether any article names its author (news does; an encyclopedia does not)."""
        return any(a.author for a in self.articles)

    def article_number(self, article_id: str) -> int | None:
        """Row of an article id in `articles`, or None."""
        return self._article_numbers.get(article_id)

    def span_text(self, first: int, last: int) -> str:
        """The article text from the start of sentence `first` to the end of sentence `last` (same article)."""
        return self.text_blob[self.sentence_bytes[first, 0]:self.sentence_bytes[last, 1]].tobytes().decode("utf-8")

    def sentence_text(self, sentence: int) -> str:
        return self.span_text(sentence, sentence)

    def term_presence(self, token_ids: list[int], sentences: np.ndarray) -> np.ndarray:
        """Boolean matrix (len(token_ids), len(sentences)): does sentence j hold vocabulary term i."""
        out = np.zeros((len(token_ids), sentences.shape[0]), dtype=bool)
        if not token_ids or not sentences.shape[0]:
            return out
        # From the sentences' own tokens, not the terms' postings: the cost grows with the candidates, not with
        # how many sentences of the corpus hold a common term (benchmarks/scale.py).
        values, owner = self.token_ids.gather(np.asarray(sentences, dtype=np.int64))
        for i, t in enumerate(token_ids):
            out[i, owner[values == t]] = True
        return out

    def sentences_with(self, term: int) -> np.ndarray:
        """The sentences that hold a vocabulary term, ascending (its postings)."""
        return self.postings.values[self.postings.offsets[term]:self.postings.offsets[term + 1]]

    def article_record(self, sentence: int) -> ArticleRecord:
        """The record of the article a sentence belongs to."""
        return self.articles[int(self.article_of(sentence))]

    def sentence_token_ids(self, sentence: int) -> np.ndarray:
        """The BM25 vocabulary ids of one sentence's content tokens, in order."""
        return self.token_ids.values[self.token_ids.offsets[sentence]:self.token_ids.offsets[sentence + 1]]

    def sentence_kind(self, sentence: int) -> BlockKind:
        return KINDS[int(self.sentence_table[sentence, 3])]

    def article_of(self, sentences: np.ndarray) -> np.ndarray:
        """Per sentence: its article's row in `articles`."""
        return self.sentence_table[sentences, 0]

    def kind_of(self, sentences: np.ndarray) -> np.ndarray:
        """Per sentence: its kind's code (`kind_code`)."""
        return self.sentence_table[sentences, 3]

    def char_span(self, first: int, last: int | None = None) -> tuple[int, int]:
        """Character offsets in its article's text from the start of sentence `first` to the end of `last`
        (default: `first`)."""
        return int(self.sentence_table[first, 1]), int(self.sentence_table[first if last is None else last, 2])

    def passage_dense(self, sentences: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Per sentence: the dense similarity of the first passage that holds it to a question vector."""
        return self.passage_vectors[self.sentence_passage[sentences]].astype(np.float32) @ vector

    def sentence_vector(self, sentence: int) -> np.ndarray:
        """A sentence's stored vector, as float32."""
        return self.sentence_vectors[sentence].astype(np.float32)

    def sentence_dense(self, sentences: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Per sentence: its dense similarity to a question vector."""
        return self.sentence_vectors[sentences].astype(np.float32) @ vector

    def term_ids(self, terms: list[str]) -> list[int]:
        """Vocabulary ids of the terms that are in the vocabulary, in order (repeats kept)."""
        return [self.vocab[t] for t in terms if t in self.vocab]

    @functools.cached_property
    def _terms(self) -> list[str]:
        return list(self.vocab)

    def near_terms(self, term: str, max_edits: int, limit: int = 5) -> list[str]:
        """Vocabulary terms within `max_edits` edits of `term` (optimal string alignment: a swap of two
        neighbouring letters is one edit) that begin with its letter, nearest first: the corpus's spelling of a
        name asked with a slip ("hollwood" -> "hollywood")."""
        found = process.extract(term, self._terms, scorer=OSA.distance, score_cutoff=max_edits, limit=limit)
        return [t for t, _, _ in found if t[:1] == term[:1]]

    @property
    def n_terms(self) -> int:
        return len(self.idf)

    @property
    def data_folder(self) -> Path:
        """The folder of this build's tables (inside the index folder); other stages may cache what they derive
        from the tables there, in sub-folders of their own."""
        return self.folder / self.manifest.data

    def sentence_at(self, article: int | None, start: int | None) -> int | None:
        """The sentence of an article (by its row in `articles`) that starts at character `start`, or None."""
        if article is None or start is None:
            return None
        first, last = self.article_sentences(article)
        rows = np.flatnonzero(self.sentence_table[first:last, 1] == start)
        return first + int(rows[0]) if len(rows) else None

    @functools.cached_property
    def bm25_weights(self) -> "Ragged":
        """The postings with each (term, sentence) pair's BM25 weight as values (retrieve.bm25_top sums them)."""
        return Ragged(bm25_weights(self.token_ids, self.postings, BM25_K1, BM25_B), self.postings.offsets)

    @functools.cached_property
    def bm25(self):
        """The bm25s index the build wrote (bm25s.BM25), loaded on first use: tests compare our scores with it;
        answering never needs it (nor bm25s's scipy)."""
        import bm25s

        return bm25s.BM25.load(str(self.data_folder / "bm25"), mmap=False, show_progress=False,
                               verbosity=0)


# --- articles taken out --------------------------------------------------------------------------

def read_excluded(folder: Path) -> frozenset[str]:
    """Article ids taken out of the index with `qa remove` (kept in the index folder's excluded.json)."""
    path = Path(folder) / EXCLUDED
    if not path.is_file():
        return frozenset()
    try:
        ids = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise QAError(f"{path} is unreadable ({exc}); delete it to index every article") from None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise QAError(f"{path} is damaged (it must be a list of article ids); delete it to index every article")
    return frozenset(ids)


def write_excluded(folder: Path, ids: frozenset[str]) -> None:
    """Replace the list of article ids taken out of the index."""
    folder = Path(folder)
    tmp = folder / f"{EXCLUDED}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(sorted(ids)), encoding="utf-8")
        tmp.replace(folder / EXCLUDED)
    except OSError as exc:
        raise os_failure(f"write {folder / EXCLUDED}", exc, "pass --index-dir DIR with a writable folder") from None


# --- staleness ---------------------------------------------------------------------------------

def read_manifest(folder: Path) -> dict | None:
    """The index folder's manifest as written, or None when there is none. One that is not JSON, or that a
    newer article-qa wrote, is refused: rebuilding would throw away what the user can still recover."""
    path = Path(folder) / MANIFEST
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_file():
        raise QAError(f"{path} is not a file; move it out of the index folder or pass another --index-dir")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise IndexUnusable(f"{path} is unreadable ({exc}); delete it to rebuild the index") from None
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if _is_int(version) and version > FORMAT_VERSION:
        raise QAError(f"the index in {folder} was built by a newer article-qa (index format {version}; this one "
                      f"reads {FORMAT_VERSION}): upgrade, or pass another --index-dir")
    return manifest


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def manifest_problem(manifest: object) -> str | None:
    """What is wrong with the shape of a parsed manifest.json, or None."""
    try:
        Manifest.from_json(manifest)
    except ValueError as exc:
        return str(exc)
    return None


def stale_reason(folder: Path, corpus_root: Path, settings: Settings,
                 excluded: frozenset[str] = frozenset()) -> str | None:
    """Why the index in `folder` does not match the corpus and settings, or None if it does.

    Reads only the manifest and the files' sizes and times; a file whose stamp changed is hashed,
    so a touched but unchanged article does not force a rebuild.
    """
    raw = read_manifest(folder)
    if raw is None:
        return "no index yet"
    try:
        manifest = Manifest.from_json(raw)
    except ValueError as exc:
        return f"the manifest is damaged ({exc})"
    if manifest.format_version != FORMAT_VERSION:
        return f"index format {manifest.format_version} is not the current {FORMAT_VERSION}"
    if manifest.settings != settings.index_fields():
        return "the index settings changed"
    installed = model_path(settings.model)[1]
    if manifest.model.version != installed:
        return f"the model {settings.model} is now version {installed}, not {manifest.model.version}"
    expected = graph_key(settings.model, settings.backend)
    if manifest.model.graph != expected:
        if manifest.model.graph is None:
            return "the index was built before the ONNX encoder graph was recorded"
        return "the ONNX encoder graph changed (its export recipe or the onnxruntime version)"
    stamps = {k: v for k, v in corpus_mod.scan(corpus_root).items() if k not in excluded}
    recorded = manifest.articles
    if set(recorded) & excluded:
        return "article(s) were removed"
    added, removed = stamps.keys() - recorded.keys(), recorded.keys() - stamps.keys()
    skipped = {k for k, why in manifest.skipped.items() if why != corpus_mod.REMOVED}
    added -= skipped
    if added or removed:
        return f"{len(added)} article(s) added and {len(removed)} removed"
    for name, st in stamps.items():
        if name in skipped:
            continue
        rec = recorded[name]
        if st.size == rec.size and st.mtime_ns == rec.mtime_ns:
            continue
        try:
            digest = hashlib.sha256((Path(corpus_root) / name).read_bytes()).hexdigest()
        except OSError:
            return f"{name} became unreadable"
        if digest != rec.sha256:
            return f"{name} changed"
    return None


# --- build ----------------------------------------------------------------------------------------

def _progress(iterable, desc: str, total: int, enabled: bool):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, unit="article", file=sys.stderr)


@dataclass(frozen=True)
class _Reusable:
    """An article of the previous index whose vectors a build may keep: its content hash, sentence spans and
    kinds, passage windows (sentence numbers within the article), and their vectors."""

    sha256: str
    sentences: np.ndarray
    passages: np.ndarray
    sentence_vectors: np.ndarray
    passage_vectors: np.ndarray


def _reusable_vectors(previous: "Index | None", model: ModelRecord, settings: Settings) -> dict[str, _Reusable]:
    """Per article of the previous index, what a build may reuse, when it was built with the same model and the
    same settings that shape vectors (the passage search type does not)."""
    if previous is None:
        return {}
    recorded = previous.manifest.settings
    shaping = {k: v for k, v in settings.index_fields().items() if k not in SEARCH_ONLY}
    if ({k: v for k, v in recorded.items() if k not in SEARCH_ONLY} != shaping
            or previous.manifest.model != model):  # name, package version, dimension, ONNX graph
        return {}
    p_bounds = np.searchsorted(previous.passage_table[:, 0], np.arange(len(previous.articles) + 1))
    out = {}
    for a, record in enumerate(previous.articles):
        (s0, s1), p0, p1 = previous.article_sentences(a), p_bounds[a], p_bounds[a + 1]
        out[record.id] = _Reusable(record.sha256, previous.sentence_table[s0:s1, 1:4],
                                   previous.passage_table[p0:p1, 1:3] - s0, previous.sentence_vectors[s0:s1],
                                   previous.passage_vectors[p0:p1])
    return out


@dataclass(frozen=True)
class Plan:
    """Everything a build writes except the vectors: the sentence and passage tables, the texts to embed, the
    article records, and which rows keep the previous index's vectors and which need the encoder."""

    sentence_rows: list  # (article, start, end, kind code)
    sentence_bytes: list  # (start, end) in the text blob
    sentence_passage: list  # the first passage that holds each sentence
    sentence_texts: list[str]
    passage_rows: list  # (article, first sentence, last sentence exclusive)
    passage_texts: list[str]  # what is embedded for each passage (headline in front)
    records: list[ArticleRecord]
    blobs: list[bytes]  # each article's text as UTF-8
    reused: list  # (first sentence, n sentences, their vectors, first passage, n passages, their vectors)
    encode_passages: list[int]  # passage rows that need the encoder
    encode_sentences: list[int]  # sentence rows that need the encoder
    skipped: dict[str, str]
    files: dict[str, str]  # file -> its SHA-256: the manifest's staleness records are per file


def plan(corpus: Corpus, settings: Settings, model: ModelRecord, *, previous: "Index | None" = None,
         progress: bool = False) -> Plan:
    """Split every article into sentences and passages and decide which vectors the previous index (built with
    the same model and vector-shaping settings) already holds: an article whose content and sentence spans are
    unchanged keeps its vectors."""
    if not corpus.articles:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in corpus.skipped[:5])
        raise QAError(
            f"no articles to index in {corpus.root} (it needs .txt, .md, .html, .jsonl or .csv files"
            + (f"; skipped {reasons}" if reasons else "") + ")"
        )
    out = Plan([], [], [], [], [], [], [], [], [], [], [], {s.path: s.reason for s in corpus.skipped}, {})
    blob_size = 0
    reusable = _reusable_vectors(previous, model, settings)
    for a_idx, article in enumerate(_progress(corpus.articles, "reading", len(corpus.articles), progress)):
        sentences = split_article(article)
        offset = len(out.sentence_rows)
        passages = make_passages(sentences, offset, settings)
        first_passage = len(out.passage_rows)
        holder = [-1] * len(sentences)
        for p_idx, passage in enumerate(passages):
            out.passage_rows.append((a_idx, passage.first, passage.last))
            kind = sentences[passage.first - offset].kind
            out.passage_texts.append(embedding_text(passage, article.title, kind, settings))
            for s in range(passage.first - offset, passage.last - offset):
                if holder[s] < 0:
                    holder[s] = first_passage + p_idx
        char_at, byte_at = 0, blob_size  # walk the article once: character offsets -> byte offsets
        for s in sentences:
            out.sentence_rows.append((a_idx, s.start, s.end, kind_code(s.kind)))
            out.sentence_texts.append(s.text)
            byte_at += len(article.text[char_at:s.start].encode("utf-8"))
            byte_end = byte_at + len(s.text.encode("utf-8"))
            out.sentence_bytes.append((byte_at, byte_end))
            char_at, byte_at = s.end, byte_end
        out.sentence_passage.extend(holder)
        out.blobs.append(article.text.encode("utf-8"))
        blob_size += len(out.blobs[-1])
        # The stamp taken before the bytes were read: an edit during the build leaves it behind the file,
        # so the next run hashes the file again and sees the change.
        out.records.append(ArticleRecord(article.id, article.title, article.sha256, article.stamp.size,
                                         article.stamp.mtime_ns, article.encoding, article.author,
                                         article.published, article.outlet, article.url, article.path or article.id,
                                         article.kind.value, dict(article.extra) or None,
                                         published_day=article.published_day))
        out.files[article.path or article.id] = article.file_sha256 or article.sha256
        old = reusable.get(article.id)
        new_sentences = np.asarray(out.sentence_rows[offset:], dtype=np.int64).reshape(-1, 4)[:, 1:4]
        new_passages = np.asarray(out.passage_rows[first_passage:], dtype=np.int64).reshape(-1, 3)[:, 1:3] - offset
        if (old is not None and old.sha256 == article.sha256 and np.array_equal(old.sentences, new_sentences)
                and np.array_equal(old.passages, new_passages)):
            out.reused.append((offset, len(sentences), old.sentence_vectors, first_passage, len(passages),
                               old.passage_vectors))
        else:
            out.encode_sentences.extend(range(offset, offset + len(sentences)))
            out.encode_passages.extend(range(first_passage, first_passage + len(passages)))
    return out


def encode(work: Plan, encoder: Encoder, *, progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(passage vectors, sentence vectors) of a plan: the encoder for the rows that need it (one call), the
    previous index's vectors for the rest."""
    dim = encoder.info.dim
    passage_vectors = np.zeros((len(work.passage_texts), dim), dtype=np.float32)
    sentence_vectors = np.zeros((len(work.sentence_texts), dim), dtype=np.float32)
    fresh = encoder.encode([work.passage_texts[i] for i in work.encode_passages]
                           + [work.sentence_texts[i] for i in work.encode_sentences], progress=progress)
    passage_vectors[work.encode_passages] = fresh[: len(work.encode_passages)]
    sentence_vectors[work.encode_sentences] = fresh[len(work.encode_passages):]
    for s0, ns, s_vectors, p0, np_, p_vectors in work.reused:
        sentence_vectors[s0:s0 + ns] = s_vectors
        passage_vectors[p0:p0 + np_] = p_vectors
    return passage_vectors, sentence_vectors


_UNWRITABLE = "pass --index-dir DIR with a writable folder"


def _new_data_folder(folder: Path) -> tuple[str, Path]:
    """A build id and its temporary data folder (with our marker), made before anything expensive runs: a folder
    that cannot be written is refused before the encoder, not after it."""
    build_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:8]
    tmp = folder / f".data-{build_id}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        (tmp / BUILD_MARKER).write_text(build_id, encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise os_failure(f"write the index in {folder}", exc, _UNWRITABLE) from None
    return build_id, tmp


def write(work: Plan, vectors: tuple[np.ndarray, np.ndarray], folder: Path, build_id: str, tmp: Path,
          settings: Settings, model: ModelRecord, started: float) -> Manifest:
    """Write a plan's tables and vectors into the data folder `tmp`, rename it into place, then replace the
    manifest (last, so an interrupted build leaves the previous index untouched) and remove older builds."""
    data = folder / f"data-{build_id}"
    try:
        _write_data(tmp, *vectors, work, settings)
        os.rename(tmp, data)
    except OSError as exc:  # a full disk, a folder made read-only meanwhile
        raise os_failure(f"write the index in {folder}", exc, _UNWRITABLE) from None
    manifest = Manifest(
        format_version=FORMAT_VERSION, data=data.name, model=model, settings=settings.index_fields(),
        counts=Counts(len(work.records), len(work.passage_rows), len(work.sentence_rows)),
        articles={r.file: FileRecord(work.files[r.file], r.size, r.mtime_ns) for r in work.records},
        skipped=work.skipped, versions=_library_versions(), build_seconds=round(time.perf_counter() - started, 3),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    previous_data = _manifest_data(folder)
    tmp_manifest = folder / f".{MANIFEST}.{build_id}.tmp"
    try:
        tmp_manifest.write_text(json.dumps(manifest.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp_manifest, folder / MANIFEST)
    except OSError as exc:
        tmp_manifest.unlink(missing_ok=True)
        shutil.rmtree(data, ignore_errors=True)
        raise os_failure(f"write the index in {folder}", exc, _UNWRITABLE) from None
    _remove_old_builds(folder, keep=data.name, previous=previous_data)
    return manifest


def build(corpus: Corpus, folder: Path, settings: Settings, encoder: Encoder, *, progress: bool = False,
          previous: "Index | None" = None) -> Built:
    """Index a corpus into `folder`: plan (sentences, passages, what to reuse) -> encode -> write.

    With the `previous` index, articles whose content and sentences are unchanged keep their vectors and
    only added or changed articles are encoded."""
    started = time.perf_counter()
    model = ModelRecord(encoder.info.name, encoder.info.version, encoder.info.dim, encoder.info.graph)
    work = plan(corpus, settings, model, previous=previous, progress=progress)
    write_planned(work, lambda: encode(work, encoder, progress=progress), folder, settings, model, started)
    return Built(encoded=len(work.records) - len(work.reused), reused=len(work.reused))


def write_planned(work: Plan, vectors: Callable[[], tuple[np.ndarray, np.ndarray]], folder: Path,
                  settings: Settings, model: ModelRecord, started: float) -> Manifest:
    """Make a new data folder in `folder`, then write a plan into it with the (passage, sentence) vectors that
    `vectors()` returns; it is called once the folder is known to be writable, so an unwritable folder is
    refused before the encoder runs. benchmarks/scale.py passes vectors it made itself."""
    folder = Path(folder)
    build_id, tmp = _new_data_folder(folder)
    try:
        return write(work, vectors(), folder, build_id, tmp, settings, model, started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# Tests set this to a file path: a build then writes the path of its half-written data folder there and waits,
# so that a test can kill it at exactly this point (tests/test_hardening.py).
PAUSE_FOR_TESTS = "QA_TEST_PAUSE_BUILD"


def _pause_for_tests(tmp: Path) -> None:
    flag = os.environ.get(PAUSE_FOR_TESTS)
    if flag:
        Path(flag).write_text(str(tmp), encoding="utf-8")
        while True:
            time.sleep(1)


def _write_data(tmp: Path, passage_vectors: np.ndarray, sentence_vectors: np.ndarray, work: Plan,
                settings: Settings) -> None:
    """Every table of a build into the temporary data folder `tmp`."""
    # The search index holds the vectors as stored (float16), not as just encoded: an incremental build reuses
    # stored vectors, and its search scores must be a fresh build's to the last bit.
    stored = passage_vectors.astype(np.float16)
    # Written by Python, not by faiss.write_index, so that a full disk is an OSError like every other write here.
    (tmp / "passages.faiss").write_bytes(
        faiss.serialize_index(make_search_index(stored.astype(np.float32), settings)).tobytes())
    np.save(tmp / "passage_vectors.npy", stored)
    np.save(tmp / "sentence_vectors.npy", sentence_vectors.astype(np.float16))
    _pause_for_tests(tmp)
    np.save(tmp / "sentences.npy", np.asarray(work.sentence_rows, dtype=np.int64).reshape(-1, 4))
    np.save(tmp / "sentence_bytes.npy", np.asarray(work.sentence_bytes, dtype=np.int64).reshape(-1, 2))
    np.save(tmp / "sentence_passage.npy", np.asarray(work.sentence_passage, dtype=np.int32))
    np.save(tmp / "passages.npy", np.asarray(work.passage_rows, dtype=np.int64).reshape(-1, 3))
    blob = b"".join(work.blobs)
    np.save(tmp / "texts.npy", np.frombuffer(blob, dtype=np.uint8))
    np.save(tmp / "text_offsets.npy", np.cumsum([0] + [len(b) for b in work.blobs], dtype=np.int64))
    (tmp / "articles.json").write_text(json.dumps([dataclasses.asdict(r) for r in work.records],
                                                  ensure_ascii=False), encoding="utf-8")
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    sentence_tokens = [tokens(t) for t in work.sentence_texts]
    bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    bm25.index(sentence_tokens, show_progress=False)
    vocab = bm25.vocab_dict
    terms = [""] * len(vocab)
    for term, i in vocab.items():
        terms[i] = term
    (tmp / "vocab.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    Ragged.from_rows([[vocab[t] for t in toks] for toks in sentence_tokens]).save(tmp, "token_ids")
    bm25.save(str(tmp / "bm25"), show_progress=False)


def _manifest_data(folder: Path) -> str | None:
    """The data folder the current manifest names, if it can be read."""
    try:
        manifest = read_manifest(folder)
    except QAError:  # unreadable, a folder, or from a newer format: name nothing to delete
        return None
    name = manifest.get("data") if isinstance(manifest, dict) else None
    return name if isinstance(name, str) else None


def _ours(path: Path, previous: str | None) -> bool:
    """A folder a build of ours made: it holds our marker, or the replaced manifest named it. Anything else in
    the index folder (a user's `data-raw/`, say) is never touched."""
    if path.is_symlink() or not path.is_dir():
        return False
    if path.name == previous and path.name.startswith("data-"):
        return True
    return (path / BUILD_MARKER).is_file()


def _remove_old_builds(folder: Path, keep: str, previous: str | None) -> None:
    """Delete earlier builds' data and leftovers of killed builds. Called with the build lock held, so no other
    build of this folder is writing a temporary folder now."""
    for old in [*folder.glob("data-*"), *folder.glob(".data-*.tmp")]:
        if old.name != keep and _ours(old, previous):
            shutil.rmtree(old, ignore_errors=True)
    for old in folder.glob(f".{MANIFEST}.*.tmp"):
        if old.is_file() and not old.is_symlink():
            old.unlink(missing_ok=True)


@contextlib.contextmanager
def build_lock(folder: Path):
    """Hold the index folder's lock file: one build (or staleness check and load) of a folder at a time,
    across processes. A second `qa index` waits for the first and then finds the index up to date; `qa ask`
    waits for a build in progress instead of reading half of it. A folder that cannot hold a lock file
    (read-only) is used without one: nothing can be built there anyway."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise QAError(f"the index folder {folder} is a file, not a folder (pass --index-dir DIR)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(folder / LOCK_FILE))
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            log.warning("waiting for another build of %s to finish", folder)
            lock.acquire()
    except OSError:
        yield
        return
    try:
        yield
    finally:
        lock.release()


def ivf_lists(n: int) -> int:
    """IVF cell count for n vectors: about 4 * sqrt(n), with at least 8 (FAISS advises 39) points per cell."""
    return max(1, min(int(4 * n ** 0.5), n // 8))


def ivf_probes(n_lists: int) -> int:
    """Cells searched per question; benchmarks/scale.py measures the recall this gives."""
    return max(1, min(n_lists, max(16, n_lists // 32)))


def make_search_index(vectors: np.ndarray, settings: Settings) -> faiss.Index:
    """Exact inner-product search for small corpora; IVF (inner product) beyond `ann_threshold` passages."""
    n, dim = vectors.shape
    kind = settings.index_type
    if kind is IndexType.AUTO:
        kind = IndexType.IVF if n >= settings.ann_threshold else IndexType.FLAT
    if kind is IndexType.FLAT:
        index = faiss.IndexFlatIP(dim)
    else:
        n_lists = ivf_lists(n)
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, n_lists, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).permutation(n)[: min(n, 64 * n_lists)]]
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.nprobe = ivf_probes(n_lists)
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _library_versions() -> dict[str, str]:
    import importlib.metadata as md

    names = ("sentence-transformers", "transformers", "torch", "faiss-cpu", "bm25s", "numpy")
    versions = {}
    for name in names:
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = "missing"
    return versions


# --- load ----------------------------------------------------------------------------------------------

def _article_record(row: object) -> ArticleRecord:
    """One row of articles.json; TypeError when it is not a record of the right types."""
    record = ArticleRecord(**row)  # TypeError for a row that is not an object of these fields
    if not all(isinstance(getattr(record, f), str) for f in ("id", "title", "sha256", "encoding")) \
            or not (_is_int(record.size) and _is_int(record.mtime_ns)):
        raise TypeError(f"articles.json holds a row of the wrong types: {str(row)[:80]}")
    return record


def load(folder: Path) -> Index:
    """Load a built index; damage of any kind raises IndexUnusable with what is wrong."""
    folder = Path(folder)
    raw = read_manifest(folder)
    if raw is None:
        raise IndexUnusable(f"no index in {folder}")
    try:
        manifest = Manifest.from_json(raw)
    except ValueError as exc:
        raise IndexUnusable(f"the index in {folder} is damaged: its manifest is damaged ({exc})") from None
    data = folder / manifest.data
    try:
        articles = tuple(_article_record(r) for r in json.loads((data / "articles.json").read_text(encoding="utf-8")))
        sentence_table = np.load(data / "sentences.npy", allow_pickle=False)
        sentence_passage = np.load(data / "sentence_passage.npy", allow_pickle=False)
        token_ids = Ragged.load(data, "token_ids")
        sentence_bytes = np.load(data / "sentence_bytes.npy", allow_pickle=False)
        passage_table = np.load(data / "passages.npy", allow_pickle=False)
        sentence_vectors = np.load(data / "sentence_vectors.npy", mmap_mode="r", allow_pickle=False)
        text_blob = np.load(data / "texts.npy", mmap_mode="r", allow_pickle=False)
        text_offsets = np.load(data / "text_offsets.npy", allow_pickle=False)
        passage_index = faiss.read_index(str(data / "passages.faiss"))
        passage_vectors = np.load(data / "passage_vectors.npy", mmap_mode="r", allow_pickle=False)
        if isinstance(passage_index, faiss.IndexIVF):
            passage_index.nprobe = ivf_probes(passage_index.nlist)
        terms = json.loads((data / "vocab.json").read_text(encoding="utf-8"))
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ValueError("vocab.json is not a list of terms")
        vocab = {t: i for i, t in enumerate(terms)}
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, RecursionError) as exc:
        raise IndexUnusable(f"the index in {folder} is damaged ({type(exc).__name__}: {exc})") from None
    integer_tables = (sentence_table, sentence_passage, token_ids.values, token_ids.offsets, sentence_bytes,
                      passage_table, text_offsets)
    if (not all(np.issubdtype(t.dtype, np.integer) for t in integer_tables) or text_blob.dtype != np.uint8
            or not np.issubdtype(sentence_vectors.dtype, np.floating)
            or not np.issubdtype(passage_vectors.dtype, np.floating)):
        raise IndexUnusable(f"the index in {folder} is damaged (a table holds values of the wrong type)")
    counts = manifest.counts
    n, m = counts.sentences, counts.passages
    dim = manifest.model.dim
    if (sentence_table.shape != (n, 4) or sentence_bytes.shape != (n, 2) or sentence_passage.shape != (n,) or token_ids.offsets.shape != (n + 1,)
            or passage_table.shape != (m, 3)
            or sentence_vectors.shape != (n, dim) or passage_index.ntotal != m or passage_index.d != dim
            or passage_vectors.shape != (m, dim)
            or len(articles) != counts.articles or text_offsets.shape != (len(articles) + 1,)
            or int(text_offsets[-1]) != text_blob.shape[0] or len(vocab) != len(terms)
            or (token_ids.values.size and int(token_ids.values.max()) >= len(terms))):
        raise IndexUnusable(f"the index in {folder} is damaged (its tables disagree with its manifest)")
    postings = postings_of(token_ids, len(vocab))
    df = np.diff(postings.offsets).astype(np.float32)
    idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    return Index(folder, manifest, articles, text_blob, text_offsets, sentence_table, sentence_bytes, sentence_passage,
                 passage_table, passage_index, passage_vectors, sentence_vectors, vocab, idf, token_ids, postings)


def postings_of(token_ids: Ragged, n_terms: int) -> Ragged:
    """The term -> sentence table: for each vocabulary id, the sentences that hold it, ascending, once each.
    Derived from the per-sentence token ids, so the index never reads the BM25 library's own arrays."""
    n = max(1, len(token_ids.offsets) - 1)
    owner = np.repeat(np.arange(len(token_ids.offsets) - 1, dtype=np.int64), np.diff(token_ids.offsets))
    pairs = np.unique(token_ids.values.astype(np.int64) * n + owner)  # sorted by term, then sentence
    terms = pairs // n
    offsets = np.searchsorted(terms, np.arange(n_terms + 1)).astype(np.int64)
    return Ragged((pairs % n).astype(np.int32), offsets)


def bm25_weights(token_ids: Ragged, postings: Ragged, k1: float, b: float) -> np.ndarray:
    """float32 per entry of `postings`: idf(term) * tf / (tf + k1 * (1 - b + b * length / mean length)), the Lucene
    BM25 that bm25s computes, in its arithmetic (float64, stored as float32), so sums of these equal its scores."""
    n = max(1, len(token_ids.offsets) - 1)
    owner = np.repeat(np.arange(len(token_ids.offsets) - 1, dtype=np.int64), np.diff(token_ids.offsets))
    _, tf = np.unique(token_ids.values.astype(np.int64) * n + owner, return_counts=True)  # postings' order
    lengths = np.diff(token_ids.offsets)
    df = np.diff(postings.offsets)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32).astype(np.float64)
    tf = tf.astype(np.float64)
    norm = k1 * ((1 - b) + b * lengths[postings.values].astype(np.float64) / lengths.mean()) if len(lengths) else 0.0
    return (np.repeat(idf, df) * (tf / (norm + tf))).astype(np.float32)
