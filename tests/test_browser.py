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
        expect(page.locator("#chat").get_by_text("The articles don't answer this.")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
        browser.close()
    outside = [u for u in requests if not u.startswith((running_app.rstrip("/"), "data:", "blob:"))]
    assert not outside, outside


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


def test_date_filter_in_the_browser(news_app):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.goto(news_app, wait_until="load")
        box = page.locator("#question textarea")
        box.wait_for(timeout=60_000)
        question = "How many people have been killed in the fighting in Sudan?"
        page.get_by_text("Settings").click()
        page.locator("#until input, #until textarea").first.fill("2023-04-18")
        box.fill(question)
        page.locator("#ask").click()
        expect(page.locator("#chat mark").first).to_contain_text("185", timeout=60_000)
        expect(page.locator("#chat").get_by_text("Reuters, 2023-04-17").first).to_be_visible()
        page.locator("#until input, #until textarea").first.fill("")
        page.locator("#since input, #since textarea").first.fill("2023-04-19")
        box.fill(question)
        page.locator("#ask").click()
        expect(page.locator("#chat mark")).to_have_count(2, timeout=60_000)
        expect(page.locator("#chat mark").nth(1)).to_contain_text("413")
        browser.close()
