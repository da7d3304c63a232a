"""The browser's Back button in a real browser: widget moves add no history entry, so Back goes
to the previous page (the settings travel in the sidebar's link, not in the address bar).

Needs Debian's Chromium at /usr/bin/chromium (or $CHROMIUM_PATH); a missing browser is a failure.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from test_browser import (TIMEOUT_MS, Watched, _move, browser, server,  # noqa: F401  (fixtures)
                          watched)

from server import follow_nav_link  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _path(page) -> str:
    return urlsplit(page.url).path.strip("/")


def test_widget_moves_add_no_history_and_back_goes_to_the_previous_page(watched):
    w, page = watched, watched.page
    w.goto("forward")
    assert _path(page) == "forward"
    follow_nav_link(page, w.runs, w.base, "score", TIMEOUT_MS)
    entries = page.evaluate("history.length")
    slider = page.locator("[data-testid='stSlider']").filter(
        has=page.get_by_test_id("stWidgetLabel").filter(has_text="diffusion time t")).first
    values = [_move(w, slider, "stSlider")[1] for _ in range(3)]
    assert len(set(values)) > 1, f"the slider did not move: {values}"
    assert page.evaluate("history.length") == entries, "a widget move added a browser history entry"
    assert "t=" in page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first.text_content(), \
        "the sidebar's link does not hold the moved setting"
    n = w.runs.finished
    page.go_back()
    page.wait_for_url(lambda u: urlsplit(u).path.strip("/") == "forward", timeout=30_000)
    w.runs.wait_after(page, n, TIMEOUT_MS)
    assert page.get_by_role("heading", level=1).first.inner_text().startswith("Forward"), \
        "Back did not show the previous page"
    assert not w.problems(), w.problems()


def test_reversal_threshold_reruns_its_fragment_without_errors(watched):
    """The commitment section is a fragment: moving its threshold slider reruns it alone, its
    texts follow the new threshold, and nothing outside breaks (the sidebar's link included)."""
    w, page = watched, watched.page
    w.goto("reversal")
    slider = page.locator("[data-testid='stSlider']").filter(
        has=page.get_by_test_id("stWidgetLabel").filter(has_text="responsibility threshold")).first
    slider.scroll_into_view_if_needed()
    before, after = _move(w, slider, "stSlider")
    assert before != after
    assert page.get_by_text(f"below {float(after):.2f} at the end").count() + \
        page.get_by_text(f"responsibility ≥ {float(after):.2f} before the end").count() >= 1
    assert "reversal_threshold=" in page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first.text_content()
    assert page.get_by_role("heading", level=1).count() == 1            # the page drawn once
    assert not w.problems(), w.problems()
