"""Score-field figures: log-density contours with score arrows (matplotlib Figures).

Three views of the score of a Gaussian mixture at points x:
  total      grad log p(x), arrows coloured by their magnitude, over the log-density contours;
  per mode   every mode's own score -Sigma_k^{-1}(x - mu_k), in that mode's colour, over its contours;
  weighted   pi_k(x) * (mode k's score) for every k, and their sum, the total score (black).
Arrow lengths are either all equal (direction only; magnitude shown by colour) or proportional to
the score. Proportional arrows are drawn so that a reference magnitude m (a robust size of the
score: see reference_magnitude, and mode_magnitude for the per-mode view) is REF_ARROWS base
lengths long, where a base length is a fixed fraction of the picture's width: an arrow of a given on-screen length means the same |score| in
every picture drawn with the same m. Pass m from the t = 0 field to keep one scale across t (the
arrows then shrink as the score does); leave it out to fit the scale to the picture. Arrows longer
than CLIP_ARROWS base lengths are clipped to that length (a narrow mode's huge scores would shrink
every other arrow to nothing); the figure says how many, and shows a key arrow "|s| = m".
"""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .common import PALETTE, as_numpy, auto_limits, density_grid, mode_colors, square_axes
from .background import density_background

__all__ = ["EDGE", "in_view", "MAX_DRAWN_MODES", "drawn_modes", "LENGTHS", "SCALES", "REF_ARROWS", "CLIP_ARROWS", "VISIBLE",
           "field_data", "reference_magnitude", "mode_magnitude", "arrow_vectors", "clip_arrows", "view_arrows",
           "short_share", "total_score_figure", "mode_scores_figure", "weighted_scores_figure"]

LENGTHS = ("equal", "proportional")
SCALES = ("fixed", "fitted")      # proportional arrows: one scale for every t, or one per picture
REF_ARROWS = 1.4                  # the reference magnitude is drawn this many base lengths long
CLIP_ARROWS = 2.5                 # longer arrows are clipped to this many base lengths
MARGIN = 0.1                      # room around the modes: a share of the plot's width on each side
EDGE = 0.02                       # samples lie at least this share of the plot's width inside it
MAX_DRAWN_MODES = len(PALETTE)    # per-mode views draw at most this many modes' arrows and ellipses,
                                  # so that each drawn mode has a colour of its own
VISIBLE = 0.01                    # an arrow shorter than this share of the plot's width is about
                                  # its own head: it shows no direction


def _responsibility(n_modes: int, resp=None) -> np.ndarray:
    """Each mode's total responsibility over the arrow points, Σᵢ πₖ(xᵢ) (zeros when resp is None)."""
    return np.zeros(n_modes) if resp is None else as_numpy(resp).astype(float).sum(0)


def drawn_modes(n_modes: int, resp=None, max_modes: int = MAX_DRAWN_MODES) -> np.ndarray:
    """The modes a per-mode view draws: all of them when at most max_modes, else the max_modes
    with the largest total responsibility over the arrow points (ties by index; by index when
    resp is None), in increasing order."""
    if n_modes <= max_modes:
        return np.arange(n_modes)
    w = _responsibility(n_modes, resp)
    return np.sort(np.lexsort((np.arange(n_modes), -w))[:max_modes])


def drawn_colors(colors: list, shown) -> list:
    """Each mode's colour where a per-mode view draws only `shown` of them: the drawn modes get the
    palette's colours in order, one each (a palette cycled over every mode would give two drawn modes
    one colour); `colors` unchanged where every mode is drawn."""
    if len(shown) == len(colors):
        return colors
    out = list(colors)
    for i, k in enumerate(shown):
        out[k] = PALETTE[i % len(PALETTE)]
    return out


def _bounded(handles: list, shown, K: int, resp, title: str) -> tuple[list, str]:
    """The legend's mode entries and title where a view draws only `shown` of K modes
    (drawn_modes): every drawn mode is named (each colour drawn has its entry), the most
    responsible at the arrow points first, and the title says how many of the K are drawn; short
    lines, so the note fits beside the plot. All handles and the title where every mode is drawn."""
    if len(shown) == K:
        return handles, title
    w = _responsibility(K, resp)
    order = sorted(range(len(shown)), key=lambda i: (-w[shown[i]], shown[i]))
    return ([handles[i] for i in order],
            f"{title}\n\n{len(shown)} of {K:,} modes\ndrawn: the most\nresponsible at\n"
            f"these points,\nmost first:")


def _base_length(xx, n_points: int) -> float:
    """A readable arrow length: about the spacing of n_points spread over the plot."""
    span = float(np.ptp(xx))
    return float(np.clip(0.6 * span / np.sqrt(max(n_points, 1)), span / 50, span / 12))


def in_view(xlim, ylim, pts, pad: float = EDGE) -> np.ndarray:
    """Which points of pts (N, 2) lie at least pad times the width inside the frame xlim × ylim:
    the samples a figure draws. A sample nearer the frame was drawn half cut by it, and a frame
    widened to hold every sample put the farthest ones on its border."""
    pts = np.asarray(pts, dtype=float).reshape(-1, 2)
    room = pad * (xlim[1] - xlim[0])
    return (np.isfinite(pts).all(1) & (pts[:, 0] >= xlim[0] + room) & (pts[:, 0] <= xlim[1] - room)
            & (pts[:, 1] >= ylim[0] + room) & (pts[:, 1] <= ylim[1] - room))


def field_data(gmm, sde, t: float, where: str = "samples", n: int = 200, seed: int = 0,
               density_grid_n: int = 100) -> dict:
    """pₜ = gmm diffused to t: its log density (total and per mode) on a grid, the points where
    the arrows start (the n samples of p_t that lie in view, in_view, or an n x n grid over the
    plot), the scores there (total, per mode) and the responsibilities, sigma_t, and outside: how
    many of the n samples lie outside the view (not drawn). The view is every mode of pₜ to 3 std
    and a margin, whatever the samples. All numpy (what the figures below take)."""
    gmm_t = gmm.diffuse(sde, t)
    xlim, ylim = auto_limits(gmm_t, margin=MARGIN)
    outside = 0
    if where == "samples":
        pts = gmm_t.sample(n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)[0]
        keep = torch.as_tensor(in_view(xlim, ylim, pts.numpy()))
        outside, pts = int((~keep).sum()), pts[keep]
    xx, yy, logp = density_grid(gmm_t, xlim, ylim, density_grid_n)
    comp_logp = np.stack([density_grid(gmm_t.component(k), xlim, ylim, density_grid_n)[2]
                          for k in range(gmm_t.n_components)])
    if where != "samples":
        h = (xlim[1] - xlim[0]) / n
        gx = torch.linspace(xlim[0] + h / 2, xlim[1] - h / 2, n, dtype=torch.float64)
        gy = torch.linspace(ylim[0] + h / 2, ylim[1] - h / 2, n, dtype=torch.float64)
        pts = torch.cartesian_prod(gx, gy)
    comp_scores, resp = gmm_t.score_components(pts)
    return dict(xx=xx, yy=yy, logp=logp, comp_logp=comp_logp, pts=pts.numpy(),
                comp_scores=comp_scores.numpy(), resp=resp.numpy(), total=gmm_t.score(pts).numpy(),
                sigma=float(sde.sigma(torch.tensor(float(t), dtype=torch.float64))), outside=outside)


def reference_magnitude(vecs, resp=None, q: float = 0.9, min_share: float = 0.02) -> float:
    """A robust size of the vectors (N, 2): the q-quantile of |v| among the points each mode owns
    (largest responsibility in resp (N, K)), the smallest over the modes that own at least
    min_share of the points; without resp, the q-quantile of all. So the gentlest mode sets the
    scale and a narrow mode's huge scores do not (they are clipped instead). 1.0 when undefined."""
    m = np.linalg.norm(as_numpy(vecs).astype(float).reshape(-1, 2), axis=-1)
    ok = np.isfinite(m)
    values = []
    if resp is not None and m.size:
        owner = np.argmax(as_numpy(resp).reshape(m.size, -1), axis=1)
        need = max(3, min_share * m.size)
        for k in np.unique(owner):
            mk = m[(owner == k) & ok]
            if mk.size >= need:
                values.append(float(np.quantile(mk, q)))
    if not values and ok.any():
        values.append(float(np.quantile(m[ok], q)))
    out = min(values) if values else 0.0
    return out if out > 0 and np.isfinite(out) else 1.0


def mode_magnitude(comp_scores, resp=None, q: float = 0.75) -> float:
    """A robust size for the per-mode view's arrows, each mode's own score at every point
    (comp_scores (K, N, 2)): the q-quantile of |s_k| over the points, the smallest over the modes
    drawn (drawn_modes(K, resp)). Far from its mean a mode's score is long: taken over every point,
    not only those it owns, so those arrows are rarely clipped; the gentlest mode sets the scale,
    so a narrow mode's huge scores are clipped instead. 1.0 when undefined."""
    v = as_numpy(comp_scores).astype(float)
    values = []
    for k in drawn_modes(v.shape[0], resp):
        m = np.linalg.norm(v[k], axis=-1)
        m = m[np.isfinite(m)]
        if m.size:
            values.append(float(np.quantile(m, q)))
    out = min(values) if values else 0.0
    return out if out > 0 and np.isfinite(out) else 1.0


def arrow_vectors(vecs, base: float, lengths: str = "equal", ref=None, magnitude: float | None = None):
    """Display vectors for quiver and the factor k used (None for equal lengths).

    equal:        v / |v| * base (zero vectors stay zero);
    proportional: k v with k = REF_ARROWS base / m: m = magnitude when given, else q95(|ref|),
                  ref defaulting to vecs (pass the same ref or magnitude to draw several vector
                  sets on one scale).
    """
    v = as_numpy(vecs).astype(float)
    if lengths not in LENGTHS:
        raise ValueError(f"arrow lengths must be one of {', '.join(LENGTHS)}; got {lengths!r}")
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    if lengths == "equal":
        return np.where(norm > 0, v / np.where(norm > 0, norm, 1.0), 0.0) * base, None
    if magnitude is None:
        r = np.linalg.norm(as_numpy(ref if ref is not None else v).reshape(-1, v.shape[-1]), axis=-1)
        magnitude = float(np.quantile(r, 0.95)) if r.size else 0.0
    k = REF_ARROWS * base / magnitude if magnitude > 0 and np.isfinite(magnitude) else 1.0
    return v * k, k


def clip_arrows(uv, cap: float):
    """Arrows (..., N, 2) no longer than cap, directions kept, and a mask (N,) of the points where
    some arrow was shortened. Several arrow sets (leading axes) at one point are shortened by the
    same factor, so arrows that add up still add up."""
    uv = as_numpy(uv).astype(float)
    norm = np.linalg.norm(uv, axis=-1)
    longest = norm.reshape(-1, norm.shape[-1]).max(axis=0) if norm.ndim > 1 else norm
    factor = np.where(longest > cap, cap / np.where(longest > 0, longest, 1.0), 1.0)
    return uv * factor[:, None], longest > cap


def _note(ax, text):
    """The note on arrow lengths, under the plot (outside the data area)."""
    ax.figure.text(_LEFT / _W, _NOTE_Y / _H, text, fontsize=8.5, va="top", ha="left")


# what a view's arrows are capped at (view_arrows' reach): the words its notes use
TARGETS = {"total": ("the nearest data point", "the data point they point at"),
           "modes": ("their mode's mean", "their mode's mean"),
           "weighted": ("the nearest mode mean", "the nearest mode mean")}


def capped_words(reached: int, drawn: int, view: str = "total") -> str:
    """Where most of the `drawn` arrows (more than half) end at what the view caps them at
    (TARGETS): the words that say their length is capped there, with the count; else ""."""
    if not drawn or reached <= drawn / 2:
        return ""
    return (f"capped at the distance to {TARGETS[view][0]} (here {reached:,} of {drawn:,} "
            f"{'points' if view == 'weighted' else 'arrows'} are capped)")


def _length_note(k, what="score", clipped: int = 0, fixed: bool | None = None, tiny=False,
                 clip_at: float | None = None, key: float | None = None, reached: int = 0,
                 both: int = 0, drawn: int = 0, view: str = "total"):
    """The note under the plot on arrow lengths. clipped: how many drawn arrows were shortened, to
    the length of |what| = clip_at; key: the key arrow's |what| (the note compares the two);
    reached: how many arrows were drawn only as long as the way to the data point they point at
    (a drawn point set), both of them also past the clipping length. The counts it prints are
    disjoint: arrows clipped and then shortened to their data point are counted with the latter.
    drawn: how many arrows are drawn; where most are shortened to their data point, the first line
    says the length is capped there (capped_words), not only ∝ |what|. view: what the arrows are
    capped at (TARGETS); in the weighted view reached counts points, every arrow there shortened
    by one factor."""
    if k is None:
        return "all arrows the same length (direction only)"
    if fixed is None:
        text = f"arrow length = {k:.3g} × |{what}|"
    elif fixed:
        text = f"arrow length ∝ |{what}|, one scale for every t (t = 0's): the key keeps its length"
    else:
        text = f"arrow length ∝ |{what}|, scale fitted to this picture"
    capped = capped_words(reached, drawn, view)
    if capped:
        head, _, tail = text.partition(", ")
        text = f"{head},\n{capped}" + (f",\n{tail}" if tail else "")     # a line of its own: it is long
    alone = clipped - both                       # clipped, and drawn at the clipping length
    if reached:
        if not capped:       # else the first line counts them
            text += (f"\n{reached} {'point' if view == 'weighted' else 'arrow'}{'s' if reached > 1 else ''}"
                     f"{'’ arrows' if view == 'weighted' else ''} drawn only as long as the way to "
                     f"{TARGETS[view][1]}")
        if both:
            text += (f"\n(of these, {both} {'has' if both == 1 else 'have'} |s| over the clipping length"
                     + (f"; arrows are clipped at |s| = {clip_at:.3g})" if clip_at is not None and not alone
                        else ")"))
    if alone:
        text += (f"\n{alone} {'other' if reached else 'longest'} arrow{'s' if alone > 1 else ''} "
                 "clipped")
        if clip_at is not None:
            text += f" to the length of |s| = {clip_at:.3g}"
            if key:
                text += (" (the key's length)" if np.isclose(clip_at, key, rtol=1e-9) else
                         f" ({clip_at / key:.2g} × the key's)")
    if tiny:
        text += "\nmost arrows are shorter than their heads"
        text += (f":\n|{what}| is small against the key arrow's {key:.3g}" if key else f": |{what}| is small")
        if fixed:
            text += "\n(the scale of t = 0); a scale fitted to this picture shows their directions"
    return text


def key_value(magnitude: float, typical: float | None = None) -> float:
    """The |score| the key arrow shows for a reference `magnitude` (the arrows' scale): `typical`
    when given (the page passes the median |score| its metric shows), else a round number near
    magnitude; at most the clipping length (what the figure's key and the page's caption both
    state)."""
    top = _clip_magnitude(magnitude)
    m = _nice(magnitude) if typical is None else float(typical)
    if not (m > 0 and np.isfinite(m)):
        return magnitude
    return top if m > top else m


def _clip_magnitude(magnitude: float) -> float:
    """The |score| whose arrow is the clipping length, for arrows drawn on `magnitude`'s scale."""
    return magnitude * CLIP_ARROWS / REF_ARROWS


def _nice(x: float) -> float:
    """x rounded to one significant digit (1, 2 or 5 times a power of ten)."""
    if not (x > 0 and np.isfinite(x)):
        return 1.0
    e = np.floor(np.log10(x))
    m = x / 10 ** e
    return float((1 if m < 1.5 else 2 if m < 3.5 else 5 if m < 7.5 else 10) * 10 ** e)


def _key(ax, quiver, k: float, m: float, what: str = "s"):
    """The key arrow under the plot (outside the data area): an arrow as long as |what| = m."""
    x0, x1 = ax.get_xlim()
    a = k * m / (x1 - x0) * _SIDE / _W           # the key's length, in figure fractions
    label = f"|{what}| = {m:.3g}"
    return ax.quiverkey(quiver, _LEFT / _W + a / 2, _KEY_Y / _H, k * m, label, labelpos="E",
                        coordinates="figure", color="black", labelsep=0.08,
                        fontproperties={"size": 9}, zorder=6)


ARROW_WIDTH, HEAD_WIDTH = 0.0045, 3.8   # the arrows' shaft (a share of the plot's width) and head (× the shaft)


def _quiver(ax, pts, uv, c=None, width=ARROW_WIDTH, **kw):
    args = (pts[:, 0], pts[:, 1], uv[:, 0], uv[:, 1]) + (() if c is None else (c,))
    return ax.quiver(*args, angles="xy", scale_units="xy", scale=1, pivot="tail", width=width,
                     headwidth=HEAD_WIDTH, headlength=4.5, **kw)


SHADED = 97   # the percent of the plot the total view's shading covers (the rest: its palest tone)


def density_shading(logp, n: int = 14):
    """What the total view shades and rings: z = -sqrt(log p's depth below its peak), a monotone
    function of log p (darker = more likely), and n levels evenly spaced in z from the peak down
    to the depth of the SHADED-th percent of the plot. Around a Gaussian mode the depth grows like
    the squared distance, so its rings sit evenly spaced out to where the plot ends, however
    narrow the mode: shading spaced evenly in log p sat in tight stacks of rings around narrow
    modes (ring8 at t = 0: 14 rings within 0.7 of each mean) and left most of the plot blank.
    Returns (z, levels)."""
    logp = np.asarray(logp, dtype=float)
    z = -np.sqrt(np.maximum(float(logp.max()) - logp, 0.0))
    lo = float(np.percentile(z, 100 - SHADED))
    return z, (np.linspace(lo, 0.0, n) if lo < 0 else np.array([-1.0, 0.0]))


TINY_NODES = 9    # a mode whose 3-std ellipse holds fewer grid nodes is drawn a few pixels wide


def tiny_modes(comp_logp) -> list[int]:
    """Which modes of comp_logp (K, n, n) are narrower than the arrows: their 3-std ellipse
    (log p within 4.5 nats of its peak on the grid) holds fewer than TINY_NODES grid nodes."""
    return [k for k, lp in enumerate(comp_logp)
            if int((lp >= float(lp.max()) - 4.5).sum()) < TINY_NODES]


def _mode_contours(ax, xx, yy, comp_logp, colors):
    """Each mode's 1, 2 and 3 standard-deviation ellipses, from its log density on the grid, above
    the arrows; a mode too narrow to see (tiny_modes) also gets a ring at its peak."""
    for k, lp in enumerate(comp_logp):
        top = float(lp.max())
        ax.contour(xx, yy, lp, levels=[top - 4.5, top - 2.0, top - 0.5], colors=colors[k],
                   linewidths=[0.8, 1.1, 1.5], linestyles="solid", alpha=0.9, zorder=5)
    for k in tiny_modes(comp_logp):
        i, j = np.unravel_index(int(np.argmax(comp_logp[k])), comp_logp[k].shape)
        ax.scatter([xx[i, j]], [yy[i, j]], s=110, facecolors="none", edgecolors=colors[k],
                   linewidths=2.0, zorder=6)


# One fixed layout (inches) for every view, so switching views does not move the plot: a square
# axes, and a strip on its right for the colour bar or the legend. No layout engine: fast to draw.
# Under the axes' tick labels: the key arrow, then the note on arrow lengths (up to three lines).
_W, _H, _LEFT, _BOTTOM, _SIDE, _GAP = 6.35, 6.35, 0.66, 1.51, 4.4, 0.14
_KEY_Y, _NOTE_Y = 0.92, 0.72


def _figure():
    fig = Figure(figsize=(_W, _H))
    ax = fig.add_axes((_LEFT / _W, _BOTTOM / _H, _SIDE / _W, _SIDE / _H))
    return fig, ax


def _side_rect(width: float = 0.2):
    x = (_LEFT + _SIDE + _GAP) / _W
    return (x, _BOTTOM / _H, width / _W, _SIDE / _H)


def _legend(fig, handles, title):
    x = (_LEFT + _SIDE + _GAP * 0.5) / _W
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(x, (_BOTTOM + _SIDE) / _H),
               fontsize=9, title=title, title_fontsize=9, frameon=False, handlelength=1.4,
               alignment="left")


def _arrow_handle(color, label):
    """A legend entry drawn as an arrow: it names the arrows of that colour."""
    return Line2D([], [], color=color, linestyle="None", marker=r"$\rightarrow$", markersize=15,
                  label=label)


def _ellipse_handle(rings: bool = False):
    """The legend entry naming the ellipses (in every mode's colour), and the rings where some
    mode is too narrow to see (tiny_modes)."""
    return Line2D([], [], color="0.3", linestyle="None", marker="o", markerfacecolor="none",
                  markersize=10, label="ellipses:\n1, 2, 3 σ\nof each\nmode, in\nits colour"
                  + ("\nring: a mode\nnarrower\nthan the\narrows" if rings else ""))


def _scaled(vecs, base, lengths, magnitude):
    """Display arrows (..., N, 2) for vecs on one scale, clipped jointly per point; (uv, k, mask
    (N,) of the points clipped)."""
    uv, k = arrow_vectors(vecs, base, lengths, magnitude=magnitude)
    if k is None:
        return uv, k, np.zeros(uv.shape[-2], dtype=bool)
    uv, clipped = clip_arrows(uv, CLIP_ARROWS * base)
    return uv, k, clipped


def short_share(uv, xx) -> float:
    """The share of the arrows uv (..., 2) (data units) shorter than VISIBLE of the plot's width
    (the span of xx): too short to show a direction. 0 when there are none."""
    n = np.linalg.norm(as_numpy(uv).astype(float).reshape(-1, 2), axis=-1)
    return float(np.mean(n < VISIBLE * float(np.ptp(as_numpy(xx))))) if n.size else 0.0


def _tiny(uv, xx) -> bool:
    """Are most arrows too short to show a direction (short_share over one half)?"""
    return short_share(uv, xx) > 0.5


def view_arrows(view: str, xx, pts, total=None, comp_scores=None, resp=None,
                lengths: str = "proportional", magnitude: float = 1.0, reach=None, frame=None) -> dict:
    """The arrows a view draws, in data units, as its figure below draws them: uv (S, N, 2) (total:
    the total score; modes: each drawn mode's own score, drawn_modes(K, resp); weighted: every
    mode's πₖ × score, then the total, clipped together point by point), k (None for equal
    lengths), clipped (how many points had an arrow clipped), tiny (most arrows too short to show a
    direction, before the reach), reached (how many arrows end where reach caps them), both (total
    view: how many of those were clipped first), seen (the arrows the page counts: the total
    score's in the total and weighted views, every drawn one per mode). reach: no arrow overshoots
    what it points at (TARGETS): total, (N,) the distance to the nearest data point; modes and
    weighted, (K, N) the distance to each mode's mean: each mode's own arrow ends at its mean at
    most, and the weighted view's arrows at a point are shortened by one factor, the black total's
    to the nearest mean (so they still add up); reached then counts those points. frame (xlim,
    ylim): plot_frame's; per mode, an arrow that would run past it ends at it (within_frame), framed
    counts those (0 in the other views, and without a frame)."""
    xx, pts, total, comp_scores, resp = (None if a is None else as_numpy(a).astype(float)
                                         for a in (xx, pts, total, comp_scores, resp))
    base = _base_length(xx, len(pts))
    reached = both = framed = 0
    if view == "total":
        uv, k, clipped = _scaled(total, base, lengths, magnitude)
        tiny = k is not None and _tiny(uv, xx)
        if k is not None and reach is not None:
            over = _over_reach(uv, reach)
            uv, reached = _within_reach(uv, reach)
            both = int((over & clipped).sum())
        uv = uv[None]
        seen = uv
        clipped = int(clipped.sum())
    elif view == "modes":
        shown = drawn_modes(comp_scores.shape[0], resp)
        drawn = [_scaled(comp_scores[kk], base, lengths, magnitude) for kk in shown]
        uv, k = np.stack([d[0] for d in drawn]), drawn[-1][1]
        clipped = int(sum(d[2].sum() for d in drawn))
        tiny = k is not None and _tiny(uv, xx)
        if k is not None and reach is not None:
            both = int(sum((_over_reach(u, reach[kk]) & d[2]).sum() for u, kk, d in zip(uv, shown, drawn)))
            capped = [_within_reach(u, reach[kk]) for u, kk in zip(uv, shown)]
            uv, reached = np.stack([c[0] for c in capped]), sum(c[1] for c in capped)
        uv, framed = within_frame(pts, uv, frame)
        seen = uv
    else:
        weighted = resp.T[:, :, None] * comp_scores                    # (K, N, 2)
        uv, k, clipped = _scaled(np.concatenate([weighted, total[None]]), base, "proportional",
                                 magnitude)
        tiny = _tiny(uv[-1], xx)
        if reach is not None:
            nearest = np.min(reach, axis=0)
            both = int((_over_reach(uv[-1], nearest) & clipped).sum())
            uv, reached = _common_reach(uv, nearest)
        clipped = int(clipped.sum())
        seen = uv[-1:]
    return dict(uv=uv, k=k, clipped=clipped, tiny=tiny, reached=reached, both=both, seen=seen,
                framed=framed)


def within_frame(pts, uv, frame):
    """Arrow sets uv (S, N, 2) starting at pts (N, 2) shortened, directions kept, where their tips
    would lie outside frame (xlim, ylim), so that they end on it; and how many were (None: unchanged)."""
    if frame is None:
        return uv, 0
    lo = np.array([frame[0][0], frame[1][0]], dtype=float)
    hi = np.array([frame[0][1], frame[1][1]], dtype=float)
    room = np.where(uv > 0, hi - pts[None], np.where(uv < 0, lo - pts[None], np.inf))   # per axis, as far as the frame
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(uv != 0, room / uv, np.inf)
    factor = np.clip(np.min(ratio, axis=-1) * (1 - 1e-9), 0.0, 1.0)
    return uv * factor[..., None], int((factor < 1.0).sum())


def total_score_figure(xx, yy, logp, pts, score, lengths: str = "equal", title: str | None = None,
                       resp=None, magnitude: float | None = None, fixed: bool | None = None,
                       key: float | None = None, reach=None):
    """Log-density contours of p with the score grad log p at pts, coloured by |score|.

    Proportional arrows: `magnitude` (default reference_magnitude(score, resp)) is drawn
    REF_ARROWS base lengths long, with a key arrow; fixed (True / False / None) only words the
    note: one scale for every t, or fitted to this picture. key: the |score| of the key arrow
    (default key_value(magnitude)). reach (N,): the distance from each point to the data point its
    arrow points at (a drawn point set); a longer arrow would overshoot it, so it ends there."""
    xx, yy, logp, pts, score = (as_numpy(a).astype(float) for a in (xx, yy, logp, pts, score))
    fig, ax = _figure()
    z, levels = density_shading(logp)
    density_background(ax, xx, yy, z, levels=levels, extend="min", lines="0.45")
    m = reference_magnitude(score, resp) if magnitude is None else float(magnitude)
    a = view_arrows("total", xx, pts, score, lengths=lengths, magnitude=m, reach=reach)
    uv, k, clipped, reached = a["uv"][0], a["k"], a["clipped"], a["reached"]
    tiny = a["tiny"]                                # before the reach: its own reason, said apart
    mag = np.linalg.norm(score, axis=1)
    top = _clip_magnitude(m)                    # colours on the arrows' scale: clipped ones saturate
    q = _quiver(ax, pts, uv, mag, cmap="plasma", **({} if k is None else dict(clim=(0.0, top))))
    ax.scatter(pts[:, 0], pts[:, 1], s=4, c="0.2", zorder=3, linewidths=0)
    square_axes(ax, xx, yy, title)
    cb = fig.colorbar(q, cax=fig.add_axes(_side_rect()),
                      extend="max" if k is not None and mag.max() > top else "neither")
    cb.set_label("|∇ log pₜ(x)|  (arrow colour)")
    key = key_value(m) if key is None else key
    if k is not None:
        _key(ax, q, k, key)
    _note(ax, _length_note(k, clipped=clipped, fixed=fixed, tiny=tiny, clip_at=_clip_magnitude(m),
                           key=key, reached=reached, both=a["both"], drawn=len(pts)))
    return fig


def _over_reach(uv, reach):
    """Which arrows (N, 2) are longer than reach (N,) (all False for None)."""
    if reach is None:
        return np.zeros(len(uv), dtype=bool)
    return np.linalg.norm(uv, axis=1) > np.asarray(reach, dtype=float)


def _within_reach(uv, reach):
    """Arrows (N, 2) no longer than reach (N,) (None: unchanged), and how many were shortened."""
    if reach is None:
        return uv, 0
    n = np.linalg.norm(uv, axis=1)
    reach = np.asarray(reach, dtype=float)
    over = _over_reach(uv, reach)
    uv = uv.copy()
    uv[over] *= (reach[over] / n[over])[:, None]
    return uv, int(over.sum())


def _common_reach(uv, reach):
    """Arrow sets (S, N, 2) whose last one (the total) is shortened to reach (N,) where longer,
    every set at that point by the same factor (so they still add up), and at how many points."""
    over = _over_reach(uv[-1], reach)
    n = np.linalg.norm(uv[-1], axis=1)
    factor = np.where(over, np.asarray(reach, dtype=float) / np.where(n > 0, n, 1.0), 1.0)
    return uv * factor[None, :, None], int(over.sum())


def mode_scores_figure(xx, yy, comp_logp, pts, comp_scores, colors=None, names=None,
                       lengths: str = "equal", title: str | None = None, resp=None,
                       magnitude: float | None = None, fixed: bool | None = None,
                       key: float | None = None, reach=None):
    """Every mode's own score -Sigma_k^{-1}(x - mu_k) at pts, in its colour, over its contours.

    comp_logp (K, n, n): each component's log density on the grid; comp_scores (K, N, 2); resp
    (N, K) the responsibilities, for the default magnitude (that of the total score); reach
    (K, N): the distance from each point to each mode's mean, where its arrow ends at most.
    """
    xx, yy, comp_logp, pts, comp_scores = (as_numpy(a).astype(float) for a in
                                           (xx, yy, comp_logp, pts, comp_scores))
    K = comp_scores.shape[0]
    colors = list(colors or mode_colors(K))
    names = list(names or [f"mode {k + 1}" for k in range(K)])
    if magnitude is not None:
        m = float(magnitude)
    elif resp is not None:
        m = reference_magnitude(np.einsum("nk,knd->nd", as_numpy(resp).astype(float), comp_scores), resp)
    else:
        m = reference_magnitude(comp_scores)
    shown = drawn_modes(K, resp)
    colors = drawn_colors(colors, shown)
    fig, ax = _figure()
    _mode_contours(ax, xx, yy, comp_logp[shown], [colors[k % len(colors)] for k in shown])
    a = view_arrows("modes", xx, pts, comp_scores=comp_scores, resp=resp, lengths=lengths,
                    magnitude=m, reach=reach, frame=plot_frame(xx, yy))
    k, clipped = a["k"], a["clipped"]
    handles, first = [], None
    for kk, uv in zip(shown, a["uv"]):
        q = _quiver(ax, pts, uv, color=colors[kk], alpha=0.65)
        first = first or q
        handles.append(_arrow_handle(colors[kk], names[kk]))
    handles, head = _bounded(handles, shown, K, resp, "arrows: score\nof each mode")
    ax.scatter(pts[:, 0], pts[:, 1], s=4, c="0.2", zorder=3, linewidths=0)
    square_axes(ax, xx, yy, title)
    handles.append(_ellipse_handle(bool(tiny_modes(comp_logp[shown]))))
    _legend(fig, handles, head)
    key = key_value(m) if key is None else key
    if k is not None:
        _key(ax, first, k, key)
    _note(ax, _length_note(k, "mode score", clipped=clipped, fixed=fixed, tiny=a["tiny"],
                           clip_at=_clip_magnitude(m), key=key, reached=a["reached"],
                           both=a["both"], drawn=a["uv"].shape[0] * len(pts), view="modes"))
    return fig


def weighted_scores_figure(xx, yy, comp_logp, pts, comp_scores, resp, total, colors=None,
                           names=None, title: str | None = None, magnitude: float | None = None,
                           fixed: bool | None = None, key: float | None = None, reach=None):
    """pi_k(x) * s_k(x) for every mode (its colour) and their sum, the total score (black).

    Drawn on one proportional scale, so the coloured arrows add up to the black one (arrows that
    are too long are clipped together, point by point, so they still add up).
    resp (N, K) responsibilities pi_k(x); total (N, 2); reach (K, N): the distance from each point
    to each mode's mean (the arrows at a point are shortened together where the black one would
    pass the nearest mean).
    """
    xx, yy, comp_logp, pts, comp_scores, resp, total = (
        as_numpy(a).astype(float) for a in (xx, yy, comp_logp, pts, comp_scores, resp, total))
    K = comp_scores.shape[0]
    colors = list(colors or mode_colors(K))
    names = list(names or [f"mode {k + 1}" for k in range(K)])
    m = reference_magnitude(total, resp) if magnitude is None else float(magnitude)
    shown = drawn_modes(K, resp)
    colors = drawn_colors(colors, shown)
    fig, ax = _figure()
    _mode_contours(ax, xx, yy, comp_logp[shown], [colors[k % len(colors)] for k in shown])
    a = view_arrows("weighted", xx, pts, total, comp_scores, resp, "proportional", m, reach)
    uv, k, clipped = a["uv"], a["k"], a["clipped"]
    handles = []
    for kk in shown:
        _quiver(ax, pts, uv[kk], color=colors[kk], alpha=0.7, width=0.007)
        handles.append(_arrow_handle(colors[kk], names[kk]))
    handles, head = _bounded(handles, shown, K, resp, "arrows:\nπₖ(x) × score\nof each mode")
    q = _quiver(ax, pts, uv[K], color="black", alpha=0.9, width=0.0022, zorder=4)
    handles.append(_arrow_handle("black", total_label(len(shown), K)))
    handles.append(_ellipse_handle(bool(tiny_modes(comp_logp[shown]))))
    ax.scatter(pts[:, 0], pts[:, 1], s=4, c="0.2", zorder=3, linewidths=0)
    square_axes(ax, xx, yy, title)
    _legend(fig, handles, head)
    key = key_value(m) if key is None else key
    _key(ax, q, k, key)
    _note(ax, _length_note(k, clipped=clipped, fixed=fixed, tiny=a["tiny"],
                           clip_at=_clip_magnitude(m), key=key, reached=a["reached"],
                           both=a["both"], drawn=len(pts), view="weighted"))
    return fig


def plot_frame(xx, yy) -> tuple:
    """Where an arrow's tip may lie in a plot of the grid xx, yy (square_axes' frame): (xlim, ylim)
    less half an arrow head's width (_quiver's) on every side, so that the head stays inside too."""
    room = ARROW_WIDTH * HEAD_WIDTH / 2 * float(np.ptp(xx))
    return ((float(np.min(xx)) + room, float(np.max(xx)) - room),
            (float(np.min(yy)) + room, float(np.max(yy)) - room))


def total_label(drawn: int, n_modes: int) -> str:
    """The legend's name for the black arrow: the sum of the coloured arrows where every mode is
    drawn, else the sum over all n_modes (the drawn ones are only some of its terms)."""
    if drawn == n_modes:
        return "total score\n(their sum)"
    return f"total score\n(of all {n_modes:,}\nmodes)"     # short lines: the legend sits at the figure's edge
