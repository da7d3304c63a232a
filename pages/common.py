"""Streamlit helpers shared by app.py and the pages: sidebar settings, the shared mixture, caching."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

import diffusion_core as dc

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
    (Streamlit warns when both a default and a Session State value are given). Returns key."""
    st.session_state.setdefault(key, default)
    return key


def mixture_choices() -> list[str]:
    """2D presets, plus the custom mixture when the editor has made one."""
    names = [n for n, g in dc.PRESETS.items() if g.dim == 2]
    if "custom_mixture" in st.session_state:
        names.append("custom")
    return names


def current_mixture(name: str | None = None) -> dc.GaussianMixture:
    """The 2D mixture chosen in the sidebar (or `name`)."""
    name = name or st.session_state.get(PERSIST_PREFIX + "mixture", "tutorial")
    if name == "custom" and "custom_mixture" in st.session_state:
        return dc.GaussianMixture.from_dict(st.session_state["custom_mixture"])
    return dc.PRESETS.get(name, dc.PRESETS["tutorial"])


def reset_to_defaults():
    """Forget every widget value and the custom mixture: all pages show the tutorial's settings."""
    for k in list(st.session_state.keys()):
        del st.session_state[k]


def sidebar() -> Settings:
    """The shared sidebar: distribution, device, seed, reset."""
    with st.sidebar:
        st.selectbox("Distribution p₀", mixture_choices(), key=PERSIST_PREFIX + "mixture",
                     help="The 2D Gaussian mixture every page works on.")
        st.selectbox("Device", devices(), key=PERSIST_PREFIX + "device",
                     help="Where networks are trained and run.")
        st.number_input("Random seed", min_value=0, max_value=2**31 - 1, step=1,
                        key=init(PERSIST_PREFIX + "seed", DEFAULT_SEED), help="Every random draw uses this seed.")
        st.button("Reset to tutorial defaults", on_click=reset_to_defaults, width="stretch")
    return settings()


def settings() -> Settings:
    s = st.session_state
    return Settings(s.get(PERSIST_PREFIX + "device", "cpu"), int(s.get(PERSIST_PREFIX + "seed", DEFAULT_SEED)),
                    s.get(PERSIST_PREFIX + "mixture", "tutorial"))


def generator(offset: int = 0) -> torch.Generator:
    """A CPU generator seeded from the sidebar seed (+ offset for independent streams)."""
    return torch.Generator().manual_seed(settings().seed + offset)
