"""Exact-score reversal, the commitment section's words: the causes of paths that never commit, and
the median commitment time where most paths are at the threshold from t = 1 on."""
import dataclasses

import pytest
import torch

import diffusion_core as dc
from conftest import heavy_corner_mixture, open_page
from dashboard import models
from dashboard import reversal as rev

PAGE = "views/3_reversal.py"


_hw_mixture = heavy_corner_mixture


def _run(**changes):
    """The page's default run with `changes` (method, steps, seed…)."""
    return dataclasses.replace(rev.default_view()[2], **changes)


@pytest.mark.parametrize("which, lam, changes, far, bound, noise", [
    ("tutorial", 0.1, {}, True, True, False),                                   # 47 % never commit, overlap 22.6 %
    ("tutorial", 25.0, {}, False, False, False),                                # the overlap alone
    ("hw", 25.0, dict(method="tutorial", steps=2, seed=2021), False, True, True),     # the noise left at the end
])
def test_never_commit_causes_name_the_far_start_and_bound_the_overlap(which, lam, changes, far, bound, noise):
    """Tutorial at λ = 0.1, reverse SDE, 200 steps: "Here 47 % of the paths never commit: … The cause here:
    the modes overlap: 22.6 % of true samples of p₀ have no mode with responsibility 0.90 either", though
    the overlap accounts for at most 22.6 % and the page warns that the prior is far from p₁. The causes
    now name the far start (the warning's own words, models.start_far) and say that the overlap accounts
    for at most its share where it lies below the never-commit share by more than two standard errors
    of their difference; at λ = 25 the overlap alone, at its own share; the custom mixture's loop at 2
    steps the noise left at the end, where pₜ's modes overlap (bounded at their own share)."""
    gmm, sde = (_hw_mixture() if which == "hw" else dc.PRESETS[which]), dc.VESDE(lam)
    run = _run(**changes)
    cv = rev.commit_view(gmm, sde, run, rev.COMMIT_THRESHOLD)
    note = rev.undecided_note(cv)
    words = models.start_far(float(sde.prior_std()), gmm)
    assert bool(words) == far and (f"the start is far from p₁: {words}" in note) == far, note
    ov = rev.share_text(cv["overlap"])
    said = (f"the modes' overlap accounts for at most {ov} of paths" if not noise else
            f"which accounts for at most {rev.share_text(cv['end_overlap'])} of paths")   # pₜ's overlap at the end
    assert (said in note) == bound, note
    if bound and not noise:       # below the never-commit share beyond the noise of the two shares
        gap = cv["undecided"] - cv["overlap"]
        assert gap > 2 * models.diff_se(cv["undecided"], cv["n_paths"], cv["overlap"], run.n)
        assert "Two causes, measured:" in note and "47 % of the paths never commit" in note and ov == "22.6 %"
    assert ("the run stops with noise σ" in note or "the run stops at t = " in note) == noise, note
    assert "The causes here" not in note and "The cause here" not in note, note      # every cause is measured
    assert (f"causes, measured: the start is far from p₁: {words}" in note) == (far and cv["overlap"] > 0), note


def test_never_commit_causes_read_on_the_page_at_the_smallest_lambda():
    """The page itself, tutorial at λ = 0.1: the never-commit sentence names the far start and bounds the
    overlap, beside the warning whose words it reuses."""
    at = open_page(PAGE, 180, w_reversal_lam=0.1)
    assert not at.exception, [e.message for e in at.exception]
    prose = " ".join(m.value for m in at.markdown)
    warn = next(w.value for w in at.warning if "the data's std along its widest direction" in w.value)
    far = models.start_far(float(dc.VESDE(0.1).prior_std()), dc.PRESETS["tutorial"])
    assert far in warn and f"the start is far from p₁: {far}" in prose, prose
    assert "the modes' overlap accounts for at most 22.6 % of paths" in prose, prose


@pytest.mark.parametrize("which", ["hw", "tutorial"])
@pytest.mark.parametrize("threshold", [0.50, 0.90, 0.99])
def test_median_where_most_paths_are_at_the_threshold_from_t1_speaks_of_the_rest(which, threshold):
    """The custom mixture, reverse SDE, 200 steps, threshold 0.50: "median commit time 0.61" and "Samples
    decide which mode they go to at t ≈ 0.61", though 390 of the 500 paths are at the threshold from t = 1
    on and left out: the median is over 22 % of the paths (0.67 at 0.90, 0.56 at 0.99). Where half or more
    of all paths are left out, the headline and the tile speak of the paths that commit along the way with
    their share, and the note says why a lower threshold can move the median either way. Wherever any path
    does not commit along the way (at the threshold from t = 1 on or never committing) the same holds, with
    both kinds counted; only where every path commits along the way do samples decide at the median."""
    gmm = _hw_mixture() if which == "hw" else dc.PRESETS[which]
    _, sde, run, *_ = rev.default_view()
    cv = rev.commit_view(gmm, sde, run, threshold)
    words = rev.commitment_words(cv, rev.closest_modes(gmm))
    n, along, start = cv["n_paths"], cv["n_along"], cv["n_from_start"]
    never = round(cv["undecided"] * n)
    minority = 2 * along < n       # the paths that commit along the way are a minority (tutorial λ = 0.1: 33 %)
    assert minority == ((which == "hw" and threshold == 0.50) or (which == "tutorial" and threshold == 0.99)), \
        (which, threshold, along)
    most = along < n               # the median is not over every path: the headline says over which
    med = rev.time_text(cv["median"])
    if most:
        assert words.startswith(f"Of the {along:,} paths ({100 * along / n:.0f} %) that commit along the way, "
                                f"half do so by **t ≈ {med}**"), words
        if which == "hw" and threshold == 0.50:
            assert (along, start, never) == (110, 390, 0) and med == "0.61"
            assert f"the other {start:,} ({100 * start / n:.0f} %) are at the threshold from t = 1 on." in words, words
        if which == "tutorial" and threshold == 0.99:
            assert start == 0 and f"the other {never:,} ({100 * never / n:.0f} %) never commit." in words, words
        assert (f"{start:,} ({rev.pct(100 * start / n)} %) are at the threshold from t = 1 on" in words) == (start > 0)
        assert (f"{never:,} ({rev.pct(100 * never / n)} %) never commit" in words) == (never > 0)
        assert "Samples decide" not in words
        assert rev.median_label(cv) == f"median commit ({100 * along / n:.0f} %)"
    else:
        assert words.startswith(f"Samples decide which mode they go to at **t ≈ {med}**"), words
        assert rev.median_label(cv) == "median commit time"
    later = ("a lower threshold can move the median either way: it is crossed sooner on every path, but more "
             "paths are at it from t = 1 on")
    assert (later in words) == (start > 0), words


def test_median_tile_names_its_share_on_the_page():
    """The page, custom mixture at threshold 0.50: the tile reads "median commit (22 %)" and
    the headline is the paths' that commit along the way."""
    gmm = _hw_mixture()
    at = open_page(PAGE, 180, custom_mixture=gmm.to_dict(), w_mixture="custom", w_reversal_threshold=0.5)
    assert not at.exception, [e.message for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert shown.get("median commit (22 %)") == "0.61", shown
    prose = " ".join(m.value for m in at.markdown)
    assert "Of the 110 paths (22 %) that commit along the way, half do so by **t ≈ 0.61**" in prose, prose
    assert "Samples decide" not in prose


@pytest.mark.parametrize("threshold", [0.5, 0.9])
def test_median_help_says_which_paths_its_half_is_of(threshold):
    """The median tile's help said "Half of the committed paths" while paths at the threshold from t = 1
    on are left out of it: it now says half of the paths that commit along the way, where some are left out."""
    cv = rev.commit_view(_hw_mixture(), dc.VESDE(25.0), _run(method="sde", steps=200, seed=2021), threshold)
    text = rev.median_help(cv)
    assert cv["from_start"] > 0
    assert text.startswith("Half of the paths that commit along the way") and "left out" in text, text
    tut = rev.commit_view(dc.PRESETS["ring8"], dc.VESDE(25.0), _run(method="sde", steps=200), 0.9)
    if tut["from_start"] <= 0:
        assert rev.median_help(tut).startswith("Half of the committed paths") and "left out" not in rev.median_help(tut)


def test_median_over_a_minority_of_committing_paths_says_its_share_with_every_other_kind():
    """Tutorial, λ = 0.1, reverse SDE 200, seed 2021: "Samples decide which mode they go to at t ≈ 0.08
    (the median)" while 47 % never commit and 20 % are at the threshold from t = 1 on: the median is over a
    third of the paths. The headline gives that share and both other kinds of paths, and the tile its share."""
    sde = dc.VESDE(0.1)
    cv = rev.commit_view(dc.PRESETS["tutorial"], sde, _run(method="sde", steps=200, seed=2021), 0.9)
    n, along, start = cv["n_paths"], cv["n_along"], cv["n_from_start"]
    never = round(cv["undecided"] * n)
    assert 2 * along < n and start > 0 and never > 0, (along, start, never)
    words = rev.commitment_words(cv, rev.closest_modes(dc.PRESETS["tutorial"]))
    assert words.startswith(f"Of the {along:,} paths ({100 * along / n:.0f} %) that commit along the way"), words
    assert (f"; {start:,} ({100 * start / n:.0f} %) are at the threshold from t = 1 on and {never:,} "
            f"({100 * never / n:.0f} %) never commit.") in words, words
    assert rev.median_label(cv) == f"median commit ({100 * along / n:.0f} %)"


def test_time_chart_caption_says_when_its_axis_hides_the_closest_pairs_split():
    """The custom mixture: the red dotted line marks the split of modes 2 and 3, which land 0.17 apart on the
    axis u of the chart against time (their distance 5.00): the chart cannot show the split it marks. The
    caption says so, computed from the axis; on the presets, whose closest pairs lie apart along u, nothing."""
    note = rev.axis_note(_hw_mixture())
    assert note == (" Along u the two closest modes, mode 2 and mode 3, lie only 0.17 apart (their distance is "
                    "5.00), so the chart against time cannot show their split, the red dotted line's: the plane "
                    "chart does."), note
    for name in ("tutorial", "ring8", "moons"):
        assert rev.axis_note(dc.PRESETS[name]) == ""
    at = open_page(PAGE, 180, custom_mixture=_hw_mixture().to_dict(), w_mixture="custom")
    assert any(note.strip() in c.value for c in at.caption), [c.value[:60] for c in at.caption]


@pytest.mark.parametrize("which, lam", [("tutorial", 2.0), ("hw", 25.0), ("ring8", 25.0)])
def test_lower_threshold_note_allows_the_median_to_move_either_way(which, lam):
    """Tutorial, λ = 2, reverse SDE 200, seed 2021: the median commit time is 0.38 at threshold 0.90 and
    0.41 at 0.50 (earlier in the reverse process), yet the note said a lower threshold "can move the
    median later, not earlier". It now says the median can move either way, with both reasons, wherever
    paths are left out; the tutorial's pair of medians shows the earlier move."""
    gmm = _hw_mixture() if which == "hw" else dc.PRESETS[which]
    sde, run = dc.VESDE(lam), _run(method="sde", steps=200, seed=2021)
    hi, lo = (rev.commit_view(gmm, sde, run, thr) for thr in (0.9, 0.5))
    if which == "tutorial":
        assert rev.time_text(hi["median"]) == "0.38" and rev.time_text(lo["median"]) == "0.41"
    for cv in (hi, lo):
        note = rev.from_start_note(cv)
        assert "not earlier" not in note, note
        if cv["from_start"] > 0 and cv["median"] is not None:
            assert ("a lower threshold can move the median either way: it is crossed sooner on every path, "
                    "but more paths are at it from t = 1 on and are left out") in note, note


@pytest.mark.parametrize("which, lam, hidden", [("tutorial", 0.1, False), ("tutorial", 2.0, True),
                                                ("ring8", 2.0, False), ("hw", 25.0, True)])
def test_paths_at_the_threshold_from_t1_get_the_cause_this_state_shows(which, lam, hidden):
    """Tutorial, λ = 0.1, reverse SDE 200, threshold 0.50: "80 % of the paths … stay at or above 0.50 from
    t = 1 to the end: a mode whose weight reaches the threshold has about that responsibility wherever the
    blur hides the modes", beside "Here pₜ is never one bump": the blur hides nothing there. The cause now
    follows whether p₁ hides the closest modes (split_note's own test): where it does not, the paths start
    on their end mode's side; where it does and the weight reaches the threshold, the weight."""
    gmm = _hw_mixture() if which == "hw" else dc.PRESETS[which]
    cv = rev.commit_view(gmm, dc.VESDE(lam), _run(method="sde", steps=200, seed=2021), 0.5)
    assert cv["n_from_start"] > 0
    note = rev.from_start_note(cv)
    never_one = "Here pₜ is never one bump" in rev.split_note(cv, rev.closest_modes(gmm))
    assert never_one == (not hidden)
    assert ("wherever the blur hides the modes" in note) == hidden, note
    assert ("p₁ does not hide the modes (even at t = 1 the two closest modes are two bumps of pₜ), so these paths "
            "start on their end mode's side, where its responsibility is already at or above 0.50, and stay "
            "there") in note if not hidden else "p₁ blurs the closest modes into one bump" in note, note


@pytest.mark.parametrize("which, lam, threshold", [("tutorial", 2.0, 0.9), ("ring8", 25.0, 0.5),
                                                   ("ring8", 25.0, 0.9), ("hw", 25.0, 0.99)])
def test_median_not_over_every_path_says_over_which(which, lam, threshold):
    """Tutorial, λ = 2, threshold 0.90, reverse SDE 200: the tile read "median commit time 0.38" and the
    headline "Samples decide which mode they go to at t ≈ 0.38 (the median)", though the median is over
    328 of 500 paths (66 %): 138 never commit and 34 are at the threshold from t = 1 on. Wherever the median
    is not over every path, the tile gives its share and the headline says over which paths it is."""
    gmm = _hw_mixture() if which == "hw" else dc.PRESETS[which]
    cv = rev.commit_view(gmm, dc.VESDE(lam), _run(method="sde", steps=200, seed=2021), threshold)
    n, along = cv["n_paths"], cv["n_along"]
    words = rev.commitment_words(cv, rev.closest_modes(gmm))
    if which == "tutorial":
        assert (along, cv["n_from_start"], round(cv["undecided"] * n)) == (328, 34, 138)
        assert rev.median_label(cv) == "median commit (66 %)"
        assert words.startswith("Of the 328 paths (66 %) that commit along the way, half do so by **t ≈ 0.38**")
        assert "; 34 (7 %) are at the threshold from t = 1 on and 138 (28 %) never commit." in words, words
    if along < n:
        assert rev.median_label(cv) == f"median commit ({rev.pct(100 * along / n)} %)"
        assert "Samples decide" not in words and words.startswith(f"Of the {along:,} paths"), words
    else:
        assert rev.median_label(cv) == "median commit time" and words.startswith("Samples decide"), words


def test_median_tiles_show_wherever_the_text_gives_a_median_with_its_share():
    """Tutorial, reverse SDE 200: at λ = 0.1, threshold 0.99 the caption and histogram give a median over
    59 paths (12 %) but the "median commit time" and "σₜ at that time" tiles vanished; at λ = 2, threshold
    0.90 the tile read "median commit time" over 66 % of the paths. The tiles now show wherever a resolved
    median is given, labelled with its share of paths; at the default λ = 25 too (78 %)."""
    at = open_page(PAGE, 240, w_reversal_lam=0.1, w_reversal_threshold=0.99)
    assert not at.exception, [e.message for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert shown.get("median commit (12 %)") == "0.06" and "σₜ at that time" in shown, shown
    prose = " ".join(m.value for m in at.markdown)
    assert "Of the 59 paths (12 %) that commit along the way, half do so by **t ≈ 0.06**" in prose, prose
    for lam, thr, label, value in [(2.0, 0.9, "median commit (66 %)", "0.38"),
                                   (25.0, 0.9, "median commit (78 %)", "0.30")]:
        at.slider(key="w_reversal_lam").set_value(lam)
        at.slider(key="w_reversal_threshold").set_value(thr).run()
        assert not at.exception, [e.message for e in at.exception]
        shown = {m.label: m.value for m in at.metric}
        assert shown.get(label) == value and "σₜ at that time" in shown, shown
        assert "Samples decide" not in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("which, lam, changes", [("hw", 25.0, dict(method="tutorial", steps=2)),
                                                 ("hw", 25.0, dict(method="tutorial", steps=10, seed=2022)),
                                                 ("tutorial", 0.1, dict(method="sde", steps=200))])
def test_stray_samples_count_for_the_mode_the_caption_names(which, lam, changes):
    """The custom mixture, λ = 25, the tutorial's loop in 2 steps: "100 % of the samples lie where p₀ is
    lower than at all but 0.1 % of true samples: they belong to no mode, yet each counts for its nearest
    one", while a sample counts for the mode with the largest responsibility (the caption's first
    sentence), which with these unequal narrow covariances is not always the nearest. The sentence now
    says what the bars count, wherever it is given."""
    gmm = _hw_mixture() if which == "hw" else dc.PRESETS[which]
    sde, run = dc.VESDE(lam), _run(**{"seed": 2021, **changes})
    text = rev.weights_caption(gmm, sde, run)
    assert text.startswith("Each sample counts for the mode with the largest responsibility at its final position")
    assert "nearest one" not in text, text
    stray = rev.weight_check(gmm, sde, run)["stray"] > rev.STRAY_SAY
    assert ("they belong to no mode, yet each counts for the mode with the largest responsibility at its "
            "position") in text if stray else "belong to no mode" not in text, text
    if changes.get("steps") == 2:
        assert stray and "But 100 % of the samples lie where p₀ is lower" in text, text


@pytest.mark.parametrize("method, steps, lam", [("ode", 50, 25.0), ("tutorial", 2, 25.0), ("sde", 200, 25.0),
                                                ("dpm2m_sa", 20, 2.0)])
def test_shares_set_earlier_say_by_what(method, steps, lam):
    """The custom mixture, PF ODE (Heun) 50 steps: the mode-share caption ended "…it cannot explain the
    shares off. They are set earlier.", a dangling sentence; a deterministic run now says the start sets
    them (each x₁ maps to one end point), with the sampler's own reason for being deterministic. The
    tutorial's loop at 2 steps: "too coarse to say when, or whether while the paths choose their modes"
    now reads grammatically."""
    gmm, sde = _hw_mixture(), dc.VESDE(lam)
    run = _run(method=method, steps=steps, seed=2021)
    text = rev.commit_clause(gmm, sde, run, "X")
    if rev.deterministic(sde, run):
        assert text == "X" + rev.deterministic_clause(gmm, sde, run), text
    caption = rev.weights_caption(gmm, sde, run)
    assert "They are set earlier." not in caption and "or whether while" not in caption, caption
    if method == "ode":
        assert ("They are set earlier, by the start: **PF ODE (Heun)** is deterministic, so it maps" in caption
                or "They are set earlier, by the start and the steps: **PF ODE (Heun)** is deterministic" in caption), caption
    if method == "tutorial":
        assert ("is too coarse to say when the paths choose their modes, or whether the shares are set while "
                "they do (the commitment section below).") in caption, caption


@pytest.mark.parametrize("lam, threshold", [(1.8, 0.99), (0.1, 0.99), (2.0, 0.9)])
def test_one_share_format_for_paths_left_out(lam, threshold):
    """Tutorial, λ = 1.8, threshold 0.99, reverse SDE 200: one path at the threshold from t = 1 on was
    "1 (0.2 %)" in the headline but "0 % of the paths" in the next sentence and "(0 %)" in the histogram's
    note. All three now print the share with pct, never 0 % for a nonzero count."""
    gmm = dc.PRESETS["tutorial"]
    cv = rev.commit_view(gmm, dc.VESDE(lam), _run(method="sde", steps=200, seed=2021), threshold)
    k, n = cv["n_from_start"], cv["n_paths"]
    share = f"{rev.pct(100 * k / n)} %"
    assert k > 0 and " 0 % of the paths" not in rev.from_start_note(cv)
    assert rev.from_start_note(cv).startswith(f" {share} of the paths"), rev.from_start_note(cv)
    assert f"{k:,} ({share}) {'is' if k == 1 else 'are'} at the threshold from t = 1 on" in \
        rev.commitment_words(cv, rev.closest_modes(gmm))
    import json
    assert f"Not drawn: {k:,} of {n:,} paths ({share})" in json.dumps(cv["hist_spec"], ensure_ascii=False)
    if lam == 1.8:
        assert (k, share) == (1, "0.2 %")


@pytest.mark.parametrize("which, lam, changes", [
    ("tutorial", 0.1, {}),                                      # the reverse SDE at 200 steps
    ("tutorial", 25.0, dict(method="tutorial", steps=50)),      # the tutorial's loop
    ("hw", 25.0, {}),                                           # a custom mixture
])
def test_commit_clause_says_its_threshold_is_the_sections_default(which, lam, changes):
    """Tutorial, λ = 0.1, reverse SDE 200: the mode-share caption said "half of those that choose along the
    way have committed by t ≈ 0.08 (σₜ ≈ 0.26, at responsibility 0.90; the commitment section below)" while
    the section, its slider at 0.99, showed median 0.06 and σₜ 0.23. The caption does not rerun with that
    slider: it now says its numbers are at the threshold's default and that the section gives them at the
    threshold set on its slider, true whatever the slider shows; its numbers are the section's at 0.90."""
    gmm, sde = (heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]), dc.VESDE(lam)
    run = _run(**changes)
    text = rev.commit_clause(gmm, sde, run, "X")
    cv = rev.commit_view(gmm, sde, run, rev.COMMIT_THRESHOLD)
    assert rev.COMMIT_THRESHOLD == 0.90 and "committed by t ≈" in text, text
    assert (f"committed by t ≈ {rev.time_text(cv['median'])} (σₜ ≈ {cv['sigma']:.2f}, at responsibility 0.90, "
            "the commitment threshold's default; the commitment section below gives the median and σₜ at the "
            "threshold set on its slider)") in text, text
    assert text in rev.weights_caption(gmm, sde, run).replace("set earlier", "X") or "committed by" not in \
        rev.weights_caption(gmm, sde, run)


@pytest.mark.parametrize("which, lam, threshold", [("tutorial", 1.8, 0.90), ("tutorial", 2.0, 0.90),
                                                   ("hw", 25.0, 0.50), ("tutorial", 0.1, 0.99)])
def test_median_tile_label_fits_and_its_help_says_of_which_paths(which, lam, threshold):
    """Tutorial, λ = 1.8, threshold 0.90: the tile label "median commit time (62 % of paths)" was cut with an
    ellipsis at 1440 px. It now reads "median commit (62 %)", no longer than "median commit time" plus two
    characters, and its help says the median is over that share of paths, those that commit along the way."""
    gmm, sde = (heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]), dc.VESDE(lam)
    cv = rev.commit_view(gmm, sde, _run(), threshold)
    assert rev.median_shown(cv) and rev.median_of_some(cv), cv["n_along"]
    share = rev.along_share(cv)
    assert share == f"{rev.pct(100 * cv['n_along'] / cv['n_paths'])} %"
    assert rev.median_label(cv) == f"median commit ({share})" and len(rev.median_label(cv)) <= 20
    assert rev.median_help(cv).endswith(f" The label's {share} is the share of all paths that commit along the way, "
                                        "those this median is over."), rev.median_help(cv)
    if which == "tutorial" and lam == 1.8:
        assert rev.median_label(cv) == "median commit (62 %)"


@pytest.mark.parametrize("which, lam, changes", [
    ("hw", 25.0, dict(method="tutorial", steps=10)),       # every path commits by t = 0.10
    ("hw", 25.0, dict(method="tutorial", steps=3)),        # 34 % never commit
    ("hw", 25.0, dict(method="tutorial", steps=2)),
    ("hw", 25.0, {}),                                      # the reverse SDE at 200 steps ends at ε ≈ 0
    ("ring8", 50.0, dict(method="tutorial", steps=3)),
])
def test_never_commit_sentence_says_it_reads_pt_at_the_runs_last_time(which, lam, changes):
    """The custom mixture, λ = 25, the tutorial's loop at 10 steps: the section said "Here no path ends between
    modes: every path's end-mode responsibility is at or above 0.90 by the end", while the mode-share caption
    says 98 % of the samples belong to no mode of p₀: the section's responsibilities are under pₜ at the run's
    last time, t = 0.10 (σₜ = 0.375), where every sample is near one blurred mode. Where the last time is not
    ≈ 0 the sentence now says so, with σₜ there, and that "between modes" means between pₜ's modes; the
    reverse SDE, which ends at ε ≈ 0, reads as before."""
    gmm, sde = (heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]), dc.VESDE(lam)
    run = _run(**changes)
    cv = rev.commit_view(gmm, sde, run, rev.COMMIT_THRESHOLD)
    note, t_last = rev.undecided_note(cv), float(min(rev.sample_run(gmm, sde, run)["times"]))
    sigma = float(sde.sigma(torch.tensor(t_last, dtype=torch.float64)))
    said = (f" These responsibilities are under pₜ at the run's last time, t = {rev.time_text(t_last)} (σₜ = "
            f"{sigma:.3g}), whose modes are wider than p₀'s (std √(s² + σₜ²) for a mode of std s): “between modes” "
            "means between pₜ's modes there")
    near_zero = changes.get("method") != "tutorial"
    assert rev.ends_near_zero(cv) == near_zero and (said in note) == (not near_zero), note
    if near_zero:
        assert "pₜ" not in note and "the run stops at t =" not in note, note
    if changes.get("steps") == 10:
        assert note.startswith(" Here every path's end-mode responsibility is at or above 0.90 by the end (") \
            and "t = 0.10 (σₜ = 0.375)" in note, note          # 98 % of the samples lie off every mode
    if changes.get("steps") in (2, 3):     # the noise cause reads pₜ's overlapping modes, not "off its mode"
        assert "the run stops with noise" not in note and (f"the run stops at t = {rev.time_text(t_last)}, where "
                                                           f"σₜ = {sigma:.3g}, against ") in note, note


@pytest.mark.parametrize("which, lam, changes, share", [
    ("hw", 25.0, dict(method="tutorial", steps=2), "45 %"),
    ("tutorial", 25.0, dict(method="tutorial", steps=3, seed=2022), None),
    ("ring8", 50.0, dict(method="tutorial", steps=3), None),
])
def test_coarse_grid_section_gives_the_never_commit_share_its_causes(which, lam, changes, share):
    """The custom mixture, the tutorial's loop at 2 steps: the tile reads "never commit 45 %" while the section,
    its grid too coarse, gave that share no cause (other states name the overlap or a far start). The coarse
    section now gives the never-commit sentence with the causes the page measures (undecided_causes): here the
    run stops where pₜ's modes are wider than p₀'s (tutorial at 3 steps: the modes' overlap too; ring8 at λ 50)."""
    gmm, sde = (heavy_corner_mixture() if which == "hw" else dc.PRESETS[which]), dc.VESDE(lam)
    run = _run(**changes)
    at = open_page(PAGE, 240, **({"custom_mixture": gmm.to_dict(), "w_mixture": "custom"} if which == "hw" else
                                 {"w_mixture": which}),
                   w_reversal_lam=lam, w_reversal_method="tutorial", w_reversal_steps=changes["steps"],
                   w_seed=run.seed)
    assert not at.exception, [e.message for e in at.exception]
    cv = rev.commit_view(gmm, sde, run, rev.COMMIT_THRESHOLD)
    assert not rev.commitment_resolved(cv) and cv["undecided"] > 0.2
    prose = " ".join(m.value for m in at.markdown)
    note = rev.undecided_note(cv)
    assert rev.undecided_causes(cv) and rev.coarse_note(cv) + note in prose, prose
    assert {m.label: m.value for m in at.metric}["never commit"] == rev.undecided_share(cv)
    assert f" Here {rev.undecided_share(cv, count=True)} of the paths never commit" in note
    if share:
        assert rev.undecided_share(cv) == share
