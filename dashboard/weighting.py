"""The loss-weighting lab's computations, cached: the lab's training configs, the score error of
each weighting against t, and the weight curves."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import torch

import diffusion_core as dc
from dashboard import models, state, vocabulary
from dashboard import settings as sio
from dashboard.figures import weighting as wfig


N_DATA, BATCH = 2000, 256
LAM = 25.0
N_T, N_PER_T = 18, 400


def lab_config(net: str, weighting: str, eps: float, stratified: bool, steps: int, seed: int) -> dc.TrainConfig:
    """A small recipe: the chosen network's, on N_DATA points in minibatches of BATCH."""
    base = dc.TrainConfig.tutorial() if net == "tutorial" else dc.TrainConfig()
    return dataclasses.replace(base, n_data=N_DATA, batch_size=BATCH, steps=steps,
                               warmup=min(base.warmup, steps), eps=eps, weighting=weighting,
                               stratified=stratified, seed=seed, log_every=max(1, steps // 10))


SAMPLES, SAMPLER_STEPS = 2000, 200     # each network's reverse-SDE samples and their steps


def train_defaults(device: str = "cpu", before_each=None) -> None:
    """Train the lab's three networks at default settings on the default mixture, then the three
    of the other network choice ("Preconditioned (ours)"), then the default choice's three on the
    lesson's mixture, which a class that comes from the lab row still has in the sidebar (the
    server's warm-up: the first visit, and the first switch of the network, then only measure);
    then the true sets' band the verdict reads on both mixtures (models.quality_band)."""
    d = {k: sio.SCHEMA["w_weight_" + k].default for k in ("net", "eps", "stratified", "steps")}
    nets = [d["net"]] + [n for n in sio.SCHEMA["w_weight_net"].choices if n != d["net"]]
    jobs = [(net, models.DEFAULT_MIXTURE) for net in nets] + [(d["net"], models.LESSON_MIXTURE)]
    models.train_all([(lab_config(net, w, d["eps"], d["stratified"], d["steps"], state.DEFAULT_SEED),
                       dc.PRESETS[name], LAM) for net, name in jobs for w in dc.WEIGHTINGS], device, before_each)
    for name in (models.DEFAULT_MIXTURE, models.LESSON_MIXTURE):
        if models.queue_stopped():
            return
        models.quality_band(dc.PRESETS[name], SAMPLES, state.DEFAULT_SEED)


@state.cache_data
def error_by_t(cfg, gmm, lam: float, device: str, seed: int) -> pd.DataFrame:
    """dc.score_mse_by_t of the trained model on log-spaced t in [1e-4, 1], and sigma_t^2 there;
    "draws": each t's N_PER_T per-draw errors (the same draws for every network at a seed), from
    which tied_at reads the noise of the difference between two networks."""
    m = models.trained_model(cfg, gmm, lam, device)
    ts = np.geomspace(1e-4, 1.0, N_T)
    per = dc.score_mse_by_t(m.score, gmm, m.sde, ts, N_PER_T, per_draw=True,
                            generator=torch.Generator().manual_seed(seed + 41)).double().numpy()
    mse = per.mean(1)
    sig2 = m.sde.sigma(torch.as_tensor(ts, dtype=torch.float64)).numpy() ** 2
    return pd.DataFrame({"t": ts, "mse": mse, "scaled": sig2 * mse, "draws": list(per)})


@state.cache_data
def weight_curves(lam: float, eps: float) -> pd.DataFrame:
    """dc.loss_weight over t in [eps, 1], each divided by its mean there (over t ~ U[eps, 1]:
    dc.loss_weight_mean, exact to rounding), at 300 evenly spaced t and at 200 log-spaced ones (the chart's t axis is logarithmic, so
    the decades near eps are drawn as finely as the rest)."""
    even = torch.linspace(eps, 1.0, 300, dtype=torch.float64)
    log = torch.logspace(np.log10(eps), 0.0, 200, dtype=torch.float64)
    log[0], log[-1] = even[0], even[-1]            # the same end points, to the last digit
    t = torch.unique(torch.cat([even, log]))
    frames = []
    for w in dc.WEIGHTINGS:
        mean = dc.loss_weight_mean(dc.VESDE(lam), eps, w)
        g = dc.loss_weight(dc.VESDE(lam), t, w)
        frames.append(pd.DataFrame({"t": t.numpy(), "weight": (g / mean).numpy(), "weighting": w}))
    return pd.concat(frames, ignore_index=True)


def first_at_eps(curves: dict, eps: float) -> float:
    """The smallest measured t at or above eps (the largest one where none is)."""
    t_all = np.asarray(next(iter(curves.values()))["t"], dtype=float)
    return float(t_all[t_all >= eps].min()) if (t_all >= eps).any() else float(t_all.max())


def _at(frame, column: str, t: float) -> float:
    return float(np.asarray(frame[column], float)[np.argmin(np.abs(np.asarray(frame["t"], float) - t))])


NOISE_SE = 2      # two error means differ beyond their noise when they are more than this many standard errors apart


def difference_se(a, b, t: float) -> float | None:
    """The standard error of the difference of two error_by_t frames' means at t, from their
    per-draw errors on the same draws: std(a_i - b_i) / sqrt(n) (None without per-draw errors)."""
    if "draws" not in a or "draws" not in b:
        return None
    i = np.argmin(np.abs(np.asarray(a["t"], float) - t))
    d = np.asarray(a["draws"].iloc[i], float) - np.asarray(b["draws"].iloc[i], float)
    return float(np.std(d, ddof=1) / np.sqrt(len(d))) if len(d) > 1 else None


def apart(values) -> list[str]:
    """The values printed with the fewest digits (3 to 6) that tell the lowest and the highest apart."""
    lo, hi = min(values), max(values)
    d = next((k for k in range(3, 7) if sig(lo, k) != sig(hi, k)), 6)
    return [models.value_text(v) if d == 3 else sig(v, d) for v in values]


def tied_at(curves: dict, t: float) -> tuple[list, dict]:
    """(the weightings by their error at t, lowest first; {weighting: standard error of its
    difference to the lowest} of those within NOISE_SE standard errors of it: no winner among them)."""
    ranked = sorted(curves, key=lambda w: _at(curves[w], "mse", t))
    best, tied = ranked[0], {}
    for w in ranked[1:]:
        se = difference_se(curves[w], curves[best], t)
        if se is not None and _at(curves[w], "mse", t) - _at(curves[best], "mse", t) <= NOISE_SE * se:
            tied[w] = se
    return ranked, tied


HIDES = 1.1    # two curves within this factor of each other lie on top of each other on the error chart's log scale


def hidden_text(curves: dict, labels: dict, column: str) -> str:
    """Which curves of the error chart lie on top of each other: every pair whose values in
    `column` are within a factor HIDES of each other at at least half of the times drawn, with
    that count ("γₜ = 1 and γₜ = g(t)² lie within 10 % of each other at 16 of the 18 times drawn:
    there one line hides the other on this log scale; each keeps its own dash and markers").
    "" where no pair does."""
    names = list(curves)
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            va, vb = (np.asarray(curves[w][column], float) for w in (a, b))
            close = int(np.sum(np.maximum(va / vb, vb / va) <= HIDES))
            if 2 * close >= len(va):
                out.append(f"{labels.get(a, a)} and {labels.get(b, b)} lie within {HIDES - 1:.0%} of each "
                           f"other at {close} of the {len(va)} times drawn")
    if not out:
        return ""
    return ("; ".join(out) + ": there one line hides the other on this log scale; each keeps its own "
            "dash and markers.")


RISE = 1.2     # below eps, a value more than this × (or less than 1 / this ×) a curve's value at eps is above (below) it
VIEW_WORDS = {column: words for column, (words, _) in wfig.ERROR_VIEWS.items()}   # "mse" or "scaled"
# what a curve does below eps: the keys of below_eps_kind
BELOW_EPS_WORDS = {"rise": "rises", "fall": "falls", "level": f"stays within a factor {RISE:g}",
                   "dip_rise": "dips below that value, then rises above it nearer t = 0",
                   "rise_fall": "rises above that value, then falls below it nearer t = 0",
                   "both": "goes both ways"}


def below_eps_kind(t, v, v_eps: float) -> str:
    """What a curve's values v at the times t below eps do against its value v_eps at eps (a key
    of BELOW_EPS_WORDS): "rise" where some value is above RISE × v_eps and none below v_eps / RISE,
    "fall" the other way round, "level" where all are within that factor; where some are above and
    some below, "dip_rise" when every one below lies at a larger t (nearer eps) than every one
    above, "rise_fall" the other way round, "both" when they alternate."""
    t, v = np.asarray(t, float), np.asarray(v, float)
    above, below = t[v > RISE * v_eps], t[v * RISE < v_eps]
    if not above.size:
        return "fall" if below.size else "level"
    if not below.size:
        return "rise"
    return "dip_rise" if below.min() > above.max() else "rise_fall" if above.min() > below.max() else "both"


def below_eps_text(curves: dict, labels: dict, eps: float, column: str) -> str:
    """What each curve of the chart does left of the dashed line, from its numbers: curves maps a
    weighting to error_by_t's frame, column is the view's ("mse" or "scaled"). Compares each
    curve's values at the measured t below eps with its value at the first measured t at or above
    eps (below_eps_kind: rises, falls, stays level, or goes both ways, and in which order); gives
    the value at eps and the range below."""
    t_eps = first_at_eps(curves, eps)
    t_all = np.asarray(next(iter(curves.values()))["t"], dtype=float)
    head = f"**Left of the dashed line** (t < ε = {eps:g}), where no training time is drawn"
    if not (t_all < t_eps).any():
        return head + f": no time is measured there in this chart (its first is t = {t_all.min():.2g})."
    groups = {kind: [] for kind in BELOW_EPS_WORDS}
    for w, frame in curves.items():
        t, v = np.asarray(frame["t"], float), np.asarray(frame[column], float)
        v_eps, below = _at(frame, column, t_eps), v[t < t_eps]
        kind = below_eps_kind(t[t < t_eps], below, v_eps)
        groups[kind].append((f"**{labels[w]}**", f"({vocabulary.short_number(v_eps)} there, {vocabulary.short_number(float(below.min()))} to "
                                                 f"{vocabulary.short_number(float(below.max()))} below ε)"))
    said = []
    for kind, named in groups.items():
        if named:
            (first, numbers), rest = named[0], [" ".join(n) for n in named[1:]]
            also = " and ".join([", ".join(rest[:-1]), rest[-1]] if len(rest) > 1 else rest)
            said.append(f"{first} {BELOW_EPS_WORDS[kind]} {numbers}" + (f", as do {also}" if rest else ""))
    return (head + f", each curve's {VIEW_WORDS[column]} is compared with its value at t = {t_eps:.2g}, the "
            "first measured time at or above ε: " + "; ".join(said) + ".")


MEASURES = models.DISTANCES     # (key, words): the two sample distances each network's verdict rests on


def quality_column(key: str) -> str:
    """The results table's column of a distance of MEASURES ("sliced W₂ of samples to p₀")."""
    return f"{dict(MEASURES)[key]} of samples to p₀"


def band_cuts(band) -> tuple[float, float, float]:
    """The verdicts' cut-offs from band, the (lowest, highest) of one distance over models.TRUE_SETS
    independent true sample sets (models.quality_band): (highest, spread = highest − lowest,
    highest + spread)."""
    lo, hi = (float(v) for v in band)
    return hi, hi - lo, hi + (hi - lo)


def sample_verdict(value: float, band) -> str:
    """Whether samples whose distance (sliced W₂ or W₁ of log p) is `value` sample p₀ well by that
    distance, against band, its (lowest, highest) over independent true sample sets (a perfect
    sampler's range at this sample count): "well" at or below the highest; "far" above it by more
    than the sets' spread (highest − lowest, the measure's noise: not models.within_noise of the
    highest); "unclear" in between. Two values within the spread of each other never get "well" and "far"."""
    hi, spread, _ = band_cuts(band)
    if float(value) <= hi:
        return "well"
    return "unclear" if models.within_noise(value, hi, spread) else "far"


def sample_verdicts(quality: dict, band) -> dict:
    """sample_verdict of every network by one distance (quality: its samples' value), except that a
    "far" network within the true sets' spread of an "unclear" one (models.within_noise: the page
    calls them no winner) is "tied": the cut-off between them would split what the sample count
    cannot tell apart."""
    spread = band_cuts(band)[1]
    kinds = {w: sample_verdict(v, band) for w, v in quality.items()}
    unclear = [w for w, k in kinds.items() if k == "unclear"]
    return {w: "tied" if k == "far" and any(models.within_noise(quality[w], quality[u], spread) for u in unclear)
            else k for w, k in kinds.items()}


def tied_to(quality: dict, band, kinds: dict, w) -> list:
    """The "unclear" networks (kinds: sample_verdicts) within the true sets' spread of network w,
    lowest first: those a "tied" network is tied to (quality and band: one distance's)."""
    spread = band_cuts(band)[1]
    return sorted((u for u, k in kinds.items() if k == "unclear"
                   and models.within_noise(quality[w], quality[u], spread)), key=quality.get)


def measure_verdicts(quality: dict, bands: dict) -> dict:
    """{network: {distance: kind}}: sample_verdicts of each distance of MEASURES on its own (quality
    maps a network to its samples' {distance: value}, bands each distance to its true sets'
    (lowest, highest): models.quality_band)."""
    per = {k: sample_verdicts({w: q[k] for w, q in quality.items()}, bands[k]) for k, _ in MEASURES}
    return {w: {k: per[k][w] for k, _ in MEASURES} for w in quality}


def network_verdict(kinds: dict) -> str:
    """One network's verdict from its measure_verdicts: "far" (it does not sample p₀ well) where some
    distance is far; "well" (as well as this sample count can tell) where every one is at or below
    its true sets' highest; "unclear" otherwise (some distance above its highest, none far)."""
    seen = set(kinds.values())
    return "far" if "far" in seen else "well" if seen == {"well"} else "unclear"


def measure_words(kind: str, value: float, band, num, neighbours: tuple = ("a network",)) -> str:
    """One distance's value against its true sets' band in words, by sample_verdicts' kind, with the
    cut-offs (band_cuts) written by num; neighbours: the words naming each network a "tied" value
    is tied to (tied_to)."""
    hi, spread, top = band_cuts(band)
    above = f"{num(value)} is above the true sets' highest ({num(hi)}) by"
    return {"well": f"{num(value)} is at or below the true sets' highest ({num(hi)})",
            "unclear": f"{above} no more than their spread ({num(spread)}, so at most {num(top)})",
            "tied": (f"{above} more than their spread ({num(spread)}), but within that spread of "
                     f"{vocabulary.and_list(neighbours)}, which {'is' if len(neighbours) == 1 else 'are'} above "
                     "the highest by no more than the spread"),
            "far": f"{above} more than their spread ({num(spread)}, so above {num(top)})"}[kind]


CONCLUSIONS = {"well": "it samples p₀ as well as this sample count can tell",
               "unclear": "this sample count cannot tell whether it samples p₀ well",
               "far": "it does not sample p₀ well at these settings"}


def verdict(curves: dict, quality: dict, labels: dict, eps: float, bands=None) -> str:
    """What the chart and table show in this state, from their numbers: curves maps a weighting
    to error_by_t's frame, quality to its samples' {distance: value} for the distances of MEASURES
    (sliced W₂: where the mass is; W₁ of log p: how likely the samples are, which sees modes drawn
    too wide or too narrow), labels to its words, bands is models.quality_band (each distance's
    (lowest, highest) over models.TRUE_SETS independent true sample sets of the same size against
    the same reference: the measure's noise). Names the lowest error at the smallest plotted t at
    or above eps, the lowest at t = 1, and per distance the lowest value, with the others within the
    true sets' spread of it (models.within_noise, as on Train & sample: no winner); then, by one
    rule for every network (measure_verdicts, network_verdict), whether it samples p₀ well by both
    distances, does not by the distance(s) named, or the sample count cannot tell ("none of them
    samples p₀ well" when every one does not). Every number is printed with the digits
    (shown_digits) that keep it on its own side of its distance's cut-offs."""
    t_small = first_at_eps(curves, eps)

    def owner(t):        # the lowest error at t, with the next one's value: the chart's marks may overlap
        ranked, tied = tied_at(curves, t)
        if tied:             # within the noise of the draws: no winner
            group = [ranked[0]] + [w for w in ranked if w in tied]
            values = [_at(curves[w], "mse", t) for w in group]
            se = max(tied.values())
            n = len(curves[ranked[0]]["draws"].iloc[0])
            return (f"no single weighting: {vocabulary.and_list(f'**{labels[w]}**' for w in group)} tie "
                    f"({vocabulary.and_list(apart(values))}: the gap is within {NOISE_SE} standard errors of the draw-by-draw difference, "
                    f"{NOISE_SE} × {models.value_text(se)}, over the same {n} draws of xₜ)")
        said = f"**{labels[ranked[0]]}**"
        if len(ranked) > 1:
            shown = apart([_at(curves[w], "mse", t) for w in ranked[:2]])
            said += f" ({shown[0]}; next: {labels[ranked[1]]} at {shown[1]})"
        return said

    text = (f"**In this state**: the lowest score error at small t (t = {t_small:.2g}, the first "
            f"measured time at or above ε) belongs to {owner(t_small)}, at t = 1 to {owner(1.0)}")
    if not quality:
        return text + "."
    nums = {}
    for i, (k, words) in enumerate(MEASURES):
        values = {w: float(q[k]) for w, q in quality.items()}
        digits = shown_digits(values.values(), band_cuts(bands[k])[::2] if bands is not None else ())
        num = nums[k] = (lambda d: lambda v: sig(v, d))(digits)
        best = min(values, key=values.get)
        text += f"; the lowest {words} of the samples, {num(values[best])}, to **{labels[best]}**"
        if bands is None:
            continue
        lo, hi = bands[k]
        sets = f"{models.TRUE_SETS} independent true sets of as many samples" if i == 0 else "the same true sets"
        text += f" ({sets} score {num(lo)} to {num(hi)}, a spread of {num(hi - lo)})"
        tied = sorted((w for w in values if w != best
                       and models.within_noise(values[w], values[best], hi - lo)), key=values.get)
        if tied:
            others = vocabulary.and_list(f"**{labels[w]}** ({num(values[w])})" for w in tied)
            text += (f", but {others} differ{'s' if len(tied) == 1 else ''} from it by no more than that spread: "
                     "no winner at this sample count")
    if bands is None:
        return text + "."
    kinds = measure_verdicts(quality, bands)
    clauses = []
    for w in sorted(quality, key=lambda w: tuple(float(quality[w][k]) for k, _ in MEASURES)):
        said = []
        for k, words in MEASURES:
            values = {u: float(q[k]) for u, q in quality.items()}
            per = {u: kinds[u][k] for u in quality}
            near = tuple(f"**{labels[u]}** ({nums[k](values[u])})" for u in tied_to(values, bands[k], per, w))
            said.append(f"{words} {measure_words(kinds[w][k], values[w], bands[k], nums[k], near or ('a network',))}")
        kind = network_verdict(kinds[w])
        on = [words for k, words in MEASURES if kind != "far" or kinds[w][k] == "far"]
        clauses.append(f"**{labels[w]}**: {' and '.join(said)}, so by {vocabulary.and_list(on)} {CONCLUSIONS[kind]}")
    if {network_verdict(k) for k in kinds.values()} == {"far"}:
        clauses.append("none of them samples p₀ well at these settings")
    return text + "; " + "; ".join(clauses) + "."


def shown_digits(values, cuts, least: int = 3, most: int = 8) -> int:
    """The fewest significant digits, least to most, at which every value printed (sig) sits on
    the same side of every cut printed as it really does (0.10512 against 0.10498 takes 4 digits:
    at 3 both print "0.105")."""
    values, cuts = [float(v) for v in values], [float(c) for c in cuts]
    for digits in range(least, most + 1):
        shown = [float(sig(v, digits).replace(",", "")) for v in values]
        lines = [float(sig(c, digits).replace(",", "")) for c in cuts]
        if all((s > l) == (v > c) and (s == l) == (v == c)
               for v, s in zip(values, shown) for c, l in zip(cuts, lines)):
            return digits
    return most


def sig(v: float, digits: int = 3) -> str:
    """v to `digits` significant digits, as .{digits}g writes it, except that a whole number keeps
    its zeros (1.0 -> "1.00"): a bare "(1)" in a sentence reads like a footnote mark, and a small
    number has no exponent (0.0000670, not 6.7e-05)."""
    if abs(float(v)) >= 10 ** digits:         # 2,389, not 2.39e+03
        return f"{float(v):,.0f}"
    s = vocabulary.positional(f"{float(v):.{digits}g}", digits)
    if s.lstrip("-").isdigit():
        s = f"{float(v):#.{digits}g}".rstrip(".")
    return s


def column_format(values, digits: int = 3, most: int = 8) -> str:
    """One printf format for a table column: fixed decimals, as many (0 to most) as give the
    column's smallest non-zero |value| `digits` significant digits, so every row shows the same
    decimals (0.01999 / 0.154 / 0.03651 -> 0.0200 / 0.1540 / 0.0365)."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return f"%.{digits}f"
    smallest = float(f"{v.min():.{digits}g}")        # 0.000999 rounds to 0.001 at 3 digits
    return f"%.{int(np.clip(digits - 1 - np.floor(np.log10(smallest)), 0, most))}f"


TABLE_DIGITS = 3     # the results table's least significant digits per column (column_format)
TIME_COLUMN = "training time (s)"    # the results table's column of each network's training time


def table_formats(table: pd.DataFrame) -> dict:
    """The results table's printf format per column: the training times to the ms, as times_text
    writes them; every other column by column_format (one rule for all its rows)."""
    return {c: "%.3f" if c == TIME_COLUMN else column_format(table[c], TABLE_DIGITS)
            for c in table.columns}


SAME_TIME = 1.2     # training times within this factor of each other (longest / shortest) count as "about as long"


def times_text(seconds: dict) -> str:
    """What the table's training times are and what they allow to say: seconds maps a weighting's
    label to its network's measured training time. Gives the ratio longest / shortest of the times
    to the ms (the table's), with the digits that put it on its side of SAME_TIME (shown_digits);
    "about as long" only where it is at most SAME_TIME, said with that factor."""
    lo, hi = (round(float(f(seconds.values())), 3) for f in (min, max))     # as the table shows them
    ratio = hi / max(lo, 1e-12)
    head = ("Each training time is the wall time measured while that network trained, whenever that was "
            "(on this page or in the server's background warm-up, possibly while the CPU served other "
            "sessions or the other trainings): the three do the same work (same network, steps and batch; "
            "γₜ only rescales the loss)")
    times = sig(ratio, shown_digits([ratio], [SAME_TIME]))
    shown = f"{lo:.3f} to {hi:.3f} s, as the table shows them; the longest {times}× the shortest"
    if ratio <= SAME_TIME:
        return head + f", and here they took about as long ({shown}, within {SAME_TIME:g}×)."
    return (head + f", yet here they differ ({shown}, more than {SAME_TIME:g}×): a difference that size "
            "comes from what else the server was doing while each one trained, not from its weighting.")


NEAR = 1.1      # two weight curves within this factor of each other count as lying on each other


def _against(a: float, b: float, what: str) -> str:
    """a against b in words: "12× below {what}", "3.4× above {what}" or "within 10% of {what}"."""
    if max(a, b) <= NEAR * min(a, b):
        return f"within {NEAR - 1:.0%} of {what}"
    return f"{vocabulary.short_number(float(f'{max(a, b) / min(a, b):.2g}'))}× {'below' if a < b else 'above'} {what}"


def weights_text(curves: pd.DataFrame, lam: float, eps: float) -> str:
    """What the weight chart (weight_curves: each γₜ divided by its mean over [eps, 1]) shows of
    g(t)² against σₜ² and 1, from its numbers: g(t)²'s value at t = eps against γₜ = 1's line and
    σₜ²'s curve, and from which t on it lies within NEAR of σₜ²'s curve; and, told apart as raw
    weights (not plotted), g(t)² = 1 + 2 ln λ · σₜ² at t = eps and at t = 1."""
    by = {w: f.sort_values("t") for w, f in curves.groupby("weighting")}
    t = np.asarray(by["g2"]["t"], float)
    g, s, u = (np.asarray(by[w]["weight"], float) for w in ("g2", "sigma2", "uniform"))
    sde = dc.VESDE(lam)
    raw = dc.loss_weight(sde, torch.as_tensor([t[0], t[-1]], dtype=torch.float64), "g2").numpy()
    c_sig = 2 * np.log(lam) * sde.sigma(torch.as_tensor([t[0], t[-1]], dtype=torch.float64)).numpy() ** 2
    mean = float(raw[0] / g[0])
    close = np.maximum(g, s) <= NEAR * np.minimum(g, s)
    far = np.flatnonzero(~close)
    if not far.size:
        joins = f"it lies within {NEAR - 1:.0%} of σₜ²'s curve at every plotted t"
    elif far[-1] == len(t) - 1:
        joins = f"it is not within {NEAR - 1:.0%} of σₜ²'s curve at t = 1"
    else:
        joins = f"from t = {t[far[-1] + 1]:.2g} on it lies within {NEAR - 1:.0%} of σₜ²'s curve"
    return (f"**On the chart on the right** each weight is divided by its own mean over [ε, 1] = [{eps:g}, 1], "
            f"so γₜ = 1 is the line at {vocabulary.short_number(u[0])}. In raw weights (not plotted) g(t)² = 1 + 2 ln λ · σₜ² is "
            f"{vocabulary.short_number(raw[0])} at t = ε (it tends to 1, like γₜ = 1, as t → 0) and {vocabulary.short_number(raw[1])} at t = 1, where "
            f"2 ln λ · σₜ² is {vocabulary.short_number(c_sig[1])} of it. Divided by its mean, {vocabulary.short_number(mean)}"
            f"{', which large t sets' if raw[1] > raw[0] else ''}, "
            f"g(t)²'s curve starts at {sig(g[0])} at t = ε: {_against(g[0], u[0], 'γₜ = 1' + chr(39) + 's line')} and "
            f"{_against(g[0], s[0], 'σₜ²' + chr(39) + f's curve ({vocabulary.short_number(s[0])})')}; {joins}.")
