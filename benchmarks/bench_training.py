"""Training-recipe benchmark: TrainConfig() (ours) against TrainConfig.tutorial() on the tutorial
mixture with VESDE(25).

After one short warm-up run of each (one-time costs of the process), for every data seed both
recipes are trained in the same process, alternating which goes first, and timed; their samples (20,000 points, 200 steps) are compared with 20,000 true samples in
sliced W2, next to samples drawn with the exact score of p_t by the same sampler and seed.
Targets: ours trains in no more time than the tutorial's recipe, and its SW2 (method "sde") is
within 1.5x of the exact score's. The tutorial's recipe is also sampled with its own loop.

    PYTHONPATH=. python3 benchmarks/bench_training.py [--seeds 0 1 2] [--threads N] [--device cpu]
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import torch

import diffusion_core as dc

N_SAMPLES, STEPS = 20_000, 200


def sw2(score_fn, sde, truth, method, seed, device):
    res = dc.sample(score_fn, sde, N_SAMPLES, STEPS, method=method, device=device,
                    generator=torch.Generator(device=device).manual_seed(seed))
    return dc.sliced_w2(res.x, truth)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                    help="data/initialization seeds; each also seeds one sampler run")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    gmm, sde, dev = dc.PRESETS["tutorial"], dc.VESDE(25.0), args.device
    recipes = {"ours": dc.TrainConfig(), "tutorial": dc.TrainConfig.tutorial()}
    print(f"device {dev}, torch threads {torch.get_num_threads()}, seeds {args.seeds}")
    print(f"ours: {recipes['ours']}")
    for cfg in recipes.values():   # one-time costs of a process (lazy imports of the optimizer)
        dc.train_score_model(gmm, sde, dataclasses.replace(cfg, steps=2, warmup=0), device=dev)
    truth, _ = gmm.sample(N_SAMPLES, torch.Generator().manual_seed(12345))
    exact = dc.exact_score(gmm, sde)
    secs = {k: [] for k in recipes}
    rows = []
    for i, seed in enumerate(args.seeds):
        nets = {}
        order = list(recipes) if i % 2 == 0 else list(recipes)[::-1]
        for name in order:
            t0 = time.perf_counter()
            nets[name], hist = dc.train_score_model(gmm, sde, recipes[name], device=dev, seed=seed)
            secs[name].append(time.perf_counter() - t0)
            last = hist.iloc[-1]
            print(f"seed {seed} {name:8s} train {secs[name][-1]:7.2f} s  dsm {last.dsm_loss:.4f} "
                  f"(irreducible {last.irreducible_loss:.4f})  score_mse {last.score_mse:.4f}", flush=True)
        s = 100 + seed
        row = {"exact/sde": sw2(exact, sde, truth, "sde", s, dev),
               "exact/tutorial": sw2(exact, sde, truth, "tutorial", s, dev),
               "ours/sde": sw2(nets["ours"], sde, truth, "sde", s, dev),
               "tutorial/sde": sw2(nets["tutorial"], sde, truth, "sde", s, dev),
               "tutorial/tutorial": sw2(nets["tutorial"], sde, truth, "tutorial", s, dev)}
        rows.append(row)
        print(f"seed {seed} SW2 " + "  ".join(f"{k} {v:.4f}" for k, v in row.items()), flush=True)

    mean = {k: statistics.fmean(r[k] for r in rows) for k in rows[0]}
    t_ours, t_tut = sum(secs["ours"]), sum(secs["tutorial"])
    print("\n=== summary (means over seeds; score/sampler) ===")
    print(f"train seconds: ours {t_ours / len(args.seeds):.2f}  tutorial {t_tut / len(args.seeds):.2f}  "
          f"ratio ours/tutorial {t_ours / t_tut:.2f}  (target <= 1)")
    print("SW2 to 20,000 true samples: " + "  ".join(f"{k} {v:.4f}" for k, v in mean.items()))
    print(f"ratio ours/exact (sde sampler)            {mean['ours/sde'] / mean['exact/sde']:.2f}  (target <= 1.5)")
    print(f"ratio tutorial/exact (sde sampler)        {mean['tutorial/sde'] / mean['exact/sde']:.2f}")
    print(f"ratio tutorial/exact (tutorial sampler)   "
          f"{mean['tutorial/tutorial'] / mean['exact/tutorial']:.2f}")
    print(f"ratio tutorial+own sampler / exact+sde    {mean['tutorial/tutorial'] / mean['exact/sde']:.2f}")
    per_seed = [r["ours/sde"] / r["exact/sde"] for r in rows]
    print("per-seed ours/exact: " + "  ".join(f"{v:.2f}" for v in per_seed))


if __name__ == "__main__":
    main()
