"""Build, save and load the index folder (FAISS passages, sentence table and vectors, BM25, manifest)."""

from __future__ import annotations

import contextlib
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

import faiss
import filelock
import numpy as np

from qa import corpus as corpus_mod
from qa.config import IndexType, Settings
from qa.corpus import BlockKind, Corpus
from qa.encoder import Encoder, model_path
from qa.errors import QAError, os_failure
from qa.passages import embedding_text, make_passages
from qa.sentences import split_article
from qa.answer_types import CUE_KINDS, PRONOUN_START, cue_stems
from qa.tokens import tokens

FORMAT_VERSION = 7  # 7: the BM25 vocabulary as our own table (vocab.json), so loading needs no bm25s/scipy
BM25_K1, BM25_B = 1.2, 0.75
MANIFEST = "manifest.json"
BUILD_MARKER = ".qa-build"  # written into every data folder we make: only folders holding it are ever deleted
LOCK_FILE = ".qa-build.lock"
SEARCH_ONLY = ("index_type", "ann_threshold")  # index settings that change how passages are searched, not vectors
KINDS = tuple(BlockKind)
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
    manifest: dict
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
    vocab: dict  # BM25 vocabulary: stemmed token -> id (the ids of token_ids, postings, cue_ids)
    idf: np.ndarray  # float32 per BM25 vocabulary id
    token_ids: "Ragged"  # per sentence: its stemmed content tokens as BM25 vocabulary ids, in order
    postings: "Ragged"  # per vocabulary id: the sentences that hold it, ascending (derived from token_ids)
    cue_ids: "Ragged"  # per sentence, rows 3i..3i+2: stems inside its date / number / entity cues
    pronoun_start: np.ndarray  # bool (n,): the sentence opens with a pronoun ("He said ...")

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
        for i, t in enumerate(token_ids):
            out[i] = np.isin(sentences, self.postings.values[self.postings.offsets[t]:self.postings.offsets[t + 1]])
        return out

    def sentence_kind(self, sentence: int) -> BlockKind:
        return KINDS[int(self.sentence_table[sentence, 3])]

    def term_ids(self, terms: list[str]) -> list[int]:
        """Vocabulary ids of the terms that are in the vocabulary, in order (repeats kept)."""
        return [self.vocab[t] for t in terms if t in self.vocab]

    @functools.cached_property
    def bm25_weights(self) -> "Ragged":
        """The postings with each (term, sentence) pair's BM25 weight as values (retrieve.bm25_top sums them)."""
        return Ragged(bm25_weights(self.token_ids, self.postings, BM25_K1, BM25_B), self.postings.offsets)

    @functools.cached_property
    def bm25(self):
        """The bm25s index the build wrote (bm25s.BM25), loaded on first use: tests compare our scores with it;
        answering never needs it (nor bm25s's scipy)."""
        import bm25s

        return bm25s.BM25.load(str(self.folder / self.manifest["data"] / "bm25"), mmap=False, show_progress=False,
                               verbosity=0)


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
    """What is wrong with the shape of a manifest (a hand edit, a damaged file), or None."""
    if not isinstance(manifest, dict):
        return f"it holds a {type(manifest).__name__}, not an object"
    fields = {"format_version": int, "data": str, "model": dict, "settings": dict, "counts": dict,
              "articles": dict, "skipped": dict}
    for name, kind in fields.items():
        value = manifest.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"'{name}' is {json.dumps(value)[:40]}, not a {kind.__name__}"
    model, counts = manifest["model"], manifest["counts"]
    if not (isinstance(model.get("name"), str) and _is_int(model.get("dim"))):
        return "'model' lacks its name or dimension"
    if not all(_is_int(counts.get(k)) and counts[k] >= 0 for k in ("articles", "passages", "sentences")):
        return "'counts' lacks a count of articles, passages or sentences"
    for name, record in manifest["articles"].items():
        if not (isinstance(record, dict) and isinstance(record.get("sha256"), str)
                and _is_int(record.get("size")) and _is_int(record.get("mtime_ns"))):
            return f"the entry of article {name!r} is not a record of its hash, size and time"
    if not all(isinstance(reason, str) for reason in manifest["skipped"].values()):
        return "'skipped' holds a reason that is not text"
    return None


def stale_reason(folder: Path, corpus_root: Path, settings: Settings,
                 excluded: frozenset[str] = frozenset()) -> str | None:
    """Why the index in `folder` does not match the corpus and settings, or None if it does.

    Reads only the manifest and the files' sizes and times; a file whose stamp changed is hashed,
    so a touched but unchanged article does not force a rebuild.
    """
    manifest = read_manifest(folder)
    if manifest is None:
        return "no index yet"
    problem = manifest_problem(manifest)
    if problem is not None:
        return f"the manifest is damaged ({problem})"
    if manifest.get("format_version") != FORMAT_VERSION:
        return f"index format {manifest.get('format_version')} is not the current {FORMAT_VERSION}"
    if manifest.get("settings") != settings.index_fields():
        return "the index settings changed"
    installed = model_path(settings.model)[1]
    if manifest["model"].get("version") != installed:
        return f"the model {settings.model} is now version {installed}, not {manifest['model'].get('version')}"
    stamps = {k: v for k, v in corpus_mod.scan(corpus_root).items() if k not in excluded}
    recorded = manifest.get("articles", {})
    if set(recorded) & excluded:
        return "article(s) were removed"
    added, removed = stamps.keys() - recorded.keys(), recorded.keys() - stamps.keys()
    skipped = {k for k, why in manifest.get("skipped", {}).items() if why != corpus_mod.REMOVED}
    added -= skipped
    if added or removed:
        return f"{len(added)} article(s) added and {len(removed)} removed"
    for name, st in stamps.items():
        if name in skipped:
            continue
        rec = recorded[name]
        if st.size == rec["size"] and st.mtime_ns == rec["mtime_ns"]:
            continue
        try:
            digest = hashlib.sha256((Path(corpus_root) / name).read_bytes()).hexdigest()
        except OSError:
            return f"{name} became unreadable"
        if digest != rec["sha256"]:
            return f"{name} changed"
    return None


# --- build ----------------------------------------------------------------------------------------

def _progress(iterable, desc: str, total: int, enabled: bool):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, unit="article", file=sys.stderr)


def _reusable_vectors(previous: "Index | None", encoder: Encoder, settings: Settings) -> dict[str, tuple]:
    """Per unchanged-candidate article of the previous index (same model and the same settings that shape
    vectors; the passage search type does not): its content hash, sentence spans and kinds, passage windows,
    and their vectors."""
    if previous is None:
        return {}
    manifest = previous.manifest
    recorded = manifest.get("settings")
    shaping = {k: v for k, v in settings.index_fields().items() if k not in SEARCH_ONLY}
    if (not isinstance(recorded, dict) or {k: v for k, v in recorded.items() if k not in SEARCH_ONLY} != shaping
            or manifest.get("model", {}).get("name") != encoder.info.name
            or manifest.get("model", {}).get("version") != encoder.info.version):
        return {}
    p_bounds = np.searchsorted(previous.passage_table[:, 0], np.arange(len(previous.articles) + 1))
    out = {}
    for a, record in enumerate(previous.articles):
        (s0, s1), p0, p1 = previous.article_sentences(a), p_bounds[a], p_bounds[a + 1]
        sentences = previous.sentence_table[s0:s1, 1:4]
        passages = previous.passage_table[p0:p1, 1:3] - s0
        out[record.id] = (record.sha256, sentences, passages, previous.sentence_vectors[s0:s1],
                          previous.passage_vectors[p0:p1])
    return out


def build(corpus: Corpus, folder: Path, settings: Settings, encoder: Encoder, *, progress: bool = False,
          previous: "Index | None" = None) -> dict[str, int]:
    """Index a corpus into `folder`. Data goes to a new sub-folder and `manifest.json` is replaced last,
    so an interrupted build leaves the previous index untouched.

    With the `previous` index, articles whose content and sentences are unchanged keep their vectors and
    only added or changed articles are encoded. Returns counts of articles encoded and reused."""
    if not corpus.articles:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in corpus.skipped[:5])
        raise QAError(
            f"no articles to index in {corpus.root} (it needs .txt or .md files"
            + (f"; skipped {reasons}" if reasons else "") + ")"
        )
    started = time.perf_counter()
    sentence_rows, passage_rows, sentence_passage, sentence_bytes = [], [], [], []
    sentence_texts, passage_texts, records, blobs = [], [], [], []
    blob_size = 0
    reusable = _reusable_vectors(previous, encoder, settings)
    reused: list[tuple[int, int, np.ndarray, int, int, np.ndarray]] = []  # where copied vectors go
    to_encode_passages, to_encode_sentences = [], []  # global row numbers that need the encoder
    for a_idx, article in enumerate(_progress(corpus.articles, "reading", len(corpus.articles), progress)):
        sentences = split_article(article)
        offset = len(sentence_rows)
        passages = make_passages(sentences, offset, settings)
        first_passage = len(passage_rows)
        holder = [-1] * len(sentences)
        for p_idx, passage in enumerate(passages):
            passage_rows.append((a_idx, passage.first, passage.last))
            kind = sentences[passage.first - offset].kind
            passage_texts.append(embedding_text(passage, article.title, kind, settings))
            for s in range(passage.first - offset, passage.last - offset):
                if holder[s] < 0:
                    holder[s] = first_passage + p_idx
        char_at, byte_at = 0, blob_size  # walk the article once: character offsets -> byte offsets
        for s in sentences:
            sentence_rows.append((a_idx, s.start, s.end, KINDS.index(s.kind)))
            sentence_texts.append(s.text)
            byte_at += len(article.text[char_at:s.start].encode("utf-8"))
            byte_end = byte_at + len(s.text.encode("utf-8"))
            sentence_bytes.append((byte_at, byte_end))
            char_at, byte_at = s.end, byte_end
        sentence_passage.extend(holder)
        blobs.append(article.text.encode("utf-8"))
        blob_size += len(blobs[-1])
        # The stamp taken before the bytes were read: an edit during the build leaves it behind the file,
        # so the next run hashes the file again and sees the change.
        records.append(ArticleRecord(article.id, article.title, article.sha256, article.stamp.size,
                                     article.stamp.mtime_ns, article.encoding, article.author, article.published))
        old = reusable.get(article.id)
        new_sentences = np.asarray(sentence_rows[offset:], dtype=np.int64).reshape(-1, 4)[:, 1:4]
        new_passages = np.asarray(passage_rows[first_passage:], dtype=np.int64).reshape(-1, 3)[:, 1:3] - offset
        if (old is not None and old[0] == article.sha256 and np.array_equal(old[1], new_sentences)
                and np.array_equal(old[2], new_passages)):
            reused.append((offset, len(sentences), old[3], first_passage, len(passages), old[4]))
        else:
            to_encode_sentences.extend(range(offset, offset + len(sentences)))
            to_encode_passages.extend(range(first_passage, first_passage + len(passages)))

    # The data folder is made before the encoder runs: a folder that cannot be written is refused before the
    # expensive part, not after it.
    folder = Path(folder)
    build_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:8]
    data = folder / f"data-{build_id}"
    tmp = folder / f".data-{build_id}.tmp"
    unwritable = f"write the index in {folder}", "pass --index-dir DIR with a writable folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        (tmp / BUILD_MARKER).write_text(build_id, encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise os_failure(unwritable[0], exc, unwritable[1]) from None
    try:
        dim = encoder.info.dim
        passage_vectors = np.zeros((len(passage_texts), dim), dtype=np.float32)
        sentence_vectors = np.zeros((len(sentence_texts), dim), dtype=np.float32)
        fresh = encoder.encode([passage_texts[i] for i in to_encode_passages]
                               + [sentence_texts[i] for i in to_encode_sentences], progress=progress)
        passage_vectors[to_encode_passages] = fresh[: len(to_encode_passages)]
        sentence_vectors[to_encode_sentences] = fresh[len(to_encode_passages):]
        for s0, ns, s_vectors, p0, np_, p_vectors in reused:
            sentence_vectors[s0:s0 + ns] = s_vectors
            passage_vectors[p0:p0 + np_] = p_vectors
        try:
            _write_data(tmp, passage_vectors, sentence_vectors, sentence_rows, sentence_bytes, sentence_passage,
                        passage_rows, blobs, records, sentence_texts, settings)
            os.rename(tmp, data)
        except OSError as exc:  # a full disk, a folder made read-only meanwhile
            raise os_failure(unwritable[0], exc, unwritable[1]) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    manifest = {
        "format_version": FORMAT_VERSION,
        "data": data.name,
        "model": {"name": encoder.info.name, "version": encoder.info.version, "dim": encoder.info.dim},
        "settings": settings.index_fields(),
        "versions": _library_versions(),
        "counts": {"articles": len(records), "passages": len(passage_rows), "sentences": len(sentence_rows)},
        "build_seconds": round(time.perf_counter() - started, 3),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "articles": {r.id: {"sha256": r.sha256, "size": r.size, "mtime_ns": r.mtime_ns} for r in records},
        "skipped": {s.path: s.reason for s in corpus.skipped},
    }
    previous_data = _manifest_data(folder)
    tmp_manifest = folder / f".{MANIFEST}.{build_id}.tmp"
    try:
        tmp_manifest.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp_manifest, folder / MANIFEST)
    except OSError as exc:
        tmp_manifest.unlink(missing_ok=True)
        shutil.rmtree(data, ignore_errors=True)
        raise os_failure(unwritable[0], exc, unwritable[1]) from None
    _remove_old_builds(folder, keep=data.name, previous=previous_data)
    return {"encoded": len(records) - len(reused), "reused": len(reused)}


# Tests set this to a file path: a build then writes the path of its half-written data folder there and waits,
# so that a test can kill it at exactly this point (tests/test_hardening.py).
PAUSE_FOR_TESTS = "QA_TEST_PAUSE_BUILD"


def _pause_for_tests(tmp: Path) -> None:
    flag = os.environ.get(PAUSE_FOR_TESTS)
    if flag:
        Path(flag).write_text(str(tmp), encoding="utf-8")
        while True:
            time.sleep(1)


def _write_data(tmp: Path, passage_vectors: np.ndarray, sentence_vectors: np.ndarray, sentence_rows: list,
                sentence_bytes: list, sentence_passage: list, passage_rows: list, blobs: list[bytes],
                records: list[ArticleRecord], sentence_texts: list[str], settings: Settings) -> None:
    """Every table of a build into the temporary data folder `tmp`."""
    # Written by Python, not by faiss.write_index, so that a full disk is an OSError like every other write here.
    (tmp / "passages.faiss").write_bytes(faiss.serialize_index(make_search_index(passage_vectors, settings)).tobytes())
    np.save(tmp / "passage_vectors.npy", passage_vectors.astype(np.float16))
    np.save(tmp / "sentence_vectors.npy", sentence_vectors.astype(np.float16))
    _pause_for_tests(tmp)
    np.save(tmp / "sentences.npy", np.asarray(sentence_rows, dtype=np.int64).reshape(-1, 4))
    np.save(tmp / "sentence_bytes.npy", np.asarray(sentence_bytes, dtype=np.int64).reshape(-1, 2))
    np.save(tmp / "sentence_passage.npy", np.asarray(sentence_passage, dtype=np.int32))
    np.save(tmp / "passages.npy", np.asarray(passage_rows, dtype=np.int64).reshape(-1, 3))
    blob = b"".join(blobs)
    np.save(tmp / "texts.npy", np.frombuffer(blob, dtype=np.uint8))
    np.save(tmp / "text_offsets.npy", np.cumsum([0] + [len(b) for b in blobs], dtype=np.int64))
    (tmp / "articles.json").write_text(json.dumps([r.__dict__ for r in records], ensure_ascii=False),
                                       encoding="utf-8")
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    sentence_tokens = [tokens(t) for t in sentence_texts]
    bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    bm25.index(sentence_tokens, show_progress=False)
    vocab = bm25.vocab_dict
    terms = [""] * len(vocab)
    for term, i in vocab.items():
        terms[i] = term
    (tmp / "vocab.json").write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    Ragged.from_rows([[vocab[t] for t in toks] for toks in sentence_tokens]).save(tmp, "token_ids")
    cue_rows = []
    for text in sentence_texts:
        cues = cue_stems(text)
        cue_rows.extend([vocab[t] for t in cues[kind] if t in vocab] for kind in CUE_KINDS)
    Ragged.from_rows(cue_rows).save(tmp, "cue_ids")
    np.save(tmp / "pronoun_start.npy", np.array([bool(PRONOUN_START.match(t)) for t in sentence_texts]))
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
    manifest = read_manifest(folder)
    if manifest is None:
        raise IndexUnusable(f"no index in {folder}")
    problem = manifest_problem(manifest)
    if problem is not None:
        raise IndexUnusable(f"the index in {folder} is damaged: its manifest is damaged ({problem})")
    data = folder / manifest["data"]
    try:
        articles = tuple(_article_record(r) for r in json.loads((data / "articles.json").read_text(encoding="utf-8")))
        sentence_table = np.load(data / "sentences.npy", allow_pickle=False)
        sentence_passage = np.load(data / "sentence_passage.npy", allow_pickle=False)
        token_ids = Ragged.load(data, "token_ids")
        cue_ids = Ragged.load(data, "cue_ids")
        pronoun_start = np.load(data / "pronoun_start.npy", allow_pickle=False)
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
    integer_tables = (sentence_table, sentence_passage, token_ids.values, token_ids.offsets, cue_ids.values,
                      cue_ids.offsets, sentence_bytes, passage_table, text_offsets)
    if (not all(np.issubdtype(t.dtype, np.integer) for t in integer_tables) or text_blob.dtype != np.uint8
            or pronoun_start.dtype != np.bool_ or not np.issubdtype(sentence_vectors.dtype, np.floating)
            or not np.issubdtype(passage_vectors.dtype, np.floating)):
        raise IndexUnusable(f"the index in {folder} is damaged (a table holds values of the wrong type)")
    counts = manifest["counts"]
    n, m = counts["sentences"], counts["passages"]
    dim = manifest["model"]["dim"]
    if (sentence_table.shape != (n, 4) or sentence_bytes.shape != (n, 2) or sentence_passage.shape != (n,) or token_ids.offsets.shape != (n + 1,) or cue_ids.offsets.shape != (3 * n + 1,) or pronoun_start.shape != (n,) or passage_table.shape != (m, 3)
            or sentence_vectors.shape != (n, dim) or passage_index.ntotal != m or passage_index.d != dim
            or passage_vectors.shape != (m, dim)
            or len(articles) != counts.get("articles") or text_offsets.shape != (len(articles) + 1,)
            or int(text_offsets[-1]) != text_blob.shape[0] or len(vocab) != len(terms)
            or (token_ids.values.size and int(token_ids.values.max()) >= len(terms))):
        raise IndexUnusable(f"the index in {folder} is damaged (its tables disagree with its manifest)")
    postings = postings_of(token_ids, len(vocab))
    df = np.diff(postings.offsets).astype(np.float32)
    idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    return Index(folder, manifest, articles, text_blob, text_offsets, sentence_table, sentence_bytes, sentence_passage,
                 passage_table, passage_index, passage_vectors, sentence_vectors, vocab, idf, token_ids, postings, cue_ids,
                 pronoun_start)


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
