"""The exact-score reversal page's computations, cached: sampling runs with the exact score, the
true samples they are compared with, the responsibilities and commitment times of their paths,
and the rendered figures and chart specs the page shows."""
from __future__ import annotations

import math
import time
import dataclasses
from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

import diffusion_core as dc
from diffusion_core import sweep
from diffusion_core.commitment import (bimodal_time, closest_pair, commitment_from_resp,
                                       final_mode_responsibility, mode_split_times, neighbour_agreement,
                                       shuffled_agreement)
from dashboard import downloads, models, state
from dashboard.models import value_text
from dashboard import vocabulary
from dashboard.yourdata import MANY_MODES, nn_distance, point_set
from dashboard.figures import reversal as rfig
from dashboard.figures import samples as samplefig
from dashboard.figures.common import (auto_limits, chart_spec, density_grid, mode_colors, outside,
                                      pct, samples_limits, time_text)

MODE_WORK = 50_000_000      # samples x steps x modes: a drawn point set of ~1000 modes stays fast
MAX_WORK = 4_000_000         # samples x steps: one run stays within a few seconds on 2 cores
KEEP_PATHS = 500             # paths kept for the cloud, the lines and the commitment statistics
CLOUD_FRAMES, CLOUD_POINTS = 36, 400
RESP_FRAMES = 300            # frames used for the responsibilities (commitment times)
DENSITY_GRID = 100
STEP_PICKS = (10, 50, 200)   # the step counts the lesson uses (200, then 10; 50 in the homework), one
                             # click each under the steps slider (state.pick_buttons)


@dataclass(frozen=True)
class Run:
    """Everything a sampling run depends on besides the mixture and the SDE."""
    method: str
    steps: int
    n: int
    grid: str
    t_eps: float
    snr: float
    start: str
    seed: int


@state.cache_data(max_entries=8)
def sample_run(gmm, sde, run: Run) -> dict:
    """dc.sample with the exact score; the final samples, the first KEEP_PATHS paths, the time
    grid, NFE and the wall time of the run (numpy)."""
    gen = torch.Generator().manual_seed(run.seed)
    x_init = None
    if run.start == "p1":       # the true p_1 instead of the prior N(0, sigma_1^2 I)
        x_init = gmm.diffuse(sde, 1.0).sample(run.n, gen, dtype=torch.float32)[0]
    t0 = time.perf_counter()
    res = dc.sample(dc.exact_score(gmm, sde), sde, run.n, run.steps, method=run.method, generator=gen,
                    trajectory=True, dim=gmm.dim, grid=run.grid, t_eps=run.t_eps, snr=run.snr,
                    x_init=x_init)
    seconds = time.perf_counter() - t0
    return dict(x=res.x.numpy(), paths=res.trajectory[:, :KEEP_PATHS].numpy(),
                times=res.times.numpy(), nfe=res.nfe, seconds=seconds)


MARGIN = 0.12       # the data region: every mode's mean ± 3 std, and this share of its width around


def data_limits(gmm):
    """The data region: auto_limits (every mode's mean ± 3 std, so its 2σ region and more) widened
    by MARGIN on each side, so that no mode's samples touch the plot's edges."""
    return auto_limits(gmm, margin=MARGIN)


@state.cache_data(max_entries=8)
def truth(gmm, n: int, seed: int) -> dict:
    """n true samples (the reference), the sliced W₂ floor (the distance from an independent set
    of n true samples to the reference), every measure of that independent set (floor_metrics:
    sweep.sample_metrics, the noise level of each), and log p_0 on a grid."""
    ref = gmm.sample(n, torch.Generator().manual_seed(seed + 1))[0].numpy()
    floor = gmm.sample(n, torch.Generator().manual_seed(seed + 2))[0].numpy()
    xlim, ylim = data_limits(gmm)
    xx, yy, logp = density_grid(gmm, xlim, ylim, DENSITY_GRID)
    floor_metrics = sweep.sample_metrics(floor, gmm, ref)
    return dict(ref=ref, floor_w2=floor_metrics["sliced_w2"], floor_metrics=floor_metrics, xx=xx, yy=yy, logp=logp, xlim=xlim, ylim=ylim)


@state.cache_data(max_entries=16)
def metrics(gmm, sde, run: Run) -> dict:
    r, tr = sample_run(gmm, sde, run), truth(gmm, run.n, run.seed)
    return {**sweep.sample_metrics(r["x"], gmm, tr["ref"]), "sliced_w2_floor": tr["floor_w2"],
            "floor": tr["floor_metrics"], "band": truth_band(gmm, run.n, run.seed),
            "mode_weights": dc.mode_weights(r["x"], gmm).numpy(),
            "fit": models.mode_fit(r["x"], tr["ref"], gmm, run.seed)}


@state.cache_data(max_entries=8)
def samples_for(gmm, n: int, steps: int) -> int:
    """The samples a run draws: n, or fewer (at least 250) when samples x steps x modes would pass
    MODE_WORK (mixtures of hundreds of modes, e.g. a drawn point set)."""
    return int(min(n, max(250, MODE_WORK // max(1, steps * gmm.n_components))))


def resp_frames(gmm) -> int:
    """Frames of the commitment statistics: RESP_FRAMES, fewer (at least 40) for many modes."""
    return int(max(40, min(RESP_FRAMES, RESP_FRAMES * 24 // max(1, gmm.n_components))))


@state.cache_data(max_entries=8)
def responsibilities(gmm, sde, run: Run) -> dict:
    """The final mode of every kept path and its responsibility under pₜ on <= resp_frames(gmm)
    frames. Cached: no threshold changes them, so a move of the threshold slider only reads them."""
    r = sample_run(gmm, sde, run)
    idx = rfig.frame_indices(len(r["times"]), resp_frames(gmm))
    resp, labels = final_mode_responsibility(gmm, sde, r["paths"][idx], r["times"][idx])
    return dict(resp=resp.numpy(), labels=labels.numpy(), times=r["times"][idx])


def view_limits(gmm, sde, view: str):
    """The data region (every mode +- 3 std), or a square that holds the prior's +- 2.5 sigma_1."""
    xlim, ylim = data_limits(gmm)
    if view == "data":
        return xlim, ylim
    h = max(2.5 * sde.prior_std(), (xlim[1] - xlim[0]) / 2)
    return (min(xlim[0], -h), max(xlim[1], h)), (min(ylim[0], -h), max(ylim[1], h))


COPY_STDS = 2.0          # a sample within this many of a mode's stds of its mean is a copy of it


COPY_SPACING = 0.25      # blobs narrower than this × the points' nearest-neighbour distance
                         # barely overlap: p₀ is points


def blob_ratio(gmm) -> tuple[float, float]:
    """(h / d rounded to 2 digits, d): the largest mode std h of a point set against d, the median
    distance from a point to its nearest neighbour (yourdata.nn_distance: the unit of the Your data
    page's smoothing-width slider, so h / d is the width that page and the sidebar give). At
    h / d <= COPY_SPACING p₀ is separate small blobs; above, the blobs overlap into a smooth shape
    (the rounded ratio, the number the pages show, decides)."""
    h = float(gmm.covs.diagonal(dim1=1, dim2=2).max(1).values.sqrt().max())
    d = nn_distance(gmm.means.to(torch.float64).numpy())
    return round(h / d, 2), d


def copies_note(gmm, sde, run: Run) -> str:
    """For a point set p₀: the share of the samples shown within COPY_STDS stds of a mode's mean
    (a data point), next to the same share of true samples of p₀, in words; whether such samples
    are copies follows from p₀ itself: with a width h small against the median nearest-neighbour
    distance d of the points (blob_ratio: h <= COPY_SPACING d) p₀ is separate small blobs and its
    samples are copies of the points; with overlapping blobs p₀ is a smooth shape. More samples than true ones on a point are
    named beyond WEIGHT_Z standard errors of the difference of the two measured shares (models.diff_se).
    "" for other mixtures."""
    if not point_set(gmm):
        return ""
    means = gmm.means.to(torch.float64)
    std = gmm.covs.diagonal(dim1=1, dim2=2).max(1).values.sqrt()

    def share(x) -> float:
        x = torch.as_tensor(x, dtype=torch.float64)
        return 100 * float((torch.cdist(x, means) <= COPY_STDS * std).any(1).double().mean())

    x, ref = sample_run(gmm, sde, run)["x"], truth(gmm, run.n, run.seed)["ref"]
    near, near_true, n_true = share(x), share(ref), len(ref)
    h = float(std.max())
    ratio, _ = blob_ratio(gmm)
    if ratio <= COPY_SPACING:
        what = (f"The smoothing width is {ratio:.2f} × the nearest-neighbour distance of your points "
                f"(h = {h:.3f}), so p₀ is a set of "
                "separate small blobs: its true samples are copies of your points, and so are a good "
                "sampler's, which is memorising, not generating.")
        if near < 0.5 * near_true:
            what += (" Here far fewer samples than true ones sit on a point: at these settings the "
                     "sampler has not resolved the blobs.")
        elif near - near_true > WEIGHT_Z * (noise := 100 * models.diff_se(near / 100, len(x), near_true / 100, n_true)):
            what += (f" Here more samples than true ones sit on a point ({near:.0f} % against "
                     f"{near_true:.0f} %, beyond {WEIGHT_Z:g} standard errors of the difference of the two "
                     f"measured shares, ± {WEIGHT_Z * noise:.1f} points): the sampler draws the blobs "
                     "narrower than they are.")
    else:
        what = (f"The smoothing width is {ratio:.2f} × the nearest-neighbour distance of your points "
                f"(h = {h:.3f}), so the blobs overlap and p₀ is a smooth shape: a sample near a data "
                f"point is simply where p₀ is, not a copy (copies need a width of at most "
                f"{COPY_SPACING:g} × that distance).")
    return (f"{near:.0f} % of the {len(x):,} samples shown lie within {COPY_STDS:g} × the smoothing "
            f"width ({COPY_STDS * h:.3g}) of one of the {gmm.n_components:,} data points (true samples "
            f"of p₀: {near_true:.0f} %). {what}")


def final_limits(gmm, sde, run: Run):
    """The final-samples plot's limits: samples_limits when it draws dots over p₀'s mass contours
    (dots_final), else the truth's grid (data_limits)."""
    if dots_final(gmm, sde, run):
        return samples_limits(gmm)
    tr = truth(gmm, run.n, run.seed)
    return tr["xlim"], tr["ylim"]


def outside_note(gmm, sde, run: Run) -> str:
    """How many of the final samples lie outside the final-samples plot (drawn over the truth's
    region), in words, and what counts them all (the measures, the shares outside the contour and
    the mode shares are computed from every sample); "" when none do."""
    x = sample_run(gmm, sde, run)["x"]
    out = outside(x, *final_limits(gmm, sde, run))
    drawn, counted = (("the dots are the ones inside", "the shares outside the contour, the measures and the mode shares")
                      if dots_final(gmm, sde, run) else ("the contours describe the ones inside", "the measures and the mode shares"))
    return (f"{out:,} of the {len(x):,} samples {'lies' if out == 1 else 'lie'} outside this plot, which shows where p₀ is; "
            f"{drawn}, while {counted} count all {len(x):,}." if out else "")


KDE_WIDE = 2.0           # a mode narrower than the KDE kernel / this is drawn too wide: dots replace the KDE


def dots_final(gmm, sde, run: Run) -> bool:
    """Whether the final plot draws the samples as dots over p₀'s mass contours (models.mass_dots_figure,
    as Train & sample does) rather than KDE contours: when the KDE kernel is much wider than a mode
    (kde_note), where KDEs of good and poor runs look alike."""
    return bool(kde_note(gmm, sde, run))


def narrowest_std(gmm) -> float:
    """The smallest std of any mode in any direction: √ of the smallest covariance eigenvalue."""
    return float(torch.linalg.eigvalsh(gmm.covs.double()).min().clamp_min(0).sqrt())


def narrowest_mode(gmm) -> tuple[int, np.ndarray]:
    """The mode with the smallest std in any direction (narrowest_std), and its principal stds,
    smallest first: an elongated mode is narrow across only."""
    stds = torch.linalg.eigvalsh(gmm.covs.double()).clamp_min(0).sqrt().numpy()
    k = int(np.argmin(stds[:, 0]))
    return k, stds[k]


def narrowest_words(gmm) -> str:
    """The narrowest mode as the theory paragraphs name it: "std 0.02" for a round one (or one of
    a drawn point set), "mode 2: std 0.01 across, 0.3 along" for an elongated one."""
    k, stds = narrowest_mode(gmm)
    said = vocabulary.stds_text(stds)
    return f"mode {k + 1}: {said}" if vocabulary.elongated(stds) else said


def kde_note(gmm, sde, run: Run) -> str:
    """When the final plot's KDE kernel is much wider than the narrowest mode in some direction, in
    words: that mode is drawn as wide as the kernel, or stretched along the data's widest direction
    (the kernel follows the data's covariance: its widths are named as the kernel's, beside the
    data's stds of the same points, samplefig.kde_data_stds); "" otherwise."""
    if point_set(gmm):
        return ""
    ref = truth(gmm, run.n, run.seed)["ref"]
    kernel, longest = samplefig.kde_kernel_stds(ref)
    data_lo, data_hi = samplefig.kde_data_stds(ref)
    narrow = narrowest_std(gmm)
    if narrow * KDE_WIDE >= longest:
        return ""
    if narrow * KDE_WIDE < kernel:
        stretch = (f", stretched to {longest:.2g} along the data's widest direction" if longest > KDE_WIDE * kernel
                   else "")
        spread = (f"{data_lo:.2g}" if f"{data_lo:.2g}" == f"{data_hi:.2g}" else f"{data_lo:.2g} to {data_hi:.2g}")
        drawn = (f"kernel is {kernel:.2g} wide (std), following this data's spread (the data's std: {spread})"
                 f"; the narrowest mode ({narrowest_words(gmm)}) would be drawn that wide{stretch}")
    else:
        drawn = (f"kernel widens with the data's spread: it is {longest:.2g} wide (std) along the data's widest "
                 f"direction (the data's own std there: {data_hi:.2g}) and {kernel:.2g} across it (the data's "
                 f"std: {data_lo:.2g}); the narrowest mode ({narrowest_words(gmm)}) would be drawn stretched along that direction")
    shape = "as narrow across as it is" if vocabulary.elongated(narrowest_mode(gmm)[1]) else "as narrow and round as it is"
    return (f"Kernel density estimates would hide how wide the modes are drawn: their {drawn}, not {shape}. "
            "So the panels show the samples themselves.")


@state.cache_data(max_entries=16)
def final_png(gmm, sde, run: Run) -> bytes:
    r, tr = sample_run(gmm, sde, run), truth(gmm, run.n, run.seed)
    if point_set(gmm):
        fig = samplefig.samples_over_points(tr["xx"], tr["yy"], tr["logp"], gmm.means.numpy(), r["x"],
                                            vocabulary.label(run.method), size=4.4,
                                            title=f"{vocabulary.label(run.method)}, {steps_label(run.steps)}")
        return downloads.png_bytes(fig, dpi=150)
    title = f"{vocabulary.label(run.method)}, {steps_label(run.steps)}"
    if dots_final(gmm, sde, run):
        fig = models.mass_dots_figure(gmm, [(title, r["x"]), ("true samples", tr["ref"])],
                                      [samplefig.SET_COLORS[0], samplefig.TRUTH_COLOR], run.seed)
        return downloads.png_bytes(fig, dpi=150)
    fig = samplefig.samples_vs_truth(tr["xx"], tr["yy"], tr["logp"],
                                {vocabulary.label(run.method): r["x"], "true samples": tr["ref"]},
                                title=title, size=4.4)
    return downloads.png_bytes(fig, dpi=150)


def dots_note(gmm, sde, run: Run) -> str:
    """What the dots panels show (models.mass_picture_text, the Train page's caption), from the
    drawn samples; "" when the final plot draws KDE contours."""
    if not dots_final(gmm, sde, run):
        return ""
    return models.mass_picture_text({"these samples": sample_run(gmm, sde, run)["x"],
                                     "the true samples": truth(gmm, run.n, run.seed)["ref"]}, gmm, run.seed)


def paths_figure(gmm, sde, run: Run, n_paths: int, view: str):
    """The first n_paths paths in the plane over log p₀, their end points named at the run's own
    last grid time (the t run_words prints: Δt for the tutorial's loop, ε for the others)."""
    r, tr, rs = sample_run(gmm, sde, run), truth(gmm, run.n, run.seed), responsibilities(gmm, sde, run)
    xlim, ylim = view_limits(gmm, sde, view)
    return rfig.trajectories_figure(r["paths"][:, :n_paths], rs["labels"][:n_paths],
                                    mode_colors(gmm.n_components), tr["xx"], tr["yy"], tr["logp"],
                                    xlim, ylim, title=f"{min(n_paths, r['paths'].shape[1])} paths in the plane",
                                    size=4.2, t_end=float(np.min(r["times"])))


@state.cache_data(max_entries=16)
def paths_png(gmm, sde, run: Run, n_paths: int, view: str) -> bytes:
    """paths_figure as PNG bytes."""
    return downloads.png_bytes(paths_figure(gmm, sde, run, n_paths, view), dpi=150)


@state.cache_data(max_entries=16)
def split_time(gmm, sde) -> float | None:
    """commitment.bimodal_time, cached: where pₜ, followed along the line joining the two closest
    modes, first shows a dip between them (the red dotted line's time; a search over t)."""
    return bimodal_time(gmm, sde)


@state.cache_data(max_entries=16)
def time_png(gmm, sde, run: Run, n_paths: int) -> bytes:
    """The paths along the axis u against time, with the red dotted line where pₜ splits the closest
    modes. Independent of the commitment threshold (the median commitment time is drawn in the
    histogram beside it), so a move of the threshold slider redraws no PNG."""
    r, rs = sample_run(gmm, sde, run), responsibilities(gmm, sde, run)
    t_split = split_time(gmm, sde) or None
    split_mark = split_label(t_split) if t_split is not None else "pₜ splits"
    fig = rfig.paths_vs_time_figure(r["paths"][:, :n_paths], r["times"], rs["labels"][:n_paths],
                                    mode_colors(gmm.n_components), rfig.main_axis(gmm), u_limits(gmm, run),
                                    marks={split_mark: t_split}, split=split_mark,
                                    width=4.2, height=4.7)
    return downloads.png_bytes(fig, dpi=150)


def u_limits(gmm, run: Run) -> tuple[float, float]:
    """The time chart's range along the axis u: the true samples' 0.2–99.8 % quantiles along u, a quarter
    of their spread added on each side."""
    lo, hi = np.quantile(truth(gmm, run.n, run.seed)["ref"] @ rfig.main_axis(gmm), [0.002, 0.998])
    pad = 0.25 * (hi - lo)
    return float(lo - pad), float(hi + pad)


ROUGH = 0.01             # fresh noise per step (median std) at least this share of the time chart's height shows


def step_noise(sde, run: Run, times) -> np.ndarray | None:
    """The std of the fresh noise each step adds, on the run's grid times t_i > t_(i+1): g(t_i) √(t_i − t_(i+1))
    for the tutorial's loop, √(σ(t_i)² − σ(t_(i+1))²) for the reverse SDE (Euler-Maruyama in σ²); None for
    the other samplers (their noise depends on their own schedule)."""
    t = torch.as_tensor(np.asarray(times, dtype=float), dtype=torch.float64)
    if run.method == "tutorial":
        return (sde.g(t[:-1]) * (t[:-1] - t[1:]).sqrt()).numpy()
    if run.method == "sde":
        s = sde.sigma(t)
        return (s[:-1] ** 2 - s[1:] ** 2).clamp_min(0).sqrt().numpy()
    return None


def noise_words(gmm, sde, run: Run) -> str:
    """What the commitment charts show of a stochastic run's fresh noise: its std per step (step_noise) against
    the time chart's height along u (u_limits); its paths are said rough where the median std is at least
    ROUGH of that height (as printed, one decimal), else that it is too small to show. Without a per-step formula, only that it adds noise."""
    noise = step_noise(sde, run, sample_run(gmm, sde, run)["times"])
    if noise is None or not len(noise):
        return "This run's sampler adds fresh noise along the way. "
    lo, hi = u_limits(gmm, run)
    med, height = float(np.median(noise)), hi - lo
    spread = (f"std {value_text(med)}" if len(noise) == 1 else
              f"std {value_text(noise.min())} to {value_text(noise.max())}, median {value_text(med)}")
    share = round(100 * med / height, 1)          # as printed, which decides
    look = (", so its paths are rough" if share >= 100 * ROUGH else
            ", too little to show: its paths look smooth")
    return (f"This run's sampler adds fresh noise at every step ({spread} per step, {share:g} % of "
            f"the time chart's height of {height:.1f} along u){look}. ")


@state.cache_data(max_entries=16)
def cloud_spec(gmm, sde, run: Run, view: str) -> dict:
    r, rs = sample_run(gmm, sde, run), responsibilities(gmm, sde, run)
    idx = rfig.frame_indices(len(r["times"]), CLOUD_FRAMES)
    times = r["times"][idx]
    xlim, ylim = view_limits(gmm, sde, view)
    pts = len(cloud_labels(gmm, sde, run))
    return chart_spec(rfig.cloud_chart(r["paths"][idx, :pts], times, rs["labels"][:pts], mode_names(gmm),
                                    mode_colors(gmm.n_components), sde.sigma(torch.as_tensor(times)).numpy(),
                                    rfig.pt_ellipses(gmm, sde, times), xlim, ylim, size=400))


def cloud_labels(gmm, sde, run: Run) -> np.ndarray:
    """The final modes of the paths the cloud chart draws (its first CLOUD_POINTS)."""
    return responsibilities(gmm, sde, run)["labels"][:CLOUD_POINTS]


def ellipses_words(gmm, sde, run: Run) -> str:
    """What the cloud chart's dashed ellipses are, with the count it draws (rfig.ellipse_modes)."""
    K = gmm.n_components
    drawn = len(rfig.ellipse_modes(cloud_labels(gmm, sde, run), K))
    which = ("every component of the exact pₜ" if drawn == K else
             f"{drawn} of the exact pₜ's {K:,} components, those most of the drawn paths end in")
    return f"**Dashed ellipses**: mean ± 2 std of {which}."


def deterministic(sde, run: Run) -> bool:
    """Does the run draw no noise after its start (dc.injects_noise at the page's settings: it sets
    no r_noise, so a noisy-start sampler's default applies)? Then the end point, and the mode, is a
    function of x₁."""
    return not dc.injects_noise(run.method, sde)


def start_ratio(sde) -> float:
    """σ₁/α₁, the noise-to-signal ratio at t = 1."""
    return float(sde.noise_ratio(torch.tensor(1.0, dtype=torch.float64)))


def deterministic_words(sde, run: Run) -> str:
    """Why a deterministic run (deterministic()) is one, in words: its sampler is deterministic, or
    it adds noise only above its r_noise and σ₁/α₁ is not above it."""
    spec, name = dc.SAMPLERS[run.method], vocabulary.label(run.method)
    if not spec.stochastic:
        return f"**{name}** is deterministic"
    return (f"**{name}** runs as an ODE here (it adds noise only while σₜ/αₜ > "
            f"{spec.take({})['r_noise']:g}, and σ₁/α₁ = {start_ratio(sde):.2f})")


NEIGHBOURS = 10          # the colours' sorting at t = 1: each point's this many nearest neighbours
SORTED = 0.5             # (share - chance) / (1 - chance) at or above, beyond the shuffles: sorted
SHUFFLES = 200           # seeded random shuffles of the colours whose shares give the "mixed" range


@state.cache_data(max_entries=16)
def start_sorting(gmm, sde, run: Run) -> dict:
    """How sorted the cloud chart's colours (final modes) are at t = 1, from its own points:
    commitment.neighbour_agreement of their positions x₁ and final modes (share, chance), the
    range (lo, hi) of that share over SHUFFLES seeded random shuffles of the same colours (its noise
    when colours are mixed), the share above chance as a part of what is left above it (lift), and
    its level: "mixed" unless the share, as printed (sorting_words), is above the shuffles' hi;
    above it by less than half their spread (hi − lo) "barely", else "sorted" (lift at least SORTED)
    or "partly"; None when every drawn point ends in one mode (or fewer than 2 are drawn)."""
    labels = cloud_labels(gmm, sde, run)
    x1 = sample_run(gmm, sde, run)["paths"][0, :len(labels)]
    out = dict(k=min(NEIGHBOURS, len(labels) - 1), points=len(labels), share=None, chance=None, lift=None,
               lo=None, hi=None, level=None)
    if len(labels) < 2 or len(np.unique(labels)) < 2:
        return out
    share, chance = neighbour_agreement(x1, labels, NEIGHBOURS)
    shuffled = shuffled_agreement(x1, labels, NEIGHBOURS, SHUFFLES)
    lo, hi = float(shuffled.min()), float(shuffled.max())
    lift = (share - chance) / (1 - chance)
    above = round(100 * share, 1) > round(100 * hi, 1)
    level = ("mixed" if not above else "barely" if share - hi < (hi - lo) / 2 else
             "sorted" if lift >= SORTED else "partly")
    return {**out, "share": share, "chance": chance, "lift": lift, "lo": lo, "hi": hi, "level": level}


def sorting_words(so: dict) -> str:
    """The measure of start_sorting in words: neighbours that end in the same mode, against the
    range of that share when the same colours are shuffled at random."""
    return (f"{100 * so['share']:.1f} % of a point's {so['k']} nearest neighbours at t = 1 end in its "
            f"mode, against {100 * so['lo']:.1f}–{100 * so['hi']:.1f} % when the same colours are "
            f"shuffled at random ({SHUFFLES} shuffles)")


def colour_words(gmm, sde, run: Run) -> str:
    """The cloud chart's colours in words: what they are, how sorted they are at t = 1 (measured by
    start_sorting on the chart's own points), and why: a deterministic run fixes each point's end
    mode by its start, a stochastic one can still change it along the way."""
    head = "**Colour**: the mode each point ends in."
    so = start_sorting(gmm, sde, run)
    if so["level"] is None:
        return head + " Here every point drawn ends in the same mode."
    words, name = sorting_words(so), vocabulary.label(run.method)
    if deterministic(sde, run):
        fixed = f" {deterministic_words(sde, run)}: a point's end mode is fixed by where it starts, x₁."
        if so["level"] == "sorted":
            return (head + fixed + f" So the colours are sorted from t = 1 on, split by boundaries in the "
                    f"noise ({words}); nothing is chosen along the way.")
        look = {"partly": "partly sorted", "barely": "barely more sorted than at random"}.get(so["level"], "mixed")
        return (head + fixed + f" At t = 1 the colours look {look} ({words}), yet no point changes its "
                "mode along the way: the boundaries between the colours lie in the noise.")
    if so["level"] == "mixed":
        return (head + f" Early on the colours are mixed ({words}): no sign that a start decides its mode. Watch when "
                "they separate.")
    how = {"partly": "partly sorted already", "barely": "barely more sorted than at random"}.get(so["level"],
                                                                                            "sorted already")
    likely = "slightly more likely" if so["level"] == "barely" else "more likely"
    return (head + f" At t = 1 the colours are {how} ({words}): where a point starts makes its mode "
            f"{likely}, but **{name}** adds noise along the way, so a point can still change its mode. "
            "Watch when they separate.")


@state.cache_data(max_entries=16)
def weights_spec(gmm, sde, run: Run) -> dict:
    recovered = {vocabulary.label(run.method): metrics(gmm, sde, run)["mode_weights"]}
    return chart_spec(samplefig.mode_weights_chart(gmm.weights, recovered))


@state.cache_data(max_entries=16)
def commit_base(gmm, sde, run: Run) -> dict:
    """What the commitment section shows that no threshold changes: where pₜ splits the closest
    modes (the red line) and which they are (pair), when pₜ splits each mode from its nearest other
    mode (mode_splits, None for a point set, whose text compares no split), whether the run is
    deterministic and why, how sorted the colours are at t = 1, the modes' names and colours."""
    t_bimodal = split_time(gmm, sde)
    return dict(t_split=t_bimodal if t_bimodal else None, t_bimodal=t_bimodal, pair=closest_pair(gmm),
                mode_splits=None if point_set(gmm) else mode_split_times(gmm, sde),
                deterministic=deterministic(sde, run),
                fixed=deterministic_words(sde, run) if deterministic(sde, run) else "",
                sorting=start_sorting(gmm, sde, run), names=mode_names(gmm),
                noise_words="" if deterministic(sde, run) else noise_words(gmm, sde, run),
                colors=mode_colors(gmm.n_components))


@state.cache_data(max_entries=8)
def responsibility_spec(gmm, sde, run: Run) -> dict:
    """The responsibility chart's spec at any threshold (commit_view moves its threshold line with
    rfig.move_threshold): its band and mean over every frame are serialized once per run."""
    rs, t_split = responsibilities(gmm, sde, run), commit_base(gmm, sde, run)["t_split"]
    label = split_label(t_split) if t_split is not None else None
    return chart_spec(rfig.responsibility_chart(rs["times"], rs["resp"], 1.0, t_split, split_label=label))


def choice_words(deterministic: bool, threshold: float) -> dict:
    """The commitment section's words for what a path does along the way, in one place: a stochastic
    run's paths choose their mode; a deterministic run's end mode is fixed by x₁, so its paths only
    have that mode's responsibility reach the threshold. Keys: title (the section's question), along
    (the histogram's median legend), nothing (why the paths at the threshold from t = 1 on are left
    out: a clause without closing punctuation, for the histogram's title and from_start_note),
    caption (what the histogram draws), must (what happens to the points between two modes at their split)."""
    if deterministic:
        return dict(title="Commitment: when does a path's end mode show in pₜ?",
                    along=f"paths reaching {threshold:.2f} on the way",
                    nothing="they start at the threshold, so they have nothing to reach along the way",
                    caption="when each path's end-mode responsibility reached the threshold",
                    must="one mode's responsibility must rise for the points between the two modes")
    return dict(title="Commitment: when does a sample choose its mode?",
                along="paths choosing along the way",
                nothing="they start at the threshold, so they choose nothing along the way",
                caption="when each path that chooses along the way committed",
                must="the points between the two modes must choose")


def cv_words(cv: dict) -> dict:
    """choice_words of a commit_view (cv)."""
    return choice_words(bool(cv.get("deterministic")), cv["threshold"])


@state.cache_data(max_entries=32)
def commit_view(gmm, sde, run: Run, threshold: float) -> dict:
    """Commitment times at `threshold`, their summary, and the two charts' specs (commit_base's
    keys included). A path whose end mode's responsibility is at the threshold from the first frame
    (t = 1) on decides nothing along the way (from_start_cause says why): the median leaves those out, and from_start
    (their share), n_from_start (their count) and start_modes ((mode, weight) of the modes they end
    in) say so (from_start_note). own_split: the other committing paths against the split of their
    own end mode (own_split_counts; None for a point set)."""
    rs, base = responsibilities(gmm, sde, run), commit_base(gmm, sde, run)
    com = commitment_from_resp(rs["resp"], rs["labels"], rs["times"], threshold)
    t_split = base["t_split"]
    start = com.committed & (com.times >= float(np.max(rs["times"])) - 1e-12)     # at the threshold from t = 1 on
    ct = com.times[com.committed & ~start].numpy()
    modes = sorted({int(k) for k in com.labels[start].tolist()})
    out = dict(t_split=t_split, t_bimodal=base["t_bimodal"], n_paths=len(com.labels), median=None,
               threshold=float(threshold), undecided=never_share(gmm, sde, run, threshold),
               from_start=float(start.double().mean()), n_from_start=int(start.sum()),
               start_modes=[(k, float(gmm.weights[k] / gmm.weights.sum())) for k in modes],
               frames=len(rs["times"]), t_last=float(np.min(rs["times"])), n_along=len(ct),
               n_last=int((ct <= float(np.min(rs["times"])) + 1e-12).sum()),
               deterministic=base["deterministic"], fixed=base["fixed"], sorting=base["sorting"],
               noise_words=base["noise_words"],
               pair=base["pair"], own_split=None, end_sigma=end_sigma(gmm, sde, run),
               narrowest=narrowest_std(gmm), overlap=overlap_share(gmm, run, threshold), n_truth=run.n,
               end_overlap=end_overlap_share(gmm, sde, run, threshold), n_modes=gmm.n_components,
               closest=closest_modes(gmm), end_stray=end_strays(gmm, sde, run, com.committed),
               end_off=end_off(gmm, sde, run, com.committed), steps_taken=len(sample_run(gmm, sde, run)["times"]) - 1, steps=run.steps,
               far=models.start_far(float(sde.prior_std()), gmm) if run.start == "prior" else "")
    if out["far"]:       # the same run started from the exact p₁, at the same threshold (start_cause)
        out["start_never"] = never_share(gmm, sde, dataclasses.replace(run, start="p1"), threshold)
    if len(ct) and base["mode_splits"] is not None:
        chose = (com.committed & ~start).numpy()
        out["own_split"] = own_split_counts(com.times.numpy()[chose], com.labels.numpy()[chose],
                                            base["mode_splits"], rs["times"])
    if len(ct):
        out["median"] = float(np.median(ct))
        out["median_before"] = grid_time_before(rs["times"], out["median"])
        out["sigma"] = float(sde.sigma(torch.tensor(out["median"], dtype=torch.float64)))
    label = split_label(t_split) if t_split is not None else None
    out["resp_spec"] = rfig.move_threshold(responsibility_spec(gmm, sde, run), threshold)
    out["hist_spec"] = chart_spec(rfig.commitment_hist_chart(
        com.times, com.committed, com.labels, base["names"], base["colors"], t_split, split_label=label,
        median=out["median"] if median_shown(out) else float("nan"), left_out=start,
        threshold=float(threshold), words=cv_words(out)))
    return out


def never_share(gmm, sde, run: Run, threshold: float) -> float:
    """The share of a run's kept paths that never commit at `threshold`: 1 − mean(committed), from
    commitment_from_resp on the run's responsibilities (as commit_view's undecided)."""
    rs = responsibilities(gmm, sde, run)
    com = commitment_from_resp(rs["resp"], rs["labels"], rs["times"], threshold)
    return 1 - float(com.committed.double().mean())


@state.cache_data(max_entries=8)
def top_responsibility(gmm, n: int, seed: int) -> np.ndarray:
    """Each true sample of p₀ (truth's ref)'s largest mode responsibility, maxₖ rₖ(x)."""
    ref = torch.as_tensor(truth(gmm, n, seed)["ref"], dtype=torch.float64)
    return gmm.responsibilities(ref).max(dim=-1).values.numpy()


def overlap_share(gmm, run: Run, threshold: float) -> float:
    """The share of true samples of p₀ whose most responsible mode has responsibility below
    `threshold` (top_responsibility): how much the modes themselves overlap, at that threshold."""
    return float((top_responsibility(gmm, run.n, run.seed) < threshold).mean())


def end_truth(gmm, sde, run: Run) -> tuple:
    """(pₜ, run.n true samples of it, numpy) at the run's last grid time t (p₀ blurred to t, gmm.diffuse)."""
    pt = gmm.diffuse(sde, float(np.min(sample_run(gmm, sde, run)["times"])))
    return pt, pt.sample(run.n, torch.Generator().manual_seed(run.seed + 1))[0].double().numpy()


@state.cache_data(max_entries=8)
def end_top_responsibility(gmm, sde, run: Run) -> np.ndarray:
    """Each of end_truth's true samples of pₜ at the run's last grid time: its largest mode
    responsibility under pₜ, maxₖ rₖ(x)."""
    pt, x = end_truth(gmm, sde, run)
    return pt.responsibilities(torch.as_tensor(x)).max(dim=-1).values.numpy()


def end_overlap_share(gmm, sde, run: Run, threshold: float) -> float:
    """overlap_share for pₜ at the run's last time (end_top_responsibility): the share of true samples
    of pₜ there with no mode at `threshold`, how much pₜ's blurred modes overlap where the run stops."""
    return float((end_top_responsibility(gmm, sde, run) < threshold).mean())


def grid_time_before(times, t: float) -> float:
    """The frame time just before t on a decreasing grid (t itself at the first frame): a path
    recorded as committing at frame time t crossed the threshold somewhere in (t, that time]."""
    return float(grid_times_before(times, [t])[0])


def grid_times_before(times, ts) -> np.ndarray:
    """grid_time_before of every time in ts (numpy)."""
    up = np.sort(np.asarray(times, dtype=float))
    ts = np.asarray(ts, dtype=float)
    k = np.searchsorted(up, ts + 1e-12, side="right")
    return np.where(k < len(up), up[np.minimum(k, len(up) - 1)], ts)


def own_split_counts(ct, labels, splits, times) -> dict:
    """Each committing path's commitment time (ct, recorded at a frame time of the decreasing grid
    times) against the time pₜ splits its end mode (labels) from that mode's nearest other mode
    (splits[k], commitment.mode_split_times; None: two bumps at every t, so any commitment comes
    after): "before" where the path crossed the threshold before that split (t larger: its recorded
    time is above it), "after" where the frame before it is at or below it, "across" where that
    grid step spans the split. Counts (ints), n, the end modes (ends) and their split times (splits)."""
    s = np.array([np.inf if splits[k] is None else splits[k] for k in labels], dtype=float)
    prev = grid_times_before(times, ct)
    before, after = int((ct > s).sum()), int((prev <= s).sum())
    ends = sorted({int(k) for k in labels})
    return dict(before=before, after=after, across=len(ct) - before - after, n=len(ct), ends=ends,
                splits={k: splits[k] for k in ends})


WEIGHT_Z = models.WEIGHT_Z    # a sampled weight "agrees" when within this many binomial standard errors
shares_agree = models.shares_agree
NAMED_MODES = 6          # the weights caption names at most this many disagreeing modes
FAR_PRIOR = 2.5          # a mode this many σ₁ from the origin is barely reached by the prior


def end_sigma(gmm, sde, run: Run) -> float:
    """The noise std σ at the run's last grid time (its own times): σ(Δt) of the tutorial's loop,
    which stops at t = Δt; σ(ε) of the others, before their last denoising step."""
    return float(sde.sigma(torch.tensor(float(np.min(sample_run(gmm, sde, run)["times"])), dtype=torch.float64)))


STRAY_Q = 0.001          # a sample less likely under p₀ than all but this share of true samples is a stray
STRAY_SAY = 0.05         # above this share of strays the mode shares are said to mean little


def stray_share(gmm, sde, run: Run) -> float:
    """The share of the run's samples where p₀ is lower than at all but STRAY_Q of true samples
    (log p₀ below the truth's STRAY_Q quantile): samples that belong to no mode."""
    return float(stray_mask(gmm, run, sample_run(gmm, sde, run)["x"]).mean())


def stray_mask(gmm, run: Run, x) -> np.ndarray:
    """Which points x are strays: log p₀(x) below the STRAY_Q quantile of log p₀ on the run's true samples."""
    return low_density_mask(gmm, truth(gmm, run.n, run.seed)["ref"], x, STRAY_Q)


def low_density_mask(dist, ref, x, q: float) -> np.ndarray:
    """Which points x lie where the density of dist is lower than at all but a share q of its true
    samples ref: log p(x) below the q quantile of log p(ref)."""
    ref = torch.as_tensor(np.asarray(ref), dtype=torch.float64)
    lo = torch.quantile(dist.log_prob(ref), q)
    lp = torch.nan_to_num(dist.log_prob(torch.as_tensor(np.asarray(x), dtype=torch.float64)), nan=-math.inf)
    return (lp < lo).numpy()


OFF_Q = 0.01             # a path ending where pₜ is lower than at all but this share of its true samples is off pₜ


def end_off(gmm, sde, run: Run, committed) -> dict:
    """The kept paths that end off pₜ at the run's last time (low_density_mask at OFF_Q on end_truth's
    true samples of pₜ: where pₜ's own samples do not lie, so not put there by pₜ's overlap but by the
    run's steps or its start): their share of all kept paths (all; OFF_Q of them by chance for a
    perfect sampler) and the share of the kept paths that never commit (committed: False) and end there (never)."""
    pt, ref = end_truth(gmm, sde, run)
    off = low_density_mask(pt, ref, sample_run(gmm, sde, run)["paths"][-1], OFF_Q)
    return dict(all=float(off.mean()), never=float((off & ~np.asarray(committed, dtype=bool)).mean()))


def end_strays(gmm, sde, run: Run, committed) -> dict:
    """The strays (stray_mask) at the run's end: their share of all its samples (share, stray_share, the
    mode-share caption's number) and the share of the kept paths ending as strays that commit (committed:
    their end mode's responsibility under pₜ at the threshold)."""
    stray = stray_mask(gmm, run, sample_run(gmm, sde, run)["paths"][-1])
    committed = np.asarray(committed, dtype=bool)
    return dict(share=stray_share(gmm, sde, run), committed=float(committed[stray].mean()) if stray.any() else 0.0)


def weight_check(gmm, sde, run: Run) -> dict:
    """The mode-weight bars against their sampling noise: for every mode its true weight w, its
    share p among the run's samples, the binomial standard error sqrt(w (1 - w) / n), whether
    |p - w| is within WEIGHT_Z of them, its smallest std, and the net share the noise left at the
    end moves out of it (noise_moved, on true samples); it can explain a share off only where it
    moves at least one standard error (reach). numpy arrays, and n, z, sigma_end, the share of the run's
    samples off every mode (stray) and of true samples that noise puts there (blurred, blurred_stray)."""
    w = gmm.weights.double().numpy()
    p = np.asarray(metrics(gmm, sde, run)["mode_weights"], dtype=float)
    se = np.sqrt(w * (1 - w) / run.n)
    ok = shares_agree(p, w, run.n)
    std = torch.linalg.eigvalsh(gmm.covs.double()).min(dim=-1).values.clamp_min(0).sqrt().numpy()
    s_end, gap = end_sigma(gmm, sde, run), neighbour_gaps(gmm)
    ref = truth(gmm, run.n, run.seed)["ref"]
    p_true = dc.mode_weights(ref, gmm).double().numpy()
    moved = noise_moved(gmm, s_end, ref, p_true)
    sigma1 = float(sde.prior_std())
    dist = np.linalg.norm(gmm.means.double().numpy(), axis=1)       # from the prior's centre
    far = (dist > FAR_PRIOR * sigma1) if run.start == "prior" else np.zeros(len(w), bool)
    # the same count for true samples of p₀: where modes overlap, the most responsible mode is not
    # the one a sample came from, and true samples are "off" too
    off_true = int((~shares_agree(p_true, w, run.n)).sum())
    return dict(true=w, sampled=p, se=se, ok=ok, std=std, gap=gap, moved=moved, reach=np.abs(moved) >= se,
                n=run.n, off_true=off_true,
                z=WEIGHT_Z, sigma_end=s_end, far=far, dist=dist, sigma1=sigma1, stray=stray_share(gmm, sde, run),
                blurred=blurred_stray(gmm, s_end, ref),
                chance=models.off_by_chance(len(w)))


def p1_moments(gmm, sde) -> tuple[np.ndarray, float]:
    """The exact centre and largest std of p₁, the data blurred to t = 1: mean α₁ m and covariance
    α₁² C + σ₁² I (m, C: the mixture's mean and covariance, GaussianMixture.moments), its std
    along its widest direction."""
    mean, cov = gmm.diffuse(sde, 1.0).moments()
    return mean.numpy(), float(torch.linalg.eigvalsh(cov)[-1].clamp_min(0).sqrt())


COMMIT_THRESHOLD = state.sio.SCHEMA["w_reversal_threshold"].default   # the commitment slider's default
OFF_CENTRE = 0.2      # a prior this many σ₁ off p₁'s centre is named as a cause of wrong mode shares


def off_centre(gmm, sde, run: Run) -> bool:
    """Does the run start from the prior N(0, σ₁² I) while p₁'s centre (the data's mean) lies at least
    OFF_CENTRE σ₁ from the origin? Only then do the captions name the start and measure its part."""
    return run.start == "prior" and float(np.linalg.norm(p1_moments(gmm, sde)[0])) >= OFF_CENTRE * float(sde.prior_std())


def off_centre_note(gmm, sde, run: Run, bad=(), moved=None) -> str:
    """Where the run starts off p₁'s centre (off_centre): that start as a cause of wrong mode shares which
    more steps do not remove, with the numbers, and, for the modes off (bad: indices), start_split_text
    (moved: the end noise's part, as there); "" otherwise."""
    if not off_centre(gmm, sde, run):
        return ""
    centre = p1_moments(gmm, sde)[0]
    sigma1, off = float(sde.prior_std()), float(np.linalg.norm(centre))
    return (f" The start N(0, σ₁² I) is centred at the origin while p₁, the data blurred by σ₁ = {sigma1:.2f}, "
            f"is centred at {vocabulary.point(centre)}, {off / sigma1:.2f} σ₁ away: a start off p₁ can shift the "
            "mode shares however many steps are taken." + start_split_text(gmm, sde, run, bad, moved))


def start_split(gmm, sde, run: Run, bad) -> dict:
    """The start's part in the shares of the modes off (bad: indices), measured: the same run started from
    the exact p₁ (“start from the exact p₁”, Advanced) gives shares q where the prior gave p. For the mode
    off the most, k: of p − w (w: the true weight) the start accounts for p − q, beyond the noise where
    |p − q| exceeds 2 √(p(1 − p)/n + q(1 − q)/n) (two standard errors of the difference, each from its
    own share, not from w), the difference and the noise printed with the decimals that tell them apart
    (vocabulary.apart: gap, band), which decide (beyond). p, q, w as printed (one decimal in %), so the
    parts add up; se: the two shares' own standard errors; steps_off: whether q is off its weight by more
    than WEIGHT_Z standard errors in any mode (shares_agree), the part the start does not explain."""
    w = gmm.weights.double().numpy()
    p = np.asarray(metrics(gmm, sde, run)["mode_weights"], dtype=float)
    q = np.asarray(metrics(gmm, sde, dataclasses.replace(run, start="p1"))["mode_weights"], dtype=float)
    k = int(max(bad, key=lambda i: abs(p[i] - w[i])))
    se = np.sqrt(np.array([p[k] * (1 - p[k]), q[k] * (1 - q[k])]) / run.n)     # each measured share's own
    noise = 2 * models.diff_se(p[k], run.n, q[k], run.n)      # two standard errors of the difference of the two shares
    steps_off = bool((~shares_agree(q, w, run.n)).any())
    p, q, w = (np.round(100 * v, 1) / 100 for v in (p, q, w))      # as printed, so the parts add up
    gap, band = vocabulary.apart(round(100 * abs(p[k] - q[k]), 1), 100 * noise, 1)     # with the decimals that tell them apart
    return dict(k=k, p=p, q=q, w=w, se=se, gap=gap, band=band, beyond=float(gap) > float(band), steps_off=steps_off)


def start_split_text(gmm, sde, run: Run, bad, moved=None) -> str:
    """start_split in words, for the mode off the most: its share from each start and the true weight;
    beyond the noise, that of p − w the start accounts for p − q and the rest for q − w: where the noise
    left at the end is measured for that mode (moved, weight_check's share it moves out of each mode,
    NaN where it moves less than a standard error, as weights_caption shows it; None: nowhere), that rest split into the end noise's −moved and the steps' and the sampling
    noise's q − w + moved; within the noise, that these runs do not show the start moving the share;
    "" without modes off."""
    if not len(bad):
        return ""
    sp = start_split(gmm, sde, run, bad)
    k, p, q, w = sp["k"], sp["p"], sp["q"], sp["w"]
    head = (f" Measured: started from the exact p₁ (Advanced) with the same {run.steps} steps, mode {k + 1} gets "
            f"{100 * q[k]:.1f} % where the prior gave {100 * p[k]:.1f} % (true {100 * w[k]:.1f} %)")
    if not sp["beyond"]:
        return (head + f": the two starts differ by {sp['gap']} points, within the noise of two runs "
                f"(± {sp['band']}, two standard errors of a difference), so these runs do not show the start "
                "moving this share.")
    measured = moved is not None and np.isfinite(moved[k])
    end = round(100 * float(moved[k]), 1) / 100 if measured else 0.0     # as printed
    noise_part = f", the noise left at the end for {-100 * end:+.1f}" if measured else ""
    return (head + f", so of its {100 * (p[k] - w[k]):+.1f} points the start accounts for {100 * (p[k] - q[k]):+.1f} "
            f"(beyond the ± {sp['band']} two runs differ by chance){noise_part} and the steps and the sampling noise "
            f"for {100 * (q[k] - w[k] + end):+.1f} "
            f"({measured_se_text(sp)}).")


def stray_words(c: dict) -> str:
    """The mode-share caption's sentence on the samples off every mode (weight_check's stray share, said
    above STRAY_SAY), from the bars' own numbers: those samples can move any share by at most their own
    share, so the shares say little about where the sampler puts its mass only where that reaches the
    largest departure of a share from its true weight (|sampled − true|, one decimal as printed); else
    the sentence says how far they can move a share, against that departure."""
    if c["stray"] <= STRAY_SAY:
        return ""
    head = (f" But {pct(100 * c['stray'])} % of the samples lie where p₀ is lower than at all but "
            f"{100 * STRAY_Q:g} % of true samples: they belong to no mode, yet each counts for the "
            "mode with the largest responsibility at its position")
    gap = np.abs(np.asarray(c["sampled"], dtype=float) - np.asarray(c["true"], dtype=float))
    k = int(np.argmax(gap))
    stray, off = round(100 * float(c["stray"]), 1), round(100 * float(gap[k]), 1)
    if stray >= off:
        return head + ", so these shares say little about where the sampler puts its mass."
    return (head + f". So at most {stray:.1f} points of any share come from them, less than mode {k + 1}'s "
            f"departure of {off:.1f} points from its true weight ({100 * c['sampled'][k]:.1f} % sampled vs "
            f"{100 * c['true'][k]:.1f} %): the shares still show where the sampler puts its mass.")


def measured_se_text(sp: dict) -> str:
    """The one standard errors of start_split's two measured shares, each at its own share p (√(p(1 − p)/n),
    not at the true weight as the caption's head gives it), with the share it is at: "one standard error at
    each measured share: ± 0.7 % at 87.7 %, ± 0.6 % at 89.8 %"."""
    k = sp["k"]
    return ("one standard error at each measured share: "
            + ", ".join(f"± {100 * se:.1f} % at {100 * v:.1f} %" for se, v in zip(sp["se"], (sp["p"][k], sp["q"][k]))))


def weights_caption(gmm, sde, run: Run) -> str:
    """What the mode-weight bars show, from their numbers: whether every sampled share agrees
    with its true weight within WEIGHT_Z binomial standard errors, else which modes do not (and
    whether they are narrower than σ at the run's end)."""
    c = weight_check(gmm, sde, run)
    head = ("Each sample counts for the mode with the largest responsibility at its final "
            f"position. Sampling noise: a mode of true weight w gets a share with standard error "
            f"√(w(1 − w)/n) at n = {c['n']:,} samples")
    K = len(c["true"])
    if K > 1:
        i = int(np.argmax(c["true"]))
        head += f" (± {100 * c['se'][i]:.1f} % for the heaviest, w = {100 * c['true'][i]:.1f} %)"
    stray = stray_words(c)
    bad = np.flatnonzero(~c["ok"])
    if not len(bad):
        return head + agree_text(c) + stray
    order = bad[np.argsort(-np.abs(c["sampled"][bad] - c["true"][bad]))]
    parts = []
    for k in order[:NAMED_MODES]:
        why = ""
        if c["reach"][k]:
            why += (f"; the noise left at the end (σ = {value_text(c['sigma_end'])}), added to true samples, "
                    f"{'takes' if c['moved'][k] > 0 else 'brings'} a net {100 * abs(c['moved'][k]):.1f} % of them "
                    f"{'out of' if c['moved'][k] > 0 else 'into'} it, at least its standard error (± "
                    f"{100 * c['se'][k]:.1f} %)")
        if c["far"][k]:
            why += (f", {c['dist'][k]:.1f} from the origin = {c['dist'][k] / c['sigma1']:.1f} σ₁: the "
                    "prior N(0, σ₁² I) barely reaches it")
        parts.append(f"mode {k + 1}: {100 * c['sampled'][k]:.1f} % sampled vs {100 * c['true'][k]:.1f} % "
                     f"true{why}")
    more = f"; and {len(bad) - NAMED_MODES:,} more" if len(bad) > NAMED_MODES else ""
    verb = "is" if len(bad) == 1 else "are"
    text = (head + f". {len(bad):,} of {K:,} modes {verb} off by more than {c['z']:g} standard errors: "
            + "; ".join(parts) + more + ".")
    if K >= 20:
        text += (f" With {K:,} modes, about {c['chance']:.1f} would be off that much by chance alone "
                 "(and more where a mode expects only a few samples).")
    if c["off_true"]:
        text += (f" True samples of p₀, counted the same way, have {c['off_true']:,} "
                 f"{'mode' if c['off_true'] == 1 else 'modes'} off too: "
                 "where modes overlap, the mode with the largest responsibility is not always the one "
                 "a sample came from, so part of this count measures the overlap, not the sampler.")
    if c["far"][bad].any():
        text += (" The prior does not cover a mode that far out, and the reversal cannot make up "
                 "for it: raise λ or start from the exact p₁ (Advanced).")
    else:
        text += off_centre_note(gmm, sde, run, order, np.where(c["reach"], c["moved"], np.nan))
    return text + end_noise_note(gmm, sde, run, c, bad) + stray


def agree_text(c: dict) -> str:
    """Where every sampled share agrees with its weight (weight_check c): what that measures at this n,
    no more: a bias smaller than WEIGHT_Z standard errors, WEIGHT_Z √(w(1 − w)/n), would not show; the
    widest such band given, that of the mode with w nearest 50 %."""
    i = int(np.argmax(c["se"]))
    equal = np.ptp(np.asarray(c["true"], float)) < 1e-12
    which = (f"every mode, w = {100 * c['true'][i]:.1f} %" if equal else
             f"mode {i + 1}, w = {100 * c['true'][i]:.1f} %; less in modes with w further from 50 %")
    return (f". Here every sampled share is within {c['z']:g} standard errors of its true weight: at this sample "
            f"count no share is told from its weight, and a bias smaller than ± {100 * c['z'] * c['se'][i]:.1f} points "
            f"would not show ({which}).")


def share_text(x: float) -> str:
    """A share in % with one decimal, or "under 0.1 %" below that (never a bare 0.0 %)."""
    return f"{100 * x:.1f} %" if x >= 0.0005 else "under 0.1 %"


def end_noise_note(gmm, sde, run: Run, c: dict, bad) -> str:
    """Whether the noise left at the run's end can explain the modes off (bad, of weight_check c):
    where it moves a standard error of a mode's true samples, how to shrink it (more steps for the
    tutorial's loop, which stops at t = Δt; a smaller ε for the others), and, where a mode's miss
    less the share the noise moves (p − w + moved) is still beyond WEIGHT_Z standard errors, that it
    explains only part, with the numbers; else that it cannot explain them. A part set earlier
    ends with set_clause."""
    if c["reach"][bad].any():
        how = ("more steps shrink it: the loop stops at t = Δt = 1/steps" if run.method == "tutorial" else
               "a smaller end time ε, under Advanced, shrinks it")
        rest = (c["sampled"] - c["true"]) + c["moved"]        # what is left of each share's miss without the end noise
        reached = bad[c["reach"][bad]]
        k = reached[np.argmax(np.abs(rest[reached]) / c["se"][reached])]
        if abs(rest[k]) <= c["z"] * c["se"][k]:
            return f" Noise left at the end moves samples between modes: {how}."
        miss, moved = printed_split(c, k)
        part = ("accounts for" if np.sign(-moved) == np.sign(miss) else "moves the other way")
        text = (f" Noise left at the end moves samples between modes, but it explains only part of the shares "
                f"off: mode {k + 1} is {abs(miss):.1f} points off, the noise {part} "
                f"{abs(moved):.1f} ({how}), and "
                f"{abs(miss + moved):.1f} points (more than {c['z']:g} standard errors) are set earlier")
        return set_clause(gmm, sde, run, c, bad, text)
    k = bad[np.argmax(np.abs(c["moved"][bad]) / c["se"][bad])]       # the mode the noise comes closest to moving
    text = (f" The same noise as this run's end (σ = {value_text(c['sigma_end'])}), added to true samples, "
            + (f"moves a net {share_text(abs(c['moved'][k]))} of them {'out of' if c['moved'][k] > 0 else 'into'} "
               f"{'this mode' if len(bad) == 1 else 'one of these modes'} (mode {k + 1}, the most)"
               if abs(c["moved"][k]) >= 0.0005 else "moves under 0.1 % of them between modes")
            + f", less than its standard error (± {100 * c['se'][k]:.1f} %): it cannot explain the shares off"
            + blur_clause(c, final_where(gmm, sde, run)) + ". They are set earlier")
    return set_clause(gmm, sde, run, c, bad, text)


def printed_split(c: dict, k: int) -> tuple[float, float]:
    """Mode k's miss p − w and the share the end noise moves out of it (weight_check c), in points, from the
    shares as the caption prints them (one decimal), so that the rest, miss + moved, adds up as printed."""
    miss = round(100 * c["sampled"][k], 1) - round(100 * c["true"][k], 1)
    return round(miss, 1), round(100 * c["moved"][k], 1)


def set_clause(gmm, sde, run: Run, c: dict, bad, text: str) -> str:
    """text, a sentence on shares set before the run's end (weight_check c, modes off: bad), ended with what
    the caption's own measurement of the start (start_split, where weights_caption prints it: a stochastic
    run off p₁'s centre, no mode beyond the prior's reach) says sets them: the start, where its part is
    beyond the noise and the run started from the exact p₁ has every share within WEIGHT_Z standard errors
    of its weight (the steps' part does not show); neither told from the noise, where both are within
    it; else commit_clause, the steps and when the paths choose their modes."""
    if deterministic(sde, run) or not off_centre(gmm, sde, run) or c["far"][bad].any():
        return commit_clause(gmm, sde, run, text)
    sp = start_split(gmm, sde, run, bad)
    if sp["steps_off"]:
        return commit_clause(gmm, sde, run, text)
    k = sp["k"]
    agree = (f"started from the exact p₁, the same {run.steps} steps give every mode's share within {c['z']:g} "
             f"standard errors of its weight (mode {k + 1}: {100 * sp['q'][k]:.1f} %, true {100 * sp['w'][k]:.1f} %)")
    if sp["beyond"]:
        return text + f", by the start: {agree}, so the steps' part does not show beyond the sampling noise."
    return (text + f", but these runs do not tell by what: {agree}, and the two starts differ by "
            f"{sp['gap']} points, within the noise of two runs (± {sp['band']}).")


def blur_clause(c: dict, where: str) -> str:
    """Where many samples belong to no mode (weight_check's stray share above STRAY_SAY) and the noise
    left at the end exceeds the narrowest mode's std: what that noise alone does off the modes, measured
    (c's "blurred": the share of true samples it puts off every mode, stray_mask's threshold), against the
    run's stray share; where it accounts for them (within WEIGHT_Z standard errors) where the page shows
    them (where: final_where), else that the rest come from the steps before the end; else ""."""
    narrowest = float(np.min(c["std"]))
    if c["stray"] <= STRAY_SAY or c["sigma_end"] <= narrowest:
        return ""
    blurred, stray, n = c["blurred"], c["stray"], c["n"]
    sigma = (f"σ = {value_text(c['sigma_end'])}, {c['sigma_end'] / max(narrowest, 1e-12):,.0f}× the narrowest "
             f"mode's std, added to true samples puts {share_text(blurred)} of them off every mode")
    if stray - blurred <= c["z"] * math.sqrt((stray * (1 - stray) + blurred * (1 - blurred)) / n):
        return f" (though it can blur samples off every mode: {sigma}, as many as this run's {share_text(stray)}; {where})"
    rest = round(100 * stray, 1) - round(100 * blurred, 1)
    return (f" (nor does it put most of them off every mode: {sigma}, against this run's {share_text(stray)}: "
            f"the other {rest:.1f} points come from the steps before the end)")


def blurred_stray(gmm, sigma: float, ref) -> float:
    """The share of true samples ref of p₀ that a blur of std σ (noise_moved's seeded z) puts off every mode:
    log p₀ below the STRAY_Q quantile of log p₀ on ref (low_density_mask, as stray_mask)."""
    x = torch.as_tensor(np.asarray(ref), dtype=torch.float64)
    z = torch.randn(x.shape, generator=torch.Generator().manual_seed(NOISE_SEED), dtype=torch.float64)
    return float(low_density_mask(gmm, ref, (x + float(sigma) * z).numpy(), STRAY_Q).mean())


FINAL_TITLE = "Final samples against the truth"     # the heading over the final-samples plot


def final_where(gmm, sde, run: Run) -> str:
    """Where the mode-share caption's reader sees samples off every mode, as the page lays it out: the
    dots panels span the page above the caption (dots_final); the KDE plot stands left of it."""
    if dots_final(gmm, sde, run):
        return f"see the samples off every mode in the “{FINAL_TITLE}” panels above"
    return f"see the sampled density off every mode in the “{FINAL_TITLE}” plot on the left"


def steps_part(gmm, sde, run: Run) -> dict | None:
    """The steps' own part in the mode shares, measured as start_split does: the same run started from
    the exact p₁ (the run itself where it starts there) has shares q; where a mode's q is off its weight w
    by more than WEIGHT_Z standard errors (shares_agree), that mode (k, the furthest in standard errors)
    with q, w and the standard error se of its weight; None where every q agrees with its weight."""
    w = gmm.weights.double().numpy()
    w = w / w.sum()
    q = np.asarray(metrics(gmm, sde, dataclasses.replace(run, start="p1"))["mode_weights"], dtype=float)
    off = ~shares_agree(q, w, run.n)
    if not off.any():
        return None
    se = np.sqrt(w * (1 - w) / run.n)
    k = int(np.argmax(np.where(off, np.abs(q - w) / np.maximum(se, 1e-12), -np.inf)))
    return dict(k=k, q=float(q[k]), w=float(w[k]), se=float(se[k]))


def deterministic_clause(gmm, sde, run: Run) -> str:
    """For a deterministic run's shares set before its end: by the start (each x₁ maps to one end point)
    where the steps' measured part (steps_part) does not show; else by the start and the steps, with the
    mode the p₁-started run puts off its weight."""
    why = f"{deterministic_words(sde, run)}, so it maps each start point x₁ to one end point"
    sp = steps_part(gmm, sde, run)
    if sp is None:
        return f", by the start: {why}, and the start fixes each sample's mode."
    exact = run.start == "p1"
    started = "this run starts from the exact p₁, yet its" if exact else "started from the exact p₁, the same"
    return (f", by the start and the steps: {why}, but {started} {steps_label(run.steps)} give mode "
            f"{sp['k'] + 1} {100 * sp['q']:.1f} % against a true {100 * sp['w']:.1f} %, more than {WEIGHT_Z:g} "
            f"standard errors (± {100 * sp['se']:.1f} %) off, so the steps move the shares"
            + ("." if exact else " too, not only the start."))


def commit_clause(gmm, sde, run: Run, text: str) -> str:
    """text, a sentence on shares set before the run's end, ended with when the paths choose their
    modes (commit_view at the page's default threshold) and how many of the run's steps come before
    then, for a stochastic run whose paths mostly commit (at COMMIT_THRESHOLD, said as the slider's default:
    this caption does not rerun with the section's slider, whose own numbers may differ); for a deterministic run, that the start sets
    them (each x₁ maps to one end point); where its time grid cannot say when
    (commitment_resolved, as the commitment section decides), that it cannot; else with a full stop."""
    if deterministic(sde, run):
        return text + deterministic_clause(gmm, sde, run)
    cv = commit_view(gmm, sde, run, COMMIT_THRESHOLD)
    if not most_commit(cv):
        return text + "."
    if grid_too_coarse(cv):
        return (text + f", by the run's own steps: its time grid ({cv['frames']} times, from t = 1 to t = "
                f"{time_text(cv['t_last'])}) is too coarse to say when the paths choose their modes, or whether "
                "the shares are set while they do (the commitment section below).")
    times = np.asarray(sample_run(gmm, sde, run)["times"], dtype=float)
    before = int((times[:-1] > cv["median"]).sum())
    half = "half of those that choose along the way" if median_of_some(cv) else "half of them"
    return (text + f", while the paths choose their modes: {half} have committed by t ≈ "
            f"{time_text(cv['median'])} (σₜ ≈ {cv['sigma']:.2f}, at responsibility {COMMIT_THRESHOLD:.2f}, the "
            "commitment threshold's default; the commitment section below gives the median and σₜ at the "
            f"threshold set on its slider), and this run takes {before} of its {len(times) - 1} steps "
            "before then.")


def noise_moved(gmm, sigma: float, ref, shares) -> np.ndarray:
    """For every mode, the net share of samples that a blur of std σ takes from it (negative: brings
    to it), measured on true samples ref of p₀: their mode shares (`shares`, dc.mode_weights of ref:
    the largest responsibility) minus those of ref + σ z (z seeded). The same points before and
    after, so only the points the blur moves count. Between two modes of unequal width the flows do
    not cancel: a narrow mode's blurred samples land where the wide one is more responsible."""
    x = torch.as_tensor(np.asarray(ref), dtype=torch.float64)
    z = torch.randn(x.shape, generator=torch.Generator().manual_seed(NOISE_SEED), dtype=torch.float64)
    return np.asarray(shares, dtype=float) - dc.mode_weights(x + float(sigma) * z, gmm).double().numpy()


NOISE_SEED = 907


def neighbour_gaps(gmm) -> np.ndarray:
    """For every mode, the distance from its mean to the nearest other mode's mean (inf for one mode)."""
    d = torch.cdist(gmm.means.double(), gmm.means.double())
    return (d + torch.diag(torch.full((gmm.n_components,), float("inf"), dtype=d.dtype))).min(1).values.numpy()


def closest_modes(gmm) -> float:
    """The smallest distance between two component means (inf for one component)."""
    return float(neighbour_gaps(gmm).min())


def mode_names(gmm):
    return [f"mode {k + 1}" for k in range(gmm.n_components)]


def fmt_time(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def signed_text(v: float) -> str:
    """value_text with its sign: "+0.645", "-0.200", "+2,558"."""
    return ("+" if float(v) > 0 else "") + value_text(v)


NOISE_TILE = f"noise level: {models.TRUE_SETS} true sets"


def noise_range(band: dict) -> str:
    """Sliced W₂'s range over the true sets of band (truth_band), as the noise tile prints it, with the
    numbers the sentences give (models.band_text, three decimals: "0.057–0.069"), short enough for the tile."""
    return models.band_text(band, "sliced_w2", "–")


def metric_rows(m: dict, result: dict) -> list[tuple[str, str, str]]:
    """(label, value, help) of the six numbers shown next to the final samples: the metrics m
    (metrics()) and the run's score evaluations and wall time (sample_run()). The three measures
    print three significant digits (models.value_text, as the Sampler lab prints them): 0.0378, 0.645,
    2,558; the noise level's range, the true sets' sliced W₂, as the sentences give it (noise_range)."""
    return [
        ("sliced W₂ ↓", value_text(m['sliced_w2']),
         "Sliced Wasserstein-2 distance to an independent set of true samples of the same size (256 "
         "fixed directions). Lower is better."),
        (NOISE_TILE, noise_range(m["band"]),
         f"Sliced W₂ of {models.TRUE_SETS} independent sets of true samples of the same size, lowest to highest: "
         "what a perfect sampler scores at this sample size, its noise. Not a lower bound: a sampler, even a "
         "poor one, can land below it by chance; compare with the log-likelihood gap and W₁ of log p₀."),
        ("log-likelihood gap", signed_text(m['loglik_gap']),
         "In nats: mean log p₀ of true samples − mean log p₀ of the samples. > 0 when samples sit in less likely places "
         "(blur, residual noise), < 0 when they crowd the modes."),
        ("W₁ of log p₀ ↓", value_text(m['logp_w1']),
         "Wasserstein-1 between the log p₀ values of samples and of true samples: blur and "
         "over-sharpening cannot cancel out here."),
        ("score evaluations", f"{result['nfe']:,}",
         "Number of evaluations of the score on the whole batch (NFE)."),
        ("sampling time", fmt_time(result["seconds"]),
         "Wall time of this run when it was first computed (cached since)."),
    ]


GAP_SIGN = ("Log-likelihood gap = mean log p₀ of the true samples − mean log p₀ of these samples: "
            "positive when the samples sit in less likely places than true samples (blur, residual "
            "noise), negative when they crowd the modes.")


def gap_note(m: dict) -> str:
    """Why the log-likelihood gap and W₁ of log p₀ show the same number, when they do (as the
    metrics print them, metric_rows; else "")."""
    gap, w1 = m["loglik_gap"], m["logp_w1"]
    if w1 <= 0 or value_text(abs(gap)) != value_text(w1):
        return ""
    side = "less" if gap > 0 else "more"
    return (f"W₁ of log p₀ equals the size of the log-likelihood gap here (|{signed_text(gap)}| = {value_text(w1)}): "
            f"sorted by log p₀, the samples are {side} likely than the true samples at (almost) every rank, so no "
            "rank offsets another and W₁ equals the size of the gap.")


def blind_note(gmm, run: Run, m: dict) -> str:
    """models.blind_measure_text for the run's samples (m: metrics()) against the range of independent
    sets of run.n true samples (m["band"], the noise tile's): which distance cannot tell them from the
    truth, when one is within its noise and the other beyond it (else ""), naming what W₁ of log p₀
    sees from m["fit"] (models.mode_fit against the true samples the dots panels draw), and what sliced
    W₂ sees from the run's mode shares against p₀'s weights."""
    return models.blind_measure_text(m, None, "these samples", run.n, m["band"], m.get("fit"),
                                     gmm.weights.double().numpy())


@state.cache_data(max_entries=8)
def truth_band(gmm, n: int, seed: int) -> dict:
    """models.true_band of truth()'s noise-level set and further sets of n true samples, each
    against truth()'s reference."""
    tr = truth(gmm, n, seed)

    def measure(k):
        if k == 0:
            return tr["floor_metrics"]
        x = gmm.sample(n, torch.Generator().manual_seed(int(seed) + 2 + 100 * k))[0].numpy()
        return sweep.sample_metrics(x, gmm, tr["ref"])
    return models.true_band(measure)


def warn_start(gmm, sde, run: Run, m: dict) -> None:
    """Warn when the prior N(0, sigma_1^2 I) is far from the true p_1 (too little noise at t = 1);
    else show deterministic_start_note (m: metrics) where it has something to say."""
    far = models.start_far(float(sde.prior_std()), gmm)
    if run.start == "prior" and far:
        st.warning(f"{far}: the prior N(0, σ₁² I) is far from the true p₁, so "
                   "the reversal starts from the wrong distribution. Raise λ, or start from the "
                   "exact p₁ (Advanced).")
    elif note := deterministic_start_note(gmm, sde, run, m):
        st.info(note)


def deterministic_start_note(gmm, sde, run: Run, m: dict) -> str:
    """For a deterministic sampler started from the prior whose sliced W₂ (m, metrics) lies above the
    true sets' range by more than its spread (m["band"], the noise tile's: models.tells_apart from its
    highest): that the prior's mismatch with p₁ stays to the end, with p₁'s exact centre and largest
    std (p1_moments) against the prior's; "" otherwise."""
    if (run.start != "prior" or dc.SAMPLERS[run.method].stochastic
            or not models.tells_apart(m["sliced_w2"], m["band"]["sliced_w2"][1], m["band"], "sliced_w2")):
        return ""
    centre, widest = p1_moments(gmm, sde)
    return (f"{vocabulary.label(run.method)} is deterministic: it carries the prior N(0, σ₁² I) to "
            f"p₀ exactly only if the prior *is* p₁. Here p₁ is centred at "
            f"{vocabulary.point(centre)} with std up to {widest:.2f}, the "
            f"prior at (0, 0) with std {float(sde.prior_std()):.2f}, and that mismatch stays to the end however many "
            f"steps are taken; the reverse SDE's noise partly forgets it. This run's sliced W₂ is "
            f"{value_text(m['sliced_w2'])} against the noise level {noise_range(m['band'])} of true sets, the "
            f"mismatch and the error of its {run.steps} step{'s' if run.steps != 1 else ''} together: compare with "
            "“start from the exact p₁” under Advanced, which leaves the steps' error alone.")


def explain_commitment(gmm, cv: dict) -> None:
    """Say when the samples choose their mode, against the distance between the modes."""
    dmin = closest_modes(gmm)
    if gmm.n_components < 2:
        st.info("One mode: every path ends in it; there is nothing to choose.")
    elif point_set(gmm):
        st.info(point_set_commitment(gmm, cv))
    elif grid_too_coarse(cv):
        st.markdown(coarse_note(cv) + undecided_note(cv) + from_start_note(cv))
    elif cv["median"] is not None:
        st.markdown(commitment_words(cv, dmin))
    elif cv["from_start"] > 0:
        st.markdown(from_start_note(cv).lstrip())


def median_help(cv: dict) -> str:
    """The median tile's help: the share of paths it is over where the label gives one (median_of_some),
    and which paths its half is of (those that commit along the way where some
    are at the threshold from t = 1 on and left out, cv["from_start"])."""
    share = (f" The label's {along_share(cv)} is the share of all paths that commit along the way, those this "
             "median is over." if median_of_some(cv) else "")
    if cv["from_start"] <= 0:
        return ("Half of the committed paths have their final mode's responsibility at or above the "
                "threshold from this time on." + share)
    return ("Half of the paths that commit along the way have their final mode's responsibility at or above "
            "the threshold from this time on (paths at or above the threshold from t = 1 to the end are left "
            f"out, as in the chart below: {cv_words(cv)['nothing']})." + share)


def from_start_note(cv: dict) -> str:
    """The paths whose end mode's responsibility stays at or above the threshold from t = 1 to the end
    (cv: commit_view's from_start, start_modes), left out of the median, in words; "" where there are
    none. Not the paths at the threshold at t = 1: a rough path there can dip below and commit later."""
    if cv["from_start"] <= 0:
        return ""
    modes = vocabulary.and_list([f"mode {k + 1} (weight {w:.2f})" for k, w in cv["start_modes"]])
    why = from_start_cause(cv)
    shown = cv["median"] is not None and median_shown(cv)      # a median the page gives
    rest = ("the median is over the other paths that commit" if shown else
            "no other path commits, so there is no commitment time to give" if cv["median"] is None else
            "the time grid is too coarse to give the other paths a commitment time (above)")
    return (f" {pct(100 * cv['from_start'])} % of the paths, {'all ' if len(cv['start_modes']) == 1 else ''}ending in {modes}, have their end mode's "
            f"responsibility stay at or above {cv['threshold']:.2f} from t = 1 to the end{why}. "
            f"{cv_words(cv)['nothing'].capitalize()}, and are left out: {rest}"
            + (" (so a lower threshold can move the median either way: it is crossed sooner on every path, "
               "but more paths are at it from t = 1 on and are left out)." if shown else "."))


def from_start_cause(cv: dict) -> str:
    """Why paths are at the threshold from t = 1 on (cv: commit_view), as this state shows it: where p₁
    hides the closest modes in one bump (cv["t_bimodal"] not None, as split_note decides) and an end mode's
    weight reaches the threshold, that weight (a mode has about its weight as responsibility where the
    blur hides the modes); else that the paths start on their end mode's side of p₁, where its
    responsibility is already at or above the threshold (where p₁ is two bumps, the blur never hides them)."""
    thr = f"{cv['threshold']:.2f}"
    if cv.get("t_bimodal") is None:
        return (": p₁ does not hide the modes (even at t = 1 the two closest modes are two bumps of pₜ), so these "
                f"paths start on their end mode's side, where its responsibility is already at or above {thr}, "
                "and stay there")
    if any(w >= cv["threshold"] - 1e-9 for _, w in cv["start_modes"]):
        return (": p₁ blurs the closest modes into one bump, and a mode whose weight reaches the threshold has "
                "about that responsibility wherever the blur hides the modes")
    return (f": they start far enough on their end mode's side of p₁ that its responsibility is already at or "
            f"above {thr}")


def commitment_words(cv: dict, dmin: float) -> str:
    """The commitment sentence of a run whose grid resolves it (cv: commit_view), dmin the distance
    between the two closest modes. A stochastic run: samples decide at the median commitment time.
    A deterministic one: the end mode is fixed by x₁ (the cloud's sorting at t = 1 in numbers), and
    the median is when pₜ's responsibility of that mode reaches the threshold, not a choice."""
    ratio = (f" ≈ {cv['sigma'] / dmin:.2f} × the distance between the two closest modes "
             f"({dmin:.2f})" if dmin > 0.01 else "")
    when = f"**t ≈ {time_text(cv['median'])}** ({median_words(cv)}), when σₜ ≈ {cv['sigma']:.2f}{ratio}"
    tail = f"{split_note(cv, dmin)}{undecided_note(cv)}{from_start_note(cv)}"
    if not cv.get("deterministic"):
        if median_of_some(cv):
            return f"{along_head(cv, 'commit', when)}{tail}"
        return f"Samples decide which mode they go to at {when}.{tail}"
    so = cv.get("sorting") or {}
    seen = f" (the cloud above: {sorting_words(so)})" if so.get("level") else ""
    head = (f"{cv['fixed']}, so each path's end mode is fixed by its "
            f"starting point x₁{seen}: nothing is chosen along the way. The commitment time measures "
            f"when pₜ's responsibility of that mode reaches {cv['threshold']:.2f} for good")
    if median_of_some(cv):
        return f"{head}. {along_head(cv, 'reach it', when)}{tail}"
    return f"{head}: at {when}, the score starts to see the choice the start made.{tail}"


def median_of_some(cv: dict) -> bool:
    """Do some paths not commit along the way (cv: commit_view's n_along below n_paths), being at the
    threshold from t = 1 on or never committing? Then the median commitment time is over the others
    only, and the headline and the tile say their share."""
    return cv["n_along"] < cv["n_paths"]


def along_share(cv: dict) -> str:
    """The share of all paths that commit along the way (n_along of n_paths), in whole percent (pct)."""
    return f"{pct(100 * cv['n_along'] / cv['n_paths'])} %"


def along_head(cv: dict, verb: str, when: str) -> str:
    """The commitment headline where not every path commits along the way (median_of_some):
    "Of the 110 paths (22 %) that commit along the way, half do so by t ≈ 0.61 (…); the other 390
    (78 %) are at the threshold from t = 1 on." (verb: what the paths do along the way)."""
    k, n = cv["n_from_start"], cv["n_paths"]
    never = round(cv["undecided"] * n)
    rest = ([f"{k:,} ({pct(100 * k / n)} %) {'is' if k == 1 else 'are'} at the threshold from t = 1 on"] if k else []) + \
           ([f"{never:,} ({pct(100 * never / n)} %) never commit{'s' if never == 1 else ''}"] if never else [])
    if len(rest) == 1:
        rest[0] = "the other " + rest[0]
    return (f"Of the {cv['n_along']:,} paths ({along_share(cv)}) that {verb} along the way, half do so by "
            f"{when}; {vocabulary.and_list(rest)}.")


def median_label(cv: dict) -> str:
    """The median tile's label: "median commit time", or, where some paths do not commit along the way
    (median_of_some), "median commit (22 %)" with the share of paths it is over, short enough for the
    tile (median_help says which paths)."""
    return f"median commit ({along_share(cv)})" if median_of_some(cv) else "median commit time"


GRID_GAP = 0.02          # a median read between grid times farther apart than this is given with them


def median_words(cv: dict) -> str:
    """"the median", with the two grid times it lies between where they are more than GRID_GAP
    apart: a path is recorded at the first frame time at which it has committed for good, so it
    crossed the threshold between that time and the frame before it."""
    med, before = cv["median"], cv.get("median_before", cv["median"])
    if before - med <= GRID_GAP:
        return "the median"
    return f"the median, read on this run's grid: between its times t = {time_text(before)} and {time_text(med)}"


SPLIT_DIP = "followed along the line joining them, pₜ dips between them"


def split_note(cv: dict, dmin: float) -> str:
    """When pₜ splits the two closest modes (commitment.bimodal_time, cv["t_bimodal"]: the last t,
    coming down from t = 1, at which the whole pₜ shows a dip between them along the line joining
    them; cv["t_split"], the red dotted line's time, None where none is drawn), in words; dmin: the
    distance between their means."""
    tb = cv.get("t_bimodal")
    if dmin <= 1e-9:
        return ""
    if tb is None:
        return (" Here pₜ is never one bump: even at t = 1 the two closest modes are two bumps of pₜ "
                f"({SPLIT_DIP}), so a point follows a mode as soon as it is clearly closer to it than to "
                "the others, which a point that starts between them is not.")
    if tb == 0:
        return (" Counting the modes' own width and weight, the two closest modes are one bump of pₜ even "
                "at t = 0 (followed along the line joining them, pₜ never dips between them), so pₜ never "
                "splits them: no red line.")
    return (f" The red dotted line, t = {time_text(tb)}, is where pₜ, followed along the line joining the "
            "two closest modes, first shows a dip between them: two bumps (read off pₜ itself, every "
            f"mode's weight and width counted). Before it (t above {tb:.2f}) those two are one blurred bump "
            "of pₜ and the score between them points to its middle; once the noise is smaller than the gaps between "
            f"modes, a point that is clearly closer to one of them follows it.{own_split_words(cv, tb)}")


def own_split_words(cv: dict, tb: float) -> str:
    """Each committing path's commitment time against the split of ITS end mode from that mode's
    nearest other mode (cv["own_split"], own_split_counts; the red line, tb, is only the closest
    pair's), in words with the counts and shares: how many commit before their end mode splits off
    (t larger, while it is still one bump of pₜ with its nearest mode, which is possible), how many
    after, and how many in a grid step that spans it; "" without such counts."""
    own = cv.get("own_split")
    if not own or not own["n"]:
        return ""
    n = own["n"]
    splits = own["splits"]
    if all(v is not None and abs(v - tb) < 1e-6 for v in splits.values()):
        whose = (" For every path this is also the split of its own end mode from its nearest mode: "
                 f"of the {n:,} paths that commit along the way,")
        when = f"before it (t above {tb:.2f})"
    else:
        pair = " and ".join(f"mode {k + 1}" for k in cv["pair"]) if cv.get("pair") else "the closest pair"
        named = [f"mode {k + 1} at {split_time_text(splits[k])}" for k in own["ends"]][:NAMED_MODES]
        listed = f" ({vocabulary.and_list(named)})" if len(own["ends"]) <= NAMED_MODES else ""
        whose = (f" That line is the split of {pair} only; each path's own end mode splits from its "
                 f"nearest other mode at its own time, where pₜ first dips between those two{listed}. "
                 f"Of the {n:,} paths that commit along the way,")
        when = "before their end mode splits off"
    parts = [f"{own['before']:,} ({pct(100 * own['before'] / n)} %) commit {when}, while their end mode is "
             "still one bump of pₜ with its nearest mode", f"{own['after']:,} ({pct(100 * own['after'] / n)} %) after"]
    if own["across"]:
        parts.append(f"{own['across']:,} ({pct(100 * own['across'] / n)} %) in a grid step that spans it, "
                     "so this grid cannot say on which side (raise the steps to find out)")
    text = f"{whose} {vocabulary.and_list(parts)}."
    if own["before"] > 0:
        text += (f" Committing before a split is possible: a point well to one side of the blurred bump "
                 f"already has its final mode's responsibility above {cv['threshold']:.2f} although pₜ is "
                 f"one bump there; the split marks when {cv_words(cv)['must']}.")
    med = cv.get("median")
    if med is not None and cv.get("median_before", med) - med > GRID_GAP:
        text += (" That is this grid's verdict: with steps this far apart the paths themselves differ from "
                 "a finer grid's, and so can the times at which they commit.")
    return text


def split_time_text(t: float | None) -> str:
    """A split time as the text gives it: "t = 0.67", or "every t" where pₜ is two bumps from t = 1 on."""
    return "every t (two bumps throughout)" if t is None else f"t = {time_text(t)}"


def split_label(t_split: float) -> str:
    """The red dotted line's legend and tooltip: what it marks and its time, as the text gives it."""
    return f"pₜ splits the closest modes (t = {time_text(t_split)})"


def point_set_commitment(gmm, cv: dict) -> str:
    """What commitment means for a point set p₀: with separate blobs, the choice of the data point a
    path ends on (with how many paths commit and at what noise, against the points' nearest-neighbour
    distance, blob_ratio); with overlapping blobs, little."""
    ratio, spacing = blob_ratio(gmm)
    if ratio > COPY_SPACING:
        return (f"{gmm.n_components:,} modes overlapping (smoothing width {ratio:.2f} × the "
                "nearest-neighbour distance of the points): a path's mode is not a choice between "
                "well-separated bumps here, so the commitment times mean little.")
    verb = "reach the threshold" if cv.get("deterministic") else "have chosen"
    those = f"the {along_share(cv)} that commit along the way" if cv["from_start"] > 0 else "those"
    chosen = (f" {pct(100 * (1 - cv['undecided']))} % of the paths commit to one; half of {those} {verb} "
              f"by σₜ ≈ {cv['sigma']:.2g}, against a nearest-neighbour distance of {spacing:.2g} "
              "between the points." if cv["median"] is not None else
              " No path commits to one at this threshold.")
    if cv.get("deterministic"):
        chosen += f" {cv['fixed']}: the point a path ends on is fixed by its start x₁."
    return (f"{gmm.n_components:,} separate small blobs (smoothing width {ratio:.2f} × the "
            f"nearest-neighbour distance of the points): a path's mode is the data point it ends on."
            f"{chosen}")


def most_commit(cv: dict) -> bool:
    """Do most paths commit? Only then is the median commitment time a fact about the samples."""
    return cv["median"] is not None and cv["undecided"] < 0.5


def median_shown(cv: dict) -> bool:
    """Do the median tiles show (cv: commit_view)? Wherever the section gives a median commitment time
    that the grid resolves (commitment_resolved), over however many paths: the tile's label gives
    their share (median_label), as the headline and the histogram do."""
    return cv["median"] is not None and commitment_resolved(cv)


MIN_FRAMES = 6          # fewer grid times than this cannot say when a sample commits


def commitment_resolved(cv: dict) -> bool:
    """Can the run's time grid say when samples commit? Not with fewer than MIN_FRAMES grid times,
    nor when the median commitment time is the grid's last time (every path decided in the last
    step, whenever that was)."""
    return cv["frames"] >= MIN_FRAMES and cv["median"] > cv["t_last"]


def grid_too_coarse(cv: dict) -> bool:
    """Is the run's time grid too coarse to give commitment times (cv: commit_view)? Where some path
    commits along the way and the grid does not resolve it (commitment_resolved): the one rule behind
    the words that say so (coarse_note, commit_clause) and the histogram left undrawn (hist_shown)."""
    return cv["median"] is not None and not commitment_resolved(cv)


def hist_shown(cv: dict) -> bool:
    """Is the commitment-time histogram drawn (cv: commit_view)? Not where the grid is too coarse to give
    commitment times (grid_too_coarse): its bars would only be the few grid times at which the paths
    were first at the threshold, not when they committed (hist_note says so in its place)."""
    return not grid_too_coarse(cv)


def hist_note(cv: dict) -> str:
    """What stands in place of the commitment-time histogram where it is not drawn (hist_shown)."""
    return (f"No histogram of commitment times: this run's time grid has only {cv['frames']} times, from t = 1 "
            f"to t = {time_text(cv['t_last'])}, too coarse to say when a path committed, only at which of "
            "those times it was first at the threshold.")


def coarse_note(cv: dict) -> str:
    """The commitment section's words when the time grid is too coarse to resolve it."""
    fixed = cv.get("deterministic")
    last = (f"; the median commitment time is its last one, t = {time_text(cv['t_last'])}: "
            f"{last_step_share(cv)} in the last step" + ("" if fixed else ", whenever it really chose")
            if cv["median"] <= cv["t_last"] else "")
    what = ("when pₜ's responsibility of each path's end mode reaches the threshold (the end mode itself "
            f"is fixed by the start x₁: {cv['fixed']})" if fixed else
            "when samples choose their mode")
    return (f"The time grid is too coarse to say {what}: it has "
            f"{cv['frames']} times, from t = 1 to t = {time_text(cv['t_last'])}{last}. Raise the steps to "
            "see commitment unfold.")


def last_step_share(cv: dict) -> str:
    """How many of the paths that commit along the way (cv: commit_view's n_along) are recorded at the
    grid's last time (n_last): "every path that commits along the way does so", or "261 of the 288
    paths that commit along the way (91 %) do so"."""
    k, n = cv.get("n_last", 0), cv.get("n_along", 0)
    if k == n:
        return "every path that commits along the way does so"
    return f"{k:,} of the {n:,} paths that commit along the way ({pct(100 * k / n)} %) do so"


AXIS_SHOWS = 0.25     # the closest pair's distance along u, as a share of their distance, below which the time chart cannot show their split


def axis_note(gmm) -> str:
    """Where the axis u of the paths-against-time chart (rfig.main_axis) nearly hides the closest pair
    (closest_pair, whose split the red dotted line marks): their means lie less than AXIS_SHOWS of their
    distance apart along u, so that chart cannot show the split; "" otherwise, and for a point set of more
    than MANY_MODES points, whose closest pair is two data points."""
    pair = closest_pair(gmm)
    if pair is None or gmm.n_components > MANY_MODES:      # a drawn point set: its pairs are data points
        return ""
    i, j = pair
    mu, u = gmm.means.double().numpy(), rfig.main_axis(gmm)
    d, du = float(np.linalg.norm(mu[i] - mu[j])), float(abs((mu[i] - mu[j]) @ u))
    if d <= 1e-9 or du >= AXIS_SHOWS * d:
        return ""
    return (f" Along u the two closest modes, mode {i + 1} and mode {j + 1}, lie only {du:.2f} apart (their distance "
            f"is {d:.2f}), so the chart against time cannot show their split, the red dotted line's: the plane "
            "chart does.")


def commitment_caption(cv: dict, n_paths: int) -> str:
    """The caption under the commitment section's four charts (cv: commit_view, n_paths: the paths
    slider): what each draws, the grey dashed threshold line with the slider's value included, and
    the paths at the threshold from t = 1 on that the histogram leaves out (cv["n_from_start"])."""
    out = cv.get("n_from_start", 0)
    hist = ("n" + hist_note(cv).rstrip(".")[1:] if not hist_shown(cv) else
            "when each path committed" if not out else
            f"{cv_words(cv)['caption']} ({out:,} of the {cv['n_paths']:,} paths, "
            "at the threshold from t = 1 on, are not drawn)")
    return (f"Top: {min(n_paths, cv['n_paths'])} paths coloured by the mode they end in, in the "
            "plane and along the axis u on which the modes spread most. "
            + ("This run's sampler is deterministic (no fresh noise along the way), so its paths are smooth. "
               if cv.get("deterministic") else
               cv["noise_words"])
            + "Bottom left: "
            f"responsibility under pₜ of the mode each of {cv['n_paths']} paths ends in (line: "
            "mean; band: 10–90 % of paths; grey dashed line: the commitment threshold, "
            f"{cv['threshold']:.2f}). Bottom right: {hist}.")


def steps_label(steps: int) -> str:
    """"1 step", "10 steps"."""
    return f"{steps:,} step{'' if steps == 1 else 's'}"


def undecided_note(cv: dict) -> str:
    """The share of paths that never commit (with their count where it prints under 1 %), in words,
    and the causes this run shows (undecided_causes); where the run ends away from t ≈ 0, that these
    responsibilities are under pₜ there (end_time_note). At a threshold at or below 1/K (vacuous_threshold)
    such a path is not between modes: another mode of pₜ is more responsible for it (other_side_note).
    Where every path commits, that this puts no path in a mode where many samples lie off every mode
    (stray_note); where the paths fall below the threshold no more often than true samples (between_modes),
    that the share measures the threshold, not paths between modes (truth_below_note)."""
    if round(cv["undecided"] * cv["n_paths"]) == 0:
        if cv.get("n_from_start"):
            reach = f"every path's end-mode responsibility is at or above {cv['threshold']:.2f} by the end"
            counts = f"{cv['n_along']:,} reaching it along the way and {cv['n_from_start']:,} from t = 1 on"
            if stray_note(cv):     # many samples off every mode: no verdict on where the paths end
                return (f" Here {reach} ({counts}): each ends far more responsible to one mode than to the "
                        f"others, yet that does not put it in that mode: {strays_text(cv)}{end_time_note(cv)}")
            return f" Here no path ends between modes: {reach}, {counts}.{end_time_note(cv)}"
        return (f" Here every path commits (responsibility ≥ {cv['threshold']:.2f} before the end)."
                f"{stray_note(cv)}{end_time_note(cv)}")
    if vacuous_threshold(cv):
        return other_side_note(cv)
    head = (f" Here {undecided_share(cv, count=True)} of the paths never commit: their final mode's responsibility is "
            f"still below {cv['threshold']:.2f} at the end")
    if between_modes(cv):
        return (f"{head}, so they end between modes, not clearly closer to one of them"
                f"{undecided_causes(cv)}.{end_time_note(cv)}")
    return f"{head}{truth_below_note(cv)}{undecided_causes(cv)}.{end_time_note(cv, between=False)}"


SPLIT_SAY = 0.5          # below this top responsibility no mode holds the majority: a point is between modes


def stray_note(cv: dict) -> str:
    """Where many samples end off every mode (cv's end_stray share, stray_share, above STRAY_SAY: the share the
    mode-weight caption above prints): that a responsibility at the threshold only says one mode is far more
    responsible than the others (far out, one mode's is near 1), not that the path lies in it; "" otherwise."""
    share = cv.get("end_stray", {}).get("share", 0.0)
    if share <= STRAY_SAY:
        return ""
    return (" Each has one mode far more responsible than the others, but that does not put it in that mode: "
            + strays_text(cv))


def strays_text(cv: dict) -> str:
    """The share of samples off every mode (cv's end_stray share), as the mode shares above count them."""
    return (f"{pct(100 * cv['end_stray']['share'])} % of the samples lie where p₀ is lower than at all but "
            f"{100 * STRAY_Q:g} % of true samples, off every mode (the mode shares above).")


def between_modes(cv: dict) -> bool:
    """Do the paths that never commit end between modes? Where the threshold is at most SPLIT_SAY (below it
    no mode holds the majority), where pₜ at the run's last time overlaps more than p₀ (end_blur_adds: the
    run stops between pₜ's blurred modes), or where they fall below the threshold more often than true
    samples of p₀ by more than two standard errors of the difference (overlap_bounds); not where true samples
    fall below it as often or more: then the share measures how strict the threshold is (truth_below_note)."""
    return cv["threshold"] <= SPLIT_SAY + 1e-12 or end_blur_adds(cv) or overlap_bounds(cv)


def truth_below_note(cv: dict) -> str:
    """Where the paths that never commit are not between modes (between_modes): that true samples of p₀ fall
    below the threshold as often (within two standard errors of the difference) or more often, with their share
    (cv's overlap): as often, the share measures how strict the threshold is; more often, the data's own samples
    lack so responsible a mode more often still (fewer_note then says what lowers the paths' share)."""
    top, n = cv["overlap"], cv.get("n_truth", cv["n_paths"])
    text = f" ({share_text(top)} of them are below {cv['threshold']:.2f} too)"
    if abs(cv["undecided"] - top) <= 2 * models.diff_se(cv["undecided"], cv["n_paths"], top, n):
        return (f", as often as true samples of p₀{text}: at this threshold the share measures how strict the "
                "threshold is, not paths stuck between modes")
    return (f", less often than true samples of p₀{text}: the data's own samples lack a mode that responsible "
            "more often still, so the share is no sign of paths stuck between modes")


def vacuous_threshold(cv: dict) -> bool:
    """Is the threshold at or below 1/K (K: cv's n_modes)? The largest of K responsibilities summing to 1
    is at least 1/K, so some mode always has that much: no point lies between modes at such a threshold."""
    return cv["threshold"] <= 1 / cv.get("n_modes", 2) + 1e-12


def other_side_note(cv: dict) -> str:
    """The never-commit sentence at a vacuous threshold (vacuous_threshold): a path's final mode is the most
    responsible one under p₀ at its end point, its responsibility is read under pₜ at the run's last time;
    below 1/K there, another mode of pₜ is more responsible, so the path ends on that mode's side of pₜ."""
    k, thr = cv.get("n_modes", 2), cv["threshold"]
    other = "the other mode" if k == 2 else "another mode"
    far = f" The start is far from p₁: {cv['far']} (the warning above)." if cv.get("far") else ""
    return (f" Here {undecided_share(cv, count=True)} of the paths never commit: their final mode (the most "
            f"responsible one under p₀ at their end point) has responsibility below {thr:.2f} under pₜ at the run's "
            f"last time, t = {time_text(cv['t_last'])}. With {k} modes some mode always has at least 1/{k}, so these "
            f"paths are not between modes: {other} of pₜ is more responsible for them there, they end on its side "
            f"of pₜ, though p₀ puts them in their final mode.{far}{end_time_note(cv, between=False)}")


def ends_near_zero(cv: dict) -> bool:
    """Does the run's last time t_last (cv: commit_view) print as 0.00 at two decimals, so that pₜ there is
    p₀ for the page's purposes? Not for the tutorial's loop, which stops at t = Δt, nor a large end time ε."""
    return f"{cv['t_last']:.2f}" == "0.00"


def end_time_note(cv: dict, between: bool = True) -> str:
    """Where the run's last time is not ≈ 0 (ends_near_zero): that the commitment section's responsibilities
    are under pₜ at that time t_last, with σₜ there (cv's end_sigma), whose modes are wider than p₀'s (std
    √(s² + σₜ²) for a mode of std s), so (where between) "between modes" means between pₜ's modes there;
    "" otherwise."""
    if ends_near_zero(cv):
        return ""
    return (f" These responsibilities are under pₜ at the run's last time, t = {time_text(cv['t_last'])} (σₜ = "
            f"{cv['end_sigma']:.3g}), whose modes are wider than p₀'s (std √(s² + σₜ²) for a mode of std s)"
            + (": “between modes” means between pₜ's modes there, and" if between else ", and")
            + " a path that ends within one of them can still lie off every mode of p₀.")


def undecided_share(cv: dict, count: bool = False) -> str:
    """The share of paths that never commit (cv: commit_view), as path_share prints it."""
    return path_share(cv["undecided"], cv["n_paths"], count)


def path_share(share: float, n: int, count: bool = False) -> str:
    """A share of n paths to whole percent, or "under 1 %" where some are in it but it would print as
    0 % (with "(k of n)" where count)."""
    k = round(share * n)
    if k == 0 or 100 * k / n >= 0.5:
        return f"{100 * k / n:.0f} %"
    return f"under 1 % ({k:,} of {n:,})" if count else "under 1 %"


def path_share_value(share: float, n: int) -> float:
    """A share of n paths in percent as path_share prints it: the whole percent, or where it prints "under
    1 % (k of n)", the k of n exactly (100 k / n), so a sum of printed shares adds what the reader sees."""
    k = round(share * n)
    return float(f"{100 * k / n:.0f}") if k == 0 or 100 * k / n >= 0.5 else 100 * k / n


def undecided_causes(cv: dict) -> str:
    """Why paths can end between modes, from what the run measures: a start far from p₁ (start_cause: cv's far,
    models.start_far, the page's warning, with its part measured against the run from the exact p₁; where that
    part does not count, start_aside says so after the causes), the modes' own overlap (cv's overlap, overlap_share: true
    samples with no mode at the threshold either) and the blur left where the run stops (end_blur_cause:
    pₜ's overlap there, cv's end_overlap, beyond p₀'s); where an overlap lies below the never-commit share
    by more than two standard errors of their difference (overlap_bounds), that it accounts for at most
    that share, and where the never-commit share lies below an overlap by as much, what lowers it
    (fewer_note); where no cause holds, that none does (and that neither p₀'s nor pₜ's modes overlap where so)."""
    thr, causes = cv["threshold"], []
    start = start_cause(cv)
    if start:
        causes.append(start)
    if cv["overlap"] > 0:
        ov = share_text(cv["overlap"])
        causes.append(f"the modes overlap: {ov} of true samples of p₀ have no mode with responsibility "
                      f"{thr:.2f} either" + (f", so the modes' overlap accounts for at most {ov} of paths"
                                             if overlap_bounds(cv) else ""))
    steps = steps_cause(cv)
    if steps:
        causes.append(steps)
    blur = end_blur_cause(cv)
    if blur:
        causes.append(blur)
    none = ("" if cv["overlap"] > 0 else
            f"; the modes themselves do not overlap (no true sample of p₀ is below {thr:.2f})")
    if not causes:
        return (f". No cause the page measures accounts for them{none}"
                + (", nor do pₜ's at the run's last time" if cv["end_overlap"] == 0 else "") + start_aside(cv))
    head = f"{['One cause', 'Two causes', 'Three causes', 'Four causes'][len(causes) - 1]}, measured"
    return (f". {head}: {'; and '.join(causes)}{none}{causes_total(cv, bool(steps), bool(blur))}"
            f"{fewer_note(cv, bool(blur))}{start_aside(cv)}")


def start_part(cv: dict) -> dict | None:
    """The far start's part of the never-commit share (cv's far, start_never: the same run and threshold
    started from the exact p₁), measured: p (this run) and q (from p₁) in whole percent as path_share prints
    them, their difference gap = p − q in points, and the noise band = 2 √(p(1 − p)/n + q(1 − q)/n) (two
    standard errors of the difference, models.diff_se) in points, one decimal; beyond: gap > band as printed.
    None where the run does not start from a prior far from p₁."""
    if not cv.get("far") or cv.get("start_never") is None:
        return None
    n, p, q = cv["n_paths"], cv["undecided"], cv["start_never"]
    pp, qq = (int(f"{100 * round(v * n) / n:.0f}") for v in (p, q))
    band = round(100 * 2 * models.diff_se(p, n, q, n), 1)
    return dict(p=pp, q=qq, gap=pp - qq, band=band, beyond=abs(pp - qq) > band)


def start_counts(cv: dict) -> int:
    """The points of the never-commit share the far start accounts for (start_part's gap, where beyond the
    noise and positive: fewer paths never commit from the exact p₁); 0 otherwise."""
    sp = start_part(cv)
    return sp["gap"] if sp and sp["beyond"] and sp["gap"] > 0 else 0


def start_cause(cv: dict) -> str:
    """The start far from p₁ as a cause of paths that never commit (cv's far, the page's warning), where its
    measured part counts (start_counts): p − q points, this run's share against the same steps started from
    the exact p₁, beyond the noise of two runs (start_part); "" otherwise (start_aside then speaks)."""
    if not start_counts(cv):
        return ""
    sp = start_part(cv)
    return (f"{start_head(cv)}: it accounts for {sp['gap']} points: {start_runs(cv)}, a gap beyond the ± "
            f"{sp['band']} points two runs differ by chance (two standard errors of a difference)")


def start_aside(cv: dict) -> str:
    """Where the start is far from p₁ but its measured part does not count (start_part: within the noise of two
    runs, or more paths never commit from the exact p₁): that sentence, with the numbers; "" otherwise."""
    sp = start_part(cv)
    if sp is None or start_counts(cv):
        return ""
    head = start_head(cv)
    if sp["beyond"]:
        return (f". {head[0].upper()}{head[1:]}, yet it does not raise this share: {start_runs(cv)}, more, beyond the "
                f"± {sp['band']} points two runs differ by chance")
    return (f". {head[0].upper()}{head[1:]}, yet these runs do not show it raising this share: {start_runs(cv)}, "
            f"{abs(sp['gap'])} point{'' if abs(sp['gap']) == 1 else 's'} apart, within the ± {sp['band']} points two runs differ by chance (two "
            "standard errors of a difference)")


def start_head(cv: dict) -> str:
    """The far start in the page warning's words (cv's far, models.start_far)."""
    return (f"the start is far from p₁: {cv['far']}, so the prior starts paths where p₁ has little mass (the "
            "warning above)")


def run_steps(cv: dict) -> str:
    """The run's steps as the Steps slider gives them, with the updates it takes where they differ (the
    tutorial's loop updates between its `steps` times: "3 steps (2 updates)"; "200 steps" elsewhere)."""
    k, steps = cv["steps_taken"], cv.get("steps", cv["steps_taken"])
    return steps_label(steps) + ("" if k == steps else f" ({k} update{'' if k == 1 else 's'})")


def start_runs(cv: dict) -> str:
    """start_part's two shares in words, as path_share (and the "never commit" tile) prints them: this run's
    and the same steps' started from the exact p₁."""
    n = cv["n_paths"]
    return (f"{path_share(cv['undecided'], n)} never commit here, {path_share(cv['start_never'], n)} started from "
            f"the exact p₁ (Advanced) with the same {run_steps(cv)}")


def steps_cause(cv: dict) -> str:
    """The run's steps as a cause of paths that never commit: the share of paths that never commit and end off
    pₜ at the run's last time (cv's end_off, end_off), where pₜ's own samples do not lie, so put there by the
    steps, not by pₜ's overlap; named where the share of all paths ending off pₜ is above OFF_Q (what a perfect
    sampler gives) by more than two standard errors, 2 √(q(1 − q)/n), and some of them never commit; else ""."""
    off, n = cv.get("end_off", {}), cv["n_paths"]
    if not off or round(off["never"] * n) == 0 or off["all"] - OFF_Q <= 2 * math.sqrt(OFF_Q * (1 - OFF_Q) / n):
        return ""
    return (f"{path_share(off['never'], n, count=True)} of the paths never commit and end where pₜ at t = "
            f"{time_text(cv['t_last'])} is lower than at {100 * (1 - OFF_Q):g} % of its own true samples, off where "
            f"its samples lie: put there by the run's {run_steps(cv)}, not by pₜ's overlap")


def causes_total(cv: dict, steps: bool, blur: bool) -> str:
    """How much of the never-commit share the measured causes account for, at most, as printed: the steps'
    share (steps_cause, as path_share_value reads what it prints) plus the far start's points (start_counts) plus the largest overlap
    named (p₀'s, or pₜ's at the last time where blur; one decimal); where that is under half the share, that
    no cause the page measures accounts for the rest. "" where an overlap named alone reaches the share
    (fewer_note then speaks)."""
    top = max(cv["overlap"], cv["end_overlap"] if blur else 0.0)
    if top >= cv["undecided"]:
        return ""
    n = cv["n_paths"]
    parts = ([path_share_value(cv["end_off"]["never"], n)] if steps else []) + ([start_counts(cv)] if start_counts(cv) else [])
    total = round(sum(parts) + round(100 * top, 1), 1)
    und = round(100 * cv["undecided"])
    who = "Together they" if len(parts) + (top > 0) > 1 else "It"
    if steps and round(cv["end_off"]["never"] * cv["n_paths"]) == round(cv["undecided"] * cv["n_paths"]):
        return ". The steps' share alone accounts for all of them"
    if total >= und:
        return f". {who} can account for all {und} %" if parts else ""
    said = (f". {who} account{'' if who != 'It' else 's'} for at most {total:.1f} % of the {und} %" if parts else "")
    return said + (". No cause the page measures accounts for the rest" if 2 * total < und else "")


def end_blur_adds(cv: dict) -> bool:
    """Does pₜ at the run's last time overlap more than p₀ (cv's end_overlap above overlap by more than two
    standard errors of their difference, models.diff_se)? Only then does the noise left there count."""
    n = cv.get("n_truth", cv["n_paths"])
    return cv["end_overlap"] - cv["overlap"] > 2 * models.diff_se(cv["end_overlap"], n, cv["overlap"], n)


def end_blur_cause(cv: dict) -> str:
    """The noise left where the run stops, as a cause (end_blur_adds): σₜ at the last time against the
    closest modes' distance, whether the run stops before pₜ splits them (cv's t_split), and the share of
    true samples of pₜ there with no mode at the threshold (end_overlap, bounded as overlap_bounds does);
    "" where pₜ there overlaps no more than p₀."""
    if not end_blur_adds(cv):
        return ""
    ov, thr = share_text(cv["end_overlap"]), cv["threshold"]
    split = (f", before pₜ splits them (at t = {time_text(cv['t_split'])})"
             if cv.get("t_split") and cv["t_last"] > cv["t_split"] else "")
    where = ("the run stops with noise σ = {s} left" if ends_near_zero(cv) else
             "the run stops at t = {t}, where σₜ = {s}").format(s=f"{cv['end_sigma']:.3g}", t=time_text(cv["t_last"]))
    return (f"{where}, against {cv['closest']:.2f} between the closest modes{split}: pₜ's modes there overlap, "
            f"{ov} of true samples of pₜ there have no mode with responsibility {thr:.2f} either"
            + (f", which accounts for at most {ov} of paths" if overlap_bounds(cv, "end_overlap") else ""))


def fewer_note(cv: dict, blur: bool) -> str:
    """Where the never-commit share lies below the largest overlap named (p₀'s, or pₜ's at the last time where
    blur) by more than two standard errors of their difference: that it does, and what lowers it, the paths
    that end as strays (cv's end_stray, stray_mask: where p₀ is negligible, far from every mode) and commit
    there, one mode of pₜ taking at least the threshold's responsibility; "" otherwise."""
    key = "end_overlap" if blur and cv["end_overlap"] >= cv["overlap"] else "overlap"
    top, und, n = cv[key], cv["undecided"], cv.get("n_truth", cv["n_paths"])
    if cv[key] <= 0 or top - und <= 2 * models.diff_se(und, cv["n_paths"], top, n):
        return ""
    of = "p₀" if key == "overlap" else "pₜ there"
    text = (f". Only {undecided_share(cv)} never commit, fewer than the {share_text(top)} of true samples of {of} "
            f"with no mode at {cv['threshold']:.2f}")
    st_ = cv.get("end_stray", {})
    if st_.get("share", 0) > 0 and st_.get("committed", 0) > 0:
        text += (f": {pct(100 * st_['share'])} % of the samples end where p₀ is negligible (below all but "
                 f"{100 * STRAY_Q:g} % of true samples), far from every mode, and {pct(100 * st_['committed'])} % of "
                 f"the paths that end there count as committed, their final mode taking at least {cv['threshold']:.2f} "
                 "of the responsibility under pₜ out there")
    return text


def overlap_bounds(cv: dict, key: str = "overlap") -> bool:
    """Is an overlap share (cv[key]: p₀'s overlap, or end_overlap, pₜ's at the last time; of n_truth true
    samples) below the never-commit share (undecided, of n_paths paths) by more than two standard errors of
    their difference (models.diff_se)? Then that overlap explains only part of the paths that never commit."""
    gap = cv["undecided"] - cv[key]
    return gap > 2 * models.diff_se(cv["undecided"], cv["n_paths"], cv[key], cv.get("n_truth", cv["n_paths"]))


def uniform_grid_note(gmm, sde, marked: bool = True, width: bool = True, t_end: float = 0.0) -> str:
    """Where a grid uniform in t (the tutorial's loop) puts its steps, from this mixture and λ: the
    share of its span from t = 1 to t_end (the base width_note's share uses too) before pₜ splits the closest modes (commitment.bimodal_time, the red dotted line's
    time), where they are one bump and σₜ is above its value there, and whether that is most of the
    steps or not (said as rounded, so "most" never goes with 50 %); whether a path's mode is decided
    then depends on the sampler (not for an ODE, whose x₁ fixes it). marked: the page draws the
    split time as the red dotted line, and the sentence points to it (the Sampler lab has none).
    width: end with width_note (the Sampler lab says it from its runs' end times instead), for a
    grid that stops at t_end (the Exact-score reversal: the tutorial's loop, at t = 1/steps)."""
    if gmm.n_components < 2 or closest_modes(gmm) <= 1e-9:
        return ("With one mode, or modes sharing one centre, there is no mode to choose; the grid "
                "matters for the data's shape alone.")
    t_split = split_time(gmm, sde)
    if t_split is None:
        return ("Here pₜ splits the closest modes at every t (even at t = 1, with σ₁ = "
                f"{float(sde.prior_std()):.2f}): every step of a uniform grid counts for the data's detail.")
    if t_split == 0:
        return ("Here the closest modes are one bump of pₜ at every t: pₜ never splits them, so no "
                "step of a uniform grid goes to telling them apart."
                + (width_note(gmm, sde, t_end) if width else ""))
    sigma = float(sde.sigma(torch.tensor(t_split, dtype=torch.float64)))
    grid, bump = grid_text(t_end), f"{'the red dotted line: ' if marked else ''}they are one blurred bump"
    width_text = width_note(gmm, sde, t_end) if width else ""
    if t_split <= t_end:     # the grid stops before the split: every step is taken in the one bump
        return (f"Here {grid} takes every step before t = {time_text(t_split)} (σₜ above {sigma:.2f}), where pₜ "
                f"has not yet split the closest modes ({bump}): it stops before they are apart.{width_text}")
    share = 100 * (1 - t_split) / (1 - t_end)        # of the grid's span from t = 1 to t_end: its steps'
    before, whose = round(share), (f"the steps of {grid}" if t_end > 0 else "a uniform grid's steps")
    head = (f"Here most of {whose} go to large noise: it puts" if before > 50 else
            f"Here most of {whose} go to the noise below the modes' split: it puts" if before < 50
            else f"Here {grid if t_end > 0 else 'a grid uniform in t'} puts")
    return (f"{head} {pct(share)} % of its steps before t = {time_text(t_split)} (σₜ above {sigma:.2f}), where "
            f"pₜ has not yet split the closest modes ({bump}), and {pct(100 - share)} % at smaller noise, where "
            f"the modes are apart.{width_text}")


def grid_text(t_end: float) -> str:
    """A uniform grid in words, with where it stops where that is above 0 (end_text): "a uniform grid from
    t = 1 to t = 0.33"."""
    return f"a uniform grid from t = 1 to t = {end_text(t_end)}" if t_end > 0 else "a uniform grid"


def width_time(gmm, sde) -> tuple[float, float] | None:
    """The narrowest mode's std s and the time t_w below which the noise (in x₀'s units, the
    noise-to-signal ratio rₜ = σₜ/αₜ) is below s, where that width shows; None where the noise is
    below s at every t (or s is 0)."""
    s = narrowest_std(gmm)
    one = torch.tensor(1.0, dtype=torch.float64)
    if s <= 0 or s >= float(sde.noise_ratio(one)):
        return None
    return s, float(sde.t_of_noise_ratio(torch.tensor(s, dtype=torch.float64)))


def width_note(gmm, sde, t_end: float = 0.0) -> str:
    """Where the narrowest mode's own width is resolved (width_time): only at t below t_w; the
    share of a uniform grid's steps there, the grid running from t = 1 to t_end, where the steps
    stop ("" where the noise is below s at every t; where t_w is not above t_end, that the grid takes
    no step there)."""
    width = width_time(gmm, sde)
    if width is None:
        return ""
    s, t_w = width
    end = end_text(t_end)
    head = width_head(s, t_w)
    if t_w <= t_end:         # the grid stops before: not one step there
        return f"{head}: a uniform grid that stops at t = {end} takes no step there."
    return f"{head}: there {grid_text(t_end)} puts {uniform_share(t_w, t_end)} of its steps."


def width_head(s: float, t_w: float) -> str:
    """The start of width_note's sentence: the narrowest mode's std s shows for t below t_w (width_time)."""
    return (f" The narrowest mode's own width (std {s:.2g}) shows only once the noise is below it, for t "
            f"below {time_text(t_w)}")


def end_text(t_end: float) -> str:
    """A grid's end time as width_note prints it: two significant digits, no exponent, no trailing zero."""
    return np.format_float_positional(float(f'{t_end:.2g}'), trim='-')


def uniform_share(t_w: float, t_end: float) -> str:
    """The share of a uniform grid's steps from t = 1 to t_end that fall below t_w: "28 %"."""
    return f"{100 * (t_w - t_end) / (1 - t_end):.2g} %"


def run_words(run: Run, times) -> str:
    """What the run below the tutorial's update does, from its own time grid (times, decreasing):
    the loop itself (equal steps Δt), the reverse SDE's update on another grid (Δt from the largest
    to the smallest step, each step adding the exact noise variance between its two times), or
    another sampler, which is not that update, on its grid."""
    dts = -np.diff(np.asarray(times, dtype=float))
    size = (f"one step, Δt = {dts[0]:.2g}" if len(dts) == 1 else
            f"equal steps Δt = {dts[0]:.2g}" if np.allclose(dts, dts[0], rtol=1e-6, atol=0) else
            f"steps of unequal size, Δt from {dts.max():.2g} down to {dts.min():.2g}")
    if run.method == "tutorial":
        return f"The run below is this loop: {size}, from t = 1 to t = {time_text(float(np.min(times)))}."
    grid = f"the {vocabulary.GRID_LABELS[run.grid]} time grid (Advanced)"
    if run.method == "sde":
        return (f"The run below takes this update on {grid}: {size}, each step adding the noise variance "
                "σᵢ² − σⱼ² between its two times.")
    return (f"The run below uses {vocabulary.label(run.method)}, not this update (see “Why it works” below), on "
            f"{grid}: {size}.")


def loop_steps(steps: int) -> int:
    """The steps the tutorial's loop takes at the slider's `steps`: at least its registered minimum."""
    return max(int(steps), dc.SAMPLERS["tutorial"].min_steps)


def loop_steps_note(steps: int) -> str:
    """Says the tutorial loop's steps where they differ from the slider's (else "")."""
    loop = loop_steps(steps)
    if loop == int(steps):
        return ""
    return (f"At the slider's {steps_label(int(steps))} the tutorial's loop would take its minimum of "
            f"{steps_label(loop)}, so Δt = 1/{loop} here; the run above takes {steps_label(int(steps))}.")


def loop_sigma(sde, steps: int) -> float:
    """The tutorial loop's residual noise: σ(Δt) at its last time t = Δt = 1/loop_steps(steps)."""
    return float(sde.sigma(torch.tensor(1.0 / loop_steps(steps), dtype=torch.float64)))


def residual_note(gmm, sde, steps: int) -> str:
    """How much the loop's residual noise σ(Δt) widens the narrowest mode (std s, narrowest_std,
    printed as width_note prints it): by √(1 + (σ(Δt)/s)²) − 1, and what to compare."""
    s_min, sig_end = narrowest_std(gmm), loop_sigma(sde, steps)
    widen = 100 * (np.sqrt(1 + (sig_end / s_min) ** 2) - 1)
    words, stds = narrowest_words(gmm), narrowest_mode(gmm)[1]
    if vocabulary.elongated(stds):       # widened much across, little along
        s_max = float(stds[-1])
        along = 100 * (np.sqrt(1 + (sig_end / s_max) ** 2) - 1)
        note = (f"The narrowest mode of this mixture ({words}) is widened by that noise by {widen:.1f} % "
                f"across and {along:.1f} % along. ")
    else:
        note = f"The narrowest mode of this mixture has {words}; that noise widens it by {widen:.1f} %. "
    if widen < 2:
        return note + ("Invisible here: on broad modes like the tutorial's the loop works fine. Pick "
                       "**ring8** (std 0.15) in the sidebar and compare the log-likelihood gap of *the "
                       "tutorial's loop* with the reverse SDE at the same number of steps.")
    return note + ("Compare the log-likelihood gap of *the tutorial's loop* with the reverse SDE at the "
                   "same number of steps: both take the Euler–Maruyama step, but the loop steps uniformly "
                   "in t and keeps σ(Δt) at the end, while the reverse SDE here steps on the Karras grid "
                   "and removes the last noise with a denoising step. Which costs more depends on the "
                   "mixture and the steps: measure it.")


def show_theory(gmm, sde, steps: int, lam: float, marked: bool = True) -> None:
    """The "why it works" section: time reversal, the samplers, the tutorial loop's residual noise
    and the better grid. marked: the commitment charts above are drawn (with their red dotted line)."""
    st.subheader("Why it works, and what the tutorial's loop got wrong")
    st.markdown("**Time reversal.** If x runs forward by dx = g(t) dw, the same marginals pₜ are "
                "traced backwards by the **reverse SDE** (Anderson, 1982), and without any noise by the "
                "**probability-flow ODE** (Song et al., 2021):")
    e1, e2 = st.columns(2, gap="medium")
    e1.latex(r"dx = -g(t)^2\,\nabla_x\log p_t(x)\,dt + g(t)\,d\bar w")
    e2.latex(r"\frac{dx}{dt} = -\tfrac12\, g(t)^2\,\nabla_x\log p_t(x)")
    st.markdown("Euler–Maruyama on the reverse SDE is the update at the top of the page (dt < 0 as t "
                "runs from 1 to 0). The ODE is solved with Heun's method, two score evaluations per step. "
                "The predictor–corrector sampler follows every SDE step with one Langevin step "
                "x ← x + ε ∇log pₜ(x) + √(2ε) z at the new time. The **DPM-Solver++** samplers "
                "(Lu et al., 2022) solve the linear part of the same equations exactly: written for the "
                "denoised guess D = x + σ² ∇log pₜ(x), a step from σ to σ' is x' = (σ'/σ) x + (1 − σ'/σ) D, "
                "and reusing the previous step's D makes it second order at one evaluation per step.")
    e3, e4 = st.columns(2, gap="large")
    with e3:
        loop = loop_steps(steps)
        sig_end = loop_sigma(sde, steps)
        st.markdown("**The tutorial's loop leaves residual noise.** It takes only nsteps − 1 steps, "
                    "evaluates the score at the time *after* each step, and stops at t = Δt instead of "
                    "t ≈ 0, with no final denoising. Every sample keeps the noise of p at t = Δt:")
        st.latex(rf"\sigma_{{\Delta t}} = {sig_end:.3f}\quad(\lambda = {lam:g},\ \Delta t = 1/{loop})")
        if note := loop_steps_note(steps):
            st.caption(note)
        st.markdown(residual_note(gmm, sde, steps))
    with e4:
        st.markdown("**The better grid** steps in σ rather than in t: uniform in σ¹ᐟ⁷ from σ₁ down to "
                    f"σ(ε) (Karras et al., 2022). {uniform_grid_note(gmm, sde, marked, t_end=1 / loop_steps(steps))} "
                    "Each SDE step adds exactly the noise variance σᵢ² − σⱼ² between its two times, "
                    "and a last denoising step x₀ = x + σ² ∇log p(x) removes the remaining σ(ε).")
        st.page_link("views/6_sampler_lab.py", label="Race the samplers: Sampler lab", icon=":material/timer:")


def default_view(mixture: str = models.DEFAULT_MIXTURE) -> tuple:
    """(gmm, sde, run, view, n_paths, threshold) of the page at its default settings (the
    settings schema's defaults, the default seed) on the preset `mixture` (the default one)."""
    schema = state.sio.SCHEMA

    def d(key):
        return schema["w_reversal_" + key].default
    gmm = dc.PRESETS[mixture]
    run = Run(d("method"), int(d("steps")), samples_for(gmm, int(d("n")), int(d("steps"))), d("grid"),
              float(d("t_eps")), float(d("snr")), d("start"), state.DEFAULT_SEED)
    return gmm, dc.VESDE(float(d("lam"))), run, d("view"), int(d("n_paths")), float(d("threshold"))


def warm_defaults(before_each=None, mixture: str = models.DEFAULT_MIXTURE) -> None:
    """The page's default view on the preset `mixture`, computed as the page computes it (the
    server's warm-up: the first visit then only reads the cache): the run, its measures, figures
    and charts."""
    if before_each is not None:
        before_each()
    gmm, sde, run, view, n_paths, threshold = default_view(mixture)
    sample_run(gmm, sde, run)
    metrics(gmm, sde, run)
    models.warm_steps((lambda: final_png(gmm, sde, run), lambda: weights_spec(gmm, sde, run),
                       lambda: cloud_spec(gmm, sde, run, view), lambda: commit_view(gmm, sde, run, threshold),
                       lambda: paths_png(gmm, sde, run, n_paths, view),
                       lambda: time_png(gmm, sde, run, n_paths)), before_each)


def warm_lesson(before_each=None) -> None:
    """warm_defaults on the lesson's second mixture, models.LESSON_MIXTURE (ring8)."""
    warm_defaults(before_each, models.LESSON_MIXTURE)
