"""Property-based tests of bad input: every number a user can type, upload or put in a link is
either accepted as a usable value or refused with a clear message, never a traceback.

Part 1 drives random valid and invalid inputs through diffusion_core (mixtures, SDEs, samplers,
training configs, the editor's tables, settings files and link text). Part 2 (marked slow) drives
random widget values, taken from the settings schema and from the widgets' own bounds, and random
valid mixtures through the AppTest pages, and checks that every size widget has a finite cap.
"""
from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
from streamlit.testing.v1 import AppTest

import diffusion_core as dc
from dashboard import mixture_table as ed
from dashboard import settings as sio
from conftest import app_test

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# PROPERTY_EXAMPLES=2000 searches harder (a few minutes); the default keeps part 1 to seconds
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "60"))
CORE = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


pytestmark = pytest.mark.usefixtures("one_thread")


def assert_message(e: BaseException):
    """A refusal a person can act on: a ValueError with a non-trivial message."""
    assert isinstance(e, ValueError), f"{type(e).__name__}: {e}"
    assert len(str(e).strip()) >= 8, repr(str(e))


def valid_or_message(make):
    """make() or None after a ValueError with a message; any other exception fails the test."""
    try:
        return make()
    except ValueError as e:
        assert_message(e)
        return None


# ===================================================================================== values
FINITE = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
WILD_FLOAT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-320, 1e-300, 1e300, 1.7e308, -1.7e308]))
WILD_INT = st.one_of(st.integers(-10, 10), st.sampled_from([2 ** 31, 2 ** 63, -(2 ** 63), 10 ** 30, 10 ** 400]))
WILD_SCALAR = st.one_of(WILD_FLOAT, WILD_INT, st.booleans(), st.none(),
                        st.sampled_from(["", "1", "nan", "NaN", "inf", "-Infinity", "1e400", "abc", "0x10"]))


def nested(inner):
    """Lists and objects of `inner` values (the shapes JSON can take)."""
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3))


WILD = st.recursive(WILD_SCALAR, nested, max_leaves=12)


@st.composite
def spd(draw, d: int, lo: float = 1e-2, hi: float = 20.0):
    """A d x d covariance with principal stds in [lo, hi], as a nested list."""
    stds = draw(st.lists(st.floats(lo, hi), min_size=d, max_size=d))
    q, _ = np.linalg.qr(np.array(draw(st.lists(st.floats(-1, 1), min_size=d * d, max_size=d * d)))
                        .reshape(d, d) + 3 * np.eye(d))
    c = q @ np.diag(np.square(stds)) @ q.T
    return (0.5 * (c + c.T)).tolist()


@st.composite
def mixtures(draw, dim=None, max_k: int = 4, mean_range: float = 50.0, std=(1e-2, 20.0)):
    """A valid mixture within the editor's bounds (|mean| <= 50, stds in [0.01, 20])."""
    d = dim or draw(st.integers(1, 3))
    k = draw(st.integers(1, max_k))
    means = draw(st.lists(st.lists(st.floats(-mean_range, mean_range), min_size=d, max_size=d),
                          min_size=k, max_size=k))
    covs = [draw(spd(d, *std)) for _ in range(k)]
    weights = draw(st.lists(st.floats(0.0, 1e6), min_size=k, max_size=k))
    assume(sum(weights) > 0)
    return dc.GaussianMixture(means, covs, weights)


# ===================================================================================== mixtures
@st.composite
def mixture_args(draw):
    """Means, covariances and weights of every kind: valid, non-PD, non-symmetric, NaN, huge,
    negative weights, wrong shapes, ragged lists, text."""
    k, d = draw(st.integers(0, 4)), draw(st.integers(1, 3))
    num = st.one_of(FINITE, WILD_FLOAT, WILD_INT)
    kind = draw(st.sampled_from(["valid", "wild", "shape", "junk"]))
    if kind == "valid":
        means = draw(st.lists(st.lists(FINITE, min_size=d, max_size=d), min_size=k, max_size=k))
        covs = [draw(spd(d, 1e-3, 1e3)) for _ in range(k)]
        weights = draw(st.one_of(st.none(), st.lists(st.floats(0, 1e300), min_size=k, max_size=k)))
    elif kind == "wild":
        means = draw(st.lists(st.lists(num, min_size=d, max_size=d), min_size=k, max_size=k))
        covs = draw(st.lists(st.lists(st.lists(num, min_size=d, max_size=d), min_size=d, max_size=d),
                             min_size=k, max_size=k))
        weights = draw(st.one_of(st.none(), st.lists(num, min_size=k, max_size=k)))
    elif kind == "shape":
        shape = lambda: st.lists(st.integers(0, 3), min_size=0, max_size=4).map(tuple)
        means, covs = np.ones(draw(shape())).tolist(), (np.ones(draw(shape())) * 0.5).tolist()
        weights = draw(st.one_of(st.none(), shape().map(lambda s: np.ones(s).tolist())))
    else:
        means, covs, weights = draw(WILD), draw(WILD), draw(WILD)
    return means, covs, weights


@given(mixture_args())
@CORE
def test_mixture_construction_is_valid_or_refused(args):
    gmm = valid_or_message(lambda: dc.GaussianMixture(*args))
    if gmm is None:
        return
    K, d = gmm.n_components, gmm.dim
    assert gmm.means.shape == (K, d) and gmm.covs.shape == (K, d, d)
    w = gmm.weights
    assert torch.isfinite(w).all() and (w >= 0).all() and float(w.sum()) == pytest.approx(1.0)
    evals = torch.linalg.eigvalsh(gmm.covs)
    assert torch.isfinite(evals).all() and (evals > 0).all()
    # usable: finite density and score at its own means (float64)
    assert torch.isfinite(gmm.log_prob(gmm.means)).all()
    assert torch.isfinite(gmm.score(gmm.means)).all()


@given(st.dictionaries(st.sampled_from(["means", "covs", "weights", "other"]), WILD, max_size=4) | WILD)
@CORE
def test_mixture_from_dict_is_valid_or_refused(d):
    valid_or_message(lambda: dc.GaussianMixture.from_dict(d))


@given(mixtures(), st.data())
@CORE
def test_log_prob_and_score_finite_far_away(gmm, data):
    """Up to |x| = 1e100 in float64 and 1e6 in float32, for every time of the diffused mixture."""
    d = gmm.dim
    for dtype, scale in ((torch.float64, 1e100), (torch.float32, 1e6)):
        rows = data.draw(st.lists(st.lists(st.floats(-scale, scale), min_size=d, max_size=d),
                                  min_size=1, max_size=6), label=str(dtype))
        x = torch.tensor(rows, dtype=dtype)
        assert torch.isfinite(gmm.log_prob(x)).all()
        assert torch.isfinite(gmm.score(x)).all()
        sde = data.draw(st.sampled_from([dc.VESDE(25.0), dc.VESDE(1.0), dc.VESDE(0.1), dc.VPSDE()]))
        t = torch.tensor(data.draw(st.lists(st.floats(0, 1), min_size=len(rows), max_size=len(rows))),
                         dtype=dtype)
        assert torch.isfinite(dc.exact_score(gmm, sde)(x, t)).all()


# ===================================================================================== SDEs
LAMBDAS = st.one_of(st.floats(1e-6, 60.0), st.sampled_from([1.0, 60.0, 0.1, 50.0]),
                    st.integers(-12, -4).map(lambda k: 1 + 10.0 ** k), st.integers(-12, -4).map(lambda k: 1 - 10.0 ** k))


@given(LAMBDAS, st.sampled_from([torch.float32, torch.float64]))
@CORE
def test_vesde_sigma_finite_and_monotone(lam, dtype):
    sde = dc.VESDE(lam)
    t = torch.linspace(0, 1, 201, dtype=dtype)
    s = sde.sigma(t)
    assert torch.isfinite(s).all() and s[0] == 0 and (s[1:] > 0).all()
    # non-decreasing up to rounding: sigma_t saturates for small lam, where neighbours differ in
    # their last bits only
    ulp = torch.finfo(dtype).eps
    assert (s[1:] >= s[:-1] * (1 - 4 * ulp)).all(), "sigma_t must not decrease"
    assert torch.isfinite(sde.g(t)).all() and (sde.g(t) > 0).all()
    prior = sde.prior_std()
    assert math.isfinite(prior) and prior > 0
    assert float(s[-1]) == pytest.approx(prior, rel=1e-5)
    # sigma^2 = t exactly at lam = 1, and continuous around it
    if abs(lam - 1) < 1e-4:
        assert torch.allclose(s.double() ** 2, t.double(), rtol=1e-3, atol=1e-6)
    # the inverse used by the samplers' time grids (checked forward: where sigma_t saturates,
    # many t share one sigma)
    tt = torch.linspace(0.01, 1, 50, dtype=torch.float64)
    s64 = sde.sigma(tt)
    back = sde.t_of_sigma(s64)
    assert torch.isfinite(back).all()
    assert torch.allclose(sde.sigma(back), s64, rtol=1e-6, atol=1e-12)


@given(WILD_SCALAR)
@CORE
def test_vesde_refuses_bad_lambda(lam):
    sde = valid_or_message(lambda: dc.VESDE(lam))
    if sde is not None:
        assert math.isfinite(sde.lam) and sde.lam > 0


@given(st.one_of(st.floats(0, 100), WILD_SCALAR), st.one_of(st.floats(0, 100), WILD_SCALAR))
@CORE
def test_vpsde_valid_or_refused(bmin, bmax):
    sde = valid_or_message(lambda: dc.VPSDE(bmin, bmax))
    if sde is None:
        return
    assert 0 <= sde.beta_min < sde.beta_max
    t = torch.linspace(0, 1, 101, dtype=torch.float64)
    s, a = sde.sigma(t), sde.mean_scale(t)
    assert torch.isfinite(s).all() and torch.isfinite(a).all()
    assert (s[1:] >= s[:-1]).all() and (a[1:] <= a[:-1]).all()
    assert (s >= 0).all() and (s <= 1).all() and (a >= 0).all() and (a <= 1).all()


# ===================================================================================== sampling
SDES = st.one_of(st.floats(0.1, 60.0).map(dc.VESDE), st.just(dc.VESDE(1.0)),
                 st.tuples(st.floats(0.0, 5.0), st.floats(5.5, 50.0)).map(lambda b: dc.VPSDE(*b)))


@given(mixtures(max_k=3, std=(0.05, 5.0)), SDES, st.integers(1, 12), st.integers(1, 20),
       st.sampled_from(dc.METHODS), st.sampled_from(dc.GRIDS),
       st.sampled_from([1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.5]), st.floats(0.0, 1.0), st.booleans(),
       st.integers(0, 2 ** 31 - 1))
@settings(max_examples=EXAMPLES, deadline=None)
def test_sample_with_the_exact_score_is_finite(gmm, sde, n, steps, method, grid, t_eps, snr, traj, seed):
    if method == "tutorial" and steps < 2:
        steps = 2
    res = dc.sample(dc.exact_score(gmm, sde), sde, n, steps, method=method, grid=grid, t_eps=t_eps,
                    snr=snr, dim=gmm.dim, trajectory=traj, generator=torch.Generator().manual_seed(seed))
    assert res.x.shape == (n, gmm.dim)
    assert torch.isfinite(res.x).all()
    assert torch.isfinite(res.times).all() and (res.times[1:] < res.times[:-1]).all()
    if traj:
        assert torch.isfinite(res.trajectory).all()


BAD_N = st.sampled_from([0, -1, 2.5, True, None, "3", float("nan"), float("inf"), [3]])
BAD_STEPS = st.sampled_from([0, -2, 1.5, False, None, "2", float("nan"), float("inf")])
BAD_T_EPS = st.sampled_from([0.0, 1.0, -0.1, 2.0, float("nan"), float("inf"), None, "0.1"])
BAD_SNR = st.sampled_from([-0.1, float("nan"), float("inf"), None, "0.1"])


@given(st.sampled_from(["n", "steps", "method", "grid", "t_eps", "snr"]), st.data())
@CORE
def test_sample_refuses_bad_arguments(which, data):
    gmm, sde = dc.PRESETS["tutorial"], dc.VESDE(10.0)
    kw = dict(n=4, steps=3, method="pc", grid="karras", t_eps=1e-3, snr=0.1)
    kw[which] = data.draw({"n": BAD_N, "steps": BAD_STEPS, "t_eps": BAD_T_EPS, "snr": BAD_SNR,
                           "method": st.text(max_size=8).filter(lambda s: s not in dc.METHODS),
                           "grid": st.text(max_size=8).filter(lambda s: s not in dc.GRIDS)}[which])
    with pytest.raises(Exception) as e:
        dc.sample(dc.exact_score(gmm, sde), sde, kw.pop("n"), kw.pop("steps"), **kw)
    assert_message(e.value)


# ===================================================================================== training config
def _config_fields():
    import dataclasses
    return [f.name for f in dataclasses.fields(dc.TrainConfig)]


@given(st.dictionaries(st.sampled_from(_config_fields()),
                       st.one_of(WILD_SCALAR, st.integers(-5, 30_000), st.floats(-1, 2),
                                 st.sampled_from(["silu", "tanh", "relu", "gelu", "edm", "none", "sigma2",
                                                  "uniform", "g2", "cosine", "constant"])),
                       max_size=6))
@CORE
def test_train_config_valid_or_refused(fields):
    cfg = valid_or_message(lambda: dc.TrainConfig(**fields))
    if cfg is None:
        return
    hash(cfg)
    for name in ("n_data", "steps", "batch_size", "width", "depth", "fourier_dim", "warmup", "seed",
                 "log_every", "n_eval"):
        v = getattr(cfg, name)
        assert type(v) is int and v >= 0
    for name in ("lr", "eps", "ema", "fourier_scale"):
        assert type(getattr(cfg, name)) is float and math.isfinite(getattr(cfg, name))
    assert 0 < cfg.lr <= 1 and 0 < cfg.eps <= 0.5 and cfg.steps <= 20_000 and cfg.batch_size <= cfg.n_data
    assert dc.TrainConfig.from_dict(cfg.to_dict()) == cfg


# ===================================================================================== editor tables
CELL = st.one_of(st.floats(-100, 100), WILD_SCALAR, st.lists(st.integers(), max_size=2))


@st.composite
def tables(draw):
    mode = draw(st.sampled_from(ed.MODES))
    cols = list(ed.COLUMNS[mode]) + ["extra"]
    row = st.dictionaries(st.sampled_from(cols), CELL, max_size=7)
    good = st.fixed_dictionaries({c: st.floats(-60, 60) for c in ed.COLUMNS[mode]})
    rows = draw(st.one_of(st.lists(st.one_of(row, good, WILD_SCALAR), max_size=14), WILD))
    return rows, mode


@given(tables())
@CORE
def test_mixture_from_rows_gives_a_mixture_or_messages(table):
    rows, mode = table
    gmm, errors = ed.mixture_from_rows(rows, mode)
    if gmm is None:
        assert errors and all(isinstance(e, str) and e for e in errors)
        return
    assert errors == [] and gmm.dim == 2 and 1 <= gmm.n_components <= ed.MAX_COMPONENTS
    assert float(gmm.means.abs().max()) <= ed.MAX_ABS_MEAN
    stds = torch.linalg.eigvalsh(gmm.covs).sqrt()
    lo, hi = ed.STD_RANGE
    assert float(stds.min()) >= lo * (1 - 1e-9) and float(stds.max()) <= hi * (1 + 1e-9)
    back, errors = ed.mixture_from_rows(ed.rows_from_mixture(gmm, mode, digits=None), mode)
    assert back is not None and torch.allclose(back.covs, gmm.covs, atol=1e-9)


STD_AT_LIMITS = st.one_of(st.sampled_from(ed.STD_RANGE), st.floats(*ed.STD_RANGE))


@given(st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50), STD_AT_LIMITS, STD_AT_LIMITS,
                          st.floats(-360, 360), st.floats(0.01, 1e6)), min_size=1, max_size=ed.MAX_COMPONENTS),
       st.sampled_from(ed.MODES), st.sampled_from(ed.MODES))
@CORE
def test_editor_tables_at_the_limits_survive_a_form_switch(rows, mode_from, mode_to):
    """A mixture made in the editor (stds at 0.01 or 20 included) loads back in either form."""
    gmm, errors = ed.mixture_from_rows([dict(zip(ed.COLUMNS["std_angle"], r)) for r in rows], "std_angle")
    assert gmm is not None, errors
    for mode in (mode_from, mode_to):
        gmm, errors = ed.mixture_from_rows(ed.rows_from_mixture(gmm, mode, digits=None), mode)
        assert gmm is not None, errors


@given(st.one_of(WILD.map(lambda v: json.dumps(v, allow_nan=True)), st.text(max_size=40),
                 st.binary(max_size=40),
                 st.fixed_dictionaries({"means": WILD, "covs": WILD, "weights": WILD}).map(json.dumps)))
@CORE
def test_mixture_from_json_gives_a_mixture_or_messages(data):
    gmm, errors = ed.mixture_from_json(data)
    assert (gmm is None) == bool(errors)
    assert all(isinstance(e, str) and e for e in errors)


# ===================================================================================== settings
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10 ** 6, 10 ** 6), st.sampled_from([10 ** 30, -(10 ** 400)]),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10),
              st.sampled_from(["NaN", "nan", "Infinity", "1e999", "-0", "true"])),
    nested, max_leaves=10)
SETTING_NAMES = st.sampled_from(sorted(sio.short_name(k) for k in sio.SCHEMA))


@st.composite
def settings_files(draw):
    """Settings files: well formed with random values, or random JSON of any shape."""
    kind = draw(st.sampled_from(["file", "file", "json", "text"]))
    if kind == "text":
        return draw(st.one_of(st.text(max_size=60), st.binary(max_size=60),
                              st.sampled_from(["[" * 5000 + "]" * 5000, '{"a": NaN}', "1e400", "x" * 200_000])))
    if kind == "json":
        return json.dumps(draw(JSON_VALUE))
    settings_ = draw(st.dictionaries(st.one_of(SETTING_NAMES, st.text(max_size=6)), JSON_VALUE, max_size=6))
    blob = {"format": draw(st.sampled_from([sio.FORMAT, sio.FORMAT, "other"])),
            "version": draw(st.sampled_from([1, 1, 2, "1", None])), "settings": settings_}
    if draw(st.booleans()):
        blob["custom_mixture"] = draw(JSON_VALUE)
    return json.dumps(blob)


@given(settings_files())
@CORE
def test_settings_file_accepted_or_clear_message(data):
    out = valid_or_message(lambda: sio.settings_from_json(data))
    if out is None:
        return
    values, mix, notes = out
    for key, v in values.items():
        assert sio.check_value(key, sio.SCHEMA[key], v) == v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            f = sio.SCHEMA[key]
            assert math.isfinite(v) and (f.lo is None or v >= f.lo) and (f.hi is None or v <= f.hi)
    assert mix is None or isinstance(mix, dict)
    assert all(isinstance(n, str) for n in notes)


@given(st.sampled_from(sorted(sio.SCHEMA)), st.one_of(st.text(max_size=30), JSON_VALUE.map(str),
                                                     st.sampled_from(["1" + "0" * 400, "9" * 5000, "1e400",
                                                                      "-0", "0x1f", "1_000", " 7 "])))
@CORE
def test_link_text_accepted_or_clear_message(key, text):
    field = sio.SCHEMA[key]
    v = valid_or_message(lambda: sio.parse_text(key, field, text))
    if v is not None:
        assert sio.check_value(key, field, v) == v


@given(st.sampled_from(sorted(sio.SCHEMA)), st.data())
@CORE
def test_every_setting_survives_a_link_and_a_file(key, data):
    """Values within each field's range travel through link text and a settings file unchanged."""
    field = sio.SCHEMA[key]
    value = data.draw(schema_values(field))
    assert sio.parse_text(key, field, sio.encode_text(value)) == value
    values, _, _ = sio.settings_from_json(sio.settings_to_json({key: value}))
    assert values == {key: value}


def _settings_file_script():
    """A session that applies the settings file in Session State, as the sidebar's uploader does."""
    import streamlit as st_

    from dashboard import sharing, sidebar, state
    state.keep_widget_state()
    data = st_.session_state.pop("test_file", None)
    if data is not None:
        st_.session_state["test_result"] = sharing.apply_settings_file(data, "test.json")
    sidebar.sidebar()


LINK_TEXT = st.one_of(st.text(max_size=12), JSON_VALUE.map(str),
                      st.sampled_from(["1" + "0" * 400, "9" * 5000, "1e400", "nan", "-inf", "custom", "0x1f"]))


@pytest.mark.slow
@given(st.dictionaries(st.one_of(SETTING_NAMES, st.text(min_size=1, max_size=6)), LINK_TEXT, max_size=4))
@settings(max_examples=max(10, EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck))
def test_link_parameters_never_break_a_session(params):
    """A session opened from a link with random parameters starts without a traceback, and every
    setting it took from the link passes the schema (the rest are dropped with a notice)."""
    at = app_test(120)
    for name, text in params.items():
        at.query_params[name] = text
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    for key, field in sio.SCHEMA.items():     # names (mixture, device) are checked at run time
        if key in at.session_state and (field.kind != "str" or field.choices):
            sio.check_value(key, field, at.session_state[key])


def mixture_dicts():
    """custom_mixture sections: valid mixtures, ones beyond the editor's limits, and junk."""
    beyond = st.builds(lambda k, m, s: {"means": [[m, 0.0]] * k, "covs": [[[s * s, 0.0], [0.0, 1.0]]] * k,
                                        "weights": [1.0] * k},
                       st.integers(1, 30), st.sampled_from([0.0, 49.0, 51.0, 1e6]),
                       st.sampled_from([1e-3, 0.01, 1.0, 20.0, 25.0]))
    return st.one_of(mixtures(dim=2, max_k=ed.MAX_COMPONENTS).map(lambda g: g.to_dict()), beyond, JSON_VALUE)


@pytest.mark.slow
@given(settings_files(), st.one_of(st.none(), mixture_dicts()))
@settings(max_examples=max(10, EXAMPLES // 3), deadline=None, suppress_health_check=list(HealthCheck))
def test_uploaded_settings_file_applies_all_or_nothing(data, mix):
    """Through the sidebar's own code: a file is applied whole, with a message, or refused whole
    with a message; an applied custom mixture follows the editor's limits."""
    if mix is not None and isinstance(data, str) and data.startswith("{"):
        blob = json.loads(data)
        if isinstance(blob, dict):
            blob["custom_mixture"] = mix
            data = json.dumps(blob)
    at = AppTest.from_function(_settings_file_script, default_timeout=60).run()
    before = at.session_state["w_seed"]
    at.session_state["test_file"] = data.encode() if isinstance(data, str) else data
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    ok, msg = at.session_state["test_result"]
    assert isinstance(msg, str) and len(msg) > 10
    if not ok:
        assert msg.startswith("Settings file refused, nothing was changed")
        assert at.session_state["w_seed"] == before
        return
    if "custom_mixture" in at.session_state:
        gmm = dc.GaussianMixture.from_dict(at.session_state["custom_mixture"])
        assert ed.mixture_from_rows(ed.rows_from_mixture(gmm, "raw", digits=None), "raw")[0] is not None


def schema_values(field: sio.Field):
    """Values a field accepts: its choices, its bounds, and values in between."""
    if field.kind == "bool":
        return st.booleans()
    if field.choices is not None:
        return st.sampled_from(field.choices)
    if field.kind == "str":        # names chosen at run time (mixtures, devices): no outer spaces
        return st.text(max_size=20).filter(lambda v: v == v.strip())
    if field.kind == "int":
        return st.one_of(st.sampled_from([int(field.lo), int(field.hi)]), st.integers(int(field.lo), int(field.hi)))
    return st.one_of(st.sampled_from([float(field.lo), float(field.hi)]),
                     st.floats(field.lo, field.hi).map(lambda v: float(f"{v:.6g}")).filter(
                         lambda v: field.lo <= v <= field.hi))


# ===================================================================================== part 2: pages
# Random widget values (from the settings schema, at and between their bounds) and random valid
# mixtures through every page. Expensive sizes are drawn either small or beyond the page's work
# cap (refused at once); training pages train a few steps, and their fallback models ("the last
# valid settings") are preset to a small config so that a refusal does not train the default one.
PAGES = {n: f"views/{n}.py" for n in ("1_forward", "2_score_field", "3_reversal", "4_train",
                                      "5_mixture_editor", "6_sampler_lab", "7_likelihood",
                                      "8_memorization", "9_weighting_lab")}
PAGE = settings(max_examples=int(os.environ.get("PROPERTY_PAGE_EXAMPLES", "4")), deadline=None,
                suppress_health_check=list(HealthCheck))
# the pages' work caps, as their messages state them
REVERSAL_MAX_WORK, SAMPLERS_MAX_WORK = 4_000_000, 8_000_000
TRAIN_MAX_WORK, TRAIN_MAX_SAMPLE_WORK = 500 * 10_000 * 50, 4_000_000
PRESETS_2D = sorted(n for n, g in dc.PRESETS.items() if g.dim == 2)


def field_values(key: str):
    return schema_values(sio.SCHEMA[key])


def sidebar_and_mixture():
    """Sidebar state: a seed from the schema and a preset or a random valid custom mixture."""
    mixture = st.one_of(st.sampled_from(PRESETS_2D), mixtures(dim=2, max_k=ed.MAX_COMPONENTS))
    return st.fixed_dictionaries({"w_seed": field_values("w_seed"), "mixture": mixture})


def run_page(page: str, state: dict, side: dict, timeout: float = 120) -> AppTest:
    """A fresh session with `state` and the sidebar's seed and mixture, then the page."""
    at = app_test(timeout)
    mix = side["mixture"]
    if isinstance(mix, dc.GaussianMixture):
        at.session_state["custom_mixture"] = mix.to_dict()
        at.session_state["w_mixture"] = "custom"
    else:
        at.session_state["w_mixture"] = mix
    at.session_state["w_seed"] = side["w_seed"]
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    return at.switch_page(PAGES[page]).run()


def check_page(at: AppTest, refused: bool, allowed=("diverged",)):
    """No traceback; no NaN in any metric; an st.error exactly where the input is refused (other
    errors only those named in `allowed`, e.g. a training run that diverged)."""
    assert not at.exception, [e.message for e in at.exception]
    for m in at.metric:
        assert "nan" not in str(m.value).lower(), (m.label, m.value)
    errors = [e.value for e in at.error]
    if refused:
        assert errors, "the input is refused, but no st.error says so"
    else:
        assert all(any(a in e for a in allowed) for e in errors), errors


@pytest.mark.slow
@given(st.fixed_dictionaries({k: field_values(k) for k in sio.SCHEMA if k.startswith("w_forward_")}),
       sidebar_and_mixture())
@PAGE
def test_page_forward(state, side):
    at = run_page("1_forward", state, side)
    refused = state["w_forward_kind"] == "VP" and not state["w_forward_beta_max"] > state["w_forward_beta_min"]
    check_page(at, refused)


@pytest.mark.slow
@given(st.fixed_dictionaries({k: field_values(k) for k in sio.SCHEMA if k.startswith("w_score_")}),
       sidebar_and_mixture())
@PAGE
def test_page_score_field(state, side):
    check_page(run_page("2_score_field", state, side), refused=False)


def reversal_sizes():
    """(n, steps) small enough to run in a moment, or beyond the cap (refused without sampling)."""
    ns, steps = sio.SCHEMA["w_reversal_n"].choices, sio.SCHEMA["w_reversal_steps"].choices
    pairs = [(n, s) for n in ns for s in steps if n * s <= 100_000 or n * s > REVERSAL_MAX_WORK]
    return st.sampled_from(pairs)


LOOP_ONE_STEP = {"w_reversal_method": "tutorial", "w_reversal_steps": 1, "w_reversal_lam": 0.1, "w_reversal_n": 100,
                 "w_reversal_grid": "karras", "w_reversal_t_eps": 1e-05, "w_reversal_snr": 0.01,
                 "w_reversal_start": "prior", "w_reversal_view": "data", "w_reversal_n_paths": 10,
                 "w_reversal_threshold": 0.5}


@pytest.mark.slow
@given(st.fixed_dictionaries({k: field_values(k) for k in sio.SCHEMA if k.startswith("w_reversal_")}),
       reversal_sizes(), sidebar_and_mixture())
@example(LOOP_ONE_STEP, (100, 1), {"w_seed": 0, "mixture": "cross"})     # seed 34 found it: see below
@PAGE
def test_page_reversal(state, sizes, side):
    """The tutorial's loop at one step is not refused: it runs its minimum of 2 steps and says so
    (the page's rule since its loop takes steps − 1; this test still expected an error, and failed
    whenever the random search drew that case)."""
    state["w_reversal_n"], state["w_reversal_steps"] = sizes
    at = run_page("3_reversal", state, side)
    check_page(at, refused=sizes[0] * sizes[1] > REVERSAL_MAX_WORK)
    least = dc.SAMPLERS["tutorial"].min_steps
    if state["w_reversal_method"] == "tutorial" and sizes[1] < least and not at.error:
        assert any(f"needs at least {least} steps: this run takes {least}" in i.value for i in at.info)


SMALL_TRAIN = ("ours", {"steps": 5, "batch_size": 100}, 25.0)


def train_state():
    small = st.fixed_dictionaries({"w_train_steps": st.integers(1, 30), "w_train_batch": field_values("w_train_batch"),
                                   "w_train_width": field_values("w_train_width")})
    big = st.fixed_dictionaries({"w_train_steps": st.integers(2000, 5000), "w_train_batch": st.integers(5000, 10_000),
                                 "w_train_width": st.integers(64, 128)})
    sampling = st.one_of(
        st.fixed_dictionaries({"w_train_n": st.integers(100, 400), "w_train_nsteps": st.integers(1, 10).map(lambda k: 10 * k)}),
        st.fixed_dictionaries({"w_train_n": st.integers(16_000, 20_000), "w_train_nsteps": st.integers(26, 50).map(lambda k: 10 * k)}))
    rest = st.fixed_dictionaries({k: field_values(k) for k in sio.SCHEMA if k.startswith("w_train_")
                                  and k not in ("w_train_steps", "w_train_batch", "w_train_width", "w_train_n", "w_train_nsteps")})
    return st.tuples(rest, st.one_of(small, big), sampling).map(lambda t: {**t[0], **t[1], **t[2]})


def train_refusals(state) -> tuple[bool, bool]:
    """(settings refused, sampling refused), by the rules the page states."""
    from dashboard import models
    steps, width = state["w_train_steps"], state["w_train_width"]
    batch = state["w_train_batch"] or dc.TrainConfig().n_data
    bad = state["w_train_lam"] <= 0 or steps * batch * width > TRAIN_MAX_WORK
    try:
        models.recipe_config(state["w_train_recipe"], 0, steps=steps, batch_size=state["w_train_batch"],
                             lr=state["w_train_lr"], width=width, eps=state["w_train_eps"])
    except ValueError:
        bad = True
    evals = state["w_train_nsteps"] * (2 if state["w_train_method"] in ("ode", "pc") else 1)
    return bad, state["w_train_n"] * evals > TRAIN_MAX_SAMPLE_WORK


@pytest.mark.slow
@given(train_state(), sidebar_and_mixture())
@PAGE
def test_page_train(state, side):
    state = {**state, "train_last_valid": SMALL_TRAIN, "train_last_good": SMALL_TRAIN}
    at = run_page("4_train", state, side)
    bad_settings, bad_sampling = train_refusals(state)
    check_page(at, refused=bad_settings or bad_sampling)
    errors = " ".join(e.value for e in at.error)
    assert bad_settings == ("Showing the model of the last valid settings" in errors)
    assert bad_sampling == ("Samples × score evaluations" in errors)


def wrong_cells(mode: str = "std_angle", **cells) -> tuple[list[dict], str]:
    """(rows, mode): two rows of a valid table with `cells` put in both (a tuple: one value each)."""
    rows = [ed.blank_row(mode), {**ed.blank_row(mode), "mean x": 3.0}]
    for c, v in cells.items():
        for row, value in zip(rows, v if isinstance(v, tuple) else (v, v)):
            row[c] = value
    return rows, mode


TUTORIAL = {"w_seed": 2021, "mixture": "tutorial"}
# Cells a number column of st.data_editor cannot hold, or that are not usable numbers. The first
# was found by this test: a column of booleans ("not compatible for editing the underlying data
# type boolean", a traceback). Every one runs on every test run, whatever the seed.
WRONG_TABLES = [
    wrong_cells(**{"mean x": (True, False)}),
    wrong_cells(**{"weight": True, "std 1": False}),
    wrong_cells(**{"mean y": ("abc", "1.5")}),
    wrong_cells(**{"std 2": None, "mean x": ""}),
    wrong_cells(**{"mean x": (float("nan"), float("inf")), "mean y": float("-inf")}),
    wrong_cells(**{"mean x": (10 ** 400, 2 ** 63), "weight": -(10 ** 30)}),
    wrong_cells(**{"std 1": ([1, 2], {"a": 1}), "angle (°)": [[0.5]]}),
    ([{"mean x": 1.0, "extra": "x"}, {"weight": 2.0, "something": True}], "std_angle"),
    wrong_cells("raw", **{"cov xy": (True, "abc"), "var x": (None, [1.0])}),
]


@pytest.mark.slow
@given(tables().filter(lambda t: isinstance(t[0], list) and all(isinstance(r, dict) for r in t[0])),
       sidebar_and_mixture())
@example(WRONG_TABLES[0], TUTORIAL)
@example(WRONG_TABLES[1], TUTORIAL)
@example(WRONG_TABLES[2], TUTORIAL)
@example(WRONG_TABLES[3], TUTORIAL)
@example(WRONG_TABLES[4], TUTORIAL)
@example(WRONG_TABLES[5], TUTORIAL)
@example(WRONG_TABLES[6], TUTORIAL)
@example(WRONG_TABLES[7], TUTORIAL)
@example(WRONG_TABLES[8], TUTORIAL)
@PAGE
def test_page_mixture_editor(table, side):
    """The sidebar's mixture is loaded into the table; a random table edit then either becomes
    the custom mixture or is listed as problems while the last valid mixture stays in use."""
    rows, mode = table
    at = run_page("5_mixture_editor", {"w_editor_mode": mode}, side)
    check_page(at, refused=False)
    before = {k: at.session_state[k] if k in at.session_state else None for k in ("w_mixture", "custom_mixture")}
    at.session_state["lab_editor_base"] = rows       # as stored: any cells, extra columns included
    at.session_state["lab_editor_rows"] = rows
    at.session_state["lab_editor_edited"] = True
    at.session_state["lab_editor_version"] = at.session_state["lab_editor_version"] + 1
    at.run()
    gmm, problems = ed.mixture_from_rows(rows, mode)
    check_page(at, refused=gmm is None)
    if gmm is not None:
        assert dc.GaussianMixture.from_dict(at.session_state["custom_mixture"]) == gmm
        return
    # every problem is named by its row and field, and the last valid mixture stays in use
    said = " ".join(e.value for e in at.error) + " " + " ".join(w.value for w in at.warning)
    for p in problems:
        assert p.split(":")[0] in said, (p, said)
    assert {k: at.session_state[k] if k in at.session_state else None for k in before} == before


def sampler_lab_state():
    small = st.fixed_dictionaries({
        "w_samplers_methods": st.lists(st.sampled_from(dc.METHODS), unique=True, max_size=4),
        "w_samplers_nfe": st.lists(st.sampled_from([5, 10, 20, 50]), unique=True, max_size=3),
        "w_samplers_n": st.integers(2, 4).map(lambda k: 100 * k)})
    big = st.fixed_dictionaries({"w_samplers_methods": st.just(list(dc.METHODS)),
                                 "w_samplers_nfe": st.just([5, 10, 20, 50, 100, 200, 500]),
                                 "w_samplers_n": st.integers(25, 50).map(lambda k: 100 * k)})
    rest = st.fixed_dictionaries({k: field_values(k) for k in ("w_samplers_metric", "w_samplers_lam",
                                                               "w_samplers_grid", "w_samplers_t_eps")})
    return st.tuples(rest, st.one_of(small, big)).map(lambda t: {**t[0], **t[1]})


@pytest.mark.slow
@given(sampler_lab_state(), sidebar_and_mixture())
@PAGE
def test_page_sampler_lab(state, side):
    from diffusion_core import sweep
    at = run_page("6_sampler_lab", state, side)
    methods, budgets = state["w_samplers_methods"], state["w_samplers_nfe"]
    work = state["w_samplers_n"] * sum(dc.nfe(m, sweep.steps_for_nfe(m, b)) for m in methods for b in budgets)
    check_page(at, refused=not methods or not budgets or work > SAMPLERS_MAX_WORK)


@pytest.mark.slow
@given(st.fixed_dictionaries({k: field_values(k) for k in sio.SCHEMA if k.startswith("w_likelihood_")}),
       sidebar_and_mixture())
@PAGE
def test_page_likelihood(state, side):
    check_page(run_page("7_likelihood", state, side), refused=False)


@pytest.mark.slow
@given(st.fixed_dictionaries({
    "w_memo_points": field_values("w_memo_points"), "w_memo_steps": st.just(200),
    "w_memo_width": st.sampled_from([32, 64]), "w_memo_radius": field_values("w_memo_radius"),
    "w_memo_samples": st.sampled_from([100, 200])}), sidebar_and_mixture())
@PAGE
def test_page_memorization(state, side):
    check_page(run_page("8_memorization", state, side), refused=False)


@pytest.mark.slow
@given(st.fixed_dictionaries({**{k: field_values(k) for k in sio.SCHEMA if k.startswith("w_weight_")},
                              "w_weight_steps": st.just(100)}), sidebar_and_mixture())
@PAGE
def test_page_weighting_lab(state, side):
    check_page(run_page("9_weighting_lab", state, side), refused=False)


# ===================================================================================== caps
# Every size a user controls has a finite cap, the same in the widget and in the settings schema
# (so a link or a file cannot go beyond what the widget allows).
CHEAP = {"w_train_steps": 5, "w_train_batch": 100, "w_train_n": 100, "w_train_nsteps": 10,
         "train_last_valid": SMALL_TRAIN, "train_last_good": SMALL_TRAIN,
         "w_memo_points": 2, "w_memo_steps": 200, "w_memo_width": 32, "w_memo_samples": 100,
         "w_weight_steps": 100, "w_reversal_n": 100, "w_reversal_steps": 10,
         "w_samplers_n": 200, "w_samplers_nfe": [10], "w_likelihood_grid": 10, "w_likelihood_n": 100,
         "w_likelihood_steps": 10}
SIZE_WIDGETS = {   # page: (widget kind, key) of every size the page lets a user choose
    "1_forward": [("slider", "w_forward_n_paths"), ("slider", "w_forward_n_points")],
    "2_score_field": [("slider", "w_score_n")],
    "3_reversal": [("select_slider", "w_reversal_steps"), ("select_slider", "w_reversal_n"),
                   ("slider", "w_reversal_n_paths")],
    "4_train": [("number_input", "w_train_steps"), ("number_input", "w_train_batch"),
                ("number_input", "w_train_width"), ("slider", "w_train_nsteps"), ("number_input", "w_train_n")],
    "6_sampler_lab": [("slider", "w_samplers_n"), ("button_group", "w_samplers_nfe")],
    "7_likelihood": [("slider", "w_likelihood_steps"), ("slider", "w_likelihood_grid"),
                     ("slider", "w_likelihood_n")],
    "8_memorization": [("slider", "w_memo_points"), ("slider", "w_memo_steps"),
                       ("select_slider", "w_memo_width"), ("slider", "w_memo_samples")],
    "9_weighting_lab": [("slider", "w_weight_steps")],
}


def submit(at: AppTest):
    """Rerun with the values set; on a page with a form, by pressing its submit button."""
    forms = at.get("form_submit_button")
    (forms[0].click() if forms else at).run()


def widget_max(at: AppTest, kind: str, key: str) -> float:
    """The largest value the widget offers (its max, or its largest option). A number input is
    checked by the page, not the browser (so that a refused value gets a message): its cap is the
    schema's, and one more is refused with an st.error naming the field."""
    if kind == "number_input" and at.number_input(key=key).max is None:
        field = sio.SCHEMA[key]
        box = at.number_input(key=key)
        before = box.value
        box.set_value(field.hi + 1)
        submit(at)
        assert any(field.label in e.value and "got" in e.value for e in at.error), (key, [e.value for e in at.error])
        at.number_input(key=key).set_value(before)
        submit(at)
        return float(field.hi)
    if kind in ("slider", "number_input"):
        w = getattr(at, kind)(key=key)
        return float(w.max)
    if kind == "select_slider":
        return float(max(sio.SCHEMA[key].choices)) if len(at.select_slider(key=key).options) == len(
            sio.SCHEMA[key].choices) else float("inf")
    groups = [g for g in at.get("button_group") if g.key == key]
    return float(max(int(o) for o in groups[0].options))


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(SIZE_WIDGETS))
def test_every_size_widget_has_a_finite_cap_matching_the_schema(page):
    side = {"w_seed": 1, "mixture": "tutorial"}
    at = run_page(page, CHEAP, side)
    check_page(at, refused=False)
    check_caps(at, SIZE_WIDGETS[page] + [("number_input", "w_seed")])
    if page == "2_score_field":     # the grid size shows when the arrows sit on a grid
        at.radio(key="w_score_where").set_value("grid").run()
        check_page(at, refused=False)
        check_caps(at, [("slider", "w_score_grid")])


NOT_IN_SCHEMA = {"w_samplers_nfe": 500}     # multi-select widgets are not carried by links


def check_caps(at: AppTest, widgets):
    for kind, key in widgets:
        top = widget_max(at, kind, key)
        assert math.isfinite(top), (key, top)
        if key in NOT_IN_SCHEMA:
            assert top == NOT_IN_SCHEMA[key], (key, top)
            continue
        field = sio.SCHEMA[key]
        assert top == (field.hi if field.choices is None else max(field.choices)), (key, top, field)
        if kind == "slider":
            assert float(getattr(at, kind)(key=key).min) == field.lo, key


def test_mixture_size_is_capped():
    """The editor's table, an imported mixture file and a settings file all stop at 12 components."""
    row = ed.blank_row("std_angle")
    assert ed.mixture_from_rows([row] * ed.MAX_COMPONENTS)[0] is not None
    gmm, errors = ed.mixture_from_rows([row] * (ed.MAX_COMPONENTS + 1))
    assert gmm is None and "at most 12 components" in errors[0]
    big = {"means": [[0.0, 0.0]] * 13, "covs": [[[1.0, 0.0], [0.0, 1.0]]] * 13, "weights": [1.0] * 13}
    assert ed.mixture_from_json(json.dumps(big))[0] is None


# The largest requests each page accepts (its widget maxima, or the largest work its cap lets
# through) render without a traceback, in a bounded CPU time. Measured on one core with the
# 12-component mixture: about 0.5 s for pages 1 and 2, 3 s for 6 and 7, 5 s for 3 (20,000 samples,
# 200 predictor-corrector steps), under 1 s for 4 at its refused maxima. The accepted worst cases
# of the training pages take too long for a test: Train & sample at its caps ~12 s of training
# and ~6 s of sampling, memorization ~23 s (4000 steps, width 256), weighting lab ~12 s.
WORST = {
    "1_forward": {"w_forward_n_paths": 500, "w_forward_n_points": 1000, "w_forward_lam": 50.0,
                  "w_forward_source": "sidebar"},
    "2_score_field": {"w_score_n": 1000, "w_score_view": "weighted", "w_score_lam": 50.0},
    "3_reversal": {"w_reversal_n": 20_000, "w_reversal_steps": 200, "w_reversal_method": "pc",
                   "w_reversal_n_paths": 300, "w_reversal_view": "all"},
    "6_sampler_lab": {"w_samplers_n": 5000, "w_samplers_methods": ["ode", "pc"],
                      "w_samplers_nfe": [100, 200, 500], "w_samplers_metric": "sliced_w2"},
    "7_likelihood": {"w_likelihood_grid": 40, "w_likelihood_n": 1000, "w_likelihood_steps": 200,
                     "w_likelihood_solver": "rk4", "w_likelihood_prior": "exact"},
    "4_train": {"w_train_steps": 5000, "w_train_batch": 10_000, "w_train_width": 128,
                "w_train_nsteps": 500, "w_train_n": 20_000, "w_train_method": "pc",
                "train_last_valid": SMALL_TRAIN, "train_last_good": SMALL_TRAIN},
}


def twelve_modes() -> dc.GaussianMixture:
    """The largest mixture the editor allows: 12 components, from the sharpest to the widest."""
    a = torch.arange(12, dtype=torch.float64) * 2 * math.pi / 12
    means = torch.stack([6 * torch.cos(a), 6 * torch.sin(a)], 1)
    stds = [ed.STD_RANGE[0], ed.STD_RANGE[1], 0.05, 1.0] * 3
    return dc.GaussianMixture(means, torch.stack([torch.eye(2, dtype=torch.float64) * s * s for s in stds]))


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(WORST))
def test_the_largest_request_renders(page):
    """Every slider at its maximum on the widest mixture gives a page without an error (or, on the
    train page, a refusal). The CPU time is printed for the record; the work caps bound it, and how
    fast a busy machine runs it is a benchmark's figure, not an assertion."""
    import time
    side = {"w_seed": 2021, "mixture": twelve_modes()}
    c0 = time.process_time()
    at = run_page(page, WORST[page], side, timeout=300)
    cpu = time.process_time() - c0
    check_page(at, refused=page == "4_train")       # the train page refuses both of its maxima
    print(f"{page}: {cpu:.1f} s CPU")
