"""Cached computations and the trained networks of the Flow matching page: exact-flow, VE PF-ODE
and learned paths, independent pairs, the straightness story, quality per velocity evaluation,
the network's error over t and one round of rectification. Everything but the networks is
st.cache_data, keyed by value."""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

import diffusion_core as dc
from diffusion_core import flow as fl
from diffusion_core.sampling import time_grid
from dashboard import guidance, lessons, models, state

FLOW_STEPS = (2, 4, 8, 16, 32)
RECTIFY_STEPS = 50          # Heun steps that push the noise through the learned flow
N_PAIRS = 30                # independent (x₀, ε) pairs drawn as straight segments


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


def flow_limits(gmm) -> tuple[tuple[float, float], tuple[float, float]]:
    """The Flow page's panels: panel_limits, widened to hold the noise N(0, I) too (within 3.5)."""
    xlim, ylim = guidance.panel_limits(gmm)
    lim = 3.5
    return (min(xlim[0], -lim), max(xlim[1], lim)), (min(ylim[0], -lim), max(ylim[1], lim))


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
    net = lessons.on_cpu((flow_net if which == "learned" else rectified_net)(cfg, gmm, device), device)
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
        mse = fl.velocity_mse_by_t(lessons.on_cpu(get(cfg, gmm, device), device), gmm, ts, 1000,
                                   generator=torch.Generator().manual_seed(seed + 31))
        frames.append(pd.DataFrame({"t": ts, "mse": mse.double().numpy(), "field": name}))
    return pd.concat(frames, ignore_index=True)


def train_defaults(device: str = "cpu", before_each=None) -> None:
    """Train the page's network at default settings on the tutorial's mixture, the lesson's for
    this page (the server's warm-up, while nobody clicks)."""
    cfg, gmm = lessons.recipe(state.DEFAULT_SEED), dc.PRESETS[models.DEFAULT_MIXTURE]
    if not models.queue_stopped() and not lessons.is_trained("flow", cfg, gmm, 0.0, device):
        if before_each is not None:
            before_each()
        flow_net(cfg, gmm, device)


def which_straighter(straight: dict, story: dict) -> str:
    """The answer to "which is straighter here?" from the straightness numbers the caption lists
    (straight: label -> straightness, the exact flow's and the VE PF-ODE's first, then any learned
    and rectified flow's): the exact pair compared, and with more paths drawn the straightest of all."""
    ve, flow = story["ve"], story["flow"]
    pair = (f"the {'VE PF-ODE' if ve > flow else 'exact flow'}'s paths "
            f"({max(ve, flow):.3f} against {min(ve, flow):.3f})")
    if len(straight) <= 2:
        return f"**Which is straighter here?** {pair[0].upper()}{pair[1:]}."
    ranked = sorted(straight.items(), key=lambda kv: -kv[1])
    top, value = ranked[0]
    rest = ", ".join(f"{k} {v:.3f}" for k, v in ranked[1:])
    return (f"**Which is straighter here?** Of all paths drawn, the {top}'s ({value:.3f}; then {rest}). "
            f"Of the two exact ones, {pair}.")


def flow_start_phrase(spread: float) -> str:
    """Where the exact flow starts (ε ~ N(0, I), σ₁ = 1) against the data's spread s, worded
    from their ratio."""
    r = 1.0 / float(spread)
    where = ("at about the data's own scale" if 0.5 <= r <= 2 else
             "well inside the data's spread" if r < 0.5 else "wider than the data")
    return f"The exact flow starts at ε, {where} (σ₁ = 1, {r:.2g} times the data's spread s = {spread:.2f})"
