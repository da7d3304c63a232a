"""The Train & sample page's logic and texts: the form's validation with its fallback to the last
valid settings, training with a fallback to the last model that trained well, and the page's
explanations."""
from __future__ import annotations

import time

import numpy as np
import streamlit as st

import diffusion_core as dc
from dashboard import models, state, vocabulary
from dashboard import settings as sio
from dashboard.figures import training as tfig
from dashboard.vocabulary import short_number
from dashboard.weighting import first_at_eps

FIELD_LABELS = {"steps": "Training steps", "batch_size": "Batch size", "lr": "Learning rate",
                "width": "Network width", "eps": "ε (smallest training time)"}
DEFAULT = dc.TrainConfig()
DEFAULT_LAM = 25.0
# One request stays within seconds: training steps x batch x width at most the tutorial recipe's
# own (500 full-batch steps of width 50, ~6 s of one CPU core; 5000 x 10,000 x 128 took ~4 min),
# and samples x score evaluations at most those of the most samples with the tutorial's 200
# reverse-SDE steps (20,000 x 201 evaluations).
MAX_TRAIN_WORK = 500 * 10_000 * 50
MAX_SAMPLES = int(sio.SCHEMA["w_train_n"].hi)
MAX_SAMPLE_WORK = MAX_SAMPLES * dc.nfe("sde", 200)


def max_samples(evals: int) -> int:
    """The most samples a sampler run of `evals` score evaluations may draw (MAX_SAMPLE_WORK)."""
    return int(min(MAX_SAMPLES, MAX_SAMPLE_WORK // max(1, int(evals))))


def load_recipe():
    """Put the chosen recipe's values into the form."""
    base = models.RECIPES[st.session_state["w_train_recipe"]]()
    for key, value in (("steps", base.steps), ("batch", base.batch_size), ("lr", base.lr),
                       ("width", base.width), ("eps", base.eps), ("lam", DEFAULT_LAM)):
        st.session_state[f"w_train_{key}"] = value


def settled_model(settings, gmm, recipe: str, steps, batch, lr, width, eps, lam, progress):
    """Check the form's values; train the model of the last valid settings if they are wrong, and
    the last model that trained well if training diverges. Returns (recipe, cfg, lam, model, when):
    when is training_time_text's sentence on when the model's training time was measured."""
    problems, refused = [], None in (steps, batch, lr, width, eps, lam)   # refused: said under the field
    edits = {} if refused else dict(steps=int(steps), batch_size=int(batch), lr=float(lr), width=int(width),
                                    eps=float(eps))
    if not refused:
        try:
            dc.VESDE(lam)
        except ValueError as e:
            problems.append(f"**λ**: {e}")
        try:
            cfg = models.recipe_config(recipe, settings.seed, **edits)
        except ValueError as e:
            field = str(e).split()[0]
            problems.append(f"**{FIELD_LABELS.get(field, field)}**: {e}")
        full_batch = int(batch) if int(batch) > 0 else DEFAULT.n_data
        if int(steps) * full_batch * int(width) > MAX_TRAIN_WORK:
            problems.append(f"**Training steps × batch size × width** must be at most {MAX_TRAIN_WORK / 1e6:g} "
                            f"million so that training takes seconds, not minutes; got {int(steps):,} × "
                            f"{full_batch:,} × {int(width)} = {int(steps) * full_batch * int(width) / 1e6:,.0f} "
                            "million. Lower one of them.")
    if problems or refused:
        if problems:
            st.error("\n\n".join(problems) + "\n\nShowing the model of the last valid settings.")
        else:
            st.info("Showing the model of the last valid settings.", icon=":material/history:")
        recipe, edits, lam = st.session_state.get("train_last_valid", ("ours", {}, DEFAULT_LAM))
        cfg = models.recipe_config(recipe, settings.seed, **edits)
    else:
        st.session_state["train_last_valid"] = (recipe, edits, float(lam))

    stored = models.is_trained(cfg, gmm, lam, settings.device)
    start = time.perf_counter()
    model = models.trained_model(cfg, gmm, lam, settings.device, _progress=progress)
    waited = time.perf_counter() - start
    if model.diverged:
        st.error("**Training diverged**: the loss became NaN or infinite. Lower the **learning rate** "
                 "and train again. Showing the last model that trained well.")
        recipe, edits, lam = st.session_state.get("train_last_good", ("ours", {}, DEFAULT_LAM))
        cfg = models.recipe_config(recipe, settings.seed, **edits)
        model = models.trained_model(cfg, gmm, lam, settings.device, _progress=progress)
        if model.diverged:
            st.stop()
    else:
        st.session_state["train_last_good"] = (recipe, edits, lam)
        models.remember_trained(cfg, lam)
    return recipe, cfg, lam, model, training_time_text(stored, waited, model.seconds)


def training_time_text(stored: bool, waited: float, seconds: float) -> str:
    """When the shown training time was measured: stored, whether the model was already trained
    when this page asked for it; waited, how long the page waited for it; seconds, its training time."""
    if stored:
        return (f"This model was trained earlier on this server (in the background warm-up, or by this or "
                f"another session) and stored; **{seconds:.1f} s** is the time its training took then, "
                "not the time this page took to answer.")
    if waited < 0.9 * seconds:
        return (f"This model was already training (started in the background or by another session) when "
                f"this page asked for it, and the page waited {waited:.1f} s of its **{seconds:.1f} s**.")
    return f"This model was trained just now, in **{seconds:.1f} s**; it is stored for every later request."


def explain_loss() -> None:
    """Why the denoising loss never reaches 0: the irreducible floor."""
    st.markdown(
        "**Why the loss never reaches 0.** The network sees only the noisy point xₜ, never the noise z "
        "that made it: many (x₀, z) pairs land on the same xₜ. The best possible guess, −E[z | xₜ]/σₜ, "
        "is exactly the score ∇log pₜ(xₜ), and what is left over is the noise we cannot predict:")
    st.latex(r"L(\theta) = \underbrace{\mathbb{E}\,\big\|\sigma_t \nabla\log p_t(x_t) + z\big\|^2}"
             r"_{\text{irreducible floor}\;>\;0} \;+\; \mathbb{E}\,\sigma_t^2\,"
             r"\big\|s_\theta(x_t, t) - \nabla\log p_t(x_t)\big\|^2")
    st.markdown("So the loss flattens out at the red floor: **the floor is the loss of the exact score "
                "of pₜ on the same held-out points, times and noise draws**, the part of the noise z that "
                "no function of xₜ can predict. The right-hand chart measures what training actually "
                "improves: the distance to the true score of pₜ. (The minibatch training loss is not "
                "drawn: it is measured on other draws, and its own randomness can take it below the floor.) "
                "The floor depends on the recipe's times t ~ U[ε, 1], so **compare recipes by loss "
                "minus floor, or by the score MSE**, not by the loss alone.")


ERROR_SERIES = ("learned vs exact score of pₜ, at xₜ ~ pₜ", "σₜ² × that error: what the DSM loss weights")


def explain_error_by_t(df, eps: float) -> None:
    """Why small t is hard, read from the chart's own curves (df: models.error_by_t), and the tutorial's
    score-MSE defect."""
    st.markdown(error_by_t_text(df, eps) + " Below ε no training time was drawn at all. "
                "*A defect of the tutorial, fixed here:* its score-MSE curves built the diffused mixture pₜ "
                "but then sampled and scored the clean one, comparing the network at time t with the time-0 "
                "score, so its curves could not go to zero. Here every error is measured at xₜ ~ pₜ against "
                "∇log pₜ.")


def error_by_t_text(df, eps: float) -> str:
    """What the score error (purple) and σₜ² × it (orange, what the DSM loss weights) do on the chart
    of models.error_by_t (df): where the plain error is highest; at the first measured t at or above eps
    (weighting.first_at_eps) how many times smaller σₜ² makes it; and where the weighted error is
    highest and lowest."""
    plain, weighted = (df[df["series"] == s].reset_index(drop=True) for s in ERROR_SERIES)
    t, u, w = (np.asarray(f, dtype=float) for f in (plain["t"], plain["mse"], weighted["mse"]))
    te = first_at_eps({"plain": plain}, eps)
    k, top, low = int(np.argmin(np.abs(t - te))), int(np.argmax(w)), int(np.argmin(w))
    trained = int(np.argmax(np.where(t >= te, w, -np.inf)))
    left = (f", left of ε, where no training time is drawn; among the trained times it is highest at "
            f"t = {t[trained]:.2g}, {short_number(w[trained])}" if t[top] < te else "")
    return (f"pₜ is sharp at small t and its score is large; here the score error (purple) is highest at "
            f"t = {t[np.argmax(u)]:.2g} ({short_number(u.max())}). The loss multiplies errors by σₜ²: at t = {te:.2g}, "
            f"the first measured time at or above ε, that makes the error {short_number(u[k] / w[k])}× smaller "
            f"({short_number(w[k])} against {short_number(u[k])}, orange against purple). The weighted error (orange) is highest "
            f"at t = {t[top]:.2g} ({short_number(w[top])}{left}) and lowest at t = {t[low]:.2g} ({short_number(w[low])}).")


def work_cap_binds(evals: int) -> bool:
    """Whether the work cap (samples x score evaluations, MAX_SAMPLE_WORK), not the Samples
    field's maximum, sets the most samples at `evals` evaluations per sample."""
    return MAX_SAMPLE_WORK // max(1, int(evals)) <= MAX_SAMPLES


def sampling_caption(n: int, evals: int) -> None:
    """What the sampling metrics compare with, and how many samples this sampler allows."""
    st.caption(sampling_caption_text(n, evals))


def sampling_caption_text(n: int, evals: int) -> str:
    """The caption under the samples table: what the rows compare with, and what sets the most
    samples here (the work cap where it binds, else the Samples field's maximum)."""
    most = max_samples(evals)
    cap = f"{MAX_SAMPLE_WORK:,} samples × score evaluations"
    if n < most:
        why = (f"the most that {evals:,} score evaluations per sample allow under the cap of {cap}"
               if work_cap_binds(evals) else "the Samples field's maximum")
        more = f"raise **Samples** to {most:,} ({why}) to see how far the learned score really is from the exact one"
    else:
        why = (f"the most this sampler's {evals:,} evaluations allow under the cap of {cap}"
               if work_cap_binds(evals) else "the Samples field's maximum")
        more = (f"at {n:,} samples, {why}, the rows are as far apart as this page can measure" if n == most else
                f"at most {most:,} samples run here ({why})")
    return (
        f"The learned score runs the sampler chosen above; the exact score is the **reference**: it "
        f"runs an accurate sampler of its own ({models.reference_label()}), from the same starting "
        "noise, so that its row shows the exact score itself rather than the chosen sampler's step "
        f"error. Metrics compare with {models.reference_size(n):,} "
        "independent true samples: sliced W₂ (0 = same distribution), log-likelihood gap "
        "mean log p of true samples − mean log p of the samples (> 0: samples in less likely places), W₁ between the "
        "log p values, and the share of samples per mode. The *true samples* row is one independent set "
        f"of true samples, what a perfect sampler scores at this sample count; the verdict above reads the "
        f"measures' noise from {models.TRUE_SETS} such sets. With few samples every row sits near it; {more}.")


def sampling_verdict(metrics: dict, n: int, same: dict | None = None, sampler: str = "the chosen sampler",
                     band=None, fits: dict | None = None, weights=None) -> str:
    """What the table says about the learned score, from its own numbers: metrics maps the rows
    "learned score", "exact score (reference)", "true samples" to sample_quality's dicts; band: a
    callable giving models.true_band of independent true sample sets at this sample count
    (models.quality_band), the noise of every distance. First W₁ of log p (w1_text: a ratio only
    where it tells the two scores apart, models.tells_apart), then each other distance of the table
    (other_distance_text), then the signed log-likelihood gap (gap_text), and "the table cannot tell them
    apart" only where no measure, the gap included, does. same:
    the sample_quality of the exact score run through the learned score's own sampler (sampler, in
    words) from the same starting noise; with it, a learned score worse than the reference on W₁
    gets its gap split into the sampler's part and the network's (gap_split_text), or else
    cancels_text; so does one that another distance tells apart as the farther. Then
    blind_measure_text, row by row, with the row's models.mode_fit from fits (row → fit; None or a
    row left out: no cause named) and p₀'s mode weights (weights: the rows' mode shares say whether what
    sliced W₂ sees is mass moved between modes; None: no place named); where the learned score's row is
    blind on W₁ of log p while sliced W₂'s gap was split, what the split puts it down to (split_blame)."""
    ranges = band()
    learned, exact, truth = (float(metrics[k]["logp_w1"]) for k in ("learned score", "exact score (reference)",
                                                                    "true samples"))
    lo, hi = ranges["logp_w1"]
    numbers = (f"W₁ of log p: learned score **{learned:.3f}**, exact-score reference **{exact:.3f}**, "
               f"true samples **{truth:.3f}**; {models.TRUE_SETS} independent true sample sets score {lo:.3f} to "
               f"{hi:.3f} at {n:,} samples (this measure's noise). ")
    apart = {k: models.tells_apart(metrics["learned score"][k], metrics["exact score (reference)"][k], ranges, k)
             for k, _ in models.DISTANCES}
    noise, ratio = models.band_spread(ranges, "logp_w1"), apart["logp_w1"] and learned > exact
    verdict = w1_text(learned, exact, ranges, n)
    if ratio and same is not None:
        verdict += " " + gap_split_text(learned, float(same["logp_w1"]), exact, noise, sampler)
    others = [other_distance_text(metrics, k, w, ranges, first=not apart["logp_w1"]) + (
              " " + gap_split_text(float(metrics["learned score"][k]), float(same[k]),
                                   float(metrics["exact score (reference)"][k]), models.band_spread(ranges, k), sampler)
              if same is not None and k in same and apart[k]
              and metrics["learned score"][k] > metrics["exact score (reference)"][k] else "")
              for k, w in models.DISTANCES if k != "logp_w1"]
    gap = gap_text(metrics, ranges, first=not any(apart.values()))
    apart["loglik_gap"] = models.tells_apart_signed(metrics["learned score"]["loglik_gap"],
                                                    metrics["exact score (reference)"]["loglik_gap"], ranges, "loglik_gap")
    verdict = " ".join([verdict, *others, gap])
    if not any(apart.values()):
        verdict += f" **At {n:,} samples {lone_outside_summary(metrics, ranges)}.**"
    if same is not None and not ratio:          # the ratio's branch splits the gap itself (gap_split_text)
        verdict += cancels_text(learned, float(same["logp_w1"]), noise, sampler)
    blind = [blind_measure_text(metrics, row, n, ranges, (fits or {}).get(row), weights) for row in ROW_WORDS]
    a, b = (float(metrics[row]["sliced_w2"]) for row in ("learned score", "exact score (reference)"))
    split = same is not None and "sliced_w2" in same and apart["sliced_w2"] and a > b   # sliced W₂'s gap split above
    if split and models.blind_pair(metrics["learned score"], ranges) == ("logp_w1", "sliced_w2"):
        blind[0] += " " + split_blame(a, float(same["sliced_w2"]), b, models.band_spread(ranges, "sliced_w2"))
    return " ".join([numbers + verdict, *filter(None, blind)])


def w1_text(learned: float, exact: float, band: dict, n: int) -> str:
    """What W₁ of log p says of the learned score (learned) against the exact-score reference (exact),
    band as in sampling_verdict: where it tells them apart (models.tells_apart), the ratio
    learned / exact, or that the reference's own sampler error shows; else that it cannot tell them
    apart, and why (both at or below the highest true set's value, or within the true sets' spread)."""
    lo, hi = band["logp_w1"]
    if models.tells_apart(learned, exact, band, "logp_w1"):
        if learned > exact:
            return (f"The learned score is **{learned / max(exact, 1e-12):.1f}×** as far from the truth as the "
                    "exact-score reference by this measure.")
        return (f"The learned score does not come out worse by this measure, but the reference lies above every "
                f"true set's value ({hi:.3f}) and {exact - learned:.3f} above the learned score, more than the "
                f"true sets' spread ({hi - lo:.3f}): its sampler's own error (end time, steps) dominates, not its score.")
    why = (f"both lie at or below the highest true set's {hi:.3f}" if max(learned, exact) <= hi else
           lone_outside_text(learned, exact, band, "logp_w1") or
           f"the two are {abs(learned - exact):.3f} apart, within the true sets' spread of {hi - lo:.3f}")
    return f"This measure cannot tell the learned score from the exact one at {n:,} samples: {why}."


def other_distance_text(metrics: dict, key: str, word: str, band: dict, first: bool) -> str:
    """What the distance key (word: its name) says of the learned score against the exact-score
    reference (metrics and band as in sampling_verdict), with both values and the true sets' range:
    whether it tells them apart (models.tells_apart) and which lies farther from the truth. first:
    W₁ of log p could not tell them apart (then this one tells them apart "though", or "either" not)."""
    a, b = float(metrics["learned score"][key]), float(metrics["exact score (reference)"][key])
    lo, hi = band[key]
    values = (f"learned score {a:.3f}, exact-score reference {b:.3f}, while {models.TRUE_SETS} independent true "
              f"sets score {lo:.3f} to {hi:.3f} (a spread of {hi - lo:.3f})")
    if not models.tells_apart(a, b, band, key):
        lone = lone_outside_text(a, b, band, key)
        return (f"{word[0].upper() + word[1:]} does not tell them apart{' either' if first else ''}: {values}"
                f"{': ' + lone if lone else ''}.")
    farther = "learned score's" if a > b else "exact-score reference's"
    return (f"**{word[0].upper() + word[1:]}{' does' if first else ''} tell{'' if first else 's'} them apart**: "
            f"{values}: the {farther} samples are the farther from the truth.")


def gap_text(metrics: dict, band: dict, first: bool) -> str:
    """What the log-likelihood gap (mean log p₀ of true samples − mean log p₀ of the samples; signed: > 0
    samples in less likely places, < 0 crowding the modes) says of the learned score against the
    exact-score reference (metrics and band as in sampling_verdict), with both values and the true sets'
    range: whether it tells them apart beyond the true sets' spread (models.tells_apart_signed) and, where
    it does, on which side the row farther outside that range lies. first: no distance before it told them
    apart (then it tells them apart "does", or "either" not)."""
    a, b = (float(metrics[row]["loglik_gap"]) for row in ("learned score", "exact score (reference)"))
    lo, hi = band["loglik_gap"]
    values = (f"learned score {a:+.3f}, exact-score reference {b:+.3f}, while {models.TRUE_SETS} independent true "
              f"sets score {lo:+.3f} to {hi:+.3f} (a spread of {hi - lo:.3f})")
    if not models.tells_apart_signed(a, b, band, "loglik_gap"):
        why = ("both lie within that range" if lo <= min(a, b) and max(a, b) <= hi else
               lone_outside_text(a, b, band, "loglik_gap", signed=True) or
               f"the two are {abs(a - b):.3f} apart, within that spread")
        return f"The log-likelihood gap does not tell them apart{' either' if first else ''}: {values}: {why}."
    who, v = max((("learned score's", a), ("exact-score reference's", b)), key=lambda r: max(r[1] - hi, lo - r[1]))
    side = ("sit in less likely places than true samples (a gap above every true set's)" if v > hi else
            "crowd the modes, in more likely places than true samples (a gap below every true set's)")
    return (f"**The log-likelihood gap{' does' if first else ''} tell{'' if first else 's'} them apart**: {values}: "
            f"the {who} samples {side}.")


LONE_ROWS = (("learned score", "the learned score"), ("exact score (reference)", "the exact-score reference"))
MEASURE_WORDS = (*models.DISTANCES, ("loglik_gap", "the log-likelihood gap"))


def lone_outside_text(a: float, b: float, band: dict, key: str, signed: bool = False) -> str:
    """Where a measure does not tell the learned score (a) from the reference (b) apart but exactly one
    of them lies outside the true sets' range (models.lone_outside; signed as there), that in words
    with the numbers ("the learned score lies above every true set's value (0.112 > 0.106) while the
    reference lies at or below it, but the two are 0.027 apart, within the true sets' spread of
    0.029: this measure does not separate them"); else ""."""
    lone = models.lone_outside(a, b, band, key, signed)
    if lone is None:
        return ""
    lo, hi = (float(v) for v in band[key])
    v, fmt = (a, b)[lone], "+.3f" if signed else ".3f"
    where = (f"above every true set's value ({v:{fmt}} > {hi:{fmt}})" if v > hi else
             f"below every true set's value ({v:{fmt}} < {lo:{fmt}})")
    inside = "inside their range" if signed else "at or below it"
    who, other = ("the learned score", "the reference")[::1 if lone == 0 else -1]
    return (f"{who} lies {where} while {other} lies {inside}, but the two are {abs(a - b):.3f} apart, within "
            f"the true sets' spread of {hi - lo:.3f}: this measure does not separate them")


def lone_outside_summary(metrics: dict, band: dict) -> str:
    """The closing words where no measure tells the two scores apart (metrics and band as in
    sampling_verdict): "the table cannot tell the learned score from the exact one", and where on some
    measures exactly one row lies outside the true sets' range (models.lone_outside), which row, on which."""
    plain = "the table cannot tell the learned score from the exact one"
    lone = [models.lone_outside(float(metrics[LONE_ROWS[0][0]][k]), float(metrics[LONE_ROWS[1][0]][k]), band, k,
                                k == "loglik_gap") for k, _ in MEASURE_WORDS]
    clauses = []
    for i, (_, who) in enumerate(LONE_ROWS):
        on = [w for (_, w), j in zip(MEASURE_WORDS, lone) if j == i]
        if on:
            names = on[0] if len(on) == 1 else ", ".join(on[:-1]) + " and " + on[-1]
            clauses.append(f"{who} lies outside the true sets' range on {names}")
    return f"{plain} beyond the true sets' spread, though {' and '.join(clauses)}" if clauses else plain


def cancels_text(learned: float, same: float, noise: float, sampler: str) -> str:
    """Where the learned score's samples land closer to the truth than the exact score's through the
    same sampler and starting noise (same), beyond the true sets' spread (noise: models.band_spread): the
    network's error partly cancels the sampler's own, so its better samples do not make it a better
    score, in words with both numbers; "" otherwise."""
    if learned >= same or models.within_noise(learned, same, noise):
        return ""
    return (f" Through the learned score's own sampler ({sampler}, same starting noise) the exact score "
            f"reaches only **{same:.3f}**: here the network lands closer to the truth than the exact score does "
            "with that sampler, so its error partly cancels the sampler's own (end time, steps). Better "
            "samples through this sampler do not make it a better score.")


DOMINATES = 2.0     # a part of the gap at least this many times the other dominates it


def split_parts(learned: float, same: float, reference: float, noise: float) -> tuple[float, dict, dict]:
    """gap_split_text's numbers: the gap learned − reference, its parts {"sampler's error": same −
    reference, "network's error": learned − same}, and for each part whether it is within the noise
    (models.within_noise)."""
    parts = {"sampler's error": same - reference, "network's error": learned - same}
    quiet = {"sampler's error": models.within_noise(same, reference, noise),
             "network's error": models.within_noise(learned, same, noise)}
    return learned - reference, parts, quiet


def split_blame(learned: float, same: float, reference: float, noise: float) -> str:
    """What the split of a distance's gap (split_parts; learned above reference) puts it down to, in
    words with its numbers: the sampler's steps or the network, whichever part alone lies above the
    noise (the other within it, or below: landing closer to the truth); both where both do; neither
    where both are within it."""
    gap, parts, quiet = split_parts(learned, same, reference, noise)
    words = {"sampler's error": "the sampler's steps", "network's error": "the network"}
    causes = [k for k in parts if not quiet[k] and parts[k] > 0]
    said = ", ".join(f"{k} {parts[k]:+.3f}" for k in parts)
    if not causes:
        return (f"The split above measures neither part of the gap of {gap:.3f} beyond the noise of {noise:.3f} "
                f"({said}).")
    if len(causes) == 2:
        return (f"The split above puts the gap of {gap:.3f} down to both the sampler's steps and the network "
                f"({said}, each beyond the noise of {noise:.3f}).")
    k, q = causes[0], next(k for k in parts if k != causes[0])
    rest = f"is within the noise of {noise:.3f}" if quiet[q] else "lands closer to the truth beyond that noise"
    return (f"The split above puts the gap of {gap:.3f} down to {words[k]} ({k} {parts[k]:+.3f}; the "
            f"{q}, {parts[q]:+.3f}, {rest}).")


def gap_split_text(learned: float, same: float, reference: float, noise: float, sampler: str) -> str:
    """How the learned score's distance to the truth (W₁ of log p: learned) beyond the exact-score
    reference's (reference, its own accurate sampler) splits, measured: the sampler's part, the
    exact score through the learned score's own sampler (same) against the reference, and the
    network's part, learned against same (one sampler, one starting noise). noise: the true sets'
    spread (models.band_spread); a part no larger is within the noise (models.within_noise). Names the part
    that dominates (DOMINATES times the other), or says that neither does."""
    gap, parts, quiet = split_parts(learned, same, reference, noise)
    step, net = parts.values()
    text = (f"Run through the learned score's own sampler ({sampler}, same starting noise), the exact score "
            f"reaches **{same:.3f}**; that splits the gap of {gap:.3f} into the sampler's error, "
            f"**{step:+.3f}** (the exact score through this sampler against the reference), and the "
            f"network's error, **{net:+.3f}** (the learned score against the exact one, same sampler)")
    if all(quiet.values()):
        return (text + f": both are within the true sets' spread of {noise:.3f}, the noise of this measure at "
                "this sample count, so neither can be blamed on these numbers.")
    if any(quiet.values()):
        small = next(k for k, q in quiet.items() if q)
        big = next(k for k, q in quiet.items() if not q)
        return (text + f": the {small} is within the true sets' spread of {noise:.3f} (the noise of this measure), "
                f"so the {big} accounts for the gap.")
    negative = [k for k, v in parts.items() if v < 0]
    if negative:
        other = next(k for k in parts if k not in negative)
        why = ("this sampler with the exact score lands closer to the truth than the reference does"
               if negative[0] == "sampler's error" else
               "with this sampler the learned score lands closer to the truth than the exact score does")
        return text + f": {why}, so the {other} is more than the whole gap."
    big, small = sorted(parts, key=parts.get, reverse=True)
    ratio = parts[big] / parts[small]
    if ratio >= DOMINATES:
        return text + f": the {big} dominates ({ratio:.1f}× the {small})."
    return (text + f": the two are of comparable size (the {big} is {ratio:.1f}× the {small}), "
            "neither dominates.")


def samples_picture_text(sets: dict, gmm, seed: int) -> str:
    """What the samples panels draw and what they show of W₁ of log p₀ (models.mass_picture_text):
    sets maps models.SAMPLE_SETS to the samples drawn."""
    words = {"learned score": "the learned score's samples", "exact score (reference)": "the exact score's",
             "true samples": "the true samples"}
    return models.mass_picture_text({words[name]: x for name, x in sets.items()}, gmm, seed)


ROW_WORDS = {"learned score": "the learned score's samples",
             "exact score (reference)": "the exact-score reference's samples"}


def blind_measure_text(metrics: dict, row: str, n: int, band, fit: dict | None = None, weights=None) -> str:
    """models.blind_measure_text for a row of the samples table (metrics as in sampling_verdict)
    against its "true samples" row, band: models.true_band of independent true sample sets, fit:
    the row's models.mode_fit against the true samples drawn (None: no cause named), weights: p₀'s
    mode weights, against which the row's mode shares are read (None: no place named)."""
    return models.blind_measure_text(metrics[row], metrics["true samples"], ROW_WORDS[row], n, band, fit, weights)


MEASURES = (("score_mse", "score MSE"), ("sliced_w2", "sliced W₂"), ("loglik_gap", "log-likelihood gap"),
            ("logp_w1", "W₁ of log p"))


SAMPLE_MEASURES = ("sliced_w2", "loglik_gap", "logp_w1")   # measured on samples: they have a noise level


def comparison_sentence(results: dict, band: dict | None = None) -> str:
    """Which of two recipes wins on each measure, from their numbers: results maps two recipe
    labels to dicts with the keys of MEASURES (lower is better; the log-likelihood gap by its
    absolute value). band: models.true_band of independent true sample sets at the same sample count
    (models.quality_band); on every sample measure a difference no larger than its
    models.band_spread (highest − lowest) is a tie, not a win, and the sentence gives those spreads.
    None: every difference counts."""
    (a, ra), (b, rb) = results.items()
    wins, ties = {a: [], b: []}, []
    parts = []
    for key, word in MEASURES:
        va, vb = float(ra[key]), float(rb[key])
        fa, fb = (abs(va), abs(vb)) if key == "loglik_gap" else (va, vb)
        parts.append(f"{word} {va:.3f} against {vb:.3f}")
        if band is not None and key in SAMPLE_MEASURES and models.within_noise(fa, fb, models.band_spread(band, key)):
            ties.append(word)
        else:
            wins[a if fa < fb else b].append(word)
    said = [f"**{name}** is better on {', '.join(w)}" for name, w in wins.items() if w]
    if wins[a] and not wins[b] and not ties or wins[b] and not wins[a] and not ties:
        said = [f"**{a if wins[a] else b}** is better on every measure shown"]
    if ties:
        said.append(f"on {', '.join(ties)} the two differ by no more than independent true sample sets do from "
                    "each other: no winner at this sample count")
    return (f"Both recipes on this mixture, sampler and sample count ({a} against {b}: "
            + ", ".join(parts) + f"): {'; '.join(said)}.{yardstick_text(band)}{score_error_moral(wins, ties)}")


def yardstick_text(band: dict | None) -> str:
    """The noise comparison_sentence holds every sample measure's difference to, with its values:
    the spread (models.band_spread) of the band's true sample sets; "" without a band."""
    if band is None:
        return ""
    spreads = ", ".join(f"{w} {models.band_spread(band, k):.3f}" for k, w in MEASURES if k in SAMPLE_MEASURES)
    return (f" On a sample measure a difference counts only beyond its noise at this sample count, the spread "
            f"of {models.TRUE_SETS} independent true sample sets (highest − lowest: {spreads}).")


def score_error_moral(wins: dict, ties: list) -> str:
    """What the two recipes' numbers say about a lower score error and better samples: wins maps
    each recipe label to the measures (MEASURES' words) it wins, ties the sample measures within
    the noise. The lower-error recipe also samples better, or the moral only when the ranking flips;
    nothing to say when the sample measures are all within their noise or disagree."""
    score_word, sample_words = MEASURES[0][1], [w for k, w in MEASURES if k in SAMPLE_MEASURES]
    lower = next((name for name, w in wins.items() if score_word in w), None)
    if lower is None:
        return ""
    other = next(name for name in wins if name != lower)
    won = {name: [w for w in ws if w in sample_words] for name, ws in wins.items()}
    if not won[lower] and not won[other]:
        return (" The sample measures are all within their noise: at this sample count the table cannot "
                "tell whether the lower score error gives better samples.")
    if won[lower] and won[other]:
        return (f" The sample measures disagree (**{lower}** better on {', '.join(won[lower])}, **{other}** on "
                f"{', '.join(won[other])}): the lower score error does not make every sample measure better.")
    if won[lower]:
        return (f" Here the recipe with the lower score error, **{lower}**, also samples better (on "
                f"{', '.join(won[lower])}" + (f"; {', '.join(ties)} within the noise" if ties else "") + ").")
    return (f" A lower score error does not by itself give better samples: here **{other}**, with the higher "
            f"score error, samples better (on {', '.join(won[other])}"
            + (f"; {', '.join(ties)} within the noise" if ties else "") + ").")


def sampling_view(settings, gmm, recipe: str, cfg, lam: float, method: str, n_steps: int, n: int) -> dict:
    """What section 4 shows for n samples of `method` with n_steps: the learned score's samples, the
    exact score's reference samples and true samples ("sets", models.SAMPLE_SETS' order), their
    picture ("png"), their sample_quality ("metrics"), the exact score's with the same sampler
    ("same"), the true sets' band (a callable, "band"), each run's mode_fit ("fits") and the
    recipes' comparison ("compared", recipe_comparison)."""
    seed, device = settings.seed, settings.device
    learned = models.learned_samples(cfg, gmm, lam, device, method, n_steps, n, seed)
    exact, truth = models.reference_samples(gmm, lam, n, seed), models.true_samples(gmm, n, seed)
    metrics = {name: models.sample_quality(x, gmm, seed) for name, x in
               (("learned score", learned), ("exact score (reference)", exact), ("true samples", truth))}
    band = lambda: models.quality_band(gmm, n, seed)     # noqa: E731 (the true sets' range: every measure's noise)
    return dict(
        sets=dict(zip(models.SAMPLE_SETS, (learned, exact, truth))), png=models.samples_png(learned, exact, truth, gmm, seed),
        metrics=metrics, band=band,
        same=models.sample_quality(models.exact_samples(gmm, lam, method, n_steps, n, seed), gmm, seed),
        fits={row: models.mode_fit(x, truth, gmm, seed) for row, x in zip(models.SAMPLE_SETS, (learned, exact))},
        compared=recipe_comparison(settings, gmm, recipe, cfg, lam, method, n_steps, n, metrics["learned score"], band))


def warm_defaults(before_each=None, device: str = "cpu") -> None:
    """The page's default view below the training, on the default mixture and on the lesson's
    second one (ring8), computed as the page computes it for our recipe's trained model (the server's
    warm-up, after models.train_defaults: the first visit then only reads the cache): the error
    over t, the learned-vs-exact fields at the default t, and section 4's samples and measures."""
    schema, seed = sio.SCHEMA, state.DEFAULT_SEED
    t, weighted = float(schema["w_train_t"].default), schema["w_train_errmap"].default == "weighted by pₜ"
    method, n_steps, n = schema["w_train_method"].default, int(schema["w_train_nsteps"].default), int(schema["w_train_n"].default)
    recipe, lam = schema["w_train_recipe"].default, float(schema["w_train_lam"].default)
    cfg = models.recipe_config(recipe, seed)
    for name in (models.DEFAULT_MIXTURE, models.LESSON_MIXTURE):
        gmm = dc.PRESETS[name]
        if not models.is_trained(cfg, gmm, lam, device):
            continue                         # trained on demand by the page, not here
        settings = state.Settings(device, seed, name)
        models.warm_steps((lambda: models.error_by_t(cfg, gmm, lam, device, seed,
                                                     tutorial_check=bool(schema["w_train_wrongcheck"].default)),
                           lambda: models.score_fields(cfg, gmm, lam, device, t, seed),
                           lambda: models.score_fields_png(cfg, gmm, lam, device, t, seed, weighted),
                           lambda: sampling_view(settings, gmm, recipe, cfg, lam, method, n_steps, n)), before_each)


def recipe_comparison(settings, gmm, recipe: str, cfg, lam: float, method: str, n_steps: int, n: int,
                      metrics: dict, band=None) -> str | None:
    """The comparison sentence of this recipe and the other one at its default settings, when
    this model is the recipe's default and the other recipe's model is already trained (the
    warm-up trains both on the default mixture); None otherwise. metrics: this model's
    sample_quality of the learned score; band: a callable giving the true sets' band at this
    sample count (models.quality_band, see comparison_sentence)."""
    if cfg != models.default_config(recipe, settings.seed):
        return None
    other = next(r for r in models.RECIPES if r != recipe)
    other_cfg = models.default_config(other, settings.seed)
    if not models.is_trained(other_cfg, gmm, lam, settings.device):
        return None
    results = {}
    for name, c in ((recipe, cfg), (other, other_cfg)):
        m = models.trained_model(c, gmm, lam, settings.device)
        q = metrics if name == recipe else models.sample_quality(
            models.learned_samples(c, gmm, lam, settings.device, method, n_steps, n, settings.seed),
            gmm, settings.seed)
        results[models.recipe_name(name)] = {**q, "score_mse": float(m.history.iloc[-1]["score_mse"])}
    return comparison_sentence(results, None if band is None else band())


FAR_NATS = tfig.CONTOUR_DEPTH   # "far from the data": pₜ below the error map's lowest contour (e⁻¹² of its peak)
NEAR_NATS = 3.0     # "where pₜ is high": within e⁻³ of its peak
FAR_SHARE = 0.05    # a far region is worth a sentence when it covers at least this share of the view
FAR_FACTOR = 10.0   # ... and its median error is at least this many times the median where pₜ is high


def error_map_text(logp, err, window_mass: float | None = None) -> str:
    """What the error map shows far from the data, from its own grids (log pₜ and the squared
    error on the same points): whether the view holds a region where pₜ is negligible, and whether
    the error there is much larger than where pₜ is high. window_mass: the share of pₜ's mass in
    the view (the error panel's title); where at least FAR_SHARE of it lies outside, a sentence says
    so with the title's numbers."""
    logp, err = np.asarray(logp, dtype=float), np.asarray(err, dtype=float)
    ok = np.isfinite(logp) & np.isfinite(err)
    peak = float(logp[ok].max())
    far, near = ok & (logp < peak - FAR_NATS), ok & (logp >= peak - NEAR_NATS)
    share = float(far.sum()) / max(int(ok.sum()), 1)
    e_near = float(np.median(err[near]))
    outside = ""
    if window_mass is not None and 1 - float(window_mass) >= FAR_SHARE:
        outside = (f" The view holds {tfig.share_text(window_mass)} of pₜ's mass (the panel's title): the other "
                   f"{tfig.share_text(1 - float(window_mass))} lies outside it, farther from the data, where pₜ "
                   "has spread.")
    if share < FAR_SHARE:
        lo, hi = float(err[ok].min()), float(err[ok].max())
        where = ("nowhere in the view: the view holds no region that training points, drawn from pₜ, leave "
                 "unvisited" if not far.any() else
                 f"on only {100 * share:.2g} % of the view: training points, drawn from pₜ, visit nearly all "
                 "of it")
        return (f"At this t pₜ is negligible (below e⁻¹² of its peak) {where}, and the error ranges from "
                f"{lo:.2g} to {hi:.2g} over the plain map." + outside)
    e_far = float(np.median(err[far]))
    ratio = e_far / max(e_near, 1e-300)
    where = (f"Far from the data (pₜ below e⁻¹² of its peak: {100 * share:.0f} % of this view) the network "
             f"has seen almost no training point; its median error there is {e_far:.2g}, against {e_near:.2g} "
             f"where pₜ is within e⁻³ of its peak")
    if ratio >= FAR_FACTOR:
        return (where + f" ({vocabulary.short_number(ratio)}×): the plain map shows it, the weighted one shows that it does not "
                "matter for sampling." + outside)
    return where + f" ({vocabulary.short_number(ratio)}×): at this t the network's error is not much larger away from the data." + outside
