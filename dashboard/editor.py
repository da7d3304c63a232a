"""The mixture editor page's table state and callbacks (the table is a st.data_editor whose base
rows live in the session; valid edits become the sidebar's "custom" mixture), its status message
and its cached preview figure."""
from __future__ import annotations

import math

import numpy as np
import streamlit as st
import torch

import diffusion_core as dc
from dashboard import mixture_table as ed
from dashboard import state
from dashboard.figures import lab as lfig
from dashboard.figures.common import auto_limits, figure_png


N_PREVIEW = 600
P = state.PERSIST_PREFIX + "editor_"     # persisted widgets
S = "lab_editor_"                         # page state, and widgets whose state is read-only
MODE_LABELS = {"std_angle": "std 1 · std 2 · angle", "raw": "covariance entries"}
MAX_UPLOAD_MB = 1
ss = st.session_state

COLUMN_HELP = {
    "mean x": "x coordinate of the component's centre, between -50 and 50",
    "mean y": "y coordinate of the component's centre, between -50 and 50",
    "std 1": "spread along the direction `angle`, between 0.01 and 20",
    "std 2": "spread across that direction, between 0.01 and 20 (std 1 / std 2 = elongation)",
    "angle (°)": "direction of std 1, in degrees counter-clockwise from the x axis",
    "var x": "variance along x (> 0)",
    "cov xy": "covariance of x and y: |cov xy| < √(var x·var y)",
    "var y": "variance along y (> 0)",
    "weight": "relative weight (>= 0, at least one > 0); weights are divided by their sum",
}
FORMATS = {"mean x": "%.3f", "mean y": "%.3f", "std 1": "%.4f", "std 2": "%.4f", "angle (°)": "%.2f",
           "var x": "%.4f", "cov xy": "%.4f", "var y": "%.4f", "weight": "%.4f"}


# ------------------------------------------------------------------------------------ state
def table_key() -> str:
    return f"{S}table_{ss.get(S + 'version', 0)}"


def _load(gmm: dc.GaussianMixture, mode: str, source: str, edited: bool = False):
    """Put a mixture in the table (a fresh editor, no pending edits)."""
    rows = ed.rows_from_mixture(gmm, mode, digits=None)     # exact; the table rounds for display
    ss[S + "base"], ss[S + "rows"], ss[S + "mode"] = rows, rows, mode
    ss[S + "source"], ss[S + "edited"] = source, edited
    ss[S + "last_valid"] = gmm.to_dict()
    ss[S + "version"] = ss.get(S + "version", 0) + 1


def _use(gmm: dc.GaussianMixture):
    """Make gmm the sidebar's "custom" distribution and select it (only from callbacks: they
    run before the sidebar is drawn)."""
    ss["custom_mixture"] = gmm.to_dict()
    ss[state.PERSIST_PREFIX + "mixture"] = "custom"
    ss[S + "source"] = "custom"


def _pending_rows() -> list[dict]:
    """The table as shown now: the editor's base plus its not-yet-run edits."""
    return ed.apply_table_edits(ss[S + "base"], ss.get(table_key()), ed.COLUMNS[ss[S + "mode"]])


def on_edit():
    ss[S + "edited"] = True
    gmm, _ = ed.mixture_from_rows(_pending_rows(), ss[S + "mode"])
    if gmm is not None:
        ss[S + "last_valid"] = gmm.to_dict()
        _use(gmm)


def on_apply():
    gmm, _ = ed.mixture_from_rows(_pending_rows(), ss[S + "mode"])
    if gmm is not None:
        _use(gmm)


def _loadable(name: str) -> tuple[dc.GaussianMixture, str]:
    """The mixture `name` and its name, or the tutorial preset when it has more modes than the
    table holds (a drawn point set), with a note saying so."""
    gmm = state.current_mixture(name)
    if gmm.n_components <= ed.MAX_COMPONENTS:
        return gmm, name
    ss[S + "note"] = (f"**{name}** has {gmm.n_components:,} modes, more than this table holds "
                      f"({ed.MAX_COMPONENTS}): the table starts from the **tutorial** mixture instead. "
                      "Drawn points are edited on *Your data*.")
    return dc.PRESETS["tutorial"], "tutorial"


def on_load():
    ss.pop(S + "note", None)
    gmm, name = _loadable(ss[P + "source"])
    _load(gmm, ss[S + "mode"], name)


def on_mode():
    """Rewrite the table in the other form (from the table if valid, else the last valid mixture)."""
    ss.pop(S + "note", None)
    gmm, errors = ed.mixture_from_rows(_pending_rows(), ss[S + "mode"])
    if gmm is None:
        gmm = dc.GaussianMixture.from_dict(ss[S + "last_valid"])
        ss[S + "note"] = "The table had errors: it was rewritten from the last valid mixture."
    _load(gmm, ss[P + "mode"], ss[S + "source"], ss[S + "edited"])


def upload_key() -> str:
    """The import box's key: a new one after each import, so that the box empties once the file is in
    the table (the note names it) and shows no file after Reset or another mixture is chosen."""
    n = ss.get(S + "imports", 0)
    return S + "upload" + (str(n) if n else "")


def on_upload():
    f = ss.get(upload_key())
    ss.pop(S + "import_errors", None)
    if f is None:
        return
    if f.size > ed.MAX_JSON_BYTES:
        ss[S + "import_errors"] = [f"file: must be at most {ed.MAX_JSON_BYTES // 1024} KB; "
                                   f"{f.name} is {f.size / 1024:.0f} KB"]
        return
    gmm, errors = ed.mixture_from_json(f.getvalue())
    if gmm is None:
        ss[S + "import_errors"] = errors
        return
    ss.pop(S + "note", None)
    _load(gmm, ss[S + "mode"], f.name, edited=True)
    _use(gmm)
    ss[P + "source"] = "custom"          # the "Start from" box names the mixture now in the table
    ss[S + "note"] = f"Imported {count(gmm.n_components, 'component')} from {f.name} into the table."
    ss[S + "imports"] = ss.get(S + "imports", 0) + 1


def sync_table(settings) -> None:
    """Set up the table's state before the page draws it: load the sidebar's mixture on the first
    visit or when the sidebar changes, restore the last table after a visit to another page, and
    fold pending edits into the table. Cells a number column cannot hold are emptied first, with a
    message (see mixture_table.table_rows)."""
    mode = ss[state.init(P + "mode")]
    sidebar_now = settings.mixture_name
    if S + "base" not in ss:                                     # first visit: the sidebar's mixture
        gmm, name = _loadable(sidebar_now)
        _load(gmm, mode, name)
    elif (ss.get(S + "sidebar_seen") != sidebar_now and not ss[S + "edited"]
          and ss[S + "source"] != sidebar_now):
        ss.pop(S + "note", None)
        gmm, name = _loadable(sidebar_now)                       # follow a new sidebar choice
        _load(gmm, ss[S + "mode"], name)
    elif table_key() not in ss and ss[S + "rows"] != ss[S + "base"]:
        # back from another page: the editor's own state is gone, its last table is kept here
        ss[S + "base"] = ss[S + "rows"]
        ss[S + "version"] += 1
    ss[S + "sidebar_seen"] = sidebar_now
    base, refused = ed.table_rows(ss[S + "base"], ed.COLUMNS[ss[S + "mode"]])
    if refused:                              # a stored table with cells no number column holds
        ss[S + "base"], ss[S + "refused"] = base, refused
        ss[S + "version"] += 1
    if any((ss.get(table_key()) or {}).get(k) for k in ("added_rows", "deleted_rows")):
        # fold added and deleted rows into the table, so new rows get their numbers at once. Cell
        # edits stay in the editor's state: a new key remounts the editor, and a cell edited in the
        # old one while this run was under way (typed right after the previous edit) was lost
        ss[S + "base"] = _pending_rows()
        ss[S + "version"] += 1
    if ss[S + "mode"] != ss[P + "mode"]:                         # e.g. after a reset
        ss[P + "mode"] = ss[S + "mode"]


def show_status(gmm, errors: list[str]):
    """Say whether the table is valid and in use (offering to use it); return the mixture to show:
    the table's, or the last valid one while the table has errors."""
    in_use = ss.get(state.PERSIST_PREFIX + "mixture") == "custom" and "custom_mixture" in ss
    if errors:
        last = dc.GaussianMixture.from_dict(ss[S + "last_valid"])
        st.error(f"**The table has {count(len(errors), 'problem')}**: no page uses it. "
                 + errors_in_use_text(last) + "\n\n" + "\n".join(f"- {e}" for e in errors))
    else:
        ss[S + "last_valid"] = gmm.to_dict()
        custom = ss.get("custom_mixture")
        if in_use and ss[S + "edited"] and (custom is None or dc.GaussianMixture.from_dict(custom) != gmm):
            ss["custom_mixture"] = gmm.to_dict()      # an edit the callback could not see
        if in_use and dc.GaussianMixture.from_dict(ss["custom_mixture"]) == gmm:
            st.success("In use on every page as the sidebar's **custom** distribution.")
        else:
            st.info(f"This table shows **{ss[S + 'source']}**. Edit it, or use it as it is:")
            st.button("Use this table on every page", on_click=on_apply, type="primary",
                      key=S + "apply", help="Makes it the sidebar's custom distribution.")
    shown = gmm if gmm is not None else dc.GaussianMixture.from_dict(ss[S + "last_valid"])
    return shown


def rewrite_note(rows, mode: str) -> str:
    """The rows (std/angle form) that the table writes differently when it is loaded again (a
    reload, a link, Load into table): std 1 >= std 2 and the angle of the wider axis in
    (-90°, 90°], 0 for a round component. The same Gaussian: say so, row by row; else ""."""
    if mode != "std_angle":
        return ""
    keys, out = ("std 1", "std 2", "angle (°)"), []
    for i, rec in enumerate(rows, start=1):
        try:
            typed = [float(rec[k]) for k in keys]
        except (KeyError, TypeError, ValueError):
            continue
        if not all(map(math.isfinite, typed)) or min(typed[:2]) <= 0:
            continue
        again = ed.std_angle_from_cov(ed.cov_from_std_angle(*typed))
        shown = [FORMATS[k] % v for k, v in zip(keys, typed)]
        later = [FORMATS[k] % (v + 0.0) for k, v in zip(keys, again)]
        if later != shown:
            out.append(f"row {i} as std 1 = {later[0]}, std 2 = {later[1]}, angle {later[2]}°")
    if not out:
        return ""
    return ("Loaded again (after a reload, from a link or by *Load into table*), the table writes "
            + "; ".join(out) + (": the same Gaussian" if len(out) == 1 else ": the same Gaussians")
            + ", with std 1 the wider axis and the angle its direction, in (−90°, 90°].")


def count(n: int, noun: str) -> str:
    """'1 problem', '2 problems'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _last_valid_in_use(last: dc.GaussianMixture) -> tuple[str, bool]:
    """The sidebar's distribution (its name) and whether it is the table's last valid mixture."""
    name = ss.get(state.PERSIST_PREFIX + "mixture", "tutorial")
    return name, state.current_mixture() == last


def errors_in_use_text(last: dc.GaussianMixture) -> str:
    """While the table has errors: what every page uses (the sidebar's distribution) and whether
    the plot, the table's last valid mixture, is that one."""
    name, same = _last_valid_in_use(last)
    return (f"Every page keeps using the sidebar's **{name}** distribution; the plot shows the "
            "table's last valid mixture, " + ("which is that distribution." if same else
                                             "which is not in use."))


def preview_title(gmm, last: dc.GaussianMixture) -> str:
    """The preview's title: the table's mixture, or while the table has errors its last valid
    mixture, said to be in use or not."""
    if gmm is not None:
        return "the table's mixture: ellipses at 1 and 2 std"
    name, same = _last_valid_in_use(last)
    return ("table's last valid mixture, in use as " + name if same
            else f"table's last valid mixture, not in use (pages use {name})")


PREVIEW_MARGIN = 0.08    # room around the preview's samples and ellipses, a share of its width


def preview_samples(gmm: dc.GaussianMixture, seed: int) -> np.ndarray:
    """The N_PREVIEW samples the preview draws (sidebar seed)."""
    return gmm.sample(N_PREVIEW, generator=torch.Generator().manual_seed(seed))[0].numpy()


def preview_limits(gmm: dc.GaussianMixture, x) -> tuple[tuple[float, float], tuple[float, float]]:
    """The preview's square frame: every mode's mean ± 3 std (auto_limits: its 2-std ellipse and
    more) and every sample in x, with PREVIEW_MARGIN of the width around, so no dot is cut."""
    (x0, x1), (y0, y1) = auto_limits(gmm)
    x = np.asarray(x, dtype=float).reshape(-1, 2)
    x = x[np.isfinite(x).all(1)]
    if len(x):
        (x0, y0), (x1, y1) = np.minimum([x0, y0], x.min(0)), np.maximum([x1, y1], x.max(0))
    half = max(x1 - x0, y1 - y0) * (0.5 + PREVIEW_MARGIN)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (float(cx - half), float(cx + half)), (float(cy - half), float(cy + half))


def preview_figure(gmm: dc.GaussianMixture, seed: int, title: str):
    """The preview: the mixture, its N_PREVIEW samples, in preview_limits."""
    x = preview_samples(gmm, seed)
    return lfig.mixture_preview(gmm, x, *preview_limits(gmm, x), title=title)


@state.cache_data
def preview_png(gmm: dc.GaussianMixture, seed: int, title: str) -> bytes:
    return figure_png(preview_figure(gmm, seed, title), dpi=100)
