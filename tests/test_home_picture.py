"""The Home page's committed picture of the tutorial mixture is what the code draws today."""
import io

import numpy as np
import pytest
from PIL import Image

import diffusion_core as dc
from dashboard.figures.home import home_png
from dashboard.home import ASSET, MIXTURE, tutorial_png


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def test_committed_home_picture_is_current():
    """Rendered afresh: the same size and nearly the same pixels (fonts and anti-aliasing may
    differ a little between matplotlib builds). If this fails, run `python -m tools.home_picture`."""
    committed = tutorial_png()
    assert committed is not None, f"{ASSET} is missing: run python -m tools.home_picture"
    old, new = _pixels(committed), _pixels(home_png(dc.PRESETS[MIXTURE]))
    assert old.shape == new.shape
    diff = np.abs(old - new).max(axis=2)
    assert (diff > 32).mean() < 0.005, f"{(diff > 32).mean():.2%} of the pixels differ"
    assert diff.mean() < 1.0


def test_home_title_claims_only_what_is_drawn():
    """The picture draws densities and samples, no score: its title says nothing about one."""
    from dashboard.figures.home import diffusion_strip
    title = diffusion_strip(dc.PRESETS["tutorial"], dc.VESDE(25.0))._suptitle.get_text()
    assert "score" not in title and "p₀" in title and "_" not in title


def _far_mode_mixture():
    import torch
    means = torch.tensor([[0.0, 0.0], [9.0, -6.0], [-1.0, 2.0]], dtype=torch.float64)
    covs = torch.stack([torch.diag(torch.tensor(v, dtype=torch.float64))
                        for v in ([0.3, 0.3], [0.05, 0.4], [0.02, 0.02])])
    return dc.GaussianMixture(means, covs)


@pytest.mark.parametrize("gmm", [dc.PRESETS["ring8"], _far_mode_mixture(), dc.PRESETS["tutorial"]],
                         ids=["ring8", "custom far mode", "tutorial"])
def test_home_panels_hold_every_modes_two_std_region(gmm):
    """Every panel's axes hold every mode's mean ± 2 std of pₜ with room to spare (ring8's modes
    at radius 4 sat on the frame of ±4.3 axes at t = 0)."""
    import torch
    from dashboard.figures.home import diffusion_strip
    times = (0.0, 0.2, 0.4, 0.6, 1.0)
    fig = diffusion_strip(gmm, dc.VESDE(25.0), times=times, n_points=20, grid=20)
    for ax, t in zip(fig.axes, times):
        pt = gmm.diffuse(dc.VESDE(25.0), t)
        std = pt.covs.diagonal(dim1=1, dim2=2).sqrt()
        lo, hi = (pt.means - 2 * std).min(0).values, (pt.means + 2 * std).max(0).values
        span = float((hi - lo).max())
        for (a, b), l, h in zip((ax.get_xlim(), ax.get_ylim()), lo.tolist(), hi.tolist()):
            assert a < l - 0.02 * span and b > h + 0.02 * span, (t, (a, b), (l, h))


def test_home_panels_are_evenly_spaced_in_t():
    """The five panels sit evenly on screen, so their times are evenly spaced too (they read t = 0,
    0.2, 0.4, 0.6 and 1, skipping 0.8)."""
    from dashboard.figures.home import diffusion_strip
    fig = diffusion_strip(dc.PRESETS["tutorial"], dc.VESDE(25.0), n_points=20, grid=20)
    ts = [float(ax.get_title().split(",")[0].removeprefix("t = ")) for ax in fig.axes]
    assert ts[0] == 0.0 and ts[-1] == 1.0 and len(set(np.round(np.diff(ts), 9))) == 1, ts


def test_home_picture_arrives_with_the_page():
    """On a fresh server busy with its warm-up the picture arrived seconds after its caption (st.image
    serves it as a separate file): it is now inside the page's own message, the committed PNG for
    the tutorial and the sidebar's own mixture's picture for ring8, each above its caption."""
    import base64
    from conftest import app_test, choose_mixture
    from dashboard.home import home_picture
    at = app_test()
    at.run()
    assert not at.exception and not at.get("image")
    for name, png in (("tutorial", tutorial_png()), ("ring8", None)):
        if name != "tutorial":
            choose_mixture(at, name)
            png = home_picture(dc.PRESETS[name])
        html = [m.value for m in at.markdown if "data:image/png;base64," in m.value]
        assert len(html) == 1 and base64.b64encode(png).decode() in html[0], name
        assert any(f"The sidebar's distribution, {name}, blurred" in c.value for c in at.caption), name
