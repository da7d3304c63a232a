"""Final samples against the truth (Reversal, and Train & sample's samples panels): the custom mixture's
modes 1 and 3 (std 0.02) are dots 0.12 across in a view 8.3 wide, and its elongated mode 2 is 0.06 across,
and the caption asked the class to compare the dots with p₀'s 50/90/99 % contours with no close-up row.
The close-ups now show the small modes (by their narrowest std), and the caption names the small modes,
those drawn close up, and the small ones that are not."""
import diffusion_core as dc
import pytest

from conftest import ok, open_page
from dashboard import models, reversal as rev

PAGE = "views/3_reversal.py"
CUSTOM = dc.GaussianMixture([[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]],
                            [[[0.0004, 0.0], [0.0, 0.0004]], [[0.04505, 0.04495], [0.04495, 0.04505]],
                             [[0.0004, 0.0], [0.0, 0.0004]]], [0.9, 0.08, 0.02])
RUN = rev.Run("sde", 20, 1000, "karras", 1e-4, 0.1, "prior", 7)


def spans(gmm):
    """Each mode's mean ± 3 × narrowest std span, and the view's narrower side, as the caption prints them."""
    return 6 * models.mode_narrow_stds(gmm), models.view_side(gmm)


def test_custom_mixture_shows_every_small_mode_close_up():
    span, side = spans(CUSTOM)
    assert models.small_modes(CUSTOM) == [0, 1, 2] and models.zoom_mode(CUSTOM) == 0
    text = models.zoom_text(CUSTOM)
    assert text == (f" Every mode is small in this view (the widest spans {max(span):.2g}, mean ± 3 std across its "
                    f"narrowest direction, of a view {side:.2g} wide; mode 2 is 1.8 long but 0.06 across), so its dots "
                    "hide its lines: the 3 rows below show modes 1 (90 %), 2 (8 %) and 3 (2 %) close up, 0.24, 0.12 "
                    "and 0.24 wide (each its mean ± 6 of its narrowest std), where a mode drawn too wide or too "
                    "narrow shows."), text
    sde = dc.VESDE(25.0)
    sets = {"these samples": rev.sample_run(CUSTOM, sde, RUN)["x"], "the true samples": rev.truth(CUSTOM, RUN.n, RUN.seed)["ref"]}
    assert rev.dots_final(CUSTOM, sde, RUN) and rev.dots_note(CUSTOM, sde, RUN).endswith(models.zoom_text(CUSTOM, sets))
    fig = models.mass_dots_figure(CUSTOM, list(sets.items()), ["C0", "C2"], RUN.seed)
    zx, zy = models.zoom_limits(CUSTOM, 0)
    assert zx == pytest.approx((2.88, 3.12)) and zy == pytest.approx((2.88, 3.12))
    assert len(fig.axes) == 8 and fig.axes[2].get_xlim() == pytest.approx(zx)
    assert fig.axes[2].get_title().startswith("mode 1, close up (")
    # Train & sample's caption of its sets reads the same close-ups
    sets = {w: rev.truth(CUSTOM, 500, s)["ref"] for w, s in (("the learned samples", 1), ("the true samples", 2))}
    assert models.mass_picture_text(sets, CUSTOM, 0).endswith(models.zoom_text(CUSTOM, sets))


def test_ring8_shows_three_of_its_equal_modes_close_up():
    span, side = spans(dc.PRESETS["ring8"])
    assert models.zoom_modes(dc.PRESETS["ring8"]) == [0, 1, 2] and len(models.small_modes(dc.PRESETS["ring8"])) == 8
    assert models.zoom_text(dc.PRESETS["ring8"]) == (
        f" Every mode is small in this view (the widest spans {span.max():.2g}, mean ± 3 std across its narrowest "
        f"direction, of a view {side:.2g} wide), so its dots hide its lines: the 3 rows below show modes 1 (12.5 %), "
        "2 (12.5 %) and 3 (12.5 %), the small modes of the largest weight or share in a panel, close up, each "
        f"{2 * span[0]:.2g} wide (its mean ± 6 of its narrowest std), where a mode drawn too wide or too narrow shows; "
        "modes 4 (12.5 %), 5 (12.5 %), 6 (12.5 %), 7 (12.5 %) and 1 more (none above 12.5 % in weight or share) are "
        "small too and not shown close up.")


@pytest.mark.parametrize("name", ["tutorial", "unbalanced", "cross"])
def test_presets_whose_modes_are_not_small_get_no_close_up(name):
    gmm = dc.PRESETS[name]
    assert models.small_modes(gmm) == [] and models.zoom_mode(gmm) is None and models.zoom_text(gmm) == ""


def test_one_narrow_light_mode_beside_a_wide_heavy_one_is_drawn_close_up():
    """A narrow mode of 30 % beside a wide one of 70 %: the close-up shows the narrow one (the
    small mode, not the heaviest mode), and no other small mode is left unshown."""
    gmm = dc.GaussianMixture([[-3.0, 0.0], [3.0, 0.0]], [[[0.0025, 0.0], [0.0, 0.0025]], [[1.0, 0.0], [0.0, 1.0]]],
                             [0.3, 0.7])
    span, side = spans(gmm)
    assert models.zoom_mode(gmm) == 0 and models.small_modes(gmm) == [0]
    text = models.zoom_text(gmm)
    assert text.startswith(f" Mode 1 is small in this view (it spans {span[0]:.2g}, mean ± 3 std across its narrowest "
                           f"direction, of a view {side:.2g} wide, where mode 2 spans {span[1]:.2g}), so its dots hide "
                           f"its lines: the second row shows mode 1 (30 %) close up, {2 * span[0]:.2g} wide"), text
    assert "not shown close up" not in text


def test_two_small_modes_of_equal_weight_beside_a_wide_one_both_get_a_row():
    """Two narrow modes of 40 % each and a wide one of 20 %: each small mode gets a close-up row, and no
    small mode is left out."""
    narrow, wide = [[0.0025, 0.0], [0.0, 0.0025]], [[1.0, 0.0], [0.0, 1.0]]
    gmm = dc.GaussianMixture([[-3.0, 0.0], [3.0, 0.0], [0.0, 3.0]], [narrow, narrow, wide], [0.4, 0.4, 0.2])
    text = models.zoom_text(gmm)
    assert models.small_modes(gmm) == [0, 1] and models.zoom_modes(gmm) == [0, 1]
    assert "Modes 1 and 2 are small in this view" in text and "the 2 rows below show modes 1 (40 %) and 2 (40 %) close up" in text
    assert "not shown close up" not in text


def test_reversal_page_captions_the_custom_mixture_close_up():
    at = ok(open_page(PAGE, 180, custom_mixture=CUSTOM.to_dict(), w_mixture="custom", w_reversal_steps=10))
    caps = " ".join(c.value for c in at.caption)
    assert "mode 2 is 1.8 long but 0.06 across" in caps and "the 3 rows below show modes 1 (90 %; " in caps, caps
