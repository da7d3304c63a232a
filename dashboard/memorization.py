"""The memorization page's computations, cached: the training points, distances of samples to them,
the rendered samples and the sweep over the number of training points."""
from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import torch

import diffusion_core as dc
from diffusion_core import memorization as mem
from dashboard import downloads, models, state
from dashboard import settings as sio
from dashboard.figures import memorization as mfig
from dashboard.figures.common import chart_spec, density_grid, figure_png, pct, samples_limits


SWEEP_STEPS, SWEEP_WIDTH = 1000, 128
SWEEP_POINTS = (2, 5, 10, 20, 50)
ERROR_BAR_Z = 2.0           # the sweep's error bars: rate ± this many binomial standard errors
LAM = 25.0
SAMPLER_STEPS = 200
NAMES = {"learned": "Network (learned score)", "empirical": "Empirical score (exact)",
         "truth": "True mixture (fresh draws)"}
COLORS = {NAMES["learned"]: mfig.LEARNED_COLOR, NAMES["empirical"]: mfig.EXACT_COLOR,
          NAMES["truth"]: mfig.TRUTH_COLOR}


def points_of(gmm, n: int, seed: int) -> np.ndarray:
    """The page's n training points for the sidebar seed (uncached: the warm-up thread uses it)."""
    return mem.training_points(gmm, n, seed + 31).numpy()


training_points = state.cache_data(points_of)


def model_job(gmm, n_points: int, steps: int, width: int, seed: int):
    """(cfg, empirical mixture of the training points, lambda): what the page trains."""
    emp = mem.empirical_mixture(points_of(gmm, n_points, seed), mem.DEFAULT_DELTA)
    return mem.memorization_config(n_points, steps, width, seed=seed), emp, LAM


def train_defaults(device: str = "cpu", before_each=None) -> None:
    """Train the page's network at default settings on the default and the lesson's mixture,
    then the sweep's networks on both (the server's warm-up: the first visit then only samples)."""
    d = {k: sio.SCHEMA["w_memo_" + k].default for k in ("points", "steps", "width")}
    names, seed = (models.DEFAULT_MIXTURE, models.LESSON_MIXTURE), state.DEFAULT_SEED
    jobs = [model_job(dc.PRESETS[name], d["points"], d["steps"], d["width"], seed) for name in names]
    jobs += [model_job(dc.PRESETS[name], n, SWEEP_STEPS, SWEEP_WIDTH, seed) for name in names for n in SWEEP_POINTS]
    models.train_all(jobs, device, before_each)


@state.cache_data
def distance_stats(sets: dict, points: np.ndarray, radius: float) -> dict:
    """Per sample set: nearest-training-point distances, memorization rate, median distance."""
    out = {}
    for name, x in sets.items():
        d = mem.nearest_distances(x, points).numpy()
        out[name] = {"d": d, "rate": mem.memorization_rate(x, points, radius), "median": float(np.median(d))}
    return out


@state.cache_data(max_entries=16)
def samples_png(sets: dict, points: np.ndarray, radius: float, gmm, titles: tuple) -> bytes:
    xlim, ylim = samples_limits(gmm)
    xx, yy, logp = density_grid(gmm, xlim, ylim, n=100)
    fig = mfig.memorization_figure([(title, x, COLORS[name]) for (name, x), title in zip(sets.items(), titles)],
                                   points, radius, xlim, ylim, xx, yy, logp)
    return downloads.png_bytes(fig, dpi=100)


PANEL = 212                 # the samples chart's panel width in pixels
_TITLE, _RADIUS = "@title{}", "@radius"     # samples_view's placeholders, filled by samples_spec


@state.cache_data(max_entries=16)
def samples_view(sets: dict, points: np.ndarray, gmm) -> dict:
    """What the samples chart draws but the radius: spec (mfig.memorization_chart over the samples
    panels' limits, with placeholders for its titles and the radius' legend entry and without its
    datasets), frame (its samples, mfig.sample_frame), points and xlim."""
    xlim, ylim = samples_limits(gmm)
    spec = chart_spec(mfig.memorization_chart(
        [(name, COLORS[name]) for name in sets], points, xlim, ylim, contours_url(gmm), PANEL,
        titles=[[_TITLE.format(n)] for n in range(len(sets))], radius_words=_RADIUS))
    return {"spec": spec, "frame": mfig.sample_frame(sets), "points": np.asarray(points, dtype=float),
            "xlim": xlim}


def samples_spec(view: dict, radius: float, titles: tuple) -> dict:
    """samples_view's chart at this radius: its titles (one per panel, lines split at newlines)
    and the radius' legend words filled in, the circles of `radius` and the samples as datasets."""
    fill = {_TITLE.format(n): t.split("\n") for n, t in enumerate(titles)}
    words = mfig.radius_label(radius, view["xlim"], PANEL)

    def walk(node):
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            if len(node) == 1 and isinstance(node[0], str) and node[0] in fill:
                return list(fill[node[0]])
            return [walk(v) for v in node]
        return words if node == _RADIUS else node
    spec = walk(view["spec"])
    spec["datasets"] = {**spec.get("datasets", {}), mfig.SAMPLES_DATA: view["frame"],
                        mfig.CIRCLES_DATA: mfig.circle_frame(view["points"], radius)}
    return spec


def radius_note(radius: float, view: dict) -> str:
    """Under the samples chart (samples_view) at this radius: where its circles are too small to see
    on the panels (mfig.radius_hidden), how large r is there and where the page shows it instead
    (the histogram's dashed line); "" where they can be seen."""
    if not mfig.radius_hidden(radius, view["xlim"], PANEL):
        return ""
    r_px = mfig.radius_pixels(radius, view["xlim"], PANEL)
    return (f"At this scale r = {radius:.3g} is {r_px:.2g} px on the panels ({PANEL} px for "
            f"{float(view['xlim'][1] - view['xlim'][0]):.3g} units), no larger than a sample's dot, so its "
            "circles cannot be seen there; the dashed line in the histogram below marks r.")


@state.cache_data(max_entries=16)
def contours_url(gmm) -> str:
    """The samples panels' density contours (mfig.contour_figure over samples_limits) as a PNG data URL."""
    xlim, ylim = samples_limits(gmm)
    xx, yy, logp = density_grid(gmm, xlim, ylim, n=100)
    fig = mfig.contour_figure(xx, yy, logp, xlim, ylim)
    return "data:image/png;base64," + base64.b64encode(figure_png(fig)).decode("ascii")


@state.cache_data
def data_scales(gmm, n: int) -> tuple:
    """(narrowest mode's std, mem.spacing: the median distance from each of n fresh draws to the
    nearest of the others, the smaller of the two)."""
    return mem.mode_scale(gmm), mem.spacing(gmm, n), mem.data_scale(gmm, n)


SPACING_WORDS = "the median distance from each of {n} fresh draws to the nearest of the others"


CHANCE_DRAWS = 100_000      # fresh draws behind chance_rate: its binomial standard error is about 0.0005 at 3 %


@state.cache_data(max_entries=16)
def chance_distances(gmm, points: np.ndarray, seed: int) -> np.ndarray:
    """The distance from each of CHANCE_DRAWS fresh draws of gmm (their own seed) to its nearest
    training point (computed once per training set: a radius move only compares)."""
    x, _ = gmm.sample(CHANCE_DRAWS, generator=torch.Generator().manual_seed(int(seed) + 23),
                      dtype=torch.float64)
    return mem.nearest_distances(x, points).numpy()


def chance_rate(gmm, points: np.ndarray, radius: float, seed: int) -> float:
    """The chance that one fresh draw of gmm lands within `radius` of one of the training points
    (its distance to the nearest one at most radius), measured on CHANCE_DRAWS draws
    (chance_distances; binomial standard error models.standard_error(rate, CHANCE_DRAWS))."""
    return float(np.mean(chance_distances(gmm, points, seed) <= float(radius)))


def rate_text(rate: float) -> str:
    """A share of a count in [0, 1] as a percentage: the page's one rule for every printed share
    (metrics, titles, captions and text; the sweep chart's tooltips read the same). One decimal
    ("2.6%" for 13 of 500), or the digits that keep a share off 0 and 100 where one decimal would
    round it onto them (figures.common.pct: "0.04%", "99.96%"); exactly 0 and 1 read "0%" and "100%"."""
    p = 100 * float(rate)
    return f"{p:.1f}%" if 0.05 <= p < 99.95 else f"{pct(p)}%"


def percentage_points(d: float) -> str:
    """A half-width of a rate in percentage points, to one decimal ("1.4 percentage points")."""
    return f"{100 * float(d):.1f} percentage points"


def radius_caption(fraction: float, n: int, mode_std: float, gap: float, scale: float, base: float,
                   n_samples: int, chance: float | None = None) -> str:
    """What the memorization radius r = fraction × scale is, in words (data_scales' numbers: the
    narrowest mode's std and mem.spacing, a nearest-neighbour distance among n fresh draws), and the
    baseline rate `base`: the share of the panel's n_samples fresh draws within r of one of the n
    training points (each draw counted once, by its nearest training point), given as a count with
    ± ERROR_BAR_Z binomial standard errors; chance: chance_rate, the same share on CHANCE_DRAWS
    draws (the chance per draw for these training points)."""
    spacing = SPACING_WORDS.format(n=f"{n:,}")
    head = (f"Memorized: within r = {fraction:g} × {scale:.3g} = **{fraction * scale:.3g}** of a training "
            f"point, where {scale:.3g} is the data's scale: the smaller of the narrowest mode's standard "
            f"deviation ({mode_std:.3g}) and {spacing} ({gap:.3g}). ")
    k = int(round(float(base) * int(n_samples)))
    text = (head + f"Of the panel's {int(n_samples):,} fresh draws of the true distribution, {k:,} "
            f"(**{rate_text(base)}**) land within r of one of the {n:,} training points by chance (a draw counts "
            f"once, by its distance to the nearest training point; ± "
            f"{percentage_points(ERROR_BAR_Z * models.standard_error(base, int(n_samples)))} at {ERROR_BAR_Z:g} "
            f"binomial standard errors of {int(n_samples):,} draws): the panel's baseline.")
    if chance is not None:
        text += (f" On {CHANCE_DRAWS:,} further draws the chance per draw for these {n:,} points is "
                 f"{100 * float(chance):.2f}% (± {percentage_points(ERROR_BAR_Z * models.standard_error(chance, CHANCE_DRAWS))}): "
                 "the sharper baseline, which the verdict on the network below uses.")
    return text


@state.cache_data(max_entries=64)
def sweep_point(gmm, n: int, fraction: float, n_samples: int, seed: int, device: str) -> dict:
    """Train on n points (SWEEP_STEPS steps, width SWEEP_WIDTH), sample, and measure: the rates of
    the network's samples and of fresh draws from the true mixture, at the radius fraction x the
    data's scale for n points."""
    radius = fraction * data_scales(gmm, n)[2]
    cfg, emp, lam = model_job(gmm, n, SWEEP_STEPS, SWEEP_WIDTH, seed)
    pts = points_of(gmm, n, seed)
    model = models.trained_model(cfg, emp, lam, device)       # shared, and trained by the warm-up
    x = dc.sample(model.score, model.sde, n_samples, SAMPLER_STEPS,
                  generator=torch.Generator().manual_seed(seed + 21)).x
    truth, _ = gmm.sample(n_samples, generator=torch.Generator().manual_seed(seed + 22))
    return {"network": mem.memorization_rate(x, pts, radius), "truth": mem.memorization_rate(truth, pts, radius)}


def last_noise() -> tuple:
    """(ε, σ(ε)): where the page's reverse SDE stops (dc.sample's default end time, which
    sample_sets uses) and the noise level of VESDE(LAM) still left there, before its last
    (denoising) step."""
    eps = float(dc.sampling.T_EPS)
    return eps, float(dc.VESDE(LAM).sigma(torch.tensor(eps)))


def partial_text(k: int, n: int, rate: float, r: float, chance: float | None, z: float = None) -> str:
    """The exact score's k of n samples within r against chance, the fresh draws' chance per draw
    (chance_rate, on CHANCE_DRAWS draws): "shows it for" that share where it is above chance by
    more than z standard errors of the difference (_side), else "does not show it"."""
    z = ERROR_BAR_Z if z is None else z
    if chance is None:
        return (f" This run does not show it at r = {r:.3g}: {k:,} of the exact score's {n:,} "
                f"samples ({rate_text(rate)}) land within r of a training point;")
    noise = z * models.diff_se(rate, n, chance, CHANCE_DRAWS)
    fresh = f"the fresh draws' chance of {100 * float(chance):.2f}% per draw"
    if _side(rate, chance, noise) <= 0:
        return (f" This run does not show it at r = {r:.3g}: {k:,} of the exact score's {n:,} samples "
                f"({rate_text(rate)}) land within r of a training point, not above {fresh} by more than the "
                f"noise of the measure (± {percentage_points(noise)});")
    times = f"{rate / chance:.2g}× {fresh}" if chance > 0 else f"while none of {CHANCE_DRAWS:,} fresh draws does"
    return (f" This run shows it for **{rate_text(rate)}** of the exact score's samples ({k:,} of {n:,}) at "
            f"r = {r:.3g}, {times}; the other {n - k:,} land outside r:")


def exact_score_text(samples, points, radius: float, chance: float | None = None) -> str:
    """What the exact score's samples show of the theory that it reproduces the training set,
    from their distances to the training points: all within `radius`, or how many (partial_text:
    against chance, the fresh draws' chance per draw, where given), their median distance against
    r, and the cause where the numbers show it: missed samples nearest to a training point with
    another closer than σ(ε) (last_noise), which that noise cannot tell apart."""
    d, idx = mem.nearest(samples, points)
    d, idx = d.numpy(), idx.numpy()
    n, r = len(d), float(radius)
    rate, med = mem.memorization_rate(samples, points, r), float(np.median(d))
    k = int(round(rate * n))
    if k == n:
        return (f" This run shows it: all {n:,} of the exact score's samples land within r = {r:.3g} of a "
                f"training point (median distance {med:.3g}).")
    text = partial_text(k, n, rate, r, chance) + (f" the median distance of all {n:,} to the nearest training "
                                                  f"point is {med:.3g}, against r = {r:.3g}.")
    eps, sigma = last_noise()
    nn = mem.neighbour_distances(points).numpy()
    missed = ~(d <= r)
    crowded = int(np.sum(missed & (nn[idx] < sigma)))
    if crowded == 0:
        return text + (f" None of the samples outside r is nearest to a training point with another one closer "
                       f"than the sampler's last noise level σ(ε) = {sigma:.3g} (it stops at t = ε = {eps:g}): "
                       "these numbers do not single out why.")
    return text + (f" The reverse SDE stops at t = ε = {eps:g}, where the noise is still σ(ε) = {sigma:.3g}, "
                   f"and {int(np.sum(nn < sigma)):,} of the {len(nn):,} training points have another one closer "
                   f"than that (median distance to the nearest other training point {float(np.median(nn)):.3g}): "
                   "at that noise the score cannot tell such neighbours apart, and the last (denoising) step "
                   "moves each sample to the weighted mean of the training points near it, which lies among "
                   f"them rather than on one. {crowded:,} of the {int(missed.sum()):,} samples outside r are nearest "
                   "to such a point. The theory holds as t → 0; this sampler stops before it separates them.")


def sweep_frame(rows, n_samples: int) -> pd.DataFrame:
    """The sweep's chart data from rows of (N, network rate, fresh-draw rate): columns n_points,
    rate, series, and low/high = rate ± ERROR_BAR_Z binomial standard errors."""
    out = []
    for n, net, truth in rows:
        for name, p in ((NAMES["learned"], net), (NAMES["truth"], truth)):
            half = ERROR_BAR_Z * models.standard_error(p, n_samples)
            out.append({"n_points": int(n), "rate": float(p), "series": name, "low": p - half, "high": p + half})
    return pd.DataFrame(out)


def network_vs_fresh(rate: float, base: float, n_samples: int, n_points: int, z: float = None,
                     chance: float | None = None) -> str:
    """The page's network against fresh draws, from the two rates on the panel's n_samples samples
    (as counts, and as rates in rate_text's one decimal, so a difference called beyond the noise
    shows in the printed numbers): whether it lands within r of its n_points training points more often
    than fresh draws beyond z standard errors of the difference (binomial), or within that noise.
    chance: the chance per draw measured on CHANCE_DRAWS draws (chance_rate); where given, the
    verdict compares the network with it, the sharper baseline (its own standard error is tiny)."""
    z = ERROR_BAR_Z if z is None else z
    k_net, k_base = int(round(float(rate) * n_samples)), int(round(float(base) * n_samples))
    head = (f" Here, with N = {n_points:,} training points, {k_net:,} of the network's {n_samples:,} samples "
            f"({rate_text(rate)}) land within r of one, against {k_base:,} of {n_samples:,} fresh draws "
            f"({rate_text(base)})")
    panel_noise = z * models.diff_se(rate, n_samples, base, n_samples)
    panel = _side(rate, base, panel_noise)
    if chance is not None:
        head += f" and a chance per draw of {100 * float(chance):.2f} % on {CHANCE_DRAWS:,} further draws"
        base, n_base = float(chance), CHANCE_DRAWS
    else:
        n_base = n_samples
    noise = z * models.diff_se(rate, n_samples, base, n_base)
    head += ": "
    than = "than that chance" if chance is not None else ""
    side = _side(rate, base, noise)
    if side > 0:
        text = head + (f"more{' ' + than if than else ''}, by more than the noise of the measure (± "
                       f"{percentage_points(noise)}): the network lands near its training points more often than chance.")
    elif side < 0:
        text = head + f"fewer{' ' + than if than else ''}, beyond the noise of the measure (± {percentage_points(noise)})."
    else:
        text = head + (f"within the noise of the measure (± {percentage_points(noise)}){' of that chance' if than else ''}: "
                       "as close to the training points as fresh draws are.")
    if chance is not None and panel != side:
        text += (f" Against the panel's own {n_samples:,} fresh draws alone the difference is "
                 + ("within" if panel == 0 else "beyond") + " the noise of two sets of "
                 f"{n_samples:,} (± {percentage_points(panel_noise)}): "
                 f"the chance per draw, measured on {CHANCE_DRAWS:,} draws, is the sharper baseline, and the verdict uses it.")
    return text


def _side(a: float, b: float, noise: float) -> int:
    """+1 where a exceeds b by more than noise, −1 where b exceeds a by more, else 0."""
    return 1 if float(a) - float(b) > noise else -1 if float(b) - float(a) > noise else 0


def _points(d: float) -> float:
    """A difference of two rates in percentage points, to the one decimal it is printed with."""
    return round(100 * float(d), 1)


def rise_text(ns, net, base, n_samples: int, z: float) -> str:
    """One move of the sweep's network rate, a rise or a fall, from N = ns[0] to ns[1] (net: its
    two rates), judged against the fresh-draw baseline's two rates at the same N (base): r and the
    training points are those of each N, so the baseline's chance of a hit moves too. What moves
    beyond the sampling is the network's lead over the baseline; the verdict compares that change
    with z standard errors of the four binomial rates (n_samples each), on the printed numbers."""
    step, moved = _points(net[1] - net[0]), _points(base[1] - base[0])
    up = step > 0
    verb, lead = ("rises", "grows") if up else ("falls", "shrinks")
    change = round((step - moved) * (1 if up else -1), 1)      # the lead's change in the move's direction
    noise = _points(z * np.hypot(models.diff_se(net[0], n_samples, net[1], n_samples),
                                 models.diff_se(base[0], n_samples, base[1], n_samples)))
    if up:
        baseline = (f"and the fresh-draw baseline by {moved:.1f}" if moved > 0 else
                    f"while the fresh-draw baseline falls by {-moved:.1f}" if moved < 0 else
                    "while the fresh-draw baseline stays level")
    else:
        baseline = (f"and the fresh-draw baseline falls by {-moved:.1f}" if moved < 0 else
                    f"while the fresh-draw baseline rises by {moved:.1f}" if moved > 0 else
                    "while the fresh-draw baseline stays level")
    head = f"From N = {ns[0]} to {ns[1]} it {verb} by {abs(step):.1f} percentage points {baseline}: "
    within = f"the noise of the measure (± {noise:.1f} percentage points, both rates at both N)"
    if change <= 0:
        other = "shrinks" if up else "grows"
        said = f"{other} by {-change:.1f} percentage points" if change < 0 else "stays the same"
        return head + (f"its lead over the baseline {said}: the baseline {verb[:-1]}s as much or more, as r and "
                       f"the training points are those of each N, so the {'rise' if up else 'fall'} is the "
                       "measure's, not the network's.")
    text = head + f"its lead over the baseline {lead} by {change:.1f} percentage points, "
    if change > noise:
        return text + f"more than {within}: " + (
            "this training run, not the sampling, differs (one network per N, one seed)." if up else
            "the network memorizes less at the larger N, beyond the sampling (one network per N, one seed).")
    why = f"the baseline {verb} too, as r and the training points are those of each N"
    return text + f"within {within}" + (f": {why}." if moved * step > 0 else ".")


def turns(net) -> list:
    """The indices where the rates `net` turn (a rise followed by a fall or the reverse; a level
    step keeps the direction before it), with the first and the last: [0, len - 1] where they
    move one way only."""
    out, last = [0], 0
    for i in range(1, len(net) - 1):
        d = np.sign(net[i] - net[i - 1]) or last
        nxt = np.sign(net[i + 1] - net[i])
        if d and nxt and d != nxt:
            out.append(i)
        last = d
    return out + [len(net) - 1]


def shape_text(ns, net) -> str:
    """The network's rate against N in words, from its turning points (turns): "goes from … to …"
    where it moves one way only, else each rise and fall up to the next turn, naming the highest
    and the lowest turn between the ends as the peak and the low."""
    at = turns(net)
    first, end = (f"**{rate_text(net[i])}** with N = {ns[i]}" for i in (at[0], at[-1]))
    if len(at) == 2:
        return f"The network's rate goes from {first} to {end}"
    inner = at[1:-1]
    top, low = max(inner, key=lambda i: net[i]), min(inner, key=lambda i: net[i])
    top = top if net[top] > max(net[0], net[-1]) else None
    low = low if net[low] < min(net[0], net[-1]) else None
    steps = []
    for a, b in zip(at[:-1], at[1:]):
        verb = "rises" if net[b] > net[a] else "falls"
        name = "a peak of " if b == top else "a low of " if b == low else ""
        where = end if b == at[-1] else f"{name}{rate_text(net[b])} (N = {ns[b]})"
        steps.append(f"{verb} to {where}")
    return (f"The network's rate does not move one way with N: from {first} it "
            + ", ".join(steps[:-1]) + f", then {steps[-1]}")


def sweep_text(rows, n_samples: int, z: float = None, panel: dict | None = None) -> str:
    """The sweep in words, from its numbers: rows of (N, network rate, fresh-draw rate). Gives the
    network rate's shape (shape_text) and judges each rise with N against the fresh-draw baseline's
    move at the same two N (rise_text); where the rate both rises and falls, each fall too.
    panel: the page's own network above the sweep, {"n", "rate", "steps", "width"}; where its N
    is one of the sweep's, its rate is put beside the sweep's there, with both trainings."""
    z = ERROR_BAR_Z if z is None else z
    ns = [int(r[0]) for r in rows]
    net = [float(r[1]) for r in rows]
    base = [float(r[2]) for r in rows]
    out = [shape_text(ns, net) + f" (error bars: ± {z:g} binomial standard errors of {n_samples:,} samples); fresh "
           f"draws stay between {rate_text(min(base))} and {rate_text(max(base))}."]
    rises = [i for i in range(len(net) - 1) if net[i + 1] > net[i]]
    if not rises:
        out.append("It never rises as N grows.")
    moves = [i for i in range(len(net) - 1) if net[i + 1] != net[i]] if rises and len(turns(net)) > 2 else rises
    out += [rise_text(ns[i:i + 2], net[i:i + 2], base[i:i + 2], n_samples, z) for i in moves]
    if panel is not None and int(panel["n"]) in ns:
        here = net[ns.index(int(panel["n"]))]
        mine = f"{int(panel['steps']):,} training steps, width {int(panel['width'])}"
        sweep = f"{SWEEP_STEPS:,} training steps, width {SWEEP_WIDTH}"
        same = mine == sweep
        out.append(f"At N = {int(panel['n'])} the panel above measured **{rate_text(float(panel['rate']))}** and the "
                   f"sweep **{rate_text(here)}**: "
                   + (f"the same training ({mine})." if same else
                      f"different trainings ({mine} above, {sweep} here), so the two rates need not agree."))
    return " ".join(out)


def sample_sets(cfg, emp, gmm, n: int, seed: int, device: str, learned: bool = True) -> dict:
    """{name: samples (n, 2)} in NAMES' order: the trained network's (when `learned`), the
    empirical mixture's exact score's, and fresh draws of the true mixture gmm."""
    sets = {}
    if learned:
        sets[NAMES["learned"]] = models.learned_samples(cfg, emp, LAM, device, "sde", SAMPLER_STEPS, n, seed)
    sets[NAMES["empirical"]] = models.exact_samples(emp, LAM, "sde", SAMPLER_STEPS, n, seed)
    sets[NAMES["truth"]] = models.true_samples(gmm, n, seed)
    return sets
