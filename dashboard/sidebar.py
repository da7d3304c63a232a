"""The shared sidebar: distribution (with the points and h of *your data* when it is the one in
use), device, seed, reset, and the share box."""
from __future__ import annotations

import streamlit as st

from dashboard import settings as sio
from dashboard import link, sharing, state, yourdata
from dashboard.state import PERSIST_PREFIX


def reset_to_defaults():
    """Forget every widget value and the custom mixture: all pages show the tutorial's settings."""
    for k in list(st.session_state.keys()):
        del st.session_state[k]
    st.session_state[link.STARTED] = True          # the URL's values are not restored again
    # A widget whose key is only deleted keeps showing its old value in the browser (and sends it
    # back on the next rerun); a value set here is sent to the browser.
    for name in ("mixture", "device", "seed"):
        st.session_state[PERSIST_PREFIX + name] = sio.SCHEMA[PERSIST_PREFIX + name].default
    st.query_params.clear()


def start_run():
    """First run of a session: read the URL's values; later runs: name the ones nobody used."""
    s = st.session_state
    if not link.begin_session(state.session_schema) and s.get(link.PENDING):
        names = ", ".join(sorted(s[link.PENDING]))
        for name in s.pop(link.PENDING):
            st.query_params.pop(name, None)
        link.warn(f"Link parameter(s) {names} ignored: no such setting on this page.")
    s[link.SLOT] = None
    s[link.LINK] = {}              # filled by this run's widgets (link.sync_param)


def sidebar(url_path: str | None = None) -> state.Settings:
    """The shared sidebar: distribution, device, seed, reset, and sharing (link, settings file).
    url_path: the current page's (st.navigation's url_path; "" for the default page)."""
    start_run()
    with st.sidebar:
        st.selectbox("Distribution p₀", state.mixture_choices(), key=state.init(PERSIST_PREFIX + "mixture"),
                     help="The 2D Gaussian mixture every page works on.")
        if note := yourdata.sidebar_note(st.session_state.get(PERSIST_PREFIX + "mixture"),
                                         st.session_state.get(yourdata.KEY)):
            st.caption(note)
        st.selectbox("Device", state.devices(), key=state.init(PERSIST_PREFIX + "device"),
                     help="Where networks are trained and run. Accelerators (cuda, mps) are listed once the "
                          "server has loaded torch, a few seconds after its first page.")
        # checked here, not in the browser (which silently refused -7 or 99999999999999): a seed
        # out of range gets a message with the range, and the pages keep the last valid seed
        if state.number_field(st, PERSIST_PREFIX + "seed", step=1,
                              help="Every random draw uses this seed.") is None:
            st.caption(f"The pages keep using seed {state.settings().seed}.")
        st.button("Reset to tutorial defaults", on_click=reset_to_defaults, width="stretch")
        for k in (PERSIST_PREFIX + "mixture", PERSIST_PREFIX + "device"):
            link.sync_param(k)
        sharing.share_box(url_path)
    return state.settings()
