"""Exact-score reversal, "The better grid": the custom mixture (narrowest std 0.01) at λ 25 said "shows only
once the noise is below it, for t below 0.0001: there a uniform grid puts 0.01 % of its steps", while the
tutorial's loop it describes stops at t = 1/steps: no step of it reaches t = 0.0001. The note reads the
grid's end."""
import diffusion_core as dc
import pytest

from dashboard import reversal as rev

CUSTOM = dc.GaussianMixture([[3.0, 3.0], [-3.0, 0.0], [0.0, -4.0]],
                            [[[0.0004, 0.0], [0.0, 0.0004]], [[0.04505, 0.04495], [0.04495, 0.04505]],
                             [[0.0004, 0.0], [0.0, 0.0004]]], [0.9, 0.08, 0.02])


@pytest.mark.parametrize("steps", [200, 10, 1000])
def test_a_grid_that_stops_before_the_width_takes_no_step_there(steps):
    sde = dc.VESDE(25.0)
    end = 1 / rev.loop_steps(steps)
    note = rev.width_note(CUSTOM, sde, end)
    t_w = rev.width_time(CUSTOM, sde)[1]
    assert t_w < end and "takes no step there" in note and "% of its steps" not in note, note
    assert note in rev.uniform_grid_note(CUSTOM, sde, True, t_end=end)


@pytest.mark.parametrize("name, lam", [("tutorial", 25.0), ("ring8", 25.0), ("tutorial", 2.0)])
def test_a_grid_that_reaches_the_width_gives_its_share(name, lam):
    gmm, sde = dc.PRESETS[name], dc.VESDE(lam)
    end = 1 / rev.loop_steps(200)
    t_w = rev.width_time(gmm, sde)[1]
    note = rev.width_note(gmm, sde, end)
    assert t_w > end and f"{100 * (t_w - end) / (1 - end):.2g} % of its steps" in note, note


@pytest.mark.parametrize("steps, shown", [(2, False), (3, False), (200, True)])
def test_from_start_note_speaks_of_a_median_only_where_the_page_gives_one(steps, shown):
    """custom mixture, reverse SDE at 2 and 3 steps: "…left out: the median is over the other paths that
    commit (so a lower threshold can move the median either way …)" beside a text that says the grid is
    too coarse to give a commitment time, with no median tile and no median line."""
    import dataclasses
    run = dataclasses.replace(rev.default_view()[2], method="sde", steps=steps, seed=2021)
    cv = rev.commit_view(CUSTOM, dc.VESDE(25.0), run, rev.COMMIT_THRESHOLD)
    note = rev.from_start_note(cv)
    assert note and rev.median_shown(cv) == shown
    assert ("median" in note) == shown, note
    if not shown and cv["median"] is not None:
        assert "the time grid is too coarse to give the other paths a commitment time" in note, note
