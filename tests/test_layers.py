"""Data flows one way: no stage imports a stage after it (corpus -> sentences -> passages -> index -> retrieve ->
select -> answer), and only the engine and the tools above it wire stages together."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qa"
STAGES = ["corpus", "sentences", "passages", "index", "retrieve", "scope", "select", "answer"]
ABOVE = ["engine", "evaluate", "calibrate", "cli", "__init__", "__main__"]  # they wire the stages or use the engine


def imports_of(module: str) -> set[str]:
    """Every qa module a module imports, at the top or inside a function."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "qa":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("qa."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("qa.")}
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_no_stage_imports_a_later_stage_or_the_wiring(stage):
    later = set(STAGES[STAGES.index(stage) + 1:]) | set(ABOVE)
    assert not imports_of(stage) & later


def test_helpers_of_the_stages_import_no_stage():
    helpers = {p.stem for p in PACKAGE.glob("*.py")} - set(STAGES) - set(ABOVE)
    assert {"tokens", "answer_types", "encoder", "reader", "rerank"} <= helpers
    for helper in helpers:  # the models and rules the stages use; they may know the corpus's types, no more
        assert not imports_of(helper) & (set(STAGES[1:]) | set(ABOVE)), helper


def test_the_package_init_only_exports():
    assert imports_of("__init__") <= {"answer", "config", "engine", "errors", "evaluate"}
