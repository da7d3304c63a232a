"""Every text a student reads on every page: no unformatted `{placeholder}` (a missing f-prefix)
and no raw LaTeX such as `x_{t_j}` outside formulas (st.latex and $...$ in markdown are formulas).

Each page is rendered through app.py at its defaults and in the states a lesson visits that show
extra text (the probability-flow ODE's info box at a small lambda, for example)."""
import glob
import json
import os
import re

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest
from conftest import app_test

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "views", "[0-9]*.py")))

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.\[\]'\"]*(?:[:!][^{}]*)?\}")
RAW_LATEX = re.compile(r"_\{|\\(?:frac|sigma|alpha|lambda|nabla|mathcal|sqrt|tfrac|log)\b")
# a subscript typed with an underscore where the page means math: p_t, σ_t, Σ_k, s_xx, β_max
RAW_SUBSCRIPT = re.compile(r"(?<![\w.])(?:[A-Za-z]|[σαβλΣμγεπ])_(?:\{|[A-Za-z0-9]+\b)")
FORMULA = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`]*`", re.S)
SKIP_TYPES = {"latex", "code", "vega_lite_chart", "arrow_vega_lite_chart", "dataframe",
              "arrow_data_frame", "json"}
TEXT_FIELDS = {"body", "label", "help", "placeholder", "caption", "text", "value", "options",
               "default", "format"}

# (page, session-state values set before the page runs): states a lesson visits
SHORT = {"views/13_digits.py": {"w_digits_steps": 40}}   # pages that train: a short run
STATES = [(p, SHORT.get(p, {})) for p in PAGES] + [
    ("views/3_reversal.py", {"w_reversal_method": "ode", "w_reversal_lam": 10.0, "w_reversal_steps": 20}),
    ("views/3_reversal.py", {"w_reversal_method": "pc", "w_reversal_lam": 2.0, "w_reversal_steps": 20}),
    ("views/1_forward.py", {"w_forward_kind": "VP"}),
    ("views/2_score_field.py", {"w_score_view": "weighted", "w_score_t": 0.5}),
]


def _strings(obj):
    """Every string held under a text-like field of a proto's dict form."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in TEXT_FIELDS and isinstance(v, str):
                yield v
            elif k in TEXT_FIELDS and isinstance(v, list):
                yield from (s for s in v if isinstance(s, str))
            elif isinstance(v, (dict, list)):
                yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def visible_texts(node):
    """(element type, text) of every element under node, formulas removed."""
    children = getattr(node, "children", None)
    proto = getattr(node, "proto", None)
    kind = getattr(node, "type", "")
    if proto is not None and kind not in SKIP_TYPES and not (kind == "markdown" and getattr(node, "is_latex", False)):
        for s in _strings(MessageToDict(proto)):
            yield kind, FORMULA.sub(" ", s)
    if children:
        for c in (children.values() if isinstance(children, dict) else children):
            yield from visible_texts(c)


def _titles(obj):
    """Every string under a "title" (axis, legend, chart) of a Vega-Lite spec."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "title" and isinstance(v, str):
                yield v
            elif k == "title" and isinstance(v, dict) and isinstance(v.get("text"), str):
                yield v["text"]
            elif k == "title" and isinstance(v, list):
                yield from (s for s in v if isinstance(s, str))
            else:
                yield from _titles(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _titles(v)


def chart_titles(at):
    """("chart title", text) of every title in every Vega-Lite chart on the page."""
    for c in at.get("vega_lite_chart"):
        for t in _titles(json.loads(c.proto.spec)):
            yield "chart title", t


def bad_texts(at) -> list:
    out = []
    for kind, text in [*visible_texts(at._tree), *chart_titles(at)]:
        if kind == "latex":
            continue
        for rx in (PLACEHOLDER, RAW_LATEX, RAW_SUBSCRIPT):
            m = rx.search(text)
            if m:
                out.append((kind, m.group(), text[max(0, m.start() - 60): m.end() + 60]))
    return out


@pytest.mark.parametrize("page,state", STATES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(STATES)])
def test_no_placeholder_or_raw_latex(page, state):
    at = app_test(240)
    at.run()
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert bad_texts(at) == []


def test_scanner_finds_what_it_should():
    """The scanner itself: a placeholder and raw LaTeX in plain text are found, formulas are not."""
    at = AppTest.from_string(
        "import streamlit as st\n"
        "st.markdown('value {sigma1:.2f} here')\n"
        "st.caption('x_{t_j} raw')\n"
        "st.markdown('fine $x_{t}$ and `a_{b}` and {1, 2} and σₜ, p₀')\n"
        "st.caption('σ_t grows')\n"
        "st.latex(r'\\sigma_{t}')\n")
    at.run()
    found = [m for _, m, _ in bad_texts(at)]
    assert found == ["{sigma1:.2f}", "{t_j}", "_{", "x_{", "σ_t"]


def test_upload_boxes_state_no_second_size_limit():
    """Streamlit's upload box states its limit ("Limit 1MB per file"); our labels and help texts
    must not state another one."""
    at = app_test(240)
    at.run()
    at.switch_page("views/5_mixture_editor.py").run()
    texts = [s for u in at.get("file_uploader") for s in _strings(MessageToDict(u.proto))]
    assert len(at.get("file_uploader")) == 2 and texts
    assert not [t for t in texts if re.search(r"\d\s*(kB|KB|MB)", t)], texts


def test_home_picture_shows_the_sidebar_distribution():
    """Home's picture (inside the page's message, a data-URI image) is captioned with the sidebar's
    distribution, and changes with it."""
    at = app_test(240)
    at.run()
    captions = lambda: " ".join(c.value for c in at.caption if "blurred by the tutorial's forward process" in c.value)  # noqa: E731
    pictures = lambda: [m.value for m in at.markdown if "data:image/png;base64," in m.value]  # noqa: E731
    assert "tutorial" in captions() and "ring8" not in captions() and len(pictures()) == 1
    before = pictures()[0]
    at.selectbox(key="w_mixture").set_value("ring8").run()
    assert not at.exception and "ring8" in captions() and len(pictures()) == 1 and pictures()[0] != before
