"""The settings in a link: read from the URL on a session's first run (?seed=7&memo_points=20,
each value checked against this session's schema), and written into the sidebar's share link
from the settings of each run that differ from their defaults.

The address bar itself is never written: Streamlit adds a browser history entry for every change
of st.query_params, so a mirror there made every widget move an entry that the Back button had
to step through."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from dashboard import settings as sio
from dashboard import yourdata

STARTED = "_share_started"      # set once a session's first run has read the URL
PENDING = "_share_pending"      # URL values not yet given to a widget {name: text}
SLOT = "_share_link_slot"        # (the sidebar element that shows the link, this page's url_path)
LINK = "_share_link_params"      # this run's settings that differ from their defaults {name: text}
PAGE_PARAM = "page"     # a link's page: /?page=forward&seed=7 (app.py opens that page)
_IGNORED_PARAMS = {"embed", "embed_options", PAGE_PARAM}   # Streamlit's own, and the link's page
SCALARS = (bool, int, float, str)
# values whose numbers live only in this session (a fresh session refuses them): never in a link
SESSION_ONLY = {sio.PREFIX + "mixture": ("custom", yourdata.NAME)}


def shareable(key: str) -> bool:
    """A key whose value a link or a file can carry back: a shared setting of the schema."""
    return key in sio.SCHEMA and sio.SCHEMA[key].shared


def warn(msg: str):
    st.toast(msg, icon=":material/warning:", duration="long")


def begin_session(schema_fn) -> bool:
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
    schema = schema_fn()
    for name in list(s[PENDING]):
        key = sio.key_of(name)
        if key in schema and key not in s:
            restore_pending(key, schema)
    return True


def restore_pending(key: str, schema):
    """Give `key` its value from the URL when there is one and it passes the check of `schema`
    (this session's schema, or a function that returns it: it is only built when needed)."""
    pending = st.session_state.get(PENDING)
    name = sio.short_name(key)
    if not pending or name not in pending:
        return
    text = pending.pop(name)
    schema = schema() if callable(schema) else schema
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
    if (not valid or not isinstance(value, SCALARS) or value == sio.SCHEMA[key].default
            or value in SESSION_ONLY.get(key, ())):
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
