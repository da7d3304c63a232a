"""Few-step sampling: our samplers against the published solvers given the same tuning freedom.

For each mixture (ring8 and the tutorial's, VESDE(25), exact score, samples from N(0, sigma_1^2 I))
and budget (score evaluations, NFE), the measure is dc.logp_w1 (W1 between log p0 over the
samples and over a true set), as the mean over 5 evaluation seeds (prior seed s and true set
seed 3000 + s, s = 11..15) at --n samples:

- noise band: the same distance between a fresh true set and each evaluation true set (5
  values): mean and range. A sampler inside the band cannot be told from the truth at this n.
- published: the solvers as a widely used library writes them (k-diffusion): DPM-Solver++(2M),
  DPM-Solver++(3M), SDE-DPM-Solver++(1), SDE-DPM-Solver++(2M), DPM-Solver++(3M) SDE, EDM Euler
  and EDM Heun, each given the freedom t_eps in {1e-4, 1e-3, 3e-3, 1e-2}, a Karras or log-sigma
  grid, and a last step to sigma = 0 (Tweedie's, one evaluation) or none; the best setting is
  chosen per mixture and budget on 2 other seeds (0, 1) at --n-select samples. Ours get no such
  per-mixture choice: every sampler of dc.SAMPLERS runs at dc.recommended(method, budget), the
  one setting per budget chosen in advance for both mixtures.

Each line gives ours best (sampler), the best published (solver, setting), their ratio, the
noise band, and a verdict: "ahead" at <= 0.8x the published, "in band" when ours lies inside
the noise band (the measure cannot rank it further), else "behind".

    python benchmarks/bench_few_step.py                      # 60,000 samples, ~15 min on 1 core
    python benchmarks/bench_few_step.py --n 200000 --budgets 5
    python benchmarks/bench_few_step.py --quick              # 10,000 samples, budgets 5 10 20
    python benchmarks/bench_few_step.py --select unipc --budgets 5 8   # how its settings were chosen
    python benchmarks/bench_few_step.py --select dpm2m_sde --portfolio --budgets 20 --n-select 60000
    python benchmarks/bench_few_step.py --fit unipc --budgets 5          # how its fitted grid was
    python benchmarks/bench_few_step.py --fit unipc_shift --budgets 5    # its shifted evaluations
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

import diffusion_core as dc  # noqa: E402
from diffusion_core.sampling import Walk, sample_dpmpp_3m_sde  # noqa: E402

SDE = dc.VESDE(25.0)
BUDGETS = (4, 5, 6, 8, 10, 15, 20, 30, 50)
EVAL_SEEDS = (11, 12, 13, 14, 15)
SELECT_SEEDS = (0, 1)
FREEDOM = [dict(grid=g, t_eps=te, denoise=d, final="tweedie")
           for g in ("karras", "exponential") for te in (1e-4, 1e-3, 3e-3, 1e-2) for d in (True, False)]
OURS = tuple(dc.SAMPLERS)        # captured before the published solvers below are registered
AHEAD = 0.8


def edm_euler(score_fn, sde, x, grid, generator=None, callback=None):
    """EDM's Euler sampler (Karras et al. 2022, Algorithm 1 without its 2nd-order correction):
    x~ <- x~ + (r_j - r_i) d_i, d_i = (x~ - D_i) / r_i."""
    w = Walk(score_fn, sde, x, grid, generator, callback)
    xt = w.start()
    for i in range(w.steps):
        xt = w.done(i, xt + (w.r[i + 1] - w.r[i]) * (xt - w.denoised(xt, i)) / w.r[i])
    return w.end(xt)


def sde_dpmpp_1(score_fn, sde, x, grid, generator=None, callback=None, noise="iid"):
    """SDE-DPM-Solver++(1) (Lu et al. 2022): x~_j = e^-2h x~_i + (1 - e^-2h) D_i + r_j sqrt(1 - e^-2h) z."""
    w = Walk(score_fn, sde, x, grid, generator, callback, noise)
    xt = w.start()
    for i in range(w.steps):
        h = w.h(i)
        xt = math.exp(-2 * h) * xt - math.expm1(-2 * h) * w.denoised(xt, i)
        xt = w.done(i, xt + w.r[i + 1] * math.sqrt(-math.expm1(-2 * h)) * w.noise(xt))
    return w.end(xt)


def dpmpp_3m(score_fn, sde, x, grid, generator=None, callback=None):
    """DPM-Solver++(3M), the ODE's (k-diffusion's sample_dpmpp_3m_sde with eta = 0)."""
    return sample_dpmpp_3m_sde(score_fn, sde, x, grid, generator, callback, eta=0.0)


def register_published() -> dict:
    """Published solver label -> registry name; the three we do not ship are registered here, in
    this process only."""
    extra = {"published_euler": (edm_euler, "EDM Euler", {}),
             "published_sde1": (sde_dpmpp_1, "SDE-DPM-Solver++(1)", dict(options=("noise",), stochastic=True)),
             "published_3m": (dpmpp_3m, "DPM-Solver++(3M)", {})}
    for name, (fn, label, spec) in extra.items():
        if name not in dc.SAMPLERS:
            dc.sampling.register_sampler(name, label, label, f"{label} (benchmark only).", **spec)(fn)
    return {"DPM-Solver++(2M)": "dpm2m", "DPM-Solver++(3M)": "published_3m",
            "SDE-DPM-Solver++(1)": "published_sde1", "SDE-DPM-Solver++(2M)": "dpm2m_sde",
            "DPM-Solver++(3M) SDE": "dpm3m_sde", "EDM Euler": "published_euler", "EDM Heun": "ode"}


class Mixture:
    """A preset with its exact score, true sets per seed and a memo of sampled figures."""

    def __init__(self, name: str):
        self.name, self.gmm = name, dc.PRESETS[name]
        self.score = dc.exact_score(self.gmm, SDE)
        self.refs: dict = {}

    def ref(self, seed: int, n: int) -> torch.Tensor:
        if (seed, n) not in self.refs:
            self.refs[(seed, n)] = self.gmm.sample(n, torch.Generator().manual_seed(3000 + seed))[0]
        return self.refs[(seed, n)]

    def w1(self, method: str, budget: int, seed: int, n: int, denoise: bool = True, **settings) -> float:
        """logp_w1 of one run of `method` within `budget` evaluations (the last step counted)."""
        steps = dc.steps_for_nfe(method, budget, denoise=denoise)
        res = dc.sample(self.score, SDE, n, steps, method=method, denoise=denoise, dim=self.gmm.dim,
                        generator=torch.Generator().manual_seed(seed), **settings)
        assert res.nfe == dc.nfe(method, steps, denoise) and torch.isfinite(res.x).all()
        return dc.logp_w1(res.x, self.gmm, self.ref(seed, n))

    def band(self, n: int) -> tuple[float, float, float]:
        """(mean, min, max) of logp_w1 between fresh true sets and the evaluation true sets."""
        w = [dc.logp_w1(self.gmm.sample(n, torch.Generator().manual_seed(8000 + s))[0], self.gmm,
                        self.ref(s, n)) for s in EVAL_SEEDS]
        return sum(w) / len(w), min(w), max(w)


def mean(xs) -> float:
    xs = list(xs)
    return sum(xs) / len(xs)


def best_published(mix: Mixture, published: dict, budget: int, n_select: int):
    """(label, settings) of the published solver and setting with the lowest mean over
    SELECT_SEEDS at n_select samples."""
    scored = []
    for label, method in published.items():
        for s in FREEDOM:
            if dc.nfe(method, dc.SAMPLERS[method].min_steps, s["denoise"]) > budget:
                continue
            scored.append((mean(mix.w1(method, budget, seed, n_select, **s) for seed in SELECT_SEEDS), label, s))
    _, label, s = min(scored, key=lambda r: r[0])
    return label, s


def setting_text(s: dict) -> str:
    last = "last step to 0" if s.get("denoise", True) else "no last step"
    return f"{s['grid']}, t_eps {s['t_eps']:g}, {last}"


def compare(mix: Mixture, published: dict, budgets, n: int, n_select: int) -> list[dict]:
    """One row per budget: ours best, published best, the band and the verdict (printed)."""
    print(f"\n== {mix.name}: ours at dc.recommended, published tuned per budget; mean over "
          f"{len(EVAL_SEEDS)} seeds, {n:,} samples ==")
    lo_band = mix.band(n)
    print(f"noise band (true vs true): mean {lo_band[0]:.4f}, range {lo_band[1]:.4f}-{lo_band[2]:.4f}")
    rows = []
    for b in budgets:
        ours = {m: mean(mix.w1(m, b, s, n, **dc.recommended(m, b)) for s in EVAL_SEEDS)
                for m in OURS if m != "tutorial"}
        m_ours = min(ours, key=ours.get)
        label, s = best_published(mix, published, b, n_select)
        pub = mean(mix.w1(published[label], b, seed, n, **s) for seed in EVAL_SEEDS)
        ratio = ours[m_ours] / pub
        verdict = ("ahead" if ratio <= AHEAD else "in band" if ours[m_ours] <= lo_band[2] else "behind")
        rows.append(dict(budget=b, ours=ours[m_ours], ours_method=m_ours, published=pub, published_label=label,
                         ratio=ratio, verdict=verdict, band=lo_band, all_ours=ours))
        print(f"{b:>3} NFE  ours {ours[m_ours]:.4f} ({m_ours})  published {pub:.4f} ({label}; {setting_text(s)})  "
              f"ratio {ratio:.2f}  {ours[m_ours] / lo_band[0]:.1f}x noise  {verdict}", flush=True)
        print("         every sampler of ours: " + ", ".join(f"{m} {v:.4f}" for m, v in ours.items()), flush=True)
    return rows


def targets(rows_by_mix: dict, n: int) -> bool:
    """The issue's targets on these rows; prints one check line each."""
    ok = []
    for name, rows in rows_by_mix.items():
        for r in rows:
            b = r["budget"]
            if 5 <= b <= 15:
                ok.append(r["verdict"] in ("ahead", "in band"))
                print(f"check {name} {b} NFE: ours <= {AHEAD} x published or inside the band: "
                      f"{r['ratio']:.2f}x, {r['verdict']}: {'PASS' if ok[-1] else 'FAIL'}")
            elif b >= 20:
                ok.append(r["ours"] <= r["band"][2])
                print(f"check {name} {b} NFE: inside the band ({r['ours']:.4f} <= {r['band'][2]:.4f}): "
                      f"{'PASS' if ok[-1] else 'FAIL'}")
            if b == 5:
                k = 3 if name == "tutorial" else 6
                ok.append(r["ours"] <= k * r["band"][0])
                print(f"check {name} 5 NFE <= {k} x the noise level ({n:,} samples): "
                      f"{r['ours'] / r['band'][0]:.1f}x: {'PASS' if ok[-1] else 'FAIL'}")
    print(f"{sum(ok)} of {len(ok)} checks pass")
    return all(ok)


CANDIDATES = [dict(grid=g, t_eps=te, final=f, r_noise=rn) for g in ("karras", "exponential")
              for te in (3e-3, 1e-2, 3e-2) for f in ("ode", "tweedie") for rn in (0.0, 2.0, 6.0, 1e3)]


class Selection:
    """The registry's measure of a setting (diffusion_core/sampling.py): the sum over ring8 and the
    tutorial mixture of logp_w1 / (the true-vs-true level), each the mean over prior seeds 0-2 and
    true sets 5000-5002 at n samples (levels from true sets 7000-7002)."""

    def __init__(self, n: int = 20_000):
        self.n, self.mixes = n, {m: Mixture(m) for m in ("ring8", "tutorial")}
        self.refs = {(m, s): mix.gmm.sample(n, torch.Generator().manual_seed(5000 + s))[0]
                     for m, mix in self.mixes.items() for s in range(3)}
        self.level = {m: mean(dc.logp_w1(mix.gmm.sample(n, torch.Generator().manual_seed(7000 + s))[0],
                                         mix.gmm, self.refs[(m, s)]) for s in range(3))
                      for m, mix in self.mixes.items()}
        print("true-vs-true levels: " + ", ".join(f"{m} {v:.4f}" for m, v in self.level.items()))

    def ratios(self, method: str, steps: int, **settings) -> dict:
        """Mixture name -> logp_w1 / its true-vs-true level (mean over prior seeds 0-2)."""
        return {m: mean(dc.logp_w1(dc.sample(mix.score, SDE, self.n, steps, method=method,
                                             generator=torch.Generator().manual_seed(s), **settings).x,
                                   mix.gmm, self.refs[(m, s)]) for s in range(3)) / self.level[m]
                for m, mix in self.mixes.items()}

    def __call__(self, method: str, steps: int, **settings) -> float:
        return sum(self.ratios(method, steps, **settings).values())


def select(method: str, budgets, n: int = 20_000, portfolio: bool = False) -> None:
    """The registry's protocol for a sampler's recommended settings: per budget, the CANDIDATES
    (or those of its options it takes) ranked by Selection; prints the best three.

    portfolio: rank instead by what the registry as a whole reaches, sum over the mixtures of
    min(the candidate's ratio, the best ratio of every other sampler at its recommended setting):
    "ours best" is the best sampler per mixture, so a setting that wins one mixture counts even
    when another sampler already wins the other. The published row is chosen the same way
    (best solver and setting per mixture)."""
    takes = set(dc.SAMPLERS[method].options)
    cands = {tuple(sorted((k, v) for k, v in c.items() if k != "r_noise" or "r_noise" in takes))
             for c in CANDIDATES}
    measure = Selection(n)
    for b in budgets:
        steps = dc.steps_for_nfe(method, b)
        rated = [(measure.ratios(method, steps, **c), c) for c in map(dict, cands)]
        if portfolio:
            others = [measure.ratios(m, dc.steps_for_nfe(m, b), **dc.recommended(m, b))
                      for m in OURS if m not in (method, "tutorial")]
            best = {m: min(o[m] for o in others) for m in measure.mixes}
            print(f"{b:>3} NFE: the other samplers' best " + ", ".join(f"{m} {v:.2f}" for m, v in best.items()))
            score = lambda r: sum(min(v, best[m]) for m, v in r.items())  # noqa: E731
        else:
            score = lambda r: sum(r.values())  # noqa: E731
        ranked = sorted(((score(r), r, c) for r, c in rated), key=lambda r: r[0])
        print(f"{b:>3} NFE: " + "; ".join(f"{t:.2f} ({', '.join(f'{m} {v:.2f}' for m, v in r.items())}) {c}"
                                         for t, r, c in ranked[:3]), flush=True)


def fit(method: str, budgets, n: int = 20_000, evaluations: int = 250) -> None:
    """The fitted grid (dc.sampling.FITTED) and its settings: per budget and each final step x
    r_noise (0, 2, 6, ODE_ONLY, those the sampler takes), Nelder-Mead over the grid's interior
    positions u (a cumulated softmax of free logits, so that they stay ordered in (0, 1)) and
    log10 t_eps, from equal steps at t_eps 1e-2, minimising Selection; prints the best
    positions and settings, to be written into FITTED and the sampler's recommended table."""
    import numpy as np
    from scipy.optimize import minimize

    measure = Selection(n)
    noises = (0.0, 2.0, 6.0, dc.sampling.ODE_ONLY) if "r_noise" in dc.SAMPLERS[method].options else (None,)
    for b in budgets:
        steps = dc.steps_for_nfe(method, b)

        def unpack(p):
            e = np.exp(p[:steps] - p[:steps].max())
            return tuple(round(float(u), 4) for u in np.cumsum(e / e.sum())[:-1]), float(10 ** np.clip(p[-1], -4, -1))

        best = (math.inf, None)
        for final in ("tweedie", "ode"):
            for rn in noises:
                extra = {} if rn is None else dict(r_noise=rn)

                def loss(p):
                    dc.sampling.FITTED[steps], t_eps = unpack(p)
                    return measure(method, steps, grid="fitted", t_eps=t_eps, final=final, **extra)
                for te in (-2.0,):
                    p0 = np.r_[np.zeros(steps), te]
                    simplex = np.vstack([p0, p0 + 0.6 * np.eye(steps + 1)])
                    r = minimize(loss, p0, method="Nelder-Mead",
                                 options=dict(maxfev=evaluations, initial_simplex=simplex, xatol=1e-3, fatol=1e-3))
                    u, t_eps = unpack(r.x)
                    print(f"{b:>3} NFE  {r.fun:.2f}  positions {u}  t_eps {t_eps:.3g}  final {final}  {extra}", flush=True)
                    best = min(best, (r.fun, (u, dict(t_eps=round(t_eps, 5), final=final, **extra))),
                               key=lambda r: r[0])
        dc.sampling.FITTED.pop(steps, None)
        print(f"{b:>3} NFE best: {best[0]:.2f}  FITTED[{steps}] = {best[1][0]}  settings {best[1][1]}", flush=True)


def fit_shifts(method: str, budgets, n: int = 20_000, evaluations: int = 600) -> None:
    """The shifts of "unipc_shift"'s evaluation times (dc.sampling.SHIFTS) and its t_eps: per
    budget, on top of unipc's recommended setting there (its grid with the FITTED positions, final
    step and r_noise kept), Nelder-Mead over the shifts delta_i (delta_0 in [0, 4], so that no
    evaluation lies above t = 1; the others in [-0.5, 4]) and log10 t_eps, from delta = 0 and
    unipc's t_eps (unipc itself; initial simplex steps 0.25 and 0.1), minimising Selection; prints
    the best shifts and t_eps, to be written into SHIFTS and the sampler's recommended table."""
    import numpy as np
    from scipy.optimize import minimize

    measure = Selection(n)
    for b in budgets:
        steps, base = dc.steps_for_nfe(method, b), dc.recommended("unipc", b)
        low = np.r_[0.0, np.full(steps - 1, -0.5)]

        def unpack(p):
            return tuple(round(float(d), 4) for d in np.clip(p[:steps], low, 4.0)), float(10 ** np.clip(p[-1], -4, -1))

        def loss(p):
            dc.sampling.SHIFTS[steps], t_eps = unpack(p)
            return measure(method, steps, **{**base, "t_eps": t_eps})
        p0 = np.r_[np.zeros(steps), math.log10(base["t_eps"])]
        registered = dc.sampling.SHIFTS.get(steps)
        start = loss(p0)                                    # delta = 0: unipc itself
        simplex = np.vstack([p0, p0 + np.diag(np.r_[np.full(steps, 0.25), 0.1])])
        r = minimize(loss, p0, method="Nelder-Mead",
                     options=dict(maxfev=evaluations, initial_simplex=simplex, xatol=1e-4, fatol=1e-3))
        shifts, t_eps = unpack(r.x)
        if registered is None:                              # the registry's table as it was
            dc.sampling.SHIFTS.pop(steps, None)
        else:
            dc.sampling.SHIFTS[steps] = registered
        print(f"{b:>3} NFE best: {r.fun:.2f} (unipc {start:.2f})  SHIFTS[{steps}] = {shifts}  "
              f"settings {dict(base, t_eps=round(t_eps, 5))}", flush=True)


FITS = {"unipc_shift": fit_shifts}     # what --fit METHOD fits: the FITTED grid unless named here


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60_000, help="samples per evaluation run (<= 200,000)")
    ap.add_argument("--n-select", type=int, default=20_000, help="samples per selection run")
    ap.add_argument("--budgets", type=int, nargs="+", default=list(BUDGETS))
    ap.add_argument("--mixtures", nargs="+", default=["ring8", "tutorial"])
    ap.add_argument("--quick", action="store_true", help="10,000 samples, budgets 5 10 20")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--select", metavar="METHOD", help="rank settings for METHOD's recommended table "
                    "at --budgets (the registry's protocol, 20,000 samples) instead")
    ap.add_argument("--portfolio", action="store_true", help="with --select: rank by what the "
                    "registry as a whole reaches (see select)")
    ap.add_argument("--fit", metavar="METHOD", help="fit the grid positions (dc.sampling.FITTED) and "
                    "settings for METHOD at --budgets instead (same measure as --select); for "
                    "unipc_shift its evaluation times (dc.sampling.SHIFTS) and t_eps")
    args = ap.parse_args(argv)
    if args.select or args.fit:
        torch.set_num_threads(args.threads)
        if args.select:
            select(args.select, sorted(set(args.budgets)), args.n_select, args.portfolio)
        else:
            FITS.get(args.fit, fit)(args.fit, sorted(set(args.budgets)), args.n_select)
        return 0
    if args.quick:
        args.n, args.n_select, args.budgets = 10_000, 5_000, [5, 10, 20]
    if not 100 <= args.n <= 200_000:
        ap.error("--n must be between 100 and 200,000")
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    published = register_published()
    rows = {m: compare(Mixture(m), published, sorted(set(args.budgets)), args.n, args.n_select)
            for m in args.mixtures}
    ok = targets(rows, args.n)
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
