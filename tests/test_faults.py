"""Faults a user's folder, disk or second process can cause: nothing of theirs is deleted, builds never race."""

import errno
import json
import os
import shutil
import threading

import numpy as np
import pytest

from qa import cli
from qa import index as index_mod
from qa.corpus import read_corpus
from qa.engine import QA
from qa.errors import QAError

from conftest import DATA

pytestmark = pytest.mark.slow  # subprocesses, servers or builds of their own: run by .ci/run


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
    assert ours == [engine.index.manifest.data]


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
    assert [p.name for p in index_dir.glob("data-*")] == [final.manifest.data]
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
    assert "not valid UTF-8" in index.manifest.skipped["caf\\xe9_news.txt"]
    assert index_mod.stale_reason(index_dir, seed_copy, engine.settings) is None


def _encoded(encoder, monkeypatch) -> list[int]:
    """Count the texts the (real) encoder is given."""
    texts, encode = [0], encoder.encode

    def counting(batch, **kwargs):
        texts[0] += len(batch)
        return encode(batch, **kwargs)

    monkeypatch.setattr(encoder, "encode", counting)
    return texts


def test_a_read_only_index_folder_is_refused_before_encoding(seed_copy, tmp_path, encoder, monkeypatch):
    index_dir = tmp_path / "index"
    QA(seed_copy, index_dir, encoder=encoder).build()
    (seed_copy / "new.txt").write_text("New story\n\nThe council met in Oslo on Monday.\n", encoding="utf-8")
    mkdir = os.mkdir

    def read_only(path, *args, **kwargs):  # as root, chmod cannot make a folder read-only; this can
        if str(path).startswith(str(index_dir)):
            raise PermissionError(errno.EROFS, "Read-only file system", str(path))
        return mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    encoded = _encoded(encoder, monkeypatch)
    with pytest.raises(QAError, match="cannot write the index .*read-only.*--index-dir"):
        QA(seed_copy, index_dir, encoder=encoder).build()
    assert encoded == [0]


def test_a_full_disk_is_a_one_line_error_and_the_old_index_stays(seed_copy, tmp_path, encoder, monkeypatch):
    index_dir = tmp_path / "index"
    engine = QA(seed_copy, index_dir, encoder=encoder)
    engine.build()
    before = engine.index.manifest.data

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    with pytest.raises(QAError, match="disk is full; free some space or pass --index-dir"):
        engine.build(force=True)
    monkeypatch.undo()
    assert not list(index_dir.glob(".data-*.tmp"))
    assert index_mod.load(index_dir).manifest.data == before


def _cli_error(capsys, *argv: str) -> str:
    assert cli.main(list(argv)) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qa: error:"), err
    return lines[0]


def test_eval_and_calibrate_refuse_a_bad_out_before_any_work(seed_copy, tmp_path, capsys):
    questions = str(DATA / "seed_questions.jsonl")
    index_dir = tmp_path / "index"
    a_file = tmp_path / "report.txt"
    a_file.write_text("mine")
    line = _cli_error(capsys, "eval", questions, "--out", str(a_file), "--corpus", str(seed_copy),
                      "--index-dir", str(index_dir))
    assert "is a file, not a folder" in line and a_file.read_text() == "mine"
    a_folder = tmp_path / "out"
    a_folder.mkdir()
    line = _cli_error(capsys, "calibrate", questions, "--out", str(a_folder), "--corpus", str(seed_copy),
                      "--index-dir", str(index_dir))
    assert "is a folder: pass --out FILE" in line
    assert not (tmp_path / "out.tmp").exists()
    assert not index_dir.exists()  # refused before the index was built or a question answered


def test_report_and_selector_writes_that_fail_are_one_line_errors(tmp_path, monkeypatch):
    from qa.evaluate import Report, write_report
    from qa.select import DEFAULT_SELECTOR, Selector

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    selector = Selector.load(DEFAULT_SELECTOR)
    monkeypatch.setattr(type(tmp_path), "write_text", full)
    with pytest.raises(QAError, match="cannot write the selector .*disk is full"):
        selector.save(tmp_path / "selector.json")
    with pytest.raises(QAError, match="cannot write the report .*disk is full"):
        write_report(Report({}, {}, []), tmp_path / "report")
    assert not list(tmp_path.glob("*.tmp"))


def test_add_checks_every_file_before_copying_any(seed_copy, tmp_path, encoder):
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    for folder, text in (("a", "First story\n\nOne thing happened.\n"), ("b", "Other story\n\nAnother.\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(text)
    with pytest.raises(QAError, match="both named x.txt; rename one"):
        engine.add([tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt"])
    assert not (seed_copy / "x.txt").exists()


def test_add_says_what_was_added_and_what_was_skipped(seed_copy, tmp_path, encoder, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "empty.txt").write_text("")
    (outside / ".hidden.txt").write_text("Hidden story\n\nIt happened.\n")
    (outside / "bin.txt").write_bytes(bytes(range(256)) * 8)
    (outside / "real.txt").write_text("Real story\n\nThe real council met in Bergen on Friday.\n")
    os.symlink(outside / "real.txt", seed_copy / "real.txt")  # the corpus already links to it
    bad = [str(outside / n) for n in ("empty.txt", ".hidden.txt", "bin.txt")]
    line = _cli_error(capsys, "add", *bad, "--corpus", str(seed_copy), "--index-dir", str(tmp_path / "i"))
    assert "nothing was added" in line and "empty file" in line and ".hidden.txt: hidden file" in line
    assert "binary data" in line
    engine = QA(seed_copy, tmp_path / "index", encoder=encoder)
    result = engine.add([outside / "real.txt", outside / "empty.txt"])  # before the fix: SameFileError
    assert result.added == ("real.txt",)
    assert [(s.path, s.reason) for s in result.skipped] == [(str(outside / "empty.txt"), "empty file")]
    assert not (seed_copy / "empty.txt").exists() and (seed_copy / "real.txt").is_symlink()


FIND = "Where is the new NATO command for Ukraine located?"


def _edit_manifest(change):
    def damage(index_dir, data):
        path = index_dir / "manifest.json"
        manifest = json.loads(path.read_text())
        change(manifest)
        path.write_text(json.dumps(manifest))
    return damage


def _write(name, text):
    return lambda index_dir, data: (index_dir / name).write_text(text)


def _manifest_folder(index_dir, data):
    (index_dir / "manifest.json").unlink()
    (index_dir / "manifest.json").mkdir()


def _float_sentences(index_dir, data):
    np.save(data / "sentences.npy", np.load(data / "sentences.npy").astype(np.float64))


def _selector_without_weights(index_dir, data):
    from qa.select import DEFAULT_SELECTOR

    selector = json.loads(DEFAULT_SELECTOR.read_text())
    del selector["weights"]
    (index_dir / "selector.json").write_text(json.dumps(selector))


REBUILT = None
DAMAGES = {  # damage -> None (rebuilt on next use) or what the refusal says
    "manifest_is_a_list": (_write("manifest.json", "[]"), REBUILT),
    "articles_is_a_list": (_edit_manifest(lambda m: m.update(articles=[])), REBUILT),
    "article_entry_is_text": (_edit_manifest(lambda m: m["articles"].update({k: "x" for k in m["articles"]})),
                              REBUILT),
    "counts_is_text": (_edit_manifest(lambda m: m.update(counts="x")), REBUILT),
    "model_is_text": (_edit_manifest(lambda m: m.update(model="x")), REBUILT),
    "sentences_as_float64": (_float_sentences, REBUILT),
    "manifest_is_a_folder": (_manifest_folder, "manifest.json is not a file; move it out"),
    "excluded_is_a_number": (_write("excluded.json", "5"), "excluded.json is damaged"),
    "excluded_holds_lists": (_write("excluded.json", "[[1]]"), "excluded.json is damaged"),
    "selector_is_a_list": (_write("selector.json", "[]"), "selector .* is damaged"),
    "selector_without_weights": (_selector_without_weights, "selector .* is damaged .*'weights'"),
    "newer_format": (_edit_manifest(lambda m: m.update(format_version=index_mod.FORMAT_VERSION + 1)),
                     "built by a newer article-qa .*: upgrade, or pass another --index-dir"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_hand_edited_or_damaged_index_files_rebuild_or_are_refused(seed_engine, seed_copy, tmp_path, encoder,
                                                                   damage):
    index_dir = tmp_path / "index"
    shutil.copytree(seed_engine.index_dir, index_dir)  # the seed copy keeps the seeds' times: up to date
    data = index_dir / json.loads((index_dir / "manifest.json").read_text())["data"]
    change, refusal = DAMAGES[damage]
    change(index_dir, data)
    engine = QA(seed_copy, index_dir, encoder=encoder)
    if refusal is REBUILT:
        assert "Wiesbaden" in engine.answer(FIND).sentence
        assert index_mod.manifest_problem(index_mod.read_manifest(index_dir)) is None
    else:
        with pytest.raises(QAError, match=refusal) as refused:
            engine.answer(FIND)
        assert not isinstance(refused.value, index_mod.IndexUnusable)  # not rebuilt over
        assert len(str(refused.value).splitlines()) == 1


def test_an_invisible_character_inside_a_name_does_not_split_it(tmp_path, encoder):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "chair.txt").write_text("News from Oslo\n\nThe committee is chaired by Ker\u200bmit Ødegård, "
                                      "a former envoy to Oslo.\n", encoding="utf-8")
    (folder / "rain.txt").write_text("Rain in Bergen\n\nHeavy rain fell in Bergen on Friday, the weather service "
                                     "said.\n", encoding="utf-8")
    engine = QA(folder, tmp_path / "index", encoder=encoder)
    vocab = engine.index.bm25.vocab_dict  # BM25 matches the whole name
    assert "kermit" in vocab and "ker" not in vocab
    a = engine.answer("Who chairs the committee?")
    assert a.evidence[0].source == "chair.txt"
    top = a.evidence[0]
    assert a.answer == "Ker\u200bmit Ødegård", a  # the whole name, taken from the original text by offsets
    assert top.sentence[a.answer_start - top.start:a.answer_end - top.start] == a.answer
