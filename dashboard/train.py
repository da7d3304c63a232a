"""The Train & sample page's logic and texts: the form's validation with its fallback to the last
valid settings, training with a fallback to the last model that trained well, and the page's
explanations."""
from __future__ import annotations

import streamlit as st

import diffusion_core as dc
from dashboard import models

FIELD_LABELS = {"steps": "Training steps", "batch_size": "Batch size", "lr": "Learning rate",
                "width": "Network width", "eps": "ε (smallest training time)"}
DEFAULT = dc.TrainConfig()
DEFAULT_LAM = 25.0
# One request stays within seconds: training steps x batch x width at most the tutorial recipe's
# own (500 full-batch steps of width 50, ~6 s of one CPU core; 5000 x 10,000 x 128 took ~4 min),
# and samples x score evaluations at most 4 million (20,000 samples x 200 reverse-SDE steps).
MAX_TRAIN_WORK = 500 * 10_000 * 50
MAX_SAMPLE_WORK = 4_000_000


def load_recipe():
    """Put the chosen recipe's values into the form."""
    base = models.RECIPES[st.session_state["w_train_recipe"]]()
    for key, value in (("steps", base.steps), ("batch", base.batch_size), ("lr", base.lr),
                       ("width", base.width), ("eps", base.eps), ("lam", DEFAULT_LAM)):
        st.session_state[f"w_train_{key}"] = value


def settled_model(settings, gmm, recipe: str, steps, batch, lr, width, eps, lam, progress):
    """Check the form's values; train the model of the last valid settings if they are wrong, and
    the last model that trained well if training diverges. Returns (recipe, cfg, lam, model)."""
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

    model = models.trained_model(cfg, gmm, lam, settings.device, _progress=progress)
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
    return recipe, cfg, lam, model


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


def explain_error_by_t() -> None:
    """Why small t is hard, and the tutorial's score-MSE defect."""
    st.markdown(
        "Small t is hard: pₜ is sharp there and its score is large, but the loss multiplies errors by "
        "σₜ², so it barely cares (orange). Below ε no training time was drawn at all. "
        "*A defect of the tutorial, fixed here:* its score-MSE curves built the diffused mixture pₜ "
        "but then sampled and scored the clean one, comparing the network at time t with the time-0 "
        "score, so its curves could not go to zero. Here every error is measured at xₜ ~ pₜ against "
        "∇log pₜ.")


def sampling_caption(n: int) -> None:
    """What the sampling metrics compare with."""
    st.caption(
        f"Both samplers start from the same noise and draw the same Brownian increments, so the "
        f"differences come from the score alone. Metrics compare with {models.reference_size(n):,} "
        "independent true samples: sliced W₂ (0 = same distribution), log-likelihood gap "
        "mean log p of true samples − mean log p of the samples (> 0: samples in less likely places), W₁ between the "
        "log p values, and the share of samples per mode. The *true samples* row is the metrics' "
        "noise floor at this sample count: with few samples every row sits near it; raise **Samples** "
        "to 20,000 to see how far the learned score really is from the exact one.")
