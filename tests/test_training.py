"""Tests of the learned score: TrainConfig, ScoreNet, train_score_model, score_mse_by_t, save/load."""
import dataclasses
import io
import json
import math
import re

import pytest
import torch

import diffusion_core as dc
from diffusion_core.network import SIGMA_FLOOR

GMM = dc.PRESETS["tutorial"]
SDE = dc.VESDE(25.0)
SMALL = dict(n_data=2000, steps=120, batch_size=250, width=32, warmup=10, log_every=40, n_eval=1000)


def assert_close(a, b, rtol, atol):
    """|a - b| <= atol + rtol |b| everywhere (torch.allclose), with the worst gap in the message."""
    assert a.shape == b.shape, (a.shape, b.shape)
    assert torch.allclose(a, b, rtol=rtol, atol=atol), f"max |a - b| = {float((a - b).abs().max()):.3g}"


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def trained():
    torch.set_num_threads(1)
    return dc.train_score_model(GMM, SDE, dc.TrainConfig(**SMALL))


# --------------------------------------------------------------------------------- TrainConfig
@pytest.mark.parametrize("field, value, words", [
    ("steps", 0, "steps must be an integer in 1..20000"),
    ("steps", 20_001, "steps must be an integer in 1..20000"),
    ("steps", 2.5, "steps must be an integer"),
    ("steps", True, "steps must be an integer"),
    ("n_data", 100_001, "n_data must be an integer in 1..100000"),
    ("batch_size", 20_001, "batch_size must be an integer in 0..20000"),
    ("batch_size", 20_000, "batch_size must be <= n_data"),
    ("width", 513, "width must be an integer in 1..512"),
    ("depth", 0, "depth must be an integer in 1..8"),
    ("lr", 0.0, "lr must be a number in (0, 1]"),
    ("lr", float("nan"), "lr must be a number"),
    ("eps", 0.0, "eps must be a number in (0, 0.5]"),
    ("ema", 1.0, "ema must be a number in [0, 1)"),
    ("fourier_dim", 3, "fourier_dim must be even"),
    ("activation", "sigmoid", "activation must be one of tanh, silu, relu, gelu"),
    ("weighting", "sigma", "weighting must be one of sigma2, uniform, g2"),
    ("precond", "karras", "precond must be one of none, edm"),
    ("lr_schedule", "step", "lr_schedule must be one of constant, cosine"),
    ("warmup", 5000, "warmup must be <= steps"),
    ("stratified", 1, "stratified must be True or False"),
])
def test_config_rejects_bad_values(field, value, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        dc.TrainConfig(**{field: value})


def test_config_is_hashable_and_round_trips_through_json():
    a, b = dc.TrainConfig(), dc.TrainConfig()
    assert a == b and hash(a) == hash(b) and len({a: 1, b: 2}) == 1
    assert dc.TrainConfig(batch_size=None) == dc.TrainConfig(batch_size=0)
    assert dc.TrainConfig(steps=300.0) == dc.TrainConfig(steps=300)
    for cfg in (dc.TrainConfig(), dc.TrainConfig.tutorial(), dc.TrainConfig(**SMALL)):
        back = dc.TrainConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
        assert back == cfg and hash(back) == hash(cfg)
    with pytest.raises(ValueError, match="unknown training-config fields: colour"):
        dc.TrainConfig.from_dict({"colour": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.steps = 3


def test_tutorial_config_is_the_tutorials_recipe():
    c = dc.TrainConfig.tutorial()
    assert (c.fourier_dim, c.fourier_scale, c.width, c.depth, c.activation, c.precond) == \
        (10, 1.0, 50, 2, "tanh", "none")
    assert (c.n_data, c.batch_size, c.lr, c.lr_schedule, c.warmup, c.ema, c.steps, c.eps) == \
        (10_000, 0, 5e-3, "constant", 0, 0.0, 500, 0.01)
    assert (c.weighting, c.stratified) == ("sigma2", False)
    net = dc.make_score_net(SDE, c, torch.randn(100, 2))
    # 12-50-50-2: 2 coordinates + 10 Fourier features in, two hidden layers of 50
    shapes = [tuple(p.shape) for p in net.parameters()]
    assert shapes == [(50, 12), (50,), (50, 50), (50,), (2, 50), (2,)]


# --------------------------------------------------------------------------------- ScoreNet
@pytest.mark.parametrize("dim", [1, 2, 3])
@pytest.mark.parametrize("precond", ["none", "edm"])
def test_scorenet_shapes_and_scalar_time(dim, precond):
    net = dc.ScoreNet(SDE, dim=dim, width=16, precond=precond)
    x = torch.randn(7, dim)
    out = net(x, torch.full((7,), 0.3))
    assert out.shape == (7, dim) and torch.isfinite(out).all()
    assert torch.allclose(net(x, 0.3), out)
    assert torch.isfinite(net(x, 0.0)).all()          # sigma_0 = 0 is clamped, not divided by
    out64 = net(x.double(), 0.3)                       # float64 points: same score, x's dtype
    assert out64.dtype == torch.float64 and torch.allclose(out64.float(), out)


def test_tutorial_net_is_mlp_of_fourier_features_over_sigma():
    """s(x, t) = MLP([x, sin(2 pi W t), cos(2 pi W t)]) / sigma_t: the output scales like 1/sigma_t."""
    net = dc.ScoreNet(SDE, dim=2, width=50, depth=2, activation="tanh", fourier_dim=10)
    x = torch.randn(64, 2)
    for tv in (1e-3, 0.05, 0.5, 1.0):
        t = torch.full((64,), tv)
        ang = 2 * math.pi * tv * net.embed.W
        feats = torch.cat([x, torch.cat([torch.sin(ang), torch.cos(ang)]).expand(64, 10)], 1)
        raw = net.net(feats)
        sigma = math.sqrt((25.0 ** (2 * tv) - 1) / (2 * math.log(25.0)))
        assert_close(net(x, t) * sigma, raw, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("sde", [dc.VESDE(25.0), dc.VPSDE()])
def test_edm_net_starts_at_the_diffused_gaussian_score(sde):
    """With the last layer at zero, s(x, t) is the exact score of N(mu, s_d^2 I) diffused to t."""
    mu, sd = torch.tensor([1.0, -0.5]), 1.3
    net = dc.ScoreNet(sde, dim=2, width=16, precond="edm", data_mean=mu, data_std=sd)
    gauss = dc.GaussianMixture(mu[None].double(), (sd ** 2 * torch.eye(2, dtype=torch.float64))[None], [1.0])
    x = 3 * torch.randn(200, 2)
    t = torch.rand(200) * 0.99 + 0.01
    assert_close(net(x, t), dc.exact_score(gauss, sde)(x, t), rtol=1e-4, atol=1e-4)


def test_edm_net_residual_scales_like_one_over_sigma_at_small_noise():
    """s - s_gauss = s_d / (r sqrt(r^2 + s_d^2)) F: times sigma_t it tends to F as sigma_t -> 0."""
    torch.manual_seed(0)
    net = dc.ScoreNet(SDE, dim=2, width=16, precond="edm", data_std=1.0, fourier_dim=0)
    torch.nn.init.normal_(net.net[-1].weight)
    x = torch.randn(50, 2)
    for tv in (1e-4, 1e-3):
        t = torch.full((50,), tv)
        r = SDE.sigma(t)[:, None]
        resid = net(x, t) + x / (r ** 2 + 1)
        F = net.net(torch.cat([x / (r ** 2 + 1).sqrt(), 0.25 * torch.log(r)], 1))
        assert_close(resid * r, F / (r ** 2 + 1).sqrt(), rtol=1e-3, atol=1e-4)


def test_scorenet_rejects_bad_hyperparameters():
    with pytest.raises(ValueError, match="width must be an integer in 1..512"):
        dc.ScoreNet(SDE, width=0)
    with pytest.raises(ValueError, match="data_mean must be 2 finite numbers"):
        dc.ScoreNet(SDE, precond="edm", data_mean=[0.0, float("nan")])


# --------------------------------------------------------------------------------- training
def test_training_reduces_loss_and_score_error(trained):
    net, hist = trained
    assert list(hist.columns) == list(dc.training.HISTORY_COLUMNS)
    assert list(hist.step) == [1, 40, 80, 120]
    first, last = hist.iloc[0], hist.iloc[-1]
    assert last.dsm_loss < first.dsm_loss - 0.003
    assert last.score_mse < 0.85 * first.score_mse      # row 1 is already near the Gaussian score
    assert not net.training and not any(p.requires_grad for p in net.parameters())
    assert net.train_config == dc.TrainConfig(**SMALL)


def test_irreducible_loss_is_positive_below_trained_loss_and_matches_monte_carlo(trained):
    _, hist = trained
    irr = hist.irreducible_loss
    assert (irr == irr.iloc[0]).all()
    assert 0 < irr.iloc[0] < hist.dsm_loss.min()
    # independent estimate: dsm_loss of the exact score on 40,000 fresh draws, same t ~ U[eps, 1]
    g = torch.Generator().manual_seed(7)
    x0, _ = GMM.sample(40_000, g, dtype=torch.float32)
    mc = float(dc.dsm_loss(dc.exact_score(GMM, SDE), x0, SDE, eps=SMALL.get("eps", 1e-3), generator=g))
    assert abs(irr.iloc[0] - mc) < 0.08          # ~4 standard errors of the 1000-point estimate


def test_full_batch_tutorial_recipe_and_1d_data_train():
    cfg = dataclasses.replace(dc.TrainConfig.tutorial(), n_data=500, steps=4, log_every=2, n_eval=200)
    net, hist = dc.train_score_model(GMM, SDE, cfg)
    assert list(hist.step) == [1, 2, 4] and torch.isfinite(torch.tensor(hist.values)).all()
    cfg1 = dc.TrainConfig(n_data=500, steps=5, batch_size=100, warmup=0, log_every=5, n_eval=200)
    net1, _ = dc.train_score_model(dc.PRESETS["bimodal 1D"], SDE, cfg1)
    assert net1(torch.randn(4, 1), torch.full((4,), 0.5)).shape == (4, 1)


def test_same_seed_same_model_and_callback_can_stop():
    cfg = dc.TrainConfig(n_data=500, steps=50, batch_size=100, warmup=0, log_every=10, n_eval=200)
    calls = []

    def cb(step, total, row):
        calls.append((step, total, row is not None))
        return step >= 20

    net, hist = dc.train_score_model(GMM, SDE, cfg, callback=cb)
    assert calls[-1] == (20, 50, True) and list(hist.step) == [1, 10, 20]
    net2, _ = dc.train_score_model(GMM, SDE, dataclasses.replace(cfg, steps=20))
    x, t = torch.randn(10, 2), torch.full((10,), 0.2)
    assert not torch.equal(net(x, t), net2(x, t))   # cosine schedule differs with steps ...
    net3, _ = dc.train_score_model(GMM, SDE, cfg, callback=cb)
    assert torch.equal(net(x, t), net3(x, t))       # ... but the same run is reproducible
    net4, _ = dc.train_score_model(GMM, SDE, dataclasses.replace(cfg, seed=5), callback=cb)
    net5, _ = dc.train_score_model(GMM, SDE, cfg, callback=cb, seed=5)
    assert torch.equal(net4(x, t), net5(x, t)) and not torch.equal(net(x, t), net4(x, t))
    assert net5.train_config.seed == 5


# --------------------------------------------------------------------------------- score MSE by t
def test_score_mse_by_t_is_zero_for_the_exact_score():
    ts = torch.tensor([0.01, 0.3, 0.7, 1.0])
    mse = dc.score_mse_by_t(dc.exact_score(GMM, SDE), GMM, SDE, ts, 500, torch.Generator().manual_seed(0))
    assert mse.shape == (4,) and float(mse.max()) < 1e-10
    with pytest.raises(ValueError, match="n_per_t must be in 1..500000"):
        dc.score_mse_by_t(dc.exact_score(GMM, SDE), GMM, SDE, ts, 10 ** 6)
    with pytest.raises(ValueError, match=r"times ts must be in \[0, 1\]"):
        dc.score_mse_by_t(dc.exact_score(GMM, SDE), GMM, SDE, [0.5, 1.5], 10)


def test_score_mse_by_t_draws_points_from_the_diffused_mixture():
    """Data N(0, I), p_t = N(0, (1 + s^2) I); the clean score -x at x ~ p_t errs by x s^2/(1 + s^2),
    whose mean square is s^4 / (1 + s^2) (it would be s^4 / (1 + s^2)^2 at x ~ p_0)."""
    gauss = dc.GaussianMixture([[0.0, 0.0]], [torch.eye(2).tolist()], [1.0])
    sde = dc.VESDE(5.0)
    ts = torch.tensor([0.2, 0.5, 1.0])
    mse = dc.score_mse_by_t(lambda x, t: -x, gauss, sde, ts, 40_000, torch.Generator().manual_seed(1))
    s2 = sde.sigma(ts.double()) ** 2
    assert_close(mse.double(), s2 ** 2 / (1 + s2), rtol=0.03, atol=0)


# --------------------------------------------------------------------------------- save / load
class _Evil:
    """Unpickling this would call print: a stand-in for code hidden in a weights file."""

    def __reduce__(self):
        return (print, ("code ran while loading",))


def _saved(net) -> bytes:
    buf = io.BytesIO()
    dc.save_score_model(net, buf)
    return buf.getvalue()


def test_save_load_round_trip_gives_identical_outputs(trained):
    net, _ = trained
    back = dc.load_score_model(_saved(net), sde=SDE)
    x, t = 4 * torch.randn(300, 2), torch.rand(300)
    assert torch.equal(net(x, t), back(x, t))
    assert back.train_config == net.train_config and back.hparams == net.hparams


def test_tampered_or_mismatched_files_are_refused(trained, tmp_path):
    net, _ = trained
    blob = torch.load(io.BytesIO(_saved(net)), weights_only=True)

    def write(b):
        buf = io.BytesIO()
        torch.save(b, buf)
        return buf.getvalue()

    changed = {**blob, "state_dict": {**blob["state_dict"]}}
    changed["state_dict"]["net.0.weight"] = changed["state_dict"]["net.0.weight"] + 1e-3
    with pytest.raises(ValueError, match="sha256"):
        dc.load_score_model(write(changed))
    wider = {**blob, "hparams": {**blob["hparams"], "width": 33}}
    with pytest.raises(ValueError, match="does not match its network"):
        dc.load_score_model(write(wider))
    with pytest.raises(ValueError, match="trained for VESDE"):
        dc.load_score_model(write(blob), sde=dc.VESDE(10.0))
    with pytest.raises(ValueError, match="not a score-model file"):
        dc.load_score_model(write({**blob, "format": "other"}))
    with pytest.raises(ValueError, match="not a readable score-model file"):
        dc.load_score_model(b"not a torch file at all")
    path = tmp_path / "evil.pt"
    torch.save({"format": "diffusion_core.ScoreNet", "x": _Evil()}, path)
    with pytest.raises(ValueError, match="not a readable score-model file"):
        dc.load_score_model(path)      # weights_only refuses arbitrary objects


# --------------------------------------------------------------------------------- the objective
def test_tutorial_zero_loss_check_for_a_single_point():
    """Data = the single point 0: the analytic score -x / sigma_t^2 has zero DSM loss."""
    sde = dc.VESDE(10.0)
    score = lambda x, t: -x / sde.sigma(t)[:, None] ** 2
    loss = dc.dsm_loss(score, torch.zeros(10, 2), sde, eps=1e-3, generator=torch.Generator().manual_seed(0))
    assert float(loss) < 1e-10
    # and a wrong score is not zero
    loss2 = dc.dsm_loss(lambda x, t: -x, torch.zeros(10, 2), sde, eps=1e-3,
                        generator=torch.Generator().manual_seed(0))
    assert float(loss2) > 0.1


@pytest.mark.parametrize("recipe", ["ours", "tutorial"])
def test_every_curve_drawn_against_the_floor_stays_above_it(recipe):
    """The Train page draws the loss chart against the irreducible floor: at the app's default
    seed, with both recipes (the tutorial's shortened), no drawn point may sit below the floor."""
    from dashboard.figures import training as tfig
    cfg = dc.TrainConfig() if recipe == "ours" else dataclasses.replace(dc.TrainConfig.tutorial(), steps=150)
    _, hist = dc.train_score_model(dc.PRESETS["tutorial"], dc.VESDE(25.0), dataclasses.replace(cfg, seed=2021))
    floor = float(hist.irreducible_loss.iloc[0])
    rows = tfig.loss_chart(hist).to_dict()["datasets"]
    values = [r["loss"] for data in rows.values() for r in data]
    assert len(values) >= 2 * len(hist) and min(values) >= floor
    assert (hist.dsm_loss >= hist.irreducible_loss).all()
