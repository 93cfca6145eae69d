"""Screenshots of the chat for the README: the chat (a question, a follow-up, a refusal), the article view with
the supporting sentence marked, and the phone layout of the Articles tab, taken in Debian's headless Chromium.

    python benchmarks/screenshots.py [--corpus DIR] [--index-dir DIR] [--out docs]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def start_app(args: argparse.Namespace, port: int) -> subprocess.Popen:
    command = [sys.executable, str(ROOT / "app.py"), "--port", str(port), "--feedback", os.devnull]
    for flag, value in (("--corpus", args.corpus), ("--index-dir", args.index_dir)):
        if value is not None:
            command += [flag, str(value)]
    proc = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("screenshots: the app stopped")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("screenshots: the app did not start")


def main() -> int:
    from playwright.sync_api import expect, sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start_app(args, port)
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url, wait_until="load")
            box = page.locator("#question textarea")
            box.wait_for(timeout=60_000)
            for n, question in enumerate(["Who is the new EU High Representative for Foreign Affairs?",
                                          "Which meeting will she attend?", "Who is the CEO of Apple?"], start=1):
                box.fill(question)
                page.locator("#ask").click()
                expect(page.locator("#chat .qa-reply")).to_have_count(n, timeout=60_000)
            page.locator("#chat details").nth(1).evaluate("d => d.open = true")
            page.screenshot(path=str(args.out / "chat.png"), full_page=True)
            page.locator("#chat .qa-source .qa-open").nth(1).click()
            expect(page.locator("#article-view mark#qa-target")).to_be_in_viewport(timeout=30_000)
            page.screenshot(path=str(args.out / "article.png"))
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(url, wait_until="load")
            phone.get_by_role("tab", name="Articles").click()
            expect(phone.locator("#articles [data-testid^='cell-']", has_text="NATO").first).to_be_visible(timeout=30_000)
            phone.screenshot(path=str(args.out / "phone.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for name in ("chat.png", "article.png", "phone.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
