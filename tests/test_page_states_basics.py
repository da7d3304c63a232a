"""State matrix of the basic lesson pages (Forward, Score field, Exact-score reversal): each is
rendered with the presets tutorial and ring8, a custom mixture with one far, narrow mode, and
*your data* (many points, a small smoothing width), at λ = 1, 10, 25, 50 and, on Forward, VP. In
every state: no exception, no NaN or inf in any text or metric, and the computed captions say
what the page's own numbers say."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import diffusion_core as dc
from diffusion_core import pointsets as ps
from dashboard import reversal as rev
from dashboard import score_field as sf
from dashboard import models, yourdata
from dashboard.figures import reversal as rfig
from dashboard.figures import score_field as sfig
from conftest import open_page

FORWARD, SCORE, REVERSAL = "views/1_forward.py", "views/2_score_field.py", "views/3_reversal.py"
SEED = 2021

# a far narrow mode: std 0.02, 30 units from two broad ones (the editor's limits: |mean| <= 50)
FAR_NARROW = dc.GaussianMixture([[0.0, 0.0], [1.5, 0.5], [30.0, -20.0]],
                                [np.eye(2).tolist(), (0.64 * np.eye(2)).tolist(), (4e-4 * np.eye(2)).tolist()],
                                [0.45, 0.45, 0.1])
YOURS_POINTS = ps.SHAPES["spiral"](400)
YOURS = yourdata.entry(YOURS_POINTS, yourdata.width_of(YOURS_POINTS, 0.25), "Shape")
MIXTURES = {
    "tutorial": {},
    "ring8": {"w_mixture": "ring8"},
    "custom": {"w_mixture": "custom", "custom_mixture": FAR_NARROW.to_dict()},
    "your data": {"w_mixture": yourdata.NAME, yourdata.KEY: YOURS},
}
BAD_NUMBER = re.compile(r"(?<![\w.])(nan|inf|-inf|infinity)(?![\w.])", re.I)


def mixture(name: str):
    if name == "custom":
        return FAR_NARROW
    if name == "your data":
        return yourdata.mixture(YOURS)
    return dc.PRESETS[name]


def texts(at) -> list[str]:
    out = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "latex")
           for e in getattr(at, kind)]
    return out + [f"{m.label} {m.value}" for m in at.metric]


def healthy(at):
    assert not at.exception, [e.message for e in at.exception]
    bad = [t for t in texts(at) if BAD_NUMBER.search(t)]
    assert not bad, bad
    raw = [t for t in texts(at) if re.search(r"[σπα]_", t)]
    assert not raw, raw
    return at


STATES = [(m, 25.0) for m in MIXTURES] + [(m, lam) for m in ("tutorial", "custom") for lam in (1.0, 10.0, 50.0)]


def _id(state):
    return f"{state[0]}-lam{state[1]:g}"


# ----------------------------------------------------------------------------- Exact-score reversal
def reversal_run(at, gmm) -> rev.Run:
    s = at.session_state
    g = lambda k: s["w_reversal_" + k]            # noqa: E731
    n_run = rev.samples_for(gmm, int(g("n")), int(g("steps")))
    return rev.Run(g("method"), int(g("steps")), n_run, g("grid"), float(g("t_eps")), float(g("snr")),
                   g("start"), SEED)


@pytest.mark.parametrize("state", STATES, ids=_id)
def test_reversal_states(state):
    name, lam = state
    at = healthy(open_page(REVERSAL, 300, **MIXTURES[name], w_reversal_lam=lam))
    gmm, sde = mixture(name), dc.VESDE(lam)
    run = reversal_run(at, gmm)
    # the mode-weight caption: the modes it names are those off by more than 3 standard errors
    c = rev.weight_check(gmm, sde, run)
    cap = next(x.value for x in at.caption if x.value.startswith("Each sample counts"))
    assert cap == rev.weights_caption(gmm, sde, run)
    bad = np.flatnonzero(~c["ok"])
    if not len(bad):
        assert "every sampled share is within 3 standard errors" in cap
    else:
        assert f"{len(bad):,} of {len(c['true']):,} modes {'is' if len(bad) == 1 else 'are'} off" in cap
        for k in bad[:rev.NAMED_MODES]:
            assert f"mode {k + 1}: {100 * c['sampled'][k]:.1f} % sampled" in cap
            assert ("; the noise left at the end (σ = " in cap) == bool(c["reach"][bad].any()) or len(bad) > rev.NAMED_MODES
        # the end noise is named as a cause only where it reaches another mode, the commitment otherwise
        assert ("moves samples between modes" in cap) == bool(c["reach"][bad].any())
        assert "too narrow" not in cap
    for k in np.flatnonzero(c["ok"]):          # a mode called fine is within 3 standard errors
        assert abs(c["sampled"][k] - c["true"][k]) <= max(3 * c["se"][k], 1 / run.n) + 1e-12
    # the commitment text agrees with the "never commit" metric
    never = next(m.value for m in at.metric if m.label == "never commit")
    prose = " ".join(x.value for x in at.markdown)
    # the commitment headline: of the samples, or of the paths that commit along the way where most are
    # at the threshold from t = 1 on
    decide = "Samples decide" in prose or "that commit along the way, half do so by" in prose
    if gmm.n_components > 1 and gmm.n_components <= yourdata.MANY_MODES and decide:
        if never == "0 %":
            assert ("every path commits" in prose or "no path ends between modes" in prose
                    or "every path's end-mode responsibility is at or above" in prose)
        else:
            assert f"Here {never.replace(' %', '')} % of the paths never commit" in prose
    # a grid too coarse to resolve commitment says so instead of the commitment sentence
    cv = rev.commit_view(gmm, sde, run, at.slider(key="w_reversal_threshold").value)
    if 1 < gmm.n_components <= yourdata.MANY_MODES and cv["median"] is not None:
        assert ("too coarse" in prose) == (not rev.commitment_resolved(cv))
        assert decide == rev.commitment_resolved(cv)
    # the words on the dashed ellipses are those of the count the cloud chart draws
    assert rev.ellipses_words(gmm, sde, run) in prose
    # the colours' sorting at t = 1 is measured on the cloud's own points; "mixed" only where it is
    so = rev.start_sorting(gmm, sde, run)
    assert rev.colour_words(gmm, sde, run) in prose
    assert ("Early on the colours are mixed" in prose) == (so["level"] == "mixed" and not rev.deterministic(sde, run))
    # the red dotted line is drawn at the time the text names, and only where the text names one
    if decide:
        red = re.search(r"The red dotted line, t = ([\d.]+),", prose)
        assert bool(red) == (cv["t_split"] is not None), prose
        if red:
            assert red.group(1) == f"{cv['t_split']:.2f}"
            lines = [r["t"] for d in cv["resp_spec"]["datasets"].values() for r in d
                     if "splits" in str(r.get("what", ""))]
            assert lines == [cv["t_split"]] and rev.split_label(cv["t_split"]).endswith(f"t = {red.group(1)})")
            # no sentence compares the median with the closest pair's split; the paths are counted
            # against the split of their own end mode (a grid step spanning it takes no side)
            assert "comes before the split" not in prose and "comes after the split" not in prose, prose
            own = cv["own_split"]
            if own and own["n"]:
                assert (f"{own['before']:,} ({rev.pct(100 * own['before'] / own['n'])} %) commit before"
                        in prose), prose
                assert ("in a grid step that spans it" in prose) == bool(own["across"]), prose
    # the caption names the grey dashed threshold line with the slider's value
    cap = next(x.value for x in at.caption if x.value.startswith("Top: "))
    assert cap == rev.commitment_caption(cv, at.session_state["w_reversal_n_paths"]) + rev.axis_note(gmm)
    assert f"grey dashed line: the commitment threshold, {cv['threshold']:.2f})" in cap
    # where a uniform grid puts its steps, from this mixture's split at this λ, next to the red line
    assert rev.uniform_grid_note(gmm, sde, marked=True, t_end=1 / rev.loop_steps(run.steps)) in prose
    # a distance that cannot see the run's error is named exactly when the numbers say so
    m = rev.metrics(gmm, sde, run)
    # the measures print three significant digits (2,558, not 2558.242), as the Sampler lab does
    shown = {x.label: x.value for x in at.metric}
    assert shown["W₁ of log p₀ ↓"] == models.value_text(m["logp_w1"])
    assert shown["sliced W₂ ↓"] == models.value_text(m["sliced_w2"])
    assert shown["log-likelihood gap"].lstrip("+") == models.value_text(m["loglik_gap"])
    blind = rev.blind_note(gmm, run, m)
    assert ("cannot tell them from it" in prose) == bool(blind) and (blind in prose)
    # a distance within the true sets' range while the other lies above it by more than its spread is
    # named, and only then (the noise tile shows the range)
    band = rev.truth_band(gmm, run.n, run.seed)
    assert shown[rev.NOISE_TILE] == models.band_text(band, "sliced_w2", "–")      # as the sentences give it
    low = [k for k in ("sliced_w2", "logp_w1") if m[k] <= band[k][1]]
    high = [k for k in ("sliced_w2", "logp_w1") if m[k] > 2 * band[k][1] - band[k][0]]
    assert bool(blind) == (len(low) == 1 and len(high) == 1), (blind, low, high)
    # the final plot draws dots over p₀'s mass contours exactly where the KDE kernel hides a mode
    caps = [x.value for x in at.caption]
    assert (rev.dots_note(gmm, sde, run) in caps) == rev.dots_final(gmm, sde, run) == bool(rev.kde_note(gmm, sde, run))
    # the data region holds every mode's 2σ region
    (x0, x1), (y0, y1) = rev.data_limits(gmm)
    std = torch.linalg.eigvalsh(gmm.covs.double()).max(dim=-1).values.sqrt().numpy()
    mu = gmm.means.double().numpy()
    assert (mu[:, 0] - 2 * std >= x0).all() and (mu[:, 0] + 2 * std <= x1).all()
    assert (mu[:, 1] - 2 * std >= y0).all() and (mu[:, 1] + 2 * std <= y1).all()
    # the cloud's "points outside this view" counts are the chart's own points outside its axes
    spec = rev.cloud_spec(gmm, sde, run, "data")
    datasets = spec.get("datasets", {})
    labels = [r for rows in datasets.values() for r in rows if "out" in r]
    points = next(rows for rows in datasets.values() if rows and "ends in" in rows[0])
    (vx0, vx1), (vy0, vy1) = rev.view_limits(gmm, sde, "data")
    for row in labels:
        j = row["j"]
        out = sum(not (vx0 <= p[f"x{j}"] <= vx1 and vy0 <= p[f"y{j}"] <= vy1) for p in points)
        assert row["out"] == out


# ----------------------------------------------------------------------------- Score field
@pytest.mark.parametrize("state", STATES, ids=_id)
def test_score_field_states(state):
    name, lam = state
    at = healthy(open_page(SCORE, 300, **MIXTURES[name], w_score_lam=lam))
    median_at_0 = at.metric[1].value
    cap = next(x.value for x in at.caption if x.value.startswith("Key arrow"))
    key = cap.split("|score| = ", 1)[1].split(",", 1)[0]
    if "clipping length" in cap:       # the median is beyond the clipped arrows: the key says so
        assert f"({median_at_0}) is above it" in cap
    else:
        assert key == median_at_0
    at.slider(key="w_score_t").set_value(0.5).run()
    healthy(at)
    # fixed scale: the key is the same at every t; only the count of arrows capped at their data point is this t's
    capped = re.compile(r" Arrow length ∝ \|score\|, capped at the distance to the nearest data point \(here \d+ of "
                        r"\d+ arrows are capped\): those are shorter than the key's scale gives\.")
    assert capped.sub("", next(x.value for x in at.caption if x.value.startswith("Key arrow"))) == capped.sub("", cap)
    at.radio(key="w_score_arrow_scale").set_value("fitted").run()
    healthy(at)
    cap = next(x.value for x in at.caption if x.value.startswith("Key arrow"))
    if "clipping length" not in cap:
        assert cap.split("|score| = ", 1)[1].split(",", 1)[0] == at.metric[1].value
    gmm = mixture(name)
    assert f"{sf.key_arrow(gmm, dc.VESDE(lam), 0.5, 'samples', 200, SEED, 'fitted'):.3g}" in cap


@pytest.mark.parametrize("name", ["custom", "tutorial", "your data"])
def test_score_field_says_how_many_arrows_the_frame_cuts(name):
    """Arrows that run past the plot's frame are cut there: the page says how many, counted on the
    figure's own arrows (tips outside its axes), in every view, and says nothing when none is
    (the far narrow mode's clipped arrows overshoot its mean and leave the frame at t = 0)."""
    gmm, sde = mixture(name), dc.VESDE(25.0)
    at = healthy(open_page(SCORE, 300, **MIXTURES[name]))
    seen = 0
    for view in ("total", "modes", "weighted"):
        at.radio(key="w_score_view").set_value(view).run()
        healthy(at)
        fig = sf.score_figure(gmm, sde, 0.0, "samples", 200, SEED, view, "proportional", "fixed")
        ax = fig.axes[0]
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        quivers = [c for c in ax.collections if type(c).__name__ == "Quiver"]
        tx = np.concatenate([q.X + q.U for q in quivers])
        ty = np.concatenate([q.Y + q.V for q in quivers])
        cut = int(((tx < x0) | (tx > x1) | (ty < y0) | (ty > y1)).sum())
        said = [c.value for c in at.caption if "past the plot's frame" in c.value]
        seen += cut
        framed = sf.drawn_arrows(gmm, sde, 0.0, "samples", 200, SEED, view, "proportional", "fixed")["framed"]
        if framed:          # per mode, the arrows that would run past the frame end at it
            assert not cut and said == [sf.cut_note(gmm, sde, 0.0, "samples", 200, SEED, view,
                                                    "proportional", "fixed")], (view, said)
            assert said[0].startswith(f"{framed:,} of the {tx.size:,} arrows drawn would run past"), said
        elif cut:
            verb = "runs past the plot's frame and is" if cut == 1 else "run past the plot's frame and are"
            assert said == [f"{cut:,} of the {tx.size:,} arrows drawn {verb} cut off there."], (view, said)
        else:
            assert said == [], (view, said)
    assert bool(seen) == (name == "custom")


# ----------------------------------------------------------------------------- Forward
@pytest.mark.parametrize("state", STATES + [("tutorial", "VP"), ("custom", "VP")], ids=lambda s: f"{s[0]}-{s[1]}")
def test_forward_states(state):
    name, lam = state
    extra = {"w_forward_kind": "VP"} if lam == "VP" else {"w_forward_lam": lam}
    at = healthy(open_page(FORWARD, 300, **MIXTURES[name], w_forward_source="sidebar", **extra))
    assert len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart")) >= 1 or at.get("imgs")


def test_cloud_chart_counts_points_outside_its_view():
    frames = np.zeros((2, 4, 2))
    frames[0] = [[0, 0], [10, 0], [0, -10], [1, 1]]
    chart = rfig.cloud_chart(frames, np.array([1.0, 0.0]), np.zeros(4, int), ["mode 1"],
                             xlim=(-5, 5), ylim=(-5, 5))
    spec = chart.to_dict()
    rows = [r for d in spec["datasets"].values() for r in d if "out" in r]
    assert [r["out"] for r in sorted(rows, key=lambda r: r["j"])] == [2, 0]
    assert "outside this view" in str(spec)
    legends = [v.get("legend") for layer in spec["layer"] for v in layer.get("encoding", {}).values()
               if isinstance(v, dict) and v.get("legend")]
    assert legends and all(lg["orient"] == "bottom" for lg in legends)     # outside the data area


def test_forward_heat_map_is_fine_where_the_density_changes_fast():
    """The 1D heat map: contiguous cells (no gaps), columns much narrower than 0.01 near t = 0
    where pₜ changes fastest, and no more marks than the uniform grid drew (white cells dropped)."""
    from dashboard import forward
    from dashboard.figures.common import chart_spec
    for sde in (dc.VESDE(25.0), dc.VESDE(1.0), dc.VPSDE()):
        spec = chart_spec(forward.paths_1d_chart(sde, 200, SEED, True))
        rows = next(d for d in spec["datasets"].values() if d and "t0" in d[0])
        t0 = np.unique([r["t0"] for r in rows])
        t1 = np.unique([r["t1"] for r in rows])
        assert np.allclose(t0[1:], t1[:-1])                         # no gaps between columns
        assert t1[0] - t0[0] < 0.001
        assert len(rows) <= 101 * 121


def test_forward_two_clusters_label_reads_their_means():
    at = open_page(FORWARD, 300)
    label = next(o for o in at.radio(key="w_forward_source").options if "two clusters" in o)
    assert label.endswith("two clusters at (−2, −2) and (2, 2)")
    mu = dc.PRESETS["two clusters"].means.numpy()
    assert mu.tolist() == [[-2.0, -2.0], [2.0, 2.0]]


def test_class_server_has_no_deploy_button():
    """A local class server: the toolbar shows no Deploy button nor developer entries."""
    import tomllib
    from conftest import ROOT
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["toolbarMode"] == "viewer"


def test_a_move_during_a_run_goes_to_that_run():
    """runner.fastReruns is off: with it on, a widget move during a run starts a second script
    thread over the same session state (each runner wraps it with a lock of its own) while the
    stopped run goes on to its next checkpoint; quick slider moves crashed a run in Streamlit's
    session state ("dictionary changed size during iteration")."""
    import tomllib
    from conftest import ROOT
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["fastReruns"] is False


def test_cloud_chart_count_of_points_outside_sits_above_the_frame():
    """The red "n of P points outside this view" sits above the data area, clear of the bold
    t label inside its top-left corner and of the points; an empty text where none is outside."""
    frames = np.zeros((2, 4, 2))
    frames[0] = [[0, 0], [10, 0], [0, -10], [1, 1]]
    spec = rfig.cloud_chart(frames, np.array([1.0, 0.0]), np.zeros(4, int), ["mode 1"],
                            xlim=(-5, 5), ylim=(-5, 5)).to_dict()
    texts = [layer for layer in spec["layer"] if layer["mark"].get("type") == "text"]
    t_label, out_label = texts
    assert "outside this view" in str(out_label["transform"])
    assert out_label["mark"]["baseline"] == "bottom" and out_label["mark"]["y"] < 0
    assert t_label["mark"]["baseline"] == "top" and t_label["mark"]["y"] >= 0     # inside the frame
    assert "datum.out > 0 ?" in str(out_label["transform"])


def _short_note(at):
    notes = [x.value for x in at.info if "too short to see" in x.value]
    assert len(notes) <= 1
    return notes[0] if notes else None


LABEL_SCALE = {"fixed across t": "fixed", "fitted to this picture": "fitted"}


@pytest.mark.parametrize("state", [(m, 25.0) for m in MIXTURES] + [("tutorial", 1.0), ("custom", 50.0), ("ring8", 0.1)],
                         ids=_id)
def test_score_field_short_arrows_sentence(state):
    """In every view at t = 0 and t = 1 on the fixed scale: the page says arrows are too short
    exactly when most counted arrows drawn are under VISIBLE of the plot's width, with their
    count; the first setting it names, once chosen, shows most of them (the sentence is gone)."""
    name, lam = state
    gmm, sde = mixture(name), dc.VESDE(lam)
    at = healthy(open_page(SCORE, 300, **MIXTURES[name], w_score_lam=lam))
    for view in ("total", "weighted", "modes"):
        for t in (0.0, 1.0):
            at.radio(key="w_score_view").set_value(view)
            at.radio(key="w_score_arrow_scale").set_value("fixed")
            at.slider(key="w_score_t").set_value(t).run()
            healthy(at)
            note = _short_note(at)
            a = sf.drawn_arrows(gmm, sde, t, "samples", 200, SEED, view, "proportional", "fixed")
            counted = a["seen"].shape[0] * a["seen"].shape[1]
            short = round(sfig.short_share(a["seen"], a["xx"]) * counted)
            assert (note is not None) == (short > counted / 2), (view, t, note)
            if t == 1.0 and lam >= 25.0:          # the t = 0 scale: the score has shrunk 1/σₜ²
                assert note is not None, (view, t)
            if note is None:
                continue
            assert f"**{short} of the {counted} " in note
            scale = re.search(r"choose the arrow scale \*\*(.+?)\*\*", note)
            later = re.search(r"raise t to ([\d.]+) with the arrow scale \*\*(.+?)\*\*", note)
            assert scale or later or "**equal (direction only)**" in note, note
            if scale:
                at.radio(key="w_score_arrow_scale").set_value(LABEL_SCALE[scale.group(1)]).run()
            elif later:
                at.slider(key="w_score_t").set_value(float(later.group(1)))
                at.radio(key="w_score_arrow_scale").set_value(LABEL_SCALE[later.group(2)]).run()
            else:
                at.radio(key="w_score_lengths").set_value("equal").run()
            assert _short_note(healthy(at)) is None, note
            if view != "weighted":
                at.radio(key="w_score_lengths").set_value("proportional")
