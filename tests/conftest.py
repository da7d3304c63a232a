"""Shared pytest setup: the repository root on sys.path (so `python -m pytest` works from the
root without PYTHONPATH) and a thread count that suits a small shared machine."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import torch  # noqa: E402

torch.set_num_threads(min(2, torch.get_num_threads()))
