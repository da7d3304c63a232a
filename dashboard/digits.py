"""The Digits page's trained network and cached computations.

The network is held like every trained thing (dashboard.trained.once, through lessons.trained):
one slot per (config, device) for the whole server, trained outside the cache with a live
progress bar, once.
Everything else is st.cache_data keyed by value: the samples per (model, w, sampler, budget,
seed), the films, the memorization pairs and the measures, as plain arrays.
"""
from __future__ import annotations

import numpy as np
import streamlit as st
import torch

import diffusion_core as dc
from diffusion_core import digits as dg
from diffusion_core.memorization import nearest
from dashboard import lessons, state

PER_ROW = 8               # samples drawn per class in the grid
PER_CLASS_MEASURED = 20   # samples per class behind the page's measures (200 in all)
MEMO_N = 6                # pairs shown per source in the memorization panel
EXACT_METHOD, EXACT_BUDGET = "sde", 100
QUALITY_METHODS = ("sde", "ode", "dpm2m", "dpm2m_sa")
QUALITY_BUDGETS = (10, 20, 50)
QUALITY_PER_CLASS = 10


def config(steps: int, seed: int) -> dc.DigitsConfig:
    """The default recipe with the page's number of steps and the sidebar's seed (warmup kept
    below the steps, about 20 logged rows at least)."""
    base = dc.DigitsConfig()
    warmup = min(base.train.warmup, max(0, int(steps) // 5))
    log_every = min(base.train.log_every, max(1, int(steps) // 20))
    return base.with_train(steps=int(steps), warmup=warmup, log_every=log_every, seed=int(seed))


def is_trained(cfg: dc.DigitsConfig, device: str) -> bool:
    return lessons.is_trained("digits", cfg, None, cfg.lam, device)


def model(cfg: dc.DigitsConfig, device: str = "cpu", progress=None):
    """The class-conditional digits network of cfg on device, trained on first request."""
    return lessons.trained("digits", cfg, None, cfg.lam, device,
                           lambda cb: dg.train_digits_model(cfg, device=device, callback=cb),
                           "digits score network", progress)


def finite(net) -> bool:
    """Whether every weight of the network is finite (False: the training diverged)."""
    return all(bool(torch.isfinite(p).all()) for p in net.parameters())


def bad_settings(prefix: str) -> list[str]:
    """Messages for this page's settings in Session State that break their schema rule (from a
    link, a file or a test); each such value is put back to its default."""
    out = []
    for key, f in state.sio.SCHEMA.items():
        if key.startswith(prefix) and key in st.session_state:
            try:
                state.sio.check_value(key, f, st.session_state[key])
            except ValueError as e:
                out.append(f"{e}. Back to the default, {f.default}.")
                st.session_state[key] = f.default
    return out


@st.cache_resource(show_spinner=False)
def judge(test_fraction: float, split_seed: int):
    """(classifier, its held-out accuracy, mean nearest-training distance of the held-out
    digits)."""
    data = dc.load_digits_split(test_fraction, split_seed)
    clf, acc = dg.fit_digit_classifier(data)
    held = float(nearest(data.x_test, data.x_train)[0].mean())
    return clf, acc, held


@st.cache_data(show_spinner=False)
def facts(lam: float, test_fraction: float, split_seed: int) -> dict:
    """Numbers the page's introduction states: images, sigma_1, the largest distance between two
    training digits."""
    data = dc.load_digits_split(test_fraction, split_seed)
    sigma1 = float(dc.VESDE(lam).sigma(torch.tensor(1.0, dtype=torch.float64)))
    far = float(torch.cdist(data.x_train.double(), data.x_train.double()).max())
    return {"n": len(data.x_train) + len(data.x_test), "sigma1": sigma1, "far": far}


def _measures(x, labels, cfg) -> dict:
    data = cfg.data()
    return dg.digit_measures(x, labels, data, judge(cfg.test_fraction, cfg.split_seed)[0])


@state.cache_data(max_entries=64)
def samples(cfg: dc.DigitsConfig, device: str, w: float, method: str, budget: int, seed: int):
    """PER_CLASS_MEASURED samples per class at guidance w: (images (10, PER_ROW, 64) in pixels,
    measures of all of them, nfe)."""
    net, _ = model(cfg, device)
    labels = torch.arange(dg.DIGITS_CLASSES).repeat_interleave(PER_CLASS_MEASURED)
    res = dg.guided_digits(net, cfg.sde, labels, w, method, budget, seed)
    pix = dc.to_pixels(res.x).reshape(dg.DIGITS_CLASSES, PER_CLASS_MEASURED, -1)[:, :PER_ROW]
    return pix, _measures(res.x, labels, cfg), res.nfe


@state.cache_data(max_entries=32)
def film(cfg: dc.DigitsConfig, device: str, w: float, y: int, seed: int):
    """The denoising film of one sample of class y and the forward process on a training digit
    of class y: dict of times, sigmas, xt, denoised (pixels) and forward (pixels, ascending)."""
    net, _ = model(cfg, device)
    score = dg.digits_score(net, torch.tensor([int(y)]), w)
    t, s, xt, den = dg.denoising_film(score, cfg.sde, seed=seed)
    data = cfg.data()
    real = data.x_train[data.y_train == int(y)][seed % 20]
    fwd = dg.forward_film(real, cfg.sde, dg.FILM_LEVELS[::-1], seed=seed)
    return {"t": t, "sigma": s, "xt": dc.to_pixels(xt), "denoised": dc.to_pixels(den),
            "forward": dc.to_pixels(fwd), "forward_t": np.array(dg.FILM_LEVELS[::-1]),
            "forward_sigma": cfg.sde.sigma(torch.tensor(dg.FILM_LEVELS[::-1], dtype=torch.float64)).numpy()}


@state.cache_data(max_entries=16)
def memorization(cfg: dc.DigitsConfig, device: str, seed: int):
    """MEMO_N samples of the exact empirical score and of the network (conditional, w = 1), each
    with its nearest training image and distance; plus the held-out digits' mean distance."""
    data = cfg.data()
    labels = torch.arange(MEMO_N) % dg.DIGITS_CLASSES
    xs = {"exact": dg.exact_digits(data.x_train, data.y_train, labels, cfg.sde, EXACT_METHOD,
                                   EXACT_BUDGET, seed)}
    net, _ = model(cfg, device)
    xs["network"] = dg.guided_digits(net, cfg.sde, labels, 1.0, EXACT_METHOD, EXACT_BUDGET, seed).x
    out = {"held": judge(cfg.test_fraction, cfg.split_seed)[2]}
    for name, x in xs.items():
        d, i = nearest(x, data.x_train)
        out[name] = {"x": dc.to_pixels(x), "nearest": dc.to_pixels(data.x_train[i]), "d": d.numpy()}
    return out


@state.cache_data(max_entries=8)
def quality(cfg: dc.DigitsConfig, device: str, w: float, seed: int):
    """Fréchet distance and accuracy per sampler and budget (QUALITY_PER_CLASS per class), as
    rows of dicts, and the Fréchet distance of as many real training digits (the level that
    sample size allows)."""
    net, _ = model(cfg, device)
    data = cfg.data()
    clf = judge(cfg.test_fraction, cfg.split_seed)[0]
    rows = dg.sampler_quality(net, cfg.sde, data, clf, QUALITY_METHODS, QUALITY_BUDGETS, w,
                              QUALITY_PER_CLASS, seed)
    pick = torch.randperm(len(data.x_train), generator=torch.Generator().manual_seed(seed))
    n = dg.DIGITS_CLASSES * QUALITY_PER_CLASS
    return rows, dg.frechet_distance(data.x_train[pick[:n]], data.x_test)

