"""Home's picture: at t = 0 the blue density pₜ shows at every mode of p₀, however narrow or light
(the caption says "blue the density pₜ"), for the lessons' custom mixture and the presets."""
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import diffusion_core as dc
from dashboard.figures.home import diffusion_strip
from dashboard.home import LAM
from tests.conftest import heavy_corner_mixture


def _t0_pixels_at_means(gmm):
    """The t = 0 panel drawn without samples: the RGB pixel at each mode's mean and the panel's
    background (its palest tone, at a corner far from every mode)."""
    fig = diffusion_strip(gmm, dc.VESDE(LAM), times=(0.0,), n_points=1)
    for coll in fig.axes[0].collections[1:]:        # the samples' scatter: not the density
        coll.remove()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    ax = fig.axes[0]
    h = rgb.shape[0]
    def at(xy):
        px, py = ax.transData.transform(xy)
        return rgb[int(round(h - py)), int(round(px))]
    x0, y0 = ax.get_xlim()[0], ax.get_ylim()[0]
    corner = at((x0 + 0.01 * np.ptp(ax.get_xlim()), y0 + 0.01 * np.ptp(ax.get_ylim())))
    return [at(mu) for mu in gmm.means.tolist()], corner


@pytest.mark.parametrize("gmm", [heavy_corner_mixture(), dc.PRESETS["tutorial"], dc.PRESETS["ring8"]],
                         ids=["custom", "tutorial", "ring8"])
def test_every_mode_is_shaded_at_t0(gmm):
    means, background = _t0_pixels_at_means(gmm)
    for k, px in enumerate(means):
        assert np.abs(px - background).max() > 40, f"mode {k + 1}: {px} is the background {background}"
