"""Rerun time of pages after a widget move, through Streamlit's AppTest (in-process, no browser).

    PYTHONPATH=. python3 benchmarks/bench_pages.py [--repeat 2] [--threads 1] [--json out.json]
    PYTHONPATH=. python3 benchmarks/bench_pages.py --page views/1_forward.py \
        --key w_forward_lam --values 10 20 30
    PYTHONPATH=. python3 benchmarks/bench_pages.py --warm --only lab   # the lab pages, as a class meets them

For every (page file, widget key, values) in CASES (or the one given on the command line): open the
app, switch to the page, run it once (first render, caches cold), then move the widget through the
values ("button:LABEL": click that button), timing each rerun (wall clock, and the process's CPU time, which other load on the
machine disturbs less). Pass 1 sees every value for the first time (cache misses: the cost a
user pays for a new slider position); later passes revisit the same values (cache hits). Prints the
median and the maximum of each pass. Everything else stays at its default size.

--warm: open Home first and wait for the server's background warm-up (dashboard/warmup.py: imports,
then the models the lesson uses) before the page's first visit, as a class meets the pages after
the teacher has opened the app once; the warm-up's own time is printed. --only WORD: only the cases
whose page file contains WORD (e.g. "train", or "lab" for the four lab cases).

Fragments. A widget inside an @st.fragment reruns only that fragment in a browser, but AppTest
always reruns the whole script, so the rerun time above is the whole page's. To report what a
browser user waits for such a widget, every function decorated with st.fragment is wrapped (the
wrap is installed on `streamlit.fragment` before the first run) so that each call of its body is
timed, wall clock and CPU: a move of a widget that lives in a fragment then also prints the
fragment's own time per rerun ("fragment" columns: the body of every fragment whose widget keys
include the moved one; its computations, chart specs and elements, the cost of a fragment rerun
less Streamlit's fixed start of a script run). Cases of widgets outside every fragment print "-".
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WIDGET_KINDS = ("slider", "select_slider", "number_input", "radio", "selectbox", "checkbox",
                "toggle", "text_input")

# (page file, widget key, values the widget is moved through). Every value differs from the
# page's default, so that each move of pass 1 is a real rerun with new inputs.
CASES: list[tuple[str, str, list]] = [
    ("views/1_forward.py", "w_forward_lam", [5.0, 10.0, 15.0, 20.0, 30.0, 35.0, 40.0, 45.0, 2.0, 1.0]),
    ("views/2_score_field.py", "w_score_t", [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]),
    ("views/2_score_field.py", "w_score_lam", [5.0, 10.0, 15.0, 20.0, 30.0, 35.0, 40.0, 45.0, 2.0, 1.0]),
    ("views/3_reversal.py", "w_reversal_threshold", [0.6, 0.7, 0.8, 0.95]),
    ("views/4_train.py", "w_train_t", [0.05, 0.2, 0.5, 1.0]),
    ("views/4_train.py", "w_mixture", ["ring8"]),                 # the lesson's lab mixture
    ("views/6_sampler_lab.py", "w_samplers_metric", ["sliced_w2", "loglik_gap"]),
    ("views/8_memorization.py", "w_memo_radius", [0.1, 0.2, 0.5, 1.0]),
    ("views/8_memorization.py", "button:Run the sweep", [None]),     # a click, then reruns
    ("views/9_weighting_lab.py", "w_weight_view", ["scaled"]),
    ("views/10_guidance.py", "w_guidance_w", [0.5, 1.5, 2.5, 3.5]),
    ("views/10_guidance.py", "w_guidance_t", [0.1, 0.2, 0.5, 0.8]),
    ("views/11_flow.py", "w_flow_paths", [20, 40, 100, 150]),
    ("views/12_your_data.py", "w_yours_width", [0.5, 1.5, 2.0, 3.0]),
    ("views/13_digits.py", "w_digits_class", [1, 2, 5, 7]),
    ("views/13_digits.py", "w_digits_w", [0.0, 2.0, 3.0]),
]
LAB = ("4_train", "6_sampler_lab", "8_memorization", "9_weighting_lab")


def find_widget(at, key: str):
    """The widget with this key, whatever its kind (KeyError if the page has none)."""
    for kind in WIDGET_KINDS:
        try:
            return getattr(at, kind)(key=key)
        except (KeyError, AttributeError):
            continue
    raise KeyError(f"no widget with key {key!r} on this page")


FRAGMENT_TIMES: dict[str, list[tuple[float, float]]] = {}   # fragment name -> (wall, cpu) per call
FRAGMENT_KEYS: dict[str, set] = {}                          # fragment name -> widget keys it built


def time_fragments() -> None:
    """Wrap streamlit.fragment so that every call of a fragment's body is timed (FRAGMENT_TIMES)
    and the user keys of the widgets it creates are recorded (FRAGMENT_KEYS: the run's registered
    widget keys after the call less those before it)."""
    import functools
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    if getattr(st.fragment, "_bench_timed", False):
        return
    original = st.fragment

    def keys_now() -> frozenset:
        ctx = get_script_run_ctx()
        return ctx.shared.widget_user_keys_this_run.snapshot() if ctx else frozenset()

    def wrap(func):
        @functools.wraps(func)
        def timed(*args, **kwargs):
            before = keys_now()
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                FRAGMENT_TIMES.setdefault(func.__qualname__, []).append((wall, cpu))
                FRAGMENT_KEYS.setdefault(func.__qualname__, set()).update(keys_now() - before)
        return timed

    def fragment(func=None, *args, **kwargs):
        if func is None:
            return lambda f: original(wrap(f), *args, **kwargs)
        return original(wrap(func), *args, **kwargs)

    fragment._bench_timed = True
    st.fragment = fragment


def fragment_of(key: str) -> str | None:
    """The fragment that built the widget with this key (None: it is outside every fragment)."""
    return next((name for name, keys in FRAGMENT_KEYS.items() if key in keys), None)


def wait_for_warm_up() -> float:
    """Seconds spent waiting for the app's warm-up thread (started by the first run) to finish."""
    import threading
    t0 = time.perf_counter()
    for thread in threading.enumerate():
        if thread.name == "warm-up":
            thread.join()
    return time.perf_counter() - t0


def bench_case(page: str, key: str, values: list, repeat: int = 2, timeout: float = 300,
               warm: bool = False) -> dict:
    from streamlit.testing.v1 import AppTest

    time_fragments()
    FRAGMENT_TIMES.clear()
    FRAGMENT_KEYS.clear()
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=timeout)
    at.run()
    warm_up = wait_for_warm_up() if warm else 0.0
    t0, c0 = time.perf_counter(), time.process_time()
    at.switch_page(page).run()
    first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    if at.exception:
        raise RuntimeError(f"{page}: exception on first render: {at.exception[0].message}")
    passes = []
    for _ in range(repeat):
        times, cpu, frag, frag_cpu = [], [], [], []
        for v in values:
            w = (next(b for b in at.button if b.label == key[len("button:"):]).click()
                 if key.startswith("button:") else find_widget(at, key).set_value(v))
            t0, c0 = time.perf_counter(), time.process_time()
            calls = {name: len(c) for name, c in FRAGMENT_TIMES.items()}
            w.run()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            name = fragment_of(key)
            if name is not None:
                new = FRAGMENT_TIMES[name][calls.get(name, 0):]
                frag.append(sum(t for t, _ in new))
                frag_cpu.append(sum(c for _, c in new))
            if at.exception:
                raise RuntimeError(f"{page}: exception at {key} = {v}: {at.exception[0].message}")
        passes.append((times, cpu, frag, frag_cpu))
    return {"page": page, "key": key, "values": values, "first_render_s": first, "first_cpu_s": first_cpu,
            "warm_up_s": warm_up, "fragment": fragment_of(key),
            "passes": [{"median_s": statistics.median(p), "max_s": max(p), "times_s": p,
                        "median_cpu_s": statistics.median(c), "cpu_s": c,
                        **({"fragment_median_s": statistics.median(f), "fragment_max_s": max(f),
                            "fragment_s": f, "fragment_median_cpu_s": statistics.median(fc),
                            "fragment_cpu_s": fc} if f else {})}
                       for p, c, f, fc in passes]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--page")
    ap.add_argument("--key")
    ap.add_argument("--values", nargs="+", type=float)
    ap.add_argument("--repeat", type=int, default=2, help="passes over the values (default 2)")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's own)")
    ap.add_argument("--warm", action="store_true", help="wait for the server's warm-up before each first visit")
    ap.add_argument("--only", help="only cases whose page contains this (\"lab\": the four lab pages)")
    a = ap.parse_args(argv)
    if a.threads:
        import torch
        torch.set_num_threads(a.threads)
    sys.path.insert(0, ROOT)
    os.chdir(ROOT)
    cases = [(a.page, a.key, a.values)] if a.page else CASES
    if a.only:
        cases = [c for c in cases if (any(p in c[0] for p in LAB) if a.only == "lab" else a.only in c[0])]
    print("load average (1, 5, 15 min):", " ".join(f"{v:.2f}" for v in os.getloadavg()))
    results = []
    print(f"{'page':28s} {'widget':16s} {'first (cpu)':>15s} " +
          " ".join(f"{'pass ' + str(i + 1) + ' med/max (cpu med)':>28s}" for i in range(a.repeat)) + "  " +
          " ".join(f"{'fragment ' + str(i + 1) + ' med/max (cpu med)':>32s}" for i in range(a.repeat)))
    for page, key, values in cases:
        try:
            r = bench_case(page, key, values, a.repeat, warm=a.warm)
        except (KeyError, RuntimeError) as e:
            print(f"{page:28s} {key:16s} skipped: {e}")
            continue
        results.append(r)
        cells = " ".join(f"{p['median_s']:9.3f}/{p['max_s']:.3f}s ({p['median_cpu_s']:.3f}s)"
                         for p in r["passes"]) + "  " + " ".join(
            f"{p['fragment_median_s']:13.3f}/{p['fragment_max_s']:.3f}s ({p['fragment_median_cpu_s']:.3f}s)"
            if "fragment_median_s" in p else f"{'-':>32s}" for p in r["passes"])
        print(f"{page:28s} {key:16s} {r['first_render_s']:6.2f}s ({r['first_cpu_s']:.2f}s) {cells}"
              + (f"  (warm-up waited {r['warm_up_s']:.1f}s)" if a.warm else ""))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
