"""Digits benchmark: the default DigitsConfig trained on scikit-learn's 8x8 digits, its samples
judged against the targets, next to the exact score of the training set.

Guidance scale: the project's one convention, s + w (s(. | y) - s) (the Guidance page's): w = 1 is
the conditional model, w = 2 one step of guidance beyond it. In Ho and Salimans's convention,
s(. | y) + w' (s(. | y) - s), these are w' = w - 1: the targets "w' = 0" and "w' = 1" are our
w = 1 and w = 2, and the files samples_w0.npz / samples_w1.npz hold exactly those samples.

Targets: training <= 60 s on 2 cores; class accuracy of 1,000 samples (100 per class) >= 0.80 at
w' = 0 and >= 0.95 at w' = 1 by a classifier whose own held-out accuracy is >= 0.95; mean distance
of the network's samples to their nearest training image >= 0.9x that of the held-out digits, and
<= 0.05x for the exact empirical score's samples (copies of training images).

    PYTHONPATH=. python benchmarks/bench_digits.py [--device cpu|cuda] [--out DIR] [--threads N]
        [--method dpm2m_sa] [--budget 30] [--quality] [--page]

--out DIR writes samples_w0.npz, samples_w1.npz and exact.npz: arrays x (N, 64) in the data
set's own 0..16 pixel scale and y (N,) the requested labels. --quality adds sample quality per
score evaluation for a few samplers at w = 1 (200 samples each). --page instead times the Digits
page in AppTest (bench_pages.bench_case): its default model trained through the page's shared
slot, then the first visit after training and each move of the w slider (new values: cache
misses).
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import diffusion_core as dc  # noqa: E402

PER_CLASS = 100
QUALITY_METHODS = ("sde", "ode", "dpm2m", "dpm2m_sa")
QUALITY_BUDGETS = (10, 20, 50, 100)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--method", default="dpm2m_sa", choices=dc.METHODS)
    ap.add_argument("--budget", type=int, default=30, help="score evaluations per sample")
    ap.add_argument("--quality", action="store_true")
    ap.add_argument("--page", action="store_true")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.page:
        return page_timings()
    cfg = dc.DigitsConfig()
    data = cfg.data()
    print(f"device {args.device}, torch threads {torch.get_num_threads()}, cores {os.cpu_count()}, "
          f"train/test {len(data.x_train)}/{len(data.x_test)}, sampler {args.method} at {args.budget} NFE")
    print(f"recipe: {cfg}")
    dc.train_digits_model(cfg.with_train(steps=2, warmup=0, log_every=1), device=args.device)  # one-time costs
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    net, hist = dc.train_digits_model(cfg, device=args.device)
    train_s = time.perf_counter() - t0
    load = os.getloadavg()
    print(f"trained {cfg.train.steps} steps in {train_s:.1f} s; load average before {load_before:.2f}, "
          f"after {load[0]:.2f} (5 min {load[1]:.2f}); last loss {hist.train_loss.iloc[-1]:.3f}")
    clf, clf_acc = dc.fit_digit_classifier(data)
    labels = torch.arange(10).repeat_interleave(PER_CLASS)
    rows, files = [], {}
    for name, w in (("w'=0 (w=1)", 1.0), ("w'=1 (w=2)", 2.0)):
        t0 = time.perf_counter()
        res = dc.guided_digits(net, cfg.sde, labels, w, args.method, args.budget, seed=1)
        rows.append((name, res.nfe, time.perf_counter() - t0, dc.digit_measures(res.x, labels, data, clf)))
        files[f"samples_w{int(w) - 1}.npz"] = res.x
    t0 = time.perf_counter()
    x = dc.exact_digits(data.x_train, data.y_train, labels, cfg.sde, "sde", 100, seed=1)
    rows.append(("exact empirical score (per class)", dc.nfe("sde", dc.steps_for_nfe("sde", 100)),
                 time.perf_counter() - t0, dc.digit_measures(x, labels, data, clf)))
    files["exact.npz"] = x
    held = rows[0][3]["nn_test"]
    real = dc.digit_measures(data.x_test, data.y_test, data, clf)
    print(f"\nheld-out digits: classifier accuracy {clf_acc:.3f}, mean nearest-training distance "
          f"{held:.3f}, Frechet (pixels, vs themselves) 0; training split vs held-out Frechet "
          f"{dc.frechet_distance(data.x_train, data.x_test):.3f}")
    print(f"\n| samples | NFE | seconds | class accuracy | mean NN distance | NN / held-out | Frechet (pixels) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(f"| held-out real digits | - | - | {real['accuracy']:.3f} | {held:.3f} | 1.000 | 0 |")
    for name, n_fe, secs, m in rows:
        print(f"| {name} | {n_fe} | {secs:.1f} | {m['accuracy']:.3f} | {m['nn_mean']:.3f} | "
              f"{m['nn_ratio']:.3f} | {m['frechet']:.3f} |")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        y = labels.numpy()
        for fname, x in files.items():
            np.savez(args.out / fname, x=dc.to_pixels(x), y=y)
        print(f"\nwrote {', '.join(files)} to {args.out}")
    if args.quality:
        q = dc.sampler_quality(net, cfg.sde, data, clf, QUALITY_METHODS, QUALITY_BUDGETS, w=1.0,
                               per_class=20, seed=2)
        pick = torch.randperm(len(data.x_train), generator=torch.Generator().manual_seed(2))[:200]
        floor = dc.frechet_distance(data.x_train[pick], data.x_test)
        print(f"\nquality per score evaluation at w = 1 (200 samples): Frechet (pixels) / accuracy; "
              f"200 real training digits score {floor:.3f}")
        print("| sampler | " + " | ".join(f"{b} NFE" for b in QUALITY_BUDGETS) + " |")
        print("| --- |" + " --- |" * len(QUALITY_BUDGETS))
        for m in QUALITY_METHODS:
            cells = [f"{r['frechet']:.3f} / {r['accuracy']:.2f}" for r in q if r["method"] == m]
            print(f"| {m} | " + " | ".join(cells) + " |")
    acc0, acc1 = rows[0][3]["accuracy"], rows[1][3]["accuracy"]
    net_ratio = min(rows[0][3]["nn_ratio"], rows[1][3]["nn_ratio"])
    exact_ratio = rows[2][3]["nn_ratio"]
    ok = (train_s <= 60 and acc0 >= 0.80 and acc1 >= 0.95 and clf_acc >= 0.95 and net_ratio >= 0.9
          and exact_ratio <= 0.05)
    print(f"\ntrain {train_s:.1f} s (load {load[0]:.2f}) | classifier held-out {clf_acc:.3f} | accuracy "
          f"w'=0 {acc0:.3f} w'=1 {acc1:.3f} | NN ratio network {net_ratio:.3f} exact {exact_ratio:.4f} | "
          f"targets {'met' if ok else 'NOT met'}")


def page_timings():
    import statistics
    from bench_pages import bench_case
    from dashboard import digits as dd
    from dashboard import settings as sio, state
    t0 = time.perf_counter()
    dd.model(dd.config(sio.SCHEMA["w_digits_steps"].default, state.DEFAULT_SEED))
    print(f"page's default model trained in {time.perf_counter() - t0:.1f} s (load {os.getloadavg()[0]:.2f})")
    r = bench_case("views/13_digits.py", "w_digits_w", [0.5, 1.5, 2.0, 3.0, 4.0, 0.0], repeat=1)
    times = r["passes"][0]["times_s"]
    print(f"first visit after training {r['first_render_s']:.2f} s; w slider moves: median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in times)}); load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
