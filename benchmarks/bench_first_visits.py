#!/usr/bin/env python3
"""Each page's first visit through the navigation, as a class meets the app: in a real browser,
after the server's warm-up.

    python benchmarks/bench_first_visits.py [--settle 600] [--pages train flow]

Starts `streamlit run app.py` (tests/server.py AppServer), opens Home in headless Chromium
(Debian's /usr/bin/chromium), then waits until the server's background warm-up is over (its
process used under 5 % of a core for 5 s in a row, at most --settle s). Then it clicks every
page's link in the sidebar, in the navigation's order, and times each visit from the click:
"run" until the server reported the page's script run finished, "shown" until the browser also
showed the new page's title (tests/server.py follow_nav_link). Last, on Train & sample, it
chooses ring8 in the sidebar (the page trains on demand what the warm-up did not) and times its
run. Prints one line per step and the longest wait.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from server import (AppServer, ScriptRuns, app_pages, follow_nav_link,  # noqa: E402
                    launch_chromium, settle)

TIMEOUT_MS = 180_000


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, settle_s: float, share: float = 0.05, quiet_s: float = 5.0) -> float:
    """Seconds until the process used under `share` of a core for quiet_s in a row (at most settle_s)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < settle_s:
        c0 = cpu_seconds(pid)
        time.sleep(quiet_s)
        if cpu_seconds(pid) - c0 < share * quiet_s:
            break
    return time.monotonic() - t0


def timed(runs: ScriptRuns, step) -> tuple[float, float]:
    """(run, shown) seconds of step(): until the first script run finished after it started, and
    until the time step() returns (None: the run's)."""
    n, t0 = runs.finished, time.perf_counter()
    shown = step()
    run = runs.finished_at[n] - t0
    return run, max(run, shown - t0) if shown is not None else run


def choose_in_sidebar(page, runs: ScriptRuns, label: str, option: str):
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has=page.get_by_test_id("stWidgetLabel").filter(has_text=label)).first
    n = runs.finished
    box.locator("input").first.click()
    page.locator("[role='option']").filter(has_text=option).first.click()
    runs.wait_after(page, n, TIMEOUT_MS)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--settle", type=float, default=600, help="longest wait for the warm-up (s)")
    ap.add_argument("--pages", nargs="*", help="only the pages whose url path contains one of these")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright
    worst = 0.0
    with AppServer() as server, sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        runs = ScriptRuns(page)
        page.goto(server.base + "/")
        settle(page, TIMEOUT_MS)
        print(f"warm-up: the server idle after {wait_until_idle(server.pid, args.settle):.0f} s", flush=True)
        for url, title in app_pages():
            if not url or (args.pages and not any(w in url for w in args.pages)):
                continue
            run, shown = timed(runs, lambda: follow_nav_link(page, runs, server.base, url, TIMEOUT_MS))
            worst = max(worst, shown)
            print(f"{title:<28} first visit   run {run:5.2f} s   shown {shown:5.2f} s", flush=True)
            if url == "train":
                run, shown = timed(runs, lambda: choose_in_sidebar(page, runs, "Distribution", "ring8"))
                worst = max(worst, shown)
                print(f"{title:<28} ring8 chosen  run {run:5.2f} s", flush=True)
                choose_in_sidebar(page, runs, "Distribution", "tutorial")
        browser.close()
    print(f"longest: {worst:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
