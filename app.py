"""The Gradio chat UI over the articles: presentation only; every answer comes from the engine (qa.QA)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry: the page and server stay local
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from qa import QA, Answer, QAError  # noqa: E402
from qa.config import default_corpus  # noqa: E402

EXAMPLES = [
    "How much money did Germany and the Netherlands promise?",
    "Where is the new NATO command for Ukraine located?",
    "Who is the new EU High Representative for Foreign Affairs?",
    "Which meeting will she attend?",
    "How do most wars end, according to Stoltenberg?",
    "Who is the CEO of Apple?",
]
# System fonts only: the default theme would fetch web fonts from the internet.
THEME = gr.themes.Soft(font=["system-ui", "-apple-system", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
                       font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"])
CSS = """
.qa-reply mark { background: #fde68a; color: inherit; padding: 0 2px; border-radius: 3px; }
.qa-reply blockquote { margin: 6px 0; padding-left: 10px; border-left: 3px solid #cbd5e1; }
.qa-reply small { color: #64748b; }
"""
log = logging.getLogger("qa.app")


# HTML's and Markdown's special characters, each as a numeric entity, in one pass.
_INERT = str.maketrans({ch: f"&#{ord(ch)};" for ch in "&<>\"'*_`#[]|~\\$"})


def escape(text: str) -> str:
    """Article text as inert text: nothing in it can become markup, HTML or Markdown."""
    return " ".join(text.translate(_INERT).split())


def highlighted(context: str, context_start: int, start: int, end: int) -> str:
    """The context with the supporting sentence inside <mark>, found by offsets, never by search."""
    a, b = start - context_start, end - context_start
    return f"{escape(context[:a])} <mark>{escape(context[a:b])}</mark> {escape(context[b:])}".strip()


def confidence_words(score: float) -> str:
    """The confidence in words, so that a low one is not only a small percentage."""
    if score >= 0.8:
        return "confident"
    if score >= 0.5:
        return "fairly confident"
    return "not sure: check the passage"


def render(a: Answer) -> str:
    """One chat reply as HTML."""
    parts = ['<div class="qa-reply">']
    if a.notice:
        parts.append(f"<p><small>Note: {escape(a.notice)}</small></p>")
    if a.rewritten:
        parts.append(f"<p><small>Read as: “{escape(a.rewritten)}”</small></p>")
    if a.found:
        if a.answer:
            parts.append(f"<p><strong>{escape(a.answer)}</strong></p>")
        # The supporting span: the sentence, or the sentence with the one it continues (a quote after "said:").
        start = max(a.context_start, a.support_start if a.support_start is not None else a.start)
        end = min(a.context_end, a.support_end if a.support_end is not None else a.end)
        parts.append(f"<blockquote>{highlighted(a.context, a.context_start, start, end)}</blockquote>")
        also = len(a.supporting_sources) - 1
        agree = f" · also supported by {also} other article{'s' if also > 1 else ''}" if also > 0 else ""
        dated = "".join(f", {escape(x)}" for x in (a.author, a.outlet, a.published) if x)
        parts.append(f"<p><small>Source: <em>{escape(a.title)}</em>{dated} ({escape(a.source)}) · "
                     f"{confidence_words(a.score)} ({a.score:.0%}){agree}</small></p>")
        if a.earlier:
            parts.append(f"<p><small>{escape(a.earlier[:1].upper() + a.earlier[1:])}</small></p>")
        others, label = a.evidence[1:], "Other evidence"
    else:
        parts.append("<p>The articles don't answer this.</p>")
        if a.evidence:
            parts.append(f"<p><small>The closest is from <em>{escape(a.evidence[0].title)}</em>; if that is the "
                         "story you mean, try naming who or what you ask about as the article does.</small></p>")
        others, label = a.evidence, "Closest passages"
    if others:
        items = "".join(f"<li>{escape(e.sentence)} <small>({escape(e.title)}, {escape(e.source)}, "
                        f"{e.score:.0%})</small></li>" for e in others)
        parts.append(f"<details><summary>{label} ({len(others)})</summary><ol>{items}</ol></details>")
    parts.append("</div>")
    return "".join(parts)


def article_rows(engine: QA) -> list[list]:
    """One row per indexed article: title, date, author, outlet, file, sentences."""
    index = engine.index
    rows = []
    for a, r in enumerate(index.articles):
        first, last = index.article_sentences(a)
        rows.append([r.title, r.published or "", r.author or "", r.outlet or "", r.id, last - first])
    return rows


def outlets(engine: QA) -> list[str]:
    return sorted({r.outlet for r in engine.index.articles if r.outlet})


def new_chat() -> tuple[list, list, str]:
    """An empty chat: no messages, no earlier answers for follow-up questions to lean on, an empty box."""
    return [], [], ""


def make_app(engine: QA) -> gr.Blocks:
    """The chat page; the engine is loaded once and shared by every session."""
    engine.index  # build or load before the first visitor

    def respond(message: str, messages: list, answers: list, top_k: int, since: str = "", until: str = "",
                sources: list | None = None):
        messages = list(messages or [])
        answers = list(answers or [])
        question = (message or "").strip()
        if not question:
            return messages, answers, ""
        messages.append({"role": "user", "content": escape(question)})
        try:
            a = engine.answer(question, history=answers[-3:] or None, top_k=int(top_k),
                              since=(since or "").strip() or None, until=(until or "").strip() or None,
                              sources=list(sources or []) or None)
        except QAError as exc:
            messages.append({"role": "assistant", "content": escape(str(exc))})
            return messages, answers, ""
        except Exception:  # a broken question must not end the session; the log keeps the details
            log.exception("answering %r failed", question)
            messages.append({"role": "assistant", "content": "Sorry, something went wrong with this question."})
            return messages, answers, ""
        answers.append(a)
        messages.append({"role": "assistant", "content": render(a)})
        return messages, answers, ""

    def answer_json(question: str, top_k: int = 5) -> dict:
        """The engine's Answer as JSON, for API clients."""
        try:
            return engine.answer(question, top_k=int(top_k)).to_dict()
        except QAError as exc:
            return {"error": str(exc)}

    with gr.Blocks(title="article-qa", analytics_enabled=False) as demo:
        gr.Markdown(f"## Ask the articles\nAnswers come verbatim from {len(engine.index.articles)} articles in "
                    f"`{escape(engine.corpus.name)}/`, with the supporting sentence highlighted.")
        with gr.Tabs():
            with gr.Tab("Chat"):
                chatbot = gr.Chatbot(label="Chat", height=520, sanitize_html=True, elem_id="chat")
                answers = gr.State([])
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask a question about the articles…", show_label=False,
                                     scale=8, elem_id="question")
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Accordion("Settings", open=False):
                    top_k = gr.Slider(1, 10, value=engine.settings.top_k, step=1, label="Evidence sentences (top-k)")
                    with gr.Row():
                        since = gr.Textbox(label="Published since (YYYY-MM-DD)", elem_id="since", scale=1)
                        until = gr.Textbox(label="Published until (YYYY-MM-DD)", elem_id="until", scale=1)
                    sources = gr.Dropdown(outlets(engine), multiselect=True, label="Outlets (none = all)",
                                          elem_id="outlets")
                gr.Examples(EXAMPLES, inputs=box)
                clear = gr.Button("New chat", size="sm")
                for event in (box.submit, send.click):
                    event(respond, [box, chatbot, answers, top_k, since, until, sources], [chatbot, answers, box],
                          api_name=False)
                # The button and the chat's own trash icon both start over: the follow-up memory goes with the chat.
                clear.click(new_chat, None, [chatbot, answers, box], api_name=False)
                chatbot.clear(new_chat, None, [chatbot, answers, box], api_name=False)
            with gr.Tab("Articles"):
                gr.Dataframe(article_rows(engine), headers=["title", "date", "author", "outlet", "file", "sentences"], interactive=False,
                             elem_id="articles")
        api_question = gr.Textbox(visible=False)
        api_top_k = gr.Number(value=5, visible=False)
        api_out = gr.JSON(visible=False)
        api_question.submit(answer_json, [api_question, api_top_k], api_out, api_name="answer")
    demo.queue(default_concurrency_limit=4)
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with the articles in your browser.")
    parser.add_argument("--corpus", type=Path, default=None, help="folder of articles (default: seeds/)")
    parser.add_argument("--index-dir", type=Path, default=None, help="index folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        engine = QA(args.corpus if args.corpus is not None else default_corpus(), args.index_dir, progress=True)
        demo = make_app(engine)
    except QAError as exc:
        print(f"app: error: {exc}", file=sys.stderr)
        return 2
    demo.launch(server_name=args.host, server_port=args.port, share=False, theme=THEME, css=CSS,
                show_error=False, footer_links=[])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
