"""The Your data page in a real browser: draw a closed stroke on the canvas with the mouse,
use it as p₀, open the Score field page and find "your data" in use there. Fails on any
exception box or browser console error.

Needs Debian's Chromium at /usr/bin/chromium (or $CHROMIUM_PATH); a missing browser is a failure.
"""
from __future__ import annotations

import math
import os
from urllib.parse import urlsplit

import pytest

from server import ScriptRuns, follow_nav_link, launch_chromium  # noqa: E402
from test_browser import TIMEOUT_MS, server  # noqa: E402,F401  (the module's running server)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sidebar_distribution(page) -> str:
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    return box.locator("input").first.input_value()


def test_drawn_shape_reaches_the_score_page(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(60_000)
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text[:300]}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"[:300]))
        runs = ScriptRuns(page)

        def wait(n):
            runs.wait_after(page, n, TIMEOUT_MS)

        page.goto(f"{server.base}/?page=yours")
        wait(0)
        assert urlsplit(page.url).path.strip("/") == "yours"
        n = runs.finished
        page.get_by_test_id("stRadio").first.get_by_text("Draw", exact=True).click()
        wait(n)
        frame = page.frame_locator("iframe[title*='drawable_canvas']").first
        canvas = frame.locator("canvas.upper-canvas").last
        canvas.wait_for(timeout=60_000)
        box = canvas.bounding_box()
        cx, cy, r = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["width"] / 3
        n = runs.finished
        page.mouse.move(cx + r, cy)
        page.mouse.down()
        for i in range(1, 81):                       # a heart-free circle, drawn slowly
            a = 2 * math.pi * i / 80
            page.mouse.move(cx + r * math.cos(a), cy + 0.7 * r * math.sin(a), steps=2)
        page.mouse.up()
        wait(n)
        page.screenshot(path=os.path.join(os.environ.get("TMPDIR", "/tmp"), "your_data_drawn.png"), full_page=True)
        assert page.get_by_text("(from: Draw;").count(), "the preview does not show the drawing"
        assert not page.get_by_test_id("stAlertContentError").count()

        n = runs.finished
        page.get_by_role("button", name="Use as p₀ on every page").click()
        wait(n)
        assert page.get_by_text("In use on every page").count()
        assert sidebar_distribution(page) == "your data"

        follow_nav_link(page, runs, server.base, "score")
        assert sidebar_distribution(page) == "your data"
        assert page.get_by_test_id("stMain").get_by_text("your data").count() >= 1, \
            "the Score field page does not name your data"
        assert page.get_by_test_id("stImage").count() >= 1
        assert not page.get_by_test_id("stException").count(), page.get_by_test_id("stException").all_inner_texts()
        assert not problems, problems
        browser.close()
