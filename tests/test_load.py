"""A whole class opens the train page at the same moment, against one running server.

30 websocket sessions (what 30 browser tabs do: connect to /_stcore/stream and ask for the page
with default settings) start together on a fresh server. Checks: the network is trained exactly
once (the server process counts its calls of dc.train_score_model), every session gets its
finished page, all 30 pages are the same, and /_stcore/health keeps answering quickly meanwhile.
benchmarks/bench_load.py prints the same figures outside pytest.
"""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
from server import AppServer  # noqa: E402
from bench_load import load, report  # noqa: E402

pytestmark = [pytest.mark.load, pytest.mark.slow]

SESSIONS = 30
SESSION_TIMEOUT_S = 900          # one session, training included, on a busy 2-core machine
HEALTH_P95_LIMIT_S = 2.0         # the server answers its health check while it is loaded
HEALTH_MAX_LIMIT_S = 10.0


def test_thirty_sessions_train_once_and_all_get_the_result(capsys):
    with AppServer() as srv:
        assert srv.training_runs() == 0
        wall, results, probe = load(srv.base, SESSIONS, "train", SESSION_TIMEOUT_S)
        with capsys.disabled():   # the figures show in the test run's output
            print(f"\n{SESSIONS} sessions of /train against one server:")
            fig = report(wall, results, probe, srv.training_runs(), out=lambda s: print("  " + s))
        calls = srv.training_calls()
        app_log = srv.app_training_log()
        assert srv.alive(), "the server died:\n" + srv.output()[-3000:]

    failed = [r for r in results if r is None or not r.ok]
    assert not failed, "sessions without their page: " + "; ".join(
        "never finished" if r is None else f"{r.status or 'no status'} {r.error} {r.exceptions}"
        for r in failed[:5])
    assert fig["distinct_pages"] == 1, "the sessions saw different finished pages"
    assert any(t in ("vega_lite_chart", "imgs") for t in results[0].signature()), \
        f"the train page shows no chart: {results[0].signature()}"
    assert fig["training_runs"] == 1, f"expected exactly one training run, server counted: {calls}"
    assert all(" end" in ln or " start " in ln for ln in calls) and len(calls) == 2, calls
    if app_log is not None:   # the app's own training log, where it writes one
        assert len(app_log) == 1, f"the app logged {len(app_log)} training runs: {app_log}"
    assert probe.failures() == 0, f"{probe.failures()} health checks failed under load"
    assert fig["health_p95_ms"] / 1000 < HEALTH_P95_LIMIT_S, fig
    assert fig["health_max_ms"] / 1000 < HEALTH_MAX_LIMIT_S, fig
