"""Sharing settings: the link to a page with its settings, settings files (export and import),
the sidebar's share box, and opening the page a link names."""
from __future__ import annotations

import streamlit as st

import diffusion_core as dc
from dashboard import settings as sio
from dashboard import yourdata
from dashboard import state
from dashboard import link
from dashboard.link import PAGE_PARAM, SCALARS, SLOT
from dashboard.state import PERSIST_PREFIX

_IMPORT_MSG = "_share_import_msg"
_UPLOAD = "_share_upload"


def open_linked_page(pages) -> None:
    """On a session's first run, open the page a link names (?page=<url path>), keeping the
    link's other values for that page's first run; an unknown page name is dropped (and the
    default page opens). Call after st.navigation and before sidebar()."""
    if link.STARTED in st.session_state or PAGE_PARAM not in st.query_params:
        return
    target = st.query_params.get(PAGE_PARAM)
    rest = {k: st.query_params.get_all(k) for k in st.query_params.keys() if k != PAGE_PARAM}
    page = next((p for p in pages if p.url_path == target), None)
    if page is None:
        del st.query_params[PAGE_PARAM]
        link.warn(f"Link parameter page={target} ignored: no such page.")
        return
    if page.url_path == "" or getattr(page, "default", False):
        del st.query_params[PAGE_PARAM]
        return
    st.switch_page(page, query_params=rest)


def shareable_settings() -> dict:
    """{key: value} of every persisted setting a link or file can carry (the whole session)."""
    s = st.session_state
    keys = set(sio.SCHEMA) | {k for k in s.keys() if isinstance(k, str) and link.shareable(k)}
    return {k: s[k] for k in sorted(keys) if k in s and isinstance(s[k], SCALARS)}


def settings_file() -> bytes:
    """All settings (and the custom mixture and your data's points, if any) as the JSON of
    dashboard.settings."""
    return yourdata.add_to_file(sio.settings_to_json(shareable_settings(), st.session_state.get("custom_mixture")),
                                st.session_state.get(yourdata.KEY))


def apply_settings_file(data: bytes, name: str = "the file") -> tuple[bool, str]:
    """Check a whole settings file, then apply all of it (ok, message) or none of it."""
    s = st.session_state
    mixture_key = PERSIST_PREFIX + "mixture"
    schema = state.session_schema()
    extra = ("custom", yourdata.NAME)
    names = tuple(n for n in schema[mixture_key].choices if n not in extra) + extra
    schema = sio.with_choices(schema, mixture_key, names)
    refused = "Settings file refused, nothing was changed: "
    try:
        data, yours = yourdata.split_file(data)
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
            from dashboard import mixture_table as ed    # torch: only when a file brings a mixture
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
    if yours is not None:
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


def link_caption(mixture_name) -> str:
    """The share box's words on its link: "exactly as it is now", unless p₀ is a mixture the link
    cannot carry (link.SESSION_ONLY: the custom mixture, your data), which the settings file does."""
    start = "**Copy link to these settings**: send the link below (copy button on its right) to open this page "
    back = (" Moving a widget leaves the address bar as it is, so the browser's Back button goes to the "
            "previous page.")
    if mixture_name not in link.SESSION_ONLY[PERSIST_PREFIX + "mixture"]:
        return start + "exactly as it is now." + back
    what = "your data's points" if mixture_name == yourdata.NAME else "the custom mixture"
    default = sio.SCHEMA[PERSIST_PREFIX + "mixture"].default
    return (start + f"with these settings except p₀: a link cannot carry {what}, so it opens with the "
            f"{default} mixture. **Download settings (JSON)** below carries {what} too (open it with "
            "**Load settings**)." + back)


def share_box(url_path: str | None = None):
    """Sidebar: the link to these settings and the settings file (download and upload)."""
    with st.expander("Share and save settings", icon=":material/share:"):
        st.caption(link_caption(st.session_state.get(PERSIST_PREFIX + "mixture")))
        st.session_state[SLOT] = (st.empty(), url_path)
        link.show_link()
        st.download_button("Download settings (JSON)", data=settings_file(),
                           file_name="diffusion-settings.json", mime="application/json",
                           on_click="ignore", width="stretch", key="_share_download")
        st.file_uploader("Load settings (JSON)", type=["json"], key=_UPLOAD,
                         on_change=_import_settings, max_upload_size=1)
        msg = st.session_state.pop(_IMPORT_MSG, None)
        if msg is not None:
            (st.success if msg[0] == "success" else st.error)(msg[1])
