"""The running app in a real browser: headless Chromium visits every page of the navigation,
moves a widget on each, and fails on any exception box or browser console error.

Needs Debian's Chromium at /usr/bin/chromium (or $CHROMIUM_PATH); a missing browser is a failure.
"""
from __future__ import annotations

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import ROOT, AppServer, launch_chromium, settle  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 180_000   # one script run, the train page's first training included
VIEWPORT = {"width": 1280, "height": 900}

# The widget moved on each page, by label (the first label found on the page is used). A page
# without a listed label gets its first slider, else its first select box or radio, else the
# sidebar's seed. On the train page a sampling widget is moved, so that the test does not retrain.
WIDGETS: dict[str, list[str]] = {
    "": ["Random seed"],
    "forward": ["λ: noise growth rate"],
    "score": [],
    "reversal": [],
    "train": ["Sampling steps", "steps", "Samples"],
    "editor": [],
    "samplers": [],
    "likelihood": [],
    "memorization": [],
    "weighting": [],
}


def app_pages() -> list[tuple[str, str]]:
    """(url path, title) of every page app.py puts in the navigation; "" is the default page."""
    src = open(os.path.join(ROOT, "app.py"), encoding="utf-8").read()
    out = []
    for args in re.findall(r"st\.Page\((.*?)\)\s*,?\s*\n", src):
        title = re.search(r"title\s*=\s*\"([^\"]+)\"", args)
        url = re.search(r"url_path\s*=\s*\"([^\"]*)\"", args)
        default = re.search(r"default\s*=\s*True", args)
        out.append(("" if default else (url.group(1) if url else ""), title.group(1) if title else ""))
    return out


PAGES = app_pages()


def test_app_py_lists_pages():
    assert len(PAGES) >= 2, "could not read the pages from app.py"
    assert sum(1 for u, _ in PAGES if u == "") == 1, PAGES
    assert len({u for u, _ in PAGES}) == len(PAGES), PAGES


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def server():
    with AppServer() as srv:
        yield srv
        assert srv.alive(), "the server died:\n" + srv.output()[-3000:]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


class Watched:
    """A browser page that records console errors and uncaught page errors."""

    def __init__(self, browser, base):
        self.base = base
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"[:500]))

    def _console(self, msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        # On a direct visit to /<page>, Streamlit's frontend first probes
        # /<page>/_stcore/{health,host-config} to find the app's base path, gets 404, and then
        # uses /_stcore/...; those two probes are expected and harmless.
        if "Failed to load resource" in msg.text and re.search(r"/_stcore/(health|host-config)$", url) \
                and not url.startswith(self.base + "/_stcore/"):
            return
        self.errors.append(f"console error: {msg.text[:300]} ({url})")

    def goto(self, url_path: str):
        self.page.goto(f"{self.base}/{url_path}")
        settle(self.page, TIMEOUT_MS)

    def exceptions(self) -> list[str]:
        return [e.inner_text()[:800] for e in self.page.query_selector_all("[data-testid='stException']")]

    def problems(self) -> list[str]:
        return [f"exception box: {e}" for e in self.exceptions()] + self.errors

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, server):
    w = Watched(browser, server.base)
    yield w
    w.close()


# ------------------------------------------------------------------ moving widgets
def _label_of(container) -> str:
    lab = container.locator("[data-testid='stWidgetLabel']")
    return lab.first.inner_text().strip() if lab.count() else ""


def _slider_thumb(container):
    """The slider's focusable thumb: an <input type=range> (react-aria) or a role=slider."""
    rng = container.locator("input[type='range']")
    return rng.first if rng.count() else container.locator("[role='slider']").first


def _slider_value(thumb) -> tuple[str, str]:
    if thumb.evaluate("e => e.tagName") == "INPUT":
        return thumb.input_value(), thumb.get_attribute("max")
    return thumb.get_attribute("aria-valuenow"), thumb.get_attribute("aria-valuemax")


def _press_slider(page, container) -> tuple[str, str]:
    thumb = _slider_thumb(container)
    before, top = _slider_value(thumb)
    thumb.focus()
    thumb.press("ArrowLeft" if before == top else "ArrowRight")
    settle(page, TIMEOUT_MS)
    return before, _slider_value(_slider_thumb(container))[0]


def _move(page, container, kind: str) -> tuple[str, str]:
    """Change the widget in `container` like a user would; returns (before, after) values."""
    if kind == "stSlider":
        before, after = _press_slider(page, container)
        return before, after
    if kind == "stSelectbox":
        before = container.inner_text().strip()
        container.locator("input").first.click()
        options = page.locator("[role='option']")
        options.first.wait_for()
        texts = [t.strip() for t in options.all_inner_texts()]
        label = _label_of(container)
        choice = next((i for i, t in enumerate(texts) if t and t not in before.replace(label, "")), None)
        if choice is None:
            page.keyboard.press("Escape")
            return before, before
        options.nth(choice).click()
        settle(page, TIMEOUT_MS)
        return before, container.inner_text().strip()
    if kind == "stRadio":
        before = container.locator("input:checked").first.get_attribute("value") or \
            container.locator("label:has(input:checked)").first.inner_text()
        target = container.locator("label:has(input:not(:checked))").first
        target.click()
        settle(page, TIMEOUT_MS)
        return before, container.locator("label:has(input:checked)").first.inner_text()
    if kind == "stNumberInput":
        field = container.locator("input").first
        before = field.input_value()
        container.locator("[data-testid='stNumberInputStepUp']").first.click()
        settle(page, TIMEOUT_MS)
        return before, container.locator("input").first.input_value()
    raise AssertionError(f"cannot move a {kind}")


KINDS = ("stSlider", "stSelectbox", "stRadio", "stNumberInput")


def move_a_widget(page, labels: list[str]) -> str:
    """Move one widget: the first of `labels` present, else the first main-area slider,
    select box or radio, else the sidebar's number input. Returns what was moved."""
    main = page.locator("[data-testid='stMain']")
    candidates = []
    for label in labels:
        for kind in KINDS:
            c = page.locator(f"[data-testid='{kind}']").filter(
                has=page.locator("[data-testid='stWidgetLabel']", has_text=label))
            if c.count():
                candidates.append((kind, c.first))
                break
        if candidates:
            break
    if not candidates:
        for kind in ("stSlider", "stSelectbox", "stRadio", "stNumberInput"):
            c = main.locator(f"[data-testid='{kind}']")
            if c.count():
                candidates.append((kind, c.first))
                break
    if not candidates:
        c = page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput']")
        assert c.count(), "no widget to move on this page (not even the sidebar's seed)"
        candidates.append(("stNumberInput", c.first))
    kind, container = candidates[0]
    container.scroll_into_view_if_needed()
    label = _label_of(container)
    before, after = _move(page, container, kind)
    assert before != after, f"moving {kind} {label!r} did not change its value ({before!r})"
    return f"{kind} {label!r}: {before!r} -> {after!r}"


# ------------------------------------------------------------------ tests
def test_navigation_lists_every_page(watched):
    watched.goto("")
    links = watched.page.eval_on_selector_all(
        "[data-testid='stSidebarNav'] a[href]", "els => els.map(e => [e.href, e.innerText])")
    got = {href[len(watched.base):].strip("/"): text for href, text in links}
    want = {u: t for u, t in PAGES}
    assert set(got) == set(want), f"navigation links {sorted(got)} != app.py's pages {sorted(want)}"
    for u, title in want.items():
        assert title in got[u], f"link /{u} shows {got[u]!r}, not {title!r}"
    assert not watched.problems(), watched.problems()


@pytest.mark.parametrize("url_path", [u for u, _ in PAGES], ids=lambda u: u or "home")
def test_page_runs_and_reruns(watched, url_path, server):
    watched.goto(url_path)
    assert not watched.problems(), f"/{url_path} on first load: {watched.problems()}"
    assert watched.page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").count(), \
        f"/{url_path}: the shared sidebar settings are missing"
    moved = move_a_widget(watched.page, WIDGETS.get(url_path, []))
    print(f"/{url_path}: moved {moved}")
    assert not watched.problems(), f"/{url_path} after moving {moved}: {watched.problems()}"
    assert server.alive()


def test_click_through_navigation_keeps_settings(watched):
    """One session: set the seed on the home page, follow every navigation link in turn, and
    find the seed unchanged at the end (sidebar settings apply to every page)."""
    watched.goto("")
    seed = watched.page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput'] input").first
    seed.fill("2022")
    seed.press("Enter")
    settle(watched.page, TIMEOUT_MS)
    for url_path, title in PAGES[1:] + PAGES[:1]:
        link = watched.page.locator(f"[data-testid='stSidebarNav'] a[href='{watched.base}/{url_path}']")
        link.click()
        watched.page.wait_for_url(f"{watched.base}/{url_path}")
        settle(watched.page, TIMEOUT_MS)
        assert not watched.problems(), f"after clicking {title!r}: {watched.problems()}"
    value = watched.page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput'] input").first
    assert value.input_value() == "2022", "the sidebar seed did not survive page switches"


def test_deep_link_is_first_visit(browser):
    """A fresh server whose first visitor opens a page's own URL (a shared link) must still show
    the app's navigation and shared sidebar, not the bare page script."""
    with AppServer() as srv:
        w = Watched(browser, srv.base)
        try:
            target = next(u for u, _ in PAGES if u)
            w.goto(target)
            nav = w.page.eval_on_selector_all("[data-testid='stSidebarNav'] a[href]",
                                              "els => els.map(e => e.href)")
            got = sorted(h[len(srv.base):].strip("/") for h in nav)
            assert got == sorted(u for u, _ in PAGES), \
                f"first visit to /{target}: navigation shows {got}, not app.py's pages"
            assert w.page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").count(), \
                f"first visit to /{target}: the shared sidebar settings are missing"
            assert not w.problems(), w.problems()
        finally:
            w.close()
