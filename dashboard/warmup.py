"""What a server does in the background: the script runs in progress (Activity), and the
warm-up thread that imports what the pages need and trains the lesson's networks while nobody
clicks (started once per server by its first script run, from app.py)."""
from __future__ import annotations

import contextlib
import importlib
import logging
import os
import threading
import time

import streamlit as st

__all__ = ["Activity", "activity", "start", "HEAVY_MODULES"]


class Activity:
    """Script runs in progress in this server, all sessions together."""

    def __init__(self):
        self.cond = threading.Condition()
        self.running = 0
        self.last_end = time.monotonic()

    @contextlib.contextmanager
    def run(self):
        with self.cond:
            self.running += 1
        try:
            yield
        finally:
            with self.cond:
                self.running -= 1
                self.last_end = time.monotonic()
                self.cond.notify_all()

    def wait_idle(self, quiet: float = 2.0):
        """Return once no script has run for `quiet` seconds."""
        with self.cond:
            while True:
                left = quiet - (time.monotonic() - self.last_end)
                if self.running == 0 and left <= 0:
                    return
                self.cond.wait(timeout=max(left, 0.05) if self.running == 0 else None)


@st.cache_resource(show_spinner=False)
def activity() -> Activity:
    return Activity()


# What the pages import, loaded by the warm-up after the first page: Home's first run on a fresh
# server imports none of them (torch alone takes about 1 s), so that the first visitor sees it soon.
HEAVY_MODULES = ("dashboard.compute", "diffusion_core.training", "diffusion_core.sampling",
                 "dashboard.figures.common", "dashboard.figures.home", "dashboard.models")


def _warm_up(act: Activity):
    """What a server does once, in the background, whenever no page is being run: import what
    the pages need (HEAVY_MODULES: torch, matplotlib, pandas, Altair), then torch._dynamo (the
    first optimizer step of a process imports it, 1.5-5 s), then the Forward diffusion page's
    default view (dashboard.forward.warm_defaults), the Exact-score reversal page's default view
    (dashboard.reversal.warm_defaults: its run, measures and figures), then train the models the
    lesson shows at default settings (dashboard.models.train_defaults: the Train page's, and ours
    on ring8), the Train page's default view on both (dashboard.train.warm_defaults), the Sampler
    lab's default view on both; then the Guidance networks (tutorial and ring8) and the Guidance
    page's default view (dashboard.guidance.warm_defaults), the Flow network and its rectified
    flow, the Memorization and Loss weighting networks (tutorial, and ring8 for the default
    choice), and the Digits network, then the Digits grid and film at every w of its slider; last
    the reversal and Guidance pages' default views on ring8 (the lesson's second mixture), so that
    the first class does not wait for them. Each step waits until no script has run for 2 s, so
    the pages students open go first (and the browser of the first visitor gets its pictures)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)   # Linux: this thread only
    except (AttributeError, OSError):
        pass
    try:
        act.wait_idle()
        for name in HEAVY_MODULES:
            importlib.import_module(name)
        act.wait_idle()
        importlib.import_module("torch._dynamo")
        from dashboard import digits, flow, forward, guidance, memorization, models, reversal, samplers, train, weighting
        for step in (forward.warm_defaults, reversal.warm_defaults, models.train_defaults, train.warm_defaults,
                      samplers.warm_defaults,
                      guidance.train_defaults, guidance.warm_defaults, flow.train_defaults,
                      memorization.train_defaults, weighting.train_defaults, digits.train_defaults,
                      reversal.warm_lesson, guidance.warm_lesson):
            step(before_each=act.wait_idle)
    except Exception:   # a warm-up that fails costs only time: the pages train on demand
        logging.getLogger(__name__).exception("background warm-up failed")


@st.cache_resource(show_spinner=False)
def start() -> threading.Thread:
    """The server's warm-up thread, started once per server by its first script run."""
    thread = threading.Thread(target=_warm_up, args=(activity(),), name="warm-up", daemon=True)
    thread.start()
    return thread
