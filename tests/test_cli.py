"""The `qa` command line, run as a user would (a real process)."""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # subprocesses, servers or builds of their own: run by .ci/run


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "qa", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_ask_json_and_text(seed_engine):
    index = str(seed_engine.index_dir)
    done = run("ask", "How much did Germany and the Netherlands promise?", "--index-dir", index, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["found"] and "10 billion euros" in data["sentence"] and data["source"] == "000_7b99441e01d371a2.txt"
    done = run("ask", "Who is the CEO of Apple?", "--index-dir", index)
    assert done.returncode == 0 and "The articles don't answer this." in done.stdout
    done = run("ask", "Who is the new EU High Representative for Foreign Affairs?", "--index-dir", index)
    lines = done.stdout.splitlines()
    assert lines[0] == "Answer: Kaja Kallas" and "Kallas" in lines[2]  # the short answer first, then the sentence


def test_errors_are_one_line_without_traceback(tmp_path):
    for args in (("ask", "   "), ("ask", "Who?", "--corpus", str(tmp_path / "missing")),
                 ("index", "--corpus", str(tmp_path), "--index-dir", str(tmp_path / "idx"))):
        done = run(*args)
        assert done.returncode == 2, done
        lines = [line for line in done.stderr.splitlines() if line.startswith("qa: error:")]
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr


def test_an_abbreviated_option_is_refused_and_builds_nothing(tmp_path):
    # "--index X" was read as "--index-dir X", and with the default corpus rebuilt X from seeds/.
    target = tmp_path / "my-index"
    for args in (("info", "--index", str(target)), ("ask", "Who leads NATO?", "--index", str(target)),
                 ("index", "--corp", str(tmp_path))):
        done = run(*args)
        assert done.returncode == 2 and "unrecognized arguments" in done.stderr, done
    assert not target.exists()


def test_index_and_info(seed_engine):
    done = run("info", "--index-dir", str(seed_engine.index_dir), "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["articles"] == 5 and info["index_type"] == "IndexFlatIP" and info["bytes_on_disk"] > 0
    assert "SQuAD" in info["selector"] and info["cross_encoder_reranks"] == 8


def test_answer_settings_reach_the_engine(seed_engine):
    index = str(seed_engine.index_dir)
    done = run("ask", "How much did Germany and the Netherlands promise?", "--index-dir", index, "--json",
               "--top-k", "2", "--rerank-top", "0", "--context-sentences", "0")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["evidence"]) == 2 and data["context"] == data["sentence"]
    done = run("ask", "How much did Germany and the Netherlands promise?", "--index-dir", index, "--json",
               "--abstain-threshold", "1.0")  # nothing is that sure: a refusal
    assert done.returncode == 0 and json.loads(done.stdout)["found"] is False
    done = run("ask", "Who?", "--index-dir", index, "--top-k", "0")
    assert done.returncode == 2 and "top_k must be a positive integer. Currently, top_k is 0" in done.stderr


def test_ask_with_filters_shows_the_metadata_and_info_counts_inputs(news_engine):
    common = ("--corpus", str(news_engine.corpus), "--index-dir", str(news_engine.index_dir))
    done = run("ask", "How many people have been killed in the fighting in Sudan?", "--until", "2023-04-18",
               "--source", "Reuters", *common)
    assert done.returncode == 0, done.stderr
    assert "185" in done.stdout and "Reuters, 2023-04-17" in done.stdout
    done = run("ask", "What's the latest estimate of what the strike has cost the economy so far?", *common)
    assert "earlier report (2023-09-15): " in done.stdout
    done = run("ask", "Who?", "--since", "17/04/2023", *common)
    assert done.returncode == 2 and "since must be an ISO date" in done.stderr and "'17/04/2023'" in done.stderr
    done = run("info", "--json", *common)
    info = json.loads(done.stdout)
    assert info["inputs"] == {"html": {"files": 4, "articles": 4}, "jsonl": {"files": 1, "articles": 17}}
