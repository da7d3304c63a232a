"""Guidance on a Gaussian mixture: classes, exact conditional and guided scores, a
class-conditional network with a null class, and diversity/fidelity over the guidance scale w.

A class y is a set of component indices (by default one class per component); classes are
disjoint. p(x | y) is the mixture of y's components with their weights renormalized, so its
diffusion p_t(x | y) is the same sub-mixture of p_t's components, and

    s(x, t | y) = grad log p_t(x | y)          exact: the sub-mixture's score
    p_t(y | x) = sum_{k in y} pi_k,t(x)         the responsibilities of p_t (log-sum-exp)
    classifier-free guidance:   s_w = s + w (s(. | y) - s)       (w = 0: p_t, w = 1: p_t(. | y))
    classifier guidance:        s_w = s + w grad log p_t(y | x),
    grad log p_t(y | x) = sum_k (pi_k,t(x | y) - pi_k,t(x)) s_k(x, t)

(pi_k,t(x | y): responsibilities within y, s_k: component scores). By Bayes
grad log p_t(y | x) = s(x, t | y) - s(x, t), so the two forms agree for exact scores.
"""
from __future__ import annotations

import numbers

import pandas as pd
import torch
from torch import nn

from ._fields import points_and_times
from .fitting import fit
from .metrics import sliced_w2
from .mixture import GaussianMixture
from .network import ScoreNet, mlp
from .sampling import sample
from .score import dsm_loss, exact_score, sample_times
from .sde import SDE
from .config import TrainConfig
from .training import make_score_net

__all__ = ["make_classes", "class_mixture", "conditional_score", "guided_score", "cfg_combine",
           "class_log_prob", "class_posterior", "classifier_gradient", "classifier_guided_score",
           "check_w", "guidance_metrics", "truth_reference", "truth_sw2", "guidance_sweep", "CondScoreNet",
           "train_cond_score_model", "fit_cond_score_net", "learned_guided_score", "GUIDANCE_COLUMNS",
           "MAX_GUIDANCE"]

MAX_GUIDANCE = 100.0
GUIDANCE_COLUMNS = ("w", "spread", "spread_ratio", "coverage", "logp_class", "leak", "nfe")


# ------------------------------------------------------------------------------ classes
def make_classes(gmm: GaussianMixture, classes=None) -> tuple[tuple[int, ...], ...]:
    """Classes as a tuple of sorted tuples of component indices: one per component by default;
    each class non-empty, indices in 0..K-1, no component in two classes (ValueError else)."""
    K = gmm.n_components
    if classes is None:
        return tuple((k,) for k in range(K))
    out, seen = [], set()
    for i, c in enumerate(classes):
        try:
            idx = tuple(sorted({int(k) for k in c}))
        except (TypeError, ValueError):
            raise ValueError(f"class {i}: must be a list of component indices; got {c!r}") from None
        if not idx:
            raise ValueError(f"class {i}: must hold at least one component")
        if idx[0] < 0 or idx[-1] >= K:
            raise ValueError(f"class {i}: component indices must be in 0..{K - 1}; got {list(idx)}")
        if seen & set(idx):
            raise ValueError(f"class {i}: components {sorted(seen & set(idx))} are already in "
                             "another class (classes must be disjoint)")
        seen |= set(idx)
        out.append(idx)
    if not out:
        raise ValueError("classes must hold at least one class")
    return tuple(out)


def _members(gmm, classes, y) -> tuple[int, ...]:
    classes = make_classes(gmm, classes)
    if isinstance(y, bool) or not isinstance(y, numbers.Integral) or not 0 <= y < len(classes):
        raise ValueError(f"class y must be an integer in 0..{len(classes) - 1}; got {y!r}")
    return classes[y]


def class_mixture(gmm: GaussianMixture, classes, y: int) -> GaussianMixture:
    """p(x | y): the components of class y with their weights renormalized."""
    idx = list(_members(gmm, classes, y))
    return GaussianMixture(gmm.means[idx], gmm.covs[idx], gmm.weights[idx])


def check_w(w) -> float:
    """The guidance scale w as a float in [0, MAX_GUIDANCE] (ValueError naming w otherwise)."""
    try:
        w = float(w)
    except (TypeError, ValueError):
        raise ValueError(f"guidance scale w must be a number; got {w!r}") from None
    if not 0 <= w <= MAX_GUIDANCE:
        raise ValueError(f"guidance scale w must be in [0, {MAX_GUIDANCE:g}]; got {w}")
    return w


# ------------------------------------------------------------------------------ exact fields
def cfg_combine(uncond_fn, cond_fn, w: float):
    """Classifier-free guidance of two score_fns: s_w(x, t) = s(x, t) + w (s(x, t | y) - s(x, t))."""
    w = check_w(w)

    def score_fn(x, t):
        s = uncond_fn(x, t)
        return s if w == 0 else s + w * (cond_fn(x, t) - s)
    return score_fn


def conditional_score(gmm: GaussianMixture, sde: SDE, classes, y: int):
    """s(x, t | y) = grad log p_t(x | y), the score of class y's diffused sub-mixture (a score_fn)."""
    return exact_score(class_mixture(gmm, classes, y), sde)


def guided_score(gmm: GaussianMixture, sde: SDE, classes, y: int, w: float):
    """The exact classifier-free guided score s + w (s(. | y) - s), a score_fn for dc.sample."""
    return cfg_combine(exact_score(gmm, sde), conditional_score(gmm, sde, classes, y), w)


def _diffused(gmm, sde, x, t):
    x, t = points_and_times(x, t, gmm.dim)
    return x, sde.mean_scale(t), sde.sigma(t) ** 2


def _mask(gmm, classes, y, like):
    """(K,) boolean: the components of class y."""
    m = torch.zeros(gmm.n_components, dtype=torch.bool, device=like.device)
    m[list(_members(gmm, classes, y))] = True
    return m


def class_log_prob(gmm: GaussianMixture, sde: SDE, classes, y: int, x, t) -> torch.Tensor:
    """log p_t(y | x) = logsumexp_{k in y} l_k - logsumexp_k l_k, l_k = log pi_k + log N_k,t(x); (N,).
    Differentiable in x."""
    x, a, s2 = _diffused(gmm, sde, x, t)
    lj = gmm._log_joint(x, a, s2)                                       # (K, N)
    inside = lj.masked_fill(~_mask(gmm, classes, y, x)[:, None], float("-inf"))
    return torch.logsumexp(inside, 0) - torch.logsumexp(lj, 0)


def class_posterior(gmm: GaussianMixture, sde: SDE, classes, x, t) -> torch.Tensor:
    """p_t(y | x) for every class, (N, C): the responsibilities of p_t summed over each class
    (components in no class leave rows summing to less than 1)."""
    classes = make_classes(gmm, classes)
    x, a, s2 = _diffused(gmm, sde, x, t)
    resp = torch.softmax(gmm._log_joint(x, a, s2), 0)                  # (K, N)
    member = torch.zeros(gmm.n_components, len(classes), dtype=x.dtype, device=x.device)
    for c, idx in enumerate(classes):
        member[list(idx), c] = 1
    return resp.T @ member


def classifier_gradient(gmm: GaussianMixture, sde: SDE, classes, y: int):
    """grad_x log p_t(y | x) = sum_k (pi_k,t(x | y) - pi_k,t(x)) s_k(x, t), as a callable (x, t)."""
    def grad_fn(x, t):
        x, a, s2 = _diffused(gmm, sde, x, t)
        lj, scores = gmm._terms(x, a, s2)                                # (N, K), (K, N, d)
        inside = lj.masked_fill(~_mask(gmm, classes, y, x)[None, :], float("-inf"))
        coef = torch.softmax(inside, 1) - torch.softmax(lj, 1)          # (N, K)
        return torch.einsum("nk,knd->nd", coef, scores)
    return grad_fn


def classifier_guided_score(gmm: GaussianMixture, sde: SDE, classes, y: int, w: float):
    """Classifier guidance with the exact classifier: s(x, t) + w grad log p_t(y | x)."""
    w = check_w(w)
    score, grad = exact_score(gmm, sde), classifier_gradient(gmm, sde, classes, y)
    return lambda x, t: score(x, t) + w * grad(x, t)


# ------------------------------------------------------------------------------ metrics
def _spread(cov: torch.Tensor) -> float:
    """sqrt(trace(Cov) / d): the root mean per-coordinate variance."""
    return float((torch.diagonal(cov).mean()).sqrt())


def _mixture_cov(gmm: GaussianMixture) -> torch.Tensor:
    w, mu = gmm.weights, gmm.means
    m = w @ mu
    return torch.einsum("k,kij->ij", w, gmm.covs + mu[:, :, None] * mu[:, None, :]) - torch.outer(m, m)


def guidance_metrics(x, gmm: GaussianMixture, classes, y: int) -> dict:
    """Diversity and fidelity of samples x meant for class y.

    spread: sqrt(trace Cov(x) / d); spread_ratio: that over the class's true spread;
    coverage: sum_{k in y} min(share_k, pi_k / pi_y), the overlap of the samples' shares of the
      class's components (by most responsible component of p_0) with the true shares (1 = all);
    logp_class: mean log p_0(x | y); leak: share of samples whose most responsible component is
      outside class y.
    """
    x = torch.as_tensor(x).detach().to("cpu", torch.float64)
    idx = list(_members(gmm, classes, y))
    cls = class_mixture(gmm, classes, y)
    top = gmm.responsibilities(x).argmax(1)
    share = torch.bincount(top, minlength=gmm.n_components).to(torch.float64) / max(1, len(x))
    spread = _spread(torch.cov(x.T).reshape(gmm.dim, gmm.dim)) if len(x) > 1 else 0.0
    return {"spread": spread, "spread_ratio": spread / _spread(_mixture_cov(cls)),
            "coverage": float(torch.minimum(share[idx], cls.weights).sum()),
            "logp_class": float(cls.log_prob(x).mean()), "leak": float(1 - share[idx].sum())}


def truth_reference(gmm: GaussianMixture, classes, y: int, n: int, seed: int = 0,
                    repeats: int = 20) -> tuple[torch.Tensor, dict]:
    """What exact samples of p(x | y) score: n true draws of class y's sub-mixture (float64, drawn
    from `seed`), and for every measure of `guidance_metrics` its mean and standard deviation over
    `repeats` independent sets of n true draws (the first of them is the returned set). The
    standard deviation is the measure's truth-vs-truth noise at this n: two sets of true samples
    differ by about that much, so a sampler's value within a couple of it is indistinguishable
    from the truth."""
    draws = _truth_draws(gmm, classes, y, n, seed, repeats)
    rows = pd.DataFrame([guidance_metrics(x, gmm, classes, y) for x in draws])
    return draws[0], {k: (float(rows[k].mean()), float(rows[k].std(ddof=1))) for k in rows}


def truth_sw2(gmm: GaussianMixture, classes, y: int, n: int, seed: int = 0,
              repeats: int = 20) -> tuple[float, float]:
    """The sliced W2 between two sets of n true samples of p(x | y): (mean, sd) of sliced_w2
    between the first of truth_reference's sets (same seed, same draws) and each of the other
    repeats - 1. A sampler whose samples are this far from another set is as close as the truth
    gets to itself at this n."""
    draws = _truth_draws(gmm, classes, y, n, seed, repeats)
    d = torch.tensor([sliced_w2(draws[0], x) for x in draws[1:]], dtype=torch.float64)
    return float(d.mean()), float(d.std())


def _truth_draws(gmm, classes, y, n, seed, repeats) -> list[torch.Tensor]:
    """`repeats` independent sets of n true draws of class y's sub-mixture (float64), the r-th
    drawn from seed + r."""
    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 2 <= repeats <= 1000:
        raise ValueError(f"repeats must be an integer in 2..1000; got {repeats!r}")
    cls = class_mixture(gmm, classes, y)
    return [cls.sample(int(n), generator=torch.Generator().manual_seed(int(seed) + r),
                       dtype=torch.float64)[0] for r in range(repeats)]


def guidance_sweep(gmm: GaussianMixture, sde: SDE, classes, y: int, ws=(0, 0.5, 1, 2, 4, 8),
                   n: int = 2000, steps: int = 100, method: str = "sde", seed: int = 0,
                   net: "CondScoreNet | None" = None) -> pd.DataFrame:
    """One row per guidance scale w: the metrics of `guidance_metrics` for n samples of the exact
    guided reverse process (dc.sample, same noise for every w), and nfe. With a trained `net`:
    the same metrics of learned-CFG samples (columns prefixed "learned_") from the same noise and
    sw2_learned_exact, the sliced W2 between learned and exact samples."""
    rows = []
    for w in ws:
        fns = {"": guided_score(gmm, sde, classes, y, w)}
        if net is not None:
            fns["learned_"] = learned_guided_score(net, y, w)
        row, xs = {"w": float(w)}, {}
        for prefix, fn in fns.items():
            res = sample(fn, sde, n, steps, method=method, dim=gmm.dim,
                         generator=torch.Generator().manual_seed(seed))
            xs[prefix] = res.x
            row.update({prefix + k: v for k, v in guidance_metrics(res.x, gmm, classes, y).items()})
            row["nfe"] = res.nfe
        if net is not None:
            row["sw2_learned_exact"] = sliced_w2(xs["learned_"], xs[""])
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ network
class CondScoreNet(ScoreNet):
    """s_theta(x, t | y): a ScoreNet whose MLP also reads a learned embedding (label_dim) of the
    class y in 0..n_classes-1, or of the null class n_classes (y=None: the unconditional score).
    Other arguments as ScoreNet (same preconditioning; the last layer starts at zero for "edm")."""

    def __init__(self, sde: SDE, n_classes: int, label_dim: int = 8, **kwargs):
        super().__init__(sde, **kwargs)
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or not 1 <= n_classes <= 1000:
            raise ValueError(f"n_classes must be an integer in 1..1000; got {n_classes!r}")
        hp = self.hparams
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(kwargs.get("seed", 0)) + 1)
            self.labels = nn.Embedding(n_classes + 1, label_dim)
            self.net = mlp(hp["dim"] + (hp["fourier_dim"] or 1) + label_dim, hp["dim"],
                            hp["width"], hp["depth"], hp["activation"])
        if hp["precond"] == "edm":
            nn.init.zeros_(self.net[-1].weight)
            nn.init.zeros_(self.net[-1].bias)
        self.n_classes = n_classes

    def label_ids(self, y, n: int) -> torch.Tensor:
        """y (None, an int or (n,) ints) as (n,) indices into the embedding; None -> null class."""
        dev = self.labels.weight.device
        if y is None:
            return torch.full((n,), self.n_classes, dtype=torch.long, device=dev)
        y = torch.as_tensor(y, dtype=torch.long, device=dev)
        y = y.expand(n) if y.ndim == 0 else y
        if y.shape != (n,) or bool(((y < 0) | (y > self.n_classes)).any()):
            raise ValueError(f"labels must be one class in 0..{self.n_classes - 1} (or the null "
                             f"class {self.n_classes}) per point; got {y.tolist()[:5]}...")
        return y

    def forward(self, x: torch.Tensor, t, y=None) -> torch.Tensor:
        return super().forward(x, t, extra=self.labels(self.label_ids(y, x.shape[0])))


def learned_guided_score(net: CondScoreNet, y: int, w: float):
    """Learned classifier-free guidance: s_theta(x, t | null) + w (s_theta(x, t | y) - s_theta(x, t | null))."""
    return cfg_combine(lambda x, t: net(x, t), lambda x, t: net(x, t, y), w)


def _component_labels(gmm, classes) -> torch.Tensor:
    """(K,) class of each component; components in no class get the null class C."""
    lab = torch.full((gmm.n_components,), len(classes), dtype=torch.long)
    for c, idx in enumerate(classes):
        lab[list(idx)] = c
    return lab


def _cond_dsm(sde, cfg, null: int, p_uncond: float, generator):
    """DSM loss on a batch [x_0, label]; each label is replaced by the null class with
    probability p_uncond (label dropout), so one net learns s(. | y) and s."""
    def loss(net, batch):
        x0, lab = batch[:, :-1], batch[:, -1].long()
        drop = torch.rand(lab.shape, generator=generator, device=lab.device) < p_uncond
        lab = torch.where(drop, torch.full_like(lab, null), lab)
        t = sample_times(x0.shape[0], cfg.eps, generator, x0.dtype, x0.device, stratified=True) \
            if cfg.stratified else None
        return dsm_loss(lambda x, tt: net(x, tt, lab), x0, sde, eps=cfg.eps, generator=generator,
                        weighting=cfg.weighting, t=t)
    return loss


def train_cond_score_model(gmm: GaussianMixture, sde: SDE, classes=None, cfg: TrainConfig | None = None,
                           p_uncond: float = 0.15, label_dim: int = 8, device="cpu", callback=None,
                           seed: int | None = None):
    """Train a CondScoreNet by DSM on cfg.n_data labelled draws of gmm (label = the class of the
    drawn component), with label dropout p_uncond, by the default recipe (cfg: steps, batch, Adam,
    lr schedule, EMA, MLP, preconditioning with the data's statistics). Returns (net, history)."""
    cfg = TrainConfig() if cfg is None else cfg
    cfg = cfg if seed is None else TrainConfig.from_dict({**cfg.to_dict(), "seed": int(seed)})
    classes = make_classes(gmm, classes)
    x0, comp = gmm.sample(cfg.n_data, generator=torch.Generator().manual_seed(cfg.seed), dtype=torch.float32)
    net, history = fit_cond_score_net(x0, _component_labels(gmm, classes)[comp], len(classes), sde,
                                      cfg, p_uncond, label_dim, device, callback)
    net.classes = classes
    return net, history


def fit_cond_score_net(x0: torch.Tensor, labels: torch.Tensor, n_classes: int, sde: SDE,
                       cfg: TrainConfig, p_uncond: float = 0.15, label_dim: int = 8, device="cpu",
                       callback=None):
    """Train a CondScoreNet on data x0 (N, d) with labels (N,) in 0..n_classes-1 (n_classes: the
    null class, never dropped) by the DSM loss with label dropout p_uncond, by cfg's recipe
    (diffusion_core.fitting.fit; "edm" statistics of x0). Returns (net, history)."""
    if not 0 <= float(p_uncond) < 1:
        raise ValueError(f"p_uncond (label dropout) must be in [0, 1); got {p_uncond!r}")
    device = torch.device(device)
    base = make_score_net(sde, cfg, x0)
    net = CondScoreNet(sde, n_classes, label_dim, **base.hparams, data_mean=base.data_mean,
                       data_std=float(base.data_std), seed=cfg.seed).to(device)
    data = torch.cat([x0, labels.to(x0.dtype)[:, None]], 1).to(device)
    g = torch.Generator(device=device).manual_seed(cfg.seed + 1)
    net, history = fit(net, data, _cond_dsm(sde, cfg, n_classes, float(p_uncond), g), cfg, g, callback)
    net.train_config = cfg
    return net, history
