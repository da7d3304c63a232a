"""Shared pytest setup and helpers: at most 2 torch threads, a one-thread fixture for tests of
small tensors, and the helpers of the page tests (open the app or one of its pages in AppTest,
check it rendered, read its metrics). The repository root and tests/ are on sys.path through
pyproject.toml's `pythonpath`; page tests import these helpers with `from conftest import ...`.

On a machine shared with other work, OpenMP threads that spin while waiting for a busy core
stall every parallel region: a 200-step sampler run on 4000 points measured 46 s with 2 active
threads, 3.1 s with 2 passive ones and 1.7 s with one thread. Passive waiting is asked for before
torch loads OpenMP; the unit tests of diffusion_core run on one thread (`one_thread`).
"""
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
from hypothesis import HealthCheck, settings as hypothesis_settings  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

torch.set_num_threads(min(2, torch.get_num_threads()))

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = sorted(f"views/{p.name}" for p in (ROOT / "views").glob("[0-9]*_*.py"))


# ------------------------------------------------------------------ reproducible randomness
# Hypothesis's own timing checks (a 200 ms deadline per example, "too slow" data generation) pass
# or fail with the machine's load: every property test runs without them, and a failure prints
# the blob that replays it (@reproduce_failure) besides the run's seed.
hypothesis_settings.register_profile("project", deadline=None, print_blob=True,
                                     suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("project")

def _hypothesis_seed(config) -> int:
    return config.getoption("hypothesis_seed")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Every run draws its property-test examples from one seed, printed at the start and the end
    of the run: `python -m pytest --hypothesis-seed=N` replays a run exactly. Without the option a
    new seed is drawn each run (random exploration goes on); HYPOTHESIS_SEED=N sets it too."""
    if config.getoption("hypothesis_seed", None) is None:
        import random
        seed = os.environ.get("HYPOTHESIS_SEED") or str(random.SystemRandom().randrange(10 ** 9))
        config.option.hypothesis_seed = seed


def pytest_sessionstart(session):
    seed = _hypothesis_seed(session.config)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"hypothesis seed {seed} (replay: python -m pytest --hypothesis-seed={seed})")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    seed = _hypothesis_seed(config)
    terminalreporter.write_line(f"hypothesis seed {seed}: replay with python -m pytest --hypothesis-seed={seed}")


@pytest.fixture
def one_thread():
    """Run a test with one torch thread (small tensors gain nothing from more), then restore."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def app_test(timeout: float = 120) -> AppTest:
    """A fresh AppTest of app.py (not run yet)."""
    return AppTest.from_file(APP, default_timeout=timeout)


def open_page(page: str, timeout: float = 300, **state) -> AppTest:
    """Run app.py in a fresh AppTest with `state` in Session State, then switch to `page`
    ("views/N_name.py") and run it."""
    at = app_test(timeout)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    return at.switch_page(page).run()


def ok(at: AppTest) -> AppTest:
    """Fail with the messages of any exception the run raised."""
    assert not at.exception, [e.message for e in at.exception]
    return at


def charts(at: AppTest):
    return at.get("vega_lite_chart")


def metric_values(at: AppTest) -> dict:
    """{label: float} of every st.metric on the page (units and signs stripped)."""
    out = {}
    for m in at.metric:
        num = re.search(r"[-+]?\d[\d,]*\.?\d*(?:e[-+]?\d+)?", m.value.replace("−", "-"))
        assert num is not None, (m.label, m.value)
        out[m.label] = float(num.group().replace(",", ""))
        assert "nan" not in m.value.lower() and "inf" not in m.value.lower(), (m.label, m.value)
    return out


def overlapping_texts(fig) -> list:
    """Pairs of visible, non-empty texts of a matplotlib Figure whose drawn boxes overlap."""
    import itertools
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text
    FigureCanvasAgg(fig).draw()
    r = fig.canvas.get_renderer()
    undrawn = set()        # tick labels outside the view limits keep a text but are not drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            pad = 1e-9 * max(1.0, abs(hi - lo))
            for loc, tick in zip(axis.get_majorticklocs(), axis.get_major_ticks()):
                if not lo - pad <= loc <= hi + pad:
                    undrawn.update({id(tick.label1), id(tick.label2)})
    boxes = [(t.get_text(), t.get_window_extent(r)) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and id(t) not in undrawn]
    return [(a, b) for (a, ea), (b, eb) in itertools.combinations(boxes, 2) if ea.overlaps(eb)]


def choose_mixture(at: AppTest, name: str) -> AppTest:
    """Pick `name` in the sidebar's distribution select box (through Session State when this
    AppTest tree does not hold the sidebar's widgets)."""
    try:
        box = at.selectbox(key="w_mixture")
    except KeyError:
        at.session_state["w_mixture"] = name
        return at.run()
    return box.set_value(name).run()


def shorten_lessons_recipe(monkeypatch, **extra):
    """Train the lesson pages' networks 60 steps instead of the recipe's 800 (the pages' flow is
    the same): dashboard.lessons.recipe, edited."""
    import dataclasses
    from dashboard import lessons
    real = lessons.recipe
    short = dict(steps=60, warmup=10, log_every=20, **extra)
    monkeypatch.setattr(lessons, "recipe", lambda seed: dataclasses.replace(real(seed), **short))


def pytest_sessionfinish(session, exitstatus):
    """Let the app's background warm-up (started by AppTest runs of app.py) finish before the
    interpreter exits: a daemon thread stopped inside torch's C++ code aborts the process
    ("terminate called without an active exception") after every test has passed."""
    import sys
    import threading
    models = sys.modules.get("dashboard.models")
    if models is not None:                 # no further warm-up training: only the one under way
        models.stop_queued_training()
    for thread in threading.enumerate():
        if thread.name == "warm-up":
            thread.join(timeout=300)


def heavy_corner_mixture():
    """The lessons' custom mixture: three narrow modes far apart, one of them light: (3, 3) std 0.02
    weight 0.90; (−3, 0) stds 0.3/0.01 at 45° weight 0.08; (0, −4) std 0.02 weight 0.02."""
    import diffusion_core as dc
    from diffusion_core.mixture import cov_from_std_angle
    covs = torch.stack([cov_from_std_angle(0.02, 0.02, 0.0), cov_from_std_angle(0.3, 0.01, 45.0),
                        cov_from_std_angle(0.02, 0.02, 0.0)]).double()
    return dc.GaussianMixture(torch.tensor([[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]], dtype=torch.float64),
                              covs, torch.tensor([0.90, 0.08, 0.02], dtype=torch.float64))
