"""Trained score models shared by every page, and cached computations that use them.

`trained_model(cfg, gmm, lam, device)` trains once per (config, mixture, lambda, device) for the
whole server (dashboard.trained.once): another student (or another page) asking for the same
settings gets the same model at once. The model lives on its device, in eval mode, is evaluated
under torch.inference_mode() and is never changed after it is stored.
"""
from __future__ import annotations

import dataclasses
import io
import math
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
import torch

import diffusion_core as dc
from diffusion_core import sweep
from dashboard.figures import training as tfig
from dashboard.figures.common import auto_limits, density_grid, figure_png, samples_limits
from diffusion_core.sde import as_time
from dashboard import state, trained, vocabulary

RECIPES = {"ours": dc.TrainConfig, "tutorial": dc.TrainConfig.tutorial}
RECIPE_LABELS = {"ours": "Our recipe", "tutorial": "The tutorial's recipe"}
MIN_LOGGED_ROWS = 10          # recipes logging fewer rows than this get a finer log_every
DEFAULT_MIXTURE = "tutorial"  # the sidebar's default distribution
DEFAULT_LAM = 25.0            # the Train page's default lambda


def recipe_name(recipe: str) -> str:
    """A recipe's name inside a sentence ("our recipe", "the tutorial's recipe"): its label
    (RECIPE_LABELS, what the radio shows) without the capital."""
    label = RECIPE_LABELS[recipe]
    return label[:1].lower() + label[1:]


def recipe_config(recipe: str = "ours", seed: int = state.DEFAULT_SEED, **edits) -> dc.TrainConfig:
    """The TrainConfig of a named recipe with the sidebar seed and the user's edits.

    Keeps the recipe's warmup and log interval unless they no longer fit the edited number of
    steps (warmup is clamped to steps; fewer than MIN_LOGGED_ROWS logged rows -> about 20).
    Logging does not change the trained weights. Raises ValueError (TrainConfig's message)."""
    base = RECIPES[recipe]()
    steps = int(edits.get("steps", base.steps))
    extra = {}
    if steps >= 1:
        extra["warmup"] = min(base.warmup, steps)
        if steps // base.log_every < MIN_LOGGED_ROWS:
            extra["log_every"] = max(1, steps // 20)
    return dataclasses.replace(base, seed=int(seed), **{**extra, **edits})


def form_values(recipe: str = "ours") -> dict:
    """The Train page's form values for a recipe as nobody has edited them (what choosing the
    recipe loads into the form): the edits recipe_config takes."""
    base = RECIPES[recipe]()
    return dict(steps=int(base.steps), batch_size=int(base.batch_size or 0), lr=float(base.lr),
                width=int(base.width), eps=float(base.eps))


def default_config(recipe: str = "ours", seed: int = state.DEFAULT_SEED) -> dc.TrainConfig:
    """The TrainConfig the Train page builds for a recipe at default settings."""
    return recipe_config(recipe, seed, **form_values(recipe))


# --------------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class TrainedModel:
    """A trained score network and what its training recorded. Treat every field as read-only.

    history: one row per logged step (dc.training.HISTORY_COLUMNS); weights: the network saved by
    dc.save_score_model (load it back with dc.load_score_model); diverged: the loss became NaN or
    infinite (the network must not be used)."""
    net: torch.nn.Module
    history: pd.DataFrame
    cfg: dc.TrainConfig
    lam: float
    device: str
    seconds: float
    weights: bytes
    diverged: bool

    @property
    def sde(self) -> dc.VESDE:
        return dc.VESDE(self.lam)

    def score(self, x: torch.Tensor, t) -> torch.Tensor:
        """s_theta(x, t), usable as a score_fn: evaluated on the model's device under
        torch.inference_mode(), returned on x's device in x's dtype."""
        dev = torch.device(self.device)
        with torch.inference_mode():
            t = as_time(t, like=x)
            out = self.net(x.to(dev, torch.float32), t.to(dev, torch.float32))
            return out.to(x.device, x.dtype).clone()


def _key(cfg, gmm, lam, device) -> tuple:
    return ("score", cfg, gmm, float(lam), str(device))


def is_trained(cfg, gmm, lam, device="cpu") -> bool:
    """Whether trained_model would return at once."""
    return trained.is_trained(_key(cfg, gmm, lam, device))


def trained_model(cfg: dc.TrainConfig, gmm: dc.GaussianMixture, lam: float = 25.0,
                  device: str = "cpu", _progress=None) -> TrainedModel:
    """The score model of (cfg, gmm, VESDE(lam), device), trained on first request and then shared
    (dashboard.trained.once).

    _progress: an st.empty() placeholder; while training it shows a live progress bar and the loss
    curve so far, and it is cleared afterwards. Not part of the key."""
    return trained.once(_key(cfg, gmm, lam, device),
                        lambda: _train(cfg, gmm, float(lam), str(device), _progress), _progress,
                        "Training the score network (started by another session or at server "
                        "start); it is shared as soon as it is done…")


LESSON_MIXTURE = "ring8"       # the lesson's mixture for the lab pages (README, "Teach with it")


_QUEUE_STOPPED = threading.Event()


def stop_queued_training() -> None:
    """Make train_all start no further job (the one training finishes). A test session calls it
    before it waits for the warm-up thread: the interpreter must not exit while a thread trains."""
    _QUEUE_STOPPED.set()


def queue_stopped() -> bool:
    """Whether stop_queued_training was called (every queue of background trainings stops)."""
    return _QUEUE_STOPPED.is_set()


def warm_steps(steps, before_each=None) -> None:
    """Run each callable of `steps` in turn, as the server's warm-up does: before_each() first (it
    waits there until no page has run for a while), and none once stop_queued_training was called."""
    for step in steps:
        if queue_stopped():
            return
        if before_each is not None:
            before_each()
        step()


def train_all(jobs, device: str = "cpu", before_each=None) -> list[TrainedModel]:
    """Train each (cfg, gmm, lam) of `jobs` into its shared slot, one after the other (a model
    already trained is skipped at once), until stop_queued_training is called. before_each():
    called before each training (the server's warm-up waits there for idle)."""
    out = []
    for cfg, gmm, lam in jobs:
        if queue_stopped():
            break
        if before_each is not None and not is_trained(cfg, gmm, lam, device):
            before_each()
        out.append(trained_model(cfg, gmm, lam, device))
    return out


def train_defaults(device: str = "cpu", before_each=None) -> list[TrainedModel]:
    """Train the models the Train page shows at default settings (the default mixture, each
    recipe's default config, the default lambda) into their shared slots, one after the other,
    then our recipe on the lesson's lab mixture (ring8), which the lesson picks in the sidebar; then
    the true sets' band the page's verdict reads on both (quality_band at its default samples)."""
    jobs = [(default_config(recipe), dc.PRESETS[DEFAULT_MIXTURE], DEFAULT_LAM) for recipe in RECIPES]
    jobs.append((default_config("ours"), dc.PRESETS[LESSON_MIXTURE], DEFAULT_LAM))
    trained = train_all(jobs, device, before_each)
    n = int(state.sio.SCHEMA["w_train_n"].default)
    for name in (DEFAULT_MIXTURE, LESSON_MIXTURE):
        if queue_stopped():
            break
        quality_band(dc.PRESETS[name], n, state.DEFAULT_SEED)
    return trained


def _train(cfg, gmm, lam, device, placeholder) -> TrainedModel:
    rows: list[dict] = []
    bar = chart = None
    if placeholder is not None:
        with placeholder.container(border=True):
            bar = st.progress(0.0, text="Training the score network…")
            chart = st.empty()
    chart_every = max(1, math.ceil(cfg.steps / cfg.log_every / 25))   # at most ~25 chart updates

    def callback(step, total, row):
        if row is not None:
            rows.append(row)
        if bar is not None:
            msg = f"Training the score network: step {step:,} of {total:,}"
            if rows:
                msg += (f" · held-out DSM loss {rows[-1]['dsm_loss']:.4f}"
                        f" (floor {rows[-1]['irreducible_loss']:.4f})")
            bar.progress(min(1.0, step / total), text=msg)
            if row is not None and len(rows) >= 2 and (len(rows) % chart_every == 0 or step == total):
                chart.altair_chart(tfig.loss_chart(pd.DataFrame(rows), height=160, max_step=total),
                                   width="stretch")
        # stop at once when the loss has blown up: the rest would be NaN too
        return row is not None and not math.isfinite(row["dsm_loss"] + row["score_mse"])

    net, history = dc.train_score_model(gmm, dc.VESDE(lam), cfg, device=device, callback=callback)
    numeric = history[["dsm_loss", "score_mse"]].to_numpy(dtype=float)
    diverged = bool(not np.isfinite(numeric).all()
                    or not all(torch.isfinite(p).all() for p in net.parameters()))
    buf = io.BytesIO()
    if not diverged:
        dc.save_score_model(net, buf)
    seconds = float(history["seconds"].iloc[-1]) if len(history) else 0.0
    if placeholder is not None:
        placeholder.empty()
    return TrainedModel(net.eval(), history, cfg, lam, device, seconds, buf.getvalue(), diverged)


# --------------------------------------------------------------------------------- measurements
@state.cache_data
def error_by_t(cfg, gmm, lam: float, device: str, seed: int, tutorial_check: bool = False,
               n_t: int = 25, n_per_t: int = 500) -> pd.DataFrame:
    """Score error of the learned model against t (log-spaced in [1e-4, 1]), as columns t, mse,
    series: mean over x_t ~ p_t of (s_theta - grad log p_t)^2 per coordinate (dc.score_mse_by_t);
    the same times sigma_t^2 (the weight the DSM loss gives it); and, when tutorial_check, the
    tutorial's comparison of s_theta(x_0, t) with the clean score at clean samples x_0."""
    m = trained_model(cfg, gmm, lam, device)
    sde = dc.VESDE(lam)
    ts = np.geomspace(1e-4, 1.0, n_t)
    g = torch.Generator().manual_seed(int(seed) + 11)
    mse = dc.score_mse_by_t(m.score, gmm, sde, ts, n_per_t, generator=g).double().numpy()
    sig2 = sde.sigma(torch.as_tensor(ts, dtype=torch.float64)).numpy() ** 2
    frames = [pd.DataFrame({"t": ts, "mse": mse, "series": "learned vs exact score of pₜ, at xₜ ~ pₜ"}),
              pd.DataFrame({"t": ts, "mse": sig2 * mse,
                            "series": "σₜ² × that error: what the DSM loss weights"})]
    if tutorial_check:
        x0, _ = gmm.sample(n_per_t, generator=g, dtype=torch.float32)
        clean = gmm.score(x0)
        wrong = [float(dc.score_mse(m.score, x0, torch.full((n_per_t,), float(t)), clean)) for t in ts]
        frames.append(pd.DataFrame({"t": ts, "mse": wrong,
                                    "series": "the tutorial's check: sθ(x₀, t) vs ∇log p₀(x₀) (wrong target)"}))
    return pd.concat(frames, ignore_index=True)


FIELD_GROWTH = 1.25     # the score maps widen their view to pₜ's modes' 2-std regions by at most this factor


def field_limits(gmm, sde, t: float):
    """The score maps' view at time t: the data's region (every mode's mean +- 3 std of p₀), widened
    to hold every mode's mean +- 2 std of pₜ where that makes the view at most FIELD_GROWTH times
    as wide (so that ring8's modes at the edge are not cut at small t); at large t pₜ is far wider
    than the data, and the view keeps the data's region (the error panel says how much of pₜ it holds)."""
    base = auto_limits(gmm)
    reach = auto_limits(gmm.diffuse(sde, t), pad_std=2.0)
    union = [(min(b[0], r[0]), max(b[1], r[1])) for b, r in zip(base, reach)]
    half = max(b - a for a, b in union) / 2
    if 2 * half > FIELD_GROWTH * max(b - a for a, b in base):
        return base
    return tuple(((a + b) / 2 - half, (a + b) / 2 + half) for a, b in union)


@state.cache_data
def score_fields(cfg, gmm, lam: float, device: str, t: float, seed: int,
                 n_fine: int = 90, n_quiver: int = 17) -> dict:
    """Learned and exact score of pₜ on grids over the data's region, the squared error
    ||s_theta - s||^2 and log pₜ; plus the error's mean under pₜ (dc.score_mse_by_t)."""
    m = trained_model(cfg, gmm, lam, device)
    sde = dc.VESDE(lam)
    exact = dc.exact_score(gmm, sde)
    xlim, ylim = field_limits(gmm, sde, t)

    def grid(n):
        xx, yy = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
        return xx, yy, torch.from_numpy(np.stack([xx.ravel(), yy.ravel()], 1))

    xx, yy, pts = grid(n_fine)
    s_true, s_learn = exact(pts, t), m.score(pts, t)
    err = ((s_learn - s_true) ** 2).sum(-1).reshape(n_fine, n_fine).numpy()
    logp = gmm.diffuse(sde, t).log_prob(pts).reshape(n_fine, n_fine).numpy()
    qx, qy, qpts = grid(n_quiver)
    g = torch.Generator().manual_seed(int(seed) + 12)
    mse_t = float(dc.score_mse_by_t(m.score, gmm, sde, [t], 4000, generator=g)[0])
    xt, _ = gmm.diffuse(sde, t).sample(20_000, generator=g)
    inside = ((xt[:, 0] >= xlim[0]) & (xt[:, 0] <= xlim[1]) & (xt[:, 1] >= ylim[0]) & (xt[:, 1] <= ylim[1]))
    return {"window_mass": float(inside.double().mean()),"xx": xx, "yy": yy, "logp": logp, "err": err, "qx": qx, "qy": qy,
            "learned": m.score(qpts, t).reshape(n_quiver, n_quiver, 2).numpy(),
            "exact": exact(qpts, t).reshape(n_quiver, n_quiver, 2).numpy(),
            "mse_t": mse_t, "sigma_t": float(sde.sigma(torch.tensor(float(t), dtype=torch.float64)))}


@state.cache_data(max_entries=16)
def score_fields_png(cfg, gmm, lam: float, device: str, t: float, seed: int, weighted: bool) -> bytes:
    f = score_fields(cfg, gmm, lam, device, t, seed)
    fig = tfig.score_fields_figure(f["xx"], f["yy"], f["logp"], f["qx"], f["qy"], f["learned"],
                                   f["exact"], f["err"], t, weighted=weighted, window_mass=f["window_mass"])
    return figure_png(fig)


# --------------------------------------------------------------------------------- sampling
@state.cache_data(max_entries=16)
def learned_samples(cfg, gmm, lam: float, device: str, method: str, steps: int, n: int,
                    seed: int) -> np.ndarray:
    """dc.sample with the learned score (the same noise as exact_samples with the same seed)."""
    m = trained_model(cfg, gmm, lam, device)
    g = torch.Generator().manual_seed(int(seed) + 21)
    return dc.sample(m.score, dc.VESDE(lam), n, steps, method=method, generator=g).x.numpy()


@state.cache_data(max_entries=16)
def exact_samples(gmm, lam: float, method: str, steps: int, n: int, seed: int) -> np.ndarray:
    """dc.sample with the exact score of pₜ, same noise draws as learned_samples."""
    sde = dc.VESDE(lam)
    g = torch.Generator().manual_seed(int(seed) + 21)
    return dc.sample(dc.exact_score(gmm, sde), sde, n, steps, method=method, generator=g).x.numpy()


# The exact-score reference of the Train page has its own accurate sampler: on both presets it
# lands within 2x the true-vs-true noise level at 20,000 samples (W1 of log p 0.009 / 0.017 with
# the truth at 0.007; the reverse SDE at 200 steps: 0.018 / 0.052, which the learned scores beat).
REFERENCE_METHOD, REFERENCE_NFE = "dpm3m_sde", 200


def reference_settings() -> dict:
    """dc.sample's keyword arguments of the exact-score reference: REFERENCE_METHOD with the
    registry's recommended grid, end time and last step for REFERENCE_NFE evaluations."""
    return dict(method=REFERENCE_METHOD, steps=dc.steps_for_nfe(REFERENCE_METHOD, REFERENCE_NFE),
                **dc.recommended(REFERENCE_METHOD, REFERENCE_NFE))


def reference_label() -> str:
    """The reference sampler in words, e.g. "DPM-Solver++(3M) SDE, 199 steps (200 evaluations),
    Karras grid to t = 1e-4"."""
    kw = reference_settings()
    return (f"{dc.SAMPLERS[REFERENCE_METHOD].label}, {kw['steps']} steps "
            f"({dc.nfe(REFERENCE_METHOD, kw['steps'])} score evaluations), {kw['grid']} time grid "
            f"down to t = {kw['t_eps']:g}")


@state.cache_data(max_entries=16)
def reference_samples(gmm, lam: float, n: int, seed: int) -> np.ndarray:
    """The exact score of pₜ sampled with the accurate reference sampler (reference_settings),
    from the same starting noise as learned_samples."""
    sde = dc.VESDE(lam)
    g = torch.Generator().manual_seed(int(seed) + 21)
    return dc.sample(dc.exact_score(gmm, sde), sde, n, generator=g, **reference_settings()).x.numpy()


@state.cache_data(max_entries=16)
def true_samples(gmm, n: int, seed: int) -> np.ndarray:
    x, _ = gmm.sample(n, generator=torch.Generator().manual_seed(int(seed) + 22))
    return x.numpy()


def reference_size(n: int) -> int:
    """Size of the independent true sample the metrics compare with: n, at least 5,000 and at
    most 20,000 (sliced W₂ sorts max(n, reference) values per projection)."""
    return int(min(20_000, max(5_000, n)))


@state.cache_data(max_entries=16)
def sample_quality(x: np.ndarray, gmm, seed: int) -> dict:
    """diffusion_core.sweep.sample_metrics of samples x against reference_size(len(x))
    independent true samples, with the mode weights (dc.mode_weights) and the number of
    non-finite samples, which are left out (NaN-free for any x)."""
    ref = true_samples(gmm, reference_size(len(x)), int(seed) + 1000)
    x = np.asarray(x, dtype=np.float64)
    finite = np.isfinite(x).all(1)
    x = x[finite] if finite.any() else np.zeros((1, x.shape[1]))
    return {**sweep.sample_metrics(x, gmm, ref), "mode_weights": dc.mode_weights(x, gmm).tolist(),
            "non_finite": int((~finite).sum())}


@state.cache_data(max_entries=16)
def quality_band(gmm, n: int, seed: int) -> dict:
    """true_band of sample_quality's measures: the "true samples" row's set (true_samples) and
    TRUE_SETS − 1 further sets of n true samples, each against sample_quality's reference."""
    def measure(k):
        x = true_samples(gmm, n, seed) if k == 0 else true_samples(gmm, n, int(seed) + 3000 + k)
        return sample_quality(x, gmm, seed)
    return true_band(measure)


def within_noise(a: float, b: float, noise: float) -> bool:
    """True where two values of a sample measure differ by no more than |noise|, the same measure
    of independent true samples (the "true samples" row): at this sample count neither wins."""
    return abs(float(a) - float(b)) <= abs(float(noise))


def band_spread(band: dict, key: str) -> float:
    """A sample measure's noise at the band's sample count: highest − lowest of its values over the
    true sets of band (true_band, e.g. quality_band), how far apart two equally good samplers can score."""
    lo, hi = band[key]
    return float(hi) - float(lo)


def tells_apart(a: float, b: float, band: dict, key: str) -> bool:
    """Whether a distance (sliced W₂, W₁ of log p: lower is closer to the truth) tells two samplers'
    values a and b apart: not both at or below the highest true set's value (band: true_band) and more
    than band_spread apart (within_noise)."""
    return max(float(a), float(b)) > float(band[key][1]) and not within_noise(a, b, band_spread(band, key))


def tells_apart_signed(a: float, b: float, band: dict, key: str) -> bool:
    """tells_apart for a signed measure (the log-likelihood gap: 0 is the truth, > 0 samples in less
    likely places, < 0 crowding the modes): not both within the true sets' range lo..hi (band:
    true_band) and more than band_spread apart (within_noise)."""
    lo, hi = (float(v) for v in band[key])
    outside = any(float(v) > hi or float(v) < lo for v in (a, b))
    return outside and not within_noise(a, b, band_spread(band, key))


def lone_outside(a: float, b: float, band: dict, key: str, signed: bool = False) -> int | None:
    """Which of two values lies outside the true sets' range lo..hi (band: true_band) while the other
    lies inside: 0 for a, 1 for b, None where both or neither do. Outside: above hi for a distance
    (lower is closer to the truth), above hi or below lo for a signed measure (signed)."""
    lo, hi = (float(v) for v in band[key])
    out = [float(v) > hi or (signed and float(v) < lo) for v in (a, b)]
    return out.index(True) if sum(out) == 1 else None


START_FAR = 1.5   # σ₁ below this many × the data's widest std: the prior N(0, σ₁² I) is far from the true p₁


def widest_std(gmm) -> float:
    """The mixture's exact std along its widest direction: √ of the largest eigenvalue of its
    covariance Σₖ wₖ (Σₖ + μₖ μₖᵀ) − m mᵀ (GaussianMixture.moments)."""
    return float(np.sqrt(np.linalg.eigvalsh(gmm.moments()[1].numpy()).max()))


def start_far(sigma1: float, gmm) -> str:
    """Where σ₁ is below START_FAR × the data's std along its widest direction (widest_std of the
    mixture gmm, exact), the prior N(0, σ₁² I) a sampler starts from is far from the true p₁: that in words
    ("σ₁ = 1.47 is not much larger than the data's std along its widest direction, 1.10"; not
    "the data's spread", the name of the root-mean-square spread s other sentences give); else "". The Exact-score reversal's warning and Guidance's attribution of a
    sampler's error share it."""
    spread = widest_std(gmm)
    if sigma1 >= START_FAR * spread:
        return ""
    than = "smaller than" if sigma1 < spread else "not much larger than"
    return f"σ₁ = {sigma1:.2f} is {than} the data's std along its widest direction, {spread:.2f}"


def value_text(v, digits: int = 3) -> str:
    """A quality measure's value as the Sampler lab and the Exact-score reversal print it: three
    significant digits (or `digits`), trailing zeros kept (0.0320 next to 0.0301; with 2: 0.96, 1.0),
    whole numbers from 100 up (2,558), and never an exponent (0.0000123, not 1.23e-05)."""
    v = float(v)
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return vocabulary.positional(f"{v:#.{digits}g}", digits).rstrip(".")


DISTANCES = (("sliced_w2", "sliced W₂"), ("logp_w1", "W₁ of log p"))   # >= 0: lower is closer to the truth
# what each distance sees, and what it misses that the other one sees
TRUE_SETS = 6            # independent true sample sets whose measures give blind_measure_text its band
MISSES = {"sliced_w2": "sliced W₂ compares the samples with the truth along random 1D projections, where a "
                       "sharp mode's width (or a small share of mass in the wrong mode) moves it less than "
                       "its noise",
          "logp_w1": "W₁ of log p₀ compares only how likely the samples are under p₀, not where they are, "
                     "so it misses mass moved between places of equal density (such as between modes)"}


BAND_MEASURES = ("sliced_w2", "logp_w1", "loglik_gap")     # the sample measures true_band ranges


def true_band(measure, sets: int = TRUE_SETS) -> dict:
    """{measure: (lowest, highest)} of BAND_MEASURES over `sets` independent true sample sets, each
    scored by measure(k) (k = 0 .. sets − 1: the k-th set's sweep.sample_metrics against the page's
    reference): the range a perfect sampler's value falls in at this sample count (highest −
    lowest: how far apart two equally good samplers can score)."""
    runs = [measure(k) for k in range(int(sets))]
    return {key: (min(float(r[key]) for r in runs), max(float(r[key]) for r in runs)) for key in BAND_MEASURES}


def band_text(band: dict, key: str, sep: str = " to ") -> str:
    """The range of a measure over the true sets of band (true_band), as sentences give it: "0.107 to 0.566"
    (sep "–": "0.107–0.566", as a tile gives it)."""
    lo, hi = band[key]
    return f"{lo:.3f}{sep}{hi:.3f}"


def blind_pair(r: dict, band: dict) -> tuple[str, str] | None:
    """The distances (low, high) of DISTANCES where the samples' measures r have low within its noise,
    at or below the highest of the true sets (band: true_band), while high lies above that range by more
    than its spread (tells_apart from the band's highest); None where no distance is blind that way."""
    low = [k for k, _ in DISTANCES if float(r[k]) <= band[k][1]]
    high = [k for k, _ in DISTANCES if tells_apart(r[k], band[k][1], band, k)]
    return (low[0], high[0]) if low and high else None


def blind_measure_text(r: dict, truth: dict | None, who: str, n: int, band: dict, fit: dict | None = None,
                       weights=None) -> str:
    """The sentence for samples whose measures r (sliced_w2, logp_w1, loglik_gap: sweep.sample_metrics)
    have one distance within its noise, at or below the highest of TRUE_SETS independent true sets
    (band: true_band), while the other lies above that range by more than its spread (tells_apart
    from the band's highest): the samples (who, e.g. "the learned score's samples") differ from the
    truth by the other distance, first, and the first cannot tell them from the truth at n samples,
    nor rank runs that all lie within its noise; then what the other one sees. truth: the same
    measures of the true set the page shows (the low distance is given against it too), or None
    where the page shows none. fit: where the samples sit against p₀'s contours next to the page's
    true samples (mode_fit), which names what W₁ of log p₀ sees (likelihood_cause); None: no cause
    is named. weights: p₀'s mode weights, against which r["mode_weights"] tells what sliced W₂ sees
    (sliced_sees: mass moved between modes, or else where the samples sit within the modes); None:
    no place named. "" when no distance is blind that way (blind_pair)."""
    pair = blind_pair(r, band)
    if pair is None:
        return ""
    (lk, lw), (hk, hw) = ((k, dict(DISTANCES)[k]) for k in pair)
    if hk == "logp_w1":
        gap, (glo, ghi) = float(r["loglik_gap"]), band["loglik_gap"]
        if glo <= gap <= ghi:
            sees = ("W₁ of log p₀ sees that the samples' log p₀ values spread unlike the true samples' (too likely "
                    f"and too unlikely at once: the mean, log-likelihood gap {gap:+.3f}, is within the {glo:+.3f} to "
                    f"{ghi:+.3f} of the true sets)")
        else:
            side = "less" if gap > ghi else "more"
            plain = f"the samples sit in {side} likely places than true samples"
            cause = likelihood_cause(fit, side) if fit is not None else ""
            sees = f"W₁ of log p₀ sees that {plain} (log-likelihood gap {gap:+.3f})" + (f"; {cause}" if cause else "")
    else:
        sees = sliced_sees(r.get("mode_weights"), weights, n, fit)
    sets = f"the {band_text(band, lk)} that {TRUE_SETS} independent true sets score"
    noise = f"this measure's noise at this sample count: samplers whose {lw} all lie within it are not ranked by it"
    other = f"above the {band_text(band, hk)} of the same sets by more than their spread"
    if truth is None:
        where = f"{'below' if float(r[lk]) < band[lk][0] else 'within'} {sets}, {noise}"
    elif float(r[lk]) <= float(truth[lk]):
        where = f"at or below the true samples' own {float(truth[lk]):.3f}"
    else:
        where = (f"{float(r[lk]) / max(float(truth[lk]), 1e-12):.1f}× the true samples' own {float(truth[lk]):.3f}, "
                 f"within {sets}, {noise}")
    return (f"**{who[0].upper() + who[1:]} differ from the truth by {hw}, but {lw} cannot tell them from it at "
            f"{n:,} samples**: {float(r[lk]):.3f}, {where}, while their {hw} is {float(r[hk]):.3f}, {other}. "
            f"{MISSES[lk][0].upper() + MISSES[lk][1:]}; {sees}.")


MASSES = (0.5, 0.9, 0.99)     # the samples panels draw p₀'s contours holding these shares of its mass
MASS_SAMPLES = 20_000


@state.cache_data(max_entries=16)
def mass_levels(gmm, seed: int = 0) -> list[float]:
    """The log p₀ values whose contours hold MASSES of p₀'s mass (each, the (1 − mass) quantile of
    log p₀ at MASS_SAMPLES true samples): a point lies outside the contour holding m of the mass
    when its log p₀ is below the level."""
    x, _ = gmm.sample(MASS_SAMPLES, generator=torch.Generator().manual_seed(int(seed) + 23))
    logp = _log_prob(gmm, x.double().numpy())
    return [float(np.quantile(logp, 1 - m)) for m in MASSES]


def _log_prob(gmm, x: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """log p₀ of the points x (n, 2), a chunk of rows at a time (a point set has up to 1,000 modes)."""
    return np.concatenate([gmm.log_prob(torch.from_numpy(np.ascontiguousarray(x[i:i + chunk]))).numpy()
                           for i in range(0, len(x), chunk)] or [np.zeros(0)])


@state.cache_data(max_entries=32)
def outside_share(x: np.ndarray, gmm, level: float) -> float:
    """The share of the finite samples x whose log p₀ lies below `level` (outside that contour);
    cached: the Train page's caption asks it of three sample sets on every rerun, and a point set's
    log p₀ sums over up to 1,000 modes."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x).all(1)]
    if not len(x):
        return 0.0
    return float((_log_prob(gmm, x) < level).mean())


WEIGHT_Z = 3.0     # a sampled mode share "agrees" with its weight within this many binomial standard errors


def shares_agree(shares, w, n: int) -> np.ndarray:
    """For every mode, whether a share measured from n samples agrees with its true weight w:
    |share − w| ≤ WEIGHT_Z √(w(1 − w)/n), and at least one sample (a standard error of 0, one mode,
    still allows a share off by one sample)."""
    w = np.asarray(w, dtype=float)
    return np.abs(np.asarray(shares, dtype=float) - w) <= np.maximum(WEIGHT_Z * np.sqrt(w * (1 - w) / n), 1.0 / n)


def off_by_chance(modes: int) -> float:
    """How many of `modes` shares are expected off their weights by chance alone (shares_agree):
    modes × P(|Z| > WEIGHT_Z) = modes · erfc(WEIGHT_Z / √2)."""
    return int(modes) * float(math.erfc(WEIGHT_Z / math.sqrt(2)))


FIT_Z = 2.0     # mode_fit's shares differ from the true samples' beyond this many standard errors (diff_se)


def mode_fit(x: np.ndarray, truth: np.ndarray, gmm, seed: int = 0) -> dict:
    """Where the samples x sit against p₀'s contours that the samples panels draw (mass_levels),
    next to the true samples truth the page shows: for each set (the truth's keys end in _truth) off,
    the share outside the contour holding the most mass (MASSES[-1], the panels' caption's share),
    and core, of the samples inside that contour, the share inside the one holding the least
    (MASSES[0]): (1 − outside MASSES[0]) / (1 − off), lower where the modes are drawn wider; with
    the finite counts n and the counts inside the outer contour n_on, their standard errors' base."""
    levels, fit = mass_levels(gmm, seed), {}
    for tail, s in (("", x), ("_truth", truth)):
        s = np.asarray(s, dtype=np.float64)
        n = int(np.isfinite(s).all(1).sum())
        off, inner = outside_share(s, gmm, levels[-1]), 1 - outside_share(s, gmm, levels[0])
        fit.update({"off" + tail: off, "core" + tail: inner / max(1 - off, 1e-12), "n" + tail: n,
                    "n_on" + tail: max(1, round(n * (1 - off)))})
    return fit


def fit_differs(fit: dict, key: str) -> int:
    """Whether mode_fit's share key ("off", "core") of the samples lies above (1) or below (−1) the
    true samples' by more than FIT_Z standard errors of the difference (diff_se), else 0."""
    count = "n" if key == "off" else "n_on"
    a, b = float(fit[key]), float(fit[key + "_truth"])
    if abs(a - b) <= FIT_Z * diff_se(a, fit[count], b, fit[count + "_truth"]):
        return 0
    return 1 if a > b else -1


def fit_words(fit: dict) -> tuple[str, str]:
    """mode_fit's two shares in words, each against the true samples': off (outside p₀'s contour
    holding MASSES[-1] of its mass) and core (of those inside it, the share inside the MASSES[0] one)."""
    inner, outer = (f"{100 * m:g} %" for m in (MASSES[0], MASSES[-1]))
    off = (f"{100 * fit['off']:.1f} % of the samples lie outside p₀'s {outer} contour against "
           f"{100 * fit['off_truth']:.1f} % of the true samples")
    core = (f"{100 * fit['core']:.1f} % of the samples inside the {outer} contour lie inside the {inner} one against "
            f"{100 * fit['core_truth']:.1f} % of the true samples")
    return off, core


def fit_reading(fit: dict) -> str:
    """What mode_fit measures of how the samples sit in and around the modes, with its numbers
    (fit_words): modes drawn wider (core below the truth's, fit_differs), too narrow (above it),
    samples off the modes (off above the truth's), or neither beyond FIT_Z standard errors."""
    off, core = fit_words(fit)
    spread, strays = fit_differs(fit, "core"), fit_differs(fit, "off")
    if spread:
        return f"the modes are drawn {'wider' if spread < 0 else 'too narrow'}: {core}"
    if strays > 0:
        return f"samples lie off the modes: {off}"
    return (f"p₀'s contours show neither modes drawn wider or narrower nor samples off them beyond {FIT_Z:g} "
            f"standard errors ({core}; {off}): it lies in how the samples are placed inside the modes, finer than "
            "these two shares measure")


def sliced_sees(shares, weights, n: int, fit: dict | None = None) -> str:
    """What sliced W₂ sees where W₁ of log p₀ cannot: mass moved between modes where a mode share of
    the samples (shares) lies off its weight (weights) beyond WEIGHT_Z standard errors √(w(1 − w)/n)
    (shares_agree) in more modes than off_by_chance expects, with the modes that do; else that no such
    move shows (the farthest share named),
    so that what it sees lies within and around the modes, with fit_reading where fit is given.
    Without shares or weights it names no place."""
    if shares is None or weights is None:
        return "sliced W₂ sees that the samples lie in other places than the truth's"
    p, w = np.asarray(shares, dtype=float), np.asarray(weights, dtype=float)
    noise = f"{WEIGHT_Z:g} standard errors (√(w(1 − w)/n), n = {int(n):,})"
    off = np.flatnonzero(~shares_agree(p, w, n))
    if off.size > off_by_chance(len(w)):
        modes = "; ".join(f"mode {k + 1} holds {100 * p[k]:.1f} % against its weight {100 * w[k]:.1f} %"
                          for k in off[:3]) + ("; …" if off.size > 3 else "")
        return f"sliced W₂ sees mass moved between modes: {modes}, beyond {noise}"
    k = int(np.argmax(np.abs(p - w)))
    shares = (f"every mode's share in the table lies within {noise} of its weight" if not off.size else
              f"{off.size} of {len(w):,} mode shares lie off their weights beyond {noise}, no more than the "
              f"{off_by_chance(len(w)):.1f} that chance alone puts there")
    within = (f"here no mass moved between modes shows: {shares} (the farthest, mode {k + 1}, {100 * p[k]:.1f} % "
              f"against {100 * w[k]:.1f} %), so "
              "what sliced W₂ sees is how the samples sit in and around each mode")
    return within + (f": {fit_reading(fit)}" if fit is not None else " (how wide and how shaped it is drawn)")


def likelihood_cause(fit: dict, side: str) -> str:
    """What puts samples in less (side "less") or more ("more") likely places than true samples, as
    far as mode_fit measures it, with its numbers; "" where it measures no cause. Less: "widened
    modes" where the share inside the innermost contour (of those inside the outermost) is below the
    truth's (fit_differs), else "samples off the modes" where the share outside the outermost contour
    is above the truth's, the modes then said no wider (or tighter). More: "modes drawn too narrow"
    where that share inside the innermost is above the truth's."""
    off, core = fit_words(fit)
    spread, strays = fit_differs(fit, "core"), fit_differs(fit, "off")
    if side == "more":
        return f"that is modes drawn too narrow: {core}" if spread > 0 else ""
    if spread < 0:
        return f"that is widened modes: {core}; {off}"
    if strays > 0:
        how = "tighter than the truth" if spread > 0 else "no wider than the truth beyond the noise"
        return (f"that is samples off the modes, not widened modes: {off}, while on the modes they are drawn "
                f"{how} ({core})")
    return ""


SAMPLE_SETS = ("learned score", "exact score (reference)", "true samples")
FINE_GRID_MODES = 50    # up to this many modes the samples panels' contours use a 240 x 240 grid (narrow modes), else 120


@state.cache_data(max_entries=16)
def samples_png(learned: np.ndarray, exact: np.ndarray, truth: np.ndarray, gmm, seed: int = 0) -> bytes:
    """The samples panels: each set's samples as dots over p₀'s contours holding MASSES of its mass."""
    return figure_png(mass_dots_figure(gmm, list(zip(SAMPLE_SETS, (learned, exact, truth))),
                                       [tfig.LEARNED_COLOR, tfig.EXACT_COLOR, tfig.TRUTH_COLOR], seed))


ZOOM_SHARE = 0.1        # modes whose mean ± 3 × narrowest std spans less than this share of the view get a close-up
ZOOM_STDS = 6.0         # the close-up shows its mode's mean ± this many of the mode's narrowest std
ZOOM_ROWS = 3           # at most this many close-up rows
ZOOM_GRID = 100         # a close-up's density grid per side (its contours are near ellipses: a coarser grid draws them)
UNSHOWN_NAMED = 4       # at most this many small modes left out of the close-ups are named one by one


def mode_stds(gmm) -> np.ndarray:
    """Each mode's largest std (the square root of its covariance's top eigenvalue)."""
    return torch.linalg.eigvalsh(gmm.covs.double())[:, -1].clamp_min(0).sqrt().numpy()


def mode_narrow_stds(gmm) -> np.ndarray:
    """Each mode's narrowest std (the square root of its covariance's lowest eigenvalue): its width across."""
    return torch.linalg.eigvalsh(gmm.covs.double())[:, 0].clamp_min(0).sqrt().numpy()


def view_side(gmm) -> float:
    """The narrower side of the dots panels' view (samples_limits)."""
    xlim, ylim = samples_limits(gmm)
    return float(min(xlim[1] - xlim[0], ylim[1] - ylim[0]))


def small_modes(gmm) -> list[int]:
    """The modes whose mean ± 3 × narrowest std spans under ZOOM_SHARE of the dots panels' view
    (view_side): across that direction their dots hide their mass contours there; none for one mode
    (samples_limits frames it)."""
    if gmm.n_components < 2:
        return []
    return [int(k) for k in np.flatnonzero(6 * mode_narrow_stds(gmm) < ZOOM_SHARE * view_side(gmm))]


def drawn_shares(gmm, sets) -> np.ndarray:
    """Each drawn set's mode shares (rows: sets (label, points) in order; dc.mode_weights, the most
    responsible mode), as the page's mode-share bars count them."""
    return np.array([dc.mode_weights(np.asarray(x, dtype=float).reshape(-1, 2), gmm).double().numpy()
                     for _, x in sets]).reshape(len(sets), gmm.n_components)


def zoom_modes(gmm, sets=()) -> list[int]:
    """The modes the dots panels draw close up, one row each: the small modes (small_modes) with the
    largest of their weight and their share in any drawn set (sets: (label, points) pairs, drawn_shares),
    so that a mode a sampler over-fills is shown; at most ZOOM_ROWS, largest first (the first of equal ones)."""
    small = small_modes(gmm)
    if not small:
        return []
    key = gmm.weights.double().numpy()
    if len(sets):
        key = np.maximum(key, drawn_shares(gmm, sets).max(axis=0))
    order = sorted(small, key=lambda k: (-round(float(key[k]), 12), k))
    return order[:ZOOM_ROWS]


def zoom_mode(gmm, sets=()) -> int | None:
    """The first close-up's mode (zoom_modes); None where no mode is small."""
    shown = zoom_modes(gmm, sets)
    return shown[0] if shown else None


def zoom_limits(gmm, k: int):
    """The close-up of mode k: its mean ± ZOOM_STDS × its narrowest std on both axes, so that it shows
    the mode across its narrow direction (a round mode whole)."""
    h, m = ZOOM_STDS * float(mode_narrow_stds(gmm)[k]), gmm.means[k].double().numpy()
    return (float(m[0] - h), float(m[0] + h)), (float(m[1] - h), float(m[1] + h))


def mass_dots_figure(gmm, sets, colors, seed: int = 0):
    """One panel per sample set (label, points (N, 2)) in its colour: the samples as dots over p₀'s
    contours holding MASSES of its mass (tfig.samples_dots_figure), on samples_limits (every mode's
    mean ± 3 std and a margin: no contour reaches the frame). Dots show how wide each mode is
    drawn, which a kernel density estimate wider than a narrow mode hides. Where modes are small in
    that view (small_modes), a row per mode of zoom_modes draws it close up (zoom_limits)."""
    sets = list(sets)
    xx, yy, logp = density_grid(gmm, *samples_limits(gmm), n=240 if gmm.n_components <= FINE_GRID_MODES else 120)
    zoom = [(*density_grid(gmm, *zoom_limits(gmm, k), n=ZOOM_GRID), f"mode {k + 1}, close up") for k in zoom_modes(gmm, sets)]
    return tfig.samples_dots_figure(xx, yy, logp, sets, colors, mass_levels(gmm, seed), MASSES, zoom=zoom or None)


def zoom_text(gmm, sets: dict | None = None) -> str:
    """The close-up rows of mass_dots_figure in words, from the numbers they are drawn with ("" without
    one): which modes are small in the view and how small, which ones the rows below show (zoom_modes,
    sets: each drawn set's words → its points, in the figure's order), how wide, and the small modes
    that no row shows, each with its weight and its shares in the drawn sets."""
    sets = dict(sets or {})
    pairs = list(sets.items())
    shown = zoom_modes(gmm, pairs)
    if not shown:
        return ""
    small = small_modes(gmm)
    every = len(small) == gmm.n_components
    its = "its" if every or len(small) == 1 else "their"
    shares = drawn_shares(gmm, pairs) if pairs else np.zeros((0, gmm.n_components))
    widths = [f"{2 * ZOOM_STDS * float(mode_narrow_stds(gmm)[k]):.2g}" for k in shown]
    widths = widths[:1] if len(set(widths)) == 1 else widths
    each = "each " if len(shown) > 1 and len(widths) == 1 else ""
    size = (f"{each}{vocabulary.and_list(widths)} wide ({'each its' if len(widths) > 1 else 'its'} mean "
            f"± {ZOOM_STDS:g} of its narrowest std)")
    rows = "the second row shows" if len(shown) == 1 else f"the {len(shown)} rows below show"
    return (f" {small_words(gmm, small, every)}, so {its} dots hide {its} lines: {rows} "
            f"{zoom_choice_words(gmm, small, shown, shares, list(sets))} close up, {size}, where a mode drawn too "
            "wide or too narrow shows"
            f"{unshown_words(gmm, small, shown, shares)}.")


def small_words(gmm, small: list[int], every: bool) -> str:
    """Which modes are small in the dots panels' view, with the widest one's span across its narrowest
    direction, the view's, the long ones among them (spanning at least ZOOM_SHARE of the view along
    their widest direction) and (where some are not small) the narrowest span of a mode that is not."""
    narrow, wide, side = 6 * mode_narrow_stds(gmm), 6 * mode_stds(gmm), view_side(gmm)
    widest = float(narrow[small].max())
    view = f"mean ± 3 std across its narrowest direction, of a view {side:.2g} wide"
    long = [k for k in small if wide[k] >= ZOOM_SHARE * side]
    along = ("; " + "; ".join(f"mode {k + 1} is {wide[k]:.2g} long but {narrow[k]:.2g} across" for k in long)
             if long else "")
    if every:
        return f"Every mode is small in this view (the widest spans {widest:.2g}, {view}{along})"
    others = [k for k in range(gmm.n_components) if k not in small]
    big = float(narrow[others].min())
    rest = (f"mode {others[0] + 1} spans {big:.2g}" if len(others) == 1
            else f"modes {vocabulary.and_list([o + 1 for o in others])} span {big:.2g} or more")
    if len(small) == 1:
        return f"Mode {small[0] + 1} is small in this view (it spans {widest:.2g}, {view}{along}, where {rest})"
    return (f"Modes {vocabulary.and_list([m + 1 for m in small])} are small in this view (the widest of them "
            f"spans {widest:.2g}, {view}{along}, where {rest})")


def mode_share_words(gmm, k: int, shares: np.ndarray) -> str:
    """Mode k's weight and its share in each drawn set (shares: drawn_shares), e.g. "2 %; 20.3 %, 2.0 %"."""
    w = f"{100 * float(gmm.weights.double()[k]):.3g} %"
    return w + "".join(f"{'; ' if i == 0 else ', '}{100 * s:.1f} %" for i, s in enumerate(shares[:, k]))


def zoom_choice_words(gmm, small: list[int], shown: list[int], shares: np.ndarray, names: list) -> str:
    """The close-ups' modes in words, each with its weight and its shares in the drawn sets (names: their
    words, in order; the brackets' legend where there are any), and, where some small modes are left
    out, why these are the ones drawn: the small modes of the largest weight or share in a drawn set."""
    modes = vocabulary.and_list([f"{k + 1} ({mode_share_words(gmm, k, shares)})" for k in shown])
    label = f"mode{'s' if len(shown) > 1 else ''} {modes}"
    if names:
        label += f" (in brackets: weight; {', '.join(names)})"
    if len(shown) == len(small):
        return label
    return f"{label}, the small modes of the largest weight or share in a panel,"


def unshown_words(gmm, small: list[int], shown: list[int], shares: np.ndarray) -> str:
    """The small modes that no close-up shows (up to UNSHOWN_NAMED named, the rest counted, with the
    largest weight and share among them), each with its weight and shares as zoom_choice_words prints
    them; "" where every small mode is shown."""
    rest = [m for m in small if m not in shown]
    if not rest:
        return ""
    named = [f"{m + 1} ({mode_share_words(gmm, m, shares)})" for m in rest[:UNSHOWN_NAMED]]
    if len(rest) > UNSHOWN_NAMED:
        more = rest[UNSHOWN_NAMED:]
        top = float(gmm.weights.double().numpy()[more].max())
        if shares.size:
            top = max(top, float(shares[:, more].max()))
        named.append(f"{len(more)} more (none above {100 * top:.1f} % in weight or share)")
    verb = "are" if len(rest) > 1 else "is"
    return f"; mode{'s' if len(rest) > 1 else ''} {vocabulary.and_list(named)} {verb} small too and not shown close up"


def mass_picture_text(sets: dict, gmm, seed: int) -> str:
    """What mass_dots_figure's panels draw and what they show of W₁ of log p₀, from the panels' own
    numbers: sets maps each set's words ("the true samples") to the samples drawn; the share of each
    set outside p₀'s contour holding the most mass (MASSES), against that contour's own 1 − mass."""
    n = max(len(x) for x in sets.values())
    k = tfig.dots_stride(n)
    shown = "its samples as dots" if k == 1 else f"one in every {k:,} of its samples as a dot"
    lines = ", ".join(f"{100 * m:g} %" for m in MASSES[:-1]) + f" and {100 * MASSES[-1]:g} %"
    level = mass_levels(gmm, seed)[-1]
    parts = [f"**{100 * outside_share(x, gmm, level):.1f} %** of {words}" for words, x in sets.items()]
    outside = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return (f"Each panel shows {shown} over the contours of p₀ that hold {lines} of its mass (black lines): "
            "a mode drawn wider than it is shows as dots beyond its lines, one drawn too narrow as dots "
            f"packed inside the innermost. The outermost line holds {100 * MASSES[-1]:g} % of p₀'s mass, so "
            f"{100 * (1 - MASSES[-1]):g} % of p₀'s own samples lie outside it; here {outside} do. W₁ of log p₀ "
            "reads the same thing: how likely under p₀ the samples are." + zoom_text(gmm, sets))


def remember_trained(cfg: dc.TrainConfig, lam: float) -> None:
    """Record the config and lambda of the last model that trained well in this session."""
    st.session_state["last_trained_model"] = (cfg, float(lam))


def last_trained() -> tuple[dc.TrainConfig, float] | None:
    """(cfg, lam) of the last model that trained well on the Train & sample page, or None."""
    entry = st.session_state.get("last_trained_model")
    if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], dc.TrainConfig)):
        return None
    return entry


ARCHITECTURE = ("depth", "activation", "fourier_dim", "precond")   # what names a recipe (not editable)


def recipe_of(cfg: dc.TrainConfig) -> str | None:
    """The named recipe (a key of RECIPES) whose architecture cfg has, or None (a custom recipe)."""
    return next((r for r, make in RECIPES.items()
                 if all(getattr(make(), f) == getattr(cfg, f) for f in ARCHITECTURE)), None)


def learned_source(learned=None) -> str:
    """Which network learned_model() gives (or the (cfg, lam) it gave, `learned`), in words."""
    last = last_trained()
    if learned is None:
        from_train = last is not None
    else:
        from_train = last is not None and (last[0], float(last[1])) == (learned[0], float(learned[1]))
    return ("last trained on Train & sample" if from_train else
            "Train & sample shows by default (trained once for the whole server)")


def describe_training(cfg: dc.TrainConfig, lam: float) -> str:
    """A trained model's recipe and settings in words, e.g. "the tutorial's recipe (500 steps,
    full batch of 10,000, learning rate 0.005, width 50, ε = 0.01), λ = 25, seed 2021"; a recipe
    whose architecture matches neither named one is "a custom recipe"."""
    recipe = recipe_of(cfg)
    name = recipe_name(recipe) if recipe is not None else "a custom recipe"
    batch = f"minibatches of {cfg.batch_size:,}" if cfg.batch_size else f"full batch of {cfg.n_data:,}"
    return (f"{name} ({cfg.steps:,} steps, {batch}, learning rate {cfg.lr:g}, "
            f"width {cfg.width}, ε = {cfg.eps:g}), λ = {lam:g}, seed {cfg.seed}")


def learned_model(recipe: str | None = None):
    """(cfg, lam) of a trained network ready for the sidebar's mixture and device, or None.

    recipe None: the model last trained on the Train & sample page in this session; without one,
    the Train page's default model (our recipe at the sidebar's seed, DEFAULT_LAM) when the server
    has trained it (the warm-up does for the lesson's mixtures). recipe "ours" or "tutorial": the
    model last trained on Train & sample when it is of that recipe and ready, else that recipe's
    default model (Train & sample's default settings for it) when the server has trained it."""
    s = state.settings()
    last = last_trained()
    if recipe is None:
        candidates = [last or (default_config("ours", s.seed), DEFAULT_LAM)]
    else:
        candidates = [last] if last is not None and recipe_of(last[0]) == recipe else []
        candidates.append((default_config(recipe, s.seed), DEFAULT_LAM))
    gmm = state.current_mixture()
    for cfg, lam in candidates:
        try:
            ready = is_trained(cfg, gmm, float(lam), s.device)
        except Exception:                  # a stale or foreign entry: treat as not trained
            continue
        if ready and not trained_model(cfg, gmm, float(lam), s.device).diverged:
            return cfg, float(lam)
    return None


def standard_error(rate: float, n: int) -> float:
    """The binomial standard error sqrt(p (1 - p) / n) of a rate p measured on n samples (at
    least that of one sample in n, so that a rate of 0 or 1 still gets an error bar)."""
    p = min(max(float(rate), 1.0 / n), 1.0 - 1.0 / n) if n > 1 else 0.5
    return float(np.sqrt(p * (1.0 - p) / max(1, int(n))))


def diff_se(a: float, n_a: int, b: float, n_b: int) -> float:
    """The standard error of the difference of two measured shares, a of n_a and b of n_b draws:
    √(a(1 − a)/n_a + b(1 − b)/n_b), each from its own share (standard_error)."""
    return float(np.hypot(standard_error(a, n_a), standard_error(b, n_b)))


def count_noise(a: int, b: int) -> float:
    """The noise of a difference of two counts of rare events (Poisson): two standard deviations
    of a − b, 2·√(a + b)."""
    return 2.0 * float(np.sqrt(int(a) + int(b)))


def counts_differ(a: int, b: int) -> bool:
    """Whether two counts differ by more than count_noise: |a − b| > 2·√(a + b)."""
    return abs(int(a) - int(b)) > count_noise(a, b)


def count_gap(a: int, b: int) -> str:
    """Two counts' difference against count_noise, in words: "19 apart, beyond two counts' noise,
    2√(21 + 40) = 15.6"; equal counts are "the same count"."""
    if int(a) == int(b):
        return "the same count"
    tol = count_noise(a, b)
    return (f"{abs(int(a) - int(b))} apart, {'beyond' if counts_differ(a, b) else 'within'} two "
            f"counts' noise, 2√({int(a)} + {int(b)}) = {tol:.1f}")
