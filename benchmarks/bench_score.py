"""Speed and memory of GaussianMixture.score on 10^6 points of the ring of 8 modes (K = 8, d = 2).

Speed: points per second, best of `--repeat` runs, all variants timed in this one process, so
the ratios hold however busy the machine is. Baseline: the tutorial's algorithm, a loop over
components that divides weighted pdfs by their sum (pdf ratios), written here in torch (same
dtype) and, for the NaN count, literally with scipy.stats.multivariate_normal in float64.
Memory: the peak resident set size added by one call, each variant in a fresh subprocess: the
peak (VmHWM) is reset through /proc/self/clear_refs just before the call where Linux allows it,
else the rise of resource.getrusage's maxrss is used (torch's allocations count in both;
tracemalloc does not see them).
Chunk sizes: the library evaluates rows in chunks of _CHUNK_ELEMENTS = N K d entries; the table
shows speed and memory against that size. Finally: how many of the tutorial's scores on a
[-60, 60]^2 grid of the tutorial mixture are NaN, against ours.

    python benchmarks/bench_score.py [--quick] [--threads 1]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import diffusion_core as dc  # noqa: E402
from diffusion_core import mixture  # noqa: E402

DTYPES = {"float32": torch.float32, "float64": torch.float64}
CHUNKS = (1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 40)   # 1 << 40: one chunk (no chunking)


def loop_score(gmm, x):
    """The tutorial's score: participance_k = pi_k N_k(x) / sum_j pi_j N_j(x), then
    sum_k participance_k * -(x - mu_k) Sigma_k^{-1}, one component at a time."""
    dt = x.dtype
    prec = torch.linalg.inv(gmm.covs).to(dt)
    chol = torch.linalg.cholesky(gmm.covs)
    d = gmm.dim
    pdfs, grads = [], []
    for k in range(gmm.n_components):
        r = x - gmm.means[k].to(dt)
        m2 = ((r @ prec[k]) * r).sum(1)
        log_norm = -0.5 * d * math.log(2 * math.pi) - float(torch.log(torch.diagonal(chol[k])).sum())
        pdfs.append(float(gmm.weights[k]) * torch.exp(log_norm - 0.5 * m2))
        grads.append(-(r @ prec[k]))
    total = sum(pdfs)
    return sum((p / total)[:, None] * g for p, g in zip(pdfs, grads))


def tutorial_score_scipy(gmm, x):
    """The tutorial's GaussianMixture.score, verbatim in numpy/scipy (float64)."""
    from scipy.stats import multivariate_normal
    rvs = [multivariate_normal(gmm.means[k].numpy(), gmm.covs[k].numpy()) for k in range(gmm.n_components)]
    precs = [np.linalg.inv(c) for c in gmm.covs.numpy()]
    component_pdf = np.array([rv.pdf(x) for rv in rvs]).T
    weighted = component_pdf * gmm.weights.numpy()[np.newaxis, :]
    part = weighted / weighted.sum(axis=1, keepdims=True)
    scores = np.zeros_like(x)
    for i in range(gmm.n_components):
        scores += part[:, i:i + 1] * (-(x - gmm.means[i].numpy()) @ precs[i])
    return scores


def points(n, dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (4.5 * torch.randn(n, 2, generator=g, dtype=torch.float64)).to(dtype)


def _with_chunk(chunk, fn):
    before = mixture._CHUNK_ELEMENTS
    mixture._CHUNK_ELEMENTS = chunk
    try:
        return fn()
    finally:
        mixture._CHUNK_ELEMENTS = before


def round_robin(variants: dict, repeat: int) -> dict:
    """Best time of each variant over `repeat` rounds, every round running all variants once,
    so a burst of load from other processes hits all of them alike."""
    best = {k: float("inf") for k in variants}
    for fn in variants.values():
        fn()                                                    # warm-up
    for _ in range(repeat):
        for k, fn in variants.items():
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def child(variant, dtype, chunk, n):
    """One call in a fresh process: the rise of peak RSS over the RSS just before it (MiB)."""
    gmm = dc.PRESETS["ring8"]
    mixture._CHUNK_ELEMENTS = chunk
    x = points(n, DTYPES[dtype])
    fn = (lambda: gmm.score(x)) if variant == "ours" else (lambda: loop_score(gmm, x))
    gmm.score(x[:2000]), loop_score(gmm, x[:2000])              # load kernels, warm allocator
    if _reset_peak():
        before = _status_kib("VmRSS")
        out = fn()
        peak = _status_kib("VmHWM") - before
    else:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out = fn()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    del out
    print(json.dumps({"peak_mib": peak / 1024}))


def measure_memory(variant, dtype, chunk, n, threads):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", variant, dtype, str(chunk), str(n),
           "--threads", str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_mib"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds, fewer chunk sizes")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--child", nargs=4, metavar=("VARIANT", "DTYPE", "CHUNK", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.child:
        v, d, c, n = args.child
        child(v, d, int(c), int(n))
        return 0
    repeat = 3 if args.quick else args.repeat
    chunks = (1 << 16, mixture._CHUNK_ELEMENTS, 1 << 40) if args.quick else CHUNKS
    gmm, n = dc.PRESETS["ring8"], args.n
    default_chunk = mixture._CHUNK_ELEMENTS
    print(f"gmm.score on {n:,} points, ring8 (K = 8, d = 2), {args.threads} thread(s), best of {repeat}")
    print(f"library chunk: {default_chunk:,} entries = {default_chunk // 16:,} rows at K d = 16\n")
    print(f"{'dtype':<8} {'variant':<26} {'Mpoints/s':>9} {'vs loop':>8} {'peak MiB':>9} {'max |diff|':>11} "
          f"{'NaN rows':>9}")
    for name, dtype in DTYPES.items():
        x = points(n, dtype)
        ref = gmm.score(x.double())
        variants = {"loop": lambda: loop_score(gmm, x)}
        for chunk in chunks:
            variants[chunk] = (lambda c=chunk: _with_chunk(c, lambda: gmm.score(x)))
        times = round_robin(variants, repeat)
        theirs = loop_score(gmm, x).double()
        bad = ~torch.isfinite(theirs).all(1)
        err_loop = float((theirs[~bad] - ref[~bad]).abs().max())
        mem_loop = measure_memory("loop", name, default_chunk, n, args.threads)
        t_loop = times["loop"]
        print(f"{name:<8} {'tutorial loop (pdf ratios)':<26} {n / t_loop / 1e6:>9.2f} {1.0:>8.2f} "
              f"{mem_loop:>9.0f} {err_loop:>11.2e} {int(bad.sum()):>9,}", flush=True)
        for chunk in chunks:
            out = _with_chunk(chunk, lambda: gmm.score(x)).double()
            err = float((out - ref).abs().max())
            nan = int((~torch.isfinite(out).all(1)).sum())
            mem = measure_memory("ours", name, chunk, n, args.threads)
            label = "ours, one chunk" if chunk >= 1 << 40 else f"ours, chunk {chunk:,}"
            label += " *" if chunk == default_chunk else ""
            t = times[chunk]
            print(f"{name:<8} {label:<26} {n / t / 1e6:>9.2f} {t_loop / t:>8.2f} {mem:>9.0f} "
                  f"{err:>11.2e} {nan:>9,}", flush=True)
    print(f"* the library's default. max |diff|: against ours in float64, over rows where the variant "
          f"is finite (max |score| here: {float(ref.abs().max()):.0f}); NaN rows: points whose every "
          f"pdf underflows")
    print(f"(output alone: {n * 2 * 4 / 2**20:.0f} MiB in float32, {n * 2 * 8 / 2**20:.0f} MiB in float64)\n")

    tut = dc.PRESETS["tutorial"]
    a = np.linspace(-60, 60, 241)
    grid = np.stack(np.meshgrid(a, a, indexing="ij"), -1).reshape(-1, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        theirs = tutorial_score_scipy(tut, grid)
    nan_theirs = int(np.isnan(theirs).any(1).sum())
    ours = {nm: int((~torch.isfinite(tut.score(torch.tensor(grid, dtype=dt)))).any(1).sum())
            for nm, dt in DTYPES.items()}
    print(f"tutorial mixture, [-60, 60]^2 grid of {len(grid):,} points (step 0.5): tutorial's score "
          f"NaN at {nan_theirs:,} ({nan_theirs / len(grid):.0%}); ours non-finite at "
          f"{ours['float64']} (float64), {ours['float32']} (float32)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
