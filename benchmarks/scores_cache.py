"""The cross-encoder's scores of (question, sentence) pairs kept on disk, so refitting the selector (per fold,
or after a change to the features) re-scores only pairs it has not seen."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np


class CachedScorer:
    """`score(question, texts)` as qa.rerank.Reranker's, remembering every pair in a JSON file. The cache is
    for one adapter: its file name carries the adapter file's hash."""

    def __init__(self, reranker, folder: Path, adapter_file: Path) -> None:
        digest = hashlib.sha256(Path(adapter_file).read_bytes()).hexdigest()[:16]
        self.reranker, self.path = reranker, Path(folder) / f"cross-scores-{digest}.json"
        self.cache: dict[str, float] = json.loads(self.path.read_text()) if self.path.is_file() else {}
        self.new = 0

    @staticmethod
    def key(question: str, text: str) -> str:
        return hashlib.sha1(f"{question}\x00{text}".encode()).hexdigest()

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        keys = [self.key(question, t) for t in texts]
        missing = [(k, t) for k, t in zip(keys, texts) if k not in self.cache]
        if missing:
            scores = self.reranker.score(question, [t for _, t in missing])
            self.cache.update({k: float(s) for (k, _), s in zip(missing, scores.tolist())})
            self.new += len(missing)
            if self.new >= 2000:
                self.save()
        return np.array([self.cache[k] for k in keys], dtype=np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.cache))
        tmp.replace(self.path)
        self.new = 0
