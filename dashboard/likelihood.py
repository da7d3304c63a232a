"""The likelihood page's computations, cached: log p_0 by the probability-flow ODE with the exact or
a learned score, on a grid and at true samples, the parts of ODE − exact and the sentences read
off them, and the rendered maps."""
from __future__ import annotations

import time

import numpy as np
import torch

import diffusion_core as dc
from diffusion_core.likelihood import ode_log_likelihood, prior_log_prob
from dashboard import models, state, vocabulary
from dashboard.figures import lab as lfig
from dashboard.figures.common import figure_png, samples_limits
from dashboard.figures.training import share_text


def _score_fn(source, gmm, sde, cfg, device):
    if source == "exact":
        return dc.exact_score(gmm, sde), torch.float64
    net = models.trained_model(cfg, gmm, sde.lam, device).net
    dev = torch.device(device)

    def score(x, t):                      # with gradients, for the divergence
        return net(x.to(dev, torch.float32), t.to(dev, torch.float32)).to(x.device, x.dtype)
    return score, torch.float32


@state.cache_data(max_entries=16)
def likelihood(gmm, lam: float, source: str, grid_n: int, n: int, steps: int, solver: str,
               prior: str, t_eps: float, seed: int, cfg=None, device: str = "cpu") -> dict:
    """ODE log-likelihood and true log p_0 on a grid_n x grid_n grid and at n true samples. The
    grid spans samples_limits (every mode's mean ± 3 std and a margin around), so that the maps
    hold every mode's region, ring8's modes at the edge included."""
    sde = dc.VESDE(lam)
    score, dtype = _score_fn(source, gmm, sde, cfg, device)
    xlim, ylim = samples_limits(gmm)
    xx, yy = np.meshgrid(np.linspace(*xlim, grid_n), np.linspace(*ylim, grid_n))
    grid = torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))
    samples, _ = gmm.sample(n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    pts = torch.cat([grid, samples]).to(dtype)
    p1 = gmm.diffuse(sde, 1.0).log_prob
    t0 = time.perf_counter()
    ll, _, _, x1 = ode_log_likelihood(score, sde, pts, steps=steps, t_eps=t_eps, solver=solver,
                                      prior_logp=p1 if prior == "exact" else None, return_terms=True)
    seconds = time.perf_counter() - t0
    ll, x1, pts = ll.double(), x1.double(), pts.double()
    true = gmm.log_prob(pts)
    # ODE − exact = prior's mismatch at the end point + blur of sigma(eps) + integrator (and network)
    mismatch = (prior_log_prob(sde, x1) - p1(x1) if prior == "gaussian"
                else torch.zeros_like(ll))
    blur = gmm.diffuse(sde, t_eps).log_prob(pts) - true
    m = grid_n * grid_n
    return {"xx": xx, "yy": yy, "ode_grid": ll[:m].reshape(grid_n, grid_n).numpy(),
            "true_grid": true[:m].reshape(grid_n, grid_n).numpy(), "samples": samples.numpy(),
            "ode_s": ll[m:].numpy(), "true_s": true[m:].numpy(), "seconds": seconds,
            "mismatch_s": mismatch[m:].numpy(), "blur_s": blur[m:].numpy(),
            "prior": prior, "sigma1": sde.prior_std(), "sigma_eps": float(sde.sigma(torch.tensor(t_eps))),
            "finite": bool(torch.isfinite(ll).all())}


SCORE_WORDS = {"exact": "exact score", "learned": "learned score"}


MAP_DROP = 3.0      # nats: a mode whose log p₀ can fall this much between its mean and the nearest grid point may be missed


def grid_note(gmm, res: dict) -> str:
    """The modes the maps' grid (res: likelihood's, spacing h) can miss, named with their smallest std
    s: the nearest grid point can lie h/√2 (half a cell's diagonal) from the mode's mean, where along
    the narrow axis log p₀ has fallen by (h/√2)² / (2 s²) = h² / (4 s²); above MAP_DROP nats. A map
    shows such a mode only where a grid point falls on it, so the exact map can miss it, and a bright
    ODE cell beside it is the ODE's error there (the right panel), not a mode the exact map lacks; ""
    where no mode is that narrow."""
    h = max(float(np.ptp(res["xx"][0])), float(np.ptp(res["yy"][:, 0]))) / max(1, res["xx"].shape[0] - 1)
    stds = torch.linalg.eigvalsh(gmm.covs.double()).clamp_min(0).sqrt().numpy()     # (K, 2), smallest first
    std = stds[:, 0]
    narrow = [k for k in range(gmm.n_components) if h * h / (4 * std[k] ** 2) > MAP_DROP]
    if not narrow:
        return ""
    names = [f"mode {k + 1} ({vocabulary.stds_text(stds[k])})" for k in narrow[:6]]
    named = vocabulary.and_list(names + ([f"{len(narrow) - 6:,} more"] if len(narrow) > 6 else []))
    it = "it" if len(narrow) == 1 else "them"
    return (f"{named} {'is' if it == 'it' else 'are'} narrow against the grid's spacing ({h:.2g}): a map "
            f"shows {it} only where a grid point falls on {it}, so the exact map can miss {it}, and a bright cell of "
            f"the ODE map beside {it} is the ODE's error at that point (the right panel), not a mode the exact map "
            "lacks. More grid points per side narrow the spacing; the numbers above, at true samples, do not "
            "depend on the grid.")


def maps_title(source: str) -> str:
    """The maps' title: which score the ODE ran on (one pair of parentheses at most)."""
    return f"log p₀ by the ODE, {SCORE_WORDS[source]}"


@state.cache_data(max_entries=16)
def maps_png(res: dict, title: str) -> bytes:
    fig = lfig.likelihood_maps(res["xx"], res["yy"], res["ode_grid"], res["true_grid"],
                               res["samples"], title_ode=title)
    return figure_png(fig, dpi=100)


def nats(value: float) -> str:
    """A number of nats as the page prints it: 4 decimals, or "< 0.0001" for a non-zero value
    that would print as 0.0000 (and "0" for exactly zero)."""
    value = float(value)
    if value == 0:
        return "0 nats"
    if abs(value) < 5e-5:
        return f"{'> −' if value < 0 else '< '}0.0001 nats"
    return f"{value:.4f} nats"


def _mean_abs(a) -> float:
    a = np.asarray(a, dtype=float)
    return float(np.abs(a).mean()) if a.size else 0.0


def mean_ll(values) -> str:
    """A mean log-likelihood as the page's metrics show it (4 decimals)."""
    return f"{float(np.mean(values)):.4f}"


def cancel_note(ode_s, true_s) -> str:
    """When the two mean log-likelihoods agree far better than the points do (the mean of the
    differences is under a tenth of their mean size), say that the errors cancel; else "". The
    gap is the difference of the two means as the metrics show them (mean_ll)."""
    d = np.asarray(ode_s, dtype=float) - np.asarray(true_s, dtype=float)
    mean_abs = _mean_abs(d)
    if mean_abs == 0 or abs(float(d.mean())) >= 0.1 * mean_abs:
        return ""
    gap = round(float(mean_ll(ode_s)) - float(mean_ll(true_s)), 4) + 0.0
    if gap:
        agree = (f"differ by only {abs(gap):.4f} nats (the ODE's is the "
                 f"{'higher' if gap > 0 else 'lower'})")
    else:
        agree = "are equal to 4 decimals"
    return (f"The two mean log-likelihoods {agree} "
            f"while a sample's |ODE − exact| is {nats(mean_abs)} on average: the ODE is too high at "
            f"{_share(float((d > 0).mean()))} of the samples and too low at "
            f"{_share(float((d < 0).mean()))}, and these errors cancel in the mean.")


def _share(p: float) -> str:
    """A share of the samples in percent that says 0 % or 100 % only when it is (share_text)."""
    return "0 %" if p == 0 else share_text(p)


def parts_text(res: dict, source: str) -> str:
    """Where the samples' ODE − exact comes from, read off the run. At each sample it is the sum
    of three parts: the prior's mismatch log N(x₁; 0, σ₁²I) − log p₁(x₁) at the ODE's end point x₁
    (none with the true p₁), the blur log p_ε(x) − log p₀(x) (the ODE measures the density at
    t = ε), and the rest: the integrator's error, plus the network's with a learned score. The
    text gives each part's mean size, names the largest (or two of similar size), says when the
    parts partly cancel (their sizes add up to more than the total), and with the Gaussian prior
    how much the mismatch adds to the mean |ODE − exact|."""
    d = np.asarray(res["ode_s"], dtype=float) - np.asarray(res["true_s"], dtype=float)
    mismatch = np.asarray(res["mismatch_s"], dtype=float)
    blur = np.asarray(res["blur_s"], dtype=float)
    gaussian = res["prior"] == "gaussian"
    rest = ("the integrator's error" if source == "exact"
            else "the integrator's and the network's error")
    parts = ([("the prior's mismatch", f" (σ₁ = {res['sigma1']:.3g})", mismatch)] if gaussian else [])
    parts += [("the blur", f" (σ = {res['sigma_eps']:.2g} at t = ε)", blur), (rest, "", d - mismatch - blur)]
    raw = parts
    parts = [(name, detail, _mean_abs(v)) for name, detail, v in parts]
    total = _mean_abs(d)
    text = (f"**Where the difference comes from.** Over the {d.size} true samples the mean "
            f"|ODE − exact| is {nats(total)}. At each sample ODE − exact is the sum of "
            + ("three parts: the prior's mismatch log N(x₁; 0, σ₁²I) − log p₁(x₁) at the ODE's end "
               "point x₁, " if gaussian else "two parts (with the true p₁ the prior adds none): ")
            + f"the blur (the ODE measures p₀ blurred by noise of std σ at t = ε, not p₀) and {rest}. "
            + "Their mean absolute sizes here: "
            + "; ".join(f"{name}{detail} {nats(size)}" for name, detail, size in parts) + ".")
    (first, _, a), (second, _, b) = sorted(parts, key=lambda p: p[2], reverse=True)[:2]
    if a > 0:
        text += (f" The largest two, {first} and {second}, are of similar size." if b >= 0.9 * a
                 else f" The largest is {first}.")
    text += _cancel_text([v for _, _, v in raw], total, first if round(a, 4) > round(total, 4) else None)
    if gaussian and total > 0:
        without = _mean_abs(d - mismatch)
        share = (total - without) / total
        pct = share_text(share) if share >= 0.01 else "under 1 %"      # "100 %" only when it is all
        if share > 0.5:
            verdict = f"makes up most of the {nats(total)} ({pct})"
        elif share >= 0.1:
            verdict = f"makes up {pct} of the {nats(total)}"
        elif share > 0:
            verdict = f"makes up only a small part of the {nats(total)} ({pct})"
        else:
            verdict = "partly cancels the other parts instead of adding to them"
        text += (f" With the true p₁ at the end (*log p₁ at the end* set to it) the mean "
                 f"|ODE − exact| would be {nats(without)}, so the prior's mismatch {verdict}.")
    return text


def _cancel_text(parts: list, total: float, bigger: str | None) -> str:
    """When the parts' mean sizes (as shown, 4 decimals) add up to more than the mean |ODE − exact|
    they make up, they have opposite signs at some samples and partly cancel there: say so, with
    the share of such samples and, when one part alone is larger than the total, its name; else ""."""
    parts = [np.asarray(v, dtype=float) for v in parts]
    added = sum(round(_mean_abs(v), 4) for v in parts)
    if added <= round(total, 4) + 5e-4:                 # no visible cancelling
        return ""
    signs = np.sign(np.stack(parts))
    mixed = float(((signs > 0).any(0) & (signs < 0).any(0)).mean())
    if mixed == 0:
        return ""
    where = share_text(mixed) if mixed >= 0.01 else "under 1 %"      # "100 %" only when it is all
    alone = f", which is why {bigger} by itself is larger than the total" if bigger else ""
    return (f" These sizes add up to {nats(added)}, more than the {nats(total)} of the "
            f"total: the parts have opposite signs at {where} of the samples and partly cancel "
            f"there{alone}.")
