"""Mixture editor's preview: each component's number badge sits inside the frame and covers no
mode's 2-std ellipse (its own included), for the lessons' custom mixture and the presets."""
import math

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import diffusion_core as dc
from dashboard.figures.lab import mixture_preview
from tests.conftest import heavy_corner_mixture


def _badge_discs(gmm):
    """Each drawn badge as 33 points of its disc's rim and centre, in data coordinates, and the
    axes' frame."""
    fig = mixture_preview(gmm)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ax = fig.axes[0]
    inv = ax.transData.inverted()
    discs = []
    for ann in ax.texts:
        box = ann.get_bbox_patch().get_window_extent(canvas.get_renderer())
        c, r = np.array([box.x0 + box.x1, box.y0 + box.y1]) / 2, min(box.width, box.height) / 2
        rim = [c + r * np.array([math.cos(a), math.sin(a)]) for a in np.linspace(0, 2 * math.pi, 32)]
        discs.append((ann.get_text(), inv.transform(np.array(rim + [c]))))
    return discs, ax.get_xlim(), ax.get_ylim()


@pytest.mark.parametrize("gmm, n_std", [(heavy_corner_mixture(), 3.0), (dc.PRESETS["tutorial"], 2.0),
                                        (dc.PRESETS["ring8"], 3.0)], ids=["custom", "tutorial", "ring8"])
def test_badges_cover_no_mode(gmm, n_std):
    """No badge covers any mode's 2-std ellipse, nor its 3-std one where the frame has room (the
    custom mixture's long mode: badge 2 sat on its long axis, past its end, at about 3.2 std)."""
    discs, xlim, ylim = _badge_discs(gmm)
    assert len(discs) == gmm.n_components
    means, covs = gmm.means.numpy(), gmm.covs.numpy()
    for label, pts in discs:
        assert (pts[:, 0] >= xlim[0]).all() and (pts[:, 0] <= xlim[1]).all(), label
        assert (pts[:, 1] >= ylim[0]).all() and (pts[:, 1] <= ylim[1]).all(), label
        for k, (mu, c) in enumerate(zip(means, covs)):
            d = pts - mu
            m2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(c), d)
            assert m2.min() > n_std ** 2, f"badge {label} covers mode {k + 1}'s {n_std:g}-std ellipse"
