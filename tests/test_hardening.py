"""Hardening: hostile questions, broken corpora, damaged indexes, killed builds and concurrency.
Each case is listed in docs/reliability.md."""

import os
from pathlib import Path
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa import QAError
from qa.chat import Turn, rewrite
from qa.corpus import classify, read_corpus
from qa.engine import QA
from qa.evaluate import normalize_answer
from qa.sentences import split_spans

from conftest import ROOT

FIND = "Where is the new NATO command for Ukraine located?"


# --- questions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["?", "!!! ...", "🙂🚀", "\x00\x07\x1b"])
def test_questions_without_words_are_refused_clearly(seed_engine, question):
    with pytest.raises(QAError, match="no words|empty"):
        seed_engine.answer(question)


@pytest.mark.parametrize("question", [
    "x", "Wo befindet sich das neue NATO-Kommando?", "Где находится новое командование НАТО?",
    "<script>alert(1)</script> Who leads NATO?", "🙂 Where is the NATO command? 🚀",
    "Where\x00 is the new\x1b[31m NATO command\x07 for Ukraine?",
])
def test_odd_questions_get_an_answer_or_a_refusal(seed_engine, question):
    a = seed_engine.answer(question)
    assert a.found in (True, False) and a.evidence and 0.0 <= a.score <= 1.0
    assert "\x00" not in a.question and "\x1b" not in a.question


def test_control_characters_do_not_change_the_answer(seed_engine):
    clean = seed_engine.answer(FIND)
    noisy = seed_engine.answer("Where\x00 is the new\x1b NATO command\x07 for Ukraine located?")
    assert noisy.sentence == clean.sentence


def test_twenty_thousand_character_question(seed_engine):
    a = seed_engine.answer(FIND + " " + "x" * 20_000)
    assert a.notice and "only its first" in a.notice


# --- corpora -------------------------------------------------------------------------------------------

def _article(title: str, body: str) -> str:
    return f"{title}\n\n{body}\n"


def test_only_non_text_files(tmp_path, encoder):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "c" / "data.json").write_text("{}")
    with pytest.raises(QAError, match="no articles to index"):
        QA(tmp_path / "c", tmp_path / "i", encoder=encoder).build()


@pytest.mark.slow
def test_large_article_is_skipped_with_reason(tmp_path, encoder):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text(_article("Small story", "The council met in Brussels on Monday."))
    with open(corpus / "huge.txt", "wb") as f:  # 50 MB of text
        f.write(b"Words words words. " * (50 * 2**20 // 19 + 1))
    engine = QA(corpus, tmp_path / "i", encoder=encoder)
    skipped = engine.build().manifest.skipped
    assert skipped["huge.txt"].startswith("too large (50.0 MB")
    assert engine.answer("Where did the council meet?").source == "ok.txt"


def test_symlink_loops_broken_links_and_unreadable_files(tmp_path, encoder, monkeypatch):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text(_article("Small story", "The council met in Brussels on Monday."))
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)  # a folder loop: never followed
    (corpus / "self.txt").symlink_to(corpus / "self.txt")  # a file link to itself
    (corpus / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (corpus / "secret.txt").write_text("hidden")
    original = os.open

    def os_open(path, *args, **kwargs):
        if Path(path).name == "secret.txt":  # as root, chmod 000 does not stop reads; simulate the OS refusing
            raise PermissionError(13, "Permission denied")
        return original(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    corpus_read = read_corpus(corpus)
    assert [a.id for a in corpus_read.articles] == ["ok.txt"]
    reasons = {s.path: s.reason for s in corpus_read.skipped}
    assert reasons["secret.txt"] == "cannot read: Permission denied"
    assert reasons["self.txt"].startswith("cannot read") and reasons["gone.txt"].startswith("cannot read")


@pytest.mark.slow
def test_duplicate_articles_under_two_names(seed_copy, tmp_path, encoder):
    src = seed_copy / "001_125c12f66963a421.txt"
    (seed_copy / "copy_of_001.txt").write_bytes(src.read_bytes())
    engine = QA(seed_copy, tmp_path / "i", encoder=encoder)
    a = engine.answer(FIND)
    assert a.found and "Wiesbaden" in a.sentence
    assert len({e.sentence for e in a.evidence}) == len(a.evidence)  # the copy never fills the list twice
    assert set(a.supporting_sources) >= {"001_125c12f66963a421.txt", "copy_of_001.txt"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_fuzz_corpus_loader_keeps_offsets(text):
    title, blocks = classify(text)
    for block in blocks:
        assert 0 <= block.start < block.end <= len(text)
        for s, e in split_spans(text, block.start, block.end):
            assert block.start <= s < e <= block.end and text[s:e] == text[s:e].strip()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.text(max_size=80))
def test_fuzz_question_normalisers(question, previous):
    normalize_answer(question)
    rewritten = rewrite(question, Turn(previous or "x", previous or None))
    assert isinstance(rewritten, str)


# --- index faults --------------------------------------------------------------------------------------

def _built(seed_copy, tmp_path, encoder) -> QA:
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    engine.build()
    return engine


@pytest.mark.parametrize("damage", ["truncate_faiss", "delete_sentences", "garbage_manifest", "other_model",
                                    "other_format"])
@pytest.mark.slow
def test_damaged_index_is_rebuilt(seed_copy, tmp_path, encoder, damage):
    engine = _built(seed_copy, tmp_path, encoder)
    data = engine.index.folder / engine.index.manifest.data
    manifest = engine.index_dir / "manifest.json"
    if damage == "truncate_faiss":
        (data / "passages.faiss").write_bytes((data / "passages.faiss").read_bytes()[:50])
    elif damage == "delete_sentences":
        (data / "sentences.npy").unlink()
    elif damage == "garbage_manifest":
        manifest.write_bytes(b"\x00not json")
    elif damage in ("other_model", "other_format"):
        import json

        m = json.loads(manifest.read_text())
        if damage == "other_model":
            m["settings"]["model"] = "some-other-model"
        else:
            m["format_version"] = 1  # an older format is rebuilt; a newer one is refused (test_faults.py)
        manifest.write_text(json.dumps(m))
    fresh = QA(seed_copy, tmp_path / "index", encoder=encoder)
    if damage == "garbage_manifest":
        with pytest.raises(QAError, match="manifest.json is unreadable"):
            fresh.answer(FIND)
        manifest.unlink()  # what the message tells the user to do
        fresh = QA(seed_copy, tmp_path / "index", encoder=encoder)
    assert "Wiesbaden" in fresh.answer(FIND).sentence


@pytest.mark.slow
def test_killed_build_keeps_the_previous_index(seed_copy, tmp_path, encoder):
    from qa import index as index_mod

    engine = _built(seed_copy, tmp_path, encoder)
    before = (engine.index_dir / "manifest.json").read_text()
    flag = tmp_path / "paused"
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{index_mod.PAUSE_FOR_TESTS: str(flag)})
    proc = subprocess.Popen([sys.executable, "-m", "qa", "index", "--force", "--corpus", str(seed_copy),
                             "--index-dir", str(engine.index_dir)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # the build reaches the pause after loading the model and encoding
            if flag.exists() or proc.poll() is not None:
                break
            time.sleep(0.5)
        assert flag.exists(), "the build never reached the point where it writes its data"
        half_written = Path(flag.read_text())
        assert half_written.is_dir() and (half_written / "sentence_vectors.npy").exists()
    finally:
        proc.send_signal(signal.SIGKILL)  # killed half-way through writing its data folder
        proc.wait(timeout=30)
    assert (engine.index_dir / "manifest.json").read_text() == before
    fresh = QA(seed_copy, engine.index_dir, encoder=encoder)
    assert "Wiesbaden" in fresh.answer(FIND).sentence
    fresh.build(force=True)  # the next build removes what the killed one left
    assert not half_written.exists()


# --- concurrency ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_eight_threads_answer_as_one(seed_engine, seed_questions):
    questions = [q["question"] for q in seed_questions] * 3
    alone = [seed_engine.answer(q) for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(seed_engine.answer, questions))
    assert [(a.found, a.sentence, a.answer) for a in together] == [(a.found, a.sentence, a.answer) for a in alone]


@pytest.mark.slow
def test_first_use_from_many_threads_builds_once(seed_copy, tmp_path, encoder, caplog):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    barrier = threading.Barrier(4)

    def ask(_):
        barrier.wait()
        return engine.answer(FIND).sentence

    with caplog.at_level("WARNING", logger="qa"), ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(ask, range(4)))
    assert len(set(answers)) == 1 and caplog.text.count("building the index") == 1


@pytest.mark.slow
def test_app_answers_twenty_concurrent_requests(running_app):
    from gradio_client import Client

    def ask(i):
        client = Client(running_app, verbose=False)
        return client.predict(FIND if i % 2 else "Who is the CEO of Apple?", 3, api_name="/answer")

    started = time.time()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(ask, range(20)))
    assert time.time() - started < 300
    assert all(r["found"] == bool(i % 2) for i, r in enumerate(results))
