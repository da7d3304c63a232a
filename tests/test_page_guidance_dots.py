"""The Guidance page's guided-field sentence on the arrows near the class: where the shared scale
draws them shorter than SHORT_ARROW of a grid spacing, both fields show as dots and the sentence
says only that (no red arrow covering the blue, no blue rim); where they are long enough to see,
the red covers the blue and leaves a blue rim. Each state is checked against the field drawn."""

import numpy as np
import pytest
import torch

import diffusion_core as dc
from dashboard import guidance
from dashboard.figures import guidance as gfig

NEAR = f"near the class (pₜ(y | x) ≥ {guidance.NEAR_CLASS:g})"


def _three_classes():
    """A custom three-class mixture, unlike either preset (a student's own mixture)."""
    means = torch.tensor([[0.0, 0.0], [3.0, 0.5], [-1.0, 3.0]], dtype=torch.float64)
    covs = torch.stack([torch.eye(2, dtype=torch.float64) * v for v in (1.0, 0.5, 0.8)])
    return dc.GaussianMixture(means, covs, torch.tensor([0.5, 0.2, 0.3], dtype=torch.float64))


def _near_part(name, y: int, w: float, t: float):
    """The field drawn (λ 25), the page's sentence on it, its words on the arrows near the class
    ("" where it has none) and, from the arrows near the class: the median drawn length in grid
    spacings (the longer of red and blue) and the median of |red − blue| / |blue|."""
    gmm = _three_classes() if name == "three" else dc.PRESETS[name]
    f = guidance.guidance_fields(gmm, 25.0, y, w, t)
    text = guidance.field_text(f, w, t)
    g, c = f["guided"], f["cond"]
    nc = np.hypot(c[..., 0], c[..., 1])
    near = (np.asarray(f["post"]) >= guidance.NEAR_CLASS) & (nc > 1e-12)
    drawn = float(np.median(np.maximum(nc, np.hypot(g[..., 0], g[..., 1]))[near])) / gfig.arrow_scale(f)
    rel = float(np.median(np.hypot(*(g - c).transpose(2, 0, 1))[near] / nc[near]))
    part = text.split(f"measured on the arrows drawn: {NEAR}")[1].split("; where")[0] if f"drawn: {NEAR}" in text else ""
    return text, part, drawn, rel


@pytest.mark.parametrize("name, w", [("tutorial", 4.0), ("ring8", 0.0)])
def test_short_arrows_near_the_class_are_said_as_dots_not_as_a_rim(name, w):
    """Tutorial, w = 4, t = 0.30 (and ring8, w = 0): the text said the red arrows cover most blue
    ones, "which show as a blue rim", then that both are drawn 0.22 of a grid spacing long and
    show as dots. The chart shows dots only; the sentence now says that and how much guidance
    changes them, with no cover or rim."""
    text, part, drawn, rel = _near_part(name, 0, w, 0.3)
    assert drawn < guidance.SHORT_ARROW and rel < guidance.COINCIDE
    assert part.startswith(f" the red and blue arrows, drawn {drawn:.2f} of a grid spacing long"), text
    assert "both show as dots (guidance changes them there by a median of" in part
    assert "cover" not in text and "rim" not in text
    assert "the red arrows are" in text.split(f"{NEAR}")[1].split("; where")[1]   # the next ratio names them


@pytest.mark.parametrize("name, y, w, t", [("tutorial", 0, 4.0, 0.3), ("ring8", 0, 0.0, 0.3),
                                           ("tutorial", 0, 0.0, 0.3), ("tutorial", 1, 3.0, 0.3),
                                           ("ring8", 0, 4.0, 0.3), ("tutorial", 0, 10.0, 0.0),
                                           ("three", 2, 4.0, 0.3), ("three", 0, 0.0, 0.1)])
def test_rim_is_said_only_where_the_arrows_near_the_class_are_long_enough_to_see(name, y, w, t):
    """In every state the near-class words follow the field drawn: "show as dots" exactly where
    the median arrow there is drawn shorter than SHORT_ARROW of a grid spacing; "cover … blue rim"
    exactly where it is not and red and blue differ by a median under COINCIDE; never both."""
    text, part, drawn, rel = _near_part(name, y, w, t)
    dots, rim = drawn < guidance.SHORT_ARROW, drawn >= guidance.SHORT_ARROW and rel < guidance.COINCIDE
    assert ("show as dots" in part) == dots, text
    assert ("which show as a blue rim" in part) == ("cover" in part) == rim, text
    if dots:
        assert f"drawn {drawn:.2f} of a grid spacing long" in part
    if rel < guidance.COINCIDE:
        assert "changes them there by a median of" in part
    else:
        assert "× the blue" in part


def test_states_cover_both_kinds_of_words():
    """The states above reach both wordings: tutorial, w = 0, t = 0.30 keeps the rim (its arrows
    near the class are long enough to see) and ring8, w = 4 states a ratio beside its dots."""
    _, long_part, drawn, _ = _near_part("tutorial", 0, 0.0, 0.3)
    assert drawn >= guidance.SHORT_ARROW and "which show as a blue rim" in long_part
    _, ratio_part, drawn, rel = _near_part("ring8", 0, 4.0, 0.3)
    assert rel >= guidance.COINCIDE and "× the blue" in ratio_part and "show as dots there" in ratio_part


def test_at_w_1_the_fields_coincide_with_no_near_class_words():
    """Tutorial, w = 1: red is blue everywhere; the sentence says the two coincide and says nothing
    of covers, rims or dots."""
    text, part, _, _ = _near_part("tutorial", 0, 1.0, 0.3)
    assert text == "The two coincide everywhere." and part == ""
