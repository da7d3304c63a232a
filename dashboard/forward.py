"""The forward-diffusion page's computations, cached: 1D paths and the 2D cloud under the forward
process, and their charts and animation."""
from __future__ import annotations

import numpy as np
import torch

import diffusion_core as dc
from diffusion_core import forward as fwd
from dashboard import state
from dashboard.figures import forward as ffig
from dashboard.figures.common import mode_colors
from dashboard.vocabulary import point


N_TIMES_1D = 100          # the tutorial's 100 times
N_FRAMES_2D = 51          # t = 0, 0.02, ..., 1
N_DENSITY_TIMES = 90      # columns of the 1D heat map: t = u² for u uniform in [0, 1] (fine near t = 0,
                          # where pₜ changes fastest; uniform t drew it in blocky stripes)
N_DENSITY_XS = 135        # rows of the 1D heat map
BIMODAL = dc.PRESETS["bimodal 1D"]
LAMBDA_PICKS = (0.5, 1.0, 2.0, 10.0, 25.0, 50.0)   # the λ values the lesson asks for, one click each
                                                   # (the slider's range is the settings schema's)


@state.cache_data
def paths_1d(sde, n: int, seed: int):
    """Paths of the 1D bimodal data and the exact pₜ(x) on a (t, x) grid, as numpy arrays. lim,
    the y axis' half-width, is cloud_lim's: pₜ's mean ± 3 std, widened so that every path drawn
    stays inside the frame (at λ = 25 some ran past the ±3-std reach and were cut)."""
    times, paths, labels = fwd.forward_paths(BIMODAL, sde, n, N_TIMES_1D,
                                             torch.Generator().manual_seed(seed))
    lim = cloud_lim(paths[..., 0].numpy(), BIMODAL, sde)
    xs = torch.linspace(-lim, lim, N_DENSITY_XS, dtype=torch.float64)
    dtimes = torch.linspace(0, 1, N_DENSITY_TIMES, dtype=torch.float64) ** 2
    dens = fwd.marginal_log_density(BIMODAL, sde, dtimes, xs).exp()
    return dict(times=times.numpy(), paths=paths[..., 0].numpy(), labels=labels.numpy(),
                xs=xs.numpy(), dtimes=dtimes.numpy(), density=dens.numpy(), lim=lim)


def mixing_1d(sde, n: int, seed: int) -> dict:
    """Whether the 1D bumps have merged by t = 1, read off the density the chart draws.

    modes: local maxima of the exact p_1 on the chart's grid (1: generation can start from one
    Gaussian). guess: how often the best guess of the starting bump from x_1 alone is right; for
    two equal bumps N(+-m a_1, s^2) with s^2 = a_1^2 v + sigma_1^2 it is Phi(m a_1 / s) (0.5 = no clue).
    """
    p1 = paths_1d(sde, n, seed)["density"][-1]
    inner = p1[1:-1]
    modes = int(np.sum((inner > p1[:-2]) & (inner >= p1[2:])))
    one = torch.tensor(1.0, dtype=torch.float64)
    a, sig = float(sde.mean_scale(one)), float(sde.sigma(one))
    m, v = float(BIMODAL.means[1, 0]), float(BIMODAL.covs[1, 0, 0])
    s = (a * a * v + sig * sig) ** 0.5
    guess = float(torch.special.ndtr(torch.tensor(m * a / s, dtype=torch.float64)))
    return dict(modes=max(modes, 1), guess=guess, sigma1=sig, alpha1=a, gap=2 * m * a, spread=s,
                var0=v, half_gap=m, std1=(m * m * a * a + s * s) ** 0.5, prior=float(sde.prior_std()))


def intro_sentence(mix: dict) -> str:
    """The page's opening words: pₜ blurs the data into a single Gaussian at t = 1, the starting point
    of generation, where the noise is large enough; whether it is here follows mixing_1d (p₁ of the
    1D bumps, as the caption below says it), and its std is the bumps' std at t = 1 (broader than the
    data under VE, about 1 under VP: no adjective that holds for one process only)."""
    head = ("The forward process adds Gaussian noise to every data point, a little at every instant. "
            "Its distribution pₜ **blurs** from the data p₀ at t = 0 into a single Gaussian at t = 1")
    tail = "the starting point of generation, which runs this film backwards."
    if mix["modes"] == 1 and not gives_clue(mix):
        return f"{head} (std {mix['std1']:.3g} here): {tail}"
    if mix["modes"] == 1:
        return (f"{head} when the noise is large enough: {tail} Here p₁ of the two bumps below is a single bump "
                f"(std {mix['std1']:.3g}) but not yet the prior's Gaussian (std {mix['prior']:.3g}; see below).")
    return (f"{head} when the noise is large enough: {tail} Here it is not: p₁ of the two bumps below "
            f"still has {mix['modes']} bumps at t = 1 (see below).")


def gives_clue(mix: dict) -> bool:
    """Whether x₁ still tells the two 1D bumps apart (mixing_1d's guess beyond NEAR_CHANCE of the 50 %
    of no clue): then one bump at t = 1 is not yet the prior."""
    return mix["guess"] - 0.5 >= NEAR_CHANCE


def mixing_sentence(mix: dict, kind: str) -> str:
    """Why the 1D bumps have (or have not) merged by t = 1, worded from the process in use and the
    numbers of mixing_1d: for VE the noise sigma_1 against the fixed gap, for VP the gap shrunk by
    alpha_1 against each bump's std; then how many bumps p_1 has on the chart's grid."""
    if kind == "VE":
        d = next((d for d in range(3, 7) if f"{mix['spread']:.{d}g}" != f"{mix['sigma1']:.{d}g}"), 6)
        why = (f"VE never shrinks the signal, so the gap between the modes stays {mix['gap']:.3g} and "
               f"only the noise can hide it: at t = 1 each bump's std is √({mix['var0']:g} + σ₁²) = "
               f"{mix['spread']:.{d}g} with σ₁ = {mix['sigma1']:.{d}g}.")   # digits that tell the two apart
    else:
        why = (f"VP shrinks the signal: at t = 1 the gap between the modes is "
               f"2·{mix['half_gap']:g}·α₁ = {mix['gap']:.3g} (α₁ = {mix['alpha1']:.3g}), while each "
               f"bump's std is √(α₁²·{mix['var0']:g} + σ₁²) = {mix['spread']:.3g} "
               f"(σ₁ = {mix['sigma1']:.3g}).")
    ratio = f"The gap is {mix['gap'] / mix['spread']:.2f}× the std"
    if mix["modes"] == 1:
        head = f"{why} {ratio}, and two equal bumps merge once the gap is at most twice their std. "
        if not gives_clue(mix):
            return head + "Here they have merged: p₁ is a single bump, so generation can start from one Gaussian."
        return head + (f"Here they have merged: p₁ is a single bump, but not yet the Gaussian generation starts "
                       f"from: its std is {mix['std1']:.3g} against the prior's {mix['prior']:.3g}, so starting "
                       "from the prior only approximates p₁, and a point at t = 1 still carries a clue of its bump.")
    return (f"{why} {ratio}, and two equal bumps stay apart while the gap exceeds twice their std. "
            f"Here they stay apart: p₁ still has {mix['modes']} bumps at t = 1, so generation could not "
            "start from one Gaussian.")


@state.cache_data
def paths_1d_chart(sde, n: int, seed: int, show_density: bool):
    d = paths_1d(sde, n, seed)
    return ffig.paths_1d_chart(d["times"], d["paths"], d["labels"], ["N(−5, 1)", "N(5, 1)"],
                               mode_colors(2), d["density"] if show_density else None,
                               d["dtimes"], d["xs"], ylim=(-d["lim"], d["lim"]))


CLOUD_MARGIN = 0.06      # the cloud's axes reach this share of their half-width beyond every point drawn


def cloud_lim(paths, gmm, sde) -> float:
    """The 2D cloud's fixed half-width: fwd.cloud_limit (pₜ's mean ± 3 std at every t), widened
    so that every point of every frame lies at least CLOUD_MARGIN of it inside the frame (a point
    beyond 3 std sat on the frame at t = 1)."""
    reach = float(np.abs(paths).max()) if np.size(paths) else 0.0
    return max(fwd.cloud_limit(gmm, sde), reach / (1 - CLOUD_MARGIN))


AXIS_STEPS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5)     # × 10ᵏ: the half-widths axes that follow the cloud take


def nice_up(x: float) -> float:
    """The smallest AXIS_STEPS value × 10ᵏ at or above x > 0 (axes that follow the cloud change in
    these steps, not at every frame)."""
    x = max(float(x), 1e-6)
    k = int(np.floor(np.log10(x)))
    for power in (k - 1, k, k + 1):
        for v in AXIS_STEPS:
            if v * 10.0 ** power >= x * (1 - 1e-12):
                return float(v * 10.0 ** power)
    return float(10.0 ** (k + 1))


AXIS_SLACK = 1.25        # following axes narrow only when the cloud fits the narrower ones this many times over


def frame_lims(paths, lim: float) -> np.ndarray:
    """Per frame of paths (T, N, 2): the axes' half-width that follows the cloud. Each frame's need
    is its reach widened as cloud_lim widens it (every point at least CLOUD_MARGIN of it inside);
    the axes widen to nice_up(need) as soon as the need passes them, and narrow only when nice_up of
    AXIS_SLACK × the need is narrower (so that a reach that hovers near a step does not make them
    flicker); never wider than the fixed axes' lim."""
    reach = np.abs(np.asarray(paths, dtype=float)).reshape(len(paths), -1).max(axis=1)
    out, level = [], None
    for need in reach / (1 - CLOUD_MARGIN):
        if level is None or need > level:
            level = nice_up(need)
        elif nice_up(AXIS_SLACK * need) < level:
            level = nice_up(AXIS_SLACK * need)
        out.append(min(level, lim))
    return np.array(out)


@state.cache_data
def cloud_2d(gmm, sde, n: int, seed: int):
    """Paths of a 2D cloud on N_FRAMES_2D uniform times, their sigma_t, a fixed plot limit (lim)
    and the per-frame limits of axes that follow the cloud (lims, frame_lims)."""
    times, paths, labels = fwd.forward_paths(gmm, sde, n, N_FRAMES_2D,
                                             torch.Generator().manual_seed(seed + 1))
    paths = paths.numpy()
    lim = cloud_lim(paths, gmm, sde)
    return dict(times=times.numpy(), paths=paths, labels=labels.numpy(),
                sigmas=sde.sigma(times).numpy(), lim=lim, lims=frame_lims(paths, lim))


def axis(v: float) -> str:
    """An axis half-width as the chart's corner gives it: "±7.5", "±30"."""
    return f"±{v:.3g}"


def axes_text(gmm, sde, n: int, seed: int, follow: bool) -> str:
    """The 2D cloud's axes in words, from the limits the chart uses: fixed at ±lim, or following
    the cloud (from t = 0 to t = 1, how often they change, and at which t the first change comes)."""
    c = cloud_2d(gmm, sde, n, seed)
    if not follow:
        return (f"The axes stay fixed at {axis(c['lim'])} from t = 0 to 1 (wide enough for every frame), "
                "so you see how the cloud's size changes on one scale.")
    lims, times = c["lims"], c["times"]
    changes = np.flatnonzero(lims[1:] != lims[:-1]) + 1
    if not len(changes):
        return f"The axes follow the cloud; here they stay at {axis(lims[0])} at every t."
    k = len(changes)
    return (f"The axes follow the cloud: {axis(lims[0])} at t = 0 and {axis(lims[-1])} at t = 1, changing "
            f"{k} time{'' if k == 1 else 's'} (first at t = {times[changes[0]]:.2f}; the corner gives "
            "their range at each t). Fix them to see how its size changes on one scale.")


N_GUESS_GRID = 301        # grid points per axis of the integral behind cloud_guess


@state.cache_data
def cloud_guess(gmm, sde) -> dict:
    """How well a point of the cloud at t = 1 still tells its starting mode: Bayes' accuracy, the
    integral of max_k w_k N_k(x) dx over the exact p_1 (one term per mode) on a grid covering
    every mode's mean +- 8 std, so it does not depend on the points drawn; for two equal
    isotropic modes d apart with std s_1 it is Phi(d / (2 s_1)). Against chance = max_k w_k."""
    p1 = gmm.diffuse(sde, 1.0)
    means = p1.means.to(torch.float64)
    reach = 8 * torch.linalg.eigvalsh(p1.covs.to(torch.float64)).amax(dim=1).sqrt()
    lo, hi = (means - reach[:, None]).amin(0), (means + reach[:, None]).amax(0)
    axes = [torch.linspace(float(a), float(b), N_GUESS_GRID, dtype=torch.float64)
            for a, b in zip(lo, hi)]
    x = torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1).reshape(-1, gmm.dim)
    cell = float(torch.prod((hi - lo) / (N_GUESS_GRID - 1)))
    guess = float(p1._log_joint(x).amax(dim=0).exp().sum()) * cell
    return dict(guess=min(guess, 1.0), chance=float(gmm.weights.max()))


@state.cache_data
def cloud_chart(gmm, sde, n: int, seed: int, follow: bool = False):
    """The 2D cloud's chart: fixed axes ±lim, or (follow) axes that follow the cloud (lims)."""
    c = cloud_2d(gmm, sde, n, seed)
    names = mode_names(gmm)
    return ffig.cloud_chart(c["times"], c["paths"], c["labels"], names, mode_colors(len(names)),
                            c["lim"], c["sigmas"], lims=c["lims"] if follow else None)


@state.cache_data(max_entries=8)
def cloud_gif(gmm, sde, n: int, seed: int) -> bytes:
    c = cloud_2d(gmm, sde, n, seed)
    return ffig.cloud_gif(c["times"], c["paths"], c["labels"], mode_colors(gmm.n_components),
                          c["lim"], c["sigmas"])


@state.cache_data
def schedule_chart(sde, show_alpha: bool):
    return ffig.schedule_chart(fwd.schedule(sde), show_alpha=show_alpha)




def lambda_picks(lo: float, hi: float) -> tuple[float, ...]:
    """The one-click λ values inside the slider's range lo..hi (the settings schema's)."""
    return tuple(v for v in LAMBDA_PICKS if lo <= v <= hi)


def places(gmm) -> str:
    """The modes' means in words: "(−2, −2) and (2, 2)"."""
    pts = [point(mu) for mu in gmm.means.numpy()]
    return ", ".join(pts[:-1]) + " and " + pts[-1] if len(pts) > 1 else pts[0]


def mode_names(gmm):
    return [f"mode {k + 1} at {point(mu)}" for k, mu in enumerate(gmm.means.numpy())]


def percent(p: float) -> str:
    """p as a percentage: whole when it is whole to one decimal, else with one decimal (1/8 is
    "12.5%", never "12%")."""
    tenths = round(1000 * float(p))
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths / 10:.1f}%"


NEAR_CHANCE = 0.02     # a guess right this much more often than chance, or less, is "barely better" than no clue


def accuracy(p: float, chance: float) -> str:
    """A guess's accuracy p as a percentage that never reads as more than it is: an imperfect guess
    that a whole percent would round to 100% gets the decimals that keep it below (99.77% is
    "99.8%", 99.996% is "99.996%"), one within NEAR_CHANCE of chance keeps one decimal (12.6% against
    12.5%, not 13%; 51.2% against 50%, as the other paragraph's 50.7%), a whole percent otherwise."""
    p = float(p)
    if p < 1 and round(100 * p) >= 100:
        digits = 1
        while round(100 * p, digits) >= 100 and digits < 8:
            digits += 1
        return f"{100 * p:.{digits}f}%"
    if abs(p - chance) < NEAR_CHANCE:
        return f"{100 * p:.1f}%"
    return f"{p:.0%}"


def guess_sentence(what: str, p: float, chance: float) -> str:
    """From x₁ alone, how often the best guess of `what` is right, against chance (no clue): "barely
    better" within NEAR_CHANCE of it."""
    if 0 < p - chance < NEAR_CHANCE:
        return (f"the best guess of {what} is right {accuracy(p, chance)} of the time, barely better than "
                f"the {percent(chance)} of no clue.")
    return f"the best guess of {what} is right {accuracy(p, chance)} of the time ({percent(chance)} would be no clue)."


def guess_text(guess: dict) -> str:
    """The 2D cloud's sentence on how well x₁ tells its starting mode, from cloud_guess's numbers."""
    return "From where a point is at t = 1, " + guess_sentence("its starting mode", guess["guess"], guess["chance"])


TWO_CLUSTERS = "two clusters"      # the 2D cloud's own data, the tutorial's


def warm_defaults(before_each=None) -> None:
    """The page's default view, computed as the page computes it (the server's warm-up, first:
    Forward diffusion is the lesson's first page after Home): the schedule, the 1D paths and
    their sentences, and the 2D cloud with its axes."""
    def d(key):
        return state.sio.SCHEMA[state.PERSIST_PREFIX + "forward_" + key].default
    sde, seed, gmm = dc.VESDE(float(d("lam"))), state.DEFAULT_SEED, dc.PRESETS[TWO_CLUSTERS]
    n_paths, n_points, follow = int(d("n_paths")), int(d("n_points")), d("axes") == "follow"
    for draw in (lambda: schedule_chart(sde, False), lambda: mixing_1d(sde, n_paths, seed),
                 lambda: paths_1d_chart(sde, n_paths, seed, bool(d("density"))), lambda: cloud_guess(gmm, sde),
                 lambda: cloud_chart(gmm, sde, n_points, seed, follow),
                 lambda: axes_text(gmm, sde, n_points, seed, follow)):
        if before_each is not None:
            before_each()
        draw()
