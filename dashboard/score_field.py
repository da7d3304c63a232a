"""The score-field page's computations, cached: the score of pₜ at samples or on a grid, and the
rendered figure."""
from __future__ import annotations

import numpy as np
import torch

from dashboard import state, vocabulary
from dashboard.yourdata import point_set
from dashboard.figures import score_field as sfig
from dashboard.figures.common import figure_png, mode_colors, outside


DENSITY_GRID = 100


def mode_direction_text(gmm, sde, t: float) -> str:
    """Where each mode's own score −(Σₖ + σₜ² I)⁻¹(x − μₖ) points, from the modes of pₜ at t
    (gmm.diffuse): towards the mode's mean, bending towards its long axis across an elongated
    one, said only where some mode of pₜ is elongated (vocabulary.elongated of its principal
    stds, the square roots of the eigenvalues of Σₖ + σₜ² I); else straight at the mean, every
    mode round at this time."""
    stds = torch.linalg.eigvalsh(gmm.diffuse(sde, t).covs.double()).clamp_min(0).sqrt().numpy()
    if any(vocabulary.elongated(s) for s in stds):
        return ("towards that mode's mean (straight at it only where the mode is round; across an "
                "elongated mode it bends towards the mode's long axis)")
    return (f"straight at that mode's mean (at t = {float(t):.2f} every mode of pₜ is round, its std "
            "the same in every direction to two digits)")
LENGTH_LABELS = {"equal": "equal (direction only)", "proportional": "∝ |score|"}
SCALE_LABELS = {"fixed": "fixed across t", "fitted": "fitted to this picture"}
# the median metric's name in each view (median_magnitude's number): the page's metric and the key
# caption's words both read it
METRIC_LABELS = {"total": "median |score|", "modes": "median |mode score|",
                 "weighted": "median |total score|"}
LATER_TIMES = (0.1, 0.25, 0.5, 1.0)   # where short_arrows looks for arrows that show, raising t
# the arrows each view's sentences count (short_arrows, key_caption)
ARROW_WORDS = {"total": "arrows", "modes": "mode arrows", "weighted": "black total-score arrows"}


@state.cache_data
def score_field(gmm, sde, t: float, where: str, n: int, seed: int):
    """pₜ = gmm diffused to t; its log density (total and per mode) on a grid, points where the
    arrows start (samples of pₜ or a grid), and the scores there. All numpy."""
    return sfig.field_data(gmm, sde, t, where, n, seed, DENSITY_GRID)


@state.cache_data
def arrow_field(gmm, sde, t: float, where: str, n: int, seed: int):
    """score_field's arrows without its density grids (xx keeps the plot's span): the same points,
    scores and responsibilities, quicker for a mixture of many points."""
    return sfig.field_data(gmm, sde, t, where, n, seed, 2)


def key_magnitude(gmm, sde, t: float, where: str, n: int, seed: int, scale: str,
                  light: bool = False, view: str = "total") -> float:
    """The arrows' scale (the |score| drawn REF_ARROWS base lengths long): a robust size of the
    t = 0 field (fixed: the same for every t, so the arrows shrink with the score) or of this
    picture's (fitted); of each mode's own score in the per-mode view (sfig.mode_magnitude), of
    the total score otherwise. light: read it from arrow_field (the same numbers)."""
    f = (arrow_field if light else score_field)(gmm, sde, 0.0 if scale == "fixed" else t, where, n, seed)
    if view == "modes":
        return sfig.mode_magnitude(f["comp_scores"], f["resp"])
    return sfig.reference_magnitude(f["total"], f["resp"])


def _metric_vectors(f: dict, view: str = "total"):
    """The vectors the page's metric measures in a field from score_field(): every drawn mode's
    own score in the per-mode view (K', N, 2), the total score (N, 2) otherwise."""
    return f["comp_scores"][sfig.drawn_modes(len(f["comp_scores"]), f["resp"])] if view == "modes" else f["total"]


def median_magnitude(f: dict, view: str = "total") -> float:
    """The median |score| at the arrow positions of a field from score_field() (the page's metric):
    of every drawn mode's own score in the per-mode view, of the total score otherwise."""
    return float(np.median(np.linalg.norm(_metric_vectors(f, view), axis=-1)))


def key_arrow(gmm, sde, t: float, where: str, n: int, seed: int, scale: str,
              view: str = "total") -> float:
    """The |score| of the key arrow: the median |score| (median_magnitude) of the t = 0 field
    (fixed: the same for every t) or of this picture (fitted), the number the page's metric shows
    there; at most the clipping length."""
    f = score_field(gmm, sde, 0.0 if scale == "fixed" else t, where, n, seed)
    return sfig.key_value(key_magnitude(gmm, sde, t, where, n, seed, scale, view=view),
                          median_magnitude(f, view))


def key_caption(gmm, sde, t: float, where: str, n: int, seed: int, scale: str,
                view: str = "total") -> str:
    """The words under the metrics on the key arrow, from the numbers it is drawn with: the median
    it shows, or, where that median is longer than the clipping length, the clipping length, with
    the median and how many of the metric's vectors are longer than the key."""
    f0 = score_field(gmm, sde, 0.0 if scale == "fixed" else t, where, n, seed)
    key, median = key_arrow(gmm, sde, t, where, n, seed, scale, view), median_magnitude(f0, view)
    where_t = "at t = 0" if scale == "fixed" else "of this picture"
    metric = METRIC_LABELS[view]
    if key == median:
        what = f"the {metric} {where_t} (the metric's value there). "
    else:
        size = metric.removeprefix("median ")
        norms = np.linalg.norm(_metric_vectors(f0, view), axis=-1)
        longer = int((norms > key).sum())
        what = (f"the clipping length: no arrow is drawn longer. The {metric} {where_t} "
                f"({median:.3g}) is above it: {longer:,} of the {norms.size:,} {ARROW_WORDS[view]} "
                f"{'there' if scale == 'fixed' and t != 0 else 'drawn'} have a longer {size}. ")
    capped = ""
    a = drawn_arrows(gmm, sde, t, where, n, seed, view, "proportional", scale)
    if words := sfig.capped_words(a["reached"], a["seen"].shape[0] * a["seen"].shape[1], view):
        capped = f"Arrow length ∝ |score|, {words}: those are shorter than the key's scale gives. "
    return f"Key arrow: |score| = {key:.3g}, {what}" + capped + (
        "The key keeps its on-screen length at every t, so the arrows shrink as t grows; compare it "
        f"with the {metric} now." if scale == "fixed" else "Arrow lengths cannot be compared across t.")


def cut_arrows(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
               scale: str) -> tuple[int, int]:
    """How many of the arrows the figure draws run past the plot's frame (their tips outside it:
    the frame cuts them), and how many arrows it draws. Every point they start from lies inside
    (sfig.field_data widens the frame to hold every sample)."""
    f = score_field(gmm, sde, t, where, n, seed)
    uv = drawn_arrows(gmm, sde, t, where, n, seed, view, lengths, scale)["uv"]
    if view == "weighted":                 # the drawn modes' arrows and the black total
        uv = uv[np.r_[sfig.drawn_modes(len(f["comp_scores"]), f["resp"]), len(uv) - 1]]
    box = (float(f["xx"].min()), float(f["xx"].max())), (float(f["yy"].min()), float(f["yy"].max()))
    tips = (f["pts"][None] + uv).reshape(-1, 2)
    return outside(tips, *box), len(tips)


def cut_note(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
             scale: str) -> str:
    """The sentence under the figure on arrows the frame cuts (cut_arrows), or, per mode, on those
    shortened to end at it (view_arrows' framed); "" when none is."""
    cut, drawn = cut_arrows(gmm, sde, t, where, n, seed, view, lengths, scale)
    framed = drawn_arrows(gmm, sde, t, where, n, seed, view, lengths, scale)["framed"]
    if framed:
        one = framed == 1
        return (f"{framed:,} of the {drawn:,} arrows drawn would run past the plot's frame: "
                f"{'it is' if one else 'they are'} shortened to end at it, shorter than "
                + ("the key's scale gives." if lengths == "proportional" else "the others."))
    if not cut:
        return ""
    one = cut == 1
    return (f"{cut:,} of the {drawn:,} arrows drawn {'runs' if one else 'run'} past the plot's "
            f"frame and {'is' if one else 'are'} cut off there.")


def outside_note(gmm, sde, t: float, where: str, n: int, seed: int) -> str:
    """The sentence under the figure on the samples of pₜ that lie outside its view (score_field's
    outside: not drawn, nor counted by the arrows' words); "" when none does or on a grid."""
    out = score_field(gmm, sde, t, where, n, seed)["outside"]
    if not out:
        return ""
    return (f"{out:,} of the {n:,} samples of pₜ {'lies' if out == 1 else 'lie'} outside this view, which "
            f"shows every mode of pₜ to 3 std: {'it is' if out == 1 else 'they are'} not drawn, and the "
            f"arrows, counts and metric are those of the {n - out:,} drawn.")


def mean_distances(gmm, sde, t: float, pts) -> np.ndarray:
    """(K, N): the distance from each point to each mode's mean as pₜ places it (alpha_t mu_k),
    which that mode's own score points at: its arrow ends there at most."""
    alpha = float(sde.mean_scale(torch.tensor(float(t), dtype=torch.float64)))
    pts = torch.as_tensor(np.asarray(pts, dtype=float))
    return torch.cdist(alpha * gmm.means.to(torch.float64), pts).numpy()


def reach(gmm, sde, t: float, pts):
    """For a drawn point set (dashboard.yourdata.point_set): the distance from each point to the
    nearest data point as pₜ places it (mean_distances' least), which its score arrow points at;
    None for other mixtures (their arrows point at broad modes they do not overshoot)."""
    if not point_set(gmm):
        return None
    return mean_distances(gmm, sde, t, pts).min(0)


def view_reach(gmm, sde, t: float, pts, view: str):
    """What a view's arrows are capped at (sfig.view_arrows' reach): reach in the total view,
    mean_distances in the per-mode and weighted views."""
    return reach(gmm, sde, t, pts) if view == "total" else mean_distances(gmm, sde, t, pts)


def drawn_arrows(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
                 scale: str, light: bool = False) -> dict:
    """The arrows score_png's figure draws (sfig.view_arrows: the same numbers), and xx. light:
    from arrow_field (for a t the page does not draw)."""
    f = (arrow_field if light else score_field)(gmm, sde, t, where, n, seed)
    m = key_magnitude(gmm, sde, t, where, n, seed, scale, light and scale == "fitted", view)
    lengths = "proportional" if view == "weighted" else lengths
    a = sfig.view_arrows(view, f["xx"], f["pts"], f["total"], f["comp_scores"], f["resp"], lengths,
                         m, view_reach(gmm, sde, t, f["pts"], view), sfig.plot_frame(f["xx"], f["yy"]))
    return dict(a, xx=f["xx"])


def visible_share(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
                  scale: str, light: bool = False) -> float:
    """The share of the counted arrows (view_arrows' seen) long enough to show a direction."""
    a = drawn_arrows(gmm, sde, t, where, n, seed, view, lengths, scale, light)
    return 1.0 - sfig.short_share(a["seen"], a["xx"])


def short_arrows(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
                 scale: str) -> str | None:
    """When most arrows drawn are too short to show a direction (shorter than sfig.VISIBLE of the
    plot's width): how many, and the settings that show them, each checked by drawing its arrows:
    the other arrow scale, equal lengths (not in the weighted view), else a later t. None when
    most arrows show a direction."""
    a = drawn_arrows(gmm, sde, t, where, n, seed, view, lengths, scale)
    seen = a["seen"]
    total = int(seen.shape[0] * seen.shape[1])
    short = int(round(sfig.short_share(seen, a["xx"]) * total))
    if not total or short <= total / 2:
        return None
    what = ARROW_WORDS[view]
    text = (f"**{short} of the {total} {what} are too short to see** at this scale: shorter than "
            f"{sfig.VISIBLE:.0%} of the plot's width (about an arrow head), they show no direction.")
    if view != "weighted" and lengths == "equal":
        return text
    args = (gmm, sde, t, where, n, seed, view, lengths)
    other = "fitted" if scale == "fixed" else "fixed"
    ways = []
    share = visible_share(*args, other)
    if share > 0.5:
        ways.append(f"choose the arrow scale **{SCALE_LABELS[other]}** ({share:.0%} of them show a "
                    "direction then)")
    else:
        for later in (s for s in LATER_TIMES if s > t):
            best = max((visible_share(gmm, sde, later, where, n, seed, view, lengths, sc, True), sc)
                       for sc in (scale, other))
            if best[0] > 0.5:
                ways.append(f"raise t to {later:g} with the arrow scale **{SCALE_LABELS[best[1]]}** "
                            f"({best[0]:.0%} of them show a direction there)")
                break
    if view != "weighted":
        share = visible_share(gmm, sde, t, where, n, seed, view, "equal", scale)
        if share > 0.5:
            ways.append(f"choose the arrow length **{LENGTH_LABELS['equal']}** ({share:.0%} show "
                        "a direction, colour shows the size)" if view == "total" else
                        f"choose the arrow length **{LENGTH_LABELS['equal']}** ({share:.0%} show "
                        "a direction)")
    return text + (" To see them, " + ", or ".join(ways) + "." if ways else "")


HIDDEN_SHARE = 0.1   # a share of a point's responsibility, and of its black total arrow's length,
                     # that the weighted view's sentence counts as more than a little


def undrawn_share(f: dict) -> tuple[np.ndarray, np.ndarray]:
    """For a field from score_field(): the modes the per-mode views draw (sfig.drawn_modes) and,
    at each arrow point, the share of the responsibility Σₖ πₖ(x) the modes not drawn hold."""
    shown = sfig.drawn_modes(len(f["comp_scores"]), f["resp"])
    return shown, np.clip(1.0 - f["resp"][:, shown].sum(1), 0.0, 1.0)


def coloured_sum(f: dict) -> tuple[np.ndarray, np.ndarray]:
    """At each arrow point of a field from score_field(), against the length of the black total
    ∇log pₜ: how far the sum of the drawn modes' coloured arrows Σₖ πₖ sₖ (drawn ones only) is
    from it, and how long that sum is. The figure draws them on one scale, clipped together point
    by point, so these ratios are those of the arrows drawn (0 where the total is 0)."""
    shown, _ = undrawn_share(f)
    part = np.einsum("nk,knd->nd", f["resp"][:, shown], f["comp_scores"][shown])
    size = np.linalg.norm(f["total"], axis=1)
    scale = np.where(size > 0, size, 1.0)
    miss = np.linalg.norm(f["total"] - part, axis=1)
    return np.where(size > 0, miss / scale, 0.0), np.where(size > 0, np.linalg.norm(part, axis=1) / scale, 0.0)


def ellipse_words(f: dict) -> str:
    """What the per-mode views draw around each (drawn) mode, from the field's own grids: 1, 2,
    3 σ ellipses, and where some drawn mode's ellipses are too small to see (sfig.tiny_modes),
    the ring at its mean and how many modes have one."""
    shown, _ = undrawn_share(f)
    every = len(shown) == len(f["comp_scores"])
    text = f"Ellipses: 1, 2, 3 σ of each {'' if every else 'drawn '}mode."
    tiny = len(sfig.tiny_modes(f["comp_logp"][shown]))
    if tiny:
        text += (f" {vocabulary.k_of_n(tiny, len(shown), 'drawn modes').capitalize()} are narrower than the "
                 "arrows: a ring marks each at its mean.")
    return text


def _drawn_words(f: dict) -> str:
    """'Only 10 of the 100 modes are drawn (the most responsible at these points)'."""
    shown, _ = undrawn_share(f)
    return (f"Only {len(shown)} of the {len(f['comp_scores']):,} modes are drawn (the most "
            "responsible at these points)")


def weighted_words(f: dict) -> str:
    """The weighted view's sentence on its arrows, from a field from score_field(): where every
    mode is drawn, the coloured arrows add up to the black total; else at how many points the
    modes not drawn hold more than HIDDEN_SHARE of the responsibility, at how many the drawn
    modes' coloured arrows add up to the black total (coloured_sum: within HIDDEN_SHARE of its
    length), and at how many they make up less than HIDDEN_SHARE of it (little or no coloured
    part)."""
    head = ("Each mode's score times its responsibility πₖ(x): where one mode owns a point, its "
            "arrow is the total; in between they share. ")
    shown, hidden = undrawn_share(f)
    if len(shown) == len(f["comp_scores"]):
        return head + "Coloured arrows add up to the black total (one common scale). " + ellipse_words(f)
    share, n = f"{HIDDEN_SHARE:.0%}", len(hidden)
    miss, part = coloured_sum(f)
    off = miss > HIDDEN_SHARE
    some, fit, bare = (int(x.sum()) for x in (hidden > HIDDEN_SHARE, ~off, off & (part < HIDDEN_SHARE)))
    text = (head + _drawn_words(f) + f": the modes not drawn hold more than {share} of the "
            f"responsibility at {vocabulary.k_of_n(some, n, 'points')}. The drawn modes' coloured "
            f"arrows add up to the black total (one common scale), to within {share} of its length, "
            f"at {vocabulary.k_of_n(fit, n, 'points')}")
    if fit < n:
        text += (f"; at {'the other ' + format(n - fit, ',') if fit else 'every point'} their sum "
                 "misses it by more")
    text += (f", and at {'all' if bare == n - fit else format(bare, ',')} of {'these' if fit else 'them'} "
             f"they make up less than {share} of its length: the black total has little or no "
             "coloured part there. " if bare else ". ")
    return text + ellipse_words(f)


def modes_words(f: dict, formula: str, direction: str) -> str:
    """The per-mode view's sentence, from a field from score_field(): each mode's own score
    (formula), pointing `direction` (mode_direction_text); where only some modes are drawn, it
    says how many, and that the ellipses are theirs."""
    shown, _ = undrawn_share(f)
    every = len(shown) == len(f["comp_scores"])
    head = "Each mode's score" if every else f"{_drawn_words(f)}. Each drawn mode's score"
    return f"{head}, as if it were alone: {formula}, {direction}, whatever the other modes do. " + ellipse_words(f)


@state.cache_data
def score_png(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
              scale: str) -> bytes:
    """The chosen view as PNG bytes (rendering is the slow part: cache it too)."""
    return figure_png(score_figure(gmm, sde, t, where, n, seed, view, lengths, scale), dpi=100)


def score_figure(gmm, sde, t: float, where: str, n: int, seed: int, view: str, lengths: str,
                 scale: str):
    """The chosen view as the matplotlib Figure score_png renders."""
    f = score_field(gmm, sde, t, where, n, seed)
    m = key_magnitude(gmm, sde, t, where, n, seed, scale, view=view)
    key = key_arrow(gmm, sde, t, where, n, seed, scale, view)
    colors = mode_colors(gmm.n_components)
    title = f"t = {t:.2f},  σₜ = {f['sigma']:.3g}"
    fixed = scale == "fixed"
    if view == "total":
        fig = sfig.total_score_figure(f["xx"], f["yy"], f["logp"], f["pts"], f["total"], lengths,
                                      title="score ∇ log pₜ,  " + title, resp=f["resp"],
                                      magnitude=m, fixed=fixed, key=key, reach=reach(gmm, sde, t, f["pts"]))
    elif view == "modes":
        fig = sfig.mode_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"], f["comp_scores"],
                                      colors, lengths=lengths, title="per-mode scores,  " + title,
                                      resp=f["resp"], magnitude=m, fixed=fixed, key=key,
                                      reach=mean_distances(gmm, sde, t, f["pts"]))
    else:
        fig = sfig.weighted_scores_figure(f["xx"], f["yy"], f["comp_logp"], f["pts"],
                                          f["comp_scores"], f["resp"], f["total"], colors,
                                          title="weighted modes vs total,  " + title,
                                          magnitude=m, fixed=fixed, key=key,
                                          reach=mean_distances(gmm, sde, t, f["pts"]))
    return fig
