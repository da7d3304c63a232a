"""Steps of the README's lesson that only a real browser shows wrong: what the sidebar displays
after *Reset to tutorial defaults*, and Vega-Lite warnings in the console."""
from __future__ import annotations

import pytest

from test_browser import TIMEOUT_MS, Watched, browser, server  # noqa: E402,F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIDEBAR = "[data-testid='stSidebar']"


@pytest.fixture
def w(browser, server):  # noqa: F811
    watched = Watched(browser, server.base)
    yield watched
    watched.close()


def sidebar_select(w, label: str):
    page = w.page
    return page.locator(f"{SIDEBAR} [data-testid='stSelectbox']").filter(
        has=page.get_by_test_id("stWidgetLabel").filter(has_text=label)).first


def choose(w, box, option: str):
    n = w.runs.finished
    box.locator("input").first.click()
    w.page.locator("[role='option']").filter(has_text=option).first.click()
    w.runs.wait_after(w.page, n, TIMEOUT_MS)


def shown(box) -> str:
    return box.locator("input").first.input_value() or box.inner_text().split("\n")[-1].strip()


def test_reset_resets_the_sidebar_distribution(w):
    """Choose ring8, press Reset: the select box shows tutorial, and stays there after the next
    widget move (before, the box kept ring8 and the next rerun brought ring8 back)."""
    w.goto("score")
    box = sidebar_select(w, "Distribution")
    choose(w, box, "ring8")
    assert "ring8" in shown(box)
    n = w.runs.finished
    w.page.get_by_role("button", name="Reset to tutorial defaults").click()
    w.runs.wait_after(w.page, n, TIMEOUT_MS)
    assert "tutorial" in shown(sidebar_select(w, "Distribution"))
    seed = w.page.locator(f"{SIDEBAR} [data-testid='stNumberInput'] input").first
    n = w.runs.finished
    seed.fill("7")
    seed.press("Enter")
    w.runs.wait_after(w.page, n, TIMEOUT_MS)
    assert "tutorial" in shown(sidebar_select(w, "Distribution"))
    assert "ring8" not in w.page.locator("[data-testid='stMain']").inner_text()
    assert not w.problems(), w.problems()


def test_no_vega_warnings_on_any_page(w):
    """Charts draw without Vega-Lite warnings in the console (e.g. "Conflicting legend property")."""
    from server import app_pages
    warnings: list[str] = []
    w.page.on("console", lambda m: m.type == "warning" and "WARN" in m.text and warnings.append(m.text[:200]))
    for url, _ in app_pages():
        before = len(warnings)
        w.goto(url)
        w.page.wait_for_timeout(1000)                 # charts draw after the script has finished
        assert len(warnings) == before, f"/{url}: {warnings[before:]}"
