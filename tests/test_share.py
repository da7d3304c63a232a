"""Sharing settings: the URL round trip, the settings file, and the download helpers."""
import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image
from streamlit.testing.v1 import AppTest

from dashboard import settings as sio
from dashboard import downloads, state
from conftest import APP, app_test



def _app(**params) -> AppTest:
    at = app_test(90)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _qp(at) -> dict:
    """The app's query parameters as {name: last value}."""
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def _link(at) -> dict:
    """The sidebar link's query parameters {name: value}."""
    from urllib.parse import parse_qsl, urlsplit
    return dict(parse_qsl(urlsplit(at.sidebar.code[0].value).query))


def _toasts(at) -> str:
    return " | ".join(t.value for t in at.toast)


def test_url_values_restore_the_sidebar():
    at = _app(seed="7", mixture="ring8")
    assert not at.exception
    assert at.number_input(key="w_seed").value == 7
    assert at.selectbox(key="w_mixture").value == "ring8"
    assert not _toasts(at)
    link = at.sidebar.code[0].value
    assert "seed=7" in link and "mixture=ring8" in link


@pytest.mark.parametrize("params,words", [
    ({"seed": "abc"}, "Random seed (seed) must be an integer"),
    ({"seed": "-3"}, "Random seed (seed)"),
    ({"seed": "1e99"}, "Random seed (seed)"),
    ({"mixture": "nope"}, "Distribution p₀ (mixture) must be one of tutorial"),
    ({"mixture": "custom"}, "Distribution p₀ (mixture)"),       # no custom mixture in this session
    ({"device": "cuda:99"}, "Device (device) must be one of cpu"),
])
def test_bad_url_values_are_ignored_with_a_notice(params, words):
    at = _app(**params)
    assert not at.exception
    assert words in _toasts(at)
    assert at.number_input(key="w_seed").value == state.DEFAULT_SEED
    assert at.selectbox(key="w_mixture").value == "tutorial"
    assert at.selectbox(key="w_device").value == "cpu"
    for name in params:
        assert name not in at.query_params           # the bad value left the address bar


def test_bad_and_good_values_together():
    at = _app(seed="12", mixture="grid 9x9")
    assert not at.exception
    assert at.number_input(key="w_seed").value == 12
    assert at.selectbox(key="w_mixture").value == "tutorial"
    assert "mixture" in _toasts(at)


def test_unknown_url_parameter_is_reported_and_dropped():
    at = _app(bogus="1", seed="5")
    assert not at.exception
    at.number_input(key="w_seed").set_value(6).run()
    assert not at.exception
    assert "bogus" in _toasts(at)
    assert "bogus" not in at.query_params
    assert _link(at)["seed"] == "6"


def test_widget_changes_go_to_the_link_and_defaults_leave_it():
    """A widget move changes the sidebar's link, never the address bar (each change of the
    query parameters would be a browser history entry: Back would step through widget moves)."""
    at = _app()
    assert "seed" not in at.query_params and "mixture" not in at.query_params
    at.number_input(key="w_seed").set_value(123).run()
    at.selectbox(key="w_mixture").set_value("moons").run()
    assert not at.exception
    link = _link(at)
    assert link["seed"] == "123" and link["mixture"] == "moons"
    assert "seed=123" in at.sidebar.code[0].value
    assert not _qp(at)                                  # the address bar did not change
    at.number_input(key="w_seed").set_value(state.DEFAULT_SEED).run()
    assert "seed" not in at.query_params
    assert "seed=" not in at.sidebar.code[0].value


def test_url_round_trip_into_a_new_session():
    at = _app()
    at.number_input(key="w_seed").set_value(31).run()
    at.selectbox(key="w_mixture").set_value("cross").run()
    fresh = _app(**_link(at))
    assert not fresh.exception and not _toasts(fresh)
    assert fresh.number_input(key="w_seed").value == 31
    assert fresh.selectbox(key="w_mixture").value == "cross"


def test_page_settings_travel_in_the_link():
    """A page's own settings: restored from the URL on the page, written back when changed."""
    at = app_test(600)
    for k, v in {"memo_points": "3", "memo_steps": "200", "memo_radius": "0.25", "memo_width": "64",
                 "memo_samples": "100", "seed": "9"}.items():
        at.query_params[k] = v
    at.run()                                      # the link's first run (AppTest starts at home)
    at.switch_page("views/8_memorization.py").run()
    assert not at.exception and not _toasts(at)
    assert at.slider(key="w_memo_points").value == 3
    assert at.slider(key="w_memo_radius").value == pytest.approx(0.25)
    assert at.select_slider(key="w_memo_width").value == 64
    at.slider(key="w_memo_radius").set_value(0.5).run()
    link = _link(at)
    assert link["memo_radius"] == "0.5" and link["memo_points"] == "3"


def test_a_page_run_without_the_sidebar_restores_its_link_values():
    """Streamlit runs a deep-linked page file on its own (no app.py, no sidebar) on a fresh
    server's first run, as AppTest does before its first run: the link's values still apply."""
    at = app_test(600)
    for k, v in {"memo_points": "4", "memo_steps": "200", "memo_samples": "100"}.items():
        at.query_params[k] = v
    at.switch_page("views/8_memorization.py").run()
    assert not at.exception
    assert at.slider(key="w_memo_points").value == 4
    assert _qp(at)["memo_points"] == "4"


def test_the_link_box_shows_page_settings():
    """The sidebar's link holds the page's settings as they are after this run's changes."""
    at = app_test(600)
    at.query_params["weight_steps"] = "100"
    at.run()
    at.switch_page("views/9_weighting_lab.py").run()
    assert not at.exception
    at.radio(key="w_weight_view").set_value("scaled").run()
    link = at.sidebar.code[0].value
    assert "weight_view=scaled" in link and "weight_steps=100" in link
    assert [s.key for s in at.sidebar.selectbox] == ["w_mixture", "w_device"]   # sidebar intact


@pytest.mark.parametrize("params,words", [
    ({"memo_points": "500"}, "Training points N (memo_points) must be an integer in 2..50"),
    ({"memo_width": "100"}, "Network width (hidden units) (memo_width) must be one of 32, 64, 128, 256"),
    ({"memo_radius": "-1"}, "Memorization radius r, × the data's scale (memo_radius)"),
    ({"weight_net": "huge"}, "Network (weight_net) must be one of tutorial, preconditioned"),
])
def test_bad_page_values_in_the_link_are_ignored(params, words):
    at = app_test(600)
    for k, v in {**params, "memo_steps": "200", "memo_samples": "100"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert words in _toasts(at)
    at.switch_page("views/8_memorization.py").run()
    assert not at.exception
    assert at.slider(key="w_memo_points").value == sio.SCHEMA["w_memo_points"].default
    assert at.slider(key="w_memo_steps").value == 200          # the good values still apply


def test_reset_clears_the_url():
    at = _app(seed="8")
    reset = [b for b in at.sidebar.button if b.label.startswith("Reset")][0]
    reset.click().run()
    assert not at.exception
    assert at.number_input(key="w_seed").value == state.DEFAULT_SEED
    assert "seed" not in at.query_params


# ------------------------------------------------------------------------------- settings file
def _file_script():
    import json as _json

    import streamlit as st
    from dashboard import downloads, sharing, sidebar, state

    state.keep_widget_state()
    data = st.session_state.pop("test_file", None)
    if data is not None:             # as the uploader's on_change does: before any widget
        st.session_state["test_result"] = sharing.apply_settings_file(data, "test.json")
    sidebar.sidebar()
    st.session_state["test_export"] = _json.loads(sharing.settings_file())


def _file_app():
    return AppTest.from_function(_file_script, default_timeout=60).run()


def _settings(**values):
    return json.dumps({"format": sio.FORMAT, "version": 1, "settings": values}).encode()


def test_settings_file_export_holds_the_current_values():
    at = _file_app()
    at.number_input(key="w_seed").set_value(77).run()
    blob = at.session_state["test_export"]
    assert blob["format"] == sio.FORMAT
    assert blob["settings"]["seed"] == 77 and blob["settings"]["mixture"] == "tutorial"


def test_settings_file_import_applies_everything():
    at = _file_app()
    at.session_state["test_file"] = _settings(seed=5, mixture="ring8", memo_points=20)
    at.run()
    assert not at.exception
    ok, msg = at.session_state["test_result"]
    assert ok, msg
    assert at.number_input(key="w_seed").value == 5
    assert at.selectbox(key="w_mixture").value == "ring8"
    assert at.session_state["w_memo_points"] == 20


def test_settings_file_with_a_custom_mixture():
    at = _file_app()
    mix = {"means": [[0.0, 0.0], [3.0, 0.0]], "covs": [[[1.0, 0.0], [0.0, 1.0]]] * 2, "weights": [1, 3]}
    data = json.dumps({"format": sio.FORMAT, "version": 1, "settings": {"mixture": "custom"},
                       "custom_mixture": mix}).encode()
    at.session_state["test_file"] = data
    at.run()
    assert not at.exception and at.session_state["test_result"][0]
    assert at.selectbox(key="w_mixture").value == "custom"
    assert at.session_state["custom_mixture"]["weights"] == pytest.approx([0.25, 0.75])


@pytest.mark.parametrize("data,words", [
    (_settings(seed=5, mixture="nowhere"), "Distribution p₀ (mixture) must be one of"),
    (_settings(seed=-1), "Random seed (seed) must be an integer"),
    (_settings(mixture="custom"), "no custom_mixture"),
    (json.dumps({"format": sio.FORMAT, "version": 1, "settings": {"seed": 4},
                 "custom_mixture": {"means": [[0, 0]], "covs": [[[1, 2], [2, 1]]]}}).encode(),
     "positive definite"),
    (b"\x89PNG\r\n", "UTF-8"),
    (b"{" * 2_000_000, "at most 1 MB"),
])
def test_bad_settings_file_changes_nothing(data, words):
    at = _file_app()
    at.number_input(key="w_seed").set_value(11).run()
    at.session_state["test_file"] = data
    at.run()
    assert not at.exception
    ok, msg = at.session_state["test_result"]
    assert not ok and words in msg and msg.startswith("Settings file refused, nothing was changed")
    assert at.number_input(key="w_seed").value == 11
    assert at.selectbox(key="w_mixture").value == "tutorial"


# ------------------------------------------------------------------------------- downloads
def test_csv_bytes():
    x = torch.tensor([[1.0, -2.5], [0.125, 3.0]])
    text = downloads.csv_bytes(x).decode()
    lines = text.strip().splitlines()
    assert lines[0] == "x,y"
    back = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    np.testing.assert_allclose(back, x.numpy())
    assert downloads.csv_bytes(np.zeros((3, 3))).decode().splitlines()[0] == "x1,x2,x3"
    assert downloads.csv_bytes(np.arange(3.0)).decode().splitlines()[0] == "x"
    with pytest.raises(ValueError):
        downloads.csv_bytes(np.zeros((2, 2, 2)))


def test_png_bytes():
    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [1, 0])
    img = Image.open(io.BytesIO(downloads.png_bytes(fig, dpi=100)))
    assert img.format == "PNG" and img.size[0] > 50


def test_download_helpers_render():
    def script():
        import numpy as np
        from matplotlib.figure import Figure
        from dashboard import downloads, sharing, sidebar, state
        fig = Figure()
        fig.add_subplot().plot([0, 1])
        downloads.download_csv(np.zeros((4, 2)), "samples.csv", "Samples (CSV)")
        downloads.download_png(fig, "figure.png", "Figure (PNG)")

    at = AppTest.from_function(script).run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Samples (CSV)", "Figure (PNG)"]


@pytest.mark.parametrize("typed", [-7, 99999999999999])
def test_a_seed_out_of_range_gets_a_message_and_the_last_valid_seed_stays(typed):
    at = _app()
    at.number_input(key="w_seed").set_value(31).run()
    at.number_input(key="w_seed").set_value(typed).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.sidebar.error)
    assert "Random seed" in errors and "0..2147483647" in errors and f"{typed:,}" in errors
    assert "keep using seed 31" in " ".join(c.value for c in at.sidebar.caption)
    assert at.number_input(key="w_seed").value == typed            # what was typed stays
    assert at.session_state[state.LAST_SEED] == 31                  # what the pages use
    assert "seed" not in _link(at)                                  # a bad seed is not linked


def _reachable_mixtures() -> list[str]:
    """Every distribution a student can pick: the 2D presets, the custom mixture, your data."""
    from diffusion_core.presets import PRESET_DIMS
    from dashboard import yourdata
    return [n for n, d in PRESET_DIMS.items() if d == 2] + ["custom", yourdata.NAME]


@pytest.mark.parametrize("name", _reachable_mixtures())
def test_the_link_opens_the_same_mixture_or_says_it_cannot(name):
    """For every reachable p₀ the link's parameters are all accepted by a fresh session (no
    "Link parameter ignored"); it opens the same p₀, or the share box says it cannot carry it
    (custom mixture, your data) and opens the tutorial mixture."""
    from diffusion_core import pointsets as ps
    from dashboard import yourdata
    at = app_test(90)
    at.session_state["custom_mixture"] = {"means": [[0.0, 0.0], [3.0, 0.0]],
                                          "covs": [[[1.0, 0.0], [0.0, 1.0]]] * 2, "weights": [0.5, 0.5]}
    pts = yourdata.check(ps.heart(100))
    at.session_state[yourdata.KEY] = yourdata.entry(pts, yourdata.width_of(pts, 0.1), "Shape")
    at.run()
    at.number_input(key="w_seed").set_value(31).run()
    at.selectbox(key="w_mixture").set_value(name).run()
    assert not at.exception
    params = _link(at)
    box = " ".join(c.value for c in at.sidebar.caption)
    fresh = _app(**params)
    assert not fresh.exception and not _toasts(fresh), _toasts(fresh)
    assert fresh.number_input(key="w_seed").value == 31
    got = fresh.selectbox(key="w_mixture").value
    if name in ("custom", yourdata.NAME):
        assert "mixture" not in params and got == "tutorial"
        assert "a link cannot carry" in box and "opens with the tutorial mixture" in box, box
        assert "exactly as it is now" not in box
    else:
        assert got == name
        assert "exactly as it is now" in box and "cannot carry" not in box
