"""Shared fixtures: the real packaged model, loaded once, and a real index over the seed articles."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.config import Settings
from qa.encoder import Encoder
from qa.engine import QA

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
# The news development set, checked out beside the project (as CI does); tests that read it skip without it.
NEWS_SET = ROOT.parent / "shared" / "eval" / "news"
NO_NEWS_SET = pytest.mark.skipif(not NEWS_SET.is_dir(), reason="the news development set is not checked out beside the project")


def articles(encoder, tmp_path: Path, files: dict[str, str]) -> QA:
    """An engine over a corpus of these articles (file name -> text), built."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    engine = QA(corpus, tmp_path / "index", encoder=encoder)
    engine.build()
    return engine


def one_article(encoder, tmp_path: Path, text: str, name: str = "story.txt") -> QA:
    """An engine over a corpus of one article (`text` in a file `name`), built."""
    return articles(encoder, tmp_path, {name: text})


def sentence_starting(index, prefix: str) -> int:
    """The first sentence of the index whose text starts with `prefix`."""
    return next(i for i in range(index.n_sentences) if index.sentence_text(i).startswith(prefix))


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return Encoder(Settings().model, backend=Settings().backend)


@pytest.fixture(scope="session")
def seed_engine(encoder, tmp_path_factory) -> QA:
    engine = QA(SEEDS, tmp_path_factory.mktemp("seed-index"), encoder=encoder)
    engine.build()
    return engine


@pytest.fixture(scope="session")
def news_engine(encoder, tmp_path_factory) -> QA:
    """The news development set's articles as saved web pages and a JSONL export (tests/data/news)."""
    engine = QA(DATA / "news", tmp_path_factory.mktemp("news-index"), encoder=encoder)
    engine.build()
    return engine


@pytest.fixture(scope="session")
def seed_questions() -> list[dict]:
    return [json.loads(line) for line in (DATA / "seed_questions.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture()
def seed_copy(tmp_path) -> Path:
    """A writable copy of the seed articles."""
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def running_app(seed_engine):
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index-dir",
                             str(seed_engine.index_dir)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 240
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise AssertionError("the app did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)
