"""Flow matching on the straight path x_t = (1 - t) x_0 + t eps, eps ~ N(0, I), t in [0, 1].

Data sit at t = 0 and noise at t = 1. Along one path dx_t/dt = eps - x_0; the marginal velocity
v(x, t) = E[eps - x_0 | x_t = x] moves p_1 = N(0, I) into p_0 (integrated from t = 1 to 0).

Exact field of a Gaussian mixture. With a = 1 - t, s = t, per component k the pair (x_0, x_t) is
jointly Gaussian, x_t | k ~ N(a mu_k, C_k), C_k = a^2 Sigma_k + s^2 I = U_k diag(v_k) U_k^T,
v_k = a^2 l_k + s^2, and with r = x - a mu_k:

    E[eps | x, k] = s C_k^-1 r,   E[x_0 | x, k] = mu_k + a Sigma_k C_k^-1 r,
    v_k(x, t) = U_k [(s - a l_k) / v_k * U_k^T r] - mu_k,    v = sum_k pi_k,t(x) v_k

with the responsibilities pi_k,t of p_t (log-sum-exp). v_k is regular on all of [0, 1]:
v(x, 0) = -x, v(x, 1) = x - E[x_0].

Link to the score (any Gaussian path x = a x_0 + s eps; Tweedie): E[eps | x] = -s grad log p_t,
E[x_0 | x] = (x + s^2 grad log p_t) / a, so v = -(x + t grad log p_t(x)) / (1 - t) for t < 1.
The path is the linear SDE `StraightPath` (alpha_t = 1 - t, sigma_t = t), so dc.exact_score and
dc.draw_diffused work on it unchanged.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ._fields import points_and_times
from .fitting import fit
from .metrics import sliced_w2
from .mixture import GaussianMixture
from .network import TimeMLP
from .sampling import SampleResult, time_grid
from .score import exact_score, sample_times
from .sde import SDE, as_time, reverse_drift
from .config import TrainConfig
from .training import draw_diffused

__all__ = ["StraightPath", "fm_velocity", "exact_velocity", "velocity_from_score", "integrate",
           "flow_sample", "heun_euler_last", "quality_draws", "pf_ode_velocity", "straightness", "path_straightness", "straightness_error",
           "FlowNet", "train_flow_model",
           "rectify", "velocity_mse_by_t", "compare_paths", "flow_quality", "FLOW_METHODS",
           "independent_pairs", "count_crossings", "data_spread", "length_share_above"]

FLOW_METHODS = ("euler", "heun")
MAX_STEPS = 10_000


class StraightPath(SDE):
    """The flow-matching path as a linear SDE: alpha_t = 1 - t, sigma_t = t, so
    f(t) = d log alpha / dt = -1 / (1 - t) and g(t)^2 = d sigma^2/dt - 2 f sigma^2 = 2t / (1 - t)
    (both infinite at t = 1; only alpha and sigma are needed for p_t, its score and draws)."""

    name = "straight"

    def g(self, t):
        t = as_time(t)
        return torch.sqrt(2 * t / (1 - t))

    def drift_coef(self, t):
        return -1 / (1 - as_time(t))

    def sigma(self, t):
        return as_time(t) * 1

    def mean_scale(self, t):
        return 1 - as_time(t)

    def t_of_sigma(self, sigma):
        return as_time(sigma) * 1

    def t_of_noise_ratio(self, r):
        """r = t / (1 - t) -> t = r / (1 + r)."""
        r = as_time(r)
        return r / (1 + r)

    def prior_std(self):
        return 1.0


def fm_velocity(gmm: GaussianMixture, x, t) -> torch.Tensor:
    """The exact marginal velocity v(x, t) = sum_k pi_k,t(x) (U_k [(t - (1-t) l_k) / v_k y_k] - mu_k)
    of the module docstring, (N, d); t a scalar or one time per point, in [0, 1] (endpoints too).
    Evaluated in row chunks with the mixture's eigenbasis kernel."""
    x, t = points_and_times(x, t, gmm.dim)
    K, d = gmm.n_components, gmm.dim
    lam = gmm._evals.to(x.device, x.dtype).reshape(K * d, 1)
    means = gmm.means.to(x.device, x.dtype)
    out = x.new_empty(x.shape[0], d)
    for sl, xc, a, s2 in gmm._chunks(x, 1 - t, t * t):
        if gmm._iso_var is not None:        # shared covariance c I: v_k = (s - a c) / v (x - a mu_k) - mu_k
            mean, a, v = gmm._iso_terms(xc, a, s2)[2:]
            s = s2.sqrt().reshape(-1, 1) if s2.ndim else s2.sqrt()
            out[sl] = (s - a * gmm._iso_var) / v * (xc - a * mean) - mean
            continue
        log_joint, y_over, u_cat = gmm._kernel(xc, a, s2)
        a, s = a.reshape(1, -1), s2.sqrt().reshape(1, -1)     # scalars or (1, n)
        resp = torch.softmax(log_joint, dim=0)                # (K, n)
        w = ((s - a * lam) * y_over).reshape(K, d, -1) * resp[:, None, :]
        out[sl] = (u_cat @ w.reshape(K * d, -1)).T - resp.T @ means
    return out


def exact_velocity(gmm: GaussianMixture):
    """fm_velocity as a velocity_fn (x (N, d), t (N,) or float) -> (N, d)."""
    def velocity_fn(x, t):
        return fm_velocity(gmm, x, t)
    velocity_fn.gmm = gmm
    return velocity_fn


def velocity_from_score(score: torch.Tensor, x: torch.Tensor, t) -> torch.Tensor:
    """v = -(x + t s) / (1 - t), the straight path's velocity from the score s of p_t (t < 1)."""
    t = as_time(t, like=x)
    t = t[:, None] if t.ndim == 1 else t
    return -(x + t * score) / (1 - t)


# ------------------------------------------------------------------------------ integration
def _check_method(method: str):
    if method not in FLOW_METHODS:
        raise ValueError(f"method must be one of {', '.join(FLOW_METHODS)}; got {method!r}")


def integrate(velocity_fn, x: torch.Tensor, times, method: str = "euler",
              trajectory: bool = False) -> SampleResult:
    """Solve dx/dt = v(x, t) along the explicit grid `times` (any direction), from x at times[0].

    euler: x <- x + h v(x, t_i);  heun: x_e = x + h v(x, t_i), x <- x + h/2 (v(x, t_i) + v(x_e, t_j)),
    with h = t_j - t_i. nfe = steps (euler) or 2 steps (heun), each on the whole batch.
    """
    _check_method(method)
    times = torch.as_tensor(times, dtype=torch.float64)
    n, traj, nfe = x.shape[0], [x], 0

    def v(x, t):
        nonlocal nfe
        nfe += 1
        return velocity_fn(x, torch.full((n,), float(t), dtype=x.dtype, device=x.device))

    with torch.no_grad():
        for ti, tj in zip(times[:-1].tolist(), times[1:].tolist()):
            h, d1 = tj - ti, v(x, ti)
            if method == "euler":
                x = x + h * d1
            else:
                x = x + 0.5 * h * (d1 + v(x + h * d1, tj))
            if trajectory:
                traj.append(x)
    return SampleResult(x, torch.stack(traj) if trajectory else None, times, nfe)


def heun_euler_last(velocity_fn, x: torch.Tensor, times) -> SampleResult:
    """Heun along `times` except the last step, taken by Euler: the Heun run without its last
    stage, the one evaluation at times[-1] (t = 0 for a sampler). nfe = 2 (steps - 1) + 1."""
    times = torch.as_tensor(times, dtype=torch.float64)
    head = integrate(velocity_fn, x, times[:-1], "heun")
    last = integrate(velocity_fn, head.x, times[-2:], "euler")
    return SampleResult(last.x, None, times, head.nfe + last.nfe)


def _check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an integer in 1..{MAX_STEPS}; got {steps!r}")


def flow_sample(velocity_fn, n: int, steps: int, method: str = "euler", generator=None,
                dim: int = 2, x_init=None, trajectory: bool = False, dtype=torch.float32,
                device="cpu") -> SampleResult:
    """Samples of p_0: start at x_1 ~ N(0, I) (or x_init (n, d)) and integrate the flow from t = 1
    to t = 0 on `steps` uniform steps (see `integrate`)."""
    _check_steps(steps)
    if x_init is None:
        x_init = torch.randn(n, dim, generator=generator, dtype=dtype, device=device)
    x = torch.as_tensor(x_init, dtype=dtype, device=device)
    return integrate(velocity_fn, x, torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64),
                     method, trajectory)


def pf_ode_velocity(score_fn, sde: SDE):
    """The probability-flow ODE of `sde` as a velocity in t: dx/dt = f(t) x - 1/2 g(t)^2 s(x, t)."""
    def velocity_fn(x, t):
        return reverse_drift(sde, score_fn, x, t, ode=True)
    return velocity_fn


def path_straightness(trajectory: torch.Tensor) -> torch.Tensor:
    """Each path's |x_end - x_start| / (path length sum_i |x_i+1 - x_i|), in (0, 1]; 1 for a
    straight path. trajectory: (steps + 1, N, d) -> (N,) float64."""
    traj = torch.as_tensor(trajectory, dtype=torch.float64)
    chord = (traj[-1] - traj[0]).norm(dim=-1)
    length = traj.diff(dim=0).norm(dim=-1).sum(0)
    return torch.where(length > 0, chord / length.clamp_min(1e-300), torch.ones_like(length))


def straightness(trajectory: torch.Tensor) -> float:
    """Mean over points of path_straightness, in (0, 1]; 1 for straight paths."""
    return float(path_straightness(trajectory).mean())


def straightness_error(trajectory: torch.Tensor) -> float:
    """The standard error of straightness(trajectory) as a mean over its N paths (their standard
    deviation over sqrt(N)): how much the number moves from one draw of N starting points to
    another."""
    ratio = path_straightness(trajectory)
    n = ratio.numel()
    return float(ratio.std(unbiased=True) / n ** 0.5) if n > 1 else float("inf")


def independent_pairs(gmm: GaussianMixture, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """n training pairs of flow matching: x_0 ~ p_0 and eps ~ N(0, I), drawn independently (float64).
    Each pair's path is the straight segment x_t = (1 - t) x_0 + t eps."""
    g = torch.Generator().manual_seed(int(seed))
    x0, _ = gmm.sample(int(n), generator=g, dtype=torch.float64)
    return x0, torch.randn(int(n), gmm.dim, generator=g, dtype=torch.float64)


def count_crossings(a, b) -> int:
    """Number of pairs i < j of 2D segments a_i -> b_i that cross (touching ends do not count)."""
    a, b = (torch.as_tensor(v, dtype=torch.float64) for v in (a, b))
    if a.ndim != 2 or a.shape != b.shape or a.shape[1] != 2:
        raise ValueError(f"segments must be two (n, 2) tables; got {tuple(a.shape)} and {tuple(b.shape)}")

    def side(p, q, r):          # sign of the turn p -> q -> r, for every (i, j): (n, n)
        return torch.sign((q[:, None, 0] - p[:, None, 0]) * (r[None, :, 1] - p[:, None, 1])
                          - (q[:, None, 1] - p[:, None, 1]) * (r[None, :, 0] - p[:, None, 0]))
    straddle = (side(a, b, a) * side(a, b, b)) < 0          # j's ends on both sides of line i
    cross = straddle & straddle.T
    return int(torch.triu(cross, diagonal=1).sum())


def data_spread(gmm: GaussianMixture) -> float:
    """The data's scale: sqrt(trace Cov(p_0) / d), the root mean per-coordinate variance of p_0."""
    w, mu = gmm.weights.double(), gmm.means.double()
    var = w @ (torch.diagonal(gmm.covs.double(), dim1=1, dim2=2) + mu ** 2) - (w @ mu) ** 2
    return float(var.mean().sqrt())


def cloud_spread(x) -> float:
    """Root mean per-coordinate variance of points (n, d): data_spread's measure, on samples."""
    return float(np.sqrt(np.asarray(x, dtype=float).var(0).mean()))


def length_share_above(trajectory, sigmas, level: float) -> float:
    """Share of the paths' total length travelled on the steps that start at a noise level
    sigmas[i] above `level`. trajectory: (steps + 1, N, d); sigmas: (steps + 1,), the noise
    level at each saved time."""
    traj = torch.as_tensor(trajectory, dtype=torch.float64)
    sig = torch.as_tensor(sigmas, dtype=torch.float64).reshape(-1)
    if sig.shape[0] != traj.shape[0]:
        raise ValueError(f"one noise level per saved time: {traj.shape[0]}; got {sig.shape[0]}")
    seg = traj.diff(dim=0).norm(dim=-1).sum(1)
    total = float(seg.sum())
    return float(seg[sig[:-1] > level].sum()) / total if total > 0 else 0.0


# ------------------------------------------------------------------------------ network
class FlowNet(TimeMLP):
    """v_theta(x, t) = MLP([x, phi(t)]): the MLP and time features every network here shares
    (network.TimeMLP; phi = Gaussian Fourier features, or t itself when fourier_dim = 0), without
    preconditioning: the regression target eps - x_0 has unit scale at every t."""

    def __init__(self, dim: int = 2, width: int = 64, depth: int = 3, activation: str = "silu",
                 fourier_dim: int = 0, fourier_scale: float = 1.0, seed: int = 0):
        super().__init__(dim, width, depth, activation, fourier_dim, fourier_scale, seed)

    def forward(self, x: torch.Tensor, t) -> torch.Tensor:
        xw = x.to(self.net[0].weight.dtype)
        t = as_time(t, like=xw)
        t = t.expand(x.shape[0]) if t.ndim == 0 else t
        return self.net(self._features(xw, t)).to(x.dtype)


def make_flow_net(cfg: TrainConfig, dim: int) -> FlowNet:
    return FlowNet(dim=dim, width=cfg.width, depth=cfg.depth, activation=cfg.activation,
                   fourier_dim=cfg.fourier_dim, fourier_scale=cfg.fourier_scale, seed=cfg.seed)


def _fm_loss(generator, stratified: bool, pairs: bool):
    """mean_i |v_theta(x_t, t) - (eps - x_0)|^2, x_t = (1 - t) x_0 + t eps, t ~ U[0, 1]; eps from
    the batch's second half of columns when training on fixed pairs, else fresh N(0, I)."""
    def loss(net, batch):
        if pairs:
            x0, eps = batch.chunk(2, dim=1)
        else:
            x0 = batch
            eps = torch.randn(x0.shape, generator=generator, dtype=x0.dtype, device=x0.device)
        t = sample_times(x0.shape[0], 0.0, generator, x0.dtype, x0.device, stratified=stratified)
        xt = (1 - t)[:, None] * x0 + t[:, None] * eps
        return ((net(xt, t) - (eps - x0)) ** 2).sum(-1).mean()
    return loss


def train_flow_model(gmm: GaussianMixture | None, cfg: TrainConfig | None = None, device="cpu",
                     callback=None, seed: int | None = None, pairs=None):
    """Train a FlowNet by regression on eps - x_0 with the default recipe (cfg's data size, steps,
    batch, Adam + warmup + cosine lr, EMA, MLP; precond, eps and weighting do not apply).

    Data: cfg.n_data draws of gmm with fresh noise each step (independent coupling), or the fixed
    coupling pairs = (x_0 (n, d), eps (n, d)) (rectification; gmm is then unused). Returns
    (net, history) as `fit` does; net.train_config = cfg.
    """
    cfg = TrainConfig() if cfg is None else cfg
    cfg = cfg if seed is None else TrainConfig.from_dict({**cfg.to_dict(), "seed": int(seed)})
    device = torch.device(device)
    if pairs is None:
        data, _ = gmm.sample(cfg.n_data, generator=torch.Generator().manual_seed(cfg.seed),
                             dtype=torch.float32)
    else:
        x0, eps = (torch.as_tensor(p, dtype=torch.float32) for p in pairs)
        if x0.ndim != 2 or x0.shape != eps.shape or x0.shape[0] < cfg.batch_size:
            raise ValueError(f"pairs must be two (n, d) tables with n >= batch_size "
                             f"({cfg.batch_size}); got {tuple(x0.shape)} and {tuple(eps.shape)}")
        data = torch.cat([x0, eps], dim=1)
    dim = data.shape[1] // (1 if pairs is None else 2)
    net = make_flow_net(cfg, dim).to(device)
    g = torch.Generator(device=device).manual_seed(cfg.seed + 1)
    net, history = fit(net, data.to(device), _fm_loss(g, cfg.stratified, pairs is not None), cfg, g,
                       callback)
    net.train_config = cfg
    return net, history


def rectify(net: FlowNet, cfg: TrainConfig | None = None, steps: int = 100, method: str = "heun",
            device="cpu", seed: int | None = None):
    """One round of rectification (Liu et al. 2022): draw eps ~ N(0, I), push it through the learned
    flow to x_0 = ODE(eps) (`steps` steps of `method`), and train a new FlowNet on the fixed
    pairs (x_0, eps), whose straight interpolations no longer cross. Returns (net, history)."""
    cfg = net.train_config if cfg is None else cfg
    cfg = TrainConfig() if cfg is None else cfg
    g = torch.Generator().manual_seed(cfg.seed + 7 if seed is None else int(seed))
    eps = torch.randn(cfg.n_data, net.hparams["dim"], generator=g)
    x0 = flow_sample(net, cfg.n_data, steps, method, x_init=eps.to(device), device=device).x
    return train_flow_model(None, cfg, device, pairs=(x0.cpu(), eps), seed=seed)


def velocity_mse_by_t(velocity_fn, gmm: GaussianMixture, ts, n_per_t: int = 1000,
                      generator=None) -> torch.Tensor:
    """For each t in ts: mean over n_per_t draws x_t of the path's p_t and coordinates of
    (v(x_t, t) - v_exact(x_t, t))^2. Shape (len(ts),)."""
    ts = torch.as_tensor(ts, dtype=torch.float32).reshape(-1)
    if not ((ts >= 0) & (ts <= 1)).all():
        raise ValueError("times ts must be in [0, 1]")
    if not 1 <= int(n_per_t) <= 2_000_000 // max(1, len(ts)):
        raise ValueError(f"n_per_t must be in 1..{2_000_000 // max(1, len(ts))}; got {n_per_t}")
    t = ts.repeat_interleave(int(n_per_t))
    _, _, xt = draw_diffused(gmm, StraightPath(), t, generator)
    with torch.no_grad():
        err = ((velocity_fn(xt, t) - fm_velocity(gmm, xt, t)) ** 2).mean(-1)
    return err.reshape(len(ts), -1).mean(1)


def compare_paths(gmm: GaussianMixture, sde: SDE, n: int = 200, steps: int = 200, seed: int = 0,
                  velocity_fn=None, score_fn=None) -> dict:
    """Paths from the same noise eps ~ N(0, I): the flow (exact, or `velocity_fn`) from eps on a
    uniform grid 1 -> 0, and the PF ODE of `sde` (exact, or `score_fn`) from sigma_1 eps on the
    Karras grid 1 -> 1e-4, both by Heun in `steps` steps. name -> (trajectory (steps+1, n, d),
    straightness)."""
    eps = torch.randn(n, gmm.dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    out = {}
    for field, (fn, x1, times) in _fields_from(gmm, sde, eps, steps, velocity_fn, score_fn).items():
        traj = integrate(fn, x1, times, "heun", trajectory=True).trajectory
        out[field] = (traj, straightness(traj))
    return out


def _fields_from(gmm, sde, eps, steps, velocity_fn, score_fn) -> dict:
    """name -> (velocity in t, start x at t = 1, descending grid) for the flow and the PF ODE."""
    _check_steps(steps)
    pf = pf_ode_velocity(score_fn or exact_score(gmm, sde), sde)
    return {"flow": (velocity_fn or exact_velocity(gmm), eps,
                     torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)),
            "VE PF-ODE": (pf, eps * sde.prior_std(), time_grid(sde, steps))}


def flow_quality(gmm: GaussianMixture, sde: SDE, steps_list=(2, 4, 8, 16, 32), n: int = 2000,
                 seed: int = 0, velocity_fn=None, score_fn=None) -> pd.DataFrame:
    """Sample quality against the number of velocity evaluations, for the two fields of
    `compare_paths` from the same noise, each with Euler and Heun. One row per (field, method,
    steps): nfe and the sliced W2 to n true draws."""
    eps, truth = quality_draws(gmm, n, seed)
    rows = []
    for steps in steps_list:
        for field, (fn, x1, times) in _fields_from(gmm, sde, eps, steps, velocity_fn, score_fn).items():
            for method in FLOW_METHODS:
                res = integrate(fn, x1, times, method)
                rows.append({"field": field, "method": method, "steps": steps, "nfe": res.nfe,
                             "sw2": sliced_w2(res.x, truth), "off": off_mode_count(gmm, res.x, truth)})
    return pd.DataFrame(rows)


def quality_draws(gmm: GaussianMixture, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """flow_quality's starting noise eps ~ N(0, I) (seed) and its n true samples (seed + 1), float64."""
    eps = torch.randn(n, gmm.dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    truth, _ = gmm.sample(n, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
    return eps, truth


OFF_Q = 0.001       # a sample less likely under p₀ than all but this share of true samples is off every mode


def off_mode_count(gmm: GaussianMixture, x, ref, q: float = OFF_Q) -> int:
    """How many of the samples x land off every mode: log p₀(x) below the q quantile of log p₀
    over the true samples ref (a non-finite sample counts as off)."""
    lo = torch.quantile(gmm.log_prob(torch.as_tensor(ref, dtype=torch.float64)), q)
    lp = torch.nan_to_num(gmm.log_prob(torch.as_tensor(x, dtype=torch.float64)), nan=-float("inf"))
    return int((lp < lo).sum())


def truth_noise(gmm: GaussianMixture, n: int, seed: int = 0, draws: int = 8, ref_n: int | None = None) -> dict:
    """The quality measure's own noise at n samples: `draws` fresh sets of n true samples against
    the truth that flow_quality compares with (seed + 1). "sw2": the largest sliced W2 between
    them (the noise level: a perfect sampler scores about this), "sw2_low": the smallest, "spread":
    sw2 − sw2_low, how far apart two equally good samplers can score (with 8 draws the range is
    about 2√2 standard deviations, two standard errors of a difference of two scores), "off": the
    most of a set's samples off every mode (off_mode_count), its threshold the OFF_Q quantile over
    ref_n true samples (seed + 1; default n, the truth itself), so that a set of n counts against
    the same threshold as the samples it is compared with: over few reference samples the 0.1 %
    quantile is about their minimum, a higher threshold. "width_low", "width_high": the smallest and
    largest ratio of a set's cloud_spread to the truth's; "shift": the largest distance between a
    set's mean and the truth's (how far two clouds of n true samples differ in width and centre)."""
    truth, _ = gmm.sample(n, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
    ref = truth if ref_n is None or ref_n == n else gmm.sample(
        ref_n, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)[0]
    sw2, off, width, shift = [], [], [], []
    for k in range(draws):
        other, _ = gmm.sample(n, generator=torch.Generator().manual_seed(seed + 101 + k), dtype=torch.float64)
        sw2.append(sliced_w2(other, truth))
        off.append(off_mode_count(gmm, other, ref))
        width.append(cloud_spread(other) / cloud_spread(truth))
        shift.append(float((other.mean(0) - truth.mean(0)).norm()))
    return {"sw2": max(sw2), "sw2_low": min(sw2), "spread": max(sw2) - min(sw2), "off": max(off), "n": n,
            "draws": draws, "width_low": min(width), "width_high": max(width), "shift": max(shift)}
