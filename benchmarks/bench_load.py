#!/usr/bin/env python3
"""A class opening the train page at once: N sessions, the same settings, one server.

    python benchmarks/bench_load.py [--sessions 30] [--page train] [--url http://127.0.0.1:8501]
                                    [--browser] [--home-first [--warm-models 2]]

Starts `streamlit run app.py` on a loopback port (unless --url is given), then opens N
websocket sessions at the same moment (what a browser tab does: connect to /_stcore/stream and
ask for the page with the default settings) and waits until every one has its finished page.
With --browser the N sessions are N headless Chromium contexts instead (one browser, Debian's
/usr/bin/chromium): closer to a class of laptops, but the browsers' drawing shares this
machine's CPU with the server.
With --home-first the class meets the server as in a lesson: one visit of Home first (the
server's first script run starts its background warm-up, which trains the Train page's default
models), then a wait until the server has finished --warm-models trainings (at most --settle s),
then the N sessions.
Meanwhile it polls /_stcore/health every 0.2 s. Prints: wall time until all N have their result,
p50/p95/max time per session, health latency under load, the training runs the server counted
(only when it started the server), and whether every session got the same finished page.
Exits 1 when a session failed, the pages differ, or the same model was trained twice.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))
from server import (AppServer, HealthProbe, PageRun, ScriptRuns, dom_quiet, launch_chromium,  # noqa: E402
                    percentile, run_page)


def load(base: str, sessions: int, page: str, timeout: float):
    """Run `sessions` concurrent sessions of `page`; returns (wall seconds, [PageRun], HealthProbe)."""
    results = [None] * sessions
    start = threading.Barrier(sessions + 1)

    def one(i):
        start.wait()
        results[i] = run_page(base, page, timeout=timeout)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(sessions)]
    for th in threads:
        th.start()
    with HealthProbe(base) as probe:
        start.wait()
        t0 = time.perf_counter()
        for th in threads:
            th.join(timeout + 30)
        wall = time.perf_counter() - t0
    return wall, results, probe


def load_browser(base: str, sessions: int, page: str, timeout: float):
    """Like load(), with one headless Chromium context per session."""
    from playwright.sync_api import sync_playwright
    results = [PageRun() for _ in range(sessions)]
    with sync_playwright() as p, HealthProbe(base) as probe:
        browser = launch_chromium(p)
        tabs = []
        for _ in range(sessions):
            tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            tabs.append((tab, ScriptRuns(tab)))
        t0 = time.perf_counter()
        starts = []
        for tab, _ in tabs:
            starts.append(time.perf_counter())
            tab.goto(f"{base}/{page}", wait_until="commit", timeout=timeout * 1000)
        deadline = t0 + timeout
        waiting = set(range(sessions))
        while waiting and time.perf_counter() < deadline:
            for i in list(waiting):
                tab, runs = tabs[i]
                if runs.finished:
                    results[i].seconds = runs.finished_at[0] - starts[i]
                    results[i].status = runs.statuses[-1]
                    waiting.discard(i)
            tabs[0][0].wait_for_timeout(100)
        wall = time.perf_counter() - t0
        for i, (tab, _) in enumerate(tabs):     # once all are done: what each tab shows
            r = results[i]
            if i in waiting:
                r.error = f"no finished page within {timeout:.0f} s"
                continue
            try:   # lazily loaded parts (a table's grid) show a skeleton until they are drawn
                tab.wait_for_selector("[data-testid='stSkeleton']", state="detached", timeout=60_000)
            except Exception:
                pass
            dom_quiet(tab)
            r.exceptions = [e.inner_text()[:300] for e in tab.query_selector_all("[data-testid='stException']")]
            kinds = tab.eval_on_selector_all("[data-testid='stMain'] [data-testid^='st']",
                                             "els => [...new Set(els.map(e => e.dataset.testid))].sort()")
            r.final = {(k,): t for k, t in enumerate(kinds)}
            r.ok = not r.exceptions
        browser.close()
    return wall, results, probe


def report(wall, results, probe, training_runs=None, out=print) -> dict:
    done = [r for r in results if r is not None]
    secs = [r.seconds for r in done]
    ok = [r for r in done if r.ok]
    sigs = Counter(r.signature() for r in ok)
    health = probe.ok()
    fig = {
        "sessions": len(results), "ok": len(ok), "wall_s": wall,
        "session_p50_s": percentile(secs, 50), "session_p95_s": percentile(secs, 95),
        "session_max_s": max(secs) if secs else float("nan"),
        "health_n": len(probe.latencies), "health_failures": probe.failures(),
        "health_p50_ms": 1000 * percentile(health, 50), "health_p95_ms": 1000 * percentile(health, 95),
        "health_max_ms": 1000 * max(health) if health else float("nan"),
        "distinct_pages": len(sigs), "training_runs": training_runs,
    }
    out(f"sessions            {fig['ok']} of {fig['sessions']} got their finished page")
    out(f"wall time           {wall:.1f} s until all sessions had their result")
    out(f"per session         p50 {fig['session_p50_s']:.1f} s, p95 {fig['session_p95_s']:.1f} s, "
        f"max {fig['session_max_s']:.1f} s")
    out(f"health under load   p50 {fig['health_p50_ms']:.0f} ms, p95 {fig['health_p95_ms']:.0f} ms, "
        f"max {fig['health_max_ms']:.0f} ms over {fig['health_n']} probes, "
        f"{fig['health_failures']} failed")
    out(f"finished pages      {fig['distinct_pages']} distinct (1 = every session saw the same page)")
    if len(sigs) > 1:
        common_sig = set(sigs.most_common(1)[0][0])
        for sig, n in sigs.most_common()[1:]:
            out(f"  {n} session(s) differ: missing {sorted(common_sig - set(sig))}, "
                f"extra {sorted(set(sig) - common_sig)}")
    if training_runs is not None:
        out(f"training runs       {training_runs}")
    for r in done:
        if not r.ok:
            out(f"FAILED session: status={r.status!r} error={r.error!r} exceptions={r.exceptions}")
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--page", default="train", help="url path of the page (default: train)")
    ap.add_argument("--url", help="an already running server; default: start one")
    ap.add_argument("--timeout", type=float, default=900, help="seconds a session may take")
    ap.add_argument("--browser", action="store_true", help="one Chromium context per session")
    ap.add_argument("--home-first", action="store_true",
                    help="open Home once and wait for the warm-up's trainings before the class")
    ap.add_argument("--warm-models", type=int, default=2, help="trainings the warm-up finishes (--home-first)")
    ap.add_argument("--settle", type=float, default=300, help="seconds to wait for them at most")
    a = ap.parse_args()
    run = load_browser if a.browser else load
    if a.url:
        wall, results, probe = run(a.url.rstrip("/"), a.sessions, a.page, a.timeout)
        fig = report(wall, results, probe)
    else:
        with AppServer() as srv:
            print(f"server {srv.base} (pid {srv.pid}), {a.sessions} "
                  f"{'browser' if a.browser else 'websocket'} sessions of /{a.page}")
            if a.home_first:
                t0 = time.perf_counter()
                home = run_page(srv.base, "", timeout=a.timeout)
                print(f"home first          {home.seconds:.2f} s ({home.status})")
                ends = lambda: sum(1 for ln in srv.training_calls() if " end" in ln)  # noqa: E731
                while ends() < a.warm_models and time.perf_counter() - t0 < a.settle:
                    time.sleep(0.5)
                print(f"warm-up             {ends()} trainings finished {time.perf_counter() - t0:.1f} s "
                      f"after the first visit")
            wall, results, probe = run(srv.base, a.sessions, a.page, a.timeout)
            fig = report(wall, results, probe, srv.training_runs())
            keys = srv.training_keys()
            fig["trained_twice"] = len(keys) - len(set(keys))
            print(f"trained twice       {fig['trained_twice']} (the same model trained again; the "
                  "server's warm-up trains each default model once)")
            if srv.app_training_log() is not None:
                print(f"app's training log  {len(srv.app_training_log())} lines")
    bad = fig["ok"] != fig["sessions"] or fig["distinct_pages"] != 1 or fig.get("trained_twice", 0) > 0
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
