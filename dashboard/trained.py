"""Train once per server: the one place every trained thing is held (the Train page's score
models, the Guidance page's conditional network, the Flow page's flow networks, the digits
model), shared by every session and page.

Why a slot and not the training itself inside st.cache_resource: Streamlit replays the elements a
cached function draws, and a live progress bar drawn into a placeholder made outside the function
cannot be replayed (CacheReplayClosureError on the next cache hit). So st.cache_resource holds one
small slot per key (bounded, shared, evicted by Streamlit) and training runs outside it, drawing
its progress live; a lock per slot makes concurrent requests for the same key train only once,
and a session that finds another training it waits with a message. What a slot holds is never
changed after it is stored.
"""
from __future__ import annotations

import threading
from typing import Callable

import streamlit as st

from dashboard import state

__all__ = ["once", "is_trained", "MAX_SLOTS"]

# The warm-up alone fills about 20 slots (the lesson's models, the Memorization sweep's on two
# mixtures); each holds a network of at most a few hundred kB (the digits model about 2 MB).
MAX_SLOTS = 64


class _Slot:
    def __init__(self):
        self.lock = threading.Lock()
        self.value = None


@st.cache_resource(max_entries=MAX_SLOTS, show_spinner=False, hash_funcs=state.HASH_FUNCS)
def _slot(key: tuple) -> _Slot:
    return _Slot()


def is_trained(key: tuple) -> bool:
    """Whether once(key, ...) would return at once."""
    return _slot(tuple(key)).value is not None


def once(key: tuple, make: Callable, progress=None, waiting: str = "Training…"):
    """The value of the slot `key` (a tuple of hashable settings: kind, config, mixture, λ,
    device...), made by make() on the first request and shared from then on.

    progress: an st.empty() placeholder that make() may draw into; while another session (or the
    server's warm-up) is making this very value it shows `waiting`; it is cleared afterwards."""
    slot = _slot(tuple(key))
    if slot.value is not None:
        return slot.value
    if not slot.lock.acquire(blocking=False):
        if progress is not None:
            progress.info(waiting, icon=":material/hourglass_top:")
        slot.lock.acquire()
    try:
        if slot.value is None:
            slot.value = make()
    finally:
        slot.lock.release()
        if progress is not None:
            progress.empty()
    return slot.value
