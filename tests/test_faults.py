"""Faults a user's folder, disk or second process can cause: nothing of theirs is deleted, builds never race."""

import os
import threading

import pytest

from qa import index as index_mod
from qa.corpus import read_corpus
from qa.engine import QA


def test_build_keeps_the_users_own_folders_in_the_index_folder(seed_copy, tmp_path, encoder):
    index_dir = tmp_path / "embeddings"
    (index_dir / "data-raw").mkdir(parents=True)
    (index_dir / "data-raw" / "results.csv").write_text("x\n")
    (index_dir / ".data-mine.tmp").mkdir()
    (index_dir / ".data-mine.tmp" / "notes.txt").write_text("mine\n")
    engine = QA(seed_copy, index_dir, encoder=encoder)
    engine.build()
    engine.build(force=True)  # a rebuild cleans up after the first build, and only that
    assert (index_dir / "data-raw" / "results.csv").read_text() == "x\n"
    assert (index_dir / ".data-mine.tmp" / "notes.txt").read_text() == "mine\n"
    ours = [p.name for p in index_dir.glob("data-*") if (p / index_mod.BUILD_MARKER).is_file()]
    assert ours == [engine.index.manifest["data"]]


def test_leftovers_of_a_killed_build_are_removed(seed_copy, tmp_path, encoder):
    index_dir = tmp_path / "index"
    engine = QA(seed_copy, index_dir, encoder=encoder)
    engine.build()
    killed = index_dir / ".data-19990101-000000-deadbeef.tmp"
    killed.mkdir()
    (killed / index_mod.BUILD_MARKER).write_text("19990101-000000-deadbeef")
    engine.build(force=True)
    assert not killed.exists()


def test_two_builds_of_one_folder_take_turns(seed_copy, tmp_path, encoder):
    index_dir = tmp_path / "index"
    errors, engines = [], [QA(seed_copy, index_dir, encoder=encoder) for _ in range(3)]

    def run(engine):
        try:
            engine.build(force=True)
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure of a thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    final = index_mod.load(index_dir)
    assert [p.name for p in index_dir.glob("data-*")] == [final.manifest["data"]]
    assert not list(index_dir.glob(".data-*.tmp"))


def test_asking_waits_for_a_build_in_progress(seed_copy, tmp_path, encoder):
    index_dir = tmp_path / "index"
    QA(seed_copy, index_dir, encoder=encoder).build()
    asker = QA(seed_copy, index_dir, encoder=encoder)
    loaded = threading.Event()

    def ask():
        asker.build()
        loaded.set()

    with index_mod.build_lock(index_dir):  # another process's build holds the folder
        thread = threading.Thread(target=ask)
        thread.start()
        assert not loaded.wait(1.0), "the engine loaded the index while a build held its folder"
    thread.join(60)
    assert loaded.is_set() and asker.index.n_sentences > 0


def test_an_edit_while_the_corpus_is_read_is_noticed_next_time(seed_copy, tmp_path, encoder):
    index_dir = tmp_path / "index"
    corpus = read_corpus(seed_copy)
    path = seed_copy / "001_125c12f66963a421.txt"
    # The user saves a new version after the build read the file and before it wrote the manifest.
    path.write_text(path.read_text(encoding="utf-8").replace("Wiesbaden", "Ramstein") + "\nMore.\n", encoding="utf-8")
    index_mod.build(corpus, index_dir, QA(seed_copy, index_dir).settings, encoder)
    assert index_mod.stale_reason(index_dir, seed_copy, QA(seed_copy, index_dir).settings) == \
        "001_125c12f66963a421.txt changed"
    answer = QA(seed_copy, index_dir, encoder=encoder).answer("Where is the new NATO command for Ukraine located?")
    assert "Ramstein" in answer.sentence


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_pipes_and_devices_are_skipped_not_read(seed_copy):
    os.mkfifo(seed_copy / "pipe.txt")
    os.symlink("/dev/zero", seed_copy / "zero.txt")
    corpus = read_corpus(seed_copy)  # before the fix: blocked for ever opening the pipe
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert "not a regular file" in reasons["pipe.txt"]
    assert "not a regular file" in reasons["zero.txt"]
    assert len(corpus.articles) == 5


def test_an_index_folder_that_is_a_file_is_refused_before_any_work(seed_copy, tmp_path):
    from qa.errors import QAError

    not_a_folder = tmp_path / "index"
    not_a_folder.write_text("x")
    with pytest.raises(QAError, match="is a file"):
        QA(seed_copy, not_a_folder).build()


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_rest_indexed(seed_copy, tmp_path, encoder):
    fd = os.open(os.fsencode(seed_copy) + b"/caf\xe9_news.txt", os.O_WRONLY | os.O_CREAT)
    os.write(fd, b"Cafe news\n\nThe cafe opened on Monday in Oslo.\n")
    os.close(fd)
    index_dir = tmp_path / "index"
    engine = QA(seed_copy, index_dir, encoder=encoder)
    index = engine.build()  # before the fix: UnicodeEncodeError writing articles.json
    assert len(index.articles) == 5
    assert "not valid UTF-8" in index.manifest["skipped"]["caf\\xe9_news.txt"]
    assert index_mod.stale_reason(index_dir, seed_copy, engine.settings) is None
