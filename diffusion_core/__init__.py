"""diffusion_core: the math of score-based diffusion on Gaussian mixtures, without Streamlit."""
from .sde import SDE, VESDE, VPSDE, reverse_drift, sde_from_config
from .mixture import GaussianMixture, PRESETS, preset
from .score import exact_score, dsm_loss, loss_weight, sample_times, WEIGHTINGS
from .sampling import (SampleResult, sample, time_grid, nfe, steps_for_nfe, METHODS, GRIDS, SAMPLERS,
                       GRID_SPECS, recommended)
from .metrics import sliced_w2, energy_distance, loglik_gap, logp_w1, mode_weights, wasserstein_1d
from .config import TrainConfig
from .network import ScoreNet, GaussianFourierFeatures, save_score_model, load_score_model
from .training import train_score_model, score_mse_by_t, score_mse, draw_diffused, make_score_net
from .flow import (StraightPath, fm_velocity, exact_velocity, velocity_from_score, integrate,
                   flow_sample, pf_ode_velocity, straightness, FlowNet, train_flow_model, rectify,
                   velocity_mse_by_t, compare_paths, flow_quality, FLOW_METHODS)
from .guidance import (make_classes, class_mixture, conditional_score, guided_score, cfg_combine,
                       class_log_prob, class_posterior, classifier_gradient, classifier_guided_score,
                       guidance_metrics, guidance_sweep, CondScoreNet, train_cond_score_model,
                       learned_guided_score)
from .pointsets import (mixture_from_points, default_width, parse_points_csv, fit_to_radius, SHAPES,
                        swiss_roll, spiral, smiley, heart)
