"""Time the Train & sample page through AppTest, in a fresh process.

    PYTHONPATH=. python3 benchmarks/bench_train_page.py [--threads N] [--recipe ours|tutorial]
                                                       [--steps S] [--reruns R]

Prints: the first visit of the page (default settings: trains the model, samples, draws every
figure), the training time the page reports, a plain rerun with everything cached, moving the
time slider to new values (the score fields at a new t are computed and drawn), moving it back to
a value already seen, and changing the number of samples (new sampling). Times are seconds of AppTest
runs (script run, not the browser's drawing): wall clock, and in brackets the CPU time of this
process, which on a machine shared with other work is close to what an idle machine's wall clock
would show (the page computes in one torch thread).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


class Timed(NamedTuple):
    wall: float
    cpu: float


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--recipe", choices=("ours", "tutorial"), default="ours")
    ap.add_argument("--steps", type=int, default=0, help="training steps (0: the recipe's)")
    ap.add_argument("--reruns", type=int, default=5)
    a = ap.parse_args()

    import torch
    if a.threads:
        torch.set_num_threads(a.threads)
    from streamlit.testing.v1 import AppTest

    def timed(label, fn):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        dt = time.perf_counter() - t0
        if out is not None and out.exception:
            raise SystemExit(f"{label}: exception {[e.message for e in out.exception]}")
        return Timed(dt, time.process_time() - c0)

    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=900)
    if a.recipe != "ours":
        at.session_state["w_train_recipe"] = a.recipe
        from dashboard import models
        base = models.RECIPES[a.recipe]()
        for k, v in (("steps", base.steps), ("batch", base.batch_size), ("lr", base.lr),
                     ("width", base.width), ("eps", base.eps)):
            at.session_state[f"w_train_{k}"] = v
    if a.steps:
        at.session_state["w_train_steps"] = a.steps
    home = timed("home", lambda: at.run())
    first = timed("first visit", lambda: at.switch_page("views/4_train.py").run())
    train_s = float(at.metric[0].value.split()[0])
    rerun = [timed("rerun", lambda: at.run()) for _ in range(a.reruns)]
    ts = [0.2, 0.35, 0.5, 0.65, 0.8][: max(1, a.reruns)]
    new_t = [timed("t slider", lambda t=t: at.slider(key="w_train_t").set_value(t).run()) for t in ts]
    old_t = [timed("t slider back", lambda t=t: at.slider(key="w_train_t").set_value(t).run()) for t in ts]
    n_new = timed("samples 5000", lambda: at.number_input(key="w_train_n").set_value(5000).run())
    n_max = timed("samples 20000", lambda: at.number_input(key="w_train_n").set_value(20000).run())

    def row(label, ts):
        ts = ts if isinstance(ts, list) else [ts]
        wall = statistics.median(t.wall for t in ts)
        cpu_s = statistics.median(t.cpu for t in ts)
        many = f" (median of {len(ts)}, max {max(t.wall for t in ts):.3f})" if len(ts) > 1 else ""
        print(f"{label:42s} {wall:7.3f} s  [cpu {cpu_s:6.3f} s]{many}")

    print(f"torch threads {torch.get_num_threads()}, recipe {a.recipe}, "
          f"steps {a.steps or 'recipe default'}, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    row("home page (app start, imports)", home)
    row(f"first visit of the page (training {train_s:.1f} s)", first)
    row("rerun, everything cached", rerun)
    row("t slider to a new t", new_t)
    row("t slider to a t seen before", old_t)
    row("samples 1000 -> 5000 (sampling, metrics)", n_new)
    row("samples 5000 -> 20000 (the cap)", n_max)


if __name__ == "__main__":
    main()
