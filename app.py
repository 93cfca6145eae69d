"""The Gradio chat UI over the articles: presentation only; every answer comes from the engine (qa.QA)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import uuid
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry: the page and server stay local
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from qa import QA, Answer, Evidence, QAError  # noqa: E402
from qa.config import default_corpus  # noqa: E402
from qa.engine import ArticleText  # noqa: E402

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
.qa-open { background: none; border: none; padding: 0; color: #1d4ed8; text-decoration: underline; cursor: pointer;
           font: inherit; text-align: left; }
.qa-copy { font-size: 0.8em; padding: 1px 8px; border: 1px solid #cbd5e1; border-radius: 4px; background: #f8fafc;
           cursor: pointer; }
.qa-evidence > li { margin-bottom: 4px; }
#article-view { max-height: 70vh; overflow-y: auto; }
.qa-plain { display: none; }
.qa-article mark { background: #fde68a; color: inherit; padding: 0 2px; border-radius: 3px; }
.qa-article p { max-width: 72ch; }
"""
# Presentation only, in the page: a reply's buttons open its article (through the hidden #open-article box) or
# copy its plain text; the marked sentence of an opened article is scrolled into view; a reply's screen-reader
# label is its plain text, not its HTML.
SCRIPT = """<script>
(() => {
  const plain = (reply) => (reply.querySelector('.qa-plain') || reply).textContent;
  document.addEventListener('click', (event) => {
    const open = event.target.closest('.qa-open');
    if (open) {
      event.preventDefault();
      const box = document.querySelector('#open-article textarea, #open-article input');
      box.value = open.value;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => document.querySelector('#open-article-go').click(), 50);
      return;
    }
    const copy = event.target.closest('.qa-copy');
    if (copy) {
      event.preventDefault();
      navigator.clipboard.writeText(plain(copy.closest('.qa-reply'))).then(() => {
        copy.textContent = 'Copied'; setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
      });
    }
  }, true);
  const tidy = () => {
    document.querySelectorAll('.qa-reply').forEach((reply) => {
      const labelled = reply.closest('[aria-label]');
      const text = plain(reply);
      if (labelled && labelled.getAttribute('aria-label') !== text) labelled.setAttribute('aria-label', text);
    });
    const target = document.querySelector('#qa-target:not([data-shown])');
    if (target && target.offsetParent !== null) {
      target.dataset.shown = '1';
      target.scrollIntoView({block: 'center'});
    }
  };
  new MutationObserver(tidy).observe(document.documentElement, {subtree: true, childList: true});
})();
</script>"""
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


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def open_button(label: str, source: str, start: int | None = None, end: int | None = None) -> str:
    """A button that opens an article in the Article tab, marking characters start..end (the page's script
    reads the data attributes)."""
    # The chat's sanitizer keeps no data- attributes; a button's value survives it.
    wanted = {"source": source} if start is None or end is None else {"source": source, "start": start, "end": end}
    return (f'<button type="button" class="qa-open" value="{escape(json.dumps(wanted))}" '
            f'title="Open the article">{label}</button>')


def titled(title: str, published: str | None) -> str:
    """The headline with the article's date next to it, so that stories with one headline can be told apart."""
    return f"<em>{escape(title)}</em>" + (f" ({escape(published)})" if published else "")


def source_line(a: Answer) -> str:
    """The reply's source: headline and date (a button that opens the article), author, file, confidence."""
    also = len(a.supporting_sources) - 1
    agree = f" · also supported by {also} other article{'s' if also > 1 else ''}" if also > 0 else ""
    by = "".join(f", {escape(x)}" for x in (a.author, a.outlet) if x)
    start = a.support_start if a.support_start is not None else a.start
    end = a.support_end if a.support_end is not None else a.end
    link = open_button(titled(a.title, a.published), a.source, start, end)
    return (f'<p class="qa-source"><small>Source: {link}{by} ({escape(a.source)}) · '
            f"{confidence_words(a.score)} ({a.score:.0%}){agree}</small></p>")


def evidence_html(items: tuple[Evidence, ...], label: str, first_rank: int) -> str:
    """Other evidence grouped by article (headline and date once per article), each sentence with its rank
    among all the evidence in words; the calibrated confidence only when it is at least 1%."""
    groups: dict[str, list[tuple[int, Evidence]]] = {}
    for rank, e in enumerate(items, start=first_rank):
        groups.setdefault(e.source, []).append((rank, e))
    blocks = []
    for source, ranked in groups.items():
        head = ranked[0][1]
        lines = "".join(
            f"<li>{escape(e.sentence)} <small>({ordinal(rank)} best match"
            f"{f', {e.score:.0%}' if e.score >= 0.01 else ''}) {open_button('show in article', source, e.start, e.end)}"
            "</small></li>" for rank, e in ranked)
        blocks.append(f"<li>{open_button(titled(head.title, head.published), source)} "
                      f"<small>({escape(source)})</small><ul>{lines}</ul></li>")
    return (f"<details><summary>{label} ({len(items)}, from {len(groups)} "
            f"article{'s' if len(groups) != 1 else ''})</summary><ul class=\"qa-evidence\">{''.join(blocks)}</ul></details>")


def reply_text(a: Answer) -> str:
    """The reply as plain text, for Copy and screen readers: the answer, the sentence and the source."""
    if not a.found:
        closest = f" The closest is from “{a.evidence[0].title}” ({a.evidence[0].source})." if a.evidence else ""
        return f"The articles don't answer this.{closest}"
    lines = [f"Answer: {a.answer}"] if a.answer else []
    lines.append(f"“{a.sentence}”")
    dated = "".join(f", {x}" for x in (a.published, a.author) if x)
    lines.append(f"Source: {a.title}{dated} ({a.source}), {confidence_words(a.score)} ({a.score:.0%})")
    return "\n".join(lines)


def render(a: Answer) -> str:
    """One chat reply as HTML, with its plain text (reply_text) in a hidden element for Copy."""
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
        parts.append(source_line(a))
        if a.earlier:
            parts.append(f"<p><small>{escape(a.earlier[:1].upper() + a.earlier[1:])}</small></p>")
        others, label, first_rank = a.evidence[1:], "Other evidence", 2
    else:
        parts.append("<p>The articles don't answer this.</p>")
        if a.evidence:
            parts.append(f"<p><small>The closest is from <em>{escape(a.evidence[0].title)}</em>; if that is the "
                         "story you mean, try naming who or what you ask about as the article does.</small></p>")
        others, label, first_rank = a.evidence, "Closest passages", 1
    if others:
        parts.append(evidence_html(others, label, first_rank))
    parts.append('<div class="qa-actions"><button type="button" class="qa-copy" '
                 'aria-label="Copy the answer, sentence and source as text">Copy</button></div>')
    parts.append(f'<pre class="qa-plain">{escape_block(reply_text(a))}</pre>')
    parts.append("</div>")
    return "".join(parts)


def escape_block(text: str) -> str:
    """Text as inert HTML, keeping its line breaks (escape() folds them)."""
    return "\n".join(escape(line) for line in text.split("\n"))


def article_html(view: ArticleText, start: int | None = None, end: int | None = None) -> str:
    """An article for reading: headline, date, author, file, and its text, a paragraph a line, with characters
    start..end (offsets in the article's text, never found by search) inside <mark id="qa-target">."""
    meta = " · ".join(escape(x) for x in (view.published, view.author, view.id) if x)
    text, marked = view.text, ""
    if start is not None and end is not None:
        a = min(max(start - view.offset, 0), len(text))
        b = min(max(end - view.offset, a), len(text))
        # One mark per line the span covers, so that every <p> stays well formed; the first is the target.
        marked = "\x00" + "\x01\n\x00".join(text[a:b].split("\n")) + "\x01"
        text = text[:a] + marked + text[b:]
    paragraphs = []
    for block in text.split("\n"):
        if block.strip():
            inner = escape(block).replace("\x00", '<mark id="qa-target">', 1)
            paragraphs.append("<p>" + inner.replace("\x00", "<mark>").replace("\x01", "</mark>") + "</p>")
    return (f'<article class="qa-article"><h2>{escape(view.title)}</h2><p class="qa-meta"><small>{meta}</small>'
            f"</p>{''.join(paragraphs)}</article>")


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


def feedback_row(answers: list[Answer], i: int, liked: bool, correction: str | None) -> dict | None:
    """A question-set row (qa.evaluate.load_questions reads it) from a reader's mark on answer `i` of a chat:
    the question with the chat's earlier questions as its history, and as its answers the correction if there
    is one, else the reply's answer for a thumbs up. A thumbs down without a correction says the reply should
    not have been given: an answer marked down becomes a row the articles do not answer (answers []); a
    refusal marked down has no answer to record, so it gives no row (None) until a correction comes."""
    a = answers[i]
    given = (a.answer or a.sentence) if a.found else None
    row = {"question": a.question, "history": [x.question for x in answers[max(0, i - 3):i]],
           "feedback": "up" if liked else "down", "given": given, "rewritten": a.rewritten}
    correction = " ".join((correction or "").split())
    if correction:
        return {**row, "answers": [correction], "source": None, "support": None}
    if liked:
        return {**row, "answers": [given] if given else [], "source": a.source, "support": a.sentence}
    if a.found:
        return {**row, "answers": [], "source": None, "support": None}
    return None


_feedback_lock = threading.Lock()


def save_feedback(path: Path, row_id: str, row: dict | None) -> None:
    """Write a feedback row under its id into the JSONL file at `path`, replacing the row of that id (a reply
    marked again, or corrected, keeps one row); None removes it. The file is replaced whole, atomically."""
    with _feedback_lock:
        try:
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
            kept = [line for line in lines if line.strip() and json.loads(line).get("id") != row_id]
            if row is not None:
                kept.append(json.dumps({"id": row_id, **row}, ensure_ascii=False))
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
            os.replace(tmp, path)
        except (OSError, ValueError) as exc:
            raise QAError(f"cannot write the feedback file {path} ({exc}); pass --feedback FILE elsewhere") from None


def new_chat() -> tuple[list, list, str, dict, dict]:
    """An empty chat: no messages, no earlier answers for follow-up questions to lean on, an empty box, no
    replies to mark, and the feedback row hidden."""
    return [], [], "", {}, gr.update(visible=False)


def make_app(engine: QA, feedback: Path | None = None) -> gr.Blocks:
    """The chat page; the engine is loaded once and shared by every session. Marks on replies go to the JSONL
    file `feedback` (default: feedback.jsonl in the index folder)."""
    engine.index  # build or load before the first visitor
    feedback = feedback if feedback is not None else engine.index_dir / "feedback.jsonl"

    def respond(message: str, messages: list, answers: list, replies: dict, top_k: int, since: str = "",
                until: str = "", sources: list | None = None):
        messages = list(messages or [])
        answers = list(answers or [])
        replies = dict(replies or {})
        question = (message or "").strip()
        if not question:
            return messages, answers, "", replies
        messages.append({"role": "user", "content": escape(question)})
        try:
            a = engine.answer(question, history=answers[-3:] or None, top_k=int(top_k),
                              since=(since or "").strip() or None, until=(until or "").strip() or None,
                              sources=list(sources or []) or None)
        except QAError as exc:
            messages.append({"role": "assistant", "content": escape(str(exc))})
            return messages, answers, "", replies
        except Exception:  # a broken question must not end the session; the log keeps the details
            log.exception("answering %r failed", question)
            messages.append({"role": "assistant", "content": "Sorry, something went wrong with this question."})
            return messages, answers, "", replies
        answers.append(a)
        replies[len(messages)] = len(answers) - 1  # the reply's message -> its Answer, for feedback
        messages.append({"role": "assistant", "content": render(a)})
        return messages, answers, "", replies

    def mark(answers: list, replies: dict, data: gr.LikeData):
        """A thumbs up or down on a reply: saved at once (see feedback_row), then a correction may follow."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        if index not in replies or not isinstance(data.liked, bool):
            return {}, gr.update(visible=False), "", ""
        i = replies[index]
        pending = {"id": f"fb-{uuid.uuid4().hex[:12]}", "answer": i, "liked": data.liked}
        row = feedback_row(answers, i, data.liked, None)
        save_feedback(feedback, pending["id"], row)
        said = ("Saved: marked as right." if data.liked else
                "Saved: marked as wrong." if row is not None else "Marked as wrong: type the right answer to save it.")
        return pending, gr.update(visible=True), f"{said} Optionally, type the right answer and save it.", ""

    def correct(answers: list, pending: dict, correction: str):
        if not pending:
            return "Mark a reply with a thumb first."
        row = feedback_row(answers, pending["answer"], pending["liked"], correction)
        save_feedback(feedback, pending["id"], row)
        return f"Saved the correction to {feedback.name}." if row and row["answers"] else "Saved."

    def show_article(request: str):
        """Open the article a reply's button names (JSON: source, and start/end to mark), in the Article tab."""
        try:
            wanted = json.loads(request or "{}")
            view = engine.article(str(wanted.get("source")))
        except (ValueError, QAError) as exc:
            return f"<p>{escape(str(exc))}</p>", gr.Tabs(selected="article")
        start, end = wanted.get("start"), wanted.get("end")
        marked = (start, end) if isinstance(start, int) and isinstance(end, int) else (None, None)
        return article_html(view, *marked), gr.Tabs(selected="article")

    def show_row(data: gr.SelectData):
        """A row of the Articles tab opens its article."""
        return show_article(json.dumps({"source": data.row_value[4]}))

    def answer_json(question: str, top_k: int = 5) -> dict:
        """The engine's Answer as JSON, for API clients."""
        try:
            return engine.answer(question, top_k=int(top_k)).to_dict()
        except QAError as exc:
            return {"error": str(exc)}

    with gr.Blocks(title="article-qa", analytics_enabled=False) as demo:
        gr.Markdown(f"## Ask the articles\nAnswers come verbatim from {len(engine.index.articles)} articles in "
                    f"`{escape(engine.corpus.name)}/`, with the supporting sentence highlighted.")
        with gr.Tabs(elem_id="tabs") as tabs:
            with gr.Tab("Chat", id="chat"):
                chatbot = gr.Chatbot(label="Chat", height=520, sanitize_html=True, elem_id="chat", buttons=[],
                                     feedback_options=("Like", "Dislike"))
                answers = gr.State([])
                replies = gr.State({})
                pending = gr.State({})
                with gr.Row(visible=False, elem_id="feedback") as feedback_row_ui:
                    said = gr.Markdown(elem_id="feedback-said")
                    correction = gr.Textbox(placeholder="The right answer (optional)", show_label=False, scale=4,
                                            elem_id="correction")
                    save = gr.Button("Save correction", size="sm", scale=1, elem_id="save-correction")
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
                examples = gr.Examples(EXAMPLES, inputs=box, elem_id="examples")
                clear = gr.Button("New chat", size="sm", elem_id="new-chat")
                for event in (box.submit, send.click):
                    event(respond, [box, chatbot, answers, replies, top_k, since, until, sources],
                          [chatbot, answers, box, replies], api_name=False)
                # Clicking an example asks it: the example fills the box, then the box is asked.
                examples.load_input_event.then(respond, [box, chatbot, answers, replies, top_k, since, until, sources],
                                               [chatbot, answers, box, replies], api_name=False)
                # The button and the chat's own trash icon both start over: the follow-up memory goes with the chat.
                starts_over = [chatbot, answers, box, replies, feedback_row_ui]
                clear.click(new_chat, None, starts_over, api_name=False)
                chatbot.clear(new_chat, None, starts_over, api_name=False)
                chatbot.like(mark, [answers, replies], [pending, feedback_row_ui, said, correction], api_name=False)
                save.click(correct, [answers, pending, correction], said, api_name=False)
            with gr.Tab("Article", id="article"):
                article_view = gr.HTML("<p>Open an article from a reply's source or the Articles tab.</p>",
                                       elem_id="article-view")
            with gr.Tab("Articles", id="articles"):
                table = gr.Dataframe(article_rows(engine),
                                     headers=["title", "date", "author", "outlet", "file", "sentences"],
                                     interactive=False, wrap=True, show_search="search", elem_id="articles",
                                     column_widths=["34%", "13%", "15%", "12%", "18%", "8%"])
        # The page's script writes which article to open here (see SCRIPT).
        opener = gr.Textbox(visible="hidden", elem_id="open-article")
        go = gr.Button(visible="hidden", elem_id="open-article-go")
        go.click(show_article, opener, [article_view, tabs], api_name=False)
        table.select(show_row, None, [article_view, tabs], api_name=False)
        api_question = gr.Textbox(visible=False)
        api_top_k = gr.Number(value=5, visible=False)
        api_out = gr.JSON(visible=False)
        api_question.submit(answer_json, [api_question, api_top_k], api_out, api_name="answer")
    demo.queue(default_concurrency_limit=4)
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with the articles in your browser.", allow_abbrev=False)
    parser.add_argument("--corpus", type=Path, default=None, help="folder of articles (default: seeds/)")
    parser.add_argument("--index-dir", type=Path, default=None, help="index folder")
    parser.add_argument("--feedback", type=Path, default=None,
                        help="JSONL file for thumbs up/down on replies (default: feedback.jsonl in the index folder)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        engine = QA(args.corpus if args.corpus is not None else default_corpus(), args.index_dir, progress=True)
        demo = make_app(engine, args.feedback)
    except QAError as exc:
        print(f"app: error: {exc}", file=sys.stderr)
        return 2
    demo.launch(server_name=args.host, server_port=args.port, share=False, theme=THEME, css=CSS, head=SCRIPT,
                show_error=False, footer_links=[])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
