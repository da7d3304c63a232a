"""AppTest of the Guidance page's warning on learned samples outside the data's box: how far they
lie is said in both scales, their nearest mode's stds and the data's spread s, and "far outside
the data"/"breaks down" only where they are far in both (left_out_far)."""

import pytest

import conftest
from conftest import ok, shorten_lessons_recipe
from dashboard import guidance, state
from dashboard.models import value_text
from test_page_guidance import HW, clear_rows  # noqa: F401 (a fixture the tests request)
from test_page_guidance_reach import _gmm

PAGE = "views/10_guidance.py"
K = "w_guidance_"


@pytest.fixture(autouse=True)
def short_recipe(monkeypatch):
    shorten_lessons_recipe(monkeypatch)


def _warning(mixture, y, w, lam):
    s = {K + "class": y, K + "w": w, K + "lam": lam, K + "learned": True}
    s.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else s.update(w_mixture=mixture)
    return " ".join(m.value for m in ok(conftest.open_page(PAGE, **s)).warning)


def _row(mixture, y, w, lam):
    from dashboard import lessons
    seed = state.DEFAULT_SEED
    return guidance.guidance_row(_gmm(mixture), lam, y, w, 600, 60, seed, lessons.recipe(seed), "cpu")


def _below_mode(monkeypatch, stds: float, at_w: float, gone: int = 600):
    """learned_guided_samples replaced: at w = at_w, `gone` samples lie `stds` of the class mode's
    y std straight below it; elsewhere, and for the rest, exact CFG's own samples."""
    def fake(cfg, gmm, lam, device, y, w, n, steps, seed):
        x = guidance.guided_samples(gmm, lam, y, w, n, steps, seed).copy()
        if w == at_w:
            x[:gone] = (float(gmm.means[y, 0]), float(gmm.means[y, 1]) - stds * float(gmm.covs[y, 1, 1]) ** 0.5)
        return x
    monkeypatch.setattr(guidance, "learned_guided_samples", fake)


@pytest.mark.parametrize("mixture, y, w, lam, offset", [("custom", 2, 4.0, 2.0, 9.5), ("tutorial", 1, 4.0, 25.0, 14.0),
                                                      ("ring8", 6, 4.0, 25.0, 9.5), ("tutorial", 1, 4.0, 25.0, 9.5)])
def test_far_is_said_only_where_far_on_the_scale_of_the_data_too(monkeypatch, clear_rows, mixture, y, w, lam, offset):
    """Custom mixture, class 3 (0, −4), std 0.02, w = 4, λ = 2: every learned sample lay 9.5 class
    stds (0.19) from the mode, 0.13 times the data's spread s = 1.47, and the warning said the
    guidance "breaks down" and that they land "far outside the data". It now gives the distance in
    both scales and says "far" (and "breaks down") only where it is beyond 8 of the mode's stds and
    beyond s; beyond the stds alone it says they are close on the scale of the data."""
    _below_mode(monkeypatch, offset, w)
    warning = _warning(mixture, y, w, lam)
    row = _row(mixture, y, w, lam)
    s, dist, stds = row["data_spread"], row["far_dist"], row["far_stds"]
    assert row["far"] > 0.01, row
    assert f"({value_text(dist, 2)}, {value_text(dist / s, 2)} times the data's spread s = {s:.2f}) from it" in warning, warning
    far = stds > guidance.FAR_STDS and dist > s
    assert guidance.left_out_far(row) == far
    assert ("far outside" in warning) == far and ("breaks down" in warning) == far, warning
    if stds > guidance.FAR_STDS and not far:
        assert "off that narrow mode, yet close to it on the scale of the data" in warning, warning
    # tutorial's (2, −1), largest std 1.41: 14 → 9.9 of its stds, 9.3 s (far); 9.5 → 6.7 of its stds (within);
    # ring8's (0, −4), std 0.15: 1.4 from it, s = 2.83 (close)
    assert far == (offset == 14.0), row
    if mixture == "custom":
        assert not far and value_text(stds, 2) == "9.5", row
        assert ("every one of its 600 samples lands outside it, at a median of 9.5 of their nearest mode's stds "
                "(0.19, 0.13 times the data's spread s = 1.47) from it: beyond 8 of its stds, off that narrow "
                "mode, yet close to it on the scale of the data") in warning, warning


@pytest.mark.parametrize("mixture, y, w, lam", [("custom", 2, 4.0, 2.0), ("tutorial", 1, 4.0, 25.0)])
def test_far_beyond_the_datas_spread_breaks_down(monkeypatch, clear_rows, mixture, y, w, lam):
    """Samples thrown 1e3 away are far in both scales: the warning says guidance breaks down there."""
    def fake(cfg, gmm, lam_, device, y_, w_, n, steps, seed):
        x = guidance.guided_samples(gmm, lam_, y_, w_, n, steps, seed).copy()
        if w_ == w:
            x[:300] = 1e3
        return x
    monkeypatch.setattr(guidance, "learned_guided_samples", fake)
    warning = _warning(mixture, y, w, lam)
    assert guidance.left_out_far(_row(mixture, y, w, lam))
    assert "breaks down" in warning and "beyond 8 of its stds and beyond the data's spread: far from the data" in warning, warning


def _page(mixture, y, w, lam):
    s = {K + "class": y, K + "w": w, K + "lam": lam, K + "learned": True}
    s.update(custom_mixture=HW, w_mixture="custom") if mixture == "custom" else s.update(w_mixture=mixture)
    at = ok(conftest.open_page(PAGE, **s))
    return at.caption[0].value, " ".join(m.value for m in at.warning)


def _check_panels(caption, warning, row, mixture, y):
    """The warning names the data's box as the square it is, and where the caption's count of
    learned samples outside the panels exceeds those left out, says how many of them are left out."""
    gmm, n = _gmm(mixture), int(row["learned_n"])
    gone, cut = n - int(row["learned_kept"]), int(row["learned_cut"])
    assert "stds around every mode" not in caption + warning, (caption, warning)
    if cut:
        assert f"learned CFG {cut}" in caption.split("Outside the panels (not drawn): ")[1], caption
    if not warning:
        return
    assert "the data's box (the square holding every mode's mean ± 4 stds)" in warning or \
           guidance.left_out_far(row), warning
    said = f" {cut} of {n} learned samples lie outside the panels ({guidance.panels_words(gmm, y)}); "
    assert (said in warning) == (cut > gone), warning
    if cut > gone:
        both = int(row["learned_cut_gone"])
        assert (f"{said}{both} of them outside the data's box too are left out of the learned numbers, the other "
                f"{cut - both} stay in them") in warning, warning


@pytest.mark.parametrize("mixture, y, w, lam", [("custom", 2, 2.0, 25.0), ("custom", 2, 4.0, 50.0),
                                                ("custom", 2, 3.5, 25.0), ("tutorial", 1, 4.0, 25.0),
                                                ("cross", 0, 3.0, 50.0)])
def test_warning_counts_the_samples_outside_the_panels(mixture, y, w, lam):
    """Custom mixture, class 3, w = 2, λ = 25: the warning said 85 of 600 learned samples lie
    outside "the data's box (4 stds around every mode)" while the caption counted 236 outside the
    panels, which reach 5 class stds: the box is one square over all modes, so samples between
    modes count as inside. The box is now named as what it is, and the warning says how many
    learned samples lie outside the panels and how many of them are left out."""
    caption, warning = _page(mixture, y, w, lam)
    _check_panels(caption, warning, _row(mixture, y, w, lam), mixture, y)


@pytest.mark.parametrize("mixture, y, w, lam", [("custom", 2, 2.0, 25.0), ("tutorial", 1, 4.0, 25.0)])
def test_samples_between_modes_count_inside_the_box_but_outside_the_panels(monkeypatch, clear_rows, mixture, y, w, lam):
    """200 learned samples at the mixture's mean (inside the data's box, between the modes) and 50
    thrown 1e3 away: custom class 3's zoomed panels cut all 250, only the 50 are left out."""
    def fake(cfg, gmm, lam_, device, y_, w_, n, steps, seed):
        x = guidance.guided_samples(gmm, lam_, y_, w_, n, steps, seed).copy()
        if w_ == w:
            x[:200] = gmm.means.mean(0).numpy()
            x[200:250] = 1e3
        return x
    monkeypatch.setattr(guidance, "learned_guided_samples", fake)
    caption, warning = _page(mixture, y, w, lam)
    row = _row(mixture, y, w, lam)
    _check_panels(caption, warning, row, mixture, y)
    assert int(row["learned_kept"]) == 550 and warning, warning
    if mixture == "custom":
        assert (" 250 of 600 learned samples lie outside the panels (zoomed to the class, reaching past the data's "
                "box); 50 of them outside the data's box too are left out of the learned numbers, the other 200 stay in them.") in warning, warning
