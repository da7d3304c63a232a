"""Cached computations and trained networks of the Guidance and Flow matching pages.

Trained networks are held once per (kind, config, mixture, lambda, device) for the whole server
by dashboard.trained.once, like every trained thing; they are stored in eval mode and never
changed afterwards.
Everything else is st.cache_data, keyed by value (mixtures hash by their parameters).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st
import torch

import diffusion_core as dc
from diffusion_core import flow as fl
from diffusion_core import guidance as gd
from diffusion_core.sampling import time_grid
from dashboard.figures.common import auto_limits, density_grid, figure_png
from dashboard.figures import guidance as gfig

from dashboard import models, state
from dashboard import trained as trained_once

GUIDANCE_WS = (0.0, 0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0)
FLOW_STEPS = (2, 4, 8, 16, 32)
MAX_CLASSES = 12            # the Guidance page needs a mixture of at most this many components
RECTIFY_STEPS = 50          # Heun steps that push the noise through the learned flow
GUIDANCE_SAMPLER = "dpm2m_sde"   # at 60 steps its w = 1 samples match true samples of p(x | y)
TRUTH_REPEATS = 20          # independent sets of true samples that measure the truth-vs-truth noise
PAD = 4.0                   # the Guidance figures reach 4 stds beyond every mode (its 2σ region and more)
N_PAIRS = 30                # independent (x₀, ε) pairs drawn as straight segments


def recipe(seed: int) -> dc.TrainConfig:
    """The training recipe of both pages: the Train page's default ("ours") with the sidebar seed."""
    return models.default_config("ours", seed)


# ------------------------------------------------------------------------------ trained networks
def is_trained(kind, cfg, gmm, lam, device="cpu") -> bool:
    return trained_once.is_trained(("lesson", kind, cfg, gmm, float(lam), str(device)))


def trained(kind, cfg, gmm, lam, device, train, what: str, progress=None):
    """(net, history) of the lesson network `kind`, trained by train(callback) on first request
    (dashboard.trained.once), with a progress bar in `progress`; a diverging loss stops early."""
    def make():
        bar = progress.progress(0.0, text=f"Training the {what}…") if progress is not None else None

        def callback(step, total, row):
            if bar is not None:
                bar.progress(min(1.0, step / total), text=f"Training the {what}: step {step:,} of {total:,}")
            return row is not None and not math.isfinite(float(row.get("train_loss", 0.0)))

        net, history = train(callback)
        return net.eval(), history

    return trained_once.once(("lesson", kind, cfg, gmm, float(lam), str(device)), make, progress,
                             f"Training the {what} (started by another session); it is shared as "
                             "soon as it is done…")


def cond_net(cfg, gmm, lam: float, device: str = "cpu", progress=None):
    """The class-conditional ScoreNet (one class per component, label dropout 0.15)."""
    return trained("cond", cfg, gmm, lam, device, lambda cb: gd.train_cond_score_model(
        gmm, dc.VESDE(lam), None, cfg, device=device, callback=cb),
        "class-conditional score network", progress)[0]


def flow_net(cfg, gmm, device: str = "cpu", progress=None):
    """The flow-matching network, trained by regression on eps - x_0."""
    return trained("flow", cfg, gmm, 0.0, device, lambda cb: fl.train_flow_model(
        gmm, cfg, device=device, callback=cb), "flow-matching network", progress)[0]


def train_defaults(device: str = "cpu", before_each=None) -> None:
    """Train the Guidance and Flow pages' networks at default settings on the lesson's mixture
    for those pages (the tutorial's; the server's warm-up, while nobody clicks)."""
    cfg, gmm = recipe(state.DEFAULT_SEED), dc.PRESETS[models.DEFAULT_MIXTURE]
    lam = state.sio.SCHEMA["w_guidance_lam"].default
    for kind, make in (("cond", lambda: cond_net(cfg, gmm, lam, device)),
                       ("flow", lambda: flow_net(cfg, gmm, device))):
        if models.queue_stopped():
            return
        if not is_trained(kind, cfg, gmm, lam if kind == "cond" else 0.0, device):
            if before_each is not None:
                before_each()
            make()


def rectified_net(cfg, gmm, device: str = "cpu", progress=None):
    """One round of rectification of flow_net (trained on its own (x_0, eps) pairs)."""
    base = flow_net(cfg, gmm, device, progress)
    return trained("rectified", cfg, gmm, 0.0, device, lambda cb: _rectify(base, cfg, device),
                    "rectified flow network", progress)[0]


def _rectify(base, cfg, device):
    return fl.rectify(base, cfg, steps=RECTIFY_STEPS, method="heun", device=device)


def _on_cpu(net, device):
    """A velocity/score function of `net` evaluated without autograd, returning CPU tensors."""
    dev = torch.device(device)

    def fn(x, t, *y):
        with torch.inference_mode():
            t = torch.as_tensor(t, dtype=torch.float32)
            out = net(x.to(dev, torch.float32), t.to(dev), *y)
            return out.to("cpu", x.dtype).clone()
    return fn


# ------------------------------------------------------------------------------ guidance
def class_names(gmm) -> list[str]:
    return [f"class {k + 1}: the mode at ({m[0]:.1f}, {m[1]:.1f})" for k, m in enumerate(gmm.means.tolist())]


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
    net = _on_cpu(cond_net(cfg, gmm, lam, device), device)
    fn = gd.cfg_combine(lambda x, t: net(x, t), lambda x, t: net(x, t, y), w)
    return dc.sample(fn, dc.VESDE(lam), n, steps, method=GUIDANCE_SAMPLER,
                     generator=torch.Generator().manual_seed(seed)).x.numpy()


@state.cache_data(max_entries=32)
def guidance_truth(gmm, y: int, n: int, seed: int) -> tuple[np.ndarray, dict]:
    """gd.truth_reference: n true samples of p(x | y) and, per measure, (mean, sd) over
    TRUTH_REPEATS independent sets of n true samples."""
    x, ref = gd.truth_reference(gmm, None, y, n, seed + 1, TRUTH_REPEATS)
    return x.numpy(), ref


@state.cache_data(max_entries=128)
def guidance_row(gmm, lam: float, y: int, w: float, n: int, steps: int, seed: int, cfg=None,
                 device: str = "cpu") -> dict:
    """gd.guidance_metrics of the exact guided samples at w (and, when cfg is given, of the
    learned ones, columns prefixed "learned_", plus far: the share of learned samples outside
    the data's plot box (thrown far away; left out of their measures), and sw2_learned_exact)."""
    (x0, x1), (y0, y1) = auto_limits(gmm, pad_std=PAD)
    x = guided_samples(gmm, lam, y, w, n, steps, seed)
    row = {"w": float(w), **gd.guidance_metrics(x, gmm, None, y)}
    if cfg is not None:
        xl = learned_guided_samples(cfg, gmm, lam, device, y, w, n, steps, seed)
        finite = np.isfinite(xl).all(1)
        inside = finite & (xl[:, 0] >= x0) & (xl[:, 0] <= x1) & (xl[:, 1] >= y0) & (xl[:, 1] <= y1)
        xin = xl[inside] if inside.sum() > 1 else x[:2]
        row.update({"learned_" + k: v for k, v in gd.guidance_metrics(xin, gmm, None, y).items()})
        row["far"] = float(1 - inside.mean())
        row["sw2_learned_exact"] = float(dc.sliced_w2(xin, x))
    return row


def guidance_table(gmm, lam: float, y: int, n: int, steps: int, seed: int, cfg=None,
                   device: str = "cpu") -> pd.DataFrame:
    """guidance_row for every w of GUIDANCE_WS, one row each."""
    return pd.DataFrame([guidance_row(gmm, lam, y, w, n, steps, seed, cfg, device) for w in GUIDANCE_WS])


@state.cache_data(max_entries=32)
def guidance_samples_png(gmm, lam: float, y: int, w: float, n: int, steps: int, seed: int, cfg=None,
                         device: str = "cpu") -> tuple[bytes, dict]:
    """The samples figure of the Guidance page (true samples of p(x | y), exact CFG at w, learned
    CFG when cfg is given) as PNG, and per panel how many of its samples lie outside the panel."""
    truth = guidance_truth(gmm, y, n, seed)[0]
    panels = [(gfig.TRUTH, truth, gfig.SOURCE_COLORS[gfig.TRUTH]),
              (f"exact CFG, w = {w:g}", guided_samples(gmm, lam, y, w, n, steps, seed),
               gfig.SOURCE_COLORS["exact CFG"])]
    if cfg is not None:
        panels.append((f"learned CFG, w = {w:g}",
                       learned_guided_samples(cfg, gmm, lam, device, y, w, n, steps, seed),
                       gfig.SOURCE_COLORS["learned CFG"]))
    xlim, ylim = panel_limits(gmm)
    xx, yy, logp = density_grid(gd.class_mixture(gmm, None, y), xlim, ylim, n=100)
    out = {t.split(",")[0]: gfig.outside(x, xlim, ylim) for t, x, _ in panels}
    return figure_png(gfig.samples_figure(panels, xx, yy, logp, xlim, ylim)), out


def panel_limits(gmm) -> tuple[tuple[float, float], tuple[float, float]]:
    """The Guidance and Flow panels' square box: PAD stds beyond every mode, widened by a tenth of
    its width on each side (narrow modes on the box's edge would look cut)."""
    (x0, x1), (y0, y1) = auto_limits(gmm, pad_std=PAD)
    m = 0.1 * (x1 - x0)
    return (x0 - m, x1 + m), (y0 - m, y1 + m)


def flow_limits(gmm) -> tuple[tuple[float, float], tuple[float, float]]:
    """The Flow page's panels: panel_limits, widened to hold the noise N(0, I) too (within 3.5)."""
    xlim, ylim = panel_limits(gmm)
    lim = 3.5
    return (min(xlim[0], -lim), max(xlim[1], lim)), (min(ylim[0], -lim), max(ylim[1], lim))


def matches_truth(value: float, ref: tuple[float, float], k: float = gfig.NOISE_K) -> bool:
    """Whether a measure's value lies within k standard deviations of the truth-vs-truth noise
    around the truth's mean (ref = (mean, sd) from guidance_truth)."""
    mean, sd = ref
    return bool(abs(float(value) - mean) <= k * sd + 1e-12)


MEASURES = {"spread_ratio": "spread", "leak": "leak", "logp_class": "mean log p₀(x | y)"}


def off_truth(row, truth: dict, prefix: str = "") -> list[str]:
    """The names of the measures on which a row of guidance_table (columns with `prefix`) differs
    from the truth by more than its noise level."""
    return [name for col, name in MEASURES.items() if not matches_truth(row[prefix + col], truth[col])]


@state.cache_data(max_entries=32)
def guidance_fields(gmm, lam: float, y: int, w: float, t: float, n_grid: int = 17) -> dict:
    """On an n_grid^2 grid over the data: log pₜ(x | y), the guided score s_w and the
    conditional score s(. | y) at time t."""
    sde = dc.VESDE(lam)
    xlim, ylim = panel_limits(gmm)
    xx, yy = np.meshgrid(np.linspace(*xlim, n_grid), np.linspace(*ylim, n_grid))
    pts = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
    fx, fy = np.meshgrid(np.linspace(*xlim, 90), np.linspace(*ylim, 90))
    fine = torch.from_numpy(np.stack([fx.ravel(), fy.ravel()], 1))
    cls = gd.class_mixture(gmm, None, y).diffuse(sde, t)
    shape = (n_grid, n_grid, 2)
    return {"xx": xx, "yy": yy, "fx": fx, "fy": fy,
            "logp": cls.log_prob(fine).reshape(90, 90).numpy(),
            "guided": gd.guided_score(gmm, sde, None, y, w)(pts, t).reshape(shape).numpy(),
            "cond": gd.conditional_score(gmm, sde, None, y)(pts, t).reshape(shape).numpy()}


# ------------------------------------------------------------------------------ flow matching
@state.cache_data(max_entries=16)
def paths(gmm, lam: float, n: int, steps: int, seed: int, cfg=None, which: str = "exact",
          device: str = "cpu") -> dict:
    """fl.compare_paths with the exact flow, or the learned / rectified flow ("learned",
    "rectified"; cfg given): name -> (trajectory numpy (steps+1, n, 2), straightness)."""
    fn = None
    if which != "exact":
        net = (flow_net if which == "learned" else rectified_net)(cfg, gmm, device)
        fn = _on_cpu(net, device)
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
    length travelled while σₜ is above s (the glide inwards from far out)."""
    sde = dc.VESDE(lam)
    exact = paths(gmm, lam, n, steps, seed)
    spread = fl.data_spread(gmm)
    ve_sigmas = sde.sigma(time_grid(sde, steps)).numpy()
    return {"flow": exact["flow"][1], "ve": exact["VE PF-ODE"][1], "sigma1": float(sde.prior_std()),
            "spread": spread,
            "ve_glide": fl.length_share_above(exact["VE PF-ODE"][0], ve_sigmas, spread)}


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
    net = _on_cpu((flow_net if which == "learned" else rectified_net)(cfg, gmm, device), device)
    eps = torch.randn(n, gmm.dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    truth, _ = gmm.sample(n, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
    rows = []
    for steps in FLOW_STEPS:
        for method in fl.FLOW_METHODS:
            res = fl.flow_sample(net, n, steps, method, x_init=eps, dtype=torch.float64)
            rows.append({"field": f"{which} flow", "method": method, "steps": steps, "nfe": res.nfe,
                         "sw2": dc.sliced_w2(res.x, truth)})
    return pd.DataFrame(rows)


@state.cache_data(max_entries=16)
def velocity_error(cfg, gmm, device: str, seed: int, rectified: bool = False) -> pd.DataFrame:
    """Mean squared error of the learned velocity against the exact one at t in [0, 1] (columns
    t, mse, field): the learned flow, and the rectified one (which learns a different, straighter
    field: its 'error' is how far it moved from the marginal velocity)."""
    ts = np.linspace(0.0, 1.0, 21)
    frames = []
    for name, get in [("learned flow", flow_net)] + ([("rectified flow", rectified_net)] if rectified else []):
        mse = fl.velocity_mse_by_t(_on_cpu(get(cfg, gmm, device), device), gmm, ts, 1000,
                                   generator=torch.Generator().manual_seed(seed + 31))
        frames.append(pd.DataFrame({"t": ts, "mse": mse.double().numpy(), "field": name}))
    return pd.concat(frames, ignore_index=True)
