"""Every persisted widget of every page is built from the settings schema: rendered at the
schema's default, with the schema's range or choices and label."""
import pytest

from conftest import PAGES, app_test, ok
from dashboard import settings as sio

# Cheap settings for the pages that train or sample, so that one run of each stays short (their
# defaults are not checked, their ranges are).
CHEAP = {"w_train_steps": 50, "w_train_n": 200, "w_train_nsteps": 20, "w_memo_steps": 200,
         "w_memo_samples": 100, "w_weight_steps": 100, "w_reversal_n": 250, "w_reversal_steps": 20,
         "w_samplers_n": 200, "w_likelihood_steps": 10, "w_likelihood_grid": 10,
         "w_likelihood_n": 100, "w_digits_steps": 40}
DYNAMIC = {"w_mixture", "w_device", "w_editor_source", "w_guidance_class"}   # choices that depend on the session or the mixture
# Widgets that only show in another mode of their page: rendered once more in that mode.
MODES = [("views/1_forward.py", {"w_forward_kind": "VP"}), ("views/2_score_field.py", {"w_score_where": "grid"}),
         ("views/12_your_data.py", {"w_yours_source": "word"}),
         ("views/6_sampler_lab.py", {"w_samplers_source": "learned"})]
WIDGETS = ("slider", "select_slider", "number_input", "selectbox", "radio", "checkbox", "toggle", "text_input",
           "button_group", "multiselect")


def persisted_widgets(at):
    for kind in WIDGETS:
        for w in at.get(kind):
            if isinstance(w.key, str) and w.key.startswith(sio.PREFIX):
                yield kind, w


def problems_of(kind, w) -> list[str]:
    key = w.key
    try:
        field = sio.field(key)
    except KeyError:
        return [f"{key}: no schema entry"]
    out = []
    label = getattr(w, "label", None)
    if label is not None and label != field.label:
        out.append(f"{key}: label {label!r}, schema {field.label!r}")
    value = w.value
    if key not in CHEAP and key not in DYNAMIC:
        want = list(field.default) if isinstance(field, sio.ListField) else field.default
        if (list(value) if isinstance(value, (list, tuple)) else value) != want:
            out.append(f"{key}: value {value!r}, schema default {want!r}")
    bounds = tuple(None if b is None else float(b) for b in (w.min, w.max)) if kind in (
        "slider", "number_input") else None
    server_checked = kind == "number_input" and bounds == (None, None)   # state.number_field
    if bounds is not None and not server_checked and bounds != (field.lo, field.hi):
        out.append(f"{key}: range {w.min}..{w.max}, schema {field.lo}..{field.hi}")
    choices = getattr(field, "choices", None)
    if hasattr(w, "options") and key not in DYNAMIC and len(w.options) != len(choices or ()):
        out.append(f"{key}: {len(w.options)} options, schema {choices}")
    if key not in DYNAMIC and choices is not None:
        values = value if isinstance(value, (list, tuple)) else [value]
        out += [f"{key}: value {v!r} not among the schema's choices" for v in values if v not in choices]
    return out


@pytest.mark.slow
def test_every_persisted_widget_matches_the_schema():
    seen, problems = set(), []
    for page, mode in [(p, {}) for p in PAGES] + MODES:
        at = app_test(600)
        for k, v in {**CHEAP, **mode}.items():
            at.session_state[k] = v
        at.run()
        at.switch_page(page).run()
        ok(at)
        for kind, w in persisted_widgets(at):
            seen.add(w.key)
            if w.key not in mode:
                problems += problems_of(kind, w)
    assert not problems, "\n".join(problems)
    declared = set(sio.SCHEMA) | set(sio.LISTS)
    assert declared - seen == set(), f"schema entries no page shows: {sorted(declared - seen)}"


def test_sampler_and_grid_names_are_the_registry_s():
    import diffusion_core as dc
    assert sio.SAMPLER_NAMES == dc.METHODS and sio.GRID_NAMES == dc.GRIDS
