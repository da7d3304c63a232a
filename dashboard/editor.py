"""The mixture editor page's cached preview figure."""
from __future__ import annotations

import torch

import diffusion_core as dc
from dashboard import state
from dashboard.figures import lab as lfig
from dashboard.figures.common import figure_png


N_PREVIEW = 600


@state.cache_data
def preview_png(gmm: dc.GaussianMixture, seed: int, title: str) -> bytes:
    x, _ = gmm.sample(N_PREVIEW, generator=torch.Generator().manual_seed(seed))
    return figure_png(lfig.mixture_preview(gmm, x, title=title), dpi=100)
