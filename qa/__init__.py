"""article-qa: extractive question answering over a folder of news articles, offline and without an LLM."""

from __future__ import annotations

from qa.answer import Answer, Evidence
from qa.config import Settings
from qa.engine import QA, default_engine
from qa.errors import QAError
from qa.evaluate import Report, evaluate

__all__ = ["QA", "Answer", "Evidence", "Report", "Settings", "QAError", "answer", "default_engine", "evaluate"]



def answer(question: str, *, history: list[str | Answer] | None = None, top_k: int = 5, since: str | None = None,
           until: str | None = None, sources: list[str] | None = None) -> Answer:
    """Answer a question from the default articles (`seeds/`); `since` / `until` (ISO dates) and `sources`
    (outlets or article ids) restrict which articles may answer."""
    return default_engine().answer(question, history=history, top_k=top_k, since=since, until=until,
                                   sources=sources)
