#!/usr/bin/env python3
"""First visit of a fresh server: how long the first Home page takes.

    python benchmarks/bench_cold_start.py [--reps 5] [--page ""] [--websocket] [--after-home S]

Each repetition starts `streamlit run app.py` on a loopback port (tests/server.py AppServer,
without its training counter, so that the server imports nothing of the app before the first
visit, as a plain `streamlit run` does), waits until /_stcore/health answers, and then opens the
page once: in headless Chromium (Debian's /usr/bin/chromium) by default, timed from navigation to
the first finished script run with every image of the page loaded; with --websocket as one
websocket session (tests/server.py run_page), timed until script_finished. Prints each
repetition and the median. --after-home S: the timed visit comes S seconds after a first visit of
Home (the server's background warm-up runs in between), as a teacher opens the next page. Prints each
repetition and the median; also the server's start-up time (process start to health "ok").
Exits 1 when a visit failed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
from server import AppServer, ScriptRuns, launch_chromium, run_page  # noqa: E402

_IMAGES_LOADED = """() => [...document.querySelectorAll("[data-testid='stMain'] img")]
                          .every(i => i.complete && i.naturalWidth > 0)"""


def visit_browser(browser, base: str, page: str, timeout_s: float) -> tuple[float, list[str]]:
    """Seconds from navigation to the finished page (script done, images drawn); console errors."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = ctx.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: m.type == "error" and errors.append(f"{m.text} {m.location.get('url', '')}"))
    tab.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    runs = ScriptRuns(tab)
    t0 = time.perf_counter()
    tab.goto(f"{base}/{page}", wait_until="commit", timeout=timeout_s * 1000)
    deadline = t0 + timeout_s
    while not runs.finished:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no finished script run within {timeout_s:.0f} s")
        tab.wait_for_timeout(10)
    tab.wait_for_selector("[data-testid='stMain'] [data-testid='stImage'] img", timeout=timeout_s * 1000) \
        if page == "" else None
    while not tab.evaluate(_IMAGES_LOADED):
        if time.perf_counter() > deadline:
            raise TimeoutError("images not loaded")
        tab.wait_for_timeout(10)
    seconds = time.perf_counter() - t0
    if tab.query_selector("[data-testid='stException']"):
        errors.append("exception box on the page")
    ctx.close()
    return seconds, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--page", default="", help='url path of the page (default "": Home)')
    ap.add_argument("--websocket", action="store_true", help="a websocket session instead of Chromium")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--after-home", type=float, default=None, metavar="S",
                    help="visit Home first, wait S seconds, then time the page")
    a = ap.parse_args()
    firsts, startups, bad = [], [], 0
    pw = browser = None
    if not a.websocket:
        from playwright.sync_api import sync_playwright
        pw = sync_playwright().start()
        browser = launch_chromium(pw)
    try:
        for rep in range(a.reps):
            t_start = time.perf_counter()
            with AppServer(env={"DIFFUSION_TRAIN_CALLS": ""}) as srv:
                startups.append(time.perf_counter() - t_start)
                if a.after_home is not None:
                    run_page(srv.base, "", timeout=a.timeout)
                    time.sleep(a.after_home)
                if a.websocket:
                    r = run_page(srv.base, a.page, timeout=a.timeout)
                    seconds, errors = r.seconds, ([] if r.ok else [f"{r.status} {r.error} {r.exceptions}"])
                else:
                    seconds, errors = visit_browser(browser, srv.base, a.page, a.timeout)
            firsts.append(seconds)
            bad += bool(errors)
            print(f"rep {rep + 1}: server up in {startups[-1]:.2f} s, first /{a.page} finished in "
                  f"{seconds:.2f} s" + (f"  PROBLEMS: {errors}" if errors else ""), flush=True)
    finally:
        if browser is not None:
            browser.close()
            pw.stop()
    how = "websocket session" if a.websocket else "headless Chromium"
    if a.after_home is not None:
        how += f", {a.after_home:g} s after a first visit of Home"
    print(f"first /{a.page} on a fresh server ({how}, {a.reps} reps): median {statistics.median(firsts):.2f} s "
          f"(min {min(firsts):.2f}, max {max(firsts):.2f}); server start-up median "
          f"{statistics.median(startups):.2f} s")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
