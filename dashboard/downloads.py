"""Downloads: samples as CSV, figures as PNG, and their download buttons."""
from __future__ import annotations

import io

import numpy as np
import streamlit as st

from dashboard.figures.common import as_numpy, figure_png


def _table(array) -> np.ndarray:
    """(N, d) floats from a tensor or array-like; a 1D input is one column."""
    a = as_numpy(array, float)
    return a[:, None] if a.ndim == 1 else a


def csv_bytes(array, columns=None) -> bytes:
    """An (N, d) array as CSV text with a header (x, y for 2D; x1..xd otherwise)."""
    a = _table(array)
    if a.ndim != 2:
        raise ValueError(f"samples must be an (N, d) table; got shape {a.shape}")
    d = a.shape[1]
    columns = list(columns) if columns is not None else (["x", "y"] if d == 2 else
                                                         ["x"] if d == 1 else [f"x{i + 1}" for i in range(d)])
    buf = io.StringIO()
    np.savetxt(buf, a, delimiter=",", header=",".join(columns), comments="", fmt="%.7g")
    return buf.getvalue().encode("utf-8")


def png_bytes(fig, dpi: int = 150) -> bytes:
    """A matplotlib Figure as PNG bytes, cropped to what is drawn (figure_png with tight=True)."""
    return figure_png(fig, dpi=dpi, tight=True)


def download_csv(array, filename: str, label: str = "Download CSV", columns=None, key=None):
    """A download button for samples (N, d) as CSV; the file is written when it is clicked."""
    a = _table(array).copy()
    return st.download_button(label, data=lambda: csv_bytes(a, columns), file_name=filename,
                              mime="text/csv", on_click="ignore", key=key or f"_csv_{filename}",
                              icon=":material/download:")


def download_png(fig, filename: str, label: str = "Download PNG", dpi: int = 150, key=None):
    """A download button for a matplotlib Figure as PNG; the image is rendered when clicked."""
    return st.download_button(label, data=lambda: png_bytes(fig, dpi), file_name=filename,
                              mime="image/png", on_click="ignore", key=key or f"_png_{filename}",
                              icon=":material/download:")
