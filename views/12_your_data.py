"""Your data: any 2D point set (drawn, a shape, a word, a CSV file) becomes the distribution p₀."""
import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from dashboard import drawing, yourdata
from diffusion_core import pointsets as ps
from dashboard.figures import yours as yfig
from dashboard.figures.common import figure_png
from dashboard import downloads, state
from dashboard import settings as sio

P = state.PERSIST_PREFIX + "yours_"
CANDIDATE = "yours_candidate"        # the last valid points of this page: (points, source)
SOURCES = {"draw": yourdata.DRAWN, "shape": "Shape", "word": "Word", "csv": "CSV file"}
CANVAS = 360                          # canvas side, pixels


@state.cache_data(max_entries=32)
def word(text: str, n: int) -> np.ndarray:
    return drawing.word_points(text, n, yourdata.RADIUS)


@state.cache_data(max_entries=16)
def preview_png(points: np.ndarray, width: float, title: str) -> bytes:
    gmm = ps.mixture_from_points(points, width, yourdata.MAX_POINTS)
    return figure_png(yfig.points_figure(gmm, points, title))


@state.cache_data(max_entries=2)
def empty_png(message: str) -> bytes:
    return figure_png(yfig.empty_figure(message, yourdata.RADIUS))


def _use():
    """on_click: the page's points and width become the sidebar's "your data"."""
    pts, source = st.session_state[CANDIDATE]
    factor = st.session_state.get(P + "width", 1.0)
    st.session_state[yourdata.KEY] = yourdata.entry(pts, yourdata.width_of(pts, factor), source)
    st.session_state[state.PERSIST_PREFIX + "mixture"] = yourdata.NAME


st.title("Your data: any point set as p₀")
st.markdown(
    "Draw a shape, pick one, type a word or upload a CSV file of points: its N points become "
    "p₀ = (1/N) Σᵢ N(xᵢ, h² I), a mixture of N small round Gaussians. That is still a Gaussian "
    "mixture, so its score, its diffusion pₜ and exact sampling work as for the presets, on "
    "**every page**: press *Use as p₀ on every page*, then open the Score field or the "
    "Exact-score reversal.")
st.markdown("**Question:** make h small, then large. Which h makes the reverse process give back "
            "your exact points, and which gives a blurred copy of your shape? What should a "
            "generative model do?")

source = state.widget(st.radio, P + "source", format_func=SOURCES.get, horizontal=True)
left, right = st.columns([1, 1.1], gap="large")
points, problem = None, None
with left:
    if source == "draw":
        if st.session_state.get("page_entered"):      # the canvas starts empty on every visit
            st.session_state.pop("yours_drawn", None)
        mode = st.radio("Pen", ["freedraw", "point"], horizontal=True, key="yours_pen",
                        format_func={"freedraw": "strokes", "point": "single points"}.get)
        result = st_canvas(stroke_width=3, stroke_color="#1f3b73", background_color="#ffffff",
                           height=CANVAS, width=CANVAS, drawing_mode=mode, point_display_radius=3,
                           key="yours_canvas", update_streamlit=True)
        drawn = yourdata.canvas_points(getattr(result, "json_data", None), CANVAS)
        if len(drawn):
            st.session_state["yours_drawn"] = True
            points = drawn
        elif st.session_state.get("yours_drawn"):
            st.info("The canvas is empty: draw a shape (at least 2 points).")
        else:
            st.info("Draw with the mouse: strokes become points along the line. The preview on "
                    "the right updates when you let go.")
    elif source == "shape":
        name = state.widget(st.selectbox, P + "shape")
        n = state.widget(st.slider, P + "n", step=10)
        points = ps.SHAPES[name](int(n))
    elif source == "word":
        text = state.widget(st.text_input, P + "word", max_chars=drawing.MAX_WORD_LENGTH,
                             help=f"Short words read best: p₀ holds at most {yourdata.MAX_POINTS:,} points.")
        n = state.widget(st.slider, P + "n", step=10)
        try:
            points = word(text, int(n))
        except ValueError as e:
            problem = f"Word: {e}."
        need, letters = drawing.points_needed(text), len("".join(text.split()))
        if problem is None and n < need:
            wider = st.session_state.get(P + "width", sio.SCHEMA[P + "width"].default) < sio.SCHEMA[P + "width"].hi
            st.info(f"“{text.strip()}” has {letters} letters: at {n} points that is {n / letters:.0f} "
                    f"a letter, and below {drawing.POINTS_PER_LETTER} a letter the strokes of some letters "
                    f"break into loose dots. If the preview is hard to read, use about {need:,} points"
                    + (", a shorter word or a larger smoothing width, which joins a stroke's dots (too large "
                       "a width blurs the letters)." if wider else " or a shorter word."))
    else:
        up = st.file_uploader("CSV file of points (x, y per line)", type=["csv", "txt"],
                              key="yours_csv", max_upload_size=5)
        st.caption(f"Two numbers per line, comma, semicolon, tab or space separated, an optional "
                   f"header; at most {ps.MAX_CSV_ROWS:,} rows and 5 MB. More than "
                   f"{yourdata.MAX_POINTS:,} points are thinned evenly.")
        if up is not None:
            try:
                points = ps.parse_points_csv(up.getvalue())
            except ValueError as e:
                problem = f"CSV file: {e}."
    if points is not None and problem is None:
        try:
            st.session_state[CANDIDATE] = (yourdata.check(points, SOURCES[source]), SOURCES[source])
        except ValueError as e:
            problem = f"{e}."
    if problem:
        st.error(problem + " The last valid points stay in use.")

if CANDIDATE not in st.session_state:
    first = {k: sio.SCHEMA[P + k].default for k in ("shape", "n")}     # the page's starting shape
    st.session_state[CANDIDATE] = (yourdata.check(ps.SHAPES[first["shape"]](first["n"])), "Shape")
in_use_entry = st.session_state.get(yourdata.KEY)
restored = (source == "draw" and points is None          # an empty canvas, drawn points in use
            and yourdata.drawn_in_use(st.session_state.get(state.PERSIST_PREFIX + "mixture"), in_use_entry))
if restored:
    st.session_state[CANDIDATE] = (np.asarray(in_use_entry["points"], dtype=float), yourdata.DRAWN)
pts, label = st.session_state[CANDIDATE]
with right:
    factor = state.widget(st.slider, P + "width", step=0.05,
                       help="h = this factor × the median distance from a point to its nearest "
                            "neighbour: 1 joins neighbouring points into a smooth curve.")
    if source == "draw" and points is None and not restored:   # the preview shows what the canvas holds: nothing
        st.image(empty_png(yourdata.EMPTY_CANVAS), width="stretch")
        st.caption(yourdata.EMPTY_CANVAS + " The sidebar's distribution stays as it is.")
        st.stop()
    h = yourdata.width_of(pts, factor)
    st.image(preview_png(pts, h, f"{len(pts)} points ({label}), h = {h:.3f}"), width="stretch")
    st.caption(f"log p₀ of your {len(pts)} points (from: {label}; centred and scaled to radius {yourdata.RADIUS:g}), "
               f"each the mean of a round Gaussian of std h = {h:.3f}."
               + (" " + yourdata.DRAWN_IN_USE if restored else ""))
    status, said = yourdata.use_status(st.session_state.get(state.PERSIST_PREFIX + "mixture"),
                                       st.session_state.get(yourdata.KEY), yourdata.entry(pts, h, label))
    show = st.success if status == yourdata.IN_USE else st.warning if status == yourdata.OUT_OF_DATE else st.info
    show(said)
    if status != yourdata.IN_USE:
        st.button("Use as p₀ on every page", on_click=_use, type="secondary", key="yours_use",
                  icon=":material/publish:")
    downloads.download_csv(pts, "your-points.csv", "Download these points (CSV)", key="yours_download")
    st.caption(f"p₀ uses at most {yourdata.MAX_POINTS:,} points: more are thinned evenly, in the order "
               "they were drawn (always the same points for the same input), so that the exact score "
               "stays fast. With many points, pages that draw something per mode draw it for a few "
               "modes only and say so. "
               "Links carry settings, not points: a list of points is too long for an address. "
               "*Download settings (JSON)*, under *Share and save settings* in the sidebar, saves them "
               "with everything else, and "
               "loading that file brings your data back.")
