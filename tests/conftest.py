"""Shared fixtures: the real packaged model, loaded once, and a real index over the seed articles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa.config import Settings
from qa.encoder import Encoder
from qa.engine import QA

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return Encoder(Settings().model)


@pytest.fixture(scope="session")
def seed_engine(encoder, tmp_path_factory) -> QA:
    engine = QA(SEEDS, tmp_path_factory.mktemp("seed-index"), encoder=encoder)
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
