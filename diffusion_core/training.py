"""Learning the score from data by denoising score matching (dc.dsm_loss), and measuring it.

A fixed set of n_data clean samples is drawn once from the mixture (the lesson is learning from
data); every step draws a minibatch, times t ~ U[eps, 1] and noise z, and takes an Adam step on

    L(theta) = mean_i gamma_t ||s_theta(alpha_t x_0 + sigma_t z, t) + z / sigma_t||^2.

Progress is measured on held-out draws from the true mixture:
  irreducible_loss  L of the exact score of p_t on a fixed held-out set of (x_0, t, z):
                    the floor, since L(theta) = floor + E[gamma_t ||s_theta - grad log p_t||^2];
  dsm_loss          L(theta) on that same set, estimated by the right-hand side on the same
                    (x_t, t): floor + mean gamma_t ||s_theta(x_t) - grad log p_t(x_t)||^2. Its
                    cross term 2 gamma_t (s_theta - s).(s + z / sigma_t), zero on average, is left
                    out: measured, that noise let the curve dip below its floor; without it the
                    held-out loss is never below the floor drawn against it;
  score_mse         mean over points and coordinates of (s_theta - grad log p_t)^2 at (x_t, t)
                    drawn from p_t itself (x_t = alpha_t x_0 + sigma_t z, x_0 from the mixture),
                    t ~ U[SCORE_MSE_EPS, 1] for every recipe, so that recipes compare. Below
                    SCORE_MSE_EPS = 0.01 (the tutorial's eps) the DSM target -z / sigma_t is so noisy
                    that any score learned from a finite data set errs by ~1/sigma_t^2 in mean
                    square there (harmless for sampling, which moves points by sigma^2 s);
                    score_mse_by_t shows the whole range.
"""
from __future__ import annotations

from dataclasses import replace

import torch

from .config import LR_SCHEDULES, TrainConfig
from .fitting import fit
from .mixture import GaussianMixture
from .network import ScoreNet
from .score import dsm_loss, exact_score, loss_weight, sample_times
from .sde import SDE

__all__ = ["TrainConfig", "train_score_model", "score_mse_by_t", "score_mse", "draw_diffused",
           "make_score_net", "LR_SCHEDULES", "HISTORY_COLUMNS", "SCORE_MSE_EPS"]

SCORE_MSE_EPS = 0.01
MAX_EVAL_POINTS = 2_000_000   # cap of len(ts) * n_per_t in score_mse_by_t
HISTORY_COLUMNS = ("step", "train_loss", "dsm_loss", "irreducible_loss", "score_mse", "lr", "seconds")

DATA_STD_FLOOR = 1e-3      # lower bound of the data std that "edm" preconditioning divides by

# --------------------------------------------------------------------------------- measuring
def draw_diffused(gmm: GaussianMixture, sde: SDE, t: torch.Tensor, generator=None):
    """One draw x_t ~ p_t per time in t (N,): x_t = alpha_t x_0 + sigma_t z, x_0 ~ the mixture.
    Returns (x_0, z, x_t), in the dtype and on the device of t."""
    x0, _ = gmm.sample(t.shape[0], generator=generator, dtype=t.dtype)
    z = torch.randn(x0.shape, generator=generator, dtype=t.dtype)
    x0, z = x0.to(t.device), z.to(t.device)
    return x0, z, sde.perturb(x0, t, z)


def score_mse(score_fn, x: torch.Tensor, t: torch.Tensor, target: torch.Tensor, reduce=True):
    """mean_d (s(x, t) - target)^2 per point, averaged over points when reduce."""
    with torch.no_grad():
        per = ((score_fn(x, t) - target) ** 2).mean(-1)
    return per.mean() if reduce else per


def score_mse_by_t(score_fn, gmm: GaussianMixture, sde: SDE, ts, n_per_t: int = 1000,
                   generator=None, device="cpu", per_draw: bool = False) -> torch.Tensor:
    """For each t in ts: mean over n_per_t draws x_t ~ p_t and coordinates of
    (s(x_t, t) - grad log p_t(x_t))^2, the exact score of the diffused mixture. Shape (len(ts),);
    per_draw=True: each draw's mean over coordinates instead, shape (len(ts), n_per_t) (the same
    generator gives every score_fn the same draws, so two models' errors can be compared draw by draw)."""
    ts = torch.as_tensor(ts, dtype=torch.float32).reshape(-1)
    if not 1 <= int(n_per_t) <= MAX_EVAL_POINTS // max(1, len(ts)):
        raise ValueError(f"n_per_t must be in 1..{MAX_EVAL_POINTS // max(1, len(ts))} "
                         f"(at most {MAX_EVAL_POINTS:,} points over the {len(ts)} times); got {n_per_t}")
    if not ((ts >= 0) & (ts <= 1)).all():
        raise ValueError("times ts must be in [0, 1]")
    t = ts.repeat_interleave(int(n_per_t)).to(device)
    _, _, xt = draw_diffused(gmm, sde, t, generator)
    per = score_mse(score_fn, xt, t, exact_score(gmm, sde)(xt, t), reduce=False)
    per = per.reshape(len(ts), int(n_per_t)).cpu()
    return per if per_draw else per.mean(1)


class _Monitor:
    """Fixed held-out draws, the exact-score reference values, and one history row per call."""

    def __init__(self, gmm, sde, cfg, device, seed):
        g = torch.Generator().manual_seed(seed)
        self.sde, self.cfg, self.device = sde, cfg, device
        n = cfg.n_eval
        t = sample_times(n, cfg.eps, g, stratified=True).to(device)
        self.x0, _, _ = draw_diffused(gmm, sde, t, g)           # for the DSM loss
        self.t = t
        t2 = sample_times(n, SCORE_MSE_EPS, g, stratified=True).to(device)
        _, _, self.xt = draw_diffused(gmm, sde, t2, g)          # for the score MSE, from p_t
        self.t2 = t2
        exact = exact_score(gmm, sde)
        self.target = exact(self.xt, t2)
        noise = torch.Generator(device=device).manual_seed(seed + 1)
        with torch.no_grad():
            self.irreducible = float(dsm_loss(exact, self.x0, sde, generator=noise,
                                              weighting=cfg.weighting, t=t))
        noise = torch.Generator(device=device).manual_seed(seed + 1)      # the same z again
        z = torch.randn(self.x0.shape, generator=noise, dtype=self.x0.dtype, device=self.x0.device)
        self.xt_loss = sde.perturb(self.x0, t, z)
        self.score_loss = exact(self.xt_loss, t)
        self.weight = loss_weight(sde, t, cfg.weighting)

    def dsm(self, score_fn) -> torch.Tensor:
        """floor + mean gamma_t ||s_theta - s||^2 on the floor's own held-out (x_t, t)."""
        with torch.no_grad():
            err = ((score_fn(self.xt_loss, self.t) - self.score_loss) ** 2).sum(-1)
            return self.irreducible + (self.weight * err).mean()

    def row(self, net, step, train_loss, lr, seconds) -> dict:
        return {"step": step, "train_loss": train_loss, "dsm_loss": float(self.dsm(net)),
                "irreducible_loss": self.irreducible,
                "score_mse": float(score_mse(net, self.xt, self.t2, self.target)),
                "lr": lr, "seconds": seconds}


# --------------------------------------------------------------------------------- training
def make_score_net(sde: SDE, cfg: TrainConfig, data: torch.Tensor) -> ScoreNet:
    """The ScoreNet of cfg, with "edm" data statistics (mean, mean per-coordinate std) of `data`."""
    mean = data.mean(0)
    std = max(float(data.std(0, correction=0).pow(2).mean().sqrt()), DATA_STD_FLOOR)
    return ScoreNet(sde, dim=data.shape[1], width=cfg.width, depth=cfg.depth,
                    activation=cfg.activation, fourier_dim=cfg.fourier_dim,
                    fourier_scale=cfg.fourier_scale, precond=cfg.precond,
                    data_mean=mean, data_std=std, seed=cfg.seed)


def train_score_model(gmm: GaussianMixture, sde: SDE, cfg: TrainConfig | None = None,
                      device="cpu", callback=None, seed: int | None = None):
    """Train a ScoreNet on cfg.n_data samples of gmm by DSM. Returns (net, history).

    seed overrides cfg.seed (data set, initial weights, minibatches, t and z; the returned
    net.train_config holds the seed used).
    callback(step, total_steps, row) is called every ~1% of the steps and at every logged step
    (row = the new history row as a dict, else None); returning True stops training early
    (the last step is then logged). The returned net (the EMA weights when cfg.ema > 0) is on
    `device`, in eval mode, without gradients, and carries cfg as net.train_config.
    history: one row per logged step with the columns HISTORY_COLUMNS.
    """
    cfg = TrainConfig() if cfg is None else cfg
    if seed is not None:
        cfg = replace(cfg, seed=int(seed))
    seed, device = cfg.seed, torch.device(device)
    data, _ = gmm.sample(cfg.n_data, generator=torch.Generator().manual_seed(seed), dtype=torch.float32)
    net = make_score_net(sde, cfg, data).to(device)
    mon = _Monitor(gmm, sde, cfg, device, seed + 1000)
    g = torch.Generator(device=device).manual_seed(seed + 1)

    def loss(net, xb):
        t = sample_times(xb.shape[0], cfg.eps, g, xb.dtype, device, stratified=True) \
            if cfg.stratified else None
        return dsm_loss(net, xb, sde, eps=cfg.eps, generator=g, weighting=cfg.weighting, t=t)

    net, history = fit(net, data.to(device), loss, cfg, g, callback, row=mon.row,
                       columns=HISTORY_COLUMNS, progress_every=max(1, cfg.steps // 100))
    net.train_config = cfg
    return net, history
