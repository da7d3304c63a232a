"""Every page in the states a student can reach, not only at its defaults.

One parametrized test renders each page of the navigation under a matrix of states: the sidebar's
presets (tutorial, ring8), a custom mixture with one far, narrow mode, *your data* with a small
smoothing width, and each page's λ at 1 (or its lowest), 10 and 50. In every state the page must
render without an exception, print no NaN or infinity in any text or metric, and leave no
placeholder or raw subscript in its text (tests/test_page_text.py's scanner). The pages' own
claims are checked against their own numbers in each page's tests (test_page_*.py), which use
the same states (STATES below).
"""
import re

import pytest

from conftest import PAGES, ROOT, metric_values, open_page, shorten_lessons_recipe
from dashboard import settings as schema
from dashboard import yourdata
from diffusion_core import pointsets as ps
from test_page_text import bad_texts, visible_texts

# a far, narrow mode: std 0.02 at distance 42 from a broad one
FAR_NARROW = {"means": [[0.0, 0.0], [30.0, -30.0]],
              "covs": [[[1.0, 0.0], [0.0, 1.0]], [[4e-4, 0.0], [0.0, 4e-4]]],
              "weights": [0.7, 0.3]}
MIXTURES = {
    "tutorial": {"w_mixture": "tutorial"},
    "ring8": {"w_mixture": "ring8"},
    "far narrow mode": {"w_mixture": "custom", "custom_mixture": FAR_NARROW},
    "your data, thin": {"w_mixture": yourdata.NAME,
                        yourdata.KEY: yourdata.entry(yourdata.check(ps.heart(60)), 0.05, "heart")},
}
LAMBDAS = (1.0, 10.0, 50.0)
FAST = {"w_train_steps": 100, "w_digits_steps": 40}   # pages whose first visit trains: short runs


def page_key(page: str) -> str | None:
    """The settings key of a page's λ widget: the schema's "w_<x>_lam" whose key the page's
    source names (as "w_<x>_lam" or through its prefix P = PERSIST_PREFIX + "<x>_"); None if none."""
    src = (ROOT / page).read_text()
    for key in schema.SCHEMA:
        if key.endswith("_lam"):
            x = key[len("w_"):-len("_lam")]
            if f'"{key}"' in src or f'PERSIST_PREFIX + "{x}_"' in src and '"lam"' in src:
                return key
    return None


def lam_states():
    for page in PAGES:
        key = page_key(page)
        if key is None:
            continue
        field = schema.SCHEMA[key]
        for lam in LAMBDAS:
            yield page, f"λ = {lam:g}", {key: min(max(lam, field.lo), field.hi)}


STATES = ([(p, name, s) for p in PAGES for name, s in MIXTURES.items()] + list(lam_states()))
NON_NUMBER = re.compile(r"(?<![\w.])(nan|-?inf|infinity)(?![\w])", re.I)


@pytest.mark.slow
@pytest.mark.parametrize("page,name,state", STATES, ids=[f"{p[6:-3]}-{n}" for p, n, _ in STATES])
def test_page_in_state(page, name, state, monkeypatch):
    shorten_lessons_recipe(monkeypatch)
    at = open_page(page, 600, **FAST, **state)
    assert not at.exception, [e.message for e in at.exception]
    metric_values(at)                                      # every metric a finite number
    texts = [t for kind, t in visible_texts(at._tree) if kind != "latex"]
    bad = [t for t in texts if NON_NUMBER.search(t)]
    assert not bad, bad
    assert bad_texts(at) == []


def test_every_page_has_states():
    """The matrix covers every page with every mixture, and every page with a λ slider at 1, 10, 50."""
    pages = {p for p, _, _ in STATES}
    assert pages == set(PAGES)
    with_lam = {p for p, n, _ in STATES if n.startswith("λ")}
    assert with_lam == {p for p in PAGES if page_key(p)} and len(with_lam) >= 5
