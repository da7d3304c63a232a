"""Diffusion on real images: scikit-learn's 8x8 handwritten digits (1,797 images, 10 classes).

Data. Pixels 0..16 are scaled to [-1, 1] (x = p / 8 - 1) and flattened to d = 64; a stratified
train/test split is fixed by a seed (DigitsConfig.split_seed, test_fraction).

Process. The VE SDE of every other page, VESDE(lam = 25): sigma_1 = 9.9 is larger than the
largest distance between two training digits (9.6 in these units; the mean digit is 4.3 from the
data's mean), so p_1 is close to the prior N(0, sigma_1^2 I) and one noise scale reaches every
pair of images (Song and Ermon 2020's first rule). VE keeps D(x_t, sigma) = x_t + sigma^2 s(x_t, t)
as the denoised guess, in pixel units at every t. The samplers step in x / alpha and sigma / alpha
anyway, so a VP process would change nothing else.

Model. A class-conditional score network for d = 64: the 2D pages' CondScoreNet (guidance.py:
an MLP over the "edm"-preconditioned input, Fourier features of log(sigma) / 4, and a learned
embedding of the class or of the null class), trained by the same DSM loss with label dropout
(classifier-free guidance) in the shared loop (guidance.fit_cond_score_net). DigitsConfig holds
the recipe: a TrainConfig plus the process, the split and the label dropout.

Exact score of the training set. The empirical distribution of the N training images, smoothed
by EXACT_WIDTH, is the mixture (1/N) sum_i N(x_i, h^2 I) (dc.mixture_from_points with dim = 64,
whose score takes the isotropic path); its reverse process gives back training images.

Measures (honest ones, also in benchmarks/bench_digits.py): class accuracy of samples by a
support-vector classifier (RBF) fitted on the training split (its held-out accuracy beside it), the distance
of each sample to its nearest training image against that of held-out real digits, and the
Frechet distance between samples and held-out digits in pixel space (data units).
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .config import TrainConfig
from .guidance import CondScoreNet, cfg_combine, check_w, fit_cond_score_net
from .memorization import nearest
from .mixture import GaussianMixture
from .pointsets import mixture_from_points
from .score import exact_score
from .sampling import SAMPLERS, nfe, recommended, sample, steps_for_nfe
from .sde import VESDE

__all__ = ["DigitsData", "DigitsConfig", "load_digits_split", "to_pixels", "train_digits_model",
           "exact_digits_mixture", "exact_digits", "digits_score", "sample_digits", "guided_digits", "denoising_film",
           "forward_film", "fit_digit_classifier", "frechet_distance", "digit_measures",
           "sampler_quality", "DIGITS_DIM", "DIGITS_CLASSES", "PIXEL_MAX", "EXACT_WIDTH",
           "MAX_DIGIT_SAMPLES", "MAX_DIGIT_NFE", "FILM_LEVELS", "EXACT_SAMPLING"]

DIGITS_DIM, DIGITS_CLASSES, PIXEL_MAX = 64, 10, 16.0
EXACT_WIDTH = 0.01          # h of the smoothed empirical distribution (data units)
MAX_DIGIT_SAMPLES = 2000    # cap of one request's samples
MAX_DIGIT_NFE = 500         # cap of one request's score evaluations per sample
FILM_LEVELS = (1.0, 0.8, 0.65, 0.5, 0.4, 0.3, 0.15, 0.0)   # the film's times, coarse to fine


# ------------------------------------------------------------------------------ data
@dataclass(frozen=True)
class DigitsData:
    """The split: x_* (N, 64) float32 in [-1, 1], y_* (N,) long labels 0..9."""
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


@functools.lru_cache(maxsize=4)
def _split(test_fraction: float, seed: int) -> DigitsData:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    bunch = load_digits()
    x = bunch.data.astype(np.float32) / (PIXEL_MAX / 2) - 1
    xa, xb, ya, yb = train_test_split(x, bunch.target, test_size=test_fraction, random_state=seed,
                                      stratify=bunch.target)
    t = lambda a, dt: torch.as_tensor(np.ascontiguousarray(a), dtype=dt)
    return DigitsData(t(xa, torch.float32), t(ya, torch.long), t(xb, torch.float32), t(yb, torch.long))


def load_digits_split(test_fraction: float = 0.2, seed: int = 0) -> DigitsData:
    """scikit-learn's digits, scaled to [-1, 1], split stratified by class (fixed by seed).
    The tensors are shared between calls: do not change them in place."""
    f = float(test_fraction)
    if not 0.05 <= f <= 0.5:
        raise ValueError(f"test_fraction must be in [0.05, 0.5]; got {test_fraction!r}")
    return _split(f, int(seed))


def to_pixels(x) -> np.ndarray:
    """Data-scale images (N, 64) as the data set's own pixel scale 0..16 (clipped), float64."""
    a = torch.as_tensor(x).detach().to("cpu", torch.float64).numpy()
    return np.clip((a + 1) * (PIXEL_MAX / 2), 0, PIXEL_MAX)


# ------------------------------------------------------------------------------ recipe
def _default_train() -> TrainConfig:
    return TrainConfig(n_data=1437, steps=1500, batch_size=256, lr=2e-3, lr_schedule="cosine",
                       warmup=100, ema=0.999, width=384, depth=3, activation="silu",
                       fourier_dim=16, fourier_scale=1.0, precond="edm", eps=1e-3,
                       weighting="sigma2", stratified=True, seed=0, log_every=50, n_eval=100)


@dataclass(frozen=True)
class DigitsConfig:
    """Everything that decides a trained digits model (frozen, hashable; defaults = the recipe
    that meets the benchmark's targets). train: the optimisation and the network (TrainConfig;
    n_data: the first n_data training images are used, at most the training split); lam: the
    VESDE's lambda; p_uncond: label dropout; label_dim: class embedding size; test_fraction and
    split_seed: the split."""
    train: TrainConfig = field(default_factory=_default_train)
    lam: float = 25.0
    p_uncond: float = 0.1
    label_dim: int = 16
    test_fraction: float = 0.2
    split_seed: int = 0

    def __post_init__(self):
        if not isinstance(self.train, TrainConfig):
            raise ValueError(f"train must be a TrainConfig; got {type(self.train).__name__}")
        if not (isinstance(self.lam, (int, float)) and 1.5 <= self.lam <= 200):
            raise ValueError(f"lam must be a number in [1.5, 200]; got {self.lam!r}")
        if not 0 <= float(self.p_uncond) < 1:
            raise ValueError(f"p_uncond must be in [0, 1); got {self.p_uncond!r}")
        if not (isinstance(self.label_dim, int) and 1 <= self.label_dim <= 256):
            raise ValueError(f"label_dim must be an integer in 1..256; got {self.label_dim!r}")
        load_digits_split(self.test_fraction, self.split_seed)       # checks test_fraction

    @property
    def sde(self) -> VESDE:
        return VESDE(float(self.lam))

    def data(self) -> DigitsData:
        return load_digits_split(self.test_fraction, self.split_seed)

    def with_train(self, **edits) -> "DigitsConfig":
        """A copy with TrainConfig fields edited (e.g. steps=60 for a quick run)."""
        return dataclasses.replace(self, train=dataclasses.replace(self.train, **edits))


def train_digits_model(cfg: DigitsConfig | None = None, device="cpu", callback=None):
    """Train the class-conditional score network on the training split. Returns (net, history);
    callback(step, total, row) at every logged step (returning True stops)."""
    cfg = DigitsConfig() if cfg is None else cfg
    data = cfg.data()
    n = cfg.train.n_data
    if n > data.x_train.shape[0]:
        raise ValueError(f"n_data must be at most the {data.x_train.shape[0]} training images; got {n}")
    net, history = fit_cond_score_net(data.x_train[:n], data.y_train[:n], DIGITS_CLASSES, cfg.sde,
                                      cfg.train, cfg.p_uncond, cfg.label_dim, device, callback)
    net.digits_config = cfg
    return net, history


def exact_digits_mixture(x_train, width: float = EXACT_WIDTH) -> GaussianMixture:
    """The training images' empirical distribution, smoothed: (1/N) sum_i N(x_i, width^2 I)."""
    x = torch.as_tensor(x_train)
    return mixture_from_points(x.detach().cpu().numpy(), width, max_components=x.shape[0], dim=DIGITS_DIM)


# ------------------------------------------------------------------------------ sampling
def digits_score(net: CondScoreNet, labels, w: float):
    """The classifier-free guided score of the network for labels (N,): s(x, t | null) +
    w (s(x, t | y) - s(x, t | null)), evaluated without autograd on the net's device, returned on
    x's device and dtype (w = 0: unconditional, w = 1: conditional)."""
    w = check_w(w)
    dev = next(net.parameters()).device
    y = torch.as_tensor(labels, dtype=torch.long).to(dev)
    y = y.reshape(()) if y.numel() == 1 else y          # one class: for any number of points

    def call(x, t, lab):
        with torch.inference_mode():
            t = torch.as_tensor(t, dtype=torch.float32)
            out = net(x.to(dev, torch.float32), t.to(dev), lab)
            return out.to(x.device, x.dtype).clone()
    return cfg_combine(lambda x, t: call(x, t, None), lambda x, t: call(x, t, y), w)


def _check_labels(labels) -> torch.Tensor:
    y = torch.as_tensor(labels)
    if y.ndim != 1 or y.numel() < 1 or y.numel() > MAX_DIGIT_SAMPLES or y.is_floating_point() \
            or bool(((y < 0) | (y >= DIGITS_CLASSES)).any()):
        raise ValueError(f"labels must be 1..{MAX_DIGIT_SAMPLES} classes in 0..{DIGITS_CLASSES - 1}")
    return y.long()


def _check_budget(method: str, budget) -> int:
    try:
        b = int(budget)
    except (TypeError, ValueError):
        raise ValueError(f"budget must be a whole number of score evaluations; got {budget!r}") from None
    least = nfe(method, SAMPLERS[method].min_steps) if method in SAMPLERS else 1
    if not least <= b <= MAX_DIGIT_NFE:
        raise ValueError(f"budget must be in {least}..{MAX_DIGIT_NFE} score evaluations; got {budget!r}")
    return b


EXACT_SAMPLING = {"grid": "karras", "t_eps": 1e-3, "final": "tweedie"}
"""How the exact empirical score is sampled: Tweedie's last step at sigma(1e-3) = 0.03 >> EXACT_WIDTH
lands on the posterior mean of one component, i.e. (almost exactly) on a training image."""


def sample_digits(score_fn, sde, n: int, method: str = "dpm2m_sa", budget: int = 30, seed: int = 0,
                  trajectory: bool = False, **settings):
    """n digits (data scale, (n, 64)) by the registry's sampler `method` within `budget` score
    evaluations (dc.steps_for_nfe, dc.recommended settings, updated by `settings`: grid, t_eps,
    final, options). Returns dc.SampleResult."""
    if method not in SAMPLERS:
        raise ValueError(f"method must be one of {', '.join(SAMPLERS)}; got {method!r}")
    if not 1 <= int(n) <= MAX_DIGIT_SAMPLES:
        raise ValueError(f"number of samples must be in 1..{MAX_DIGIT_SAMPLES}; got {n!r}")
    b = _check_budget(method, budget)
    steps = steps_for_nfe(method, b)
    return sample(score_fn, sde, int(n), steps, method=method, dim=DIGITS_DIM,
                  generator=torch.Generator().manual_seed(int(seed)), trajectory=trajectory,
                  **{**recommended(method, b), **settings})


def guided_digits(net, sde, labels, w: float, method: str = "dpm2m_sa", budget: int = 30,
                  seed: int = 0):
    """Samples of the network for the given labels at guidance scale w: dc.SampleResult."""
    y = _check_labels(labels)
    return sample_digits(digits_score(net, y, w), sde, len(y), method, budget, seed)


def exact_digits(x_train, y_train, labels, sde, method: str = "sde", budget: int = 100, seed: int = 0):
    """Samples of the exact score of the training set, class by class: for each requested label
    y, the reverse process of class y's training images (smoothed by EXACT_WIDTH), sampled as
    EXACT_SAMPLING says. Returns (N, 64) in the order of labels."""
    y = _check_labels(labels)
    x_train, y_train = torch.as_tensor(x_train), torch.as_tensor(y_train)
    out = torch.empty(len(y), DIGITS_DIM)
    for k in torch.unique(y).tolist():
        rows = (y == k).nonzero()[:, 0]
        score = exact_score(exact_digits_mixture(x_train[y_train == k]), sde)
        out[rows] = sample_digits(score, sde, len(rows), method, budget, seed + k, **EXACT_SAMPLING).x.float()
    return out


FILM_STEPS, FILM_T_END = 200, 1e-3


def denoising_film(score_fn, sde, times=FILM_LEVELS, seed: int = 0):
    """One reverse path, frame by frame: x_t of a reverse SDE run (dc.sample, "sde", FILM_STEPS
    steps uniform in t from 1 to FILM_T_END) from one prior draw, and the denoised guess
    D(x_t) = (x_t + sigma_t^2 s(x_t, t)) / alpha_t at the grid time nearest each of `times`
    (descending, from 1; 0 gives the last frame). Returns (times, sigmas, xt, D) as float64
    arrays (L,), (L,), (L, 64), (L, 64)."""
    ts = torch.as_tensor(times, dtype=torch.float64)
    if ts.ndim != 1 or len(ts) < 2 or bool((ts[1:] >= ts[:-1]).any()) or ts[0] != 1 or ts[-1] < 0:
        raise ValueError("times must be at least 2 descending times in [0, 1], the first 1")
    res = sample(score_fn, sde, 1, FILM_STEPS, method="sde", dim=DIGITS_DIM, grid="uniform",
                 t_eps=FILM_T_END, denoise=False, trajectory=True, dtype=torch.float64,
                 generator=torch.Generator().manual_seed(int(seed)))
    want = [int(torch.argmin((res.times - float(t)).abs())) for t in ts]
    xt, tt = res.trajectory[want, 0], res.times[want]
    a, s = sde.mean_scale(tt)[:, None], sde.sigma(tt)[:, None]
    den = (xt + s ** 2 * score_fn(xt, tt)) / a
    return tt.numpy(), s[:, 0].numpy(), xt.numpy(), den.numpy()


def forward_film(x0, sde, times=FILM_LEVELS[::-1], seed: int = 0) -> np.ndarray:
    """The forward process on one image x0 (64,): x_t = alpha_t x0 + sigma_t z with one z for all
    times (ascending), (L, 64) float64."""
    x0 = torch.as_tensor(x0, dtype=torch.float64).reshape(1, DIGITS_DIM)
    ts = torch.as_tensor(times, dtype=torch.float64)
    z = torch.randn(1, DIGITS_DIM, generator=torch.Generator().manual_seed(int(seed)), dtype=torch.float64)
    return (sde.mean_scale(ts)[:, None] * x0 + sde.sigma(ts)[:, None] * z).numpy()


# ------------------------------------------------------------------------------ measures
def fit_digit_classifier(data: DigitsData):
    """A support-vector classifier (RBF kernel, scikit-learn's defaults) fitted on the training
    split's pixels. Returns (classifier, its accuracy on the held-out split)."""
    from sklearn.svm import SVC
    clf = SVC()
    clf.fit(data.x_train.numpy(), data.y_train.numpy())
    return clf, float(clf.score(data.x_test.numpy(), data.y_test.numpy()))


def frechet_distance(a, b) -> float:
    """Frechet distance between Gaussians fitted to a and b (N, d):
    |mu_a - mu_b|^2 + tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2)."""
    a = np.asarray(torch.as_tensor(a).detach().cpu().to(torch.float64))
    b = np.asarray(torch.as_tensor(b).detach().cpu().to(torch.float64))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError("frechet_distance needs two (N, d) tables of the same d, N >= 2")
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    va, ua = np.linalg.eigh(ca)
    root_a = (ua * np.sqrt(np.clip(va, 0, None))) @ ua.T
    mid = np.linalg.eigvalsh(root_a @ cb @ root_a)
    tr = np.trace(ca) + np.trace(cb) - 2 * np.sqrt(np.clip(mid, 0, None)).sum()
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + max(tr, 0.0))


def digit_measures(x, labels, data: DigitsData, clf) -> dict:
    """Measures of samples x (N, 64, data scale) drawn for labels (N,): accuracy (the classifier
    agrees with the label), nn_mean (mean distance to the nearest training image), nn_ratio (that
    over the held-out real digits' own), frechet (pixel space, against the held-out digits), and
    bad (share of non-finite samples, left out of the rest)."""
    x = torch.as_tensor(x).detach().cpu().to(torch.float64)
    y = np.asarray(torch.as_tensor(labels).cpu())
    good = torch.isfinite(x).all(1)
    xg, yg = x[good], y[good.numpy()]
    held = float(nearest(data.x_test, data.x_train)[0].mean())
    if len(xg) < 2:
        return {"accuracy": 0.0, "nn_mean": math.nan, "nn_ratio": math.nan, "nn_test": held,
                "frechet": math.nan, "bad": 1 - len(xg) / max(1, len(x))}
    nn_mean = float(nearest(xg, data.x_train)[0].mean())
    return {"accuracy": float((clf.predict(xg.numpy()) == yg).mean()), "nn_mean": nn_mean,
            "nn_ratio": nn_mean / held, "nn_test": held, "frechet": frechet_distance(xg, data.x_test),
            "bad": 1 - len(xg) / len(x)}


def sampler_quality(net, sde, data: DigitsData, clf, methods, budgets, w: float = 1.0,
                    per_class: int = 20, seed: int = 0):
    """Quality per score evaluation: for each (method, budget), the measures of per_class samples
    of every class at guidance w. Returns a list of dicts (method, budget, nfe, measures)."""
    labels = torch.arange(DIGITS_CLASSES).repeat_interleave(int(per_class))
    rows = []
    for m in methods:
        for b in budgets:
            res = guided_digits(net, sde, labels, w, m, b, seed)
            rows.append({"method": m, "budget": int(b), "nfe": res.nfe,
                         **digit_measures(res.x, labels, data, clf)})
    return rows
