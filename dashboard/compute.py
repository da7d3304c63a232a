"""torch for the app, set up once per process before any page computes: one torch thread per
computation. The networks and batches here are small, and a 2-core machine serving several
sessions loses 5-20x to thread oversubscription with torch's default of one thread per core
(measured: 200 Adam steps of a width-128 MLP, 0.5 s with 1 thread, 10 s with 2 under load).
DIFFUSION_TORCH_THREADS overrides it.

Home's first run on a fresh server does not import torch (it is the slowest import of the app);
app.py imports this module before running any other page, and the server's background warm-up
imports it right after the first page."""
from __future__ import annotations

import os

import torch

_threads = os.environ.get("DIFFUSION_TORCH_THREADS", "1")
THREADS = max(1, int(_threads)) if _threads.isdigit() else 1
torch.set_num_threads(THREADS)
