"""diffusion_core: the math of score-based diffusion on Gaussian mixtures, without Streamlit.

The public names are loaded on first use (PEP 562): `import diffusion_core` costs nothing, and
`diffusion_core.VESDE` imports its submodule (and torch) when it is first asked for. So a page that
needs only names (the sidebar's presets, the training recipe) does not wait for torch."""
from __future__ import annotations

import importlib

# public name -> the submodule that defines it
_WHERE = {
    # .sde
    "SDE": "sde",
    "VESDE": "sde",
    "VPSDE": "sde",
    "reverse_drift": "sde",
    "sde_from_config": "sde",
    # .mixture
    "GaussianMixture": "mixture",
    "PRESETS": "mixture",
    "preset": "mixture",
    # .score
    "exact_score": "score",
    "dsm_loss": "score",
    "loss_weight": "score",
    "loss_weight_mean": "score",
    "sample_times": "score",
    "WEIGHTINGS": "config",   # (score.py re-exports it; config has it without torch)
    # .sampling
    "SampleResult": "sampling",
    "sample": "sampling",
    "time_grid": "sampling",
    "nfe": "sampling",
    "steps_for_nfe": "sampling",
    "injects_noise": "sampling",
    "METHODS": "sampling",
    "GRIDS": "sampling",
    "SAMPLERS": "sampling",
    "GRID_SPECS": "sampling",
    "recommended": "sampling",
    # .metrics
    "sliced_w2": "metrics",
    "energy_distance": "metrics",
    "loglik_gap": "metrics",
    "logp_w1": "metrics",
    "mode_weights": "metrics",
    "wasserstein_1d": "metrics",
    # .config
    "TrainConfig": "config",
    # .network
    "ScoreNet": "network",
    "GaussianFourierFeatures": "network",
    "save_score_model": "network",
    "load_score_model": "network",
    # .training
    "train_score_model": "training",
    "score_mse_by_t": "training",
    "score_mse": "training",
    "draw_diffused": "training",
    "make_score_net": "training",
    # .flow
    "StraightPath": "flow",
    "fm_velocity": "flow",
    "exact_velocity": "flow",
    "velocity_from_score": "flow",
    "integrate": "flow",
    "flow_sample": "flow",
    "pf_ode_velocity": "flow",
    "straightness": "flow",
    "FlowNet": "flow",
    "train_flow_model": "flow",
    "rectify": "flow",
    "velocity_mse_by_t": "flow",
    "compare_paths": "flow",
    "flow_quality": "flow",
    "FLOW_METHODS": "flow",
    # .guidance
    "make_classes": "guidance",
    "class_mixture": "guidance",
    "conditional_score": "guidance",
    "guided_score": "guidance",
    "cfg_combine": "guidance",
    "class_log_prob": "guidance",
    "class_posterior": "guidance",
    "classifier_gradient": "guidance",
    "classifier_guided_score": "guidance",
    "guidance_metrics": "guidance",
    "guidance_sweep": "guidance",
    "CondScoreNet": "guidance",
    "train_cond_score_model": "guidance",
    "learned_guided_score": "guidance",
    # .pointsets
    "mixture_from_points": "pointsets",
    "default_width": "pointsets",
    "parse_points_csv": "pointsets",
    "fit_to_radius": "pointsets",
    "SHAPES": "pointsets",
    "swiss_roll": "pointsets",
    "spiral": "pointsets",
    "smiley": "pointsets",
    "heart": "pointsets",
}
_WHERE["PRESET_DIMS"] = "presets"
for _name in ("DigitsData", "DigitsConfig", "load_digits_split", "to_pixels", "train_digits_model",
              "exact_digits_mixture", "exact_digits", "digits_score", "sample_digits", "guided_digits",
              "denoising_film", "forward_film", "fit_digit_classifier", "frechet_distance",
              "digit_measures", "sampler_quality"):
    _WHERE[_name] = "digits"

__all__ = list(_WHERE)


def __getattr__(name: str):
    mod = _WHERE.get(name)
    if mod is None:     # a submodule (dc.sampling.recommended), as when all were imported eagerly
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value          # later lookups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
