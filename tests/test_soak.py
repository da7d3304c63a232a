"""A lesson's worth of reruns against one server must not make it grow without bound.

One browser session walks through the pages below again and again (following the navigation
links), and on each page moves one slider right, right, left, left: 200 widget reruns in all.
The values cycle through the same three positions, so every cache is full after the first two
rounds (the warm-up); after that, memory the server keeps gaining is a leak. The server's
resident memory (RSS) is read after the warm-up and at the end; the growth must stay under
GROWTH_LIMIT_MB. Prints the RSS after every round.
"""
from __future__ import annotations

import time

import pytest

from server import AppServer, ScriptRuns, follow_nav_link, launch_chromium, run_page, slider_state, slider_thumb  # noqa: E402

pytestmark = [pytest.mark.soak, pytest.mark.slow, pytest.mark.browser]

RERUNS = 200
WARMUP_ROUNDS = 2
GROWTH_LIMIT_MB = 150
TIMEOUT_MS = 180_000
MOVES = ("ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft")   # back where it started
# (url path, label of the slider moved there): a slider each page redraws from its caches.
SOAK_WIDGETS = [
    ("forward", "λ: noise growth rate"),
    ("score", "diffusion time t"),
    ("reversal", "λ, g(t)"),
    ("train", "Diffusion time t"),
    ("memorization", "Memorization radius r"),
]


def _slider(page, label, timeout_ms: int = 60_000):
    """The slider labelled `label`, once the frontend has drawn it: after a click on a navigation
    link the server can report the new page's run finished while the browser still shows the
    previous page (its sidebar included), so its absence is only an error after `timeout_ms`."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    c = page.locator("[data-testid='stSlider']").filter(
        has=page.get_by_test_id("stWidgetLabel").filter(has_text=label)).first
    try:
        c.wait_for(state="visible", timeout=timeout_ms)
    except PlaywrightTimeout:
        raise AssertionError(f"no slider labelled {label!r} on {page.url} after {timeout_ms / 1000:.0f} s: "
                             "update SOAK_WIDGETS") from None
    return c


def _exceptions(page) -> list[str]:
    return [e.inner_text()[:600] for e in page.query_selector_all("[data-testid='stException']")]


def test_memory_stays_bounded_over_200_reruns(capsys):
    from playwright.sync_api import sync_playwright

    rounds = -(-RERUNS // (len(SOAK_WIDGETS) * len(MOVES)))
    assert rounds > WARMUP_ROUNDS, "too few reruns to measure anything after the warm-up"
    with AppServer() as srv, sync_playwright() as p:
        assert run_page(srv.base, "", timeout=TIMEOUT_MS / 1000).ok
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        runs = ScriptRuns(page)
        page.goto(srv.base)
        runs.wait_after(page, 0, TIMEOUT_MS)

        reruns, rss_mb, t0 = 0, [], time.perf_counter()
        page_s = {u: [] for u, _ in SOAK_WIDGETS}
        start_mb = srv.rss() / 2**20
        print(f"\nserver RSS at start {start_mb:.0f} MB")
        for r in range(rounds):
            for url_path, label in SOAK_WIDGETS:
                follow_nav_link(page, runs, srv.base, url_path, TIMEOUT_MS)
                slider = _slider(page, label)
                value, lo, hi = slider_state(slider_thumb(slider))
                moves = MOVES if value < hi else tuple(reversed(MOVES))
                for key in moves:
                    if reruns >= RERUNS:
                        break
                    n, t1 = runs.finished, time.perf_counter()
                    thumb = slider_thumb(_slider(page, label))
                    thumb.focus()
                    thumb.press(key)
                    runs.wait_after(page, n, TIMEOUT_MS)
                    page_s[url_path].append(time.perf_counter() - t1)
                    reruns += 1
                assert not _exceptions(page), f"/{url_path}: {_exceptions(page)}"
                assert slider_state(slider_thumb(_slider(page, label)))[0] == value, \
                    f"/{url_path}: {label!r} did not come back to {value} after {moves}"
            rss_mb.append(srv.rss() / 2**20)
            print(f"round {r + 1}: {reruns} reruns, {time.perf_counter() - t0:.0f} s, "
                  f"server RSS {rss_mb[-1]:.0f} MB")
        browser.close()
        per_page = "seconds per rerun, median (max): " + ", ".join(
            f"/{u} {sorted(v)[len(v) // 2]:.1f} ({max(v):.1f})" for u, v in page_s.items() if v)
        assert srv.alive(), "the server died:\n" + srv.output()[-3000:]

    warm, end = rss_mb[WARMUP_ROUNDS - 1], rss_mb[-1]
    growth = end - warm
    with capsys.disabled():   # the figures show in the test run's output
        print(f"\nsoak: {reruns} reruns in {time.perf_counter() - t0:.0f} s; server RSS {start_mb:.0f} MB "
              f"at start, {warm:.0f} MB after warm-up ({WARMUP_ROUNDS} rounds), {end:.0f} MB at the end: "
              f"growth after warm-up {growth:+.0f} MB (limit {GROWTH_LIMIT_MB} MB)\n  {per_page}")
    assert reruns == RERUNS
    assert growth < GROWTH_LIMIT_MB, f"server RSS grew {growth:.0f} MB after warm-up: {rss_mb}"
