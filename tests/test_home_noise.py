"""Home's chart of σₜ: the formula the browser evaluates is the process's own σₜ, its marks are the
picture's panel times, its caption reads the same formula, and Home still loads no torch."""
import math
import re

import pytest
import torch

import diffusion_core as dc
from dashboard import home


def _evaluate(expression: str, t: float) -> float:
    """The Vega expression evaluated in Python (sqrt, pow and log are Vega's, log natural)."""
    py = re.sub(r"\b(sqrt|pow|log)\(", r"math.\1(", expression.replace("datum.t", repr(t)))
    return eval(py, {"math": math})


@pytest.mark.parametrize("lam", [25.0, 2.0, 50.0])
def test_chart_formula_is_the_processes_sigma(lam):
    for t in (0.0, 0.1, 0.25, 0.5, 0.9, 1.0):
        want = float(dc.VESDE(lam).sigma(torch.tensor(t, dtype=torch.float64)))
        assert _evaluate(home.sigma_expression(lam), t) == pytest.approx(want, rel=1e-9, abs=1e-12)
        assert home.sigma(t, lam) == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_marks_are_the_pictures_panel_times():
    """The marked points are the picture's panels: the same times its titles print."""
    from dashboard.figures.home import diffusion_strip
    fig = diffusion_strip(dc.PRESETS["tutorial"], dc.VESDE(home.LAM), n_points=20, grid=20)
    titles = [float(ax.get_title().split(",")[0].removeprefix("t = ")) for ax in fig.axes]
    spec = home.noise_chart()
    steps = spec["data"]["sequence"]["stop"] - 1
    marked = sorted(int(i) / steps for i in re.findall(r"datum\.i == (\d+)", spec["layer"][1]["transform"][0]["filter"]))
    assert marked == titles == list(home.PANEL_TIMES)


@pytest.mark.parametrize("lam, late", [(25.0, True), (50.0, True), (1.05, False)])
def test_caption_reads_the_formula(lam, late):
    text = home.noise_caption(True, lam)
    half, end = home.sigma(0.5, lam), home.sigma(1.0, lam)
    assert f"σₜ is {half:.2f}" in text and f"{end:.2f} at t = 1" in text
    assert ("most of the noise comes late" in text) == late
    assert "panels" not in home.noise_caption(False, lam)


def test_home_draws_the_chart_without_torch_or_pandas():
    """A fresh process runs Home with the chart and has imported neither torch nor pandas."""
    import subprocess
    import sys
    code = ("import sys, streamlit\n"
            "from streamlit.testing.v1 import AppTest\n"
            "from dashboard import home\n"
            "spec = home.noise_chart()\n"
            "assert 'values' not in spec['data']\n"
            "assert 'torch' not in sys.modules and 'pandas' not in sys.modules, 'heavy import'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=home.ASSET.parents[2])
    assert out.returncode == 0, out.stderr


def test_home_page_shows_the_chart_and_its_caption():
    from conftest import app_test, charts, choose_mixture
    at = app_test()
    at.run()
    assert not at.exception
    assert len(charts(at)) == 1
    assert any(home.noise_caption(True) == c.value for c in at.caption)
    choose_mixture(at, "ring8")
    assert not at.exception and len(charts(at)) == 1
