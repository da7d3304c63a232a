"""Time the Train & sample page through AppTest, in a fresh process.

    PYTHONPATH=. python3 benchmarks/bench_train_page.py [--threads N] [--recipe ours|tutorial]
                                                       [--steps S] [--reruns R]

Prints: the first visit of the page (default settings: trains the model, samples, draws every
figure), the training time the page reports, a plain rerun with everything cached, moving the
time slider to new values (the score fields at a new t are computed and drawn), moving it back to
a value already seen, and changing the number of samples (new sampling). Times are wall-clock
seconds of AppTest runs (script run, not the browser's drawing).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


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
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        if out is not None and out.exception:
            raise SystemExit(f"{label}: exception {[e.message for e in out.exception]}")
        return dt

    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=900)
    if a.recipe != "ours":
        at.session_state["w_train_recipe"] = a.recipe
        from pages import models
        base = models.RECIPES[a.recipe]()
        for k, v in (("steps", base.steps), ("batch", base.batch_size), ("lr", base.lr),
                     ("width", base.width), ("eps", base.eps)):
            at.session_state[f"w_train_{k}"] = v
    if a.steps:
        at.session_state["w_train_steps"] = a.steps
    home = timed("home", lambda: at.run())
    first = timed("first visit", lambda: at.switch_page("pages/4_train.py").run())
    train_s = float(at.metric[0].value.split()[0])
    rerun = [timed("rerun", lambda: at.run()) for _ in range(a.reruns)]
    ts = [0.2, 0.35, 0.5, 0.65, 0.8][: max(1, a.reruns)]
    new_t = [timed("t slider", lambda t=t: at.slider(key="w_train_t").set_value(t).run()) for t in ts]
    old_t = [timed("t slider back", lambda t=t: at.slider(key="w_train_t").set_value(t).run()) for t in ts]
    n_new = timed("samples 5000", lambda: at.number_input(key="w_train_n").set_value(5000).run())
    n_max = timed("samples 20000", lambda: at.number_input(key="w_train_n").set_value(20000).run())

    med = statistics.median
    print(f"torch threads {torch.get_num_threads()}, recipe {a.recipe}, "
          f"steps {a.steps or 'recipe default'}, load average {os.getloadavg()[0]:.1f}")
    print(f"home page (app start, imports)          {home:7.2f} s")
    print(f"first visit of the page (trains)        {first:7.2f} s   (training itself {train_s:.1f} s)")
    print(f"rerun, everything cached (median of {len(rerun)})  {med(rerun):7.3f} s   max {max(rerun):.3f}")
    print(f"t slider to a new t (median of {len(new_t)})      {med(new_t):7.3f} s   max {max(new_t):.3f}")
    print(f"t slider to a seen t (median of {len(old_t)})     {med(old_t):7.3f} s   max {max(old_t):.3f}")
    print(f"samples 1000 -> 5000 (sampling, metrics)  {n_new:7.2f} s")
    print(f"samples 5000 -> 20000 (the cap)           {n_max:7.2f} s")


if __name__ == "__main__":
    main()
