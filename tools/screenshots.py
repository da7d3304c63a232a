"""Regenerate the README's screenshots: every page of the navigation, full page, from a running
server, in headless Chromium, at the default settings.

    python -m tools.screenshots                 # starts a server, writes docs/NN_<page>.png
    python -m tools.screenshots --out shots     # elsewhere, e.g. to look at a change
    python -m tools.screenshots --page digits   # one page (its url path; "" is Home)

Pages are taken in navigation order, one fresh browser session each (the default settings), after
the page's script has finished and the page has been quiet for a moment. Prints every exception
box and browser console message of level warning or error, and exits 1 on an exception box or a
console error. tests/test_docs.py fails when a page of the navigation has no screenshot.
"""
from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from server import AppServer, ScriptRuns, app_pages, launch_chromium  # noqa: E402

def shot_names() -> list[tuple[str, str, str]]:
    """(url path, title, file name) of every page of the navigation, numbered in its order."""
    return [(u, title, f"{i:02d}_{u or 'home'}.png") for i, (u, title) in enumerate(app_pages())]


def take(out: str, width: int = 1280, height: int = 900, timeout_ms: int = 240_000,
         only: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright
    os.makedirs(out, exist_ok=True)
    failures = 0
    with AppServer() as srv, sync_playwright() as p:
        browser = launch_chromium(p)
        for url, title, name in shot_names():
            if only is not None and url not in only:
                continue
            ctx = browser.new_context(viewport={"width": width, "height": height})
            page = ctx.new_page()
            messages: list[str] = []
            page.on("console", lambda m: m.type in ("error", "warning") and messages.append(f"{m.type}: {m.text[:200]}"))
            runs = ScriptRuns(page)
            page.goto(f"{srv.base}/?page={url}" if url else srv.base)   # as the app's share links
            page.wait_for_url(lambda u, url=url: u.split("?")[0].rstrip("/") == f"{srv.base}/{url}".rstrip("/"),
                              timeout=timeout_ms)
            runs.wait_after(page, 0, timeout_ms)
            page.wait_for_timeout(1500)                 # charts draw after the script has finished
            boxes = [e.inner_text()[:300] for e in page.query_selector_all("[data-testid='stException']")]
            # Streamlit scrolls inside its main area, so "full page" means a viewport as tall as it
            tall = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
                "[data-testid='stMain'], [data-testid='stAppViewContainer'], section")].map(e => e.scrollHeight))""")
            page.set_viewport_size({"width": width, "height": min(int(tall) + 40, 12_000)})
            page.wait_for_timeout(1000)
            page.screenshot(path=os.path.join(out, name), full_page=True)
            errors = [m for m in messages if m.startswith("error")]
            failures += bool(boxes or errors)
            print(f"{name:<22} {title:<22} exceptions {len(boxes)}  console errors {len(errors)}  "
                  f"warnings {len(messages) - len(errors)}")
            for m in boxes + messages:
                print("    " + m)
            ctx.close()
        browser.close()
    return failures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--page", action="append", help="only this page's url path (repeatable)")
    a = ap.parse_args(argv)
    return 1 if take(a.out, a.width, only=a.page) else 0


if __name__ == "__main__":
    sys.exit(main())
