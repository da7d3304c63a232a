"""Cached computations and the trained network of the Guidance page: exact and learned CFG
samples, the truth (true samples of p(x | y), the samples figure's left panel) and its noise level, the measures over w, and
the guided field. Everything but the network is st.cache_data, keyed by value."""
from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import torch

import diffusion_core as dc
from diffusion_core import guidance as gd
from diffusion_core.flow import data_spread
from dashboard.figures.common import auto_limits, chart_spec, in_box, density_grid, figure_png
from dashboard.figures import guidance as gfig
from dashboard import lessons, models, state, vocabulary
from dashboard.models import value_text
from dashboard.vocabulary import point

GUIDANCE_WS = (0.0, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0)
MAX_CLASSES = 12            # the Guidance page needs a mixture of at most this many components
GUIDANCE_SAMPLER = "dpm2m_sde"   # at 60 steps its w = 1 samples match true samples of p(x | y)
TRUTH_REPEATS = 20          # independent sets of true samples that measure the truth-vs-truth noise
PAD = 4.0                   # the Guidance figures reach 4 stds beyond every mode (its 2σ region and more)
BOX_WORDS = f"the square holding every mode's mean ± {PAD:g} stds"   # the data's box (in_data_box), in words
MEASURES = {"spread_ratio": "spread", "leak": "leak", "logp_class": "mean log p₀(x | y)"}
N, STEPS = 600, 60          # the page's samples per w and sampler steps


def cond_net(cfg, gmm, lam: float, device: str = "cpu", progress=None):
    """The class-conditional ScoreNet (one class per component, label dropout 0.15)."""
    return lessons.trained("cond", cfg, gmm, lam, device, lambda cb: gd.train_cond_score_model(
        gmm, dc.VESDE(lam), None, cfg, device=device, callback=cb),
        "class-conditional score network", progress)[0]


def class_names(gmm) -> list[str]:
    """The class dropdown's labels: "class k: the mode at (x, y)" (vocabulary.point: never −0);
    where two modes' centres print alike (the cross), each also says its shape (mode_shape)."""
    at = [point(m) for m in gmm.means.tolist()]
    return [f"class {k + 1}: the mode at {p}" + (f", {mode_shape(gmm.covs[k])}" if at.count(p) > 1 else "")
            for k, p in enumerate(at)]


def mode_shape(cov) -> str:
    """A mode's shape from its covariance: "long along x", "long along y", "long along 45°" (the
    angle of its long axis from the x axis), or "round, std 0.5"."""
    vals, vecs = np.linalg.eigh(np.asarray(cov, dtype=float))
    stds = principal_stds(cov)
    if not vocabulary.elongated(stds):
        return f"round, {vocabulary.stds_text(stds)}"
    angle = round(float(np.degrees(np.arctan2(vecs[1, -1], vecs[0, -1]))) % 180) % 180
    return "long along " + {0: "x", 90: "y"}.get(angle, f"{angle}°")


def principal_stds(cov) -> np.ndarray:
    """A mode's principal stds, smallest first: the square roots of its covariance's eigenvalues."""
    return np.sqrt(np.clip(np.linalg.eigvalsh(np.asarray(cov, dtype=float)), 0, None))


def class_stds(gmm, y: int) -> np.ndarray:
    """The principal stds of class y's mode (principal_stds of its covariance; one mode per class)."""
    return principal_stds(gd.class_mixture(gmm, None, y).covs[0])


@state.cache_data(max_entries=64)
def guided_samples(gmm, lam: float, y: int, w: float, n: int, steps: int, seed: int) -> np.ndarray:
    """Samples of the exact classifier-free guided reverse SDE (same noise for every w)."""
    sde = dc.VESDE(lam)
    return dc.sample(gd.guided_score(gmm, sde, None, y, w), sde, n, steps, method=GUIDANCE_SAMPLER,
                     generator=torch.Generator().manual_seed(seed)).x.numpy()


@state.cache_data(max_entries=64)
def learned_guided_samples(cfg, gmm, lam: float, device: str, y: int, w: float, n: int, steps: int,
                           seed: int) -> np.ndarray:
    """Samples of learned CFG from the same noise as guided_samples."""
    net = lessons.on_cpu(cond_net(cfg, gmm, lam, device), device)
    fn = gd.cfg_combine(lambda x, t: net(x, t), lambda x, t: net(x, t, y), w)
    return dc.sample(fn, dc.VESDE(lam), n, steps, method=GUIDANCE_SAMPLER,
                     generator=torch.Generator().manual_seed(seed)).x.numpy()


@state.cache_data(max_entries=32)
def guidance_truth(gmm, y: int, n: int, seed: int) -> tuple[np.ndarray, dict]:
    """gd.truth_reference: n true samples of p(x | y) and, per measure, (mean, sd) over
    TRUTH_REPEATS independent sets of n true samples."""
    x, ref = gd.truth_reference(gmm, None, y, n, seed + 1, TRUTH_REPEATS)
    return x.numpy(), ref


@state.cache_data(max_entries=32)
def guidance_truth_sw2(gmm, y: int, n: int, seed: int) -> tuple[float, float]:
    """gd.truth_sw2 of the truth's sets: (mean, sd) of the sliced W₂ between two sets of n
    true samples of p(x | y), the level at which two sample sets are as close as the truth's."""
    return gd.truth_sw2(gmm, None, y, n, seed + 1, TRUTH_REPEATS)


MIN_KEPT = 50     # learned measures need at least this many learned samples inside the data's box


def learned_measured(row) -> bool:
    """Whether a row of guidance_table has learned measures: at least MIN_KEPT of its learned
    samples stayed inside the data's box (fewer, and the row's learned columns are nan); a row
    without the count (a table built by hand) has them."""
    return "learned_kept" not in row or bool(row["learned_kept"] >= MIN_KEPT)


def left_out_text(row) -> str:
    """A learned row's samples that land outside the data's box (BOX_WORDS), with the verb: "every one of its 600 samples lands", "590 of its 600 samples (all
    but 10, fewer than the 50 a measure needs) land" or "19% of its samples land" (row["far"],
    row["learned_kept"], row["learned_n"])."""
    n, kept = int(row["learned_n"]), int(row["learned_kept"])
    if kept == 0:
        return f"every one of its {n} samples lands"
    if kept < MIN_KEPT:
        return f"{n - kept} of its {n} samples (all but {kept}, fewer than the {MIN_KEPT} a measure needs) land"
    return f"{float(row['far']):.0%} of its samples land"


def far_cause_text(w: float) -> str:
    """Why learned CFG's samples can land outside the data's box at this w, from the guided score
    s_w = s + w·(s(· | y) − s) = (1 − w)·s + w·s(· | y) of the network's two learned scores: at w = 0
    it is s alone, at w = 1 s(· | y) alone, for 0 < w < 1 a weighted mean of the two (nothing
    amplified), and only for w > 1 does w multiply the difference s(· | y) − s with the errors of both
    learned scores (a bias shifts the samples, noise spreads them: not always noise)."""
    if w == 0:
        return ("at w = 0 the guided score s + w·(s(· | y) − s) is the learned unconditional score s itself: "
                "w multiplies the difference by zero, nothing is guided, and these are samples of the "
                "network's unconditional score (its null class) alone")
    if w == 1:
        return ("at w = 1 the guided score s + w·(s(· | y) − s) is the learned conditional score s(· | y) itself: "
                "nothing is amplified, and "
                "these are samples of the network's conditional score alone")
    if w < 1:
        return (f"at w = {w:g} the guided score (1 − w)·s + w·s(· | y) = {1 - w:g}·s + {w:g}·s(· | y) is a "
                "weighted mean of the learned unconditional and conditional scores: nothing is amplified, "
                "and these samples come from a mix of the two")
    return (f"the difference s(· | y) − s of two learned scores carries both networks' errors, and w = {w:g} "
            "multiplies them: a shift or a wider spread, as the caption's numbers show")


def left_out_reach(x, gmm) -> tuple[float, float]:
    """How far the samples left out (outside in_data_box) lie from the data: the median over them
    of the distance to the nearest mode, min_k |x − μ_k|, in data units and in that mode's largest
    principal std (principal_stds); a sample that is not finite lies infinitely far; (nan, nan)
    where none is left out."""
    out = x[~in_data_box(x, gmm)]
    if not len(out):
        return float("nan"), float("nan")
    m = gmm.means.numpy()
    d = np.linalg.norm(out[:, None] - m[None], axis=-1)
    d = np.where(np.isfinite(d), d, np.inf)
    k = np.argmin(np.where(np.isnan(d), np.inf, d), axis=1)
    dist = d[np.arange(len(out)), k]
    std = np.array([principal_stds(c)[-1] for c in gmm.covs.numpy()])[k]
    return float(np.median(dist)), float(np.median(dist / std))


FAR_STDS = 2 * PAD    # left-out samples at a median beyond this many stds of their nearest mode, and beyond
                      # the data's spread s, lie "far" from the data


def left_out_far(row) -> bool:
    """Whether the learned samples left out lie far from the data, in both scales: their median
    distance to the nearest mode beyond FAR_STDS of that mode's largest std (row["far_stds"]) and
    beyond the data's spread s = sqrt(trace Cov(p₀) / d) (row["far_dist"] > row["data_spread"]);
    a row without the measures (built by hand) is far."""
    return not (row.get("far_stds", np.inf) <= FAR_STDS or row.get("far_dist", np.inf) <= row.get("data_spread", 0.0))


def reach_text(row) -> str:
    """Where the learned samples left out lie, measured (left_out_reach), in both scales: "182 of 600,
    at a median of 5.1 of their nearest mode's stds (0.10, 0.068 times the data's spread s = 1.47)
    from it", then against FAR_STDS and s (left_out_far): ", within 8 of its stds", ", beyond 8 of
    its stds and beyond the data's spread: far from the data", or ": beyond 8 of its stds, off that
    narrow mode, yet close to it on the scale of the data"; the count only where left_out_text gives
    a share; "" in a row without the measure."""
    if "far_stds" not in row:
        return ""
    count = f", {gfig.left_out(row)} of {int(row['learned_n'])}" if learned_measured(row) and row["learned_kept"] else ""
    dist, stds = float(row["far_dist"]), float(row["far_stds"])
    if not np.isfinite(dist):
        return f"{count}, most of them not at any finite point"
    s = float(row.get("data_spread", np.nan))
    scale = f", {value_text(dist / s, 2)} times the data's spread s = {s:.2f}" if np.isfinite(s) else ""
    text = (f"{count}, at a median of {value_text(stds, 2)} of their nearest mode's stds "
            f"({value_text(dist, 2)}{scale}) from it")
    if stds <= FAR_STDS:
        return text + f", within {FAR_STDS:g} of its stds"
    if left_out_far(row):
        return text + f", beyond {FAR_STDS:g} of its stds and beyond the data's spread: far from the data"
    return text + f": beyond {FAR_STDS:g} of its stds, off that narrow mode, yet close to it on the scale of the data"


def far_warning_text(row) -> str:
    """The warning where learned CFG's samples land outside the data's box (row["far"] of them, at
    w = row["w"]), with how far they lie (reach_text): "far outside the data" only where they lie far
    in both the mode's and the data's scale (left_out_far), else "outside the data's box"; "guidance
    breaks down" only where far and w > 1, where w amplifies the difference of the two learned
    scores; for w ≤ 1 the network's own samples land there (far_cause_text); and the share of exact
    CFG's samples outside the same box (row["exact_far"])."""
    w = float(row["w"])
    if left_out_far(row):
        head = ("the learned network's guidance breaks down" if w > 1 else
                "the learned network's samples land far outside the data")
        where = "far outside the data" if w > 1 else "there"
    else:
        head = f"the learned network's samples spread past the data's box ({BOX_WORDS})"
        where = "outside it"
    tail = ("Those samples are left out of the learned numbers" if learned_measured(row) else
            f"Those samples are left out, and fewer than {MIN_KEPT} remain: this w has no learned numbers")
    exact = float(row.get("exact_far", 0.0))
    exact = (f"exact CFG from the same noise has {exact:.0%} of its samples outside the data's box too" if exact else
             "exact CFG from the same noise has none outside it")
    return (f"At w = {w:g} {head}: {left_out_text(row)} {where}{reach_text(row)} ({far_cause_text(w)}). "
            f"{tail}; {exact}.")


def kept_alike(r1, r2) -> bool:
    """Whether two rows' learned measures come from comparable samples: the counts left out
    (gfig.left_out) differ by no more than two counts' noise, 2·√(a + b) (models.counts_differ), so a
    change between them can be read as a change of the samples, not of which ones are measured."""
    return not models.counts_differ(gfig.left_out(r1), gfig.left_out(r2))


def left_out_pair(r1, r2) -> str:
    """The learned samples left out at two rows, in words: "samples outside the data's box, left out:
    0 of 600 at w = 1 and 111 of 600 at w = 4, 111 apart, beyond two counts' noise, 2√(0 + 111) = 21.1"."""
    said = " and ".join(f"{gfig.left_out(r)} of {int(r['learned_n'])} at w = {float(r.name):g}" for r in (r1, r2))
    return f"samples outside the data's box, left out: {said}, {models.count_gap(gfig.left_out(r1), gfig.left_out(r2))}"


def in_data_box(x, gmm):
    """Which samples are finite and inside the data's box (auto_limits: the square holding every
    mode's mean ± PAD stds, BOX_WORDS): one box over all modes, so a sample between modes, far
    from each, can lie inside it."""
    return in_box(x, *auto_limits(gmm, pad_std=PAD))


@state.cache_data(max_entries=128)
def guidance_row(gmm, lam: float, y: int, w: float, n: int, steps: int, seed: int, cfg=None,
                 device: str = "cpu") -> dict:
    """gd.guidance_metrics of the exact guided samples at w, n: how many they are (and, when cfg is given, of the
    learned ones, columns prefixed "learned_", plus far: the share of learned samples outside
    the data's plot box (in_data_box; thrown far away, left out of their measures), exact_far: the
    same share of the exact samples, far_dist and far_stds: left_out_reach of the learned samples,
    data_spread: the data's spread s (diffusion_core.flow.data_spread), learned_cut: how many
    learned samples lie outside the sample panels (samples_limits), learned_cut_gone: how many of
    those lie outside the data's box too,
    learned_kept and learned_n:
    how many stayed inside of how many, sw2_learned_exact, and learned_shift: the distance between
    the learned and the exact samples' means). Where fewer than MIN_KEPT learned samples stay
    inside, the learned measures are nan: nothing is measured from them."""
    x = guided_samples(gmm, lam, y, w, n, steps, seed)
    row = {"w": float(w), "n": int(len(x)), **gd.guidance_metrics(x, gmm, None, y)}
    if cfg is not None:
        xl = learned_guided_samples(cfg, gmm, lam, device, y, w, n, steps, seed)
        inside = in_data_box(xl, gmm)
        far_dist, far_stds = left_out_reach(xl, gmm)
        cut = ~in_box(xl, *samples_limits(gmm, y))
        row.update(far=float(1 - inside.mean()), exact_far=float(1 - in_data_box(x, gmm).mean()),
                   learned_kept=int(inside.sum()), learned_n=int(len(xl)), far_dist=far_dist,
                   far_stds=far_stds, data_spread=data_spread(gmm), learned_cut=int(cut.sum()),
                   learned_cut_gone=int((cut & ~inside).sum()))
        if learned_measured(row):
            xin = xl[inside]
            row.update({"learned_" + k: v for k, v in gd.guidance_metrics(xin, gmm, None, y).items()})
            row["sw2_learned_exact"] = float(dc.sliced_w2(xin, x))
            row["learned_shift"] = float(np.linalg.norm(xin.mean(0) - x.mean(0)))
        else:
            row.update({"learned_" + k: float("nan") for k in ("spread", *MEASURES)},
                       sw2_learned_exact=float("nan"), learned_shift=float("nan"))
    return row


def guidance_table(gmm, lam: float, y: int, n: int, steps: int, seed: int, cfg=None,
                   device: str = "cpu") -> pd.DataFrame:
    """guidance_row for every w of GUIDANCE_WS, one row each."""
    return pd.DataFrame([guidance_row(gmm, lam, y, w, n, steps, seed, cfg, device) for w in GUIDANCE_WS])


def samples_panels(gmm, lam: float, y: int, w: float, n: int, steps: int, seed: int, cfg=None,
                   device: str = "cpu") -> list[tuple[str, str, np.ndarray, str]]:
    """The samples figure's panels as (key, title, samples (n, 2), colour): true samples of
    p(x | y), exact CFG at w, and learned CFG at w when cfg is given (the chart and its PNG)."""
    panels = [(gfig.TRUTH, gfig.TRUTH, guidance_truth(gmm, y, n, seed)[0], gfig.SOURCE_COLORS[gfig.TRUTH]),
              ("exact CFG", f"exact CFG, w = {w:g}", guided_samples(gmm, lam, y, w, n, steps, seed),
               gfig.SOURCE_COLORS["exact CFG"])]
    if cfg is not None:
        panels.append(("learned CFG", f"learned CFG, w = {w:g}",
                       learned_guided_samples(cfg, gmm, lam, device, y, w, n, steps, seed),
                       gfig.SOURCE_COLORS["learned CFG"]))
    return panels


@state.cache_data(max_entries=32)
def guidance_samples_png(gmm, lam: float, y: int, w: float, n: int, steps: int, seed: int, cfg=None,
                         device: str = "cpu") -> tuple[bytes, dict]:
    """The samples figure of the Guidance page (samples_panels: true samples of p(x | y), exact
    CFG at w, learned CFG when cfg is given) as PNG, for its download, and per panel how many of
    its samples lie outside the panel."""
    panels = samples_panels(gmm, lam, y, w, n, steps, seed, cfg, device)
    xlim, ylim = samples_limits(gmm, y)
    xx, yy, logp, other = samples_grid(gmm, y)
    fig = gfig.samples_figure([(t, x, c) for _, t, x, c in panels], xx, yy, logp, xlim, ylim, other)
    return figure_png(fig), samples_outside(panels, xlim, ylim)


def samples_outside(panels, xlim, ylim) -> dict:
    """Per panel of samples_panels (by key), how many of its samples lie outside the box."""
    return {k: gfig.outside(x, xlim, ylim) for k, _, x, _ in panels}


def learned_caption(row, level: tuple[float, float], class_spread: float, digits: int = 2) -> str:
    """The samples caption's learned part (row: guidance_row): its measures, measured on the samples
    kept (how many, where some are left out: gfig.left_out) and the sliced W₂ against exact CFG's
    (sw2_verdict; level: guidance_truth_sw2); or that nothing is measured where too few are kept."""
    if not learned_measured(row):
        return (f" Learned: {left_out_text(row)} outside the data's box ({BOX_WORDS}); "
                "with those left out, nothing is measured from learned CFG at this w.")
    gone = gfig.left_out(row)
    kept = (f" (measured on the {int(row['learned_kept'])} of {int(row['learned_n'])} samples inside the data's "
            f"box; the {gone} outside it are left out, while exact CFG's numbers count all its samples)" if gone else "")
    return (f" Learned{kept}: {measures_text(row, 'learned_', digits)}; sliced W₂ between learned and exact "
            f"samples {sw2_verdict(row, level, class_spread)}.")


def panels_past_box(gmm, y: int) -> bool:
    """Whether the sample panels' box (samples_limits) reaches past the data's box (in_data_box's
    square) on some side, so that samples drawn near the panels' edge can lie outside the data's box."""
    (x0, x1), (y0, y1) = samples_limits(gmm, y)
    (d0, d1), (e0, e1) = auto_limits(gmm, pad_std=PAD)
    return x0 < d0 or x1 > d1 or y0 < e0 or y1 > e1


def panels_words(gmm, y: int) -> str:
    """The sample panels' box (samples_limits) in words, and where zoomed to the class, whether it
    reaches past the data's box (panels_past_box) or lies inside it."""
    if not class_zoomed(gmm, y):
        return "the data's box widened by a tenth on each side"
    return "zoomed to the class, " + ("reaching past the data's box" if panels_past_box(gmm, y) else
                                      "inside the data's box")


def drawn_left_out_text(row) -> str:
    """How many of the learned samples drawn in the panels (row["learned_n"] less row["learned_cut"],
    guidance_row) lie outside the data's box, left out of the learned numbers (those left out,
    gfig.left_out, less those outside the panels too, row["learned_cut_gone"]): "of the 103 learned
    samples drawn, 40 lie outside the data's box and are not in the learned numbers", or "every
    learned sample drawn is measured" where none does; and where some measured samples lie outside
    the panels (undrawn_measured_text), how many."""
    drawn = int(row["learned_n"]) - int(row["learned_cut"])
    gone = gfig.left_out(row) - int(row["learned_cut_gone"])
    measured = learned_measured(row)
    if drawn == 0:
        return "no learned sample is drawn"
    if gone == 0:
        return ("every learned sample drawn is measured" if measured else
                "every learned sample drawn lies inside the data's box") + undrawn_measured_text(row)
    one = gone == 1
    tail = f" and {'is' if one else 'are'} not in the learned numbers" if measured else ""
    return (f"of the {drawn} learned samples drawn, {gone} {'lies' if one else 'lie'} outside the data's box{tail}"
            + undrawn_measured_text(row))


def undrawn_measured_text(row) -> str:
    """The learned samples measured though not drawn (outside the panels, row["learned_cut"], but
    inside the data's box, not row["learned_cut_gone"]): "; 17 of the 63 measured lie outside the
    panels, not drawn"; "" where none does or nothing is measured."""
    undrawn = int(row["learned_cut"]) - int(row["learned_cut_gone"])
    if not undrawn or not learned_measured(row):
        return ""
    return (f"; {undrawn} of the {int(row['learned_kept'])} measured {'lies' if undrawn == 1 else 'lie'} "
            "outside the panels, not drawn")


def panels_left_out_text(row, gmm, y: int) -> str:
    """The warning's count of learned samples outside the sample panels (row["learned_cut"], the
    caption's count), where it exceeds those outside the data's box (left out of the learned
    numbers): how many of them are left out (row["learned_cut_gone"]) and how many stay in, and
    how many more are left out though inside the panels; "" where it does not exceed them."""
    if "learned_cut" not in row:
        return ""
    n, cut, both = int(row["learned_n"]), int(row["learned_cut"]), int(row["learned_cut_gone"])
    gone = n - int(row["learned_kept"])
    if cut <= gone:
        return ""
    text = (f" {cut} of {n} learned samples lie outside the panels ({panels_words(gmm, y)}); {both} of them "
            f"outside the data's box too are left out of the learned numbers, the other {cut - both} stay in them")
    if gone > both:
        text += f"; {gone - both} more, inside the panels but outside the data's box, are left out too"
    return text + "."


def outside_text(cut: dict, row, gmm, y: int) -> str:
    """The samples caption's count of samples outside the panels (cut: samples_outside's non-zero
    counts by panel key), and where learned CFG's is among them, how it differs from the learned
    samples left out of the learned numbers (row: guidance_row): those lie outside the data's box
    (BOX_WORDS), the panels' box is samples_limits (zoomed to the class where
    class_zoomed), each counted on its own box, and how many of the learned samples drawn are
    left out (drawn_left_out_text); "" where no panel cuts a sample."""
    if not cut:
        return ""
    text = " Outside the panels (not drawn): " + ", ".join(f"{k} {v}" for k, v in cut.items()) + "."
    if "learned CFG" in cut and "learned_kept" in row:
        gone = int(row["learned_n"]) - int(row["learned_kept"])
        text += (f" That count is of the panels' box ({panels_words(gmm, y)}); the learned samples left out of the learned "
                 f"numbers are those outside the data's box ({BOX_WORDS}): {gone} of "
                 f"{int(row['learned_n'])} here; {drawn_left_out_text(row)}.")
    return text


_W = "@w"     # samples_view's placeholder for w in the panels' titles, filled by samples_spec


@state.cache_data(max_entries=32)
def samples_view(gmm, y: int, learned: bool) -> dict:
    """What the samples chart draws but the samples and w: the Vega-Lite spec of
    gfig.samples_chart over samples_limits and samples_background_url (titles with a placeholder
    for w, no dataset)."""
    xlim, ylim = samples_limits(gmm, y)
    keys = [gfig.TRUTH, "exact CFG"] + (["learned CFG"] if learned else [])
    panels = [(k, k if k == gfig.TRUTH else f"{k}, w = {_W}", gfig.SOURCE_COLORS[k]) for k in keys]
    return {"spec": chart_spec(gfig.samples_chart(panels, xlim, ylim, samples_background_url(gmm, y)))}


def samples_spec(gmm, lam: float, y: int, w: float, n: int, steps: int, seed: int, cfg=None,
                 device: str = "cpu") -> tuple[dict, dict]:
    """The samples chart at w (samples_view's spec with w in its titles and samples_panels'
    samples as its dataset, sent as Arrow), and per panel how many samples lie outside it."""
    panels = samples_panels(gmm, lam, y, w, n, steps, seed, cfg, device)
    words = f"{w:g}"

    spec = _fill(samples_view(gmm, y, cfg is not None)["spec"], words)
    spec["datasets"] = {**spec.get("datasets", {}),
                        gfig.SAMPLES_DATA: gfig.sample_frame([(k, x) for k, _, x, _ in panels])}
    return spec, samples_outside(panels, *samples_limits(gmm, y))


@state.cache_data(max_entries=32)
def samples_background_url(gmm, y: int) -> str:
    """The sample panels' background (gfig.samples_background over samples_grid: the contours of
    log p₀(x | y) and the hatched region where another class is more likely) as a PNG data URL."""
    xlim, ylim = samples_limits(gmm, y)
    xx, yy, logp, other = samples_grid(gmm, y)
    png = figure_png(gfig.samples_background(xx, yy, logp, xlim, ylim, other))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@state.cache_data(max_entries=32)
def samples_grid(gmm, y: int, n: int = 100):
    """The sample panels' grid over samples_limits: xx, yy, log p₀(x | y), and where another class
    is more likely than y (the most responsible component of p₀ is not y's: the leak's own rule,
    gd.guidance_metrics), as an (n, n) boolean array."""
    xlim, ylim = samples_limits(gmm, y)
    xx, yy, logp = density_grid(gd.class_mixture(gmm, None, y), xlim, ylim, n=n)
    pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
    top = gmm.responsibilities(pts).argmax(1).numpy().reshape(xx.shape)
    return xx, yy, logp, ~np.isin(top, gd.make_classes(gmm, None)[y])


def question_text(leak: float, n: int) -> str:
    """The page's question, from the truth's leak (its share of n true samples of the class that land
    where another class is more likely): where some do, what w = 4 does to that leak and what the
    class pays; where none of the n do, there is no leak to remove, so it asks what w = 4 costs."""
    head = "**Question:** at w = 1 the guided score is exactly the conditional score ∇ log pₜ(x | y)"
    if leak * n >= 1:
        return (head + f", yet {leak:.1%} of true samples of this class land where another class is more "
                "likely. What does w = 4 do to that leak, and what does the class pay for it?")
    return (head + f"; on this mixture none of {n:,} true samples of this class lands where another class "
            "is more likely (the modes barely overlap), so guidance has no leak to remove here. What does "
            "w = 4 do to the class's spread and to how likely its samples are, and what does it buy?")


def leak_region_text(gmm, y: int) -> str:
    """The sample panels' sentence on the hatched region, from the grid drawn: where another class
    is more likely, or that no point of the panels is such a place."""
    other = samples_grid(gmm, y)[3]
    if not other.any():
        return ("No point of these panels lies where another class is more likely, so no sample drawn "
                "here counts as a leak.")
    return (f"Hatched, behind a dashed line: where another class is more likely than this one "
            f"(p₀(y′ | x) > p₀(y | x), {other.mean():.0%} of each panel): the samples there are the leak.")


def panel_limits(gmm) -> tuple[tuple[float, float], tuple[float, float]]:
    """The Guidance and Flow panels' square box: PAD stds beyond every mode, widened by a tenth of
    its width on each side (narrow modes on the box's edge would look cut)."""
    (x0, x1), (y0, y1) = auto_limits(gmm, pad_std=PAD)
    m = 0.1 * (x1 - x0)
    return (x0 - m, x1 + m), (y0 - m, y1 + m)


FIELD_ROOM = 0.25   # the field panel keeps the class's modes at least this share of its width from its edges


def field_limits(gmm, y: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """The guided-field panel's box: panel_limits of the mixture, widened where a mode of class y
    lies closer than FIELD_ROOM of the box's width to an edge (ring8's outer modes would sit at
    the edge, their diffused density cut)."""
    lims = panel_limits(gmm)
    modes = gd.class_mixture(gmm, None, y).means.numpy()
    room = FIELD_ROOM * (lims[0][1] - lims[0][0])
    return tuple((min(lo, float(modes[:, i].min()) - room), max(hi, float(modes[:, i].max()) + room))
                 for i, (lo, hi) in enumerate(lims))


ZOOM_BELOW = 0.5    # the sample panels zoom to the class when its box is under this share of the mixture's


def class_zoomed(gmm, y: int) -> bool:
    """Whether the class y is small against the mixture: its modes' PAD-std box is narrower than
    ZOOM_BELOW of the mixture's panel box."""
    (c0, c1), _ = auto_limits(gd.class_mixture(gmm, None, y), pad_std=PAD)
    (m0, m1), _ = auto_limits(gmm, pad_std=PAD)
    return (c1 - c0) < ZOOM_BELOW * (m1 - m0)


def samples_limits(gmm, y: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """The sample panels' box: panel_limits of the class's own modes when it is small against
    the mixture (class_zoomed), else of the whole mixture."""
    return panel_limits(gd.class_mixture(gmm, None, y) if class_zoomed(gmm, y) else gmm)


def w_list(ws, index) -> str:
    """The w's of ws in words, in the order of index (the w's drawn): "w = 8", "w = 2 and 8", or
    "every w from 1 to 8" where they are three or more neighbours on the chart."""
    ws = sorted(float(w) for w in ws)
    order = [float(w) for w in index]
    pos = [order.index(w) for w in ws]
    if len(ws) >= 3 and pos == list(range(pos[0], pos[0] + len(ws))):
        return f"every w from {ws[0]:g} to {ws[-1]:g}"
    if len(ws) == 1:
        return f"w = {ws[0]:g}"
    return "w = " + ", ".join(f"{w:g}" for w in ws[:-1]) + f" and {ws[-1]:g}"


def logp_peak(values: pd.Series, ref: tuple[float, float], k: float = gfig.NOISE_K, who: str = "",
              drawn=None) -> str:
    """Where mean log p₀(x | y) over w (values indexed by w) is highest, from its numbers: the w of
    its top value, alone where every other w lies below it by more than the truth's noise level
    (k sd), else with the w's that lie within that level of it (w_list), which the chart cannot
    tell from the top. who names whose curve it reads ("Exact CFG's"); a top alone at the largest
    w drawn (drawn: the w's on the chart, values.index unless given) is called so."""
    drawn = values.index if drawn is None else drawn
    top_w, top = float(values.idxmax()), float(values.max())
    near = [float(w) for w, v in values.items() if top - float(v) <= k * ref[1] + 1e-12]
    what = f"{who} mean log p₀(x | y)" if who else "Mean log p₀(x | y)"
    if len(near) == 1:
        last = ", the largest w drawn" if who and top_w == float(drawn[-1]) else ""
        return f"{what} is highest at w = {top_w:g}{last}."
    level = f"the truth's noise level (±{k * ref[1]:.2f})"
    if len(near) >= 3 and w_list(near, drawn).startswith("every"):
        return (f"{what} is highest at w = {top_w:g}, but {w_list(near, drawn)} lies within "
                f"{level} of that top value: the chart cannot tell them apart.")
    others = [w for w in near if w != top_w]
    verb = "lies" if len(others) == 1 else "lie"
    return (f"{what} is highest at w = {top_w:g}, but {w_list(others, drawn)} {verb} within "
            f"{level} of it: the chart cannot tell {'the two' if len(others) == 1 else 'them'} apart.")


def logp_peaks(at: pd.DataFrame, truth: dict) -> str:
    """logp_peak of every curve the sweep chart draws (at: guidance_table indexed by w): exact
    CFG's, and learned CFG's where the table has it, each named."""
    text = logp_peak(at["logp_class"], truth["logp_class"], who="Exact CFG's")
    if "learned_logp_class" in at:
        values = at["learned_logp_class"].dropna()
        if len(values):
            text += " " + learned_logp_peak(at, values, truth)
    return text


def learned_logp_peak(at: pd.DataFrame, values: pd.Series, truth: dict) -> str:
    """Where learned CFG's mean log p₀(x | y) (values: its measured w's of at, a guidance_table
    indexed by w) is highest: logp_peak, or, where even its top lies below the chart's floor
    (gfig.clip_floor) so that every point is drawn as ▼ at the bottom edge, that they lie below the
    axis, with the values. A top is named only among the w's whose samples left out (gfig.left_out)
    are alike (alike_group, kept_alike): leaving out the worst samples raises a mean, so the w's
    outside that group are named as left out of the ranking, with their counts (ranked_among); where
    no two w's are alike the values are said to be measured on different samples and not ranked
    (kept_unranked); where samples are left out at the top's w, that the value is of the samples
    kept there."""
    floor = gfig.clip_floor(*truth["logp_class"])
    rows = [at.loc[w] for w in values.index]
    group = alike_group(rows)
    ranked = len(group) >= 2 or len(rows) == 1
    ranked_values = values.loc[[w for w in values.index if any(w == r.name for r in group)]]
    top_w = float(ranked_values.idxmax())
    if float(values.max()) >= floor:
        text = (logp_peak(ranked_values, truth["logp_class"], who="Learned CFG's", drawn=values.index)
                if ranked else "")
    else:
        nats = lambda v: f"{float(v):.1f}".replace("-", "−")      # noqa: E731 (the page's minus sign)
        said = ", ".join(f"{nats(v)} at w = {float(w):g}" for w, v in values.items())
        text = (f"Learned CFG's mean log p₀(x | y) lies below the log-likelihood chart's axis ({nats(floor)}) at "
                f"{w_list(values.index, at.index)}, drawn as ▼ at its bottom edge, so the chart shows no top "
                f"({said})" + (f"; the highest of these values is at w = {top_w:g}." if ranked else "."))
    if not ranked:
        return (text + " " + kept_unranked(rows)).strip()
    text += ranked_among(rows, group, values.index)
    row = at.loc[top_w]
    if gfig.left_out(row):
        text += (f" The value at w = {top_w:g} is of the {int(row['learned_kept'])} of {int(row['learned_n'])} "
                 f"samples kept there ({gfig.left_out(row)} land outside the data's box and are left out).")
    return text


def alike_group(rows) -> list:
    """The rows of a guidance_table (named by w) whose learned means can be ranked against one
    another: taken by samples left out (gfig.left_out), fewest first, each kept where it is alike
    (kept_alike) with every row kept before it."""
    group = []
    for r in sorted(rows, key=gfig.left_out):
        if all(kept_alike(r, g) for g in group):
            group.append(r)
    return group


def ranked_among(rows, group, drawn) -> str:
    """Which w's a learned top was ranked among (group: alike_group of rows, with their counts
    kept) and which are left out of that ranking, with theirs, and which w's in it have samples left
    out (ranked_with_left_out); "" where every row is in it with none left out."""
    out = [r for r in rows if not any(r.name == g.name for g in group)]
    if not out:
        return ranked_with_left_out(group, drawn)
    kept = sorted({int(g["learned_kept"]) for g in group})
    n = int(group[0]["learned_n"])
    alike = f"{kept[0]} of {n} kept at each" if len(kept) == 1 else f"{kept[0]} to {kept[-1]} of {n} kept"
    said = ", ".join(f"{int(r['learned_kept'])} of {int(r['learned_n'])} at w = {float(r.name):g}" for r in out)
    ws = w_list([float(r.name) for r in out], drawn)
    verb = "is" if len(out) == 1 or ws.startswith("every") else "are"
    return (f" That ranking is among {w_list([g.name for g in group], drawn)} only, whose samples kept are alike "
            f"({alike}); {ws} {verb} left out of it, measured on different samples kept ({said}; "
            "the rest land outside the data's box): leaving out the worst samples raises a mean."
            + ranked_with_left_out(group, drawn))


def ranked_with_left_out(group, drawn) -> str:
    """The w's inside a learned ranking (group: alike_group) that have samples left out
    (gfig.left_out), with their counts: in the ranking, since their counts kept are alike the
    others' within two counts' noise (kept_alike); "" where none has any left out."""
    some = [g for g in group if gfig.left_out(g)]
    if not some:
        return ""
    said = ", ".join(f"{gfig.left_out(r)} of {int(r['learned_n'])} at w = {float(r.name):g}" for r in some)
    ws = w_list([float(r.name) for r in some], drawn)
    return (f" That ranking includes {ws}, with samples outside the data's box left out ({said}): the counts "
            "kept are alike within two counts' noise.")


def kept_unranked(rows) -> str:
    """Learned CFG's mean log p₀(x | y) over rows of a guidance_table (named by w) of which no two
    have samples left out alike (kept_alike): measured on different samples kept, with each row's
    count, and not ranked, since leaving out the worst samples raises a mean."""
    said = ", ".join(f"{int(r['learned_kept'])} at w = {float(r.name):g}" for r in rows)
    n = {int(r["learned_n"]) for r in rows}
    of = f"of {n.pop()}: " if len(n) == 1 else ""
    return (f"Learned CFG's mean log p₀(x | y) is measured on different samples kept ({of}{said}; the rest land "
            f"outside the data's box and are left out): not ranked, since leaving out the worst samples "
            "raises a mean.")


def unmeasured_text(at: pd.DataFrame) -> str:
    """The w's of a guidance_table (indexed by w) where learned CFG has no measures
    (learned_measured false: nearly all its samples land outside the data's box), in words:
    the sweep chart draws no learned point there; "" where every w has them."""
    gone = [float(w) for w, r in at.iterrows() if not learned_measured(r)]
    if not gone:
        return ""
    box = f"outside the data's box ({BOX_WORDS})"
    if all(int(at.loc[w, "learned_kept"]) == 0 for w in gone):
        said = f"every one of its samples there lands {box} and is left out"
    else:
        said = f"all but fewer than {MIN_KEPT} of its samples there land {box} and are left out"
    where = w_list(gone, at.index).replace("every w from", "any w from")
    return f" Learned CFG has no point at {where}: {said}, so nothing is measured from them."


def hollow_text(table: pd.DataFrame, learned: bool) -> str:
    """The sweep chart's hollow learned points (gfig.left_out_counts > 0 among the rows with learned
    measures, learned_measured), in words with their counts: " Hollow learned points: measured on the
    samples kept, some left out (outside the data's box: 275 of 600 at w = 6; …)"; "" where none is
    drawn hollow."""
    if not learned or "learned_kept" not in table:
        return ""
    counts = gfig.left_out_counts(table)
    said = [f"{c} of {int(r['learned_n'])} at w = {float(r['w']):g}"
            for c, (_, r) in zip(counts, table.iterrows()) if c > 0 and learned_measured(r)]
    if not said:
        return ""
    return (f" Hollow learned points: {gfig.HOLLOW_WORDS} (outside the data's box: {'; '.join(said)}; "
            "each point's tooltip gives its count).")


def thin_band_text(table: pd.DataFrame, truth: dict, learned: bool) -> str:
    """The sweep panels whose truth band is thinner than gfig.MIN_BAND_PX as drawn (gfig.band_heights:
    the truth's noise is small against the curves' range there), named with the band's ± so that a
    class looking for it knows it lies under the green dashed line; "" where every band shows."""
    thin = [(gfig.METRICS[col][1], gfig.NOISE_K * truth[col][1], px)
            for col, px in gfig.band_heights(table, truth, learned).items() if px < gfig.MIN_BAND_PX]
    if not thin:
        return ""
    said = vocabulary.and_list(f"{kind} (± {value_text(half)}, {px:.1f} px tall)" if half > 0 else
                               f"{kind} (no noise: true samples all score the same)" for kind, half, px in thin)
    return (f" On {said} the band is too thin to see beside the curves' range: it lies under the green "
            "dashed line.")


def clipped_text(at: pd.DataFrame, truth: dict) -> str:
    """The sweep caption's list of mean log p₀(x | y) values below the chart's floor
    (gfig.clip_floor), drawn at its bottom edge as triangles, each named by its curve (exact CFG,
    learned CFG); where both curves are clipped at one w their triangles lie on the same spot.
    "" where none is."""
    floor = gfig.clip_floor(*truth["logp_class"])
    low = {name: {float(w): float(v) for w, v in at[prefix + "logp_class"].items() if v < floor}
           for name, prefix in (("exact CFG", ""), ("learned CFG", "learned_")) if prefix + "logp_class" in at}
    said = [f"{name} at w = {w:g} ({v:.0f})" for name, vals in low.items() for w, v in vals.items()]
    if not said:
        return ""
    text = " Drawn as triangles at the log-likelihood chart's bottom edge: " + ", ".join(said) + "."
    both = sorted(set.intersection(*(set(v) for v in low.values()))) if len(low) == 2 else []
    if both:
        text += (f" At w = {', '.join(f'{w:g}' for w in both)} the exact and learned triangles lie on the "
                 "same spot, one hiding the other.")
    return text


def truth_under_curve(at: pd.DataFrame, truth: dict, chosen=None) -> str:
    """The measures on which exact CFG stays inside the truth's band at every w from 1 on (at:
    guidance_table indexed by w), where its red line runs along the green dashed one, in words;
    "" where there is none. Where the chosen w (chosen: guidance_row at it, the samples panels')
    is not one of the sweep's, "every w of the sweep", and the measures named whose panel value
    at the chosen w lies outside the band (chosen_outside_text)."""
    on = [col for col in MEASURES
          if all(matches_truth(v, truth[col]) for w, v in at[col].items() if float(w) >= 1)]
    if not on:
        return ""
    between = chosen is not None and float(chosen["w"]) >= 1 and float(chosen["w"]) not in at.index
    return (f" Exact CFG stays inside the band at every w {'of the sweep ' if between else ''}from 1 to "
            f"{float(at.index[-1]):g} on {', '.join(MEASURES[c] for c in on)}: there its red line runs along the "
            "green one." + (chosen_outside_text(chosen, truth, on) if between else ""))


def chosen_outside_text(chosen, truth: dict, cols) -> str:
    """Of the measures cols, those whose samples panels' value at the chosen w (chosen: guidance_row
    at a w the sweep lacks) lies outside the truth's band (matches_truth false), with the value as
    the panels' caption prints it: " At the chosen w = 3, not one of the sweep's, the samples panels
    above measure leak 0.2%, outside the band."; "" where none lies outside."""
    fmt = {"spread_ratio": "{:.2f}×", "leak": "{:.1%}", "logp_class": "{:.2f}"}
    out = [f"{MEASURES[c]} {fmt[c].format(float(chosen[c]))}" for c in cols if not matches_truth(chosen[c], truth[c])]
    if not out:
        return ""
    return (f" At the chosen w = {float(chosen['w']):g}, not one of the sweep's, the samples panels above measure "
            f"{vocabulary.and_list(out)}, outside the band.")


def matches_truth(value: float, ref: tuple[float, float], k: float = gfig.NOISE_K) -> bool:
    """Whether a measure's value lies within k standard deviations of the truth-vs-truth noise
    around the truth's mean (ref = (mean, sd) from guidance_truth)."""
    mean, sd = ref
    return bool(abs(float(value) - mean) <= k * sd + 1e-12)


def spread_change(at1: float, at4: float, ref: tuple[float, float], digits: int = 2) -> str:
    """The spread ratio from w = 1 to w = 4 in words, against the truth's (ref = (mean, sd)),
    printed with `digits` decimals (band_digits: a value outside the band prints outside it; with
    more than 2, beside the band: band_aside)."""
    what = ("within the truth's noise level: no loss of diversity on this class" if matches_truth(at4, ref)
            else "no change beyond the truth's noise level: the gap to the truth's spread is there "
                 "already at w = 1" if abs(at4 - at1) <= gfig.NOISE_K * ref[1]
            else "the class pays in diversity" if at4 < at1 else "wider, not narrower")
    return f"{at1:.{digits}f}× → {at4:.{digits}f}×{band_aside(ref, gfig.NOISE_K, digits)} ({what})"


def band_digits(values, ref: tuple[float, float], k: float = gfig.NOISE_K) -> int:
    """How many decimals the page prints ratios and the truth's band (mean ± k sd) with: 2, or more
    where a value outside the band (matches_truth false) would print equal to one of the band's
    printed edges, so that every value called outside visibly lies outside the printed band."""
    mean, sd = ref
    edges = (mean - k * sd, mean + k * sd)
    outside = [float(v) for v in values if not matches_truth(v, ref, k)]
    for d in range(2, 7):
        if all(f"{v:.{d}f}" != f"{e:.{d}f}" for v in outside for e in edges):
            return d
    return 6


def measures_text(row, prefix: str = "", digits: int = 2) -> str:
    """A row's three measures as the samples caption prints them (the spread with `digits`)."""
    return (f"spread {row[prefix + 'spread_ratio']:.{digits}f}×, leak {row[prefix + 'leak']:.1%}, "
            f"mean log p₀(x | y) {row[prefix + 'logp_class']:.2f}")


JUST_OUT = 0.2     # beyond the band's edge by less than this share of its half-width: "only just" outside


def beyond_band(value: float, ref: tuple[float, float], k: float = gfig.NOISE_K) -> float:
    """How far a value lies beyond the nearer edge of the truth's band (mean ± k sd); ≤ 0 inside."""
    mean, sd = ref
    return abs(float(value) - mean) - k * sd


def _margin(col: str, v: float, digits: int) -> str:
    """A distance in a measure's own units: a spread ratio with at least 3 decimals, a leak in
    percentage points, a log-likelihood in nats."""
    if col == "leak":
        return f"{100 * v:.2g} percentage points"
    return f"{v:.{max(digits, 3)}f}" + (" nats" if col == "logp_class" else "")


def off_words(row, truth: dict, prefix: str = "", digits: int = 2, k: float = gfig.NOISE_K) -> str:
    """off_truth's measures in words, with where they lie: "outside the band in spread and leak, and
    only just outside it in mean log p₀(x | y) (0.012 nats beyond the band's edge, …)", or "only just
    outside the band in spread (…)" where every measure out is only just out: a measure beyond the band's edge by less than JUST_OUT of the
    band's half-width (k sd) is told apart as only just outside, with both numbers; "" where every
    measure lies inside."""
    clear, just = [], []
    for col, name in MEASURES.items():
        out = beyond_band(row[prefix + col], truth[col], k)
        if out <= 1e-12:
            continue
        half = k * truth[col][1]
        if out < JUST_OUT * half:
            just.append((name, f"{_margin(col, out, digits)} beyond the band's edge, under {JUST_OUT:.0%} of "
                               f"the band's half-width, {_margin(col, half, digits)}"))
        else:
            clear.append(name)
    text = f"outside the band in {vocabulary.and_list(clear)}" if clear else ""
    if just:
        detail = "; ".join(d if len(just) == 1 else f"{n}: {d}" for n, d in just)
        text += (", and only just outside it" if clear else "only just outside the band") + (
            f" in {vocabulary.and_list([n for n, _ in just])} ({detail})")
    return text


@state.cache_data(max_entries=32)
def start_far(gmm, lam: float) -> str:
    """models.start_far of the guided sampler's start: σ₁ of the VE process at λ against the
    mixture's widest std (the Exact-score reversal's rule); "" where σ₁ is wide enough."""
    return models.start_far(dc.VESDE(lam).prior_std(), gmm)


def sampler_cause(start: str) -> str:
    """Why exact CFG at w = 1 misses the truth, to follow the measures it misses: the sampler's
    error, and where its start is far from p₁ (start: start_far's words), that as a possible cause
    beside its steps, which a larger λ tells apart (on a mixture of narrow modes the miss stayed the
    same from λ = 2 to 50: the steps', not the start's)."""
    if not start:
        return " (the sampler's error)"
    return (f": the sampler's error. {start}, so the sampler's start N(0, σ₁² I) is far from p₁: a "
            "possible cause beside its steps (a larger λ, which widens the start, tells the two apart)")


def sweep_summary(at: pd.DataFrame, truth: dict, start: str = "", chosen=None) -> str:
    """The sweep caption's account of exact CFG (at: guidance_table indexed by w): the measures
    where its curve runs along the truth's line (truth_under_curve), w = 1 against the truth's
    band (off_words; outside, its cause: sampler_cause with start, start_far's words), the leak and
    spread from w = 1 to w = 4, w = 0 (unguided_words, naming a far start there too), and where
    mean log p₀(x | y) peaks on each curve drawn
    (logp_peaks); each sentence's spreads printed with band_digits over the spreads it prints.
    chosen: guidance_row at the page's w, for logp_fall."""
    w1, w4, w0 = at.loc[1.0], at.loc[4.0], at.iloc[0]
    d = band_digits([w1["spread_ratio"], w4["spread_ratio"], w0["spread_ratio"]], truth["spread_ratio"])
    off1 = off_words(w1, truth, digits=band_digits([w1["spread_ratio"]], truth["spread_ratio"]))
    return ("Green band: the truth ± its noise level, its mean the green dashed line, drawn over "
            "the curves." + truth_under_curve(at, truth, chosen) + " Exact CFG at w = 1 is "
            + (off1 + sampler_cause(start) if off1
               else "inside the band in every measure")
            + f". From w = 1 to w = 4 exact CFG's leak goes {w1['leak']:.1%} → {w4['leak']:.1%} and its spread "
            + spread_change(w1["spread_ratio"], w4["spread_ratio"], truth["spread_ratio"], digits=d)
            + f"; at w = {float(w0.name):g} exact CFG's leak is {w0['leak']:.0%} and the spread "
            f"{w0['spread_ratio']:.{d}f}× ({unguided_words(start, bool(off1))}). " + logp_fall(at, truth, chosen=chosen)
            + logp_peaks(at, truth))


def unguided_words(start: str, said: bool) -> str:
    """What exact CFG at w = 0 samples: every class, and where the start is far from p₁ (start:
    start_far's words; said: sweep_summary named it already at w = 1), from that start, at every w."""
    if not start:
        return "samples of every class"
    if said:
        return "samples of every class, from the same start far from p₁"
    return f"samples of every class; {start}, so the sampler's start N(0, σ₁² I) is far from p₁ at every w"


def logp_fall(at: pd.DataFrame, truth: dict, k: float = gfig.NOISE_K, chosen=None) -> str:
    """Where exact CFG's mean log p₀(x | y) (at: guidance_table indexed by w) lies below the
    truth's band at every w from some w ≥ 1 on, in words with its values there: the class pays for
    a large w in likelihood (its samples sit where p(x | y) is lower than the truth's do), which the
    leak does not show; "" where the curve ends inside or above the band. Values and band are
    printed with band_digits decimals, so a value said below visibly lies below the printed edge.
    chosen (guidance_row at the page's w): where that w is not one of the sweep's, chosen_logp_text."""
    mean, sd = truth["logp_class"]
    lo = mean - k * sd
    ws = [float(w) for w in at.index if float(w) >= 1]
    i = len(ws)
    while i > 0 and float(at.loc[ws[i - 1], "logp_class"]) < lo:      # the run of w's below the band at the end
        i -= 1
    if i == len(ws):
        return ""
    first = ws[i]
    vals = [first] + ([ws[-1]] if ws[-1] != first else [])
    between = chosen is not None and float(chosen["w"]) >= 1 and float(chosen["w"]) not in ws
    d = band_digits([at.loc[w, "logp_class"] for w in vals] + ([chosen["logp_class"]] if between else []), (mean, sd), k)
    said = ", ".join(f"{float(at.loc[w, 'logp_class']):.{d}f} at w = {w:g}" for w in vals)
    if between:
        said += f"; the sweep's w: {', '.join(f'{float(x):g}' for x in at.index)}"
    return (f"Exact CFG's mean log p₀(x | y) lies below the truth's band ({nats_band((mean, sd), k, d)}) "
            f"from w = {first:g} on ({said}): there the class pays in likelihood, its samples sitting where "
            "p(x | y) is lower than the truth's do. "
            + (chosen_logp_text(chosen, first, (mean, sd), k, d) if between else ""))


def chosen_logp_text(chosen, first: float, ref: tuple[float, float], k: float, d: int) -> str:
    """logp_fall's sentence where the chosen w (chosen: guidance_row at it, the samples panels') is
    not one of the sweep's: the panels' own mean log p₀(x | y) there against the band (band_side),
    "already" where it lies below the band before the sweep's first w below it (first), "unlike the
    sweep's w after it" where it does not lie below the band past first: "At the chosen w = 3, not
    one of the sweep's, the samples panels above measure -3.22, outside the band, below it already."
    """
    w, v = float(chosen["w"]), float(chosen["logp_class"])
    below = v < ref[0] - k * ref[1]
    side = band_side(v, ref, k)
    place = "inside the band" if side == "inside" else f"{side} the band, {'above' if v > ref[0] else 'below'} it"
    note = (" already" if below and w < first else
            f", unlike the sweep's w from {first:g} on" if not below and w > first else "")
    return f"At the chosen w = {w:g}, not one of the sweep's, the samples panels above measure {v:.{d}f}, {place}{note}. "


def towards_truth(v1: float, v4: float, ref: tuple[float, float], k: float = gfig.NOISE_K) -> bool:
    """Whether a measure off the truth's band at w = 1 (beyond_band > 0) lies nearer the band at
    w = 4: beyond_band(v4) < beyond_band(v1), guidance correcting the sampler's error rather than
    moving away from the truth."""
    return beyond_band(v1, ref, k) > 1e-12 and beyond_band(v4, ref, k) < beyond_band(v1, ref, k)


def trade_text(at: pd.DataFrame, truth: dict, k: float = gfig.NOISE_K) -> str:
    """Under the page's title "trading diversity for fidelity", where exact CFG (at: guidance_table
    indexed by w) from w = 1 to w = 4 spreads wider and its mean log p₀(x | y) falls, each by more
    than k truth sd, with the numbers and the leak's; "" where it does not. Where both measures lie
    off the truth's band at w = 1 and nearer it at w = 4 (towards_truth), guidance corrects the
    sampler's error there (correction_text); else the class shows no trade of diversity for
    fidelity, any measure that moves towards its band from outside said so."""
    w1, w4 = at.loc[1.0], at.loc[4.0]
    wider = w4["spread_ratio"] > w1["spread_ratio"] + k * truth["spread_ratio"][1]
    less_likely = w4["logp_class"] < w1["logp_class"] - k * truth["logp_class"][1]
    if not (wider and less_likely):
        return ""
    towards = [col for col in ("spread_ratio", "logp_class")
               if towards_truth(w1[col], w4[col], truth[col], k)]
    if len(towards) == 2:
        return correction_text(w1, w4, truth, k)
    d = band_digits([w1["spread_ratio"], w4["spread_ratio"]], truth["spread_ratio"], k)
    bands = {"spread_ratio": band(truth["spread_ratio"], k, d), "logp_class": nats_band(truth["logp_class"], k)}
    aside = "".join(f"; its {MEASURES[col]} moves towards the truth's band ({bands[col]}) from outside it at "
                    "w = 1, correcting the sampler's error there" for col in towards)
    return (f"On this class there is no trade of diversity for fidelity: from w = 1 to w = 4 exact CFG's spread grows "
            f"({w1['spread_ratio']:.{d}f}× → {w4['spread_ratio']:.{d}f}×{band_aside(truth['spread_ratio'], k, d)}) and its mean log p₀(x | y) falls "
            f"({w1['logp_class']:.2f} → {w4['logp_class']:.2f}), beyond the truth's noise level in both{aside}; its leak "
            f"goes {w1['leak']:.1%} → {w4['leak']:.1%}.").replace("-", "−")


def correction_text(w1, w4, truth: dict, k: float = gfig.NOISE_K) -> str:
    """trade_text where exact CFG's spread and mean log p₀(x | y) both lie off the truth's bands at
    w = 1 and nearer them at w = 4 (towards_truth): guidance there corrects the sampler's error at
    w = 1 rather than trading diversity for fidelity; with the numbers, the bands (band_digits
    decimals, so a value outside visibly lies outside), where each lies at w = 4 (band_place), and
    the leak."""
    sr, lp = truth["spread_ratio"], truth["logp_class"]
    d = band_digits([w1["spread_ratio"], w4["spread_ratio"]], sr, k)
    dl = band_digits([w1["logp_class"], w4["logp_class"]], lp, k)
    return (f"From w = 1 to w = 4 exact CFG's spread ({w1['spread_ratio']:.{d}f}× → {w4['spread_ratio']:.{d}f}×) "
            f"and mean log p₀(x | y) ({w1['logp_class']:.{dl}f} → {w4['logp_class']:.{dl}f}) move towards the "
            f"truth's bands ({band(sr, k, d)} and {nats_band(lp, k, dl)}) from outside them at w = 1: at this λ "
            "guidance here corrects the sampler's error at w = 1 rather than trading diversity for fidelity. "
            f"At w = 4 the spread lies {band_place(w4['spread_ratio'], sr, k)}; the mean log p₀(x | y) lies "
            f"{band_place(w4['logp_class'], lp, k)}. The leak goes {w1['leak']:.1%} → {w4['leak']:.1%}."
            ).replace("-", "−")


def nats_band(ref: tuple[float, float], k: float = gfig.NOISE_K, digits: int = 2) -> str:
    """The truth's band (mean ± k sd) of a mean log-likelihood, in words: "-1.99 to -1.85"."""
    mean, sd = ref
    return f"{mean - k * sd:.{digits}f} to {mean + k * sd:.{digits}f}"


def band_place(v: float, ref: tuple[float, float], k: float = gfig.NOISE_K) -> str:
    """Where a value lies against the truth's band, in words: "inside its band", or band_side's
    "outside"/"just outside" with the side: "outside its band, above it"."""
    side = band_side(v, ref, k)
    return f"{side} its band" + ("" if side == "inside" else f", {'above' if v > ref[0] else 'below'} it")


def band_side(v: float, ref: tuple[float, float], k: float = gfig.NOISE_K) -> str:
    """Where a value lies against the truth's band (mean ± k sd): "inside", "just outside" (beyond
    its edge by less than JUST_OUT of the band's half-width k sd) or "outside"."""
    out = beyond_band(v, ref, k)
    return "inside" if out <= 1e-12 else "just outside" if out < JUST_OUT * k * ref[1] else "outside"


def band(ref: tuple[float, float], k: float = gfig.NOISE_K, digits: int = 2) -> str:
    """The truth's band (mean +- k sd) of a ratio, in words: "0.96–1.03×" (digits: band_digits)."""
    mean, sd = ref
    return f"{mean - k * sd:.{digits}f}–{mean + k * sd:.{digits}f}×"


def band_aside(ref: tuple[float, float], k: float = gfig.NOISE_K, digits: int = 2) -> str:
    """The truth's band (mean ± k sd) with the decimals of the ratios beside it, for a sentence that
    prints its ratios with more than 2 (band_digits), so that whether they lie inside it can be
    read there: ", against the truth's band 0.9623–1.0326×"; "" with 2 decimals, as the band reads
    elsewhere on the page."""
    return f", against the truth's band {band(ref, k, digits)}" if digits > 2 else ""


def ratio_against_band(v: float, ref: tuple[float, float], k: float = gfig.NOISE_K, digits: int = 2) -> str:
    """A ratio printed with `digits` decimals and, where that is more than 2 (band_digits), the
    truth's band with as many, and on which side of it the ratio lies: "1.0330×, just outside the
    truth's band 0.9623–1.0326×" ("just" within JUST_OUT of the band's half-width k sd)."""
    text = f"{v:.{digits}f}×"
    if digits <= 2:
        return text
    return text + f", {band_side(v, ref, k)} the truth's band {band(ref, k, digits)}"


ABOUT_AS_FAR = 2 / 3     # exact CFG this share of learned CFG's distance beyond the band, or more: the sampler's


def sampler_share(learned: float, exact: float, digits: int = 3) -> str:
    """Whose error puts learned CFG outside the truth's band when exact CFG from the same noise is
    outside on the same side too: learned and exact are how far each lies beyond the band's edge
    (> 0). The sampler's only when exact CFG lies about as far out (ABOUT_AS_FAR of learned's
    distance or more); else the share exact CFG accounts for, and the network's the rest."""
    share = exact / learned
    if share >= ABOUT_AS_FAR:
        return (f": the sampler's error, not the network's; exact CFG lies "
                f"{'as far or farther' if share >= 1 else 'about as far'} beyond the "
                f"band's edge ({exact:.{digits}f} against learned CFG's {learned:.{digits}f}).")
    said = (f", but only {exact:.{digits}f} beyond the band's edge against learned CFG's "
            f"{learned:.{digits}f}: ")
    if share > 1 - ABOUT_AS_FAR:
        return said + (f"the sampler accounts for {share:.0%} of learned CFG's distance from the band, "
                       "the network for the rest.")
    return said + "most of learned CFG's distance from the band is the network's error, not the sampler's."


ACROSS_SMALL = 0.10    # the across axis's share of the squared spread below which the spread hardly shows it


def across_share(stds) -> float:
    """The across (smallest) axis's share of a mode's squared spread, s₀² / Σ sᵢ² (principal stds,
    smallest first): the spread is the RMS distance to the mean, spread² = Σ sᵢ²."""
    sq = np.square(np.asarray(stds, dtype=float))
    return float(sq[0] / sq.sum())


def long_axis_text(stds) -> str:
    """What the spread measures on a mode whose across axis carries less than ACROSS_SMALL of its
    squared spread (across_share of its principal stds, smallest first, printed): an RMS distance
    dominated by the long axis, which hardly sees how thick the samples lie across it; "" elsewhere
    (a round mode, or one whose across axis carries a share the spread does show)."""
    if stds is None or across_share(stds) >= ACROSS_SMALL:
        return ""
    share = vocabulary.short_number(100 * across_share(stds))
    return (f" On this mode ({vocabulary.stds_text(stds)}) the across axis carries {share}% of the squared "
            "spread (std² across ÷ the sum of both): the spread is an RMS distance dominated by the long "
            "axis, and it hardly shows how thick the samples lie across it.")


FAR_BELOW = 2.0    # nats below the band's lower edge beyond which samples spill off the mode: a Gaussian's
                   # log-density falls by half the squared Mahalanobis distance, so on average 4 more squared stds out


def spill_text(row, ref: tuple[float, float], k: float = gfig.NOISE_K) -> str:
    """Where learned CFG's mean log p₀(x | y) at w = 1 (row of guidance_table) lies far below the
    truth's band (ref = (mean, sd); more than FAR_BELOW nats below its lower edge, mean − k sd): the samples spill off the mode, with both values, so a spread below 1 does not mean they
    crowd together; "" otherwise (or without the column)."""
    if "learned_logp_class" not in row or not np.isfinite(row["learned_logp_class"]):
        return ""
    v, (mean, sd) = float(row["learned_logp_class"]), ref
    if v >= mean or beyond_band(v, ref, k) <= FAR_BELOW:
        return ""
    low = float(row["learned_spread_ratio"]) < 1
    return (f" Its samples spill off the mode: their mean log p₀(x | y) at w = 1 is {v:.2f} against the truth's "
            f"{mean:.2f} (band {mean - k * sd:.2f} to {mean + k * sd:.2f})"
            + (", so a spread below 1 here does not mean they crowd together." if low else ".")).replace("-", "−")


def learned_spread_story(at, truth: dict, k: float = gfig.NOISE_K, stds=None) -> str:
    """What learned CFG's spread does from w = 1 to w = 4 (at: guidance_table indexed by w), told
    against the truth's band and exact CFG's spread from the same noise: at w = 1, exact CFG
    against the truth is the sampler's part and learned against exact CFG the network's
    (learned_at_one); from w = 1 to 4 a learned spread moving from above the band towards it loses
    nothing, and a loss that exact CFG does not share is the network's error amplified by w, not a
    cost of guidance, where the gap to exact CFG's spread grows (gap_grows; where it shrinks, that
    guidance narrows the network's excess: gap_shrinks_text); a spread wider again at the largest measured w than at w = 4 is said, beside
    exact CFG's there; w's without learned measures (unmeasured_text) are named, never read; a
    spread compared between two w's whose samples left out differ beyond two counts' noise
    (kept_alike) is said to be measured on the samples kept, with both counts, and not read.
    Changes within k truth sd count as none. On a mode whose across axis carries little of the
    squared spread (stds: its principal stds) the spread is said to be dominated by the long axis
    (long_axis_text), and where learned CFG's mean
    log p₀(x | y) at w = 1 lies far below the truth's band its samples are said to spill off the
    mode (spill_text). Each sentence prints its ratios (and the band) with
    band_digits over the values it prints, so a value called outside the band visibly lies outside
    it, with no more decimals than that needs."""
    ref = truth["spread_ratio"]
    if not (learned_measured(at.loc[1.0]) and learned_measured(at.loc[4.0])):
        return unmeasured_text(at).strip()
    l1, e1 = float(at.loc[1.0, "learned_spread_ratio"]), float(at.loc[1.0, "spread_ratio"])
    spill = spill_text(at.loc[1.0], truth["logp_class"], k) if "logp_class" in truth else ""
    return (learned_at_one(l1, e1, ref, k, band_digits([l1, e1], ref, k)) + long_axis_text(stds) + spill
            + learned_one_to_four(at, ref, k)
            + learned_last(at, ref, k) + unmeasured_text(at))


def learned_one_to_four(at, ref: tuple[float, float], k: float) -> str:
    """Learned CFG's spread from w = 1 to w = 4 (at: guidance_table indexed by w) against the
    truth's band (ref = (mean, sd)) and exact CFG's from the same noise, printed with band_digits
    (with more than 2 decimals, beside the band: band_aside).
    Read as a change of diversity only where the samples left out at the two w's are alike
    (kept_alike); else said to be measured on the samples kept, with both counts."""
    r1, r4, sd = at.loc[1.0], at.loc[4.0], ref[1]
    l1, l4 = float(r1["learned_spread_ratio"]), float(r4["learned_spread_ratio"])
    e1, e4 = float(r1["spread_ratio"]), float(r4["spread_ratio"])
    d = band_digits([l1, l4, e1, e4], ref, k)
    exact = f"{e1:.{d}f}× → {e4:.{d}f}×"
    if not kept_alike(r1, r4):
        return (f" From w = 1 to w = 4 its spread, measured on the samples kept, goes {l1:.{d}f}× → {l4:.{d}f}×"
                f"{band_aside(ref, k, d)} "
                f"({left_out_pair(r1, r4)}): the samples measured differ, so this is not read as a change of "
                f"diversity (exact CFG from the same noise: {exact}).")
    kept = gfig.left_out(r1) + gfig.left_out(r4) > 0
    text = (" From w = 1 to w = 4 its spread"
            + (f", measured on the samples kept ({left_out_pair(r1, r4)})," if kept else "")
            + f" goes {l1:.{d}f}× → {l4:.{d}f}×{band_aside(ref, k, d)}")
    hi = ref[0] + k * sd
    if matches_truth(l4, ref, k):
        return text + " (within the truth's noise level: no loss of diversity)."
    if l4 > l1 + k * sd:
        return text + " (wider, not narrower)."
    if l4 >= l1 - k * sd:
        return text + " (no change beyond the truth's noise level)."
    if l1 > hi and l4 > hi:
        return text + (", narrower but still above the truth's band: guidance trims an excess spread towards the "
                       + ("truth's among the samples kept" if kept else "truth's, no diversity is lost")
                       + f" (exact CFG from the same noise: {exact}).")
    grows = gap_grows(l1, e1, l4, e4)
    if matches_truth(e4, ref, k) or not e4 < e1 - k * sd:
        return text + (", while exact CFG from the same noise "
                       + ("stays within the truth's band" if matches_truth(e4, ref, k) else "does not narrow")
                       + f" ({exact}): " + ("the loss is the network's error amplified by w, not a cost of guidance "
                                            "itself." if grows else gap_shrinks_text(l1, e1, l4, e4, d)))
    return text + (f"; exact CFG narrows too ({exact}), which is guidance's own cost"
                   + (("; learned CFG narrows further, and that extra is the network's error amplified by w."
                       if grows else "; learned CFG narrows further, yet " + gap_shrinks_text(l1, e1, l4, e4, d))
                      if l4 < e4 - k * sd else "."))


def gap_grows(l1: float, e1: float, l4: float, e4: float) -> bool:
    """Whether learned CFG's spread lies farther from exact CFG's at w = 4 than at w = 1,
    |l4 − e4| > |l1 − e1|: only then is the learned loss the network's error amplified by w."""
    return abs(l4 - e4) > abs(l1 - e1)


def gap_shrinks_text(l1: float, e1: float, l4: float, e4: float, d: int) -> str:
    """Where learned CFG's spread moves towards exact CFG's from w = 1 to w = 4 (gap_grows false),
    in words with the two gaps |l − e| printed with d decimals: guidance narrows the network's
    excess spread (learned above exact CFG at w = 1), or its miss, which exact CFG does not have;
    where learned CFG crosses exact CFG's spread on the way, that it narrows past it."""
    what = "excess spread" if l1 > e1 else "miss of the spread"
    past = (l1 - e1) * (l4 - e4) < 0
    return (f"the learned spread moves towards exact CFG's ({abs(l1 - e1):.{d}f} → {abs(l4 - e4):.{d}f} apart"
            + (", now on its other side" if past else "") + f"): guidance here narrows the network's {what}, "
            "which exact CFG does not have" + (", past exact CFG's." if past else "."))


def learned_last(at, ref: tuple[float, float], k: float) -> str:
    """Learned CFG's spread at the largest w it is measured at, past w = 4 (at: guidance_table
    indexed by w), with its samples left out; called wider than at w = 4 beyond the truth's noise
    level (k sd), "again" only where it narrowed from w = 1 to w = 4 as well, and only where the
    samples left out at the two w's are alike (kept_alike); "" where no w past 4 is measured.
    Ratios printed with band_digits, and with more than 2 decimals beside the band (ratio_against_band)."""
    measured = [w for w, r in at.iterrows() if learned_measured(r)]
    last, r1, r4 = at.loc[measured[-1]], at.loc[1.0], at.loc[4.0]
    l_last, w_last = float(last["learned_spread_ratio"]), float(measured[-1])
    l1, l4 = float(r1["learned_spread_ratio"]), float(r4["learned_spread_ratio"])
    if w_last <= 4:
        return ""
    d = band_digits([l_last, float(last["spread_ratio"])], ref, k)
    alike = kept_alike(r4, last)
    text = (f" At w = {w_last:g} its spread{'' if alike else ', measured on the samples kept,'} is "
            + ratio_against_band(l_last, ref, k, d))
    if alike and l_last > l4 + k * ref[1]:
        again = " again" if l4 < l1 - k * ref[1] and kept_alike(r1, r4) else ""
        text += (f", wider{again} than at w = 4 beyond the truth's noise level (exact CFG: "
                 f"{float(last['spread_ratio']):.{d}f}×)")
    if not alike:
        text += f" ({left_out_pair(r4, last)})"
    elif last["far"] > 0:
        text += (f" ({float(last['far']):.1%} of its samples land outside the data's box, {BOX_WORDS}, "
                 "and are left out)")
    return text + "."


def learned_at_one(l1: float, e1: float, ref: tuple[float, float], k: float, d: int) -> str:
    """Learned CFG's spread at w = 1 (l1) against the truth's band (ref = (mean, sd)) and exact
    CFG's from the same noise (e1), in words: inside the band; outside as exact CFG is, on the same
    side (sampler_share: whose error, by how far each lies beyond the edge); outside within the
    truth's noise level of exact CFG; outside where exact CFG lies inside (the network's miss); or
    outside with exact CFG outside on the other side, where exact CFG − truth is the sampler's part
    and learned − exact CFG the network's, each said with its size."""
    sd = ref[1]
    lo, hi = ref[0] - k * sd, ref[0] + k * sd
    beyond_l = l1 - hi if l1 > hi else lo - l1          # how far each lies beyond the edge learned CFG crosses
    beyond_e = e1 - hi if l1 > hi else lo - e1
    share = beyond_e / beyond_l if beyond_l > 0 and beyond_e > 0 else 0.0
    outside = f"Learned CFG at w = 1 is outside the truth's spread band ({l1:.{d}f}×; band {band(ref, k, d)})"
    if matches_truth(l1, ref, k):
        return f"Learned CFG at w = 1 is inside the truth's spread band ({l1:.{d}f}×; band {band(ref, k, d)})."
    if share > 0:
        return outside + f", as exact CFG is ({e1:.{d}f}×)" + sampler_share(beyond_l, beyond_e, max(d, 3))
    if abs(l1 - e1) <= k * sd:
        return outside + f", but within the truth's noise level of exact CFG's {e1:.{d}f}×."
    if matches_truth(e1, ref, k):
        return (f"Learned CFG is already off at w = 1: its spread is {l1:.{d}f}×, outside the truth's band "
                f"({band(ref, k, d)}) where exact CFG gives {e1:.{d}f}×, so the network misses the class's "
                "spread before guidance does anything.")
    side, m = "above" if e1 > hi else "below", max(d, 3)
    sampler, network = (f"{v:+.{m}f}".replace("-", "−") for v in (e1 - ref[0], l1 - e1))
    return (outside + f", and exact CFG from the same noise lies {side} it ({e1:.{d}f}×). The sampler's part, "
            f"exact CFG against the truth's {ref[0]:.{m}f}×, is {sampler}; the network's part, learned against "
            f"exact CFG, is {network}"
            + (f"; learned CFG lies nearer the truth than exact CFG does ({abs(l1 - ref[0]):.{m}f} against "
               f"{abs(e1 - ref[0]):.{m}f} away), so the miss is not the network's alone."
               if abs(l1 - ref[0]) < abs(e1 - ref[0]) else "."))


def sw2_threshold(level: tuple[float, float], k: float = gfig.NOISE_K) -> float:
    """The most two sets of true samples differ by within their noise: mean + k·sd of the sliced W₂
    between two true sets (level = (mean, sd), guidance_truth_sw2); a learned-vs-exact sliced W₂ at
    or below it is as close as the truth gets to itself."""
    mean, sd = level
    return mean + k * sd


def sw2_decimals(thr: float, least: int = 3) -> int:
    """The decimals the sliced W₂ sentence prints its threshold with: at least `least`, and enough
    for two significant digits (1 − ⌊log₁₀ thr⌋), so a ratio against it can be checked."""
    return max(least, 1 - int(np.floor(np.log10(thr)))) if thr > 0 else least


def sw2_verdict(row, level: tuple[float, float], class_spread: float, k: float = gfig.NOISE_K) -> str:
    """The sliced W₂ d between learned and exact CFG samples (row of guidance_table), printed, against
    the threshold it is judged by (sw2_threshold: mean + k·sd of two sets of true samples, both
    printed with two significant digits or more (sw2_decimals), and the fewest decimals at which d
    and the threshold differ) and the class's own spread, in words: within where d ≤ threshold; at
    the edge where d lies beyond it by less than JUST_OUT of the band (k sd), the page's "only just";
    else a miss; beyond the threshold with d ÷ threshold."""
    d, mean, sd, thr = float(row["sw2_learned_exact"]), level[0], level[1], sw2_threshold(level, k)
    ds, ts = vocabulary.apart(d, thr, sw2_decimals(thr))
    said = f"their mean {mean:.{len(ts.split('.')[1])}f} + {k:g} sd = {ts}"
    shift = f"; their means are {float(row['learned_shift']):.2f} apart"
    if d <= thr:
        return (f"{ds}, no more than two sets of true samples differ by ({said}): the learned samples land "
                "where exact CFG's do")
    ratio = vocabulary.apart(d / thr, 1.0, 1)[0]
    if d - thr < JUST_OUT * k * sd:
        return (f"{ds}, only just above the most two sets of true samples differ by ({said}; {ratio}×, beyond "
                f"it by less than {JUST_OUT:.0%} of the {k:g} sd): at the edge of what two true sets differ by, "
                "so neither clearly where exact CFG's samples land nor clearly off them" + shift)
    text = (f"{ds}, {ratio}× the most two sets of true samples differ by ({said}): the learned samples "
            "miss exact CFG's")
    if d > class_spread:
        dw, sc = vocabulary.apart(d, class_spread, 3)
        text += f", by a sliced W₂ ({dw}) above the class's own spread ({sc})"
    return text + shift


def off_truth(row, truth: dict, prefix: str = "") -> list[str]:
    """The names of the measures on which a row of guidance_table (columns with `prefix`) differs
    from the truth by more than its noise level."""
    return [name for col, name in MEASURES.items() if not matches_truth(row[prefix + col], truth[col])]


@state.cache_data(max_entries=32)
def guidance_fields(gmm, lam: float, y: int, w: float, t: float, n_grid: int = 17) -> dict:
    """On an n_grid^2 grid over field_limits: log pₜ(x | y), the guided score s_w and the
    conditional score s(. | y) at time t, pₜ(y | x), and the class's mean ("class_mean")."""
    sde = dc.VESDE(lam)
    xlim, ylim = field_limits(gmm, y)
    xx, yy = np.meshgrid(np.linspace(*xlim, n_grid), np.linspace(*ylim, n_grid))
    pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
    fx, fy = np.meshgrid(np.linspace(*xlim, 90), np.linspace(*ylim, 90))
    fine = torch.from_numpy(np.stack([fx.ravel(), fy.ravel()], 1))
    cls = gd.class_mixture(gmm, None, y).diffuse(sde, t)
    shape = (n_grid, n_grid, 2)
    return {"xx": xx, "yy": yy, "fx": fx, "fy": fy,
            "logp": cls.log_prob(fine).reshape(90, 90).numpy(),
            "guided": gd.guided_score(gmm, sde, None, y, w)(pts, t).reshape(shape).numpy(),
            "cond": gd.conditional_score(gmm, sde, None, y)(pts, t).reshape(shape).numpy(),
            "post": gd.class_posterior(gmm, sde, None, pts, t)[:, y].reshape(n_grid, n_grid).numpy(),
            "class_mean": (cls.weights.double() @ cls.means.double()).tolist()}


def _fill(spec, words: str):
    """A copy of a spec with every _W placeholder in its strings replaced by words."""
    if isinstance(spec, dict):
        return {k: _fill(v, words) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_fill(v, words) for v in spec]
    return spec.replace(_W, words) if isinstance(spec, str) and _W in spec else spec


@state.cache_data(max_entries=32)
def fields_view(gmm, lam: float, y: int, t: float, label: str) -> dict:
    """What the guided-field chart draws but w and the guided arrows: the Vega-Lite spec of
    gfig.fields_chart over the field's box and fields_background_url (the guided score's legend
    name with a placeholder for w, no dataset). The background does not depend on w."""
    f = guidance_fields(gmm, lam, y, 1.0, t)
    post = np.asarray(f["post"])
    dashed = (f"pₜ(y | x) = {OTHER_LIKELY:g}: beyond it another class is more likely"
              if post.min() < OTHER_LIKELY < post.max() else None)
    xlim = (float(f["fx"].min()), float(f["fx"].max()))
    ylim = (float(f["fy"].min()), float(f["fy"].max()))
    return {"spec": chart_spec(gfig.fields_chart(
        xlim, ylim, fields_background_url(gmm, lam, y, t), gfig.field_names(_W),
        f"{label} at t = {t:.2f} (grey: log pₜ(x | y))", dashed))}


def fields_spec(gmm, lam: float, y: int, w: float, t: float, label: str) -> dict:
    """The guided-field chart at w: fields_view's spec with w in its legend and the arrows of
    guidance_fields at w (gfig.arrow_frame) as its dataset."""
    spec = _fill(fields_view(gmm, lam, y, t, label)["spec"], f"{w:g}")
    spec["datasets"] = {**spec.get("datasets", {}),
                        gfig.FIELDS_DATA: gfig.arrow_frame(guidance_fields(gmm, lam, y, w, t), w)}
    return spec


@state.cache_data(max_entries=32)
def fields_background_url(gmm, lam: float, y: int, t: float) -> str:
    """The guided-field panel's background (gfig.fields_background: log pₜ(x | y) and the dashed
    pₜ(y | x) = OTHER_LIKELY line), which does not depend on w, as a PNG data URL."""
    png = figure_png(gfig.fields_background(guidance_fields(gmm, lam, y, 1.0, t), other_level=OTHER_LIKELY))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


NEAR_CLASS, OTHER_LIKELY = 0.9, 0.5   # pₜ(y | x) at or above: near the class; below: another class is likely
COINCIDE = 0.1                        # largest |guided − conditional| / |conditional| for "nearly coincide"


def _arrow_ratio(f: dict, mask) -> float:
    """Median length ratio guided / conditional over the arrows in mask (nan where none)."""
    g, c = f["guided"], f["cond"]
    nc = np.hypot(c[..., 0], c[..., 1])
    mask = mask & (nc > 1e-12)
    return float(np.median(np.hypot(g[..., 0], g[..., 1])[mask] / nc[mask])) if mask.any() else float("nan")


SHORT_ARROW = 0.25   # arrows drawn shorter than this share of a grid spacing read as dots


def near_class_arrows(f: dict, mask, where: str) -> str:
    """What the red and blue arrows near the class (mask) look like, from the field drawn. Where
    the shared scale (gfig.arrow_scale) draws them shorter than SHORT_ARROW of a grid spacing, both
    show as dots, and where they also differ by a median of less than COINCIDE of the blue's length
    only that is said, with how much guidance changes them (no arrow to cover, no rim to see).
    Where they are long enough to see, and differ that little, the red covers the blue (the figure
    leaves a blue rim; "most" of them where some differ by more); else their median length ratio,
    followed by the dots where they are short."""
    g, c = f["guided"], f["cond"]
    nc = np.hypot(c[..., 0], c[..., 1])
    mask = mask & (nc > 1e-12)
    rel_all = np.hypot(*(g - c).transpose(2, 0, 1))[mask] / nc[mask]
    rel = float(np.median(rel_all))
    drawn = float(np.median(np.maximum(nc, np.hypot(g[..., 0], g[..., 1]))[mask])) / gfig.arrow_scale(f)
    dots = f"drawn {drawn:.2f} of a grid spacing long at the shared scale, both show as dots"
    if rel >= COINCIDE:
        text = f"{where} the red arrows are {_arrow_ratio(f, mask):.2f}× the blue"
        return text + (f"; {dots} there" if drawn < SHORT_ARROW else "")
    changes = (f"guidance changes them there by a median of "
               f"{f'{rel:.0%}' if rel >= 0.005 else 'under 1%'} of their length")
    if drawn < SHORT_ARROW:
        return f"{where} the red and blue arrows, {dots} ({changes})"
    which = "the blue ones" if (rel_all < COINCIDE).all() else "most blue ones"
    return f"{where} the red arrows cover {which}, which show as a blue rim ({changes})"


def agreement(f: dict, near, ok) -> str:
    """Where the guided (red) and conditional (blue) arrows drawn agree, from the arrows: how many
    differ by less than COINCIDE of the blue's length, among the arrows near the class (near:
    pₜ(y | x) ≥ NEAR_CLASS) and among the others; "near the class" is said only where some arrow
    is near it (at large t none is, the classes blurred together)."""
    g, c = f["guided"], f["cond"]
    nc = np.hypot(c[..., 0], c[..., 1])
    agree = ok & (np.hypot(*(g - c).transpose(2, 0, 1)) < COINCIDE * np.where(ok, nc, 1.0))
    near, rest = ok & near, ok & ~near
    within = f"less than {COINCIDE:.0%} of the blue arrow's length"
    if not near.any():
        k, n = int(agree[ok].sum()), int(ok.sum())
        if k == 0:
            return f"differ by {within.replace('less than', 'at least')} at every arrow drawn"
        return f"agree, differing by {within}, at {vocabulary.k_of_n(k, n, 'arrows drawn')}"
    text = (f"agree, differing by {within}, at {vocabulary.k_of_n(int(agree[near].sum()), int(near.sum()), 'arrows')} "
            f"near the class (where pₜ(y | x) ≥ {NEAR_CLASS:g})")
    if rest.any():
        text += f" and at {vocabulary.k_of_n(int(agree[rest].sum()), int(rest.sum()), 'others')}"
    return text


def towards_mean(f: dict, field: str, mask) -> float:
    """The share of the arrows of f[field] in mask that point towards the class's mean
    (f["class_mean"]): a positive component along the direction to it (nan where none)."""
    v, m = np.asarray(f[field]), np.asarray(f["class_mean"], dtype=float)
    to = np.stack([m[0] - f["xx"], m[1] - f["yy"]], -1)
    mask = mask & (np.hypot(v[..., 0], v[..., 1]) > 1e-12) & (np.hypot(to[..., 0], to[..., 1]) > 1e-9)
    return float(np.mean((v * to).sum(-1)[mask] > 0)) if mask.any() else float("nan")


def field_text(f: dict, w: float, t: float) -> str:
    """The guided-field section's sentence, from the field drawn (f: guidance_fields): how the
    guided (red) and conditional (blue) scores compare at w (for w other than 0 and 1, how many
    arrows agree near the class and elsewhere: agreement), and what this t shows: the median
    ratio of red to blue arrow lengths near the class (pₜ(y | x) ≥ NEAR_CLASS) and where another
    class is likely (pₜ(y | x) < OTHER_LIKELY); where pₜ(y | x) stays below NEAR_CLASS over the
    whole panel the classes are blurred together (large t), and where red and blue differ by
    less than COINCIDE everywhere they nearly coincide. For w other than 0 and 1, the share of
    all red arrows drawn that point towards the class's mean (towards_mean), beside the blue's:
    at large t many point elsewhere."""
    g, c, post = f["guided"], f["cond"], np.asarray(f["post"])
    nc = np.hypot(c[..., 0], c[..., 1])
    ok = nc > 1e-12
    diff = float(np.max(np.hypot(*(g - c).transpose(2, 0, 1))[ok] / nc[ok])) if ok.any() else 0.0
    near, far = _arrow_ratio(f, post >= NEAR_CLASS), _arrow_ratio(f, post < OTHER_LIKELY)
    if w == 1:
        how = "coincide everywhere"
    elif w == 0:
        how = ("differ wherever another class is likely: at w = 0 the guided score is the "
               "unconditional ∇ log pₜ(x), which near another class points into that class, not "
               "into this one" + (f" (beyond the dashed line, where pₜ(y | x) < {OTHER_LIKELY:g})"
                                  if post.min() < OTHER_LIKELY < post.max() else ""))
    else:
        how = (agreement(f, post >= NEAR_CLASS, ok) + "; between classes the guided score adds w − 1 "
               "times the pull away from the other modes")
        if far > 1.1:
            how += ", so the red arrows are longer there"
        elif far < 1 / 1.1:
            how += ", so the red arrows are shorter there: the pull into the class is weakened"
    red = towards_mean(f, "guided", ok) if "class_mean" in f and w not in (0, 1) else float("nan")
    if np.isfinite(red):
        how += (f". Of all red arrows drawn, {red:.0%} point towards the class's mean "
                f"{point(f['class_mean'])} (of the blue: {towards_mean(f, 'cond', ok):.0%})"
                + ("" if red >= 0.95 else ": the rest do not point towards it"))
    text = f"The two {how}."
    blurred = post.max() < NEAR_CLASS
    at = f" At t = {t:.2f}"
    if blurred:
        lo, hi = f"{post.min():.2f}", f"{post.max():.2f}"
        spans = f"lies between {lo} and {hi}" if lo != hi else f"is {lo} (to two decimals) everywhere"
        text += (f"{at} the classes are blurred together: pₜ(y | x) {spans} over the whole panel, so no "
                 f"region is clearly this class's")
    if w != 1 and diff < COINCIDE:
        return text + (f"{'; ' if blurred else at + ' '}the guided and conditional arrows nearly "
                       f"coincide (they differ by at most {diff:.0%} of the blue arrow's length).")
    if w == 1:
        return text + ("." if blurred else "")
    where = ([] if blurred else [(f"near the class (pₜ(y | x) ≥ {NEAR_CLASS:g})", near)])
    if np.isfinite(far):
        where.append((f"where another class is likely (pₜ(y | x) < {OTHER_LIKELY:g})", far))
    elif not blurred:
        where.append(("where another class is likely: no arrow", float("nan")))
    if not where:
        where = [("over the panel", _arrow_ratio(f, ok))]
    said = [f"{k} {'the red arrows are ' if i == 0 else ''}{v:.2f}×{' the blue' if i == 0 else ''}"
            if np.isfinite(v) else k for i, (k, v) in enumerate(where)]
    if not blurred and np.isfinite(near):
        said[0] = near_class_arrows(f, post >= NEAR_CLASS, where[0][0])
        if "×" not in said[0]:         # the ratios after it name the arrows they compare
            said[1:] = [f"{k} the red arrows are {v:.2f}× the blue" if np.isfinite(v) else k
                        for k, v in where[1:]]
    return (text + ("; measured on the arrows drawn, " if blurred else f"{at}, measured on the arrows drawn: ")
            + "; ".join(said) + " (median length ratio).")


@state.cache_data(max_entries=32)
def sweep_spec(table, truth, learned: bool) -> dict:
    """The measures-over-w chart's spec (gfig.sweep_chart with no w marked: gfig.at_w marks it)."""
    return chart_spec(gfig.sweep_chart(table, truth, 0.0, learned))


def warm_defaults(before_each=None, mixture: str = models.DEFAULT_MIXTURE, device: str = "cpu") -> None:
    """The page's default view on the preset `mixture`, computed as the page computes it (the
    server's warm-up, after train_defaults: the first visit then only reads the cache): the truth,
    the measures over w, the chosen w's row and samples chart, the sweep chart and the field."""
    schema, seed = state.sio.SCHEMA, state.DEFAULT_SEED
    gmm, lam = dc.PRESETS[mixture], float(schema["w_guidance_lam"].default)
    y, w, t = int(schema["w_guidance_class"].default), float(schema["w_guidance_w"].default), float(schema["w_guidance_t"].default)
    learned = bool(schema["w_guidance_learned"].default)
    cfg = lessons.recipe(seed) if learned else None
    if learned and not lessons.is_trained("cond", cfg, gmm, lam, device):
        return                               # the network is trained on demand, not here
    label = class_names(gmm)[y].split(":")[0]
    models.warm_steps((lambda: guidance_truth(gmm, y, N, seed),
                       lambda: guidance_table(gmm, lam, y, N, STEPS, seed, cfg, device),
                       lambda: guidance_row(gmm, lam, y, w, N, STEPS, seed, cfg, device),
                       lambda: samples_spec(gmm, lam, y, w, N, STEPS, seed, cfg, device),
                       lambda: sweep_spec(guidance_table(gmm, lam, y, N, STEPS, seed, cfg, device),
                                          guidance_truth(gmm, y, N, seed)[1], learned),
                       lambda: guidance_truth_sw2(gmm, y, N, seed),
                       lambda: fields_spec(gmm, lam, y, w, t, label)), before_each)


def warm_lesson(before_each=None) -> None:
    """warm_defaults on the lesson's second mixture, models.LESSON_MIXTURE (ring8)."""
    warm_defaults(before_each, models.LESSON_MIXTURE)


def train_defaults(device: str = "cpu", before_each=None) -> None:
    """Train the page's network at default settings on the tutorial's mixture, the lesson's for
    this page, then on ring8, the lesson row's other mixture (the server's warm-up, while nobody
    clicks)."""
    cfg, lam = lessons.recipe(state.DEFAULT_SEED), state.sio.SCHEMA["w_guidance_lam"].default
    for gmm in (dc.PRESETS[models.DEFAULT_MIXTURE], dc.PRESETS[models.LESSON_MIXTURE]):
        if not models.queue_stopped() and not lessons.is_trained("cond", cfg, gmm, lam, device):
            if before_each is not None:
                before_each()
            cond_net(cfg, gmm, lam, device)
