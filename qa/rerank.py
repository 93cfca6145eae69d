"""Cross-encoder re-ranking: MiniLM-L6 reads the question and a candidate sentence together and scores the pair.

The base weights are the bi-encoder's own; what makes it a cross-encoder is a low-rank adapter (qa/adapter.py)
plus a scoring head, fitted by benchmarks/fit_reranker.py and shipped as qa/reranker.npz (about 0.6 MB).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from qa.adapter import load_adapted, read_adapter
from qa.config import DEFAULT_BACKEND
from qa.encoder import threads_for, torch_threads

DEFAULT_RERANKER = Path(__file__).resolve().parent / "reranker.npz"
MAX_TOKENS = 128  # question + sentence; the longer of the two is cut first


def pair_scores(model, head_weight, head_bias, tokenizer, question: str, texts: list[str]):
    """Scores (a torch tensor) of (question, text) pairs: mean-pooled last hidden state through a linear head."""
    enc = tokenizer([question] * len(texts), texts, truncation="longest_first", max_length=MAX_TOKENS,
                    padding=True, return_tensors="pt")
    hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return pooled @ head_weight + head_bias


class Reranker:
    """The base model with the adapter merged into its weights; `score` is thread-safe. `backend` "onnx" runs
    the same merged model as an int8 ONNX Runtime graph (qa/onnx_backend.py)."""

    def __init__(self, path: Path = DEFAULT_RERANKER, backend: str = DEFAULT_BACKEND) -> None:
        self.backend = getattr(backend, "value", backend)
        self._lock = threading.Lock()
        if self.backend == "onnx":
            from qa import onnx_backend

            self.info = read_adapter(path, ("head.weight", "head.bias"), "re-ranker adapter")[1]  # checked before the export
            self.onnx = onnx_backend.OnnxModel(onnx_backend.Role.RERANKER, adapter=Path(path))
            return
        import torch

        self.model, self.tokenizer, heads, self.info = load_adapted(path, ("head.weight", "head.bias"), "re-ranker adapter")
        self.head_weight = torch.from_numpy(heads["head.weight"])
        self.head_bias = float(heads["head.bias"][0])

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        """One score per text: higher means the text more likely answers the question."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        if self.backend == "onnx":
            with self._lock:
                return self.onnx.run(self.onnx.tokenize(texts, pairs_with=question))[0].astype(np.float32)
        import torch

        with self._lock, torch.inference_mode(), torch_threads(threads_for(len(texts))):
            out = pair_scores(self.model, self.head_weight, self.head_bias, self.tokenizer, question, texts)
        return out.numpy().astype(np.float32)
