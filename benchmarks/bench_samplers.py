"""Sampler accuracy per score evaluation on the ring of 8 sharp modes, with the exact score.

Metric: dc.logp_w1, the Wasserstein-1 distance between log p(x) over the samples and over
independent true samples (blur and over-sharpening both raise it). Its floor is the same
distance between two independent true sample sets. For each method the figure is printed at
about 10, 20, 50, 100, 200 and 500 score evaluations (nfe), then the check: the best of our
samplers at <= 50 nfe must be no worse than the tutorial's loop at 500 steps. The full run
also prints the settings behind sample()'s defaults (t_eps, denoise, snr).

    python benchmarks/bench_samplers.py            # 20,000 samples, about 1 minute on 1 core
    python benchmarks/bench_samplers.py --quick    # 5,000 samples, fewer budgets
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

import diffusion_core as dc  # noqa: E402
from diffusion_core import sampling  # noqa: E402

NFE_TARGETS = (10, 20, 50, 100, 200, 500)
QUICK_TARGETS = (10, 50, 200)


def steps_for(method: str, nfe: int, denoise: bool = True) -> int:
    """Steps that spend about `nfe` score evaluations: the tutorial's loop nfe steps (it
    evaluates steps - 1 times), sde 1 per step, ode and pc 2 per step, +1 to denoise."""
    if method == "tutorial":
        return nfe
    per = 1 if method == "sde" else 2
    return max(1, (nfe - int(denoise)) // per)


def run(score, sde, gmm, ref, n, method, steps, seed, **kw):
    t0 = time.perf_counter()
    res = dc.sample(score, sde, n, steps, method=method, generator=torch.Generator().manual_seed(seed),
                    **kw)
    sec = time.perf_counter() - t0
    return res.nfe, dc.logp_w1(res.x, gmm, ref), sec


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="5,000 samples and budgets 10, 50, 200")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    n = 5_000 if args.quick else 20_000
    targets = QUICK_TARGETS if args.quick else NFE_TARGETS

    gmm, sde = dc.PRESETS["ring8"], dc.VESDE(25.0)
    score = dc.exact_score(gmm, sde)
    ref, _ = gmm.sample(n, generator=torch.Generator().manual_seed(1000 + args.seed))
    other, _ = gmm.sample(n, generator=torch.Generator().manual_seed(2000 + args.seed))
    floor = dc.logp_w1(other, gmm, ref)
    print(f"ring8, VESDE(25), exact score, {n} samples, {args.threads} thread(s); defaults: "
          f"grid karras, t_eps {sampling.T_EPS:g}, denoise on, pc snr {sampling.SNR:g}")
    print(f"logp_w1 floor (two independent true sets): {floor:.4f}\n")
    print(f"{'method':<9} {'steps':>5} {'nfe':>4} {'logp_w1':>8} {'seconds':>8}")
    table = {}
    t_start = time.perf_counter()
    for method in ("tutorial", "sde", "ode", "pc"):
        for target in targets:
            steps = steps_for(method, target)
            nfe, w, sec = run(score, sde, gmm, ref, n, method, steps, args.seed)
            table[(method, nfe)] = w
            print(f"{method:<9} {steps:>5} {nfe:>4} {w:>8.4f} {sec:>8.2f}", flush=True)
    if ("tutorial", 499) not in table:
        nfe, w, sec = run(score, sde, gmm, ref, n, "tutorial", 500, args.seed)
        table[("tutorial", nfe)] = w
        print(f"{'tutorial':<9} {500:>5} {nfe:>4} {w:>8.4f} {sec:>8.2f}")

    tut = table[("tutorial", 499)]
    ours = {k: v for k, v in table.items() if k[0] != "tutorial" and k[1] <= 50}
    best_key = min(ours, key=ours.get)
    ok = ours[best_key] <= tut
    print(f"\ncheck: best of ours at <= 50 nfe: {best_key[0]} at {best_key[1]} nfe -> "
          f"{ours[best_key]:.4f}; tutorial at 500 steps (499 nfe) -> {tut:.4f}: "
          f"{'PASS' if ok else 'FAIL'} (ratio {ours[best_key] / tut:.2f})")

    if not args.quick:
        print("\nsettings behind the defaults (same seed, same reference):")
        print(f"{'method':<5} {'steps':>5} {'t_eps':>7} {'denoise':>7} {'snr':>5} {'nfe':>4} {'logp_w1':>8}")
        rows = [("ode", 24, te, dn, None) for te in (1e-3, 1e-4) for dn in (True, False)]
        rows += [("sde", 100, te, True, None) for te in (1e-3, 1e-4)]
        rows += [("pc", st, 1e-4, True, snr) for st in (50, 100, 250) for snr in (0.1, 0.13, 0.16, 0.2)]
        for method, steps, te, dn, snr in rows:
            kw = dict(t_eps=te, denoise=dn) | ({"snr": snr} if snr is not None else {})
            nfe, w, _ = run(score, sde, gmm, ref, n, method, steps, args.seed, **kw)
            print(f"{method:<5} {steps:>5} {te:>7g} {str(dn):>7} {'' if snr is None else snr:>5} "
                  f"{nfe:>4} {w:>8.4f}", flush=True)
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
