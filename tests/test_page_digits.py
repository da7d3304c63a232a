"""AppTest of the Digits page: rendered with a short training (40 steps, through its own setting),
its sentences read against its own numbers away from the defaults, the w slider, every sampler,
the quality measurement behind its button, and bad input (w out of range, a budget under a
sampler's minimum or over the cap, training steps out of range, a diverged model)."""
import json
import re

import numpy as np

import pytest

import conftest
from conftest import metric_values, ok
from dashboard import digits as dd
from dashboard import vocabulary

PAGE = "views/13_digits.py"
K = "w_digits_"
SHORT = {K + "steps": 40}


def open_page(**state):
    return conftest.open_page(PAGE, **{**SHORT, **state})


def text(at) -> str:
    return " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)


def grid_caption(at) -> str:
    return next(c.value for c in at.caption if "samples per class at w" in c.value)


def test_default_render_states_its_own_numbers():
    at = ok(open_page())
    assert at.title[0].value.startswith("Digits")
    assert not at.error and len(at.get("image")) == 3
    assert "nan" not in text(at).lower()
    m = metric_values(at)
    acc = m["class accuracy of the samples"]
    cap = grid_caption(at)
    said = float(re.search(r"digit in ([\d.]+)% of them", cap).group(1))
    assert abs(said - acc) <= 0.5, (acc, cap)
    shown = next(x.value for x in at.metric if x.label == "class accuracy of the samples")
    assert f"digit in {shown} of them" in cap, (shown, cap)    # one rounding for one quantity
    assert "w = 1," in cap and "30 score evaluations" in cap
    assert 90 <= m["classifier on held-out digits"] <= 100
    assert "Trained 40 steps on 1,437 training images" in at.caption[0].value
    memo = next(c.value for c in at.caption if "exact score of each class" in c.value)
    ex, ratio = re.search(r"mean distance ([\d.]+) from a training image: ([\d.]+)×", memo).groups()
    assert float(ratio) <= 0.05 and "copies of training images" in memo
    net_ratio = float(re.search(r"network's 6 samples here \(w = 1, 100 evaluations\) sit at [\d.]+ "
                                r"\(([\d.]+)×\)", memo).group(1))
    assert "The grid above draws its own samples" in memo     # two distances, each says whose
    assert "these 200 samples' mean distance" in next(c.value for c in at.caption if "Judge:" in c.value)
    verdict = ("begins to memorize" if net_ratio < 0.9 else "generalizes" if net_ratio <= 1.5
               else "not trained enough")
    assert verdict in memo, (net_ratio, memo)


def test_w_slider_reruns_the_grid_and_the_film():
    """The grid and the denoising film always show the same w (a lesson found the film still at
    the previous w until its digit slider moved)."""
    at = ok(open_page())
    for w in (3.0, 0.0):
        at.slider(key=K + "w").set_value(w).run()
        ok(at)
        assert f"w = {w:g}," in grid_caption(at)
        film = next(c.value for c in at.caption if "path asked for" in c.value or "film" in c.value.lower())
        assert f"w = {w:g}" in film, film


@pytest.mark.parametrize("state", [
    {K + "w": 0.0, K + "method": "ode", K + "budget": 11, K + "class": 9},
    {K + "w": 4.0, K + "method": "tutorial", K + "budget": 2, K + "class": 0},
    {K + "method": "pc", K + "budget": 50},
    {K + "method": "dpm3m_sde", K + "budget": 10, "w_seed": 7},
])
def test_away_from_defaults(state):
    at = ok(open_page(**state))
    assert not at.error and "nan" not in text(at).lower()
    cap = grid_caption(at)
    nfe = int(re.search(r"(\d+) score evaluations each", cap).group(1))
    assert nfe <= state[K + "budget"] if K + "budget" in state else True
    film = next(c.value for c in at.caption if "One reverse-SDE path" in c.value)
    assert f"asked for {dd.a(state.get(K + 'class', 3))} (" in film


def test_quality_measured_on_demand():
    at = ok(open_page())
    assert not at.get("vega_lite_chart")
    at.button(key="digits_quality").click().run()
    ok(at)
    assert len(at.get("vega_lite_chart")) == 1
    best = next(c.value for c in at.caption if c.value.startswith("Lowest Fréchet distance"))
    assert all(f"{b} NFE" in best for b in dd.QUALITY_BUDGETS)
    listed = re.search(rf"At a budget of {dd.QUALITY_BUDGETS[0]} NFE, in the menu's order: (.+?) "
                       rf"\({dd.QUALITY_PER_CLASS} samples per class", best).group(1)
    assert all(vocabulary.short(m) in listed for m in dd.QUALITY_METHODS)
    assert "best first" not in best and " < " not in best          # values within the noise are not ranked
    assert not any(m in best for m in ("dpm2m", "dpm2m_sa", " sde", " ode"))    # no code names
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    legend = json.dumps(spec, ensure_ascii=False)
    assert all(vocabulary.short(m) in legend for m in dd.QUALITY_METHODS)
    assert '"dpm2m_sa"' not in legend.replace('"method": "dpm2m_sa"', "")
    x = next(layer["encoding"]["x"] for layer in spec["layer"] if "x" in layer["encoding"])
    assert x["axis"]["values"] == list(dd.QUALITY_BUDGETS)       # ticks at the budgets only
    assert spec["width"] >= 500


def test_guidance_scale_out_of_range_gets_a_message():
    at = ok(open_page(**{K + "w": 9.0}))
    assert any("guidance scale w" in e.value and "0..4" in e.value for e in at.error)
    assert "w = 1," in grid_caption(at)          # back to the default, the page rendered


def test_budget_under_the_sampler_minimum_and_over_the_cap():
    at = ok(open_page(**{K + "method": "ode", K + "budget": 2}))
    assert any("needs at least 3 score evaluations; got 2" in e.value for e in at.error)
    assert len(at.get("image")) == 2               # the film and the pairs still render
    at = ok(open_page(**{K + "budget": 600}))
    assert any("must be an integer in 2..500; got 600" in e.value for e in at.error)


def test_steps_out_of_range_and_a_diverged_model(monkeypatch):
    real = dd.config
    monkeypatch.setattr(dd, "config", lambda steps, seed: real(40, seed))   # never the 1,500 steps
    at = ok(open_page(**{K + "steps": 1}))
    assert any("Training steps" in e.value and "20..5000" in e.value for e in at.error)
    assert len(at.get("image")) == 3
    monkeypatch.setattr(dd, "finite", lambda net: False)
    at = ok(open_page())
    assert any("training diverged" in e.value for e in at.error)
    assert not at.get("image")


def _film(w=1.0, y=3, seed=2021):
    """The film the page just drew (cached by value: the same call returns the page's arrays)."""
    return dd.film(dd.config(40, seed), "cpu", w, y, seed)


def test_film_rows_follow_their_columns_sigma():
    """Every row of the film is at its column's σ: the bottom row (a real digit plus noise) is
    noisiest at the left, as xₜ is, and nearly clean at the right."""
    at = ok(open_page())
    f = _film()
    assert np.allclose(f["forward_sigma"], f["sigma"])
    real = f["forward"][-1]
    err = np.sqrt(((f["forward"] - real) ** 2).mean(1))
    assert err[0] > err[-2] > err[-1] - 1e-9 and err[0] > 3, err
    film = next(c.value for c in at.caption if "One reverse-SDE path" in c.value)
    assert "at each column's σ" in film and "right to left" not in film


@pytest.mark.parametrize("reads,when", [
    ([7, 7, 7, 7, 7, 7, 7, 7], "already at the first frame (σ = 9.85)"),
    ([1, 7, 7, 7, 7, 7, 7, 7], "for good from frame 2 of 8"),
    ([1, 7, 1, 7, 3, 3, 7, 7], "for good only from frame 7 of 8"),
])
def test_film_sentence_says_when_the_judge_reads_the_final_digit(reads, when):
    """The film's conclusion comes from the judge's reading of each frame's D(xₜ, σ): a 7 read
    from the first frame on is decided early (the teacher's 7), not "late"."""
    sig = np.array([9.85, 5.0, 3.0, 1.5, 0.9, 0.5, 0.1, 0.03])
    text = dd.film_sentence({"read": np.array(reads), "sigma": sig}, 7, 1.0)
    assert when in text, text
    assert ("decided late" in text) == (dd.decided(reads, 7) >= len(reads) // 2), text
    assert "the judge above) reads each frame's guess as " + ", ".join(map(str, reads)) in text


def test_film_sentence_names_the_guess_drawn_at_this_w():
    """At w ≠ 1 the film's D(xₜ, σ) is the guided guess, not the conditional one: the sentence
    names what is drawn (w = 1: the network's guess close to the average digit; w = 2 or 0.5: the
    guided guess D₀ + w (D₁ − D₀))."""
    sig = np.array([9.85, 5.0, 3.0, 1.5])
    reads = np.array([3, 3, 3, 3])
    one = dd.film_sentence({"read": reads, "sigma": sig}, 3, 1.0)
    assert "the network's guess at that noise is close to the average 3" in one and "guided" not in one
    for w in (2.0, 0.5):
        text = dd.film_sentence({"read": reads, "sigma": sig}, 3, w)
        assert "the network's guess at that noise is close to the average 3" not in text, text
        assert f"the guess drawn is the guided one, D₀ + w (D₁ − D₀) with w = {w:g}" in text, text
        assert f"moved {w:g} times the way to the conditional guess D₁" in text, text
    at = ok(open_page(**{K + "w": 2.0, K + "class": 3}))
    film = next(c.value for c in at.caption if "One reverse-SDE path" in c.value)
    assert film == dd.film_sentence(_film(y=3, w=2.0), 3, 2.0)


def test_budget_field_cannot_go_below_the_samplers_least_budget():
    """The NFE field accepted 1 and the samples were replaced by a message: the field now has
    the schema's range (2..500), so the browser cannot choose less, and the value held is kept
    when the sampler changes; a value from a link outside the range stays, with its message."""
    at = ok(open_page())
    field = at.number_input(key=K + "budget")
    assert (field.min, field.max) == (2, 500)
    assert any("samples per class at w" in c.value for c in at.caption)
    at.selectbox(key=K + "method").set_value("ode").run()
    ok(at)
    assert at.number_input(key=K + "budget").min == 2 and at.number_input(key=K + "budget").value == 30
    assert any("samples per class at w" in c.value for c in at.caption)
    assert dd.budget_bounds(1, K + "budget") == {} and dd.budget_bounds(600, K + "budget") == {}
    assert dd.budget_bounds(None, K + "budget") == {"min_value": 2, "max_value": 500}


def test_film_caption_matches_the_judge_on_the_page():
    at = ok(open_page(**{K + "class": 7}))
    f = _film(y=7)
    film = next(c.value for c in at.caption if "One reverse-SDE path" in c.value)
    assert film == dd.film_sentence(f, 7, 1.0)
    assert ", ".join(str(int(r)) for r in f["read"]) in film


def test_row_labels_say_what_was_asked_and_w0_ignores_it():
    at = ok(open_page(**{K + "w": 0.0}))
    assert "ignored at w = 0" in at.subheader[0].value
    assert "w = 0 ignores the label" in grid_caption(at)
    film = next(c.value for c in at.caption if "One reverse-SDE path" in c.value)
    assert "w = 0 ignores the label" in film
    head, rows = dd.grid_labels(0.0)
    assert rows[3] == "asked for 3" and "ignored" in head
    head, rows = dd.grid_labels(1.0)
    assert rows[3] == "asked for 3" and "ignored" not in head
    assert "ignores" not in dd.asked(2.0)


def test_digit_names_take_their_article():
    assert dd.a(8) == "an 8" and dd.a(3) == "a 3" and dd.a(0) == "a 0"


def test_budget_under_the_range_keeps_its_value_and_says_the_range():
    """NFE = 1 typed into the budget field stays 1 and gets the field's own message with the
    allowed range, instead of being put back to the default by a message at the top of the page;
    the sampler menu names each sampler as the quality chart's legend does."""
    at = ok(open_page(**{K + "budget": 1}))
    assert at.number_input(key=K + "budget").value == 1
    assert any("Score evaluations per sample (NFE)" in e.value and "must be an integer in 2..500; got 1"
               in e.value for e in at.error)
    assert not any("Back to the default" in e.value for e in at.error)
    assert not any("samples per class at w" in c.value for c in at.caption)     # no grid of a wrong budget
    menu = at.selectbox(key=K + "method")
    from dashboard import state
    choices = state.sio.SCHEMA[K + "method"].choices
    assert list(menu.options) == [vocabulary.short(m) for m in choices]


def test_quality_caption_names_samplers_as_the_legend_does():
    rows = [{"method": m, "budget": b, "frechet": 1.0 + i + b / 100}
            for i, m in enumerate(dd.QUALITY_METHODS) for b in dd.QUALITY_BUDGETS]
    said = dd.quality_sentence(rows, 0.5)
    first = dd.QUALITY_METHODS[0]
    assert all(f"{b} NFE: {vocabulary.short(first)} (" in said for b in dd.QUALITY_BUDGETS)
    for m in dd.QUALITY_METHODS:
        if vocabulary.label(m) != vocabulary.short(m):
            assert vocabulary.label(m) not in said


@pytest.mark.parametrize("step, ref", [(0.2, 0.5), (1.0, 0.5), (0.2, 0.05)])
def test_quality_caption_names_samplers_tied_with_the_best_and_lists_in_the_menus_order(step, ref):
    """The caption listed the values at 10 NFE lowest first, then said "values this close are not
    ranked here" (1.59 against 2.60): the list follows the menu's order, and the best per budget
    names the samplers within the spread of real digit sets' own scores of it, and only those (the
    real digits' level, 1.57, called every sampler a tie: it is a level, not a spread)."""
    rows = [{"method": m, "budget": b, "frechet": 1.0 + step * ((i * 7) % len(dd.QUALITY_METHODS))}
            for i, m in enumerate(dd.QUALITY_METHODS) for b in dd.QUALITY_BUDGETS]
    said = dd.quality_sentence(rows, 1.57, ref)
    listed = said.split(f"At a budget of {dd.QUALITY_BUDGETS[0]} NFE, in the menu's order: ")[1]
    names = [vocabulary.short(m) for m in dd.QUALITY_METHODS]
    assert [listed.index(n + " ") for n in names] == sorted(listed.index(n + " ") for n in names), listed
    best = min(rows, key=lambda r: r["frechet"])
    near = [f"{vocabulary.short(r['method'])} {r['frechet']:.2f}" for r in rows
            if r["budget"] == best["budget"] and r is not best and r["frechet"] - best["frechet"] <= ref]
    head = said.split(". ")[0]
    assert (f"{vocabulary.and_list(near)} lie{'s' if len(near) == 1 else ''} within {ref:.2f} of it" in head
            if near else "within" not in head), head
    assert "not ranked" not in said and f"score {ref:.2f} apart" in said
    assert "within" not in dd.quality_sentence(rows, 1.57).split(". ")[0]       # no spread measured: no ties said


def test_grid_sentence_follows_accuracy_against_chance_and_says_when_samples_are_noise():
    """A teacher's finding: at reverse SDE, NFE = 2 the grid is noise (NN ratio 33) and 10 % of
    samples are read as asked, yet the caption said w = 1 steers them. The sentence now depends on
    the measured accuracy against chance and on the NN distance ratio."""
    noise = {"accuracy": 0.10, "nn_ratio": 33.42}
    said = dd.grid_sentence(1.0, noise, 2, 200)
    assert "steers" not in said and "not digits yet" in said and "33.42 times" in said
    assert "digit in 10.0% of them (chance: 10%), no better than chance." in said
    chance = dd.grid_sentence(1.0, {"accuracy": 0.12, "nn_ratio": 1.1}, 30, 200)
    assert "steers" not in chance and "do not follow it" in chance
    good = dd.grid_sentence(1.0, {"accuracy": 0.9, "nn_ratio": 1.1}, 30, 200)
    assert "w = 1 steers the sample towards the digit asked for" in good and "chance" in good
    assert "w = 0 ignores the label" in dd.grid_sentence(0.0, noise, 2, 200)


def test_reverse_sde_at_two_evaluations_says_its_samples_are_not_digits():
    at = ok(open_page(**{K + "method": "sde", K + "budget": 2, K + "w": 1.0}))
    cap = grid_caption(at)
    m = metric_values(at)
    ratio, acc = m["NN distance ratio"], m["class accuracy of the samples"]
    assert ("not digits yet" in cap) == (ratio > dd.NOT_DIGITS), cap
    if acc <= 100 * (dd.CHANCE + 2 * np.sqrt(dd.CHANCE * (1 - dd.CHANCE) / 200)):
        assert "steers" not in cap and "no better than chance" in cap


def test_quality_caption_calls_the_real_digits_a_noise_level_and_names_budgets_as_drawn():
    """The dashed line is the real digits' own value at this sample size, not a floor (a sampler
    scored below it), and a sampler that uses fewer evaluations than its budget is named with the
    evaluations it used (the chart draws its points there)."""
    rows = [{"method": m, "budget": b, "nfe": b - 1 if m == "ode" else b, "frechet": 1.0 + i + b / 100}
            for i, m in enumerate(dd.QUALITY_METHODS) for b in dd.QUALITY_BUDGETS]
    said = dd.quality_sentence(rows, 1.55)
    assert "the floor this sample size allows" not in said
    assert "the measure's own value at this sample size" in said and "a noise level" in said
    assert "Below it here: " + vocabulary.short("sde") + " at 10 NFE (1.10)" in said
    assert f"{vocabulary.short('ode')} uses 9, 19, 49 evaluations" in said
    rows = [dict(r, method="ode", nfe=r["budget"] - 1) if r["method"] == "sde" else r
            for r in rows if r["method"] != "ode"]
    best = dd.quality_sentence(rows, 0.5)
    assert f"10 NFE: {vocabulary.short('ode')} (1.10, at 9 evaluations)" in best and "Below it" not in best


def test_memorization_pairs_stand_apart():
    """The network's samples have grey backgrounds and ran into each other across a one-pixel
    gap: the pairs' images now stand dfig.PAIR_GAP (at least 2) blank pixels apart, in both
    directions, and every image keeps its 8×8 pixels."""
    from dashboard.figures import digits as dfig
    x = np.full((6, 64), 5.0)                     # grey everywhere, like a network's sample
    fig = dfig.pairs_figure([("the network (w = 1)", x, x, np.ones(6))])
    arr = np.ma.getdata(fig.axes[0].images[0].get_array())
    gap = dfig.PAIR_GAP
    assert gap >= 2
    assert arr.shape == (2 * 8 + gap, 6 * 8 + 5 * gap)
    blank_cols = np.isnan(arr).all(axis=0)
    assert blank_cols.sum() == 5 * gap and not blank_cols[:8].any()
    assert np.isnan(arr[8:8 + gap]).all() and not np.isnan(arr[:8, :8]).any()


MAIN_COLUMN = 980           # px: the main column of the wide layout on a 1440-px-wide screen


@pytest.mark.parametrize("n_panels", [1, 2])
def test_memorization_pairs_are_drawn_large_enough_to_read(n_panels):
    """At 560 px a training "2" of the pairs read as a 1 (about 8 screen pixels per image pixel):
    each image pixel is now at least 12 PNG pixels, and the PNG, shown at its own width, fits the
    main column (so the browser does not shrink it)."""
    import io

    from PIL import Image

    from dashboard.figures import digits as dfig
    from dashboard.figures.common import figure_png
    x = np.random.default_rng(0).uniform(0, 16, (dd.MEMO_N, 64))
    panels = [("panel", x, x, np.ones(dd.MEMO_N))] * n_panels
    assert dfig.pixel_size(dfig.pairs_figure(panels), dfig.DPI) >= 12
    width = Image.open(io.BytesIO(figure_png(dfig.pairs_figure(panels), dpi=dfig.DPI))).size[0]
    assert width <= MAIN_COLUMN
    assert dfig.pixel_size(dfig.pairs_figure(panels, cell=0.8), dfig.DPI) * 560 / 682 < 12   # the old size


def test_grid_sentence_decides_digits_by_accuracy_before_distances():
    """w = 4 at 2 evaluations (fully trained): readable digits, 78 % read as asked, NN distance
    ratio 3.25; the caption said "the samples are not digits yet". Accuracy well above chance
    decides that they follow the label; the poor distances are said on their own."""
    said = dd.grid_sentence(4.0, {"accuracy": 0.78, "nn_ratio": 3.25}, 2, 200)
    assert "not digits yet" not in said
    assert said.startswith("w = 4 steers the sample towards the digit asked for.")
    assert "78.0% of them (chance: 10%), above chance" in said
    assert "Their distances are poor, though: at 2 score evaluations" in said and "3.25 times" in said
    noise = dd.grid_sentence(1.0, {"accuracy": 0.10, "nn_ratio": 33.42}, 2, 200)      # reverse SDE, NFE 2
    assert "not digits yet" in noise and "distances are poor" not in noise
    w0 = dd.grid_sentence(0.0, {"accuracy": 0.09, "nn_ratio": 3.5}, 2, 200)
    assert "not digits yet" not in w0 and "cannot tell whether the samples are digits" in w0
    assert "3.50 times" in w0
    fine = dd.grid_sentence(1.0, {"accuracy": 0.985, "nn_ratio": 1.16}, 200, 200)
    assert "poor" not in fine and "not digits" not in fine and "steers" in fine


@pytest.mark.parametrize("w, method, budget", [(4.0, "dpm2m_sa", 2), (1.0, "sde", 2), (1.0, "dpm2m_sa", 200)])
def test_grid_caption_says_digits_from_accuracy_and_distances_apart(w, method, budget):
    """The grid caption on the page is grid_sentence of the page's own measures, and follows its
    rule: "not digits yet" only at chance (with w > 0) and far from every training image; poor
    distances named on their own above chance."""
    at = ok(open_page(**{K + "w": w, K + "method": method, K + "budget": budget}))
    cap = grid_caption(at)
    from dashboard import state
    cfg = dd.config(SHORT[K + "steps"], state.DEFAULT_SEED)
    pix, m, nfe = dd.samples(cfg, "cpu", w, method, budget, state.DEFAULT_SEED)
    assert dd.grid_sentence(w, m, nfe, 200) in cap
    at_chance = m["accuracy"] <= dd.CHANCE + 2 * np.sqrt(dd.CHANCE * (1 - dd.CHANCE) / 200)
    far = m["nn_ratio"] > dd.NOT_DIGITS
    assert ("not digits yet" in cap) == (at_chance and far)
    assert ("distances are poor" in cap) == (far and not at_chance)
    if method == "sde" and budget == 2:          # two reverse-SDE steps from σ₁: noise, read at chance
        assert at_chance and far and "not digits yet" in cap


def test_film_sentence_calls_an_early_guided_reading_the_label_at_any_early_frame():
    """w = 4, a 0 asked for, read 1, 0, 0, …: the guided guess from frame 2 on is the label coming
    back (as the first-frame case says at w = 1 and 2), not "the shape decided while the noise is
    still large"; without guidance (w = 0) an early reading is the sample's own choice."""
    sig = np.array([9.85, 5.16, 3.0, 1.5, 0.9, 0.5, 0.1, 0.03])
    reads = np.array([1, 0, 0, 0, 0, 0, 0, 0])
    text = dd.film_sentence({"read": reads, "sigma": sig}, 0, 4.0)
    assert "for good from frame 2 of 8 (σ = 5.16" in text and "the label coming back" in text, text
    assert "the shape is decided while the noise is still large" not in text, text
    free = dd.film_sentence({"read": np.array([1, 7, 7, 7, 7, 7, 7, 7]), "sigma": sig}, 7, 0.0)
    assert "the shape is decided while the noise is still large" in free and "label coming back" not in free


def test_frechet_size_note_says_which_way_the_sample_size_moves_the_distance():
    """The grid's Fréchet distance (200 samples) against Measure's points (100 each): more samples
    give a lower distance by themselves, as real training digits show against the held-out ones;
    the note says so, and says nothing of the kind at equal sizes."""
    from diffusion_core import digits as dg
    data = dg.load_digits_split()
    train, test = data.x_train.numpy(), data.x_test.numpy()
    gen = np.random.default_rng(0)
    by_n = {n: np.mean([dg.frechet_distance(train[gen.choice(len(train), n, replace=False)], test)
                        for _ in range(5)]) for n in (100, 200)}
    assert by_n[200] < by_n[100], by_n
    m = dg.DIGITS_CLASSES * dd.QUALITY_PER_CLASS
    assert "from more samples comes out lower by itself" in dd.frechet_size_note(2 * m)
    assert "from fewer samples comes out higher by itself" in dd.frechet_size_note(m // 2)
    assert dd.frechet_size_note(m) == f"It is measured on {m} samples, as each point of Measure's chart below."


def test_film_sentence_names_exactly_the_frames_read_otherwise():
    """w = 4, a 7 asked for, read 7, 1, 7, …: decided for good from frame 3; only frame 2 is read
    otherwise (the first frame already reads 7), and the sentence says so, not "the first 2 frames"."""
    sig = np.array([9.85, 5.16, 3.17, 1.5, 0.9, 0.5, 0.1, 0.03])
    text = dd.film_sentence({"read": np.array([7, 1, 7, 7, 7, 7, 7, 7]), "sigma": sig}, 7, 4.0)
    assert "for good from frame 3 of 8 (σ = 3.17; the classifier reads frame 2 otherwise)" in text, text
    two = dd.film_sentence({"read": np.array([1, 3, 7, 7, 7, 7, 7, 7]), "sigma": sig}, 7, 4.0)
    assert "reads frames 1, 2 otherwise" in two, two


def test_a_w_move_redraws_no_matplotlib_figure(monkeypatch):
    """The w slider redraws the sample grid and the film: both are drawn with numpy and Pillow
    (dfig.mosaic_png), so a move renders no matplotlib figure; the grid still shows one row per
    class of the samples at the new w."""
    from matplotlib.figure import Figure

    at = ok(open_page())
    calls = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda *a, **k: calls.append(1) or real(*a, **k))
    at.slider(key=K + "w").set_value(2.0).run()
    assert not at.exception and not calls, calls
    assert len(at.get("image")) == 3 and "w = 2," in grid_caption(at)


def test_mosaic_png_draws_every_pixel_and_label():
    """mosaic_png: every image pixel is MOSAIC_PX screen pixels of the gray_r value (0 white, 16
    black), gaps are white, and the labels and titles take room at the left and top."""
    import io

    from PIL import Image

    from dashboard.figures import digits as dfig
    images = np.zeros((2, 3, 64))
    images[1, 2, 0] = 16.0                           # the top-left pixel of the last image: black
    images[0, 0, :] = 8.0                            # the first image: mid grey
    png = Image.open(io.BytesIO(dfig.mosaic_png(images, ["a", "b"], ["x", "y", "z"])))
    arr = np.asarray(png.convert("L"))
    k, step = dfig.MOSAIC_PX, (dfig.SIDE + dfig.GAP) * dfig.MOSAIC_PX
    grey = np.argwhere(arr == 128)
    top, left = grey.min(0)
    assert top > 0 and left > 0                                          # room for titles and labels
    assert tuple(grey.max(0) - grey.min(0) + 1) == (8 * k, 8 * k)         # one whole 8×8 image
    black = arr[top + step:top + step + k, left + 2 * step:left + 2 * step + k]
    assert (black == 0).all()
    assert arr[top + step, left + 2 * step + k] == 255                   # the next pixel: ink-free
    assert arr[top + 8 * k, left] == 255                                 # the gap below an image


def test_warm_up_samples_the_grid_and_film_at_every_w_of_the_slider(monkeypatch):
    """The server's warm-up (dd.train_defaults) samples the grid and the film at every value the w
    slider can take (0 to 4 in steps of 0.25) at the page's defaults, so that a w move there
    reruns from the cache: afterwards neither the sampler nor the film runs again."""
    from dashboard import state
    make = dd.config
    monkeypatch.setattr(dd, "config", lambda steps, seed: make(40, seed))      # the short recipe
    dd.train_defaults()
    ran = []
    for name in ("guided_digits", "denoising_film"):
        real = getattr(dd.dg, name)
        monkeypatch.setattr(dd.dg, name, lambda *a, _real=real, _name=name, **k: ran.append(_name) or _real(*a, **k))
    schema, seed, cfg = state.sio.SCHEMA, state.DEFAULT_SEED, make(40, state.DEFAULT_SEED)
    assert list(dd.w_values()) == [i / 4 for i in range(17)]
    for w in dd.w_values():
        dd.samples(cfg, "cpu", float(w), schema[K + "method"].default, schema[K + "budget"].default, seed)
        dd.film(cfg, "cpu", float(w), schema[K + "class"].default, seed)
    assert not ran, ran
    dd.samples(cfg, "cpu", 1.0, schema[K + "method"].default, schema[K + "budget"].default + 1, seed)
    assert ran == ["guided_digits"]                                          # not a fake: a new budget samples


@pytest.mark.parametrize("lam", [25.0, 10.0, 50.0])
def test_intro_prints_sigma1_as_the_film_prints_sigma(lam):
    """σ₁ read 9.8 in the introduction and 9.85 over the film's first column: the page prints a
    noise level one way (dd.sigma_text, two decimals) in the intro, the film's titles and its
    sentence, so σ₁ = σ at t = 1 reads alike in every place, whatever λ."""
    import torch
    import diffusion_core as dc
    sigma1 = float(dc.VESDE(lam).sigma(torch.tensor(1.0, dtype=torch.float64)))
    facts = {"n": 1797, "sigma1": sigma1, "far": 12.0}
    intro = dd.intro_sentence(facts, lam)
    assert f"σ₁ = {sigma1:.2f}, " in intro and f"λ = {lam:g}" in intro, intro
    assert ("more" if sigma1 > 12.0 else "less") + " than the largest distance" in intro
    assert dd.sigma_text(sigma1) == f"{sigma1:.2f}"


def test_page_prints_sigma1_alike_in_the_intro_and_over_the_film():
    at = ok(open_page())
    intro = next(m.value for m in at.markdown if "σ₁ = " in m.value)
    f = _film()
    assert np.isclose(f["t"][0], 1.0)                    # the film's first column is t = 1
    said = re.search(r"σ₁ = ([\d.]+),", intro).group(1)
    assert said == dd.sigma_text(f["sigma"][0]) == f"{f['sigma'][0]:.2f}", (said, f["sigma"][0])
