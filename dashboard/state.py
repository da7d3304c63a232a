"""Session state of the dashboard: persisted widgets (defaults from the settings schema), the
sidebar's shared settings, the mixture in use, seeded generators, caching, and the mirror of the
persisted settings in the page's URL (?seed=7&memo_points=20)."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

import diffusion_core as dc          # its names load on first use (torch with the first mixture)
from diffusion_core.presets import PRESET_DIMS
from dashboard import settings as sio
from dashboard import yourdata

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
        restore_pending(key)
    default = field.default if initial is None else initial
    st.session_state.setdefault(key, list(default) if isinstance(field, sio.ListField) else default)
    sync_param(key)
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


# ===================================================================================== the URL
# A session's first run takes its values from the URL, each checked against the settings schema:
# a teacher can send a link. Every persisted widget value ("w_*") that the sidebar and the current
# page use goes into the sidebar's link (only values that differ from their defaults), not into the
# address bar: Streamlit adds a browser history entry for every change of st.query_params, so a
# mirror there made every widget move an entry that the Back button had to step through.
STARTED = "_share_started"      # set once a session's first run has read the URL
PENDING = "_share_pending"      # URL values not yet given to a widget {name: text}
SLOT = "_share_link_slot"        # (the sidebar element that shows the link, this page's url_path)
LINK = "_share_link_params"      # this run's settings that differ from their defaults {name: text}
PAGE_PARAM = "page"     # a link's page: /?page=forward&seed=7 (app.py opens that page)
_IGNORED_PARAMS = {"embed", "embed_options", PAGE_PARAM}   # Streamlit's own, and the link's page
SCALARS = (bool, int, float, str)


def session_schema() -> dict:
    """The settings schema with the mixtures and devices this session can choose (a link that
    names a device lists the accelerators even before torch has been imported)."""
    schema = sio.with_choices(sio.SCHEMA, PERSIST_PREFIX + "mixture", mixture_choices())
    pending = st.session_state.get(PENDING) or {}
    return sio.with_choices(schema, PERSIST_PREFIX + "device", devices(load="device" in pending))


def shareable(key: str) -> bool:
    """A key whose value a link or a file can carry back: a shared setting of the schema."""
    return key in sio.SCHEMA and sio.SCHEMA[key].shared


def warn(msg: str):
    st.toast(msg, icon=":material/warning:", duration="long")


def begin_session() -> bool:
    """On a session's first run, read the URL's values and give every setting of the schema its
    value (checked). Returns whether this was that first run. The sidebar calls it at the start
    of every run, before any page draws a widget (app.py runs st.navigation, the sidebar, then
    the page, on every run: page scripts live in views/, not pages/, so Streamlit never runs a
    page file on its own)."""
    s = st.session_state
    if STARTED in s:
        return False
    s[STARTED] = True
    s[PENDING] = {n: st.query_params.get(n) for n in st.query_params.keys()
                   if n not in _IGNORED_PARAMS}
    schema = session_schema()
    for name in list(s[PENDING]):
        key = sio.key_of(name)
        if key in schema and key not in s:
            restore_pending(key, schema)
    return True


def restore_pending(key: str, schema: dict | None = None):
    """Give `key` its value from the URL when there is one and it passes the check."""
    pending = st.session_state.get(PENDING)
    name = sio.short_name(key)
    if not pending or name not in pending:
        return
    text = pending.pop(name)
    schema = session_schema() if schema is None else schema
    field = schema.get(key)
    if field is None or not field.shared:
        warn(f"Link parameter {name} ignored: its allowed values are not known.")
        st.query_params.pop(name, None)
        return
    try:
        st.session_state[key] = sio.parse_text(key, field, text)
    except ValueError as e:
        warn(f"Link parameter ignored: {e}.")
        st.query_params.pop(name, None)


def sync_param(key: str):
    """Put one setting into the sidebar's link: its text when it differs from the default, else
    nothing. The address bar is left alone (a change there is a browser history entry)."""
    if not shareable(key) or key not in st.session_state:
        return
    value, name = st.session_state[key], sio.short_name(key)
    pending = st.session_state.get(PENDING)
    if pending and name in pending:          # not yet restored: the link keeps it as it came
        return
    link = st.session_state.setdefault(LINK, {})
    try:
        sio.check_value(key, sio.SCHEMA[key], value)
        valid = True
    except ValueError:
        valid = False          # a number out of range (its widget says so): not in the link
    if not valid or not isinstance(value, SCALARS) or value == sio.SCHEMA[key].default:
        link.pop(name, None)
    else:
        link[name] = sio.encode_text(value)
    show_link()


def link_params() -> dict:
    """The link's settings {name: text}: this run's settings that differ from their defaults,
    and the values of the link this session was opened with that no widget has taken yet."""
    pending = {k: v for k, v in (st.session_state.get(PENDING) or {}).items() if v is not None}
    return pending | st.session_state.get(LINK, {})


def show_link():
    """(Re)write the link to this page with its settings in the sidebar's share box (once this
    run's sidebar has drawn the box)."""
    entry = st.session_state.get(SLOT)
    if entry is None:
        return
    slot, url_path = entry
    params = link_params()
    base = st.context.url or ""
    if url_path is not None:
        # The link names its page in the query (/?page=forward&...), not in the path: a browser
        # that opens /forward first probes /forward/_stcore/health and /forward/_stcore/host-config
        # to find the app's base path (two 404s in its console, Streamlit issue #7074).
        if url_path and base.endswith("/" + url_path):
            base = base[:-len(url_path) - 1]
        params = ({PAGE_PARAM: url_path} if url_path else {}) | params
        base = base.rstrip("/") + ("/" if params else "")
    slot.code(base + ("?" + urlencode(params) if params else ""), language=None, wrap_lines=True)
