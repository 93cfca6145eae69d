"""Settings: validated when made, with the bad value and the valid ones quoted; which fields shape the index."""

from pathlib import Path

import pytest

from qa.config import IndexType, Settings, default_index_dir
from qa.errors import QAError


@pytest.mark.parametrize("field, value, message", [
    ("top_k", 0, "top_k must be a positive integer. Currently, top_k is 0"),
    ("top_k", True, "top_k must be a positive integer. Currently, top_k is True"),
    ("retrieve_k", 2.5, "retrieve_k must be a positive integer. Currently, retrieve_k is 2.5"),
    ("passage_overlap", 4, "passage_overlap must be >= 0 and smaller than passage_sentences (4)"),
    ("rerank_top", -1, "rerank_top must be an integer >= 0"),
    ("context_sentences", 9, "context_sentences must be between 0 and 5"),
    ("answer_threshold", 1.5, "answer_threshold must be in [0, 1]"),
    ("abstain_threshold", -0.1, "abstain_threshold must be in [0, 1]"),
    ("index_type", "hnsw", "index_type must be one of ['auto', 'flat', 'ivf']. Currently, index_type is 'hnsw'"),
    ("model", "", "model must name a packaged model or a folder"),
])
def test_bad_values_are_refused_with_the_value_quoted(field, value, message):
    with pytest.raises(QAError) as info:
        Settings(**{field: value})
    assert message in str(info.value)


def test_replace_validates_too_and_the_enum_accepts_its_value():
    assert Settings(index_type="ivf").index_type is IndexType.IVF
    assert Settings().replace(top_k=3).top_k == 3
    with pytest.raises(QAError, match="top_k"):
        Settings().replace(top_k=-3)


def test_only_index_fields_shape_the_index():
    base = Settings().index_fields()
    for answering in (dict(top_k=9), dict(rerank_top=0), dict(abstain_threshold=0.5), dict(retrieve_k=50)):
        assert Settings(**answering).index_fields() == base
    for shaping in (dict(passage_sentences=3), dict(title_in_passage=False), dict(index_type="flat")):
        assert Settings(**shaping).index_fields() != base


def test_default_index_dir_never_puts_a_users_index_over_the_seed_index(tmp_path):
    assert default_index_dir(tmp_path / "seeds") == (tmp_path / "embeddings").resolve()
    assert default_index_dir(tmp_path / "my news") == (tmp_path / "my news" / ".qa-index").resolve()
    assert isinstance(default_index_dir(Path(".")), Path)
