"""Streamlit helpers shared by app.py and the pages: sidebar settings, the shared mixture, caching."""
from __future__ import annotations

import io
import os
import weakref
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import streamlit as st
import torch
from streamlit.runtime.scriptrunner import get_script_run_ctx

import diffusion_core as dc
from diffusion_core import editing as ed
from diffusion_core import settings_io as sio
from dashboard import yourdata   # pages11: "your data" in the distribution list and settings files

# One torch thread per computation: the networks and batches here are small, and a 2-core machine
# serving several sessions loses 5-20x to thread oversubscription with torch's default of one thread
# per core (measured: 200 Adam steps of a width-128 MLP, 0.5 s with 1 thread, 10 s with 2 under
# load). DIFFUSION_TORCH_THREADS overrides it.
_threads = os.environ.get("DIFFUSION_TORCH_THREADS", "1")
torch.set_num_threads(max(1, int(_threads)) if _threads.isdigit() else 1)

# Hash mixtures and SDEs by value so cached functions can take them as arguments.
HASH_FUNCS = {dc.GaussianMixture: lambda g: g.key(), dc.VESDE: repr, dc.VPSDE: repr}
DEFAULT_SEED = 2021
PERSIST_PREFIX = "w_"   # widget keys starting with this survive page switches


def cache_data(func=None, **kw):
    """st.cache_data with mixture/SDE hashing, bounded size and no spinner."""
    kw = {"hash_funcs": HASH_FUNCS, "max_entries": 32, "show_spinner": False, **kw}
    return st.cache_data(func, **kw) if func is not None else st.cache_data(**kw)


@dataclass(frozen=True)
class Settings:
    device: str
    seed: int
    mixture_name: str


def devices() -> list[str]:
    """cpu plus whatever accelerators torch reports."""
    out = ["cpu"]
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


def init(key: str, default):
    """Give a persisted widget its default once; create the widget with key=key and no value=
    (Streamlit warns when both a default and a Session State value are given). Returns key.

    On a session's first run a value for this key from the page's URL is taken instead of the
    default when it passes its check; afterwards the value is mirrored into the URL (see share)."""
    _DEFAULTS[key] = default
    _begin_session()
    if key not in st.session_state:
        _restore_pending(key)
    st.session_state.setdefault(key, default)
    _sync_param(key)
    return key


def number_field(where, key: str, **kwargs):
    """A number input for the schema's setting `key` (label, default, range from sio.SCHEMA),
    checked here and not in the browser: a value outside the range stays as typed, gets an
    st.error under the field that names it and its rule, and None is returned (the page then
    keeps its last valid result). `where`: st or a column/container."""
    field = sio.SCHEMA[key]
    value = where.number_input(field.label, key=init(key, field.default), **kwargs)
    try:
        return sio.check_value(key, field, value)
    except ValueError:
        where.error(f"**{field.label}** {field.rule()}; got {value:g}.")
        return None


def mixture_choices() -> list[str]:
    """2D presets, plus the custom mixture when the editor has made one."""
    names = [n for n, g in dc.PRESETS.items() if g.dim == 2]
    if "custom_mixture" in st.session_state:
        names.append("custom")
    if yourdata.KEY in st.session_state:                     # pages11
        names.append(yourdata.NAME)
    return names


def current_mixture(name: str | None = None) -> dc.GaussianMixture:
    """The 2D mixture chosen in the sidebar (or `name`)."""
    name = name or st.session_state.get(PERSIST_PREFIX + "mixture", "tutorial")
    if name == "custom" and "custom_mixture" in st.session_state:
        return dc.GaussianMixture.from_dict(st.session_state["custom_mixture"])
    if name == yourdata.NAME and yourdata.KEY in st.session_state:     # pages11
        return yourdata.mixture(st.session_state[yourdata.KEY])
    return dc.PRESETS.get(name, dc.PRESETS["tutorial"])


def open_linked_page(pages) -> None:
    """On a session's first run, open the page a link names (?page=<url path>), keeping the
    link's other values for that page's first run; an unknown page name is dropped (and the
    default page opens). Call after st.navigation and before sidebar()."""
    if _STARTED in st.session_state or PAGE_PARAM not in st.query_params:
        return
    target = st.query_params.get(PAGE_PARAM)
    rest = {k: st.query_params.get_all(k) for k in st.query_params.keys() if k != PAGE_PARAM}
    page = next((p for p in pages if p.url_path == target), None)
    if page is None:
        del st.query_params[PAGE_PARAM]
        _warn(f"Link parameter page={target} ignored: no such page.")
        return
    if page.url_path == "" or getattr(page, "default", False):
        del st.query_params[PAGE_PARAM]
        return
    st.switch_page(page, query_params=rest)


def reset_to_defaults():
    """Forget every widget value and the custom mixture: all pages show the tutorial's settings."""
    for k in list(st.session_state.keys()):
        del st.session_state[k]
    st.session_state[_STARTED] = True          # the URL's values are not restored again
    # A widget whose key is only deleted keeps showing its old value in the browser (and sends it
    # back on the next rerun); a value set here is sent to the browser.
    for name in ("mixture", "device", "seed"):
        st.session_state[PERSIST_PREFIX + name] = sio.SCHEMA[PERSIST_PREFIX + name].default
    st.query_params.clear()


def sidebar(url_path: str | None = None) -> Settings:
    """The shared sidebar: distribution, device, seed, reset, and sharing (link, settings file).
    url_path: the current page's (st.navigation's url_path; "" for the default page)."""
    _start_run()
    with st.sidebar:
        st.selectbox("Distribution p₀", mixture_choices(), key=init(PERSIST_PREFIX + "mixture", "tutorial"),
                     help="The 2D Gaussian mixture every page works on.")
        st.selectbox("Device", devices(), key=init(PERSIST_PREFIX + "device", "cpu"),
                     help="Where networks are trained and run.")
        st.number_input("Random seed", min_value=0, max_value=2**31 - 1, step=1,
                        key=init(PERSIST_PREFIX + "seed", DEFAULT_SEED), help="Every random draw uses this seed.")
        st.button("Reset to tutorial defaults", on_click=reset_to_defaults, width="stretch")
        for k in (PERSIST_PREFIX + "mixture", PERSIST_PREFIX + "device"):
            _sync_param(k)
        _share_box(url_path)
    return settings()


def settings() -> Settings:
    s = st.session_state
    return Settings(s.get(PERSIST_PREFIX + "device", "cpu"), int(s.get(PERSIST_PREFIX + "seed", DEFAULT_SEED)),
                    s.get(PERSIST_PREFIX + "mixture", "tutorial"))


def generator(offset: int = 0) -> torch.Generator:
    """A CPU generator seeded from the sidebar seed (+ offset for independent streams)."""
    return torch.Generator().manual_seed(settings().seed + offset)


# ===================================================================================== sharing
# Every persisted widget value ("w_*") that the sidebar and the current page use is mirrored into
# the page's URL (?seed=7&memo_points=20, only values that differ from their defaults), and a
# session's first run takes its values from the URL, each checked against diffusion_core's
# settings schema: a teacher can send a link. All settings also go to and come from a JSON file.
_STARTED = "_share_started"      # set once a session's first run has read the URL
_PENDING = "_share_pending"      # URL values not yet given to a widget {name: text}
_SLOT = "_share_link_slot"       # (this run, the sidebar element that shows the link to this page)
_IMPORT_MSG = "_share_import_msg"
_UPLOAD = "_share_upload"
PAGE_PARAM = "page"     # a link's page: /?page=forward&seed=7 (app.py opens that page)
_IGNORED_PARAMS = {"embed", "embed_options", PAGE_PARAM}   # Streamlit's own, and the link's page
_DEFAULTS: dict[str, object] = {}              # key -> default, as given to init()
_SCALARS = (bool, int, float, str)


def _schema() -> dict:
    """The settings schema with the mixtures and devices this session can choose."""
    names = [n for n, g in dc.PRESETS.items() if g.dim == 2]
    if "custom_mixture" in st.session_state:
        names.append("custom")
    if yourdata.KEY in st.session_state:                     # pages11
        names.append(yourdata.NAME)
    schema = sio.with_choices(sio.SCHEMA, PERSIST_PREFIX + "mixture", names)
    return sio.with_choices(schema, PERSIST_PREFIX + "device", devices())


def _default(key: str):
    """The default a page gives the key (init), else the schema's."""
    if key in _DEFAULTS:
        return _DEFAULTS[key]
    return sio.SCHEMA[key].default if key in sio.SCHEMA else None


def _shareable(key: str) -> bool:
    """A key whose value a link or a file can carry back: one in the schema, or a persisted
    widget with a true/false default (numbers need a known range, text its choices)."""
    if key in sio.SCHEMA:
        return True
    return key.startswith(PERSIST_PREFIX) and isinstance(_DEFAULTS.get(key), bool)


def _warn(msg: str):
    st.toast(msg, icon=":material/warning:", duration="long")


def _begin_session() -> bool:
    """On a session's first run, read the URL's values and give every setting of the schema its
    value (checked). Returns whether this was that first run. Called by the sidebar and by init(),
    so that a page run without the sidebar (Streamlit's very first run of a fresh server, which
    runs a deep-linked page file on its own) restores its values too."""
    s = st.session_state
    if _STARTED in s:
        return False
    s[_STARTED] = True
    s[_PENDING] = {n: st.query_params.get(n) for n in st.query_params.keys()
                   if n not in _IGNORED_PARAMS}
    schema = _schema()
    for name in list(s[_PENDING]):
        key = sio.key_of(name)
        if key in schema and key not in s:
            _restore_pending(key, schema)
    return True


def _start_run():
    """First run of a session: read the URL's values; later runs: name the ones nobody used."""
    s = st.session_state
    if not _begin_session() and s.get(_PENDING):
        names = ", ".join(sorted(s[_PENDING]))
        for name in s.pop(_PENDING):
            st.query_params.pop(name, None)
        _warn(f"Link parameter(s) {names} ignored: no such setting on this page.")
    s[_SLOT] = None


def _restore_pending(key: str, schema: dict | None = None):
    """Give `key` its value from the URL when there is one and it passes the check."""
    pending = st.session_state.get(_PENDING)
    name = sio.short_name(key)
    if not pending or name not in pending:
        return
    text = pending.pop(name)
    schema = _schema() if schema is None else schema
    field = schema.get(key)
    if field is None:
        default = _DEFAULTS.get(key)
        if not isinstance(default, bool):
            _warn(f"Link parameter {name} ignored: its allowed values are not known.")
            st.query_params.pop(name, None)
            return
        field = sio.Field("bool", default)
    try:
        st.session_state[key] = sio.parse_text(key, field, text)
    except ValueError as e:
        _warn(f"Link parameter ignored: {e}.")
        st.query_params.pop(name, None)


def _sync_param(key: str):
    """Mirror one setting into the URL: its text when it differs from the default, else nothing."""
    if not _shareable(key) or key not in st.session_state:
        return
    value, name = st.session_state[key], sio.short_name(key)
    pending = st.session_state.get(_PENDING)
    if pending and name in pending:          # not yet restored: leave the URL as it came
        return
    if not isinstance(value, _SCALARS) or value == _default(key):
        if name in st.query_params:
            del st.query_params[name]
    else:
        text = sio.encode_text(value)
        if st.query_params.get(name) != text:
            st.query_params[name] = text
    _show_link()


def _show_link():
    """(Re)write the link to this page with its settings in the sidebar's share box (only when
    the box was drawn by this very script run: a page run without the sidebar draws no link)."""
    entry = st.session_state.get(_SLOT)
    if entry is None or entry[0]() is None or entry[0]() is not get_script_run_ctx():
        return
    slot, url_path = entry[1], entry[2]
    params = {k: st.query_params.get(k) for k in st.query_params.keys() if k != PAGE_PARAM}
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


def shareable_settings() -> dict:
    """{key: value} of every persisted setting a link or file can carry (the whole session)."""
    s = st.session_state
    keys = set(sio.SCHEMA) | {k for k in s.keys() if isinstance(k, str) and _shareable(k)}
    return {k: s[k] for k in sorted(keys) if k in s and isinstance(s[k], _SCALARS)}


def settings_file() -> bytes:
    """All settings (and the custom mixture, if any) as the JSON of diffusion_core.settings_io."""
    return yourdata.add_to_file(sio.settings_to_json(shareable_settings(), st.session_state.get("custom_mixture")),
                                st.session_state.get(yourdata.KEY))      # pages11: points travel in files


def apply_settings_file(data: bytes, name: str = "the file") -> tuple[bool, str]:
    """Check a whole settings file, then apply all of it (ok, message) or none of it."""
    s = st.session_state
    mixture_key = PERSIST_PREFIX + "mixture"
    schema = _schema()
    names = tuple(n for n in schema[mixture_key].choices if n not in ("custom", yourdata.NAME)) + ("custom", yourdata.NAME)
    schema = sio.with_choices(schema, mixture_key, names)
    refused = "Settings file refused, nothing was changed: "
    try:
        data, yours = yourdata.split_file(data)                   # pages11
        values, mix, notes = sio.settings_from_json(data, schema)
        if values.get(mixture_key) == yourdata.NAME and yours is None and yourdata.KEY not in s:
            raise ValueError(f"mixture is \"{yourdata.NAME}\" but the file has no {yourdata.SECTION}")
        if mix is not None:
            try:
                mix = dc.GaussianMixture.from_dict(mix)
            except (ValueError, TypeError) as e:
                raise ValueError(f"custom_mixture: {e}") from None
            if mix.dim != 2:
                raise ValueError(f"custom_mixture must be 2D; got {mix.dim}D")
            # the mixture editor's rules: at most 12 components, |mean| <= 50, stds in [0.01, 20]
            mix, problems = ed.mixture_from_rows(ed.rows_from_mixture(mix, "raw", digits=None), "raw")
            if problems:
                raise ValueError("custom_mixture: " + "; ".join(
                    p.replace("row ", "component ", 1).removeprefix("table: ").replace(" rows (delete some)", "")
                    for p in problems))
        if values.get(mixture_key) == "custom" and mix is None and "custom_mixture" not in s:
            raise ValueError("mixture is \"custom\" but the file has no custom_mixture")
    except ValueError as e:
        msg = str(e)
        return False, msg[0].upper() + msg[1:] if "nothing was changed" in msg else refused + msg
    if mix is not None:
        s["custom_mixture"] = mix.to_dict()
    if yours is not None:                                         # pages11
        s[yourdata.KEY] = yours
    for k, v in values.items():
        s[k] = v
    msg = f"Loaded {len(values)} setting(s) from {name}."
    return True, msg + (" " + "; ".join(notes) + "." if notes else "")


def _import_settings():
    """on_change of the settings-file uploader."""
    f = st.session_state.get(_UPLOAD)
    if f is not None:
        ok, msg = apply_settings_file(f.getvalue(), f.name)
        st.session_state[_IMPORT_MSG] = ("success" if ok else "error", msg)


def _share_box(url_path: str | None = None):
    """Sidebar: the link to these settings and the settings file (download and upload)."""
    with st.expander("Share and save settings", icon=":material/share:"):
        st.caption("**Copy link to these settings**: the address bar always holds this page's "
                   "settings; send the link below (copy button on its right) to open the page "
                   "exactly as it is now.")
        ctx = get_script_run_ctx()
        st.session_state[_SLOT] = (weakref.ref(ctx), st.empty(), url_path) if ctx is not None else None
        _show_link()
        st.download_button("Download settings (JSON)", data=settings_file(),
                           file_name="diffusion-settings.json", mime="application/json",
                           on_click="ignore", width="stretch", key="_share_download")
        st.file_uploader("Load settings (JSON)", type=["json"], key=_UPLOAD,
                         on_change=_import_settings, max_upload_size=1)
        msg = st.session_state.pop(_IMPORT_MSG, None)
        if msg is not None:
            (st.success if msg[0] == "success" else st.error)(msg[1])


# ===================================================================================== downloads
def _as_array(array) -> np.ndarray:
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    a = np.asarray(array, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def csv_bytes(array, columns=None) -> bytes:
    """An (N, d) array as CSV text with a header (x, y for 2D; x1..xd otherwise)."""
    a = _as_array(array)
    if a.ndim != 2:
        raise ValueError(f"samples must be an (N, d) table; got shape {a.shape}")
    d = a.shape[1]
    columns = list(columns) if columns is not None else (["x", "y"] if d == 2 else
                                                         ["x"] if d == 1 else [f"x{i + 1}" for i in range(d)])
    buf = io.StringIO()
    np.savetxt(buf, a, delimiter=",", header=",".join(columns), comments="", fmt="%.7g")
    return buf.getvalue().encode("utf-8")


def png_bytes(fig, dpi: int = 150) -> bytes:
    """A matplotlib Figure as PNG bytes (fig.savefig into memory)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def download_csv(array, filename: str, label: str = "Download CSV", columns=None, key=None):
    """A download button for samples (N, d) as CSV; the file is written when it is clicked."""
    a = _as_array(array).copy()
    return st.download_button(label, data=lambda: csv_bytes(a, columns), file_name=filename,
                              mime="text/csv", on_click="ignore", key=key or f"_csv_{filename}",
                              icon=":material/download:")


def download_png(fig, filename: str, label: str = "Download PNG", dpi: int = 150, key=None):
    """A download button for a matplotlib Figure as PNG; the image is rendered when clicked."""
    return st.download_button(label, data=lambda: png_bytes(fig, dpi), file_name=filename,
                              mime="image/png", on_click="ignore", key=key or f"_png_{filename}",
                              icon=":material/download:")
