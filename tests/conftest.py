"""Shared pytest setup: the repository root on sys.path (so `python -m pytest` works from the
root without PYTHONPATH), at most 2 torch threads, and a one-thread fixture for tests of small
tensors.

On a machine shared with other work, OpenMP threads that spin while waiting for a busy core
stall every parallel region: a 200-step sampler run on 4000 points measured 46 s with 2 active
threads, 3.1 s with 2 passive ones and 1.7 s with one thread. Passive waiting is asked for before
torch loads OpenMP; the unit tests of diffusion_core run on one thread (`one_thread`).
"""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

torch.set_num_threads(min(2, torch.get_num_threads()))


@pytest.fixture
def one_thread():
    """Run a test with one torch thread (small tensors gain nothing from more), then restore."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
