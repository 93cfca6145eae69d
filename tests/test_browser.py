"""The chat in a real headless Chromium (Debian's package, driven by Playwright): ask, see the highlighted
sentence, ask a follow-up, and check that the page talks to nothing but the local server."""

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")]


def test_chat_in_the_browser(running_app):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(running_app, wait_until="load")
        page.locator("#question textarea").wait_for(timeout=60_000)
        box = page.locator("#question textarea")
        box.fill("Who is the new EU High Representative for Foreign Affairs?")
        page.locator("#ask").click()
        first = page.locator("#chat mark").first
        expect(first).to_be_visible(timeout=60_000)
        expect(first).to_contain_text("Kaja Kallas")
        box.fill("Which meeting will she attend?")
        page.locator("#ask").click()
        expect(page.locator("#chat mark")).to_have_count(2, timeout=60_000)
        expect(page.locator("#chat").get_by_text("Read as:").last).to_contain_text("Kallas")
        expect(page.locator("#chat mark").nth(1)).to_contain_text("meeting")
        box.fill("Who is the CEO of Apple?")
        page.locator("#ask").click()
        expect(page.locator("#chat").get_by_text("The articles don't answer this.").first).to_be_visible(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
        browser.close()
    outside = [u for u in requests if not u.startswith((running_app.rstrip("/"), "data:", "blob:"))]
    assert not outside, outside


DATED = """Harbour bridge reopens after six months of repairs
By Ann Lee
March 1, 2024
The harbour bridge reopened on Friday after six months of repairs, the city council said.
The repairs cost 12 million euros and were paid for by the regional government.
Engineers replaced the cables and resurfaced the road deck.
The bridge carries about 40,000 cars a day.
"""


@pytest.fixture(scope="module")
def dated_app(encoder, tmp_path_factory):
    """The app over the seed articles plus one dated article, writing feedback to a file of the test's."""
    import os
    import shutil
    import socket
    import subprocess
    import sys
    import time

    from conftest import ROOT, SEEDS
    from qa.engine import QA

    folder = tmp_path_factory.mktemp("dated")
    corpus = folder / "articles"
    shutil.copytree(SEEDS, corpus)
    (corpus / "harbour-bridge.txt").write_text(DATED, encoding="utf-8")
    engine = QA(corpus, folder / "index", encoder=encoder)
    engine.build()
    feedback = folder / "marks.jsonl"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--corpus", str(corpus),
                             "--index-dir", str(engine.index_dir), "--feedback", str(feedback)], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:
        assert proc.poll() is None, "the app stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/", feedback
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        yield chromium
        chromium.close()


def open_page(browser, url: str, width: int = 1280, height: int = 800):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.locator("#question textarea").wait_for(timeout=60_000)
    return page


def ask(page, question: str, replies: int) -> None:
    """Ask in the box and wait for the chat to hold `replies` replies."""
    from playwright.sync_api import expect

    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    expect(page.locator("#chat .qa-reply")).to_have_count(replies, timeout=60_000)


def test_a_standalone_question_after_a_follow_up_is_not_rewritten(dated_app, browser):
    from playwright.sync_api import expect

    page = open_page(browser, dated_app[0])
    ask(page, "Who is the new EU High Representative for Foreign Affairs?", 1)
    ask(page, "Which meeting will she attend?", 2)
    expect(page.locator("#chat .qa-reply").nth(1)).to_contain_text("Read as:")
    ask(page, "How much did the harbour bridge repairs cost?", 3)
    third = page.locator("#chat .qa-reply").nth(2)
    expect(third).to_contain_text("12 million euros")
    expect(third).not_to_contain_text("Read as:")


def test_clear_forgets_the_follow_up_memory(dated_app, browser):
    from playwright.sync_api import expect

    page = open_page(browser, dated_app[0])
    ask(page, "Who is the new EU High Representative for Foreign Affairs?", 1)
    page.locator("#chat").get_by_role("button", name="Clear").click()
    expect(page.locator("#chat .qa-reply")).to_have_count(0, timeout=30_000)
    page.wait_for_timeout(1500)  # the page empties at once; the server's memory is cleared by the event after it
    ask(page, "Which meeting will she attend?", 1)
    reply = page.locator("#chat .qa-reply").first
    expect(reply).to_be_visible(timeout=60_000)
    expect(reply).not_to_contain_text("Read as:")  # not rewritten from the cleared turn
    assert all("Kallas" not in t for t in reply.locator("strong").all_inner_texts())  # a short answer, if any


def test_an_example_click_asks_it(dated_app, browser):
    from playwright.sync_api import expect

    page = open_page(browser, dated_app[0])
    page.locator("#examples").get_by_text("Where is the new NATO command for Ukraine located?").click()
    expect(page.locator("#chat mark").first).to_contain_text("Wiesbaden", timeout=60_000)
    expect(page.locator("#chat .message").first).to_contain_text("Where is the new NATO command")


def test_the_source_opens_the_article_with_the_sentence_marked_and_in_view(dated_app, browser):
    from playwright.sync_api import expect

    page = open_page(browser, dated_app[0], 390, 700)
    ask(page, "Which meeting will Kaja Kallas attend?", 1)
    sentence = page.locator("#chat .qa-reply mark").first.inner_text()
    page.locator("#chat .qa-source .qa-open").first.click()
    target = page.locator("#article-view mark#qa-target")
    expect(target).to_be_visible(timeout=30_000)
    expect(target).to_be_in_viewport()
    assert " ".join(sentence.split()) in " ".join(page.locator("#article-view mark").all_inner_texts())
    # The article is longer than the screen: the sentence was scrolled to, not merely on the first screen.
    assert page.evaluate("document.querySelector('#article-view').scrollHeight") > 700
    expect(page.locator("#article-view h2")).to_contain_text(page.locator("#chat .qa-source em").first.inner_text())


def test_the_articles_tab_on_a_phone_shows_title_and_date_without_overflow(dated_app, browser):
    from playwright.sync_api import expect

    page = open_page(browser, dated_app[0], 390, 844)
    page.get_by_role("tab", name="Articles").click()
    table = page.locator("#articles")
    expect(table.get_by_text("Harbour bridge reopens after six months of repairs")).to_be_visible(timeout=30_000)
    expect(table.locator("[data-testid^='cell-']", has_text="2024-03-01").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    overflowing = page.evaluate("""() => [...document.querySelectorAll('#articles *')]
        .filter(e => e.checkVisibility({visibilityProperty: true}) && e.scrollWidth > e.clientWidth + 1
                     && getComputedStyle(e).overflowX !== 'visible').length""")  # not the table's hidden sizer
    assert overflowing == 0
    table.get_by_text("Harbour bridge reopens after six months of repairs").click()
    expect(page.locator("#article-view h2")).to_contain_text("Harbour bridge reopens", timeout=30_000)
    expect(page.locator("#article-view")).to_contain_text("2024-03-01 · Ann Lee · harbour-bridge.txt")


def test_feedback_writes_a_question_set_row(dated_app, browser):
    import time

    from playwright.sync_api import expect

    from qa.evaluate import load_questions

    url, path = dated_app
    page = open_page(browser, url)
    ask(page, "How much did the harbour bridge repairs cost?", 1)
    ask(page, "What did the engineers replace?", 2)
    page.locator("#chat").get_by_role("button", name="Like", exact=True).nth(1).click()
    expect(page.locator("#feedback-said")).to_contain_text("Saved: marked as right", timeout=30_000)
    rows = load_questions(path)
    assert len(rows) == 1 and rows[0].question == "What did the engineers replace?"
    assert rows[0].history == ("How much did the harbour bridge repairs cost?",)
    assert rows[0].source == "harbour-bridge.txt" and "cables" in rows[0].support and rows[0].answers
    page.locator("#chat").get_by_role("button", name="Dislike", exact=True).nth(0).click()
    expect(page.locator("#feedback-said")).to_contain_text("Saved: marked as wrong", timeout=30_000)
    page.locator("#correction textarea").fill("12 million euros in all")
    page.locator("#save-correction").click()
    expect(page.locator("#feedback-said")).to_contain_text("Saved the correction", timeout=30_000)
    deadline = time.time() + 10
    while time.time() < deadline and len(load_questions(path)) < 2:
        time.sleep(0.2)
    corrected = [q for q in load_questions(path) if q.question.startswith("How much")]
    assert len(load_questions(path)) == 2 and corrected[0].answers == ("12 million euros in all",)


def test_copy_gives_the_reply_as_text(dated_app, browser):
    from playwright.sync_api import expect

    page = open_page(browser, dated_app[0])
    ask(page, "How much did the harbour bridge repairs cost?", 1)
    page.locator("#chat .qa-copy").first.click()
    expect(page.locator("#chat .qa-copy").first).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "<" not in copied and "&#" not in copied
    lines = copied.splitlines()
    assert lines[0].startswith("Answer: ") and "12 million euros" in lines[1]
    assert lines[2].startswith("Source: Harbour bridge reopens after six months of repairs, 2024-03-01, Ann Lee")
    label = page.locator("#chat .qa-reply").first.evaluate("r => r.closest('[aria-label]').getAttribute('aria-label')")
    assert label == copied


@pytest.fixture(scope="module")
def news_app(news_engine):
    import os
    import socket
    import subprocess
    import sys
    import time

    from conftest import ROOT

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--corpus",
                             str(news_engine.corpus), "--index-dir", str(news_engine.index_dir)], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(timeout=30)


def test_date_filter_in_the_browser(news_app, browser):
    from playwright.sync_api import expect

    page = open_page(browser, news_app, 1100, 1000)
    box = page.locator("#question textarea")
    question = "How many people have been killed in the fighting in Sudan?"
    page.get_by_text("Settings").click()
    page.locator("#until input, #until textarea").first.fill("2023-04-18")
    box.fill(question)
    page.locator("#ask").click()
    expect(page.locator("#chat mark").first).to_contain_text("185", timeout=60_000)
    source = page.locator("#chat .qa-source").first
    expect(source).to_contain_text("2023-04-17")
    expect(source).to_contain_text("Reuters")
    page.locator("#until input, #until textarea").first.fill("")
    page.locator("#since input, #since textarea").first.fill("2023-04-19")
    box.fill(question)
    page.locator("#ask").click()
    expect(page.locator("#chat mark")).to_have_count(2, timeout=60_000)
    expect(page.locator("#chat mark").nth(1)).to_contain_text("413")
    page.close()
