"""Exact fields of the guidance and flow-matching lessons, their networks, and point-set mixtures.

1. Throughput (points/s, best of --repeat, one process, --threads torch threads) on --n points of
   ring8 (K = 8): the exact score (reference), the exact flow velocity fm_velocity (one t, and a t
   per point), the exact guided score (w = 3) and its classifier-guidance form; then a 1,000-point
   smiley as a mixture (K = 1000, isotropic path): score and velocity. Target: >= 5 M points/s at K = 8.
2. Training time of the default recipe (dc.train_score_model, TrainConfig()) against the
   class-conditional network and the flow network with the same config. Target: <= 2x.
3. Learned against exact: learned-CFG samples against exact-CFG samples from the same noise
   (sliced W2) over w; the flow network's velocity error over t; sample quality against NFE for
   the exact and learned flows; straightness before and after one rectification round.

    python benchmarks/bench_fields.py [--quick] [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import pandas as pd  # noqa: E402
import torch  # noqa: E402

import diffusion_core as dc  # noqa: E402

SDE = dc.VESDE(25.0)


def best_rate(fn, n: int, repeat: int) -> float:
    """Points per second of fn(), best of `repeat` after one warm-up call."""
    fn()
    best = min(_timed(fn) for _ in range(repeat))
    return n / best


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def throughput(n: int, repeat: int):
    g = torch.Generator().manual_seed(0)
    x = 4.5 * torch.randn(n, 2, generator=g)
    t = torch.rand(n, generator=g)
    ring = dc.PRESETS["ring8"]
    points = dc.mixture_from_points(dc.smiley(1000))
    n_big = max(1, n // 10)
    cases = {
        "ring8 exact score (reference), t per point": (lambda: dc.exact_score(ring, SDE)(x, t), n),
        "ring8 fm_velocity, one t": (lambda: dc.fm_velocity(ring, x, 0.5), n),
        "ring8 fm_velocity, t per point": (lambda: dc.fm_velocity(ring, x, t), n),
        "ring8 guided score w=3, t per point": (lambda: dc.guided_score(ring, SDE, None, 0, 3.0)(x, t), n),
        "ring8 classifier-guided w=3, t per point":
            (lambda: dc.classifier_guided_score(ring, SDE, None, 0, 3.0)(x, t), n),
        "smiley K=1000 exact score, t per point": (lambda: dc.exact_score(points, SDE)(x[:n_big], t[:n_big]), n_big),
        "smiley K=1000 fm_velocity, t per point": (lambda: dc.fm_velocity(points, x[:n_big], t[:n_big]), n_big),
    }
    print(f"1. throughput, float32, {torch.get_num_threads()} thread(s), best of {repeat}")
    for name, (fn, m) in cases.items():
        print(f"   {name:<46} {best_rate(fn, m, repeat) / 1e6:8.2f} M points/s  ({m:,} points)", flush=True)


def training_times(cfg: dc.TrainConfig, gmm):
    runs = {"default recipe (train_score_model)": lambda: dc.train_score_model(gmm, SDE, cfg),
            "class-conditional (train_cond_score_model)": lambda: dc.train_cond_score_model(gmm, SDE, None, cfg),
            "flow matching (train_flow_model)": lambda: dc.train_flow_model(gmm, cfg)}
    short = dc.TrainConfig(steps=20, warmup=10, log_every=10)
    for warm in (dc.train_score_model(gmm, SDE, short), dc.train_cond_score_model(gmm, SDE, None, short),
                 dc.train_flow_model(gmm, short)):
        del warm                                 # warm-up: one-time costs of the process
    print(f"\n2. training time, {cfg.steps} steps, batch {cfg.batch_size}, ring8 (best of 2)")
    base, nets = None, {}
    for name, fn in runs.items():
        seconds = []
        for _ in range(2):
            t0 = time.perf_counter()
            nets[name] = fn()[0]
            seconds.append(time.perf_counter() - t0)
        s = min(seconds)
        base = base or s
        print(f"   {name:<44} {s:6.2f} s   {s / base:4.2f}x the default", flush=True)
    return list(nets.values())[1], list(nets.values())[2]


def learned_vs_exact(cond_net, flow_net, gmm, n: int):
    print("\n3a. learned CFG vs exact CFG, class 0 of ring8, same noise, 100 'sde' steps")
    df = dc.guidance_sweep(gmm, SDE, None, 0, ws=(0, 1, 2, 4, 8), n=n, steps=100, net=cond_net)
    print(df[["w", "leak", "learned_leak", "spread_ratio", "learned_spread_ratio", "logp_class",
              "learned_logp_class", "sw2_learned_exact"]].round(3).to_string(index=False))
    ts = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]
    err = dc.velocity_mse_by_t(flow_net, gmm, ts, 2000, torch.Generator().manual_seed(0))
    print("\n3b. flow network: mean squared velocity error by t (per coordinate)")
    print("   " + "  ".join(f"t={t:g}: {float(e):.4f}" for t, e in zip(ts, err)))
    print("\n3c. sliced W2 to true samples against NFE (exact flow, learned flow, VE PF-ODE)")
    exact = dc.flow_quality(gmm, SDE, (2, 4, 8, 16, 32), n=n)
    learned = dc.flow_quality(gmm, SDE, (2, 4, 8, 16, 32), n=n, velocity_fn=flow_net)
    learned = learned[learned.field == "flow"].assign(field="learned flow")
    table = pd.concat([exact, learned])
    print(table.pivot_table(index=["field", "method"], columns="nfe", values="sw2").round(3).to_string())
    rect, _ = dc.rectify(flow_net, steps=50)
    s = {name: dc.compare_paths(gmm, SDE, n=500, steps=100, velocity_fn=v)["flow"][1]
         for name, v in (("exact flow", None), ("learned flow", flow_net), ("rectified flow", rect))}
    s["VE PF-ODE (exact)"] = dc.compare_paths(gmm, SDE, n=500, steps=100)["VE PF-ODE"][1]
    print("\n3d. straightness (|x_1 - x_0| / path length, 100 Heun steps): "
          + ", ".join(f"{k} {v:.3f}" for k, v in s.items()))
    few = dc.flow_quality(gmm, SDE, (1, 2, 4), n=n, velocity_fn=rect)
    few = few[few.field == "flow"]
    print("    rectified flow, sliced W2 at NFE: "
          + ", ".join(f"{r.method} {r.nfe}: {r.sw2:.3f}" for r in few.itertuples()))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer points and repeats")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    n, repeat = (200_000, 3) if args.quick else (args.n, args.repeat)
    throughput(n, repeat)
    gmm = dc.PRESETS["ring8"]
    cond_net, flow_net = training_times(dc.TrainConfig(), gmm)
    learned_vs_exact(cond_net, flow_net, gmm, 2000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
