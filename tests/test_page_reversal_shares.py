"""The exact-score reversal page's mode-share caption: what it says sets the shares follows its own
measurement of the start, and a caption of shares that agree says what that measures, no more."""
import re

import numpy as np
import pytest

import diffusion_core as dc
from dashboard import reversal as rev
from conftest import heavy_corner_mixture


def _state(which, method, steps, lam, seed):
    gmm = heavy_corner_mixture() if which == "custom" else dc.PRESETS[which]
    return gmm, dc.VESDE(lam), rev.Run(method, steps, 2500, "karras", 1e-4, 0.16, "prior", seed)


@pytest.mark.parametrize("which, method, steps, lam, seed", [
    ("tutorial", "tutorial", 3, 2.0, 2022), ("custom", "sde", 200, 25.0, 2021),
    ("custom", "tutorial", 2, 25.0, 2022), ("tutorial", "tutorial", 3, 25.0, 2021), ("ring8", "sde", 200, 25.0, 2021)])
def test_what_sets_the_shares_follows_the_measured_split(which, method, steps, lam, seed):
    """The tutorial preset, the tutorial's loop at 3 steps, λ 2, seed 2022: the caption measured "of its -15.0
    points the start accounts for -16.5 (beyond the ± 2.8 …) and the steps and the sampling noise for +1.5",
    then said the shares "are set earlier, by the run's own steps". The custom mixture, reverse SDE, seed 2021:
    the start -2.1 of -2.3, then "set earlier, while the paths choose their modes". Where the start's part is
    beyond the noise and the run from the exact p₁ has every share within 3 standard errors, the caption now
    says the start sets them; the steps' clause only where the run from p₁ is off too."""
    gmm, sde, run = _state(which, method, steps, lam, seed)
    text = rev.weights_caption(gmm, sde, run)
    c = rev.weight_check(gmm, sde, run)
    bad = np.flatnonzero(~c["ok"])
    by_steps = "by the run's own steps" in text or "while the paths choose their modes" in text
    if not len(bad) or not rev.off_centre(gmm, sde, run):
        assert "by the start: started from the exact p₁" not in text, text
        return
    sp = rev.start_split(gmm, sde, run, bad)
    k = sp["k"]
    if sp["beyond"] and not sp["steps_off"]:
        assert (f"set earlier, by the start: started from the exact p₁, the same {steps} steps give every mode's share "
                f"within 3 standard errors of its weight (mode {k + 1}: {100 * sp['q'][k]:.1f} %, true "
                f"{100 * sp['w'][k]:.1f} %), so the steps' part does not show beyond the sampling noise.") in text, text
        assert not by_steps, text
    elif sp["steps_off"]:
        assert by_steps and "by the start: started from" not in text, text
    if (which, seed) == ("tutorial", 2022):
        assert "the start accounts for -16.5" in text and "(mode 2: 51.5 %, true 50.0 %)" in text, text
    if (which, method, seed) == ("custom", "sde", 2021):
        assert "the start accounts for -2.1" in text and "(mode 1: 89.8 %, true 90.0 %)" in text, text
    if (which, method) == ("custom", "tutorial"):        # the run from p₁ is far off too: the steps' clause stays
        assert sp["steps_off"] and "by the run's own steps" in text, text


@pytest.mark.parametrize("which, method, steps, lam, seed", [
    ("custom", "sde", 200, 25.0, 2022), ("tutorial", "sde", 200, 25.0, 2021), ("ring8", "sde", 200, 25.0, 2021),
    ("tutorial", "ode", 50, 10.0, 2021)])
def test_agreeing_shares_say_what_they_measure(which, method, steps, lam, seed):
    """The custom mixture, reverse SDE, seed 2022: "every sampled share is within 3 standard errors of its true
    weight: the exact score recovers the weights", where seed 2021 measures the start biasing mode 1 by -2.1
    points beyond chance. The caption now says what is measured: no share is told from its weight at this n,
    and a bias smaller than 3 standard errors (± 1.8 points there) would not show; no recovery is claimed."""
    gmm, sde, run = _state(which, method, steps, lam, seed)
    text = rev.weights_caption(gmm, sde, run)
    c = rev.weight_check(gmm, sde, run)
    assert "recovers the weights" not in text, text
    if c["ok"].all():
        i = int(np.argmax(c["se"]))
        assert (f"Here every sampled share is within 3 standard errors of its true weight: at this sample count no "
                f"share is told from its weight, and a bias smaller than ± {300 * c['se'][i]:.1f} points would not "
                f"show (" + ("every mode" if np.ptp(c["true"]) < 1e-12 else f"mode {i + 1}")
                + f", w = {100 * c['true'][i]:.1f} %") in text, text
    if which == "custom":
        assert c["ok"].all() and "a bias smaller than ± 1.8 points would not show (mode 1, w = 90.0 %" in text, text


@pytest.mark.parametrize("which, method, steps, lam, seed", [
    ("custom", "tutorial", 2, 25.0, 2022), ("tutorial", "tutorial", 3, 2.0, 2022), ("custom", "sde", 200, 25.0, 2021),
    ("custom", "tutorial", 3, 25.0, 2021)])
def test_start_split_gives_the_end_noise_part_apart(which, method, steps, lam, seed):
    """The custom mixture, the tutorial's loop at 2 steps, seed 2022: "of its -54.5 points the start accounts
    for +2.9 … and the steps and the sampling noise for -57.4", while the same caption says the noise left at
    the end takes a net 26.3 % out of mode 1. Where the end noise's part is measured for the split's mode, the
    split gives it apart: start, end noise, steps and sampling noise, adding up to the miss as printed."""
    gmm, sde, run = _state(which, method, steps, lam, seed)
    text = rev.weights_caption(gmm, sde, run)
    c = rev.weight_check(gmm, sde, run)
    m = re.search(r"so of its ([-+][\d.]+) points the start accounts for ([-+][\d.]+) \(beyond the ± [\d.]+ two runs "
                  r"differ by chance\)(, the noise left at the end for ([-+][\d.]+))? and the steps and the sampling "
                  r"noise for ([-+][\d.]+)", text)
    if m is None:
        assert which == "custom" and steps == 3, text        # no split beyond the noise there
        return
    k = rev.start_split(gmm, sde, run, np.flatnonzero(~c["ok"]))["k"]
    total, start, _, end, rest = m.groups()
    assert (end is not None) == bool(c["reach"][k]), text
    parts = float(start) + float(rest) + (float(end) if end else 0.0)
    assert abs(parts - float(total)) < 0.051, text
    if end:
        assert f"{'takes' if c['moved'][k] > 0 else 'brings'} a net {100 * abs(c['moved'][k]):.1f} %" in text
        assert float(end) == -round(100 * c["moved"][k], 1), text
    if (which, steps) == ("custom", 2):
        assert "the start accounts for +2.9 (beyond the ± 2.7 two runs differ by chance), the noise left at the end " \
               "for -26.3 and the steps and the sampling noise for -31.1" in text, text
