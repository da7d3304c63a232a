"""The Likelihood page's scatter of true samples ("true samples: ODE vs exact (dashed: equal)"):
its title is drawn whole, below the caption above it, whatever the data's range. On the lessons'
custom mixture at λ 2 (exact score, prior N(0, σ₁² I)) the y scale ended on a tick (8): its label,
centred on the plot's top edge, stood above it, the chart fitted to its column did not count it,
and the title above was drawn past the chart's top and cut by the caption; at λ 25 it was whole."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import urllib.request

import numpy as np
import pytest

from conftest import ROOT, heavy_corner_mixture
from dashboard import likelihood, state
from dashboard.figures import lab as lfig

LAMS = (2.0, 25.0)


def test_scatter_flushes_its_y_labels_only():
    """The y axis keeps its end labels inside the plot (flushed); the x axis does not flush them."""
    spec = lfig.likelihood_scatter(np.array([-7.5, 5.4]), np.array([-4.0, 5.9])).to_dict()
    enc = spec["layer"][1]["encoding"]
    assert enc["y"]["axis"]["labelFlush"] is True and enc["x"]["axis"]["labelFlush"] is False


_SCRIPT = """
import numpy as np
import streamlit as st
from dashboard.figures import lab as lfig
st.set_page_config(layout="wide")
d = np.load({data!r} + "/l" + st.query_params.get("lam", "2") + ".npz")
st.caption("A grey caption above the chart, as the page's note on the grid. " * 6)
left, right = st.columns([1, 1.2], gap="large")
with left:
    st.altair_chart(lfig.likelihood_scatter(d["ode"], d["true"]), width="stretch")
with right:
    st.markdown("**Reading the maps.** " * 40)
"""


def _serve(tmp_path):
    """The scatter under a caption, in the page's wide layout and columns, on a local server; the
    data of the custom mixture at each λ of LAMS (exact score, the page's other defaults)."""
    from server import free_port
    for lam in LAMS:
        res = likelihood.likelihood(heavy_corner_mixture(), lam, "exact", 10, 400, 100, "heun", "gaussian",
                                    1e-4, state.DEFAULT_SEED)
        np.savez(tmp_path / f"l{int(lam)}.npz", ode=res["ode_s"], true=res["true_s"])
    (tmp_path / "app.py").write_text(textwrap.dedent(_SCRIPT.format(data=str(tmp_path))))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(tmp_path / "app.py"),
                             "--server.headless", "true", "--server.port", str(port), "--server.address",
                             "127.0.0.1", "--browser.gatherUsageStats", "false"], cwd=ROOT,
                            env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health")
            break
        except OSError:
            time.sleep(0.5)
    return proc, f"http://127.0.0.1:{port}"


_BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, h: r.height}; };
  const svg = document.querySelector(".vega-embed svg.marks");
  return {caption: box(document.querySelector("[data-testid='stCaptionContainer']")), chart: box(svg),
          title: box(svg.querySelector(".role-title-text text"))};
}"""


@pytest.mark.browser
@pytest.mark.slow
def test_scatter_title_is_whole_below_the_caption(tmp_path):
    """At λ 2 and λ 25: the title's text box lies inside the chart (cut, it began above the chart's
    top) and below the caption's box (they overlapped), with the same height in both states."""
    from playwright.sync_api import sync_playwright
    from server import launch_chromium, settle
    proc, base = _serve(tmp_path)
    try:
        heights = {}
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            for lam in LAMS:
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"{base}/?lam={int(lam)}")
                settle(page)
                page.wait_for_selector(".vega-embed svg.marks .role-title-text text", state="attached")
                page.wait_for_timeout(1000)
                b = page.evaluate(_BOXES)
                assert b["title"]["top"] >= b["chart"]["top"], (lam, b)          # not cut at the chart's top
                assert b["title"]["top"] >= b["caption"]["bottom"], (lam, b)     # not under the caption
                heights[lam] = round(b["title"]["h"], 1)
            browser.close()
        assert heights[LAMS[0]] == heights[LAMS[1]] > 0, heights
    finally:
        proc.terminate()
        proc.wait(timeout=30)
