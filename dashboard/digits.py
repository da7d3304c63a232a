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
from dashboard import lessons, models, state, vocabulary

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


W_STEP = 0.25      # the guidance slider's step


def w_values() -> np.ndarray:
    """Every value the guidance slider can take (its range in the settings schema, W_STEP apart)."""
    f = state.sio.SCHEMA["w_digits_w"]
    return np.round(np.arange(f.lo, f.hi + W_STEP / 2, W_STEP), 10)


def train_defaults(device: str = "cpu", before_each=None) -> None:
    """Train the page's network at default settings and fit its judge (the server's warm-up,
    while nobody clicks: the first visit then only samples); then sample the grid and the film at
    every w of the slider at the page's default sampler, budget, class and seed, so that moving w
    there reruns from the cache (a new w costs about 0.4 s of sampling on 2 cores otherwise)."""
    schema = state.sio.SCHEMA
    cfg = config(schema["w_digits_steps"].default, state.DEFAULT_SEED)
    if models.queue_stopped():
        return
    if not is_trained(cfg, device):
        if before_each is not None:
            before_each()
        model(cfg, device)
        judge(cfg.test_fraction, cfg.split_seed)
    method, budget = schema["w_digits_method"].default, schema["w_digits_budget"].default
    for w in w_values():
        if models.queue_stopped():
            return
        if before_each is not None:
            before_each()
        samples(cfg, device, float(w), method, budget, state.DEFAULT_SEED)
        film(cfg, device, float(w), schema["w_digits_class"].default, state.DEFAULT_SEED)


def model(cfg: dc.DigitsConfig, device: str = "cpu", progress=None):
    """The class-conditional digits network of cfg on device, trained on first request."""
    return lessons.trained("digits", cfg, None, cfg.lam, device,
                           lambda cb: dg.train_digits_model(cfg, device=device, callback=cb),
                           "digits score network", progress)


def finite(net) -> bool:
    """Whether every weight of the network is finite (False: the training diverged)."""
    return all(bool(torch.isfinite(p).all()) for p in net.parameters())


def bad_settings(prefix: str, own_message: tuple[str, ...] = ()) -> list[str]:
    """Messages for this page's settings in Session State that break their schema rule (from a
    link, a file or a test); each such value is put back to its default. Keys in own_message are
    left alone: their number fields (state.number_field) keep the value as typed and say the
    allowed range under the field."""
    out = []
    for key, f in state.sio.SCHEMA.items():
        if key.startswith(prefix) and key in st.session_state and key not in own_message:
            try:
                state.sio.check_value(key, f, st.session_state[key])
            except ValueError as e:
                out.append(f"{e}. Back to the default, {f.default}.")
                st.session_state[key] = f.default
    return out


def budget_bounds(value, key: str) -> dict:
    """The budget field's range as number_input keywords (the schema's), so the browser's field
    cannot leave it; none while the value held is already outside it (from a link or a file: it
    stays as typed, with the field's message)."""
    f = state.sio.SCHEMA[key]
    lo, hi = int(f.lo), int(f.hi)
    return {"min_value": lo, "max_value": hi} if value is None or lo <= value <= hi else {}


@st.cache_resource(show_spinner=False)
def judge(test_fraction: float, split_seed: int):
    """(classifier, its held-out accuracy, mean nearest-training distance of the held-out
    digits)."""
    data = dc.load_digits_split(test_fraction, split_seed)
    clf, acc = dg.fit_digit_classifier(data)
    held = float(nearest(data.x_test, data.x_train)[0].mean())
    return clf, acc, held


def sigma_text(sigma: float) -> str:
    """A noise level σ as the page prints it everywhere (the intro's σ₁, the film's titles and
    sentence): two decimals, so that σ₁ reads the same in every place."""
    return f"{sigma:.2f}"


def intro_sentence(facts: dict, lam: float) -> str:
    """The page's introduction, from facts(): the data, the VE process with its σ₁ (sigma_text)
    against the largest distance between two training digits, the loss and the guidance."""
    more = "more" if facts["sigma1"] > facts["far"] else "less"
    return (f"Every other page diffuses 2D points. Here p₀ is scikit-learn's {facts['n']:,} handwritten "
            f"digits: 8×8 images, d = 64, pixels scaled to [−1, 1]. The same VE process (λ = {lam:g}, "
            f"σ₁ = {sigma_text(facts['sigma1'])}, {more} than the largest distance between two training "
            f"digits, {facts['far']:.1f}), the same DSM loss and the same samplers; the network is "
            "class-conditional with a null class, so classifier-free guidance works as on the "
            "*Guidance* page: s + w (s(· | y) − s), w = 0 ignores the class, w = 1 is the conditional model.")


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
    of class y at the film's own times (column by column the same sigma): dict of times, sigmas,
    xt, denoised, forward (pixels, one row per frame, descending t), forward_t, forward_sigma, and
    read (the judge's class of each frame's denoised guess)."""
    net, _ = model(cfg, device)
    score = dg.digits_score(net, torch.tensor([int(y)]), w)
    t, s, xt, den = dg.denoising_film(score, cfg.sde, seed=seed)
    data = cfg.data()
    real = data.x_train[data.y_train == int(y)][seed % 20]
    fwd = dg.forward_film(real, cfg.sde, t, seed=seed)
    read = judge(cfg.test_fraction, cfg.split_seed)[0].predict(den)
    return {"t": t, "sigma": s, "xt": dc.to_pixels(xt), "denoised": dc.to_pixels(den),
            "forward": dc.to_pixels(fwd), "forward_t": np.asarray(t),
            "forward_sigma": cfg.sde.sigma(torch.as_tensor(t, dtype=torch.float64)).numpy(),
            "read": np.asarray(read, dtype=int)}


def asked(w: float) -> str:
    """How the grid's rows and the film name the class they asked for, and what w does with it."""
    return ("w = 0 ignores the label: the unconditional model draws whatever digit it likes"
            if w == 0 else f"w = {w:g} steers the sample towards the digit asked for")


CHANCE = 1.0 / dg.DIGITS_CLASSES     # the share a classifier reading noise gets right
NOT_DIGITS = 3.0                     # NN distance ratio above which the samples are far from every digit


def grid_sentence(w: float, m: dict, nfe: int, n: int) -> str:
    """The grid caption's claim about w, from the measures of all n samples (m: digit_measures).
    First the requested digit's accuracy against chance (10 %, with two binomial standard
    errors): above it, the samples follow the label, whatever their distances;
    at chance with w > 0, they are not digits yet if they also lie far from every training image
    (NN distance ratio above NOT_DIGITS), else they ignore the label. At w = 0 the label is
    ignored, so accuracy cannot tell digits from noise: only the distances are reported. Poor
    distances (ratio above NOT_DIGITS) are said separately from whether the samples are digits."""
    acc, ratio = m["accuracy"], m["nn_ratio"]
    at_chance = acc <= CHANCE + 2 * np.sqrt(CHANCE * (1 - CHANCE) / n)
    far = not np.isfinite(ratio) or ratio > NOT_DIGITS
    shown = "not finite" if not np.isfinite(ratio) else f"{ratio:.2f}"
    distance = (f"their distance to the nearest training image is {shown} times the held-out "
                "digits' (NN distance ratio)")
    measured = (f"Measured on all {n}: the classifier reads the requested digit in {acc:.1%} of them "
                f"(chance: {CHANCE:.0%})")
    if w != 0 and at_chance and far:
        return (f"w = {w:g} asks for the digit, but at {nfe} score evaluations the samples are not "
                f"digits yet: {distance}. {measured}, no better than chance.")
    if w != 0 and at_chance:
        return (f"w = {w:g} asks for the digit, but the samples do not follow it here. {measured}, "
                "no better than chance.")
    if w == 0 and far:
        return (f"{asked(w)}, so the accuracy cannot tell whether the samples are digits; at {nfe} "
                f"score evaluations they lie far from every training image: {distance}. {measured}.")
    if far:
        return (f"{asked(w)}. {measured}, above chance: the samples follow the label. Their "
                f"distances are poor, though: at {nfe} score evaluations {distance}.")
    return f"{asked(w)}. {measured}."


def grid_labels(w: float) -> tuple[str, list[str]]:
    """The sample grid's heading and row labels: the rows are what was asked for, which the
    samples follow only when w > 0."""
    head = ("Samples, one row per requested digit (ignored at w = 0)" if w == 0 else
            "Samples, one row per requested digit")
    return head, [f"asked for {k}" for k in range(dg.DIGITS_CLASSES)]


def decided(read, final: int) -> int:
    """The first frame from which the judge reads the final class in every later frame."""
    read = np.asarray(read)
    same = read == final
    k = len(read) - 1
    while k > 0 and same[k - 1]:
        k -= 1
    return k


def frechet_size_note(n: int) -> str:
    """The Fréchet distance grows as the sample shrinks (a covariance from few samples adds its own
    distance): the grid's value, from n samples, is comparable only with values from as many."""
    m = dg.DIGITS_CLASSES * QUALITY_PER_CLASS
    if n == m:
        return f"It is measured on {n} samples, as each point of Measure's chart below."
    return (f"It is measured on these {n} samples; each point of Measure's chart below uses {m}, and a "
            f"Fréchet distance from {'more' if n > m else 'fewer'} samples comes out "
            f"{'lower' if n > m else 'higher'} by itself: compare the grid's value with the chart's "
            "only as a rough guide.")


def a(digit: int) -> str:
    """"a 3", "an 8": the article English puts before a digit's name."""
    return f"an {digit}" if int(digit) == 8 else f"a {digit}"


def film_sentence(f: dict, y: int, w: float) -> str:
    """The film's caption, from its numbers: the classifier's reading of each frame's D(xₜ, σ), and
    the noise level from which it reads the final digit for good (early: the shape is decided
    while the noise is large; late: at small σ)."""
    read, sig = f["read"], f["sigma"]
    final = int(read[-1])
    k = decided(read, final)
    n = len(read)
    got = (f"the final sample is read as {a(final)}" + ("" if final == y or w == 0 else
           f", not the {y} asked for"))
    if k < n // 2 and w > 0 and final == y:
        guess = (f"the network's guess at that noise is close to the average {y}" if w == 1 else
                 f"the guess drawn is the guided one, D₀ + w (D₁ − D₀) with w = {w:g}: the "
                 f"unconditional guess D₀ moved {w:g} times the way to the conditional guess D₁, "
                 f"which at that noise is close to the average {y}")
        other = [str(i + 1) for i in range(k) if int(read[i]) != final]     # frames before k read otherwise
        start = (f"already at the first frame (σ = {sigma_text(sig[0])})" if k == 0 else
                 f"for good from frame {k + 1} of {n} (σ = {sigma_text(sig[k])}; the classifier reads "
                 f"frame{'s' if len(other) > 1 else ''} {', '.join(other)} otherwise)")
        when = (f"it reads {a(final)} {start}: told the label, {guess}, so an early reading of "
                f"{a(y)} is the label coming back, not a shape this sample has chosen; the later "
                "columns decide its own strokes")
    elif k == 0:
        when = (f"it reads {a(final)} already at the first frame (σ = {sigma_text(sig[0])}): the shape is "
                "decided while the noise is largest, the later columns only sharpen strokes")
    elif k < n // 2:
        when = (f"it reads {a(final)} for good from frame {k + 1} of {n} (σ = {sigma_text(sig[k])}): the "
                "shape is decided while the noise is still large, the later columns only sharpen "
                "strokes")
    else:
        when = (f"it reads {a(final)} for good only from frame {k + 1} of {n} (σ = {sigma_text(sig[k])}): "
                "here the shape is decided late, at small σ")
    return (f"One reverse-SDE path asked for {a(y)} ({asked(w)}): the noisy xₜ, and the denoised "
            "guess D(xₜ, σ) = xₜ + σ² s(xₜ, t). The classifier (the judge above) reads each frame's guess as "
            + ", ".join(str(int(r)) for r in read) + f"; {got}, and {when}. Bottom row: the forward "
            "process on a real training digit of that class at each column's σ (left: most noise).")


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
    rows of dicts; the Fréchet distance of as many real training digits (the level that sample
    size allows); and the spread (largest − smallest) of that distance over REAL_SETS disjoint
    sets of real digits: how far apart two equally good samplers can score."""
    net, _ = model(cfg, device)
    data = cfg.data()
    clf = judge(cfg.test_fraction, cfg.split_seed)[0]
    rows = dg.sampler_quality(net, cfg.sde, data, clf, QUALITY_METHODS, QUALITY_BUDGETS, w,
                              QUALITY_PER_CLASS, seed)
    pick = torch.randperm(len(data.x_train), generator=torch.Generator().manual_seed(seed))
    n = dg.DIGITS_CLASSES * QUALITY_PER_CLASS
    real = [dg.frechet_distance(data.x_train[pick[k * n:(k + 1) * n]], data.x_test) for k in range(REAL_SETS)]
    return rows, real[0], max(real) - min(real)


REAL_SETS = 6      # disjoint sets of real training digits whose Fréchet distances give the spread


def quality_sentence(rows, ref: float, spread: float | None = None) -> str:
    """The quality chart's caption from its rows: the best sampler per budget with the others within
    the real digits' own value (ref, the noise level) of it, and every sampler's value at the
    smallest budget in the rows' (the menu's) order, not ranked, each sampler by its short name (the legend's and the page's sampler menu's),
    with the evaluations each used where that differs from the budget (as the chart draws them);
    the real digits' own value (ref) as a noise level, and which samplers fall below it."""
    def used(r):
        n = int(r.get("nfe", r["budget"]))
        return "" if n == r["budget"] else f", at {n} evaluations"
    best = {b: min((r for r in rows if r["budget"] == b), key=lambda r: r["frechet"])
            for b in QUALITY_BUDGETS}
    first = [r for r in rows if r["budget"] == QUALITY_BUDGETS[0]]      # the menu's order: not a ranking

    def tied(b, r):         # the others within the real sets' spread of the best at budget b
        if spread is None:
            return ""
        near = [f"{vocabulary.short(o['method'])} {o['frechet']:.2f}" for o in rows
                if o["budget"] == b and o is not r and o["frechet"] - r["frechet"] <= spread]
        return f"; {vocabulary.and_list(near)} lie{'s' if len(near) == 1 else ''} within {spread:.2f} of it" if near else ""
    fewer = sorted({r["method"] for r in rows if int(r.get("nfe", r["budget"])) != r["budget"]})
    drawn = "".join(
        f" {vocabulary.short(m)} uses "
        + ", ".join(str(int(r.get("nfe", r["budget"]))) for r in rows if r["method"] == m)
        + f" evaluations for the budgets {', '.join(str(b) for b in QUALITY_BUDGETS)}: its points sit "
        "there, left of the ticks." for m in fewer)
    below = [r for r in rows if r["frechet"] < ref]
    under = (" Below it here: " + ", ".join(f"{vocabulary.short(r['method'])} at {r['budget']} NFE "
                                           f"({r['frechet']:.2f})" for r in below) + "." if below else "")
    return ("Lowest Fréchet distance: " + "; ".join(
        f"{b} NFE: {vocabulary.short(r['method'])} ({r['frechet']:.2f}{used(r)}{tied(b, r)})"
        for b, r in best.items())
        + "." + drawn
        + f" At a budget of {QUALITY_BUDGETS[0]} NFE, in the menu's order: "
        + ", ".join(f"{vocabulary.short(r['method'])} {r['frechet']:.2f}{used(r)}" for r in first)
        + (f" ({QUALITY_PER_CLASS} samples per class: {REAL_SETS} disjoint sets of as many real digits score "
           f"{spread:.2f} apart, so two values closer than that are not told apart here)" if spread is not None
           else "")
        + f". Dashed: {dg.DIGITS_CLASSES * QUALITY_PER_CLASS} real training digits score {ref:.2f}, the "
        "measure's own value at this sample size (a covariance from few samples adds its own "
        "distance): a noise level, not a floor; a sampler's samples can fall below it by chance."
        + under)
