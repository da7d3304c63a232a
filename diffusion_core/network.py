"""A time-conditioned score network s_theta(x, t) and safe saving/loading of its weights.

Two parametrizations (``precond``):

"none"   the tutorial's: features [x, phi(t)] with Gaussian Fourier features phi, an MLP F, and
         s(x, t) = F([x, phi(t)]) / sigma_t.
"edm"    preconditioning after Karras et al. (2022), written for any SDE in the coordinates
         x~ = x / alpha_t, r = sigma_t / alpha_t (x~ = x_0 + r z). With the data's mean mu and
         std s_d, c = sqrt(r^2 + s_d^2):

             s(x, t) = (1 / alpha_t) [ -(x~ - mu) / c^2  +  s_d / (r c) F([(x~ - mu) / c, phi(log(r) / 4)]) ]

         The first term is the exact score of N(mu, s_d^2 I) diffused to time t, so large t is right
         before training (the last layer starts at zero); the network input has unit scale at every
         t, and the DSM loss with weight sigma_t^2 on F is s_d^2 / (r^2 + s_d^2) ||F - F*||^2.
"""
from __future__ import annotations

import hashlib
import io
import math

import torch
from torch import nn

from .config import ACTIVATION_NAMES, PRECONDITIONINGS, TrainConfig, check_network
from .sde import SDE, as_time, sde_from_config

__all__ = ["ScoreNet", "TimeMLP", "mlp", "GaussianFourierFeatures", "ACTIVATIONS", "PRECONDITIONINGS",
           "save_score_model", "load_score_model", "sde_from_config"]

SIGMA_FLOOR = 1e-5          # sigma_t is clamped to this, so t = 0 gives a finite (huge) score
_FORMAT = "diffusion_core.ScoreNet"
ACTIVATIONS = dict(zip(ACTIVATION_NAMES, (nn.Tanh, nn.SiLU, nn.ReLU, nn.GELU)))
_VERSION = 1


class GaussianFourierFeatures(nn.Module):
    """phi(c) = [sin(2 pi W c), cos(2 pi W c)] with W ~ N(0, scale^2) fixed, dim/2 frequencies."""

    def __init__(self, dim: int, scale: float, generator: torch.Generator | None = None):
        super().__init__()
        self.register_buffer("W", torch.randn(dim // 2, generator=generator) * scale)

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        proj = c[:, None] * self.W[None, :] * (2 * math.pi)
        return torch.cat([torch.sin(proj), torch.cos(proj)], dim=-1)


def mlp(n_in: int, n_out: int, width: int, depth: int, activation: str) -> nn.Sequential:
    """n_in -> width -> ... (depth hidden layers) -> n_out, with `activation` between layers."""
    act = ACTIVATIONS[activation]
    layers, k = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(k, width), act()]
        k = width
    layers.append(nn.Linear(k, n_out))
    return nn.Sequential(*layers)


class TimeMLP(nn.Module):
    """The body every network here shares: MLP([u, phi(c)]) -> dim, with phi the Gaussian Fourier
    features of the time condition c (or c itself when fourier_dim = 0); a subclass may append
    inputs of its own (guidance.CondScoreNet: a class embedding).

    dim: data dimension; width/depth: hidden units per layer and number of hidden layers;
    activation: one of ACTIVATIONS. seed draws the fixed Fourier frequencies and the initial
    weights (the global RNG is untouched). hparams holds the arguments (checked by
    config.check_network, the ranges TrainConfig uses)."""

    def __init__(self, dim: int, width: int, depth: int, activation: str, fourier_dim: int,
                 fourier_scale: float, seed: int = 0):
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be an integer >= 1; got {dim!r}")
        hp = check_network(width=width, depth=depth, activation=activation,
                           fourier_dim=fourier_dim, fourier_scale=fourier_scale)
        self.hparams = dict(dim=dim, **hp)
        gen = torch.Generator().manual_seed(int(seed))
        self.embed = GaussianFourierFeatures(hp["fourier_dim"], hp["fourier_scale"], gen) \
            if hp["fourier_dim"] else None
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            self.net = mlp(dim + (hp["fourier_dim"] or 1), dim, hp["width"], hp["depth"],
                           hp["activation"])

    @property
    def dim(self) -> int:
        return self.hparams["dim"]

    def _features(self, u: torch.Tensor, c: torch.Tensor, extra=None) -> torch.Tensor:
        """[u, phi(c)], and the `extra` features (N, e) last when given (a subclass's condition)."""
        emb = self.embed(c) if self.embed is not None else c[:, None]
        return torch.cat([u, emb] if extra is None else [u, emb, extra], dim=1)


class ScoreNet(TimeMLP):
    """s_theta(x, t) -> (N, d), usable wherever a score_fn is (x (N, d), t (N,) or a float).

    dim: data dimension; width/depth: hidden units per layer and number of hidden layers;
    fourier_dim: number of Fourier time features (0 feeds the time condition itself);
    precond: "none" (the tutorial's F / sigma_t) or "edm" (see the module docstring), whose data
    statistics data_mean (d,) and data_std (a float) are stored as buffers.
    seed: draws the fixed Fourier frequencies and the initial weights (global RNG untouched).
    """

    def __init__(self, sde: SDE, dim: int = 2, width: int = 50, depth: int = 2,
                 activation: str = "tanh", fourier_dim: int = 10, fourier_scale: float = 1.0,
                 precond: str = "none", data_mean=None, data_std: float = 1.0, seed: int = 0):
        if precond not in PRECONDITIONINGS:
            raise ValueError(f"precond must be one of {', '.join(PRECONDITIONINGS)}; got {precond!r}")
        super().__init__(dim, width, depth, activation, fourier_dim, fourier_scale, seed)
        if not (math.isfinite(float(data_std)) and float(data_std) > 0):
            raise ValueError(f"data_std must be a finite number > 0; got {data_std!r}")
        self.sde = sde
        self.hparams["precond"] = precond
        self.train_config = None        # set by training; saved with the weights
        mean = torch.zeros(dim) if data_mean is None else torch.as_tensor(data_mean, dtype=torch.float32)
        if mean.shape != (dim,) or not torch.isfinite(mean).all():
            raise ValueError(f"data_mean must be {dim} finite numbers; got {mean.tolist()}")
        self.register_buffer("data_mean", mean.clone())
        self.register_buffer("data_std", torch.tensor(float(data_std)))
        if precond == "edm":            # start exactly at the Gaussian score
            nn.init.zeros_(self.net[-1].weight)
            nn.init.zeros_(self.net[-1].bias)

    def forward(self, x: torch.Tensor, t, extra=None) -> torch.Tensor:
        """The score at x (N, d), t (N,) or a float; computed in the weights' dtype, returned in x's."""
        out_dtype, x = x.dtype, x.to(self.data_mean.dtype)
        t = as_time(t, like=x)
        if t.ndim == 0:
            t = t.expand(x.shape[0])
        return self._score(x, t, extra).to(out_dtype)

    def _score(self, x: torch.Tensor, t: torch.Tensor, extra=None) -> torch.Tensor:
        """F / sigma_t ("none") or the preconditioned form of the module docstring ("edm")."""
        if self.hparams["precond"] == "none":
            sigma = self.sde.sigma(t).clamp_min(SIGMA_FLOOR)
            return self.net(self._features(x, t, extra)) / sigma[:, None]
        alpha = self.sde.mean_scale(t)[:, None]
        r = self.sde.noise_ratio(t).clamp_min(SIGMA_FLOOR)[:, None]
        sd = self.data_std
        c2 = r * r + sd * sd
        c = c2.sqrt()
        y = x / alpha - self.data_mean
        f = self.net(self._features(y / c, 0.25 * torch.log(r[:, 0]), extra))
        return (-y / c2 + (sd / (r * c)) * f) / alpha


# --------------------------------------------------------------------------------- save / load
def _digest(state: dict) -> str:
    """sha256 over the names, dtypes, shapes and bytes of the tensors, in name order."""
    h = hashlib.sha256()
    for k in sorted(state):
        v = state[k].detach().cpu().contiguous()
        h.update(f"{k}|{v.dtype}|{tuple(v.shape)}|".encode())
        h.update(v.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def save_score_model(net: ScoreNet, f) -> None:
    """Write the weights, hyperparameters, SDE and training config of `net` to a path or a binary
    file object (torch.save of plain dicts, lists, strings, numbers and tensors only)."""
    state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
    cfg = net.train_config
    torch.save({"format": _FORMAT, "version": _VERSION, "hparams": dict(net.hparams),
                "sde": net.sde.config(), "train_config": None if cfg is None else cfg.to_dict(),
                "state_dict": state, "sha256": _digest(state)}, f)


def load_score_model(f, device="cpu", sde: SDE | None = None) -> ScoreNet:
    """Read a file written by save_score_model (torch.load with weights_only=True) and rebuild the
    network on `device`, in eval mode. A file of another format or version, with a changed or
    missing tensor, non-finite weights or (when `sde` is given) another SDE raises ValueError."""
    if isinstance(f, (bytes, bytearray)):
        f = io.BytesIO(f)
    try:
        blob = torch.load(f, map_location="cpu", weights_only=True)
    except Exception as e:         # unpickling refused, truncated or not a torch file
        raise ValueError(f"not a readable score-model file: {type(e).__name__}: {e}") from None
    if not isinstance(blob, dict) or blob.get("format") != _FORMAT:
        raise ValueError(f"not a score-model file: 'format' must be {_FORMAT!r}")
    if blob.get("version") != _VERSION:
        raise ValueError(f"score-model file version must be {_VERSION}; got {blob.get('version')!r}")
    state = blob.get("state_dict")
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError("score-model file: 'state_dict' must map names to tensors")
    if blob.get("sha256") != _digest(state):
        raise ValueError("score-model file: the weights do not match their sha256 checksum (file changed)")
    if not all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point()):
        raise ValueError("score-model file: weights must be finite (no NaN or infinity)")
    saved_sde = sde_from_config(blob.get("sde") or {})
    if sde is not None and sde != saved_sde:
        raise ValueError(f"score-model file was trained for {saved_sde!r}, not {sde!r}")
    hp = blob.get("hparams")
    if not isinstance(hp, dict):
        raise ValueError("score-model file: 'hparams' must be a dict")
    try:
        net = ScoreNet(saved_sde, **hp)
        net.load_state_dict(state, strict=True)
    except (TypeError, RuntimeError) as e:
        raise ValueError(f"score-model file does not match its network: {e}") from None
    if blob.get("train_config") is not None:
        net.train_config = TrainConfig.from_dict(blob["train_config"])
    return net.to(device).eval().requires_grad_(False)
