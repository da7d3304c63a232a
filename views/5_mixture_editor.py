"""Mixture editor: build a 2D Gaussian mixture in a table; valid edits become the sidebar's "custom"."""
import pandas as pd
import streamlit as st

import diffusion_core as dc
from dashboard import editing as ed
from dashboard import editor, state

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
    "s_xx": "variance along x (> 0)",
    "s_xy": "covariance of x and y: |s_xy| < √(s_xx·s_yy)",
    "s_yy": "variance along y (> 0)",
    "weight": "relative weight (>= 0, at least one > 0); weights are divided by their sum",
}
FORMATS = {"mean x": "%.3f", "mean y": "%.3f", "std 1": "%.4f", "std 2": "%.4f", "angle (°)": "%.2f",
           "s_xx": "%.4f", "s_xy": "%.4f", "s_yy": "%.4f", "weight": "%.4f"}


# ------------------------------------------------------------------------------------ state
def _table_key() -> str:
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
    return ed.apply_table_edits(ss[S + "base"], ss.get(_table_key()), ed.COLUMNS[ss[S + "mode"]])


def _on_edit():
    ss[S + "edited"] = True
    gmm, _ = ed.mixture_from_rows(_pending_rows(), ss[S + "mode"])
    if gmm is not None:
        ss[S + "last_valid"] = gmm.to_dict()
        _use(gmm)


def _on_apply():
    gmm, _ = ed.mixture_from_rows(_pending_rows(), ss[S + "mode"])
    if gmm is not None:
        _use(gmm)


def _on_load():
    name = ss[P + "source"]
    _load(state.current_mixture(name), ss[S + "mode"], name)


def _on_mode():
    """Rewrite the table in the other form (from the table if valid, else the last valid mixture)."""
    gmm, errors = ed.mixture_from_rows(_pending_rows(), ss[S + "mode"])
    if gmm is None:
        gmm = dc.GaussianMixture.from_dict(ss[S + "last_valid"])
        ss[S + "note"] = "The table had errors: it was rewritten from the last valid mixture."
    _load(gmm, ss[P + "mode"], ss[S + "source"], ss[S + "edited"])


def _on_upload():
    f = ss.get(S + "upload")
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
    _load(gmm, ss[S + "mode"], f.name, edited=True)
    _use(gmm)
    ss[S + "note"] = f"Imported {gmm.n_components} component(s) from {f.name}; now in use."


# ------------------------------------------------------------------------------------ setup
settings = state.settings()
mode = ss[state.init(P + "mode")]
sidebar_now = settings.mixture_name
if S + "base" not in ss:                                     # first visit: the sidebar's mixture
    _load(state.current_mixture(), mode, sidebar_now)
elif (ss.get(S + "sidebar_seen") != sidebar_now and not ss[S + "edited"]
      and ss[S + "source"] != sidebar_now):
    _load(state.current_mixture(), ss[S + "mode"], sidebar_now)   # follow a new sidebar choice
elif _table_key() not in ss and ss[S + "rows"] != ss[S + "base"]:
    # back from another page: the editor's own state is gone, its last table is kept here
    ss[S + "base"] = ss[S + "rows"]
    ss[S + "version"] += 1
ss[S + "sidebar_seen"] = sidebar_now
if any((ss.get(_table_key()) or {}).get(k) for k in ("edited_rows", "added_rows", "deleted_rows")):
    # fold the last edits into the table, so new rows get their numbers at once
    ss[S + "base"] = _pending_rows()
    ss[S + "version"] += 1
if ss[S + "mode"] != ss[P + "mode"]:                         # e.g. after a reset
    ss[P + "mode"] = ss[S + "mode"]

st.title("Mixture editor")
st.markdown(
    "Design your own distribution p₀: one row per Gaussian component. Every **valid** edit becomes "
    "the sidebar's **custom** distribution at once, so every page (score field, reversal, training, "
    "the lab) works on it; while the table has errors, the last valid mixture stays in use.")

c1, c2, c3 = st.columns([1.3, 0.7, 1.4], vertical_alignment="bottom")
choices = state.mixture_choices()
state.init(P + "source", settings.mixture_name if settings.mixture_name in choices else choices[0])
if ss[P + "source"] not in choices:
    ss[P + "source"] = choices[0]
c1.selectbox("Start from", choices, key=P + "source",
             help="A preset (or the current custom mixture) to load into the table.")
c2.button("Load into table", on_click=_on_load, key=S + "load", width="stretch")
c3.segmented_control("Covariance as", list(MODE_LABELS), format_func=MODE_LABELS.get,
                     key=P + "mode", on_change=_on_mode, required=True,
                     help="std 1, std 2, angle: Σ = R(angle) diag(std1², std2²) R(angle)ᵀ. "
                          "Covariance entries: Σ = [[s_xx, s_xy], [s_xy, s_yy]].")
if S + "note" in ss:
    st.info(ss.pop(S + "note"))

# Between the controls and the table, so the table's hover toolbar (top right) covers no control.
st.caption(f"Click a cell to edit it. Add a row with the + under the table; delete rows by ticking "
           f"them on the left and pressing the bin. At most {ed.MAX_COMPONENTS} components.")
mode = ss[S + "mode"]
cols = ed.COLUMNS[mode]
defaults = ed.blank_row(mode)
edited = st.data_editor(
    pd.DataFrame(ed.shown_rows(ss[S + "base"], cols), columns=list(cols),
                 index=pd.RangeIndex(1, len(ss[S + "base"]) + 1, name="row")),
    key=_table_key(), num_rows="dynamic", hide_index=False, on_change=_on_edit, width="stretch",
    column_config={c: st.column_config.NumberColumn(c, help=COLUMN_HELP[c], format=FORMATS[c],
                                                    default=defaults[c]) for c in cols})
rows = edited.to_dict("records")
ss[S + "rows"] = rows
gmm, errors = ed.mixture_from_rows(rows, mode)

left, right = st.columns([1, 1.25], gap="large")
with left:
    in_use = ss.get(state.PERSIST_PREFIX + "mixture") == "custom" and "custom_mixture" in ss
    if errors:
        st.error(f"**The table has {len(errors)} problem(s)**; the last valid mixture stays in use.\n\n"
                 + "\n".join(f"- {e}" for e in errors))
    else:
        ss[S + "last_valid"] = gmm.to_dict()
        custom = ss.get("custom_mixture")
        if in_use and ss[S + "edited"] and (custom is None or dc.GaussianMixture.from_dict(custom) != gmm):
            ss["custom_mixture"] = gmm.to_dict()      # an edit the callback could not see
        if in_use and dc.GaussianMixture.from_dict(ss["custom_mixture"]) == gmm:
            st.success("In use on every page as the sidebar's **custom** distribution.")
        else:
            st.info(f"This table shows **{ss[S + 'source']}**. Edit it, or use it as it is:")
            st.button("Use this table on every page", on_click=_on_apply, type="primary",
                      key=S + "apply", help="Makes it the sidebar's custom distribution.")
    shown = gmm if gmm is not None else dc.GaussianMixture.from_dict(ss[S + "last_valid"])

    st.subheader("Save and share")
    st.download_button("Export mixture JSON", ed.mixture_to_json(shown), file_name="mixture.json",
                       mime="application/json", on_click="ignore", key=S + "export",
                       help='The mixture on the right, as {"means": [[x, y], …], "covs": '
                            '[[[s_xx, s_xy], [s_xy, s_yy]], …], "weights": […]}.')
    st.file_uploader("Import mixture JSON", type=["json"], key=S + "upload", on_change=_on_upload,
                     max_upload_size=MAX_UPLOAD_MB,
                     help=f"A file written by Export, with at most {ed.MAX_COMPONENTS} components.")
    if ss.get(S + "import_errors"):
        st.error("**Could not import the file:**\n\n"
                 + "\n".join(f"- {e}" for e in ss[S + "import_errors"]))

with right:
    title = ("the table's mixture: ellipses at 1 and 2 std" if gmm is not None
             else "last valid mixture (the table has errors)")
    st.image(editor.preview_png(shown, settings.seed, title), width="stretch")
    w = ", ".join(f"{k + 1}: {v:.2f}" for k, v in enumerate(shown.weights.tolist()))
    st.caption(f"Normalized weights {w}. Dots: {editor.N_PREVIEW} samples (sidebar seed).")

with st.expander("The formulas behind the table", expanded=False):
    st.latex(r"p_0(x) = \sum_k \frac{w_k}{\sum_j w_j}\,\mathcal N(x;\ \mu_k, \Sigma_k), \qquad "
             r"\Sigma_k = R(\theta_k)\begin{pmatrix} s_1^2 & 0 \\ 0 & s_2^2\end{pmatrix}R(\theta_k)^\top"
             r" = \begin{pmatrix} s_{xx} & s_{xy} \\ s_{xy} & s_{yy}\end{pmatrix}")
    st.markdown("A covariance must be **positive definite** (s_xx > 0, s_yy > 0, s_xy² < s_xx·s_yy): "
                "then it is a rotated ellipse with principal stds s₁, s₂, which is what the "
                "std/angle form states directly. Narrow components (small std) make a sharp "
                "distribution that samplers need more steps to resolve: try it in the sampler lab.")
