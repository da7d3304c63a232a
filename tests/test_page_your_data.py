"""AppTest of the Your data page: the default shape, every source, the smoothing width, the
"Use as p₀" button that puts "your data" in the sidebar (and the Score field page on it), bad
input refused with an st.error that names the rule while the last valid points stay, and the
points travelling in a settings file."""
import json
import math
import os
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import yourdata
from dashboard import settings as sio

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")
PAGE, SCORE = "views/12_your_data.py", "views/2_score_field.py"
K = "w_yours_"


def open_page(**state):
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    for k, v in state.items():
        at.session_state[k] = v
    return ok(at.switch_page(PAGE).run())


def ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


def errors(at):
    return [e.value for e in at.error]


def candidate(at):
    return at.session_state["yours_candidate"]


def use(at):
    return ok(at.button(key="yours_use").click().run())


def test_default_render_and_use_on_score_page():
    at = open_page()
    assert at.title[0].value.startswith("Your data")
    assert len(at.get("image")) == 1 and not at.error
    pts, label = candidate(at)
    assert pts.shape == (100, 2) and label == "Shape" and np.isfinite(pts).all()
    assert "nan" not in " ".join(c.value for c in at.caption).lower()
    use(at)
    assert at.session_state["w_mixture"] == yourdata.NAME
    assert len(at.session_state[yourdata.KEY]["points"]) == 100
    assert at.success and yourdata.NAME in at.success[0].value
    at.switch_page(SCORE).run()
    ok(at)
    assert at.sidebar.selectbox[0].value == yourdata.NAME
    assert yourdata.NAME in at.markdown[0].value or any(yourdata.NAME in m.value for m in at.markdown)
    assert len(at.get("image")) >= 1


@pytest.mark.parametrize("state", [
    {K + "shape": "swiss roll", K + "n": 10, K + "width": 0.25},
    {K + "shape": "spiral", K + "n": 100, K + "width": 4.0},
    {K + "source": "word", K + "word": "A", K + "n": 20},
    {K + "source": "word", K + "word": "diffusion123", K + "n": 100},
])
def test_extremes(state):
    at = open_page(**state)
    assert not at.error, errors(at)
    pts, _ = candidate(at)
    assert len(pts) >= 2 and np.isfinite(pts).all()
    assert float(np.linalg.norm(pts, axis=1).max()) == pytest.approx(yourdata.RADIUS, rel=1e-6)


def test_draw_source_renders_the_canvas():
    at = open_page(**{K + "source": "draw"})
    assert not at.error and at.info, "an untouched canvas asks to draw, it does not refuse"
    assert candidate(at)[1] == "Shape"           # the last valid points stay


def upload(at, name, data):
    at.file_uploader(key="yours_csv").upload(name, data, "text/csv")
    return ok(at.run())


@pytest.mark.parametrize("name, data, rule", [
    ("text.csv", b"x,y\n1,2\nhello,3\n", "is not a number"),
    ("nan.csv", b"1,2\nnan,3\n4,5\n", "finite number"),
    ("huge.csv", b"1,2\n" * 1_000_000, "too many rows"),
    ("one.csv", b"x,y\n1.5,2.5\n", "at least 2 distinct points"),
    ("same.csv", b"1,1\n1,1\n1,1\n", "at least 2 distinct points"),
    ("cols.csv", b"1,2,3\n4,5,6\n", "expected 2 columns"),
    ("empty.csv", b"", "no points"),
])
def test_bad_csv_refused_last_points_kept(name, data, rule):
    at = open_page(**{K + "source": "csv"})
    before = candidate(at)[0].copy()
    upload(at, name, data)
    msg = " ".join(errors(at))
    assert "CSV file" in msg and rule in msg and "last valid points stay" in msg, msg
    assert np.array_equal(candidate(at)[0], before)
    assert len(at.get("image")) == 1


def test_good_csv_is_scaled_and_used():
    at = open_page(**{K + "source": "csv"})
    rows = "\n".join(f"{100 + 10 * math.cos(a):.4f};{50 + 10 * math.sin(a):.4f}"
                     for a in np.linspace(0, 6.2, 40))
    upload(at, "circle.csv", ("x;y\n" + rows).encode())
    assert not at.error, errors(at)
    pts, label = candidate(at)
    assert label == "CSV file" and pts.shape == (40, 2)
    assert float(np.abs(pts).max()) <= yourdata.RADIUS + 1e-9
    use(at)
    assert at.session_state["w_mixture"] == yourdata.NAME


def test_empty_word_refused():
    at = open_page(**{K + "source": "word", K + "word": "   "})
    assert any("Word" in e and "at least one visible character" in e for e in errors(at)), errors(at)


def test_canvas_points_and_rules():
    size = 100
    data = {"objects": [{"type": "path", "path": [["M", 10, 10], ["Q", 20, 20, 30, 30], ["L", 50, 90]]},
                        {"type": "circle", "left": 47, "top": 47, "radius": 3}]}
    pts = yourdata.canvas_points(data, size)
    assert pts.tolist() == [[-40, 40], [-20, 20], [0, -40], [0, 0]]
    assert yourdata.canvas_points(None, size).shape == (0, 2)
    assert yourdata.canvas_points({"objects": []}, size).shape == (0, 2)
    with pytest.raises(ValueError, match="at least 2 distinct points"):
        yourdata.check([[1.0, 2.0]], "Drawing")
    with pytest.raises(ValueError, match="at least one point"):
        yourdata.check(np.zeros((0, 2)), "Drawing")


def settings_blob(points, width=0.3, mixture=yourdata.NAME):
    raw = json.loads(sio.settings_to_json({"w_mixture": mixture, "w_seed": 7}))
    raw["your_data"] = {"points": points, "width": width}
    return json.dumps(raw).encode()


def test_settings_file_carries_your_data():
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    pts = [[math.cos(a), math.sin(a)] for a in np.linspace(0, 6, 30)]
    at.sidebar.file_uploader(key="_share_upload").upload("s.json", settings_blob(pts), "application/json")
    ok(at.run())
    assert at.session_state["w_mixture"] == yourdata.NAME and at.session_state["w_seed"] == 7
    assert len(at.session_state[yourdata.KEY]["points"]) == 30
    assert at.sidebar.selectbox[0].value == yourdata.NAME


@pytest.mark.parametrize("points, width, rule", [
    ([[1, 2]], 0.3, "at least 2 distinct points"),
    ([[1, 2], [3, None]], 0.3, "finite"),
    ([[1, 2], [3, 4]], 50.0, "width must be a number in"),
])
def test_settings_file_with_bad_your_data_refused(points, width, rule):
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.sidebar.file_uploader(key="_share_upload").upload("s.json", settings_blob(points, width),
                                                         "application/json")
    ok(at.run())
    msg = " ".join(errors(at))
    assert "nothing was changed" in msg and rule in msg, msg
    assert at.session_state["w_mixture"] == "tutorial" and yourdata.KEY not in at.session_state


# ----------------------------------------------------------------------------- 1,000 points
def big_entry(n=yourdata.MAX_POINTS):
    from diffusion_core import pointsets as ps
    pts = yourdata.check(ps.SHAPES["heart"](n))
    assert len(pts) == yourdata.MAX_POINTS == 1000
    return yourdata.entry(pts, yourdata.width_of(pts, 1.0), "Shape")


def on_big_data(page, **state):
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state[yourdata.KEY] = big_entry()
    ok(at.run())
    at.session_state["w_mixture"] = yourdata.NAME
    for k, v in state.items():
        at.session_state[k] = v
    at = ok(at.switch_page(page).run())
    assert not at.error, errors(at)
    assert at.sidebar.selectbox[0].value == yourdata.NAME
    return at


def test_thousand_points_thinned_deterministically():
    a = yourdata.check(np.random.default_rng(1).normal(size=(2500, 2)))
    b = yourdata.check(np.random.default_rng(1).normal(size=(2500, 2)))
    assert a.shape == (yourdata.MAX_POINTS, 2) and np.array_equal(a, b)
    assert yourdata.mixture(big_entry()).n_components == 1000


@pytest.mark.parametrize("view", ["total", "modes", "weighted"])
def test_thousand_points_score_field(view):
    at = on_big_data(SCORE, w_score_view=view)
    assert len(at.get("image")) >= 1


def test_thousand_points_reversal():
    """The cloud chart with 1,000 modes: ellipses for the heaviest few only, no MaxRowsError.
    (Fewer samples and steps than the defaults, to keep the test short.)"""
    from dashboard.figures import reversal as rfig
    at = on_big_data("views/3_reversal.py", w_reversal_n=500, w_reversal_steps=50)
    import pyarrow as pa
    cloud = [c.proto for c in at.get("vega_lite_chart") if '"bind"' in c.proto.spec]
    assert len(cloud) == 1
    assert f"{rfig.MAX_ELLIPSES} of 1,000 modes (" in cloud[0].spec
    words = " ".join(m.value for m in at.markdown if "Dashed ellipses" in m.value)
    assert f"{rfig.MAX_ELLIPSES} of the exact pₜ's 1,000 components, those most of the drawn paths end in" in words
    rows = [pa.ipc.open_stream(d.data.data).read_all().num_rows for d in cloud[0].datasets]
    assert rows and max(rows) <= 5000, rows


def test_thousand_points_reversal_at_its_defaults_draws_fewer_samples():
    """Default samples and steps with a 1,000-mode p0: the page draws fewer samples and says so
    (with every sample it took 15 s; its time is benchmarks/bench_pages.py's figure)."""
    from dashboard import reversal
    at = on_big_data("views/3_reversal.py")
    assert any("draws" in i.value and "samples (of 2,500)" in i.value for i in at.info)
    shown = [i.value for i in at.info if "samples (of 2,500)" in i.value][0]
    n = int(re.search(r"draws ([\d,]+) samples", shown).group(1).replace(",", ""))
    assert 250 <= n < 2500 and n == reversal.samples_for(yourdata.mixture(big_entry()), 2500, 200), shown


def test_a_long_word_at_few_points_says_how_many_it_needs():
    """DIFFUSION at the default 100 points is illegible: the page says how many points it needs;
    at that many it says nothing."""
    from dashboard import drawing
    at = open_page(**{K + "source": "word", K + "word": "DIFFUSION"})
    need = drawing.points_needed("DIFFUSION")
    assert need == 9 * drawing.POINTS_PER_LETTER
    infos = " ".join(i.value for i in at.info)
    assert "9 letters" in infos and f"{need:,} points" in infos and "11 a letter" in infos
    at.slider(key=K + "n").set_value(need).run()
    assert not at.exception and "a letter" not in " ".join(i.value for i in at.info)


def test_the_default_word_reads_at_the_default_points():
    """The default word ("DDPM" at 100 points) drew its own 'too few to read' message: the
    default word now reads at the default points, and the page says nothing about it; a longer
    word at those points still gets the message, which claims no more than the rule behind it
    (below 40 a letter some strokes break) and leaves the judgement to the preview ("SDE" at 33 a
    letter reads well)."""
    from dashboard import drawing
    word, n = sio.SCHEMA[K + "word"].default, sio.SCHEMA[K + "n"].default
    assert drawing.points_needed(word) <= n
    at = open_page(**{K + "source": "word"})
    assert at.text_input(key=K + "word").value == word and not at.error
    assert not [i.value for i in at.info if "a letter" in i.value], [i.value for i in at.info]
    at = open_page(**{K + "source": "word", K + "word": "DDPM"})
    assert any("break into loose dots. If the preview is hard to read" in i.value for i in at.info)
    assert not any("too few to read" in i.value for i in at.info)   # "SDE" at 33 a letter reads well


@pytest.mark.parametrize("width, larger", [(0.1, True), (1.0, True), (4.0, False)])
def test_the_few_points_hint_names_a_larger_width_only_where_the_slider_has_one(width, larger):
    """The hint named "a smaller smoothing width" at its minimum, 0.10, where the letters are loose
    dots a larger width joins: it names a larger width, and only below the slider's maximum."""
    at = open_page(**{K + "source": "word", K + "word": "DDPM", K + "width": width})
    hint = next(i.value for i in at.info if "If the preview is hard to read" in i.value)
    assert ("a larger smoothing width, which joins a stroke's dots" in hint) == larger, hint
    assert "smaller smoothing width" not in hint and hint.endswith("."), hint


def test_heart_points_are_spread_evenly_along_its_outline():
    """The default heart piled points into blobs at its two cusps (points evenly spaced in the
    curve's parameter, where the curve slows to a stop): they are now evenly spaced by arc
    length, at any number of points."""
    from diffusion_core import pointsets as ps
    for n in (10, 60, 100, 400):
        pts = ps.heart(n)
        gaps = np.linalg.norm(np.diff(np.vstack([pts, pts[:1]]), axis=0), axis=1)
        assert gaps.min() > 0.9 * gaps.max(), (n, gaps.min(), gaps.max())
        assert np.abs(pts).max() <= 5


def test_word_with_a_tiny_width_shows_the_copies_in_reversal():
    """SCORE, 200 points, the smallest smoothing width, on the Exact-score reversal page: the
    final samples are drawn as points over the data points, and a sentence read from those
    samples says which share of them are copies of a data point (most, here)."""
    import torch
    import diffusion_core as dc
    from diffusion_core import pointsets as ps
    from dashboard import drawing, reversal as rev
    e = yourdata.entry(yourdata.check(drawing.word_points("SCORE", 200)), ps.MIN_WIDTH, "Word")
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state[yourdata.KEY] = e
    ok(at.run())
    for k, v in {"w_mixture": yourdata.NAME, "w_reversal_n": 500, "w_reversal_steps": 50}.items():
        at.session_state[k] = v
    at = ok(at.switch_page("views/3_reversal.py").run())
    caps = [c.value for c in at.caption if "of the 200 data points" in c.value]
    assert len(caps) == 1, [c.value for c in at.caption]
    got = re.search(r"(\d+) % of the ([\d,]+) samples shown", caps[0])
    gmm = yourdata.mixture(e)
    n = rev.samples_for(gmm, 500, 50)
    run = rev.Run("sde", 50, n, at.radio(key="w_reversal_grid").value,
                  float(at.select_slider(key="w_reversal_t_eps").value),
                  float(at.slider(key="w_reversal_snr").value), at.radio(key="w_reversal_start").value,
                  2021)
    x = torch.as_tensor(rev.sample_run(gmm, dc.VESDE(25.0), run)["x"], dtype=torch.float64)
    h = float(gmm.covs.diagonal(dim1=1, dim2=2).max().sqrt())
    near = float((torch.cdist(x, gmm.means.double()) <= 2 * h).any(1).double().mean())
    assert int(got.group(2).replace(",", "")) == n
    assert int(got.group(1)) == round(100 * near) and near >= 0.5 and "its true samples are copies" in caps[0]


@pytest.mark.parametrize("factor, method, steps", [(0.25, "sde", 10), (0.25, "ode", 200), (0.1, "sde", 50)])
def test_separate_blobs_are_called_copies_whatever_the_sampler_gives(factor, method, steps):
    """A width at or below the copy threshold (0.25 × the spacing, the width the note prints)
    makes p₀ separate blobs: the note says so whatever share of samples the sampler puts on the
    points (a lesson found "the blobs overlap … not a copy" printed beside a width of 0.25 ×
    the spacing, with too few samples on the points), and says when the sampler lags the truth."""
    import diffusion_core as dc
    from diffusion_core import pointsets as ps
    from dashboard import reversal as rev
    points = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(points, yourdata.width_of(points, factor), "shape"))
    run = rev.Run(method, steps, 500, "karras", 1e-4, 0.13, "prior", 2021)
    note = rev.copies_note(gmm, dc.VESDE(25.0), run)
    ratio = float(re.search(r"The smoothing width is ([\d.]+) ×", note).group(1))
    near, true = map(int, re.search(r"(\d+) % of the .*?true samples of p₀: (\d+) %", note).groups())
    assert ratio <= rev.COPY_SPACING, note
    assert "separate small blobs" in note and "smooth shape" not in note and "not a copy" not in note, note
    assert ("has not resolved the blobs" in note) == (near < 0.5 * true), note


def test_overlapping_blobs_are_not_called_copies():
    """At a width of one nearest-neighbour distance the blobs of p₀ overlap: samples near the data
    points are where p₀ is, and the note says so instead of calling them copies (the heart at the
    page's default width); the share of true samples of p₀ stands beside the samplers'."""
    import diffusion_core as dc
    from diffusion_core import pointsets as ps
    from dashboard import reversal as rev
    points = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(points, yourdata.width_of(points, 1.0), "heart"))
    run = rev.Run("sde", 50, 500, "karras", 1e-4, 0.13, "prior", 2021)
    note = rev.copies_note(gmm, dc.VESDE(25.0), run)
    assert "p₀ is a smooth shape" in note and "copies of your points" not in note, note
    assert re.search(r"\(true samples of p₀: \d+ %\)", note), note
    assert rev.copies_note(dc.PRESETS["ring8"], None, run) == ""


def test_overlapping_modes_weights_caption_counts_true_samples_too():
    """With many overlapping modes, the caption says how many modes true samples of p₀ put off by
    the same count (the measure's own bias), read from the same check."""
    import diffusion_core as dc
    from diffusion_core import pointsets as ps
    from dashboard import reversal as rev
    points = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(points, yourdata.width_of(points, 1.0), "heart"))
    run = rev.Run("sde", 50, 500, "karras", 1e-4, 0.13, "prior", 2021)
    c = rev.weight_check(gmm, dc.VESDE(25.0), run)
    text = rev.weights_caption(gmm, dc.VESDE(25.0), run)
    assert c["off_true"] > 0, c["off_true"]
    if not c["ok"].all():
        modes = "mode" if c["off_true"] == 1 else "modes"
        assert f"True samples of p₀, counted the same way, have {c['off_true']:,} {modes} off too" in text, text


@pytest.mark.parametrize("factor", [0.1, 1.0])
def test_point_set_commitment_text_agrees_with_the_copies_note(factor):
    """The commitment box of a point set says separate blobs exactly when the copies note does (a
    lesson found "120 modes, many of them overlapping" under "p₀ is a set of separate small
    blobs" at a width of 0.1 × the spacing), with the committed share and σₜ read from the run."""
    import diffusion_core as dc
    from diffusion_core import pointsets as ps
    from dashboard import reversal as rev
    points = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(points, yourdata.width_of(points, factor), "heart"))
    sde, run = dc.VESDE(25.0), rev.Run("sde", 50, 500, "karras", 1e-4, 0.13, "prior", 2021)
    note, cv = rev.copies_note(gmm, sde, run), rev.commit_view(gmm, sde, run, 0.9)
    text = rev.point_set_commitment(gmm, cv)
    separate = "separate small blobs" in note
    assert ("separate small blobs" in text) == separate and ("overlapping" in text) == (not separate), text
    ratio = float(re.search(r"smoothing width ([\d.]+) ×", text).group(1))
    assert f"{ratio:.2f}" in note
    if separate and cv["median"] is not None:
        assert f"{rev.pct(100 * (1 - cv['undecided']))} % of the paths commit" in text
        assert f"σₜ ≈ {cv['sigma']:.2g}" in text


def test_median_commit_time_only_when_most_paths_commit():
    """With most paths never committing, a median commit time describes the few that do: the page
    shows it only when most commit (a lesson read "median commit time 0.00" beside "never commit
    97 %")."""
    from dashboard import reversal as rev
    assert rev.most_commit({"median": 0.3, "undecided": 0.1})
    assert not rev.most_commit({"median": 0.0, "undecided": 0.97})
    assert not rev.most_commit({"median": None, "undecided": 1.0})


def test_mixture_editor_with_your_data_in_the_sidebar_starts_from_a_preset():
    """A drawn point set has more modes than the editor's table holds: on the editor's first
    visit with *your data* in the sidebar the table starts from the tutorial mixture with a note
    saying why, instead of an error box about the table's size (a lesson met it at the start of
    the homework)."""
    from diffusion_core import pointsets as ps
    e = yourdata.entry(yourdata.check(ps.heart(100)), ps.MIN_WIDTH, "heart")
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state[yourdata.KEY] = e
    ok(at.run())
    at.session_state["w_mixture"] = yourdata.NAME
    at = ok(at.switch_page("views/5_mixture_editor.py").run())
    assert not at.error, [x.value for x in at.error]
    assert any("more than this table holds" in i.value and "tutorial" in i.value for i in at.info)


def test_returning_to_an_empty_canvas_is_not_an_error():
    """The canvas starts empty on every visit: coming back to the page after drawing shows the
    drawing hint, not "the canvas is empty" as an error (a lesson met it after *Use as p₀*)."""
    at = AppTest.from_file(APP, default_timeout=300)
    ok(at.run())
    at.session_state["w_yours_source"] = "draw"
    at.session_state["yours_drawn"] = True          # a drawing made on an earlier visit
    at = ok(at.switch_page("views/12_your_data.py").run())
    assert not [e for e in at.error if "canvas is empty" in e.value]
    assert any("Draw with the mouse" in i.value for i in at.info)


def test_copies_note_says_when_the_sampler_crowds_the_points(monkeypatch):
    """A drawn shape at h = 0.1 × the spacing: when more samples than true ones sit within 2h of a
    point (beyond 3 standard errors of the difference of the two shares), the note says the sampler draws the blobs too
    narrow instead of only "so are a good sampler's" (a lesson read 96 % against 86 %)."""
    import diffusion_core as dc
    from diffusion_core import pointsets as ps
    from dashboard import reversal as rev
    points = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(points, yourdata.width_of(points, 0.1), "heart"))
    for steps in (10, 50, 200):
        run = rev.Run("sde", steps, 1500, "karras", 1e-4, 0.13, "prior", 2021)
        note = rev.copies_note(gmm, dc.VESDE(25.0), run)
        near, true = map(int, re.search(r"(\d+) % of the .*?true samples of p₀: (\d+) %", note).groups())
        n = int(re.search(r"of the ([\d,]+) samples", note).group(1).replace(",", ""))
        # the noise of a difference of two measured shares: each from its own share and count
        noise = 3 * 100 * math.sqrt(near / 100 * (1 - near / 100) / n + true / 100 * (1 - true / 100) / run.n)
        crowded = near - true > noise + 1                                                    # + rounding
        if crowded:
            assert "narrower than they are" in note, note
        if near <= true:
            assert "narrower than they are" not in note, note
    exact = gmm.means.numpy().repeat(15, axis=0)              # every sample on a point: 100 %
    monkeypatch.setattr(rev, "sample_run", lambda *a, **k: {"x": exact})
    note = rev.copies_note(gmm, dc.VESDE(25.0), rev.Run("sde", 50, 1500, "karras", 1e-4, 0.13, "prior", 2021))
    assert note.startswith("100 % of the 1,500 samples") and "narrower than they are" in note, note


@pytest.mark.parametrize("near, true, crowded", [(0.84, 0.80, False), (0.90, 0.80, True), (0.80, 0.80, False)])
def test_copies_note_weighs_the_noise_of_both_shares(monkeypatch, near, true, crowded):
    """The note compared two measured shares (samples on a point: 84 %; true samples: 80 %) with a
    standard error from the true samples' share only, 3 √(0.8 · 0.2 / 1500) = 3.1 points, and called
    a gap of 4 points "beyond 3 standard errors". The noise of a difference of two measured shares is
    √(a(1 − a)/n + b(1 − b)/n): 3 × 1.4 = 4.2 points, so 84 % against 80 % is within it; 90 % against
    80 % is beyond it (± 4.0), and the note gives that noise; equal shares are not crowded."""
    import diffusion_core as dc
    from diffusion_core import pointsets as ps
    from dashboard import reversal as rev
    points = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(points, yourdata.width_of(points, 0.1), "heart"))
    n, far = 1500, np.full((1, 2), 1e3)

    def draws(share):             # `share` of n on the points, the rest far from every point
        on = round(share * n)
        return np.concatenate([gmm.means.numpy()[np.arange(on) % gmm.n_components], far.repeat(n - on, 0)])
    monkeypatch.setattr(rev, "sample_run", lambda *a, **k: {"x": draws(near)})
    monkeypatch.setattr(rev, "truth", lambda *a, **k: {"ref": draws(true)})
    run = rev.Run("sde", 50, n, "karras", 1e-4, 0.13, "prior", 2021)
    note = rev.copies_note(gmm, dc.VESDE(25.0), run)
    assert note.startswith(f"{100 * near:.0f} % of the 1,500 samples") and f"p₀: {100 * true:.0f} %)" in note, note
    assert ("narrower than they are" in note) == crowded, note
    if crowded:
        noise = 3 * 100 * math.sqrt((near * (1 - near) + true * (1 - true)) / n)
        assert (f"({100 * near:.0f} % against {100 * true:.0f} %, beyond 3 standard errors of the difference of "
                f"the two measured shares, ± {noise:.1f} points)") in note, note


def test_points_figure_shows_every_point_inside_and_its_legend_outside():
    """The Your data preview: every point lies inside the frame with a margin (a lesson saw the
    end of a stroke at the frame's corner at h = 0.1), and the legend sits outside the axes."""
    from diffusion_core import pointsets as ps
    from dashboard.figures import yours
    points = yourdata.check(ps.heart(100))
    gmm = yourdata.mixture(yourdata.entry(points, yourdata.width_of(points, 0.1), "heart"))
    fig = yours.points_figure(gmm, points, "heart")
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    p = np.asarray(points)
    assert (p[:, 0] > x0 + 0.05 * (x1 - x0)).all() and (p[:, 0] < x1 - 0.05 * (x1 - x0)).all()
    assert (p[:, 1] > y0 + 0.05 * (y1 - y0)).all() and (p[:, 1] < y1 - 0.05 * (y1 - y0)).all()
    assert ax.get_legend() is None and fig.legends


def _captions(at):
    return " ".join(c.value for c in at.caption)


def test_an_empty_canvas_previews_nothing_not_the_last_shape(monkeypatch):
    """"Draw" with an empty canvas showed the previous shape in the preview (and offered to use
    it). The preview shows what the canvas holds: nothing, with a message, and no Use button;
    after a stroke it shows the drawn points; back on "Shape" it shows the shape again."""
    import types
    import streamlit_drawable_canvas
    at = open_page()                                       # the default shape first
    assert "from: Shape" in _captions(at) and at.button(key="yours_use")
    at.radio(key=K + "source").set_value("draw").run()
    ok(at)
    assert len(at.get("image")) == 1 and yourdata.EMPTY_CANVAS in _captions(at)
    assert "from: Shape" not in _captions(at) and not [b for b in at.button if b.key == "yours_use"]
    assert not at.error and at.info
    # a stroke on the canvas: the preview shows the drawn points
    stroke = {"objects": [{"type": "path", "path": [["M", 10, 10]] + [["L", 10 + 5 * i, 40 + (i % 7) * 9]
                                                                      for i in range(40)]}]}
    monkeypatch.setattr(streamlit_drawable_canvas, "st_canvas",
                        lambda **kw: types.SimpleNamespace(json_data=stroke))
    at.run()
    ok(at)
    assert "from: Draw" in _captions(at) and yourdata.EMPTY_CANVAS not in _captions(at)
    assert candidate(at)[1] == "Draw" and at.button(key="yours_use")
    # cleared again: empty preview, an info (not an error)
    monkeypatch.setattr(streamlit_drawable_canvas, "st_canvas",
                        lambda **kw: types.SimpleNamespace(json_data={"objects": []}))
    at.run()
    ok(at)
    assert yourdata.EMPTY_CANVAS in _captions(at) and not at.error
    assert any("canvas is empty" in i.value for i in at.info)
    at.radio(key=K + "source").set_value("shape").run()
    ok(at)
    assert "from: Shape" in _captions(at) and yourdata.EMPTY_CANVAS not in _captions(at)


def test_drawn_points_in_use_are_shown_on_return_and_h_acts_on_them(monkeypatch):
    """Draw, *Use as p₀ on every page*, leave, come back: the canvas starts empty, and the preview
    said "0 points: the canvas is empty" while the drawn points were still p₀ on every page. The
    preview shows the points in use (saying they were drawn earlier), and h acts on them."""
    import types
    import streamlit_drawable_canvas
    stroke = {"objects": [{"type": "path", "path": [["M", 10, 10]] + [["L", 10 + 5 * i, 40 + (i % 7) * 9]
                                                                      for i in range(40)]}]}
    monkeypatch.setattr(streamlit_drawable_canvas, "st_canvas",
                        lambda **kw: types.SimpleNamespace(json_data=stroke))
    at = open_page(**{K + "source": "draw"})
    assert "from: Draw" in _captions(at)
    at = use(at)
    used = at.session_state[yourdata.KEY]
    assert at.session_state["w_mixture"] == yourdata.NAME and used["source"] == "Draw"
    ok(at.switch_page("views/0_home.py").run())            # leave for another page
    monkeypatch.setattr(streamlit_drawable_canvas, "st_canvas",
                        lambda **kw: types.SimpleNamespace(json_data={"objects": []}))
    at = ok(at.switch_page(PAGE).run())                    # back: the canvas is empty
    caps = _captions(at)
    assert yourdata.EMPTY_CANVAS not in caps and yourdata.DRAWN_IN_USE in caps, caps
    n = len(used["points"])
    assert f"log p₀ of your {n} points (from: Draw" in caps and len(at.get("image")) == 1
    assert np.allclose(candidate(at)[0], used["points"])
    assert any("In use on every page" in s.value for s in at.success)
    h0 = re.search(r"std h = (\d+\.\d+)", caps).group(1)
    at.slider(key=K + "width").set_value(3.0).run()        # h acts on the points in use
    ok(at)
    caps = _captions(at)
    h1 = re.search(r"std h = (\d+\.\d+)", caps).group(1)
    assert h1 != h0 and yourdata.DRAWN_IN_USE in caps
    assert float(h1) == pytest.approx(yourdata.width_of(np.asarray(used["points"]), 3.0), abs=1e-3)
    assert at.button(key="yours_use")                      # the new h can be put in use
    at = use(at)
    assert at.session_state[yourdata.KEY]["points"] == used["points"]
    assert at.session_state[yourdata.KEY]["width"] == pytest.approx(float(h1), abs=1e-3)
    # a shape in use is not shown on an empty canvas: the canvas still previews nothing
    at.session_state[yourdata.KEY] = dict(used, source="Shape")
    at.run()
    assert yourdata.EMPTY_CANVAS in _captions(at)


def _sidebar_note(at) -> str:
    return next((c.value for c in at.sidebar.caption if c.value.startswith(yourdata.NAME + ":")), "")


def _std_h(at) -> str:
    return re.search(r"std h = (\d+\.\d+)", _captions(at)).group(1)


@pytest.mark.parametrize("state, low", [
    ({K + "source": "word", K + "word": "HI"}, 0.1),
    ({K + "shape": "spiral", K + "n": 300}, 0.25),
    ({K + "shape": "swiss roll", K + "n": 1000, K + "width": 2.0}, 4.0),
])
def test_the_data_in_use_stays_named_when_h_moves_and_other_pages_agree(state, low):
    """Use at one h, move h: the other pages kept the first h while nothing said so. The page
    now says the preview is not in use and which points and h every page uses (from the entry in
    use), with the button to apply; the sidebar names that h on every page; using it again
    makes the preview's h the one in use everywhere."""
    at = open_page(**state)
    first = f"{state.get(K + 'width', 1.0):.2f}"
    use(at)
    used = at.session_state[yourdata.KEY]
    h_used = f"{used['width']:.3f}"
    assert h_used == _std_h(at)
    said = at.success[0].value
    assert "In use on every page" in said and f"smoothing width {first} (h = {h_used})" in said
    assert f"smoothing width {first} (h = {h_used})" in _sidebar_note(at)
    assert not [b for b in at.button if b.key == "yours_use"]
    at = ok(at.slider(key=K + "width").set_value(low).run())
    h_now = _std_h(at)
    assert h_now != h_used and not at.success
    said = at.warning[0].value
    assert "not in use" in said and f"**{yourdata.NAME}**" in said
    assert f"{len(used['points']):,} points" in said
    assert f"smoothing width {first} (h = {h_used})" in said                 # the one in use
    assert f"the same points at smoothing width {low:.2f} (h = {h_now})" in said   # the preview
    assert f"(h = {h_used})" in _sidebar_note(at) and f"h = {h_now}" not in _sidebar_note(at)
    assert at.button(key="yours_use")
    at = ok(at.switch_page(SCORE).run())                   # another page: the h in use, named
    assert at.sidebar.selectbox[0].value == yourdata.NAME
    assert f"smoothing width {first} (h = {h_used})" in _sidebar_note(at)
    assert at.session_state[yourdata.KEY] == used
    at = ok(at.switch_page(PAGE).run())                    # back: still out of date, then applied
    assert at.warning and f"(h = {h_used})" in at.warning[0].value
    at = use(at)
    assert f"smoothing width {low:.2f} (h = {h_now})" in at.success[0].value
    assert f"(h = {h_now})" in _sidebar_note(at)
    at = ok(at.switch_page(SCORE).run())
    assert f"(h = {h_now})" in _sidebar_note(at)
    assert f"{at.session_state[yourdata.KEY]['width']:.3f}" == h_now


def test_use_button_says_what_it_does_and_a_status_line_says_what_is_in_use():
    """The filled "✓ Use" button looked already pressed: it is a secondary button named for what
    it does, and a separate line says whether the preview is in use and what every page uses."""
    at = open_page()
    button = at.button(key="yours_use")
    assert button.label == "Use as p₀ on every page" and button.proto.type == "secondary"
    assert "check" not in button.proto.icon
    assert "not in use" in at.info[0].value and "**tutorial**" in at.info[0].value
    assert not _sidebar_note(at)                           # no your data in the sidebar yet
    use(at)
    at = ok(at.switch_page(SCORE).run())
    at.sidebar.selectbox[0].set_value("ring8").run()       # your data stays in the list, unused
    at = ok(at.switch_page(PAGE).run())
    said = at.info[0].value
    assert "not in use" in said and "**ring8**" in said and not _sidebar_note(at)
    assert yourdata.describe(at.session_state[yourdata.KEY]) in said
    assert at.button(key="yours_use")


def test_describe_states_h_as_the_slider_does():
    """The factor is h over the points' median nearest-neighbour distance, also where h is
    clamped to its floor (then it is not the slider's value, and says so by its number)."""
    pts = yourdata.check(np.c_[np.linspace(-1, 1, 50), np.zeros(50)])
    for factor in (0.1, 1.0, 4.0):
        e = yourdata.entry(pts, yourdata.width_of(pts, factor), "Shape")
        assert yourdata.describe(e) == (f"50 points (Shape) at smoothing width {factor:.2f} "
                                        f"(h = {e['width']:.3f})")
    dense = yourdata.check(np.c_[np.linspace(-1, 1, 1000), np.zeros(1000)])
    e = yourdata.entry(dense, yourdata.width_of(dense, 0.1), "Shape")
    assert e["width"] == pytest.approx(0.01)
    assert f"smoothing width {0.01 / yourdata.ps.default_width(dense):.2f} (h = 0.010)" in yourdata.describe(e)
