"""Session state of the dashboard: persisted widgets (defaults from the settings schema), the
sidebar's shared settings, the mixture in use, seeded generators and caching. The settings in a
link (?seed=7&memo_points=20) are dashboard/link.py's."""
from __future__ import annotations

import sys
from dataclasses import dataclass

import streamlit as st

import diffusion_core as dc          # its names load on first use (torch with the first mixture)
from diffusion_core.presets import PRESET_DIMS
from dashboard import link, yourdata
from dashboard import settings as sio

# This module does not import torch: Home's first run on a fresh server uses it without torch
# (dashboard.compute imports torch and sets its threads before any page computes).

# Hash mixtures and SDEs by value so cached functions can take them as arguments (keyed by the
# classes' full names, so that building this table does not import them).
HASH_FUNCS = {"diffusion_core.mixture.GaussianMixture": lambda g: g.key(),
              "diffusion_core.sde.VESDE": repr, "diffusion_core.sde.VPSDE": repr}
PERSIST_PREFIX = sio.PREFIX   # widget keys starting with this survive page switches
DEFAULT_SEED = sio.SCHEMA[PERSIST_PREFIX + "seed"].default


def cache_data(func=None, **kw):
    """st.cache_data with mixture/SDE hashing, bounded size and no spinner."""
    kw = {"hash_funcs": HASH_FUNCS, "max_entries": 32, "show_spinner": False, **kw}
    return st.cache_data(func, **kw) if func is not None else st.cache_data(**kw)


@dataclass(frozen=True)
class Settings:
    device: str
    seed: int
    mixture_name: str


def devices(load: bool = False) -> list[str]:
    """cpu plus whatever accelerators torch reports, once torch has been imported (the server's
    warm-up imports it right after the first page; load=True imports it now)."""
    out = ["cpu"]
    if not load and "torch" not in sys.modules:
        return out
    import torch
    if torch.cuda.is_available():
        out += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        out.append("mps")
    return out


def keep_widget_state():
    """Re-assign persisted widget values so Streamlit keeps them when their page is not shown."""
    for k in list(st.session_state.keys()):
        if isinstance(k, str) and k.startswith(PERSIST_PREFIX):
            st.session_state[k] = st.session_state[k]


def init(key: str, initial=None):
    """Give the persisted widget `key` its default from the settings schema once; create the
    widget with key=key and no value= (Streamlit warns when both a default and a Session State
    value are given). `initial`: a first value known only at run time, instead of the schema's
    default. Returns key.

    On a session's first run a value for this key from the page's URL is taken instead of the
    default when it passes its check; afterwards the value is mirrored into the URL."""
    field = sio.field(key)
    if key not in st.session_state:
        link.restore_pending(key, session_schema)
    default = field.default if initial is None else initial
    st.session_state.setdefault(key, list(default) if isinstance(field, sio.ListField) else default)
    link.sync_param(key)
    return key


def label(key: str) -> str:
    """The schema's label of a persisted widget."""
    return sio.field(key).label


_RANGED = ("slider", "number_input")
_CHOOSING = ("selectbox", "radio", "select_slider", "pills", "segmented_control", "multiselect")


def widget(make, key: str, **kwargs):
    """The persisted widget `key` built from the settings schema: make(label, key=init(key), ...)
    with the schema's label, and its range (sliders, number inputs) or choices (select widgets).
    make: a widget function such as st.slider or a column's .radio; kwargs: the rest (help,
    step, format_func, ...)."""
    field = sio.field(key)
    kind = getattr(make, "__name__", "")
    if kind in _RANGED and field.lo is not None:
        cast = float if field.kind == "float" else int
        kwargs = {"min_value": cast(field.lo), "max_value": cast(field.hi), **kwargs}
    if kind in _CHOOSING and field.choices is not None:
        kwargs = {"options": list(field.choices), **kwargs}
    return make(field.label, key=init(key), **kwargs)


def pick_buttons(where, key: str, values, name: str, fmt=lambda v: f"{v:g}") -> tuple:
    """One-click values for the persisted widget `key`: a row of buttons in `where` (st or a
    column), each as wide as its label fmt(v), one per value of `values` that the settings schema
    allows, the current value's primary; a click sets the widget (shown on the rerun, and in links
    and files like any move of it). No tooltips: the label says the value, and a button's tooltip
    covered the widget's value above it. Button keys: f"{name}_{v:g}". Returns the values drawn."""
    field = sio.field(key)
    allowed = []
    for v in values:
        try:
            allowed.append(sio.check_value(key, field, v))
        except ValueError:
            pass
    row = where.container(horizontal=True, gap="small")
    for v in allowed:
        row.button(fmt(v), key=f"{name}_{v:g}", width="content",
                   type="primary" if v == st.session_state.get(key) else "secondary",
                   on_click=st.session_state.__setitem__, args=(key, v))
    return tuple(allowed)


def number_field(where, key: str, **kwargs):
    """A number input for the schema's setting `key` (label, default, range from the schema),
    checked here and not in the browser: a value outside the range stays as typed, gets an
    st.error under the field that names it and its rule, and None is returned (the page then
    keeps its last valid result). `where`: st or a column/container."""
    field = sio.SCHEMA[key]
    value = where.number_input(field.label, key=init(key), **kwargs)
    try:
        return sio.check_value(key, field, value)
    except ValueError:
        got = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        where.error(f"**{field.label}** {field.rule()}; got {got}.")
        return None


def note_page(url_path: str) -> None:
    """Record the page this run draws: st.session_state["page_entered"] is True when the previous
    run drew another page (a fresh visit, where components such as a canvas start empty)."""
    ss = st.session_state
    ss["page_entered"] = ss.get("page_shown") != url_path
    ss["page_shown"] = url_path


def mixture_choices() -> list[str]:
    """2D presets, plus the custom mixture when the editor has made one and "your data" when the
    Your data page has."""
    names = [n for n, d in PRESET_DIMS.items() if d == 2]
    if "custom_mixture" in st.session_state:
        names.append("custom")
    if yourdata.KEY in st.session_state:
        names.append(yourdata.NAME)
    return names


def current_mixture(name: str | None = None) -> dc.GaussianMixture:
    """The 2D mixture chosen in the sidebar (or `name`)."""
    from dashboard import compute  # noqa: F401  (torch's threads, before the mixture's torch)
    name = name or st.session_state.get(PERSIST_PREFIX + "mixture", "tutorial")
    if name == "custom" and "custom_mixture" in st.session_state:
        return dc.GaussianMixture.from_dict(st.session_state["custom_mixture"])
    if name == yourdata.NAME and yourdata.KEY in st.session_state:
        return yourdata.mixture(st.session_state[yourdata.KEY])
    return dc.PRESETS.get(name, dc.PRESETS["tutorial"])


LAST_SEED = "_last_valid_seed"     # the seed the pages use while the sidebar's is out of range


def settings() -> Settings:
    """The sidebar's settings; a seed out of the schema's range (the sidebar says so) is replaced
    by the last valid one."""
    s = st.session_state
    key = PERSIST_PREFIX + "seed"
    try:
        seed = int(sio.check_value(key, sio.SCHEMA[key], s.get(key, DEFAULT_SEED)))
        s[LAST_SEED] = seed
    except (ValueError, TypeError):
        seed = s.get(LAST_SEED, DEFAULT_SEED)
    return Settings(s.get(PERSIST_PREFIX + "device", "cpu"), seed, s.get(PERSIST_PREFIX + "mixture", "tutorial"))


def generator(offset: int = 0):
    """A CPU torch.Generator seeded from the sidebar seed (+ offset for independent streams)."""
    from dashboard.compute import torch
    return torch.Generator().manual_seed(settings().seed + offset)


def session_schema() -> dict:
    """The settings schema with the mixtures and devices this session can choose (a link that
    names a device lists the accelerators even before torch has been imported)."""
    schema = sio.with_choices(sio.SCHEMA, PERSIST_PREFIX + "mixture", mixture_choices())
    pending = st.session_state.get(link.PENDING) or {}
    return sio.with_choices(schema, PERSIST_PREFIX + "device", devices(load="device" in pending))
