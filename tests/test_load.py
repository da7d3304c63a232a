"""A whole class opens the train page at the same moment, against one running server.

30 websocket sessions (what 30 browser tabs do: connect to /_stcore/stream and ask for the page
with default settings) start together on a fresh server. Checks: the network the page shows is
trained exactly once (the server process logs each call of dc.train_score_model with what it
trains), every session gets its finished page, all 30 pages are the same, and /_stcore/health
keeps answering meanwhile (no check goes unanswered for HealthProbe's 30 s; its latencies are
printed, not asserted: how fast a busy machine answers is a benchmark figure). The server's background warm-up may train the other default
model (the tutorial's recipe) once the sessions are served, and nothing else: no model twice.
benchmarks/bench_load.py prints the same figures outside pytest.
"""
from __future__ import annotations

import os
import sys

import pytest

from server import AppServer, training_key  # noqa: E402
from bench_load import load, report  # noqa: E402

pytestmark = [pytest.mark.load, pytest.mark.slow]

SESSIONS = 30
SESSION_TIMEOUT_S = 900          # one session, training included, on a busy 2-core machine


def default_keys() -> dict[str, str]:
    """recipe -> training_key of the model the Train page shows at default settings."""
    import diffusion_core as dc
    from dashboard import models
    return {r: training_key(dc.PRESETS[models.DEFAULT_MIXTURE], dc.VESDE(models.DEFAULT_LAM),
                            models.default_config(r), "cpu") for r in models.RECIPES}


def test_thirty_sessions_train_once_and_all_get_the_result(capsys):
    defaults = default_keys()
    with AppServer() as srv:
        assert srv.training_runs() == 0
        wall, results, probe = load(srv.base, SESSIONS, "train", SESSION_TIMEOUT_S)
        with capsys.disabled():   # the figures show in the test run's output
            print(f"\n{SESSIONS} sessions of /train against one server:")
            fig = report(wall, results, probe, srv.training_runs(), out=lambda s: print("  " + s))
        calls = srv.training_calls()
        keys = srv.training_keys()
        app_log = srv.app_training_log()
        assert srv.alive(), "the server died:\n" + srv.output()[-3000:]

    failed = [r for r in results if r is None or not r.ok]
    assert not failed, "sessions without their page: " + "; ".join(
        "never finished" if r is None else f"{r.status or 'no status'} {r.error} {r.exceptions}"
        for r in failed[:5])
    assert fig["distinct_pages"] == 1, "the sessions saw different finished pages"
    assert any(t in ("vega_lite_chart", "imgs") for t in results[0].signature()), \
        f"the train page shows no chart: {results[0].signature()}"
    assert keys.count(defaults["ours"]) == 1, \
        f"the page's model (key {defaults['ours']}) was not trained exactly once: {calls}"
    assert len(set(keys)) == len(keys), f"a model was trained twice: {calls}"
    assert set(keys) <= set(defaults.values()), f"trainings other than the default models: {calls}"
    page_start = next(i for i, ln in enumerate(calls) if ln.endswith(" " + defaults["ours"]))
    assert any(" end" in ln for ln in calls[page_start + 1:]), f"the page's training never ended: {calls}"
    if app_log is not None:   # the app's own training log, where it writes one
        assert len(app_log) == 1, f"the app logged {len(app_log)} training runs: {app_log}"
    assert probe.failures() == 0, f"{probe.failures()} health checks failed under load"
