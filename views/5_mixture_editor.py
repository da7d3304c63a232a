"""Mixture editor: build a 2D Gaussian mixture in a table; valid edits become the sidebar's "custom"."""
import streamlit as st

from dashboard import mixture_table as ed
from dashboard import editor, state

P, S = editor.P, editor.S
ss = st.session_state
shared = state.settings()
editor.sync_table(shared)

st.title("Mixture editor")
st.markdown(
    "Design your own distribution p₀: one row per Gaussian component. Every **valid** edit becomes "
    "the sidebar's **custom** distribution at once, so every page (score field, reversal, training, "
    "the lab) works on it; while the table has errors, every page keeps the distribution it had.")

c1, c2, c3 = st.columns([1.3, 0.7, 1.4], vertical_alignment="bottom")
choices = state.mixture_choices()
state.init(P + "source", shared.mixture_name if shared.mixture_name in choices else choices[0])
if ss[P + "source"] not in choices:
    ss[P + "source"] = choices[0]
c1.selectbox("Start from", choices, key=P + "source",
             help="A preset (or the current custom mixture) to load into the table.")
c2.button("Load into table", on_click=editor.on_load, key=S + "load", width="stretch")
c3.segmented_control("Covariance as", list(editor.MODE_LABELS), format_func=editor.MODE_LABELS.get,
                     key=P + "mode", on_change=editor.on_mode, required=True,
                     help="std 1, std 2, angle: Σ = R(angle) diag(std1², std2²) R(angle)ᵀ. "
                          "Covariance entries: Σ = [[var x, cov xy], [cov xy, var y]].")
if S + "note" in ss:            # kept until the table is loaded again: edits do not move the table
    st.info(ss[S + "note"])
if S + "refused" in ss:
    st.warning("**Cells that were not numbers were emptied:**\n\n"
               + "\n".join(f"- {e}" for e in ss.pop(S + "refused")))

# Between the controls and the table, so the table's hover toolbar (top right) covers no control.
st.caption(f"Double-click a cell to edit it (a single click only selects it). Add a row with the + under the table; delete rows by ticking "
           f"them on the left and pressing the bin. At most {ed.MAX_COMPONENTS} components.")
mode = ss[S + "mode"]
cols = ed.COLUMNS[mode]
defaults = ed.blank_row(mode)
edited = st.data_editor(
    ed.table_frame(ss[S + "base"], cols)[0],
    key=editor.table_key(), num_rows="dynamic", hide_index=False, on_change=editor.on_edit, width="stretch",
    column_config={c: st.column_config.NumberColumn(c, help=editor.COLUMN_HELP[c], format=editor.FORMATS[c],
                                                    default=defaults[c]) for c in cols})
rows = edited.to_dict("records")
ss[S + "rows"] = rows
if note := editor.rewrite_note(rows, mode):
    st.caption(note)
gmm, errors = ed.mixture_from_rows(rows, mode)

left, right = st.columns([1, 1.25], gap="large")
with left:
    shown = editor.show_status(gmm, errors)

    st.subheader("Save and share")
    st.download_button("Export mixture JSON", ed.mixture_to_json(shown), file_name="mixture.json",
                       mime="application/json", on_click="ignore", key=S + "export",
                       help='The mixture on the right, as {"means": [[x, y], …], "covs": '
                            '[[[var x, cov xy], [cov xy, var y]], …], "weights": […]}.')
    st.file_uploader("Import mixture JSON", type=["json"], key=editor.upload_key(), on_change=editor.on_upload,
                     max_upload_size=editor.MAX_UPLOAD_MB,
                     help=f"A file written by Export, with at most {ed.MAX_COMPONENTS} components.")
    if ss.get(S + "import_errors"):
        st.error("**Could not import the file:**\n\n"
                 + "\n".join(f"- {e}" for e in ss[S + "import_errors"]))

with right:
    title = editor.preview_title(gmm, shown)
    st.image(editor.preview_png(shown, shared.seed, title), width="stretch")
    w = ", ".join(f"{k + 1}: {v:.4g}" for k, v in enumerate(shown.weights.tolist()))     # ring8's 0.125 whole
    st.caption(f"Normalized weights {w}. Dots: {editor.N_PREVIEW} samples (sidebar seed).")

with st.expander("The formulas behind the table", expanded=False):
    st.latex(r"p_0(x) = \sum_k \frac{w_k}{\sum_j w_j}\,\mathcal N(x;\ \mu_k, \Sigma_k), \qquad "
             r"\Sigma_k = R(\theta_k)\begin{pmatrix} s_1^2 & 0 \\ 0 & s_2^2\end{pmatrix}R(\theta_k)^\top"
             r" = \begin{pmatrix} s_{xx} & s_{xy} \\ s_{xy} & s_{yy}\end{pmatrix}")
    st.markdown("A covariance must be **positive definite** (var x > 0, var y > 0, cov xy² < var x·var y): "
                "then it is a rotated ellipse with principal stds s₁, s₂, which is what the "
                "std/angle form states directly. Narrow components (small std) make a sharp "
                "distribution that samplers need more steps to resolve: try it in the sampler lab.")
