"""Cached computations and the trained networks of the Flow matching page: exact-flow, VE PF-ODE
and learned paths, independent pairs, the straightness story, quality per velocity evaluation,
the network's error over t and one round of rectification. Everything but the networks is
st.cache_data, keyed by value."""
from __future__ import annotations

import base64
import copy

import numpy as np
import pandas as pd
import torch

import diffusion_core as dc
from diffusion_core import flow as fl
from diffusion_core.sampling import time_grid
from dashboard import guidance, lessons, models, state
from dashboard.models import count_gap, count_noise, counts_differ
from dashboard.figures import flow as ffig
from dashboard.figures.common import chart_spec, density_grid, figure_png, with_room

FLOW_STEPS = (2, 4, 8, 16, 32)
RECTIFY_STEPS = 50          # Heun steps that push the noise through the learned flow
N_PAIRS = 30                # independent (x₀, ε) pairs drawn as straight segments
OFF_REF = 1000              # true samples (the quality chart's truth) whose log p₀ quantile says "off every mode"
# An ODE's paths are unique in (x, t), not in x: drawn in the plane, two of them may cross at different t.
PATHS_MEET = ("Two paths of an ODE never pass through the same point at the same time: where single pairs' "
              "lines pass through one point at one t, the flow's velocity there is their average, so its "
              "paths bend instead. Drawn in the plane, as here, two paths can still cross, at different t.")


def path_panels(gmm, lam: float, n: int, steps: int, seed: int, cfg=None, rectified: bool = False,
                device: str = "cpu") -> tuple[list, dict]:
    """The paths figure's panels after the pairs' one, as (key, title, paths (steps + 1, n, 2)):
    the exact flow, the VE PF-ODE, and the learned and rectified flows when on; and the
    straightness of each over all n paths."""
    exact = paths(gmm, lam, n, steps, seed)
    runs = [("exact flow", "exact flow (flow matching)", exact["flow"]),
            ("VE PF-ODE", "VE probability-flow ODE", exact["VE PF-ODE"])]
    for which, on in (("learned", cfg is not None), ("rectified", rectified)):
        if on:
            runs.append((f"{which} flow", f"{which} flow", paths(gmm, lam, n, steps, seed, cfg, which, device)["flow"]))
    panels = [(k, t, traj) for k, t, (traj, _) in runs]
    straight = {k: s for k, _, (_, s) in runs}
    return panels, straight


@state.cache_data(max_entries=16)
def paths_view(gmm, lam: float, n: int, steps: int, seed: int, cfg=None, rectified: bool = False,
               device: str = "cpu") -> dict:
    """Everything the paths figure draws but the number of paths: spec (the Vega-Lite chart,
    ffig.paths_chart, without its dataset), frame (its dataset, ffig.path_frame: all n paths of every
    panel; frame[frame.i < m] draws m), straight (straightness per field over all n paths), pairs
    (the independent pairs' panel) and ve_start (the VE paths' starts, (n, 2))."""
    panels, straight = path_panels(gmm, lam, n, steps, seed, cfg, rectified, device)
    two = pairs(gmm, N_PAIRS, seed)
    xlim, ylim = flow_limits(gmm)
    cols = ffig.grid_columns(len(panels) + 1)            # the flows' panels and the pairs' panel
    spec = chart_spec(ffig.paths_chart(
        [(k, f"{t}\n{ffig.straight_label(straight[k])}", ffig.FIELD_COLORS[k]) for k, t, _ in panels],
        xlim, ylim, background_url(gmm), steps, (pairs_title(two), two["x0"], two["eps"]),
        size=ffig.PANEL_SIZES[cols], ncols=cols))
    return {"spec": spec, "frame": ffig.path_frame([(k, tr) for k, _, tr in panels]), "straight": straight,
            "pairs": two, "ve_start": np.asarray(panels[1][2][0], dtype=float)}


def pairs_title(two: dict) -> str:
    """The pairs panel's title: how many pairs, how many of their segments cross."""
    return f"{N_PAIRS} single pairs (x₀, ε)\n{two['crossings']} crossings"


def paths_png(gmm, lam: float, n: int, steps: int, seed: int, n_paths: int, cfg=None,
              rectified: bool = False, device: str = "cpu") -> bytes:
    """The paths figure as a PNG (ffig.paths_figure, the same panels and titles as the chart),
    for its download: rendered only when the download is clicked."""
    panels, straight = path_panels(gmm, lam, n, steps, seed, cfg, rectified, device)
    two = pairs(gmm, N_PAIRS, seed)
    xlim, ylim = flow_limits(gmm)
    xx, yy, logp = density_grid(gmm, xlim, ylim, n=100)
    fig = ffig.paths_figure([(f"{t}\n{ffig.straight_label(straight[k])}", tr, ffig.FIELD_COLORS[k])
                             for k, t, tr in panels], xx, yy, logp, xlim, ylim, int(n_paths),
                            (pairs_title(two), two["x0"], two["eps"]), ncols=ffig.grid_columns(len(panels) + 1))
    return figure_png(fig)


def paths_spec(view: dict, n_paths: int) -> dict:
    """paths_view's chart with its first n_paths paths of every panel: the spec (copied) and its
    dataset, a slice of the cached frame (st.vega_lite_chart sends it as Arrow)."""
    frame, spec = view["frame"], copy.deepcopy(view["spec"])
    spec["datasets"] = {**spec.get("datasets", {}), ffig.PATHS_DATA: frame[frame["i"] < int(n_paths)]}
    return spec


@state.cache_data(max_entries=16)
def background_url(gmm) -> str:
    """The paths panels' density background (ffig.background_figure over flow_limits) as a PNG data URL."""
    xlim, ylim = flow_limits(gmm)
    xx, yy, logp = density_grid(gmm, xlim, ylim, n=100)
    png = figure_png(ffig.background_figure(xx, yy, logp, xlim, ylim))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def flow_net(cfg, gmm, device: str = "cpu", progress=None):
    """The flow-matching network, trained by regression on eps - x_0."""
    return lessons.trained("flow", cfg, gmm, 0.0, device, lambda cb: fl.train_flow_model(
        gmm, cfg, device=device, callback=cb), "flow-matching network", progress)[0]


def rectified_net(cfg, gmm, device: str = "cpu", progress=None):
    """One round of rectification of flow_net (trained on its own (x_0, eps) pairs)."""
    base = flow_net(cfg, gmm, device, progress)
    return lessons.trained("rectified", cfg, gmm, 0.0, device, lambda cb: _rectify(base, cfg, device),
                    "rectified flow network", progress)[0]


def _rectify(base, cfg, device):
    return fl.rectify(base, cfg, steps=RECTIFY_STEPS, method="heun", device=device)


MODE_ROOM = 0.12    # the paths panels keep every mode's centre at least this share of their span inside each edge


def flow_limits(gmm) -> tuple[tuple[float, float], tuple[float, float]]:
    """The Flow page's panels: panel_limits, widened to hold the noise N(0, I) too (within 3.5),
    then so that every mode's centre lies MODE_ROOM of the span inside each edge (with_room): the
    end points of a narrow mode in a corner are not cramped against the frame."""
    xlim, ylim = guidance.panel_limits(gmm)
    lim = 3.5
    box = (min(xlim[0], -lim), max(xlim[1], lim)), (min(ylim[0], -lim), max(ylim[1], lim))
    return with_room(box, gmm.means.numpy(), MODE_ROOM)


@state.cache_data(max_entries=16)
def paths(gmm, lam: float, n: int, steps: int, seed: int, cfg=None, which: str = "exact",
          device: str = "cpu") -> dict:
    """fl.compare_paths with the exact flow, or the learned / rectified flow ("learned",
    "rectified"; cfg given): name -> (trajectory numpy (steps+1, n, 2), straightness)."""
    fn = None
    if which != "exact":
        net = (flow_net if which == "learned" else rectified_net)(cfg, gmm, device)
        fn = lessons.on_cpu(net, device)
    out = fl.compare_paths(gmm, dc.VESDE(lam), n, steps, seed, velocity_fn=fn)
    return {k: (traj.numpy(), s) for k, (traj, s) in out.items()}


@state.cache_data(max_entries=16)
def pairs(gmm, n: int, seed: int) -> dict:
    """n independent pairs (x₀ ~ p₀, ε ~ N(0, I)), the straight segments of flow matching's
    training targets, and how many pairs of those segments cross."""
    x0, eps = fl.independent_pairs(gmm, n, seed + 3)
    return {"x0": x0.numpy(), "eps": eps.numpy(), "crossings": fl.count_crossings(x0, eps),
            "pairs": n * (n - 1) // 2}


@state.cache_data(max_entries=16)
def path_story(gmm, lam: float, n: int, steps: int, seed: int) -> dict:
    """The numbers behind the straightness comparison of the exact paths: straightness of the
    exact flow and of the VE PF-ODE, σ₁, the data's spread s, and the share of the VE paths'
    length travelled while σₜ is above s (the glide inwards from far out); and where the VE paths
    land against the exact flow's from the same noise (whose ends are draws of p₀): the spread of
    their end points over the flow's ("ve_spread_ratio"), the distance between the two clouds'
    centres in units of s ("ve_shift"), beside the VE start's target p₁ (the data blurred by σ₁:
    spread √(s² + σ₁²) around the data's mean); and the two clouds compared as wholes: their sliced
    W2 ("ends_sw2") against the largest between sets of n true samples ("ends_noise",
    quality_noise at n: the measure's own noise at this many points); "ends_off": how many of the
    exact flow's and the VE's end points land off every mode (endpoints_off of these paths);
    "ends_width": (low, high), the ratios of width two sets of n true samples differ by, and
    "ends_shift": the distance in s their centres differ by (quality_noise at n, like ends_noise)."""
    sde = dc.VESDE(lam)
    exact = paths(gmm, lam, n, steps, seed)
    spread = fl.data_spread(gmm)
    ve_sigmas = sde.sigma(time_grid(sde, steps)).numpy()
    sigma1 = float(sde.prior_std())
    ve_end, flow_end = exact["VE PF-ODE"][0][-1], exact["flow"][0][-1]
    true = quality_noise(gmm, n, seed)
    return {"flow": exact["flow"][1], "ve": exact["VE PF-ODE"][1], "sigma1": sigma1,
            "spread": spread, "n": n,
            "ve_glide": fl.length_share_above(exact["VE PF-ODE"][0], ve_sigmas, spread),
            "p1_spread": float(np.hypot(spread, sigma1)),
            "data_mean": (gmm.weights.double() @ gmm.means.double()).tolist(),
            "ve_spread_ratio": fl.cloud_spread(ve_end) / fl.cloud_spread(flow_end),
            "ve_shift": float(np.linalg.norm(ve_end.mean(0) - flow_end.mean(0))) / spread,
            "ends_sw2": float(dc.sliced_w2(np.asarray(ve_end, dtype=float), np.asarray(flow_end, dtype=float))),
            "ends_noise": float(true["sw2"]),
            "ends_width": (float(true["width_low"]), float(true["width_high"])),
            "ends_shift": float(true["shift"]) / spread,
            "ends_off": endpoints_off(gmm, lam, n, steps, seed)}


VE_MISS, VE_OFF = 0.15, 0.05    # how far the VE cloud is from the flow's (share of s) to say it misses / is off


def beyond_noise(a: float, b: float, tol: float) -> bool:
    """The page's noise rule for two numbers of one measure: a lies above b by more than the
    measure's noise tol. Two numbers within tol of each other cannot be told apart by it."""
    return float(a) - float(b) > float(tol)


def spread_words(noise: dict) -> str:
    """The tolerance of the quality measure's rankings, named: the spread of the scores of fresh
    sets of true samples (fl.truth_noise's "spread"), how far two equally good samplers can land."""
    return f"the spread of true sets' scores ({noise['spread']:.3f})"


def ends_apart(story: dict) -> bool | None:
    """Whether the VE paths' end points and the exact flow's differ as whole clouds beyond the
    noise of the measure (beyond_noise: their sliced W₂ against the largest between two sets of
    as many true samples); None where the story has no such numbers."""
    if "ends_sw2" not in story:
        return None
    return beyond_noise(story["ends_sw2"], story["ends_noise"], 0.0)


def ends_sentence(story: dict, noise: dict | None = None, chart_apart: bool = False) -> str:
    """The end-point clouds compared as wholes (not path by path), with the numbers: their sliced
    W2 against what two independent sets of as many true samples differ by ("" without them).
    chart_apart: the quality chart's sliced W₂ tells the two samplers apart at its noise["n"] samples; where
    the clouds cannot be told apart at their fewer points, the sentence says why (smaller_sample_words)."""
    apart = ends_apart(story)
    if apart is None:
        return ""
    n = story["n"]
    return (f" Compared as whole clouds (not path by path), the {n} VE end points and the exact flow's "
            f"{n} lie {story['ends_sw2']:.3f} apart by sliced W₂, "
            + (f"more than two independent sets of {n} true samples differ by (up to "
               f"{story['ends_noise']:.3f}): the two clouds do not match." if apart else
               f"no more than two independent sets of {n} true samples differ by (up to "
               f"{story['ends_noise']:.3f}): by this measure the two clouds cannot be told apart"
               + (smaller_sample_words(story, noise) if chart_apart and noise else "") + "."))


def smaller_sample_words(story: dict, noise: dict) -> str:
    """Why the end points' clouds cannot be told apart by sliced W₂ while the quality chart's samples can: the
    clouds are read at the paths' story["n"] points, where two sets of true samples differ by more
    (story["ends_noise"]) than the chart's noise at its noise["n"] samples (noise["spread"])."""
    return (f" at their {story['n']} points, where that noise is larger ({story['ends_noise']:.3f} against the "
            f"chart's {noise['spread']:.3f} at {noise['n']} samples), so the quality chart's verdict at "
            f"{noise['n']} samples stands")


def _chart_run(last: pd.DataFrame, noise: dict) -> str:
    """Where the quality chart's most-step counts come from (last: its Heun rows by field), named:
    "of 1000 samples each at the quality chart's 32 Heun steps (64 evaluations)"."""
    r = last.iloc[0]
    return f"of {noise['n']} samples each at the quality chart's {int(r['steps'])} Heun steps ({int(r['nfe'])} evaluations)"


def _drawn_run(ends: dict) -> str:
    """Where the paths' end-point counts come from (endpoints_off: every path computed, not only the
    slider's share drawn), named: "of the 200 paths computed (100 Heun steps each)"."""
    return f"of the {ends['n']} paths computed" + (f" ({ends['steps']} Heun steps each)" if "steps" in ends else "")


def _off_words(last: pd.DataFrame, noise: dict) -> str:
    """The VE PF-ODE's samples off every mode at the quality chart's most steps (last: its rows by
    field), in words, where they exceed a set of true samples' beyond two counts' noise (more_off); else ""."""
    if "off" not in last or "off" not in noise or not more_off(int(last.loc["VE PF-ODE", "off"]), noise["off"]):
        return ""
    return (f"{int(last.loc['VE PF-ODE', 'off'])} of its {noise['n']} samples at the quality chart's "
            f"{int(last.iloc[0]['steps'])} Heun steps ({int(last.iloc[0]['nfe'])} evaluations) land off every "
            f"mode, against {int(last.loc['exact flow', 'off'])} for the exact flow and up to {noise['off']} for "
            "a set of true samples")


def more_off(a: int, b: int) -> bool:
    """Whether a count a of samples off every mode lies above b by more than count_noise."""
    return int(a) - int(b) > count_noise(a, b)


def off_verdict(last: pd.DataFrame, noise: dict, run: str | None = None) -> tuple[str, str] | None:
    """The count of samples off every mode (the quality chart's most-step Heun rows, last: by
    field) as a vote on whether the VE samples miss the data: ("worse", …) where the VE puts more
    there than the exact flow and than a set of true samples beyond the counts' noise (more_off),
    ("better", …) where the exact flow does, else ("alike", …); with the numbers and the noise.
    None where the rows have no counts. run: where the counts come from, in words (by default the
    quality chart's, _chart_run)."""
    if "off" not in last or "off" not in noise:
        return None
    ve, exact, true = int(last.loc["VE PF-ODE", "off"]), int(last.loc["exact flow", "off"]), int(noise["off"])
    counts = (f"VE PF-ODE {ve}, exact flow {exact}, {run or _chart_run(last, noise)}; a set of "
              f"{noise['n']} true samples: up to {true}")
    gap = count_gap(ve, exact)
    for kind, (hi, lo, name, other) in (("worse", (ve, exact, "VE PF-ODE", "exact flow")),
                                         ("better", (exact, ve, "exact flow", "VE PF-ODE"))):
        if more_off(hi, lo):
            if more_off(hi, true):
                return kind, f"the samples off every mode ({counts}), more of them the {name}'s ({gap})"
            return "alike", (f"the samples off every mode ({counts}): the {name} puts more there than the "
                             f"{other} ({gap}), but not more than a set of true samples beyond such noise")
    above = " (both more than a set of true samples)" if min(ve, exact) > true else ""
    return "alike", (f"the samples off every mode ({counts}): neither field puts more there than the other "
                     f"({gap}){above}")


def drawn_verdict(story: dict) -> tuple[str, str] | None:
    """off_verdict on the drawn paths' own end points (story["ends_off"], endpoints_off), not the
    quality chart's samples: what a sentence about the straightness drawn may rest on; None
    without them."""
    ends = story.get("ends_off")
    if not ends:
        return None
    rows = pd.DataFrame({"off": {k: ends[k] for k in ("VE PF-ODE", "exact flow")}})
    return off_verdict(rows, {"off": ends["true samples"], "n": ends["n"]}, _drawn_run(ends))


def _wrong_place(story: dict, may: bool, also: list[str] | tuple = ()) -> str:
    """The conclusion that the VE straightness above measures paths ending in the wrong place,
    read off the drawn paths themselves: their cloud (the caller's reason) and their own end points
    off every mode (drawn_verdict), named as such; may: the cloud alone says "may". also: the page's
    other measures that say the VE samples miss (_miss_measures), named beside the cloud where the
    count does not back it; "only their cloud" where there are none."""
    drawn = drawn_verdict(story)
    verb = "may measure" if may else "measures"
    if drawn is None:
        return f"So the VE straightness above {verb} paths that end in the wrong place"
    text = (f"The straightness above is measured on the {story['ends_off']['n']} paths computed; their own end "
            f"points give {drawn[1]}")
    if drawn[0] == "worse":
        return f"{text}. So the VE straightness above {verb} paths that end in the wrong place"
    says = (f"only their cloud says the VE straightness above {verb}" if not also else
            f"{_listed(['their cloud', *also])}, not this count, say the VE straightness above {verb}")
    return f"{text}: by that count {_not_more_off(story['ends_off'])}, so {says} paths that end in the wrong place"


def _miss_measures(story: dict, clouds: bool | None, worse: bool, votes: tuple[str, str] | None,
                   ve_w2: float, flow_w2: float) -> list[str]:
    """The page's measures besides the end points' cloud that say the VE samples miss, with their
    numbers: the two end-point clouds as wholes where they lie apart beyond their noise (clouds,
    ends_apart), the quality chart's sliced W₂ where the VE scores worse beyond the spread of true
    sets' scores (worse), and its count off every mode where that says "worse" (votes, off_verdict)."""
    return (([f"the two clouds compared as wholes ({story['ends_sw2']:.3f} apart, over "
              f"the {story['ends_noise']:.3f} of two sets of true samples)"] if clouds else [])
            + ([f"the quality chart's sliced W₂ ({ve_w2:.3f} against {flow_w2:.3f})"] if worse else [])
            + (["the quality chart's count off every mode"] if votes and votes[0] == "worse" else []))


def _not_more_off(ends: dict) -> str:
    """What the drawn paths' end-point counts (endpoints_off) do not show, naming the comparison that
    failed: the VE paths end off every mode no more often than the exact flow's and/or than true
    samples beyond the counts' noise (more_off). Only where the VE is not above both."""
    ve = int(ends["VE PF-ODE"])
    not_above = [name for name, other in (("the exact flow's paths", ends["exact flow"]),
                                          ("a set of true samples", ends["true samples"]))
                 if not more_off(ve, int(other))]
    return (f"the VE paths do not end off every mode more often than {', nor than '.join(not_above)} "
            "beyond the noise")


def _listed(parts: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def width_beyond(story: dict) -> bool:
    """Whether the VE end points' cloud is wider or narrower than the exact flow's (ratio r =
    story["ve_spread_ratio"]) by more than VE_OFF and beyond what two sets of n true samples differ
    by (r outside story["ends_width"], where known)."""
    r = story["ve_spread_ratio"]
    low, high = story.get("ends_width", (1.0, 1.0))
    return (r < 1 - VE_OFF and r < low) or (r > 1 + VE_OFF and r > high)


def shift_beyond(story: dict) -> bool:
    """Whether the VE cloud's centre lies further from the exact flow's (story["ve_shift"], in s)
    than two sets of n true samples' centres do (story["ends_shift"]; True where unknown)."""
    return story["ve_shift"] > story.get("ends_shift", 0.0)


def cloud_words(story: dict) -> str:
    """After "the VE paths end in a cloud r times as wide as the exact flow's": what that width means
    (land short of the data's outer parts / overshoot the data only where width_beyond), then the
    centres' distance d in s, each against what two sets of n true samples differ by where known
    (story["ends_width"], story["ends_shift"]: quality_noise's width_low/high and shift)."""
    r, d, n, s = story["ve_spread_ratio"], story["ve_shift"], story["n"], story["spread"]
    if "ends_width" not in story:
        return ((", so they land short of the data's outer parts" if r < 1 - VE_OFF else
                 ", so they overshoot the data" if r > 1 + VE_OFF else "")
                + f", its centre {d:.2f} s away (s = {s:.2f})")
    low, high = story["ends_width"]
    band = f"what two sets of {n} true samples differ by ({low:.2f}–{high:.2f})"
    if width_beyond(story):
        what = "land short of the data's outer parts" if r < 1 else "overshoot the data"
        text = f", so they {what}, beyond {band}"
    else:
        text = f", within {band}: by width alone the clouds cannot be told apart"
    near = "more than" if shift_beyond(story) else "within"
    return (text + f"; its centre lies {d:.2f} s from the exact flow's (s = {s:.2f}), {near} the up to "
            f"{story['ends_shift']:.2f} s two such sets' centres lie apart")


def ve_landing(story: dict, quality_df: pd.DataFrame, noise: dict) -> tuple[str, str]:
    """Whether the VE PF-ODE's samples land on the data, from the paths drawn (story) and the
    quality chart's most-step Heun rows: ("miss" | "mixed" | "off" | "on", the sentence). The VE run starts
    from N(0, σ₁²I), not from its true p₁; with a small λ that start is far too narrow (or off
    centre), so its samples miss the data and its straightness belongs to a wrong path. The kind
    is read off the end points' cloud, its width and centre only where they differ from the exact
    flow's beyond what two sets of as many true samples do (width_beyond, shift_beyond); the sliced W₂ of the two samplers are compared with the
    spread of true sets' scores (noise["spread"], the quality caption's rule: beyond_noise), and
    where they lie within it the sentence says this measure cannot tell the two apart. It says the
    VE samples miss the data only where the end points' cloud and sliced W₂ say so and no other
    measure says otherwise beyond its noise (the clouds as wholes, ends_apart; the samples off
    every mode, off_verdict); where one does, the kind is "mixed" and the sentence names which
    measure says what. A cloud somewhat off ("off") is called a slightly wrong path only where the quality
    chart's own rule sees the VE samples miss at its most Heun steps (ve_most_heun); else the sentence
    says what that rule reads there (ve_unseen_words)."""
    r, d = story["ve_spread_ratio"], story["ve_shift"]
    off = max(abs(1.0 - r) if width_beyond(story) else 0.0, d if shift_beyond(story) else 0.0)
    kind = "miss" if off >= VE_MISS else "off" if off >= VE_OFF else "on"
    q = quality_df[quality_df["method"] == "heun"]
    steps = int(q["steps"].max())
    last = q[q["steps"] == steps].set_index("field")
    ve_w2, flow_w2, nfe = last.loc["VE PF-ODE", "sw2"], last.loc["exact flow", "sw2"], int(last.loc["VE PF-ODE", "nfe"])
    tol = float(noise["spread"])
    worse = beyond_noise(ve_w2, flow_w2, tol)
    apart = worse or beyond_noise(flow_w2, ve_w2, tol)
    start = (f"The VE run starts from N(0, σ₁²I) with σ₁ = {story['sigma1']:.2f}; its p₁, the data "
             f"blurred by σ₁, has spread √(s² + σ₁²) = {story['p1_spread']:.2f} around the data's mean "
             f"{mean_words(story)}: the start is {story['sigma1'] / story['p1_spread']:.2f} times "
             "as wide as p₁")
    width = "as wide as" if f"{r:.2f}" == "1.00" else f"{r:.2f} times as wide as"
    where = (f"From the same noise, the {story['n']} VE paths end in a cloud {width} the exact flow's"
             + cloud_words(story) + f"; with {steps} Heun steps "
             f"({nfe} evaluations) the VE samples' sliced W₂ to the data is {ve_w2:.3f} against the "
             f"exact flow's {flow_w2:.3f}"
             + (f", apart by more than {spread_words(noise)}." if apart else
                f": they differ by less than {spread_words(noise)}, so this measure cannot "
                "tell the two samplers apart."))
    clouds = ends_apart(story)          # the two end-point clouds as wholes, against their noise
    where += ends_sentence(story, noise, apart)
    above = straightness_scope(list(quality_df["field"].unique()))
    votes = off_verdict(last, noise)
    also = _miss_measures(story, clouds, worse, votes, ve_w2, flow_w2)
    if kind == "miss" and worse and (clouds is False or (votes and votes[0] == "better")):
        kind = "mixed"
        against = ([f"the clouds as wholes ({story['ends_sw2']:.3f} apart, within the "
                    f"{story['ends_noise']:.3f} of two sets of true samples)"] if clouds is False else []) \
            + ([votes[1]] if votes and votes[0] != "worse" else [])
        text = (f"**The page's measures disagree on whether the VE samples miss the data here.** {start}. "
                f"{where} Saying they miss: the end points' cloud ({width} the exact flow's, its centre "
                f"{d:.2f} s away) and sliced W₂ of the samples ({ve_w2:.3f} against {flow_w2:.3f}, "
                f"{ve_w2 - flow_w2:.3f} apart, over {spread_words(noise)})"
                + (f" and {votes[1]}" if votes and votes[0] == "worse" else "")
                + f". Not saying so: {_listed(against)}. {_wrong_place(story, True, also)}; these measures do not "
                "settle it.")
    elif kind == "miss" and worse:
        alike = votes is not None and votes[0] == "alike"
        head = ("**First: by sliced W₂ and by their end points' cloud, the VE samples miss the data here**, "
                f"though not by {votes[1]}: that count sees only samples between or outside the modes." if alike else
                "**First: the VE samples miss the data here**, by every measure on this page"
                + (f": {votes[1]}." if votes else "."))
        text = f"{head} {start}. {where} {_wrong_place(story, False, also)}, not a valid sampler's."
    elif kind == "miss":
        head = ("**First: the VE paths end in a cloud unlike the exact flow's here**" if clouds is not False
                else f"**First: the VE paths end in a cloud {width} the exact flow's here**")
        text = (f"{head}, though sliced W₂ cannot tell their samples apart. {start}. {where} "
                f"{_wrong_place(story, True, also)}.")
    elif kind == "off" and worse and ve_most_heun(quality_df, noise)[1] == "miss":
        text = (f"**The VE samples land somewhat off the data here.** {start}. {where} The VE "
                "straightness above is that of a slightly wrong path.")
    elif kind == "off" and worse:
        text = (f"**The VE paths end in a cloud {width} the exact flow's here**, and sliced W₂ scores their "
                "samples worse than the exact flow's by more than its noise, yet the quality chart does not "
                f"clearly see them miss the data. {start}. {where} {ve_unseen_words(quality_df, noise)}, so the VE "
                "straightness above may be that of a slightly wrong path or of a valid sampler's; these measures "
                "do not settle it.")
    elif kind == "off" or (not worse and (clouds or (votes is not None and votes[0] != "alike"))):
        off = _off_words(last, noise)
        text = ("**By sliced W₂ the VE samples cannot be told apart from the exact flow's here**"
                + (", though their paths' end points, as a whole cloud, differ from the exact flow's "
                   "beyond that measure's noise" if clouds else "") + f". {start}. "
                f"{where} So {above} compare two samplers whose samples this measure rates as equally good"
                + (f"; but {off}, {ve_reading(ve_w2, noise)}." if off else
                   f"; but the count off every mode tells them apart: {votes[1]}." if votes and votes[0] == "better"
                   else "."))
    elif worse:
        text = (("**The VE paths end in a cloud like the exact flow's here**, but" if not clouds else
                 "**The VE samples land off the data here**:")
                + f" sliced W₂ scores the VE samples worse by more than its noise. {start}. {where} "
                + f"{above[0].upper()}{above[1:]} compare {_worse_pair(last, noise)}"
                + (f"; but the count off every mode points the other way: {votes[1]}." if votes and votes[0] == "better"
                   else "."))
    else:
        valid = [sampler_words(last, noise, k) for k in ("exact flow", "VE PF-ODE")]
        pair = ("two valid samplers" if valid == ["a valid sampler"] * 2 else
                f"two samplers: for the exact flow, {valid[0]}; for the VE PF-ODE, {valid[1]}")
        text = (f"**The VE samples land on the data here**, like the exact flow's. {start}. {where} "
                f"{above[0].upper()}{above[1:]} compare {pair}.")
    return kind, text


def ve_unseen_words(quality_df: pd.DataFrame, noise: dict) -> str:
    """What the quality chart's own rule reads of the VE PF-ODE's samples at its most Heun steps where it
    does not see them miss (ve_most_heun: "edge" or "match"), as a clause: "The VE samples are at the edge of
    sliced W₂'s noise at 32 Heun steps …" or "The VE samples match true ones by both measures at …"."""
    row, kind = ve_most_heun(quality_df, noise)
    if kind == "edge":
        return f"The VE samples are {edge_words([row], noise)}"
    return f"The VE samples match true ones by both measures at {_at_steps([row])} ({_row_numbers(row, noise)})"


def straightness_scope(fields: list[str]) -> str:
    """The straightness numbers the landing sentence speaks of, named: the exact flow's and the VE
    PF-ODE's, and where more fields are drawn (fields: the quality chart's, the paths panels'), that
    these are two of how many the numbers cover."""
    base = "the straightness numbers above (panel titles and caption)"
    if len(fields) <= 2:
        return base
    return f"{base}, which cover {len(fields)} fields ({_listed(list(fields))}), for the exact flow and the VE PF-ODE"


def sampler_words(last: pd.DataFrame, noise: dict, field: str) -> str:
    """`field` as a sampler, by the quality chart's two measures at its most Heun steps (last: those
    rows by field; match_reading): "a valid sampler" only where its samples match true ones there;
    else what the chart reads, with its count off every mode and sliced W₂ against their thresholds.
    Without counts, "a valid sampler" (sliced W₂ alone is the caller's reading)."""
    if "off" not in last:
        return "a valid sampler"
    r = last.loc[field]
    kind = match_reading(r["sw2"], r["off"], noise)
    if kind == "match":
        return "a valid sampler"
    return (f"whose own samples at {int(r['steps'])} Heun steps read \"{READING_WORDS[kind]}\" on the quality "
            f"chart ({int(r['off'])} of {noise['n']} off every mode, against up to {noise['off']} for a set of "
            f"true samples; sliced W₂ {r['sw2']:.3f}, against the line {sees_line(noise):.3f})")


def _worse_pair(last: pd.DataFrame, noise: dict) -> str:
    """What the straightness numbers compare where sliced W₂ scores the VE worse than the exact flow
    beyond its noise: "a valid sampler with a slightly worse one by that measure" only where the exact
    flow's samples match true ones (sampler_words); else the exact flow as the chart reads it."""
    exact = sampler_words(last, noise, "exact flow")
    if exact == "a valid sampler":
        return "a valid sampler with a slightly worse one by that measure"
    return f"the exact flow, {exact}, with the VE PF-ODE, scored worse than it by sliced W₂"


@state.cache_data(max_entries=16)
def quality(gmm, lam: float, n: int, seed: int, cfg=None, device: str = "cpu",
            rectified: bool = False) -> pd.DataFrame:
    """fl.flow_quality for the exact flow and the VE PF-ODE; with cfg, the learned flow too (and
    the rectified one). Column "field" names the velocity field."""
    frames = [fl.flow_quality(gmm, dc.VESDE(lam), FLOW_STEPS, n, seed).replace({"field": {"flow": "exact flow"}})]
    if cfg is not None:
        frames.append(_net_quality(cfg, gmm, device, n, seed, "learned"))
    if cfg is not None and rectified:
        frames.append(_net_quality(cfg, gmm, device, n, seed, "rectified"))
    return pd.concat(frames, ignore_index=True)


@state.cache_data(max_entries=16)
def _net_quality(cfg, gmm, device: str, n: int, seed: int, which: str) -> pd.DataFrame:
    """flow_quality's rows for a network's flow (same noise and truth draws), without the VE
    rows: they do not depend on lambda, so a new lambda reuses them."""
    net = lessons.on_cpu((flow_net if which == "learned" else rectified_net)(cfg, gmm, device), device)
    eps, truth = fl.quality_draws(gmm, n, seed)
    rows = []
    for steps in FLOW_STEPS:
        for method in fl.FLOW_METHODS:
            res = fl.flow_sample(net, n, steps, method, x_init=eps, dtype=torch.float64)
            rows.append({"field": f"{which} flow", "method": method, "steps": steps, "nfe": res.nfe,
                         "sw2": dc.sliced_w2(res.x, truth), "off": fl.off_mode_count(gmm, res.x, truth)})
    return pd.DataFrame(rows)


@state.cache_data(max_entries=16)
def quality_noise(gmm, n: int, seed: int) -> dict:
    """fl.truth_noise: the sliced W₂ between sets of n true samples (the measure's noise) and
    how many true samples land off every mode."""
    return fl.truth_noise(gmm, n, seed)


def _the(names, start: bool = False) -> str:
    """"the A", "the A and the B", "the A, the B and the C" ("The …" at a sentence's start)."""
    names = [f"the {k}" for k in names]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return "T" + text[1:] if start else text


def alike_sentence(sw2: pd.Series, noise: dict) -> list[str]:
    """For fields whose sliced W₂ (sw2, by field) print alike at three decimals: their values with
    the fewest decimals (up to 8) that tell them apart, and why they agree: every field starts
    from the same noise and is scored against the same true samples, and these differ by less
    than the spread of true sets' scores (noise["spread"]). [] where every printed value differs."""
    tol = noise["spread"]
    groups: dict[str, list[str]] = {}
    for k, v in sw2.items():
        groups.setdefault(f"{float(v):.3f}", []).append(k)
    said = []
    for printed, names in groups.items():
        if len(names) < 2:
            continue
        vals = [float(sw2[k]) for k in names]
        d = next((d for d in range(4, 9) if len({f"{v:.{d}f}" for v in vals}) == len(set(vals))), 8)
        gap = max(vals) - min(vals)
        both = "both" if len(names) == 2 else "all"
        if gap == 0:
            said.append(f"{_the(names, True)} {both} score exactly {printed}.")
            continue
        listed = ", ".join(f"{v:.{d}f}" for v in vals[:-1]) + f" and {vals[-1]:.{d}f}"
        said.append(f"{_the(names, True)} {both} print {printed}: {listed}, {gap:.{d}f} apart, "
                    f"{'under' if gap <= tol else 'over'} {spread_words(noise)}. Every field starts from the same noise and is scored "
                    "against the same true samples, so flows that carry it to nearly the same points "
                    "score nearly alike.")
    return said


def ve_reading(score: float, noise: dict) -> str:
    """What sliced W₂ says of the VE PF-ODE's samples off every mode (more than true sets', more_off), from its own score
    (sees_verdicts, the quality caption's reading): "which sliced W₂ does not see / barely sees", "at
    the edge of what sliced W₂ sees", or "which sliced W₂ sees too"."""
    kind = sees_verdicts(pd.Series({"VE": float(score)}), ["VE"], noise)["VE"]
    if kind in ("unseen", "barely"):
        return f"which sliced W₂ {unseen_words(score, noise)[0]}"
    return "at the edge of what sliced W₂ sees" if kind == "edge" else "which sliced W₂ sees too"


def unseen_words(score: float, noise: dict) -> tuple[str, str]:
    """What sliced W₂ does with a field's samples off every mode where its score lies below the
    line (sees_verdicts' "unseen" or "barely"), and where the score lies: within the range of true
    sets' own scores (up to noise["sw2"]) it "does not see" them, above that "barely sees" them."""
    level = noise["sw2"]
    if score <= level:
        return "does not see", f"no higher than true sets' own scores (up to {level:.3f})"
    return "barely sees", f"within {spread_words(noise)} above true samples' (up to {level:.3f})"


def lowest_unseen(sw2: pd.Series, best: str, tied: list[str], noise: dict) -> str:
    """The sentence for the lowest-scoring field (best) when it puts more samples off every mode than true sets (more_off)
    while sliced W₂ does not or barely sees them (unseen_words): it is the lowest, compared with the
    true samples, never with itself; tied: the other fields within that spread of it."""
    verb, where = unseen_words(sw2[best], noise)
    others = (f"; {_the(tied)} {'lies' if len(tied) == 1 else 'lie'} within {spread_words(noise)} of it" if tied
              else f"; every other field lies above it by more than {spread_words(noise)}")
    return (f"The {best} puts more samples between or outside the modes than the truth does, which "
            f"sliced W₂ {verb}: its score ({sw2[best]:.3f}) is the lowest here, {where}{others}.")


def sees_line(noise: dict) -> float:
    """The score above which sliced W₂ sees a field's samples off every mode: true samples' level
    (noise["sw2"]) plus the spread of true sets' scores, the measure's noise alone, so that a
    field's reading does not depend on which other fields are scored beside it."""
    return float(noise["sw2"]) + float(noise["spread"])


def line_parts(noise: dict) -> str:
    """What sees_line is made of, after "against the line 1.246": ", true sets' up to 0.755 plus their
    spread 0.491" (line = true sets' level + their spread)."""
    return f", true sets' up to {noise['sw2']:.3f} plus their spread {noise['spread']:.3f}"


def line_once(text: str, noise: dict) -> str:
    """text with sees_line's parts (line_parts) said at their first mention only: later mentions read
    only "against the line 1.246"."""
    parts = line_parts(noise)
    at = text.find(parts)
    return text if at < 0 else text[:at + len(parts)] + text[at + len(parts):].replace(parts, "")


def sees_band(noise: dict) -> float:
    """Half the spread of true sets' scores: a score within it of sees_line is at the edge of the
    measure's noise. Opposite readings ("sees", and "barely" or "unseen") then lie more than the
    whole spread apart, so two fields the measure cannot tell apart never get them."""
    return float(noise["spread"]) / 2.0


def sees_guides(noise: dict) -> tuple[float, float]:
    """(sees_line, sees_band): the line the quality chart draws above which sliced W₂ sees a field
    miss, and the half-width of its shaded edge band, the numbers sees_verdicts reads."""
    return sees_line(noise), sees_band(noise)


def sees_guides_words(noise: dict) -> str:
    """The quality caption's key to the sees line and its edge band (sees_guides), with their
    numbers: line = true samples' level + their spread, band = line ± half that spread."""
    line, band = sees_guides(noise)
    return (f"Dark grey dashed horizontal line: true samples' level plus their spread ({noise['sw2']:.3f} + "
            f"{noise['spread']:.3f} = {line:.3f}): above it sliced W₂ sees a field miss. Shaded band around it "
            f"({line - band:.3f} to {line + band:.3f}, ± half that spread, {band:.3f}): at the edge, where "
            "the measure neither clearly sees nor clearly misses.")


def sees_verdicts(sw2: pd.Series, many: list, noise: dict) -> dict:
    """What sliced W₂ (sw2, by field) says of each field in many (those with more samples off
    every mode than true sets, more_off), from its own score and the measure's noise only: "sees" where the score lies above
    sees_line by more than sees_band, "unseen" where it lies within true sets' own scores (up to
    noise["sw2"]), "barely" where otherwise below the line by more than sees_band, else "edge" (a
    fresh draw could flip the reading)."""
    line, band, level = sees_line(noise), sees_band(noise), float(noise["sw2"])
    return {k: "sees" if sw2[k] - line > band else "unseen" if sw2[k] <= level
            else "barely" if line - sw2[k] > band else "edge" for k in many}


def edge_sentence(sw2: pd.Series, off: pd.Series, edge: list, noise: dict) -> str:
    """The sentence for the fields with more samples off every mode than true sets whose sliced W₂ sees_verdicts
    calls "edge": their counts and scores against sees_line, and that the measure neither clearly
    sees nor clearly misses them (nor, within the spread of each other, tells them apart)."""
    one, tol, band, line = len(edge) == 1, float(noise["spread"]), sees_band(noise), sees_line(noise)
    vals = [float(sw2[k]) for k in edge]
    where = [f"within half that spread ({band:.3f}) of {line:.3f}"]
    if not one and max(vals) - min(vals) <= tol:
        where.append("within that spread of each other")
    listed = (lambda f: f(edge[0]) if one else ", ".join(f"{k} {f(k)}" for k in edge))
    return (f"{_the(edge, True)} {'puts' if one else 'put'} more samples between or outside the modes "
            f"than the truth does ({listed(lambda k: int(off[k]))} of {noise['n']}), and sliced W₂ is at the "
            f"edge of its noise on {'it' if one else 'them'}: {'its' if one else 'their'} "
            f"score{'' if one else 's'} ({listed(lambda k: f'{sw2[k]:.3f}')}) {'lies' if one else 'lie'} "
            f"{where[0]}, true samples' level (up to {noise['sw2']:.3f}) plus {spread_words(noise)}, the line "
            "above which it sees a field"
            + "".join(f", and {w}" for w in where[1:])
            + f": it neither clearly sees nor clearly misses {'it' if one else 'them'}"
            + ("" if len(where) < 2 else ", and cannot tell them apart") + ".")


def missed_elsewhere(k: str, score: float, off: int, reading: str, noise: dict) -> str:
    """The sentence for a field with no more samples off every mode than true sets (not more_off)
    whose sliced W₂ still lies near or above sees_line (sees_verdicts' "sees" or "edge" for it):
    the score against the line, the count against true sets', and that its samples then miss
    elsewhere than between the modes (the modes' weights or shapes)."""
    line, band = sees_line(noise), sees_band(noise)
    side = f"above it by {score - line:.3f}" if score >= line else f"below it by {line - score:.3f}"
    count = (f"no more of them land off every mode than a set of true samples' beyond two counts' noise "
             f"({off} of {noise['n']}, against up to {noise['off']})")
    if reading == "sees":
        return (f"Sliced W₂ sees the {k}'s samples miss the truth ({score:.3f}, above the line {line:.3f}, "
                f"true sets' level plus their spread, by {score - line:.3f}, more than half that spread, "
                f"{band:.3f}) although "
                f"{count}: they miss elsewhere, e.g. in the modes' weights or shapes.")
    return (f"The {k}'s sliced W₂ ({score:.3f}) lies near the line {line:.3f}, true sets' level plus their "
            f"spread ({side}, within half that spread, {band:.3f}), so the measure may be seeing its samples "
            f"miss the truth, although {count}: if they miss, they miss elsewhere, e.g. in the modes' weights "
            "or shapes.")


def quality_sentence(df: pd.DataFrame, noise: dict, steps: int) -> str:
    """What the quality chart shows at `steps` Heun steps: every field's sliced W₂ and samples off
    every mode, ranked only where two differ by more than the spread of true sets' scores
    (noise["spread"]: how far apart fresh sets of true samples score, fl.truth_noise); a network's
    flow below the exact flow is compared with the exact flow's own error at this budget. What
    sliced W₂ says of a field with more samples off every mode than true sets (more_off) is sees_verdicts', from its score
    and the measure's noise alone (never from the other fields'): "does not see" within true sets'
    own scores, "barely sees" above them but well below sees_line, "fails by both measures" well
    above it, and at the edge of its noise (edge_sentence) near it; a field with no more samples off
    every mode whose score lies near or above the line gets missed_elsewhere. Rankings among the fields are
    separate sentences (the lowest, and who lies within the spread of it)."""
    q = df[(df["method"] == "heun") & (df["steps"] == steps)].set_index("field")
    sw2, nfe, tol, level = q["sw2"].astype(float), int(q["nfe"].iloc[0]), noise["spread"], noise["sw2"]
    parts = [f"With {steps} Heun steps ({nfe} evaluations): "
             + ", ".join(f"{k} {v:.3f}" for k, v in sw2.items()) + "."]
    parts += alike_sentence(sw2, noise)
    best = sw2.idxmin()
    tied = [k for k in sw2.index if k != best and not beyond_noise(sw2[k], sw2[best], tol)]
    if tied:
        parts.append(f"{_the([best] + tied, True)} differ by less than {spread_words(noise)}: "
                     "at this budget the measure cannot separate them.")
    else:
        parts.append(f"The {best} scores lowest, by more than {spread_words(noise)}.")
    if "exact flow" in sw2:
        exact = sw2["exact flow"]
        below = [k for k in ("learned flow", "rectified flow") if k in sw2 and beyond_noise(exact, sw2[k], tol)]
        if below:
            parts.append(below_exact_sentence(below, steps, exact))
    if "off" in q:
        off = q["off"].astype(int)
        parts.append(f"Samples off every mode (log p₀ below the truth's {fl.OFF_Q:.1%} quantile), of "
                     f"{noise['n']}: " + ", ".join(f"{k} {v}" for k, v in off.items())
                     + f"; a set of true samples: up to {noise['off']} (a count above that by more than "
                     "two counts' noise, 2√(a + b), is more than the truth puts there).")
        many = [k for k, v in off.items() if more_off(int(v), noise["off"])]
        said = sees_verdicts(sw2, many, noise)
        unseen = [k for k in many if said[k] in ("unseen", "barely")]
        seen = [k for k in many if said[k] == "sees"]
        edge = [k for k in many if said[k] == "edge"]
        if best in unseen:
            parts.append(lowest_unseen(sw2, best, tied, noise))
            unseen = [k for k in unseen if k != best]
        for k in unseen:
            verb, where = unseen_words(sw2[k], noise)
            parts.append(f"The {k} puts more samples between or outside the modes than the truth does, "
                         f"which sliced W₂ {verb}: its score ({sw2[k]:.3f}) lies {where}.")
        if seen:
            one = len(seen) == 1
            parts.append(f"{_the(seen, True)} {'fails' if one else 'fail'} by both measures: "
                         f"{'it puts' if one else 'they put'} more samples between or outside the modes "
                         f"than the truth does ({int(off[seen[0]]) if one else ', '.join(f'{k} {int(off[k])}' for k in seen)}"
                         f" of {noise['n']}), and {'its' if one else 'their'} sliced W₂ ("
                         + ", ".join(f"{sw2[k]:.3f}" if one else f"{k} {sw2[k]:.3f}" for k in seen)
                         + f") {'lies' if one else 'lie'} above true samples' (up to {level:.3f}) by more than "
                         f"one and a half times {spread_words(noise)}: both measures see {'it' if one else 'them'}.")
        if edge:
            parts.append(edge_sentence(sw2, off, edge, noise))
        calm = sees_verdicts(sw2, [k for k in off.index if k not in many], noise)
        parts += [missed_elsewhere(k, float(sw2[k]), int(off[k]), r, noise) for k, r in calm.items()
                  if r in ("sees", "edge")]
    return " ".join(parts)


def below_exact_sentence(below: list[str], steps: int, exact: float) -> str:
    """For networks' flows (below) scoring under the exact flow at `steps` Heun steps, both scored
    against the same true samples: they are compared with the exact flow integrated in as many steps,
    and what they beat is its own `steps`-step error (exact: its sliced W₂), not the exact field."""
    one = len(below) == 1
    return (f"{_the(below, True)} {'scores' if one else 'score'} below the exact flow here, both scored against "
            f"the same true samples: at {steps} Heun steps {'it is' if one else 'they are'} compared with the "
            f"exact flow integrated in as many steps, so what {'it beats' if one else 'they beat'} is the exact "
            f"flow's own {steps}-step error ({exact:.3f}), not the exact field itself; it does not make a network "
            "better than the field it learned.")


def match_reading(sw2: float, off: int, noise: dict) -> str:
    """How a field's samples read against true ones by both of the quality chart's measures, with
    the quality caption's thresholds (sees_verdicts: sees_line = true sets' level + their spread,
    sees_band = half that spread): "miss" where more samples land off every mode than a set of true
    samples' beyond two counts' noise (more_off) or sliced W₂ lies above sees_line by more than
    sees_band; "edge" where it lies within sees_band of sees_line (the measure's noise decides);
    "match" where it lies below sees_line by more than sees_band."""
    if more_off(int(off), noise["off"]):
        return "miss"
    kind = sees_verdicts(pd.Series({"x": float(sw2)}), ["x"], noise)["x"]
    return {"sees": "miss", "edge": "edge"}.get(kind, "match")


def miss_measures(row: pd.Series, noise: dict) -> str:
    """Which of the chart's measures sees a row that match_reading calls "miss" miss true ones, each with
    its numbers: the count off every mode where it lies above true sets' beyond two counts' noise
    (more_off), sliced W₂ where it lies above sees_line by more than sees_band (sees_verdicts "sees");
    the other measure with what it reads there (at the edge of its noise, or not seeing the miss).
    Reads after "missing true ones " / "miss true ones "."""
    off, sw2, n = int(row["off"]), float(row["sw2"]), noise["n"]
    count = f"{off} of {n}, against up to {noise['off']} for a set of true samples"
    score = f"{sw2:.3f}, against the line {sees_line(noise):.3f}{line_parts(noise)}"
    by_count = more_off(off, noise["off"])
    kind = sees_verdicts(pd.Series({"x": sw2}), ["x"], noise)["x"]
    if by_count and kind == "sees":
        return (f"by both measures ({off} of {n} off every mode, against up to {noise['off']} for a set of "
                f"true samples, and sliced W₂ {score})")
    if by_count:
        seen = (f"is at the edge of its noise, within half that spread ({sees_band(noise):.3f}) of the line"
                if kind == "edge" else "does not see the miss")
        return f"by the count off every mode ({count}), while sliced W₂ ({score}) {seen}"
    return (f"by sliced W₂ ({score}), while the count off every mode ({count}) is no more than true "
            "sets' beyond two counts' noise")


READING_WORDS = {"match": "match", "edge": "at the edge", "miss": "miss"}


def with_readings(df: pd.DataFrame, noise: dict) -> pd.DataFrame:
    """The quality chart's rows with column "reading": each row's match_reading in the chart's words
    (READING_WORDS: "match", "at the edge", "miss"), the reading the text's step counts come from; df
    unchanged where it has no counts off every mode."""
    if "off" not in df:
        return df
    words = [READING_WORDS[match_reading(v, o, noise)] for v, o in zip(df["sw2"], df["off"])]
    return df.assign(reading=words)


def below_truth_misses(df: pd.DataFrame, noise: dict) -> pd.DataFrame:
    """The quality chart's rows whose sliced W₂ lies below true samples' level (sw2 < noise["sw2"]) while
    match_reading reads them "miss" (below that level sliced W₂ never sees a miss, so the count off every
    mode does: more_off), lowest sliced W₂ first, with their readings (with_readings); none where df has
    no counts off every mode."""
    if "off" not in df:
        return df.iloc[:0]
    rows = with_readings(df, noise)
    return rows[(rows["sw2"] < float(noise["sw2"])) & (rows["reading"] == READING_WORDS["miss"])].sort_values("sw2")


def lowest_miss_sentence(df: pd.DataFrame, noise: dict) -> str:
    """Where a point of the quality chart lies below true samples' level yet reads "miss"
    (below_truth_misses): the lowest such point with its numbers (field, steps, evaluations, sliced W₂,
    count off every mode against true sets'), where it lies against true sets' own scores (noise["sw2_low"]
    to noise["sw2"]), that sliced W₂ alone reads it better than the truth (below them) or as good as it (within
    them) while the count shows a miss, how
    many more points do the same, and, where it is not the chart's lowest point, what that one reads;
    "" where no point does."""
    rows = below_truth_misses(df, noise)
    if rows.empty:
        return ""
    r, low, level = rows.iloc[0], float(noise["sw2_low"]), float(noise["sw2"])
    first = df.loc[df["sw2"].idxmin()]
    lowest = float(r["sw2"]) <= float(first["sw2"])
    where = (f"below all {noise['draws']} true sets' own scores (lowest {low:.3f})" if r["sw2"] < low
             else f"within true sets' own scores ({low:.3f} to {level:.3f})")
    who = "The lowest point" if lowest else 'The lowest point that reads "miss"'
    text = (f"{who}, {r['field']} at "
            f"{_at_steps([r])}, sliced W₂ {r['sw2']:.3f}, lies below the true samples' level ({level:.3f}), "
            f"{where}, yet it puts {int(r['off'])} of {noise['n']} samples off every mode, against up to "
            f"{noise['off']} for a set of true samples: sliced W₂ alone reads it "
            f"{'better than' if r['sw2'] < low else 'as good as'} the truth, the count shows a miss.")
    if len(rows) > 1:
        more = len(rows) - 1
        text += (f" {more} more point{'s' if more > 1 else ''} below that level read{'' if more > 1 else 's'} "
                 "\"miss\" by the count too (see the tooltips).")
    if not lowest:
        text += (f" The chart's lowest point, {first['field']} at {_at_steps([first])}, sliced W₂ "
                 f"{first['sw2']:.3f}, {int(first['off'])} of {noise['n']} off every mode, reads "
                 f"\"{READING_WORDS[match_reading(first['sw2'], first['off'], noise)]}\".")
    return text


def matches_truth(sw2: float, off: int, noise: dict) -> bool:
    """Whether a field's samples clearly match true ones by both measures (match_reading "match")."""
    return match_reading(sw2, off, noise) == "match"


METHOD_NAMES = {"heun": "Heun", "euler": "Euler"}      # the quality chart's integrators, as its legend names them


def _method_rows(df: pd.DataFrame, field: str, method: str = "heun") -> pd.DataFrame:
    """The quality chart's rows of `field` with integrator `method` (Heun unless told), fewest steps first."""
    return df[(df["method"] == method) & (df["field"] == field)].sort_values("steps")


def _readings(df: pd.DataFrame, noise: dict, field: str, method: str = "heun") -> list[tuple[pd.Series, str]]:
    """`field`'s rows of `method` (Heun unless told), fewest steps first, each with its match_reading."""
    return [(r, match_reading(r["sw2"], r["off"], noise)) for _, r in _method_rows(df, field, method).iterrows()]


def reading_at(df: pd.DataFrame, noise: dict, field: str, steps: int) -> str:
    """match_reading of `field`'s Heun row at `steps`."""
    return next(k for r, k in _readings(df, noise, field) if int(r["steps"]) == int(steps))


def first_match(df: pd.DataFrame, noise: dict, field: str, method: str = "heun") -> pd.Series | None:
    """The quality chart's row (steps, nfe, sw2, off) of `field` and `method` (Heun unless told) with
    the fewest steps from which its samples clearly match true ones (match_reading "match") at that
    and every larger step count drawn; None where the most steps drawn do not clearly match ("edge" or
    "miss")."""
    hit = None
    for r, kind in _readings(df, noise, field, method)[::-1]:
        if kind != "match":
            break
        hit = r
    return hit


def _at_steps(rows: list) -> str:
    """"8 Heun steps (16 evaluations)", "4 and 8 Euler steps (4 and 8 evaluations)": the rows' own integrator."""
    return (f"{_listed([str(int(r['steps'])) for r in rows])} {METHOD_NAMES[rows[0]['method']]} steps "
            f"({_listed([str(int(r['nfe'])) for r in rows])} evaluations)")


def edge_words(rows: list, noise: dict) -> str:
    """For rows that match_reading calls "edge": at which step counts, their scores against
    sees_line, and that the measure neither clearly matches nor clearly sees them miss."""
    vals = sorted(float(r["sw2"]) for r in rows)
    scores = f"score {vals[0]:.3f}" if len(vals) == 1 else f"scores {vals[0]:.3f}–{vals[-1]:.3f}"
    return (f"at the edge of sliced W₂'s noise at {_at_steps(rows)}: {scores}, within half the true sets' "
            f"spread ({sees_band(noise):.3f}) of the line {sees_line(noise):.3f}, with no more samples off every "
            "mode than true sets' beyond two counts' noise: the measure neither clearly matches them with true "
            "samples nor clearly sees them miss")


def match_words(df: pd.DataFrame, noise: dict, field: str, subject: str, method: str = "heun") -> str:
    """At which steps of `method` (Heun unless told) `field`'s samples (called `subject`) match true ones by both measures
    (match_reading): from first_match on, where every larger step count drawn clearly matches too;
    where the most steps drawn read "edge", the step counts that clearly match and those at the edge
    (edge_words); where they read "miss", the step counts that clearly match and the most steps'
    numbers (sliced W₂ against sees_line, the count against true sets'); or that none does."""
    rows = _readings(df, noise, field, method)
    last = rows[-1][0]
    first = first_match(df, noise, field, method)
    if first is not None:
        more = (f" and at every larger step count drawn, up to {_at_steps([last])}"
                if int(first["steps"]) < int(last["steps"]) else ", the most drawn")
        return f"{subject} match true ones by both measures from {_at_steps([first])}{more}"
    hits = [r for r, k in rows if k == "match"]
    edges = [r for r, k in rows if k == "edge"]
    if rows[-1][1] == "edge":
        clear = f"match true ones by both measures at {_at_steps(hits)}, and are " if hits else "are "
        return f"{subject} {clear}{edge_words(edges, noise)}"
    there = f"they miss true ones {miss_measures(last, noise)}"
    verb = "clearly match" if edges else "match"
    if hits:
        return (f"{subject} {verb} true ones by both measures at {_at_steps(hits)} only, not at the "
                f"most drawn, {_at_steps([last])}: there {there}")
    return (f"{subject} {verb} true ones by both measures at no step count drawn, up to "
            f"{_at_steps([last])}: there {there}")


def _methods_of(df: pd.DataFrame, field: str) -> list[str]:
    """The integrators the quality chart draws for `field`, Heun first (the legend's order)."""
    return [m for m in ("heun", "euler") if not _method_rows(df, field, m).empty]


def _fewest_nfe(df: pd.DataFrame, field: str) -> pd.Series:
    """`field`'s row with the fewest velocity evaluations drawn, either integrator (Heun on a tie)."""
    rows = [_method_rows(df, field, m).iloc[0] for m in _methods_of(df, field)]
    return min(rows, key=lambda r: int(r["nfe"]))


def _row_numbers(r: pd.Series, noise: dict) -> str:
    """"40 of 1000 off every mode, sliced W₂ 0.735": a row's two measures."""
    return f"{int(r['off'])} of {noise['n']} off every mode, sliced W₂ {r['sw2']:.3f}"


def integrator_gap(df: pd.DataFrame, noise: dict, field: str) -> tuple[pd.Series, pd.Series] | None:
    """Where one integrator clearly does better than the other for `field`: (winner's row, loser's
    row), a row from which the winner clearly matches true samples at every larger step count drawn
    (first_match on) beside a row of the other integrator with at least as many evaluations that
    misses (match_reading "miss"; an "edge" counts as neither side), and that is better by the chart's
    measures beyond their noise (clearly_better). Of such pairs, the one whose losing row has the most
    evaluations, with the winning row of most evaluations up to it; None where the chart draws no such pair."""
    best = None
    for win, lose in (("euler", "heun"), ("heun", "euler")):
        first = first_match(df, noise, field, win)
        hits = [r for r, _ in _readings(df, noise, field, win) if first is not None and r["steps"] >= first["steps"]]
        for r, kind in _readings(df, noise, field, lose):
            under = [h for h in hits if int(h["nfe"]) <= int(r["nfe"]) and clearly_better(h, r, noise)]
            if kind == "miss" and under and (best is None or int(r["nfe"]) > int(best[1]["nfe"])):
                best = (under[-1], r)
    return best


def clearly_better(win: pd.Series, lose: pd.Series, noise: dict) -> bool:
    """Whether row win beats row lose by the chart's measures beyond their noise: lose puts more samples
    off every mode than win beyond two counts' noise (more_off: a − b > 2√(a + b)), and win's sliced W₂
    does not lie above lose's by more than the spread of true sets' scores (beyond_noise)."""
    return (more_off(int(lose["off"]), int(win["off"]))
            and not beyond_noise(win["sw2"], lose["sw2"], noise["spread"]))


def measures_agree(win: pd.Series, lose: pd.Series) -> bool:
    """Whether no measure of the chart puts row lose ahead of row win: win's sliced W₂ is not above lose's
    (clearly_better already asks the count off every mode to favour win beyond its noise)."""
    return float(win["sw2"]) <= float(lose["sw2"])


def split_gap_words(win: pd.Series, lose: pd.Series, noise: dict, field: str, fewer: str) -> str:
    """Where the count off every mode puts row win ahead of row lose beyond two counts' noise but sliced W₂
    puts lose ahead, within the spread of true sets' scores (clearly_better, not measures_agree): what each
    measure shows, with the numbers, instead of "clearly better"."""
    a, b = int(win["off"]), int(lose["off"])
    w, l = METHOD_NAMES[win["method"]], METHOD_NAMES[lose["method"]]
    return (f" For the {field}, at {fewer} evaluations, the chart's two measures do not agree on {w} against {l}: "
            f"by the count of samples off every mode {w} is ahead, {a} of {noise['n']} at {_at_steps([win])} "
            f"against {b} at {_at_steps([lose])}: {count_gap(a, b)}; by sliced W₂ the two are within "
            f"{spread_words(noise)} of each other, {win['sw2']:.3f} against {lose['sw2']:.3f}, {l}'s the lower.")


@state.cache_data(max_entries=16)
def without_last_stage(gmm, steps: int, n: int, seed: int) -> int:
    """Samples off every mode (of n) when the exact flow's `steps` Heun steps take their last step by
    Euler (fl.heun_euler_last: no evaluation at t = 0), from the quality chart's noise, against its truth."""
    eps, truth = fl.quality_draws(gmm, n, seed)
    times = torch.linspace(1.0, 0.0, int(steps) + 1, dtype=torch.float64)
    return fl.off_mode_count(gmm, fl.heun_euler_last(fl.exact_velocity(gmm), eps, times).x, truth)


def last_stage_words(lose: pd.Series, last_off: int, noise: dict) -> str:
    """Why the exact flow's Heun run `lose` misses, where leaving out its last stage (last_off: its
    count off every mode with the last step taken by Euler) brings the count within two counts' noise
    of true sets' and below the run's own beyond it (more_off): that, with the numbers, and what the
    last stage does (at t = 0 the exact velocity is -x, so Heun's last step ends at
    E[x0 | x_h] + h E[eps | x_h] / 2, where Euler's ends at E[x0 | x_h]); else ""."""
    if more_off(last_off, noise["off"]) or not more_off(int(lose["off"]), last_off):
        return ""
    return (f" What puts Heun's samples off the modes here is its last stage: with the last step taken by Euler instead, the same "
            f"{int(lose['steps'])} steps put {last_off} of {noise['n']} samples off every mode, not "
            f"{int(lose['off'])}. That stage evaluates the velocity at t = 0, where the exact velocity is −x "
            "whatever the data (the noise is independent of x₀): one Euler step from t = h lands on the "
            "denoised point E[x₀ | xₕ], and Heun, averaging the two slopes, stops at E[x₀ | xₕ] + h E[ε | xₕ]/2, "
            "half the last step's noise left on each sample, which here is enough to leave the narrow modes: "
            "the excess is the integrator's last stage, not the paths' bending.")


def integrator_sentence(df: pd.DataFrame, noise: dict, field: str, last_off: int | None = None) -> str:
    """Where one integrator clearly does better than the other for `field` (integrator_gap): that
    sentence, with the winner's numbers and which measure sees the loser miss (miss_measures); for the exact flow
    losing with Heun, given last_off (without_last_stage at the losing row's steps), why
    (last_stage_words); else ""."""
    gap = integrator_gap(df, noise, field)
    if gap is None:
        return ""
    win, lose = gap
    fewer = "equal" if int(win["nfe"]) == int(lose["nfe"]) else "fewer"
    if not measures_agree(win, lose):
        return split_gap_words(win, lose, noise, field, fewer)
    text = (f" For the {field}, {METHOD_NAMES[win['method']]} does clearly better than "
            f"{METHOD_NAMES[lose['method']]} here, at {fewer} evaluations: {_at_steps([win])} match true ones "
            f"by both measures ({_row_numbers(win, noise)}), while {_at_steps([lose])} miss true ones "
            f"{miss_measures(lose, noise)}.")
    if field == "exact flow" and lose["method"] == "heun" and last_off is not None:
        text += last_stage_words(lose, last_off, noise)
    return text


def integrators_sentence(gmm, df: pd.DataFrame, noise: dict, seed: int) -> str:
    """integrator_sentence for every field the quality chart draws, in its order; the exact flow's
    with without_last_stage where Heun is the integrator that misses."""
    gap = integrator_gap(df, noise, "exact flow")
    last_off = (without_last_stage(gmm, int(gap[1]["steps"]), noise["n"], seed)
                if gap is not None and gap[1]["method"] == "heun" else None)
    return "".join(integrator_sentence(df, noise, k, last_off if k == "exact flow" else None)
                   for k in df["field"].unique())


def cheap_sentence(df: pd.DataFrame, noise: dict) -> str:
    """Whether a few evaluations go a long way for the exact flow here, read off every line of the
    quality chart (Heun, 2 evaluations a step, and Euler, 1): said only where an integrator's
    fewest-step row clearly matches true samples and every larger step count drawn does too
    (first_match), the cheapest such in evaluations; else the numbers of the fewest evaluations drawn.
    Either way, at which steps each integrator matches (match_words). The paths' bending is named as
    what decides the cost only where neither integrator clearly beats the other (integrator_gap)."""
    field = "exact flow"
    methods = _methods_of(df, field)
    quick = [r for r in (first_match(df, noise, field, m) for m in methods)
             if r is not None and int(r["steps"]) == int(_method_rows(df, field, r["method"]).iloc[0]["steps"])]
    few = min(quick, key=lambda r: int(r["nfe"])) if quick else _fewest_nfe(df, field)
    nums = (f"{int(few['off'])} of {noise['n']} off every mode, against up to {noise['off']} for a set of true "
            f"samples, and sliced W₂ {few['sw2']:.3f}, against the line {sees_line(noise):.3f}{line_parts(noise)}")
    others = "".join(f"; with {METHOD_NAMES[m]}, {match_words(df, noise, field, 'they', m)}"
                     for m in methods if not quick or m != few["method"])
    if quick:
        return (f"A few steps go a long way here: with {_at_steps([few])} the exact flow's samples already "
                f"match true ones by both of the chart's measures ({nums}), and every larger step count "
                f"drawn matches too{others}.")
    lead = ("Here" if integrator_gap(df, noise, field) is not None else
            "How far a few steps go depends on how sharply the flow's paths bend: here")
    return f"{lead} the fewest evaluations drawn, {_at_steps([few])}, {few_reading(few, noise, nums)}{others}."


FEW_READS = {"miss": "leave the exact flow's samples missing true ones {}",
             "edge": "leave the exact flow's samples at the edge ({}): they neither clearly match true ones nor "
                     "clearly miss them",
             "match": "already match true ones by both measures ({}), but not every larger step count drawn does"}


def few_reading(row: pd.Series, noise: dict, nums: str) -> str:
    """What the exact flow's row of fewest evaluations reads on the quality chart (match_reading: match, at
    the edge, miss), in the words of match_words and edge_words, with its numbers (nums)."""
    kind = match_reading(row["sw2"], row["off"], noise)
    return FEW_READS[kind].format(miss_measures(row, noise) if kind == "miss" else nums)


def ve_steps_phrase(df: pd.DataFrame, noise: dict) -> str:
    """At which steps of each integrator the VE PF-ODE's samples match true ones here (match_words),
    Heun first."""
    return "here " + "; with Euler, ".join(match_words(df, noise, "VE PF-ODE", "its samples", m)
                                           for m in _methods_of(df, "VE PF-ODE"))


def networks_steps_sentence(df: pd.DataFrame, noise: dict) -> str:
    """For each network's flow the quality chart draws (learned, rectified): at which steps of each
    integrator its samples match true ones (match_words), and, per integrator, where its first match
    and the exact flow's differ by chance (first_match_chance); "" without one."""
    return "".join(f" The {k}'s samples: " + "; with Euler, ".join(match_words(df, noise, k, "they", m)
                                                                   for m in _methods_of(df, k)) + "."
                   + "".join(first_match_chance(df, noise, "exact flow", k, m) for m in _methods_of(df, k))
                   for k in ("learned flow", "rectified flow") if k in set(df["field"]))


def first_match_chance(df: pd.DataFrame, noise: dict, a: str, b: str, method: str) -> str:
    """Where fields a and b first match true samples (first_match) at different step counts of `method`,
    yet at every step count from the fewer to the more their rows lie within the chart's noise of each
    other by both measures (sliced W₂ within the spread of true sets' scores, counts off every mode within
    two counts' noise): that the curves cannot be told apart there, so which one matches first is chance;
    else ""."""
    fa, fb = first_match(df, noise, a, method), first_match(df, noise, b, method)
    if fa is None or fb is None or int(fa["steps"]) == int(fb["steps"]):
        return ""
    lo, hi = sorted((int(fa["steps"]), int(fb["steps"])))
    rows_b = {int(r["steps"]): r for r, _ in _readings(df, noise, b, method)}
    pairs = [(r, rows_b[int(r["steps"])]) for r, _ in _readings(df, noise, a, method)
             if lo <= int(r["steps"]) <= hi and int(r["steps"]) in rows_b]
    if any(abs(float(x["sw2"]) - float(y["sw2"])) > float(noise["spread"]) or counts_differ(int(x["off"]), int(y["off"]))
           for x, y in pairs):
        return ""
    name = METHOD_NAMES[method]
    return (f" The {a}'s and the {b}'s {name} curves lie within the noise of each other from {lo} to {hi} {name} "
            f"steps by both measures (sliced W₂ within {noise['spread']:.3f}, the spread of true sets' scores; counts "
            "off every mode within two counts' noise): "
            f"the step count where each first matches true ones ({int(fa['steps'])} against {int(fb['steps'])}) "
            "differs by chance here.")


def _ve_count_words(first: pd.Series, last: pd.Series, noise: dict) -> tuple[bool, str]:
    """The VE's count off every mode from one integrator's fewest steps drawn (row first) to its most
    (row last): whether it changes beyond two counts' noise (counts_differ: |a − b| > 2√(a + b)), and
    the two counts in words, each with its integrator, steps and evaluations."""
    a, b = int(first["off"]), int(last["off"])
    truth = f" (a set of true samples: up to {noise['off']})" if counts_differ(a, b) else ""
    return counts_differ(a, b), (f"{a} of {noise['n']} off every mode at {_at_steps([first])} and {b} at "
                                 f"{_at_steps([last])}, {count_gap(a, b)}{truth}")


def _ve_sw2_words(rows: list[pd.Series], noise: dict) -> tuple[bool, str]:
    """The VE's sliced W₂ over one integrator's step counts drawn (rows): whether it moves beyond the
    spread of true sets' scores (max − min > noise["spread"], beyond_noise), and in words: its range where
    it does not; where it does, from the extreme at fewer steps to the other, and, where it falls, that the
    integrator's own error shrinks."""
    hi, lo = max(rows, key=lambda r: r["sw2"]), min(rows, key=lambda r: r["sw2"])
    if not beyond_noise(hi["sw2"], lo["sw2"], noise["spread"]):
        return False, (f"sliced W₂ between {lo['sw2']:.3f} and {hi['sw2']:.3f} at every {METHOD_NAMES[hi['method']]} "
                       f"step count drawn, within {spread_words(noise)}")
    a, b = sorted((hi, lo), key=lambda r: int(r["steps"]))
    falls = a is hi
    return True, (f"sliced W₂ {'falls' if falls else 'rises'} from {a['sw2']:.3f} at {_at_steps([a])} to "
                  f"{b['sw2']:.3f} at {_at_steps([b])}, beyond {spread_words(noise)}"
                  + (f", as {METHOD_NAMES[a['method']]}'s own error shrinks" if falls else ""))


def ve_most_reads(rows: list[tuple[pd.Series, str]], noise: dict) -> str:
    """What the VE PF-ODE's rows of one integrator (rows: _readings, fewest steps first) read at the most steps
    drawn, after "its samples ": "match true ones at no step count drawn" where no row matches; else "miss true
    ones …" with the measures that see it (miss_measures) where match_reading reads "miss" there, else "do not
    clearly match true ones at the most steps drawn, …" (at the edge of sliced W₂'s noise)."""
    last, kind = rows[-1]
    if all(k != "match" for _, k in rows):
        return "match true ones at no step count drawn"
    if kind == "miss":
        return f"miss true ones at the most steps drawn, {_at_steps([last])}, {miss_measures(last, noise)}"
    return f"do not clearly match true ones at the most steps drawn, {_at_steps([last])}"


def ve_method_steps(df: pd.DataFrame, noise: dict, method: str) -> tuple[bool, str]:
    """What more steps of one integrator (`method`) do to the VE PF-ODE's samples on the quality chart:
    whether either measure changes beyond its noise (_ve_count_words, _ve_sw2_words), and a clause naming
    the integrator, whether its samples match true ones at any step count drawn, and both measures."""
    rows = _readings(df, noise, "VE PF-ODE", method)
    moved_off, off = _ve_count_words(rows[0][0], rows[-1][0], noise)
    moved_sw2, sw2 = _ve_sw2_words([r for r, _ in rows], noise)
    reads = ve_most_reads(rows, noise)
    moved = [w for w, m in (("the count off every mode", moved_off), ("sliced W₂", moved_sw2)) if m]
    change = f"but more steps change {_listed(moved)}" if moved else "and more steps change nothing"
    return bool(moved), f"with {METHOD_NAMES[method]}, its samples {reads}, {change}: {off}; {sw2}"


def ve_flat_tail(df: pd.DataFrame, noise: dict) -> list[pd.Series]:
    """The VE PF-ODE's Heun rows over its last doublings of steps where the curve is flat: the longest run
    of rows ending at the most steps drawn, at least two, over which sliced W₂ stays within the spread of
    true sets' scores (max − min ≤ noise["spread"]) and the count off every mode within two counts' noise
    (counts_differ of its largest and smallest); [] where even the last doubling moves a measure."""
    tail: list[pd.Series] = []
    for r, _ in _readings(df, noise, "VE PF-ODE")[::-1]:
        run = [r] + tail
        sw2, off = [float(x["sw2"]) for x in run], [int(x["off"]) for x in run]
        if max(sw2) - min(sw2) > float(noise["spread"]) or counts_differ(max(off), min(off)):
            break
        tail = run
    return tail if len(tail) > 1 else []


def count_range(a: int, b: int) -> str:
    """Two counts as a range, "3 to 7"; one number where its ends are equal, "0"."""
    return f"{int(a)}" if int(a) == int(b) else f"{int(a)} to {int(b)}"


def ve_flat_words(tail: list[pd.Series], noise: dict) -> str:
    """Where the VE's Heun curve is flat over its last doublings only (tail: ve_flat_tail, not every step
    count drawn): from which steps on more Heun steps stop moving either measure, with the numbers; else ""."""
    sw2 = sorted(float(r["sw2"]) for r in tail)
    return (f"; from {_at_steps([tail[0]])} to {_at_steps([tail[-1]])} its Heun curve is flat: sliced W₂ "
            f"between {sw2[0]:.3f} and {sw2[-1]:.3f}, within {spread_words(noise)}, and "
            f"{count_range(int(tail[0]['off']), int(tail[-1]['off']))} of {noise['n']} off every mode, within two "
            "counts' noise, so more steps no "
            "longer help")


def ve_most_heun(df: pd.DataFrame, noise: dict) -> tuple[pd.Series, str]:
    """The VE PF-ODE's Heun row at the most steps drawn and its match_reading there: the quality chart's own
    rule, "miss" only where a measure sees its samples miss beyond its noise (the count off every mode, or
    sliced W₂ above sees_line by more than sees_band)."""
    return _readings(df, noise, "VE PF-ODE")[-1]


def _ve_flat_clauses(df: pd.DataFrame, noise: dict) -> tuple[str, bool]:
    """Where the VE PF-ODE's samples do not clearly match true ones at the most steps drawn with any
    integrator the chart draws while its Heun curve is flat over its last doublings (ve_flat_tail): what
    more steps of each integrator do (ve_method_steps), with where the Heun curve turns flat
    (ve_flat_words) when it is flat over its last doublings only, and whether any measure moves; ("", False)
    elsewhere."""
    methods = _methods_of(df, "VE PF-ODE")
    tail = ve_flat_tail(df, noise)
    if any(_readings(df, noise, "VE PF-ODE", m)[-1][1] == "match" for m in methods) or not tail:
        return "", False
    steps = [ve_method_steps(df, noise, m) for m in methods]
    clauses = "; ".join(text for _, text in steps)
    if len(tail) < len(_method_rows(df, "VE PF-ODE")):
        clauses += ve_flat_words(tail, noise)
    return clauses, any(moved for moved, _ in steps)


def ve_start_cause(df: pd.DataFrame, noise: dict, story: dict) -> str:
    """Where the VE PF-ODE's misses come from its start, not its steps, that, with the numbers: the quality
    chart's own rule sees its samples miss at its most Heun steps (ve_most_heun reads "miss"), none of its
    integrators matches there, and its Heun curve is flat over its last doublings (_ve_flat_clauses: its own
    error no longer moves either measure, so what remains is where it starts, N(0, σ₁²I) in place of p₁,
    story: path_story); else "". The miss that remains is named as the start's (ve_start_words)."""
    clauses, moved = _ve_flat_clauses(df, noise)
    if not clauses or ve_most_heun(df, noise)[1] != "miss":
        return ""
    miss = "The miss that remains at the most steps" if moved else "The miss"
    return f"here, {clauses}. {miss} comes from its start, not its time grid: {ve_start_words(story)}"


def ve_edge_tail(df: pd.DataFrame, noise: dict) -> str:
    """Where the VE PF-ODE's Heun curve is flat over its last doublings (_ve_flat_clauses) and its samples
    at the most Heun steps are at the edge of sliced W₂'s noise (ve_most_heun reads "edge"): what more steps
    do and that they no longer change that reading, with no miss and no cause asserted; else ""."""
    clauses, _ = _ve_flat_clauses(df, noise)
    row, kind = ve_most_heun(df, noise)
    if not clauses or kind != "edge":
        return ""
    return (f"here, {clauses}. Where the Heun curve ends, its samples are {edge_words([row], noise)}; more steps "
            "no longer change that, and these measures do not settle whether they miss the data")


def mean_words(story: dict) -> str:
    """The data's mean (story["data_mean"], path_story) as "(1.00, 0.00)" (no "-0.00")."""
    m = [round(v, 2) + 0.0 for v in story["data_mean"]]
    return f"({m[0]:.2f}, {m[1]:.2f})"


def ve_start_words(story: dict) -> str:
    """The VE start against its p₁ (story: path_story): N(0, σ₁²I) is σ₁ / √(s² + σ₁²) times as wide
    as p₁, and, where its paths' cloud's centre lies off the exact flow's beyond what two sets of true
    samples' do (shift_beyond), centred at 0, not at the data's mean where p₁ is; then where its paths
    end (the width ratio and cloud_words, the centres' distance against its noise)."""
    ratio = story["sigma1"] / story["p1_spread"]
    centre = (f" and centred at (0, 0), not at the data's mean {mean_words(story)}, where p₁ is centred"
              if shift_beyond(story) else "")
    only = "only " if ratio < 1 - VE_MISS else ""
    return (f"N(0, σ₁²I) with σ₁ = {story['sigma1']:.2f} is {only}{ratio:.2f} times as wide as its p₁ "
            f"(√(s² + σ₁²) = {story['p1_spread']:.2f}){centre}, and its paths end in a cloud "
            f"{story['ve_spread_ratio']:.2f} times as wide as the exact flow's" + cloud_words(story))


def ve_grid_sentence(df: pd.DataFrame, noise: dict, story: dict) -> str:
    """The VE ODE's time grid, and what its step counts show here: where its start, not its steps, decides
    (ve_start_cause), that; where more steps leave it at the edge of sliced W₂'s noise (ve_edge_tail), that;
    else that it needs a careful grid, and at which steps it matches (ve_steps_phrase)."""
    head = ("The VE ODE covers a noise range from σ₁ down to almost 0, and its velocity changes by orders of "
            "magnitude along the way")
    start = ve_start_cause(df, noise, story) or ve_edge_tail(df, noise)
    return f"{head}; {start}." if start else f"{head}, so it needs a careful time grid; {ve_steps_phrase(df, noise)}."


def _paths_of(field: str) -> str:
    """"the VE paths", "the exact flow's paths": a field's paths named."""
    return "the VE paths" if field == "VE PF-ODE" else f"the {field}'s paths"


def needs_more_steps(df: pd.DataFrame, noise: dict, a: str, b: str) -> bool:
    """Whether field a needs more Heun steps than field b to match true samples, a clear difference
    only: b clearly matches from some step count drawn (first_match), and a reads "miss" there
    (match_reading; an "edge" counts as neither side)."""
    fb = first_match(df, noise, b)
    return fb is not None and reading_at(df, noise, a, int(fb["steps"])) == "miss"


def _edges_between(df: pd.DataFrame, noise: dict, field: str, lo: int, hi: int | None) -> list:
    """`field`'s Heun rows above lo steps (and below hi, where given) that read "edge"."""
    return [r for r, k in _readings(df, noise, field)
            if k == "edge" and int(r["steps"]) > lo and (hi is None or int(r["steps"]) < hi)]


def _pair_cost(df: pd.DataFrame, noise: dict, straight: dict, errors: dict | None, glide: float,
               story: dict | None = None) -> str:
    """Where the straighter of the exact flow and the VE PF-ODE (straight_rank, beyond the paths'
    noise) needs more Heun steps than the other (needs_more_steps): that sentence, with both
    numbers, and the straighter field's step counts at the edge of sliced W₂'s noise in between
    (_edges_between); where that is the VE and its start decides (ve_start_cause, story: path_story),
    the start named instead of its bends; where the VE misses at the most steps drawn while its Heun curve
    is flat there (ve_flat_tail) and no story is given, nothing, since more steps, and so its bends, do
    not change that miss; else ""."""
    hi, lo, ranked = straight_rank(straight, errors, "VE PF-ODE", "exact flow")
    if not ranked or not needs_more_steps(df, noise, hi, lo):
        return ""
    fa, fb = first_match(df, noise, hi), first_match(df, noise, lo)
    most = _at_steps([_method_rows(df, hi).iloc[-1]])
    edges = _edges_between(df, noise, hi, int(fb["steps"]), None if fa is None else int(fa["steps"]))
    verb = "clearly match" if edges else "match"
    cost = (f"need {int(fa['steps'])} Heun steps to the {lo}'s {int(fb['steps'])}" if fa is not None else
            f"do not {verb} true ones at the most steps drawn, {most}, while the {lo}'s do from "
            f"{int(fb['steps'])} Heun steps on")
    if edges and fa is not None:
        cost += (f" to match true ones clearly (at {_at_steps(edges)} their sliced W₂ is at the edge of its "
                 "noise)")
    if hi == "VE PF-ODE" and story is not None and ve_start_cause(df, noise, story):
        return (f" Here straightness does not predict the cost: {_paths_of(hi)} are straighter "
                f"({straight[hi]:.3f} against {straight[lo]:.3f}) yet {cost}; what decides is where they start "
                f"(σ₁ = {story['sigma1']:.2f}, above), not how they bend.")
    if hi == "VE PF-ODE" and fa is None and ve_flat_tail(df, noise):
        return ""
    where = (f": the VE paths travel {glide:.0%} of their length in a glide while σₜ > s and make their bend "
             "in the rest, near the data" if hi == "VE PF-ODE" and glide > 0.5 else
             " and how sharply, not their straightness over the whole path")
    return (f" Here straightness alone does not predict the cost: {_paths_of(hi)} are straighter "
            f"({straight[hi]:.3f} against {straight[lo]:.3f}) yet {cost}; what matters is where they bend"
            f"{where}.")


STRAIGHT_PATHS = 0.99   # straightness from which paths read as straight lines: a bend of at most ~6% of the chord


def _straightest_off(df: pd.DataFrame, noise: dict, straight: dict, errors: dict | None) -> str:
    """Where the straightest field is a network's flow (learned or rectified), straighter than every
    other beyond the paths' noise, yet at the most steps drawn (where integration error is smallest,
    so a gap there is where its paths end) it puts more samples off every mode than a set of true
    samples' with some integrator (more_off): its counts there against the flow it is trained from
    (trained_from), with each integrator the chart draws (_most_rows), and what they show
    (_straightest_counts). Else ""."""
    group = straightest(straight, errors)[0]
    top = group[0]
    if top in ("VE PF-ODE", "exact flow") or len(group) > 1:
        return ""
    ref = trained_from(top, straight)
    pairs = list(zip(_most_rows(df, top), _most_rows(df, ref)))
    if not any(more_off(int(a["off"]), noise["off"]) for a, _ in pairs):
        return ""
    (a, b), rest = pairs[0], pairs[1:]
    counts = (f"{int(a['off'])} of {noise['n']} samples off every mode at {_at_steps([a])} against the {ref}'s "
              f"{int(b['off'])}, the flow it is trained from ({count_gap(int(a['off']), int(b['off']))})"
              + "".join(f", and {int(c['off'])} at {_at_steps([c])} against {int(d['off'])} "
                        f"({count_gap(int(c['off']), int(d['off']))})" for c, d in rest))
    return (f" And the {top}, the straightest ({straight[top]:.3f}), at the most steps drawn, where integration "
            f"error is smallest, puts {counts}; a set of true samples: up to {noise['off']}. "
            + _straightest_counts(df, noise, straight, top, ref, pairs) + ".")


def _most_rows(df: pd.DataFrame, field: str) -> list[pd.Series]:
    """`field`'s rows at the most steps drawn, one per integrator the chart draws (Heun first)."""
    return [_method_rows(df, field, m).iloc[-1] for m in _methods_of(df, field)]


def _side(a: int, b: int) -> str:
    """Count a against count b beyond two counts' noise (more_off): "more than", "fewer than", "about as many as"."""
    return "more than" if more_off(a, b) else "fewer than" if more_off(b, a) else "about as many as"


def ahead_rows(df: pd.DataFrame, a: str, b: str) -> list[tuple[pd.Series, pd.Series]]:
    """The quality chart's rows where field a puts fewer samples off every mode than field b at the same
    integrator and step count, beyond two counts' noise (more_off): (a's row, b's row), Heun first, fewest
    steps first."""
    return [(x, y) for m in _methods_of(df, a)
            for (_, x), (_, y) in zip(_method_rows(df, a, m).iterrows(), _method_rows(df, b, m).iterrows())
            if int(x["steps"]) == int(y["steps"]) and more_off(int(y["off"]), int(x["off"]))]


def sw2_pair_words(x: pd.Series, y: pd.Series, noise: dict) -> str:
    """Two rows' sliced W₂ (x's against y's) read with the quality caption's rule (beyond_noise against the
    spread of true sets' scores): "sliced W₂ 0.210 against 0.530, lower beyond …" or "… higher beyond …"
    where they differ by more; else that sliced W₂ cannot tell them apart, with both scores."""
    lo, hi = float(x["sw2"]), float(y["sw2"])
    pair = f"{lo:.3f} against {hi:.3f}"
    if beyond_noise(hi, lo, noise["spread"]):
        return f"sliced W₂ {pair}, lower beyond {spread_words(noise)}"
    if beyond_noise(lo, hi, noise["spread"]):
        return f"though sliced W₂ scores it worse, {pair}, beyond {spread_words(noise)}"
    return f"while sliced W₂ cannot tell them apart ({pair}, within {spread_words(noise)})"


def ahead_words(df: pd.DataFrame, noise: dict, a: str, b: str) -> str:
    """Where field a is ahead of field b on the quality chart (ahead_rows: fewer samples off every mode,
    beyond two counts' noise), the other side of a price said at many steps: "; yet on the quality chart the
    trade runs the other way where it is ahead: at 2 Heun steps (4 evaluations) the rectified flow puts 229
    of 1000 off every mode
    against the learned flow's 364 (…), while sliced W₂ cannot tell them apart (0.256 against 0.301, within …)"
    (sw2_pair_words: sliced W₂ is named as support only where it differs beyond its noise); "" where it is
    nowhere ahead."""
    rows = ahead_rows(df, a, b)
    if not rows:
        return ""
    parts = [f"at {_at_steps([x])} the {a} puts {int(x['off'])} of {noise['n']} off every mode against the {b}'s "
             f"{int(y['off'])} ({count_gap(int(x['off']), int(y['off']))}), {sw2_pair_words(x, y, noise)}"
             for x, y in rows]
    return f"; yet on the quality chart the trade runs the other way where it is ahead: {'; '.join(parts)}"


def _straightest_counts(df: pd.DataFrame, noise: dict, straight: dict, top: str, ref: str, pairs: list) -> str:
    """What the straightest network's flow's counts off every mode at the most steps drawn (pairs: its row
    and the flow it is trained from's (ref), per integrator) show: "straight paths to the wrong end points"
    only where its paths are straight (straightness at least STRAIGHT_PATHS) and it puts more there than
    ref and than true samples with every integrator, beyond two counts' noise (more_off), with the step
    counts where it is ahead of ref (ahead_words); else its count
    against ref's (_side, per integrator where they disagree) and whether its paths are straight lines;
    then at which steps its samples match true ones (match_words)."""
    sides = [_side(int(a["off"]), int(b["off"])) for a, b in pairs]
    worse = all(s == "more than" and more_off(int(a["off"]), noise["off"]) for s, (a, _) in zip(sides, pairs))
    every = "both integrators" if len(pairs) > 1 else METHOD_NAMES[pairs[0][0]["method"]]
    verdict = (f"with {every} it puts {sides[0]} the {ref}" if len(set(sides)) == 1 else
               "the integrators disagree: " + ", ".join(f"with {METHOD_NAMES[a['method']]} it puts {s} the {ref}"
                                                        for s, (a, _) in zip(sides, pairs)))
    reads = match_words(df, noise, top, "its samples")
    if worse and straight[top] >= STRAIGHT_PATHS:
        return (f"Straight paths to the wrong end points at the most steps drawn: {verdict}, beyond two counts' "
                f"noise{ahead_words(df, noise, top, ref)}; {reads}")
    lines = ("its paths are straight lines" if straight[top] >= STRAIGHT_PATHS else
             f"its paths are not straight lines (straightness {straight[top]:.3f}, below {STRAIGHT_PATHS})")
    return f"{verdict[0].upper()}{verdict[1:]}, and {lines}; {reads}"


def straight_cost_sentence(df: pd.DataFrame, noise: dict, straight: dict, errors: dict | None,
                           glide: float, story: dict | None = None) -> str:
    """Where the page's own straightness numbers (straight, the paths' caption) and the quality
    chart's Heun step counts rank the fields the other way round, that, with the numbers: a
    straighter field needing more steps (_pair_cost), the straightest field off every mode at the
    most steps drawn (_straightest_off); "" where they agree. story (path_story): where the VE's start, not
    its steps, decides (ve_start_cause), _pair_cost names the start."""
    return _pair_cost(df, noise, straight, errors, glide, story) + _straightest_off(df, noise, straight, errors)


def _drawn_paths(gmm, lam: float, n: int, steps: int, seed: int, cfg=None, rectified: bool = False,
                 device: str = "cpu") -> dict:
    """The trajectories of the paths panels, by the caption's labels: the exact flow, the VE
    PF-ODE, and with cfg the learned (and rectified) flow."""
    exact = paths(gmm, lam, n, steps, seed)
    out = {"exact flow": exact["flow"][0], "VE PF-ODE": exact["VE PF-ODE"][0]}
    for which, on in (("learned", cfg is not None), ("rectified", cfg is not None and rectified)):
        if on:
            out[f"{which} flow"] = paths(gmm, lam, n, steps, seed, cfg, which, device)["flow"][0]
    return out


@state.cache_data(max_entries=16)
def endpoints_off(gmm, lam: float, n: int, steps: int, seed: int, cfg=None, rectified: bool = False,
                  device: str = "cpu") -> dict:
    """How many of the paths' end points (paths(); every method drawn: the exact flow's, the VE
    PF-ODE's, and with cfg the learned and rectified flows') land off every mode
    (fl.off_mode_count against the quality chart's OFF_REF true samples); "true samples": the most
    of a set of n true samples, counted against the same threshold; "n"; "steps": Heun steps per path."""
    ends = {k: v[-1] for k, v in _drawn_paths(gmm, lam, n, steps, seed, cfg, rectified, device).items()}
    ref, _ = gmm.sample(OFF_REF, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
    out = {k: fl.off_mode_count(gmm, v, ref) for k, v in ends.items()}
    return {**out, "true samples": fl.truth_noise(gmm, n, seed, ref_n=OFF_REF)["off"], "n": n, "steps": steps}


@state.cache_data(max_entries=16)
def straightness_errors(gmm, lam: float, n: int, steps: int, seed: int, cfg=None, rectified: bool = False,
                        device: str = "cpu") -> dict:
    """The standard error of each drawn method's straightness (fl.straightness_error over its n
    paths), by the caption's labels."""
    return {k: fl.straightness_error(v)
            for k, v in _drawn_paths(gmm, lam, n, steps, seed, cfg, rectified, device).items()}


@state.cache_data(max_entries=16)
def velocity_error(cfg, gmm, device: str, seed: int, rectified: bool = False) -> pd.DataFrame:
    """Mean squared error of the learned velocity against the exact one at t in [0, 1] (columns
    t, mse, field): the learned flow, and the rectified one (which learns a different, straighter
    field: its 'error' is how far it moved from the marginal velocity)."""
    ts = np.linspace(0.0, 1.0, 21)
    frames = []
    for name, get in [("learned flow", flow_net)] + ([("rectified flow", rectified_net)] if rectified else []):
        mse = fl.velocity_mse_by_t(lessons.on_cpu(get(cfg, gmm, device), device), gmm, ts, 1000,
                                   generator=torch.Generator().manual_seed(seed + 31))
        frames.append(pd.DataFrame({"t": ts, "mse": mse.double().numpy(), "field": name}))
    return pd.concat(frames, ignore_index=True)


def train_defaults(device: str = "cpu", before_each=None) -> None:
    """Train the page's network at default settings on the tutorial's mixture, the lesson's for
    this page, then its rectified flow, which the lesson's row switches on, then the network on
    ring8, the lab rows' mixture (the server's warm-up, while nobody clicks)."""
    cfg, gmm = lessons.recipe(state.DEFAULT_SEED), dc.PRESETS[models.DEFAULT_MIXTURE]
    jobs = (("flow", flow_net, gmm), ("rectified", rectified_net, gmm),
            ("flow", flow_net, dc.PRESETS[models.LESSON_MIXTURE]))
    for which, train, gmm in jobs:
        if not models.queue_stopped() and not lessons.is_trained(which, cfg, gmm, 0.0, device):
            if before_each is not None:
                before_each()
            train(cfg, gmm, device)


def straightness_noise(errors: dict | None, a: str, b: str) -> float:
    """The noise of a difference of two straightness numbers: two standard errors of it, from
    each number's own (errors: label -> fl.straightness_error; none given: 0)."""
    if not errors:
        return 0.0
    return 2.0 * float(np.hypot(errors.get(a, 0.0), errors.get(b, 0.0)))


def straighter(straight: dict, errors: dict | None, a: str, b: str) -> bool:
    """Whether a's paths are straighter than b's beyond the noise of the paths drawn (beyond_noise
    with straightness_noise)."""
    return beyond_noise(straight[a], straight[b], straightness_noise(errors, a, b))


def straight_rank(straight: dict, errors: dict | None, a: str, b: str) -> tuple[str, str, bool]:
    """The one rule for ranking two fields' straightness: (the straighter by number, the other,
    whether that order holds beyond the paths' noise: straighter, two standard errors of the
    difference). Every sentence that ranks two fields' paths goes through it."""
    hi, lo = (a, b) if straight[a] > straight[b] else (b, a)
    return hi, lo, straighter(straight, errors, hi, lo)


def glide_sentence(story: dict, errors: dict | None) -> str:
    """Why the exact pair ranks as it does (story: path_story), from the VE paths' glide (share of
    their length travelled while σₜ > s) and straight_rank on the exact flow's and the VE PF-ODE's
    straightness: no ranking where they lie within the paths' noise."""
    pair = {"VE PF-ODE": story["ve"], "exact flow": story["flow"]}
    hi, _, ranked = straight_rank(pair, errors, "VE PF-ODE", "exact flow")
    glide = story["ve_glide"] > 0.5
    if not ranked:
        return (" Within the paths' noise neither field's paths bend less here"
                + (", the VE's glide notwithstanding." if glide else "."))
    if hi == "VE PF-ODE":
        return (" The VE's higher number comes from that glide, not from straighter steering near the data."
                if glide else " With little glide, the VE paths still bend less here.")
    return (" Here the flow's paths are straighter despite the VE's glide: near the data the VE paths "
            "bend more." if glide else " Here the flow's paths are straighter.")


def trained_from(field: str, off: dict) -> str:
    """The flow a network's flow is trained from, whose end points its own are compared with: the
    learned flow regresses on the exact flow's field; the rectified flow trains on the learned
    flow's (x₀, ε) pairs (rectified_net), or the exact flow where no learned flow is counted."""
    return "learned flow" if field == "rectified flow" and "learned flow" in off else "exact flow"


def straightest(straight: dict, errors: dict | None) -> tuple[list[str], list[str]]:
    """The fields by straightness, most first, split in two: the straightest and every field within
    the paths' noise of it (not straighter beyond two standard errors of the difference), then the
    rest. Only a first group of one is "the straightest"."""
    order = sorted(straight, key=lambda k: -straight[k])
    top = [order[0]] + [k for k in order[1:] if not straighter(straight, errors, order[0], k)]
    return top, [k for k in order if k not in top]


FINE_NOISE = 0.002    # straightness noise below this prints every number of its sentence with 4 decimals


def straight_digits(errors: dict | None, keys: list[str]) -> int:
    """Decimals for the straightness numbers of one sentence comparing `keys` in order: 3, or 4 where the
    noise of a neighbouring pair's difference (straightness_noise) is below FINE_NOISE, so that the values,
    their gap and the noise printed agree ("0.998, 0.996, 0.001 apart" at 3 decimals reads wrong)."""
    fine = errors and any(straightness_noise(errors, a, b) < FINE_NOISE for a, b in zip(keys, keys[1:]))
    return 4 if fine else 3


def rank_gap(straight: dict, errors: dict | None, a: str, b: str, digits: int = 3) -> str:
    """"0.009 apart, beyond the paths' noise 0.008": the gap |straight[a] − straight[b]| and the noise
    it is read against (straightness_noise: two standard errors of the difference), as straighter ranks,
    with `digits` decimals (straight_digits)."""
    gap, tol = abs(straight[a] - straight[b]), straightness_noise(errors, a, b)
    return (f"{gap:.{digits}f} apart, {'beyond' if straighter(straight, errors, a, b) else 'within'} the paths' "
            f"noise {tol:.{digits}f}")


def _ranked_run(straight: dict, errors: dict | None, order: list[str], digits: int = 3) -> str:
    """"exact flow 0.933, 0.009 apart, beyond the paths' noise 0.008; then VE PF-ODE 0.855, …": fields
    after order[0], each with its gap to the one before it (rank_gap) where the paths' noise is known."""
    return ("; then " if errors else ", ").join(
        f"{k} {straight[k]:.{digits}f}" + (f", {rank_gap(straight, errors, prev, k, digits)}" if errors else "")
        for prev, k in zip(order, order[1:]))


def _straightest_words(straight: dict, errors: dict | None) -> str:
    """"the learned flow's (0.942; then exact flow 0.933, 0.009 apart, beyond the paths' noise 0.008; then
    VE PF-ODE 0.855, …)", each neighbour with its gap (_ranked_run), or where fields lie within the paths'
    noise of the straightest (straightest): "the learned flow's and the exact flow's (0.942 and 0.933,
    within the paths' noise: …), then VE PF-ODE 0.855, …"."""
    top, rest = straightest(straight, errors)
    d = straight_digits(errors, top + rest)
    then = _ranked_run(straight, errors, top[-1:] + rest, d)
    if len(top) == 1:
        return f"the {top[0]}'s ({straight[top[0]]:.{d}f}" + (f"; then {_ranked_run(straight, errors, top + rest, d)})"
                                                            if rest else ")")
    tol = max(straightness_noise(errors, top[0], k) for k in top[1:])
    return (_listed([f"the {k}'s" for k in top]) + f" ({_listed([f'{straight[k]:.{d}f}' for k in top])}, within "
            f"the paths' noise of each other: two standard errors of the difference, up to {tol:.{d}f}, so "
            "these paths do not rank them)" + (f", then {then}" if rest else ""))


def seen_missing(df: pd.DataFrame | None, noise: dict | None, fields: list[str]) -> dict:
    """The fields of `fields` whose samples end in the wrong place by the quality chart's own rule: at
    its most Heun steps, where integration error is smallest, sliced W₂ lies above sees_line by more
    than sees_band (sees_verdicts "sees"); field -> that row. Empty without the chart's rows."""
    if df is None or noise is None:
        return {}
    rows = {k: _method_rows(df, k).iloc[-1] for k in fields if not _method_rows(df, k).empty}
    seen = sees_verdicts(pd.Series({k: float(r["sw2"]) for k, r in rows.items()}), list(rows), noise)
    return {k: rows[k] for k, v in seen.items() if v == "sees"}


def wrong_place_words(hi: str, lo: str, df: pd.DataFrame | None, noise: dict | None, ranked: bool = True) -> str:
    """After a pair's straightness ranking (hi the straighter by number; ranked: beyond the paths' noise):
    where hi's samples end in the wrong place (seen_missing), that in the same breath, with both fields'
    sliced W₂ at the chart's most Heun steps and the line they are read against, so that straighter
    paths are not read as a merit ("…, but they end in the wrong place: …"); "" where they do not."""
    seen = seen_missing(df, noise, [hi, lo])
    if hi not in seen:
        return ""
    a, b = seen[hi], _method_rows(df, lo).iloc[-1]
    who = ("both end" if lo in seen else "they end") if ranked else ("both end" if lo in seen else f"the {hi}'s end")
    return ((", but " if ranked else "; and ") + f"{who} in the wrong place: at the quality chart's "
            f"{_at_steps([a])} the {hi}'s samples score sliced W₂ {a['sw2']:.3f} against the {lo}'s {b['sw2']:.3f}, "
            f"more than half the spread of true sets' scores ({sees_band(noise):.3f}) above the line "
            f"{sees_line(noise):.3f} where that measure sees a field miss"
            + (", so neither field's straightness is that of a valid sampler" if lo in seen else
               ", so straighter paths here are no merit" if ranked else ""))


def which_straighter(straight: dict, story: dict, off: dict | None = None, errors: dict | None = None,
                      quality_df: pd.DataFrame | None = None, noise: dict | None = None) -> str:
    """The answer to "which is straighter here?" from the straightness numbers the caption lists
    (straight: label -> straightness, the exact flow's and the VE PF-ODE's first, then any learned
    and rectified flow's) and their noise (errors: label -> standard error over the paths; a
    difference within two standard errors is no ranking): the exact pair compared, and with more
    methods drawn the straightest of all, over the story["n"] paths each number is computed on
    (not the paths slider's share drawn). off (endpoints_off, with "n"): how many end points of each
    method land off every mode against true samples'; where a network's flow puts more there than
    the flow it is trained from (trained_from: the exact flow for the learned flow, the learned flow
    for the rectified one) and than true samples beyond two counts' noise (more_off), why: the
    rectified flow's price for straighter paths only where it is straighter than the learned flow
    beyond the noise, else its network's error; the learned flow's, where the exact flow has few,
    the network's error. quality_df, noise (the quality chart's rows and truth noise): where the
    straighter of the exact pair ends in the wrong place there (wrong_place_words), the ranking says so."""
    ve, flow = story["ve"], story["flow"]
    hi, lo, ranked = straight_rank({"VE PF-ODE": ve, "exact flow": flow}, errors, "VE PF-ODE", "exact flow")
    verb = "score straighter" if errors and not ranked else "are straighter"
    pair = f"the {hi}'s paths {verb} ({max(ve, flow):.3f} against {min(ve, flow):.3f})"
    if errors and not ranked:
        tol = straightness_noise(errors, "VE PF-ODE", "exact flow")
        pair += (f", but only within the paths' noise ({tol:.3f}, two standard errors of the difference): "
                 "these paths do not rank the two")
    pair += wrong_place_words(hi, lo, quality_df, noise, ranked or not errors)
    if len(straight) <= 2:
        return f"**Which is straighter here?** {pair[0].upper()}{pair[1:]}."
    n = story.get("n") or (off or {}).get("n")          # the paths each straightness is computed on
    text = (f"**Which is straighter here?** Of all {f'{n} ' if n else ''}paths computed per method, "
            f"{_straightest_words(straight, errors)}.")
    text += f" Of the two exact ones, {pair}."
    if off:
        nets = [k for k in ("learned flow", "rectified flow") if k in off]
        listed = ["exact flow"] + nets + [k for k in ("VE PF-ODE",) if k in off]
        text += (f" End points off every mode, {_drawn_run(off)}: "
                 + ", ".join(f"{k} {off[k]}" for k in listed)
                 + f" (a set of {off['n']} true samples: up to {off['true samples']}).")
        exact_few = not more_off(off["exact flow"], off["true samples"])
        for k in nets:
            base = trained_from(k, off)
            if not (more_off(off[k], off[base]) and more_off(off[k], off["true samples"])):
                continue
            if k == "rectified flow" and straighter(straight, errors, k, base):
                at = f" at {off['steps']} Heun steps" if "steps" in off else ""
                text += (f" The rectified flow straightens its paths at a price{at}: more end points land between "
                         f"or outside the modes than the {base}'s, the flow it is trained from "
                         f"({count_gap(off[k], off[base])})"
                         + (ahead_words(quality_df, noise, k, base) if quality_df is not None and noise else "")
                         + ".")
            elif k == "learned flow" and exact_few:
                d = straight_digits(errors, [k, "exact flow"])
                text += (f" The learned flow's {off[k]} end points off every mode are the network's error, "
                         f"not a price of straightness: the exact flow, the field it learns, puts "
                         f"{off['exact flow']} there"
                         + (f", and its straighter paths ({straight[k]:.{d}f} against {straight['exact flow']:.{d}f}, "
                            f"{rank_gap(straight, errors, k, 'exact flow', d)}) depart from that field's bends too."
                            if straighter(straight, errors, k, "exact flow") else "."))
            elif k == "rectified flow":
                text += (f" The rectified flow is no straighter than the {base}, the flow it is trained from, "
                         f"beyond the paths' noise ({straight[k]:.3f} against {straight[base]:.3f}), so its "
                         f"{off[k]} end points off every mode, more than the {base}'s "
                         f"({count_gap(off[k], off[base])}), are no price of straightness: they are its "
                         "network's error in fitting the pairs it trains on.")
    return text


def rectify_phrase(straight: dict, errors: dict | None) -> str:
    """What one round of rectification did to the learned flow's straightness here, from the
    numbers the caption lists and their noise."""
    a, b = straight["learned flow"], straight["rectified flow"]
    tol = straightness_noise(errors, "rectified flow", "learned flow")
    if straighter(straight, errors, "rectified flow", "learned flow"):
        return f"here one round takes the learned flow's straightness from {a:.3f} to {b:.3f}."
    change = ("less straight, beyond the paths' noise" if beyond_noise(a, b, tol)
              else "a change within the paths' noise")
    return (f"here one round takes the learned flow's straightness from {a:.3f} to {b:.3f}, {change} "
            f"({tol:.3f}, two standard errors of the difference): this round did not straighten them.")


def times_spread(sigma1: float, spread: float) -> str:
    """A start's σ₁ against the data's spread s, σ₁ / s with two significant digits (models.value_text:
    "0.96 times the data's spread s = 1.53")."""
    return f"{models.value_text(float(sigma1) / float(spread), 2)} times the data's spread s = {spread:.2f}"


def flow_start_phrase(spread: float) -> str:
    """Where the exact flow starts (ε ~ N(0, I), σ₁ = 1) against the data's spread s, worded
    from their ratio."""
    r = 1.0 / float(spread)
    where = ("at about the data's own scale" if 0.5 <= r <= 2 else
             "well inside the data's spread" if r < 0.5 else "wider than the data")
    return f"The exact flow starts at ε, {where} (σ₁ = 1, {times_spread(1.0, spread)})"
