"""The running app in a real browser: headless Chromium visits every page of the navigation,
moves a widget on each, and fails on any exception box or browser console error.

Needs Debian's Chromium at /usr/bin/chromium (or $CHROMIUM_PATH); a missing browser is a failure.
"""
from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import pytest

from server import (AppServer, ScriptRuns, app_pages, launch_chromium, run_page,  # noqa: E402
                    slider_state, slider_thumb)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = 180_000   # one script run, the train page's first training included
VIEWPORT = {"width": 1280, "height": 900}

# The widget moved on each page, by label (the first label found on the page is used). A page
# without a listed label gets its first slider, else its first select box or radio, else the
# sidebar's seed. On the train page a sampling widget is moved, so that the test does not retrain.
WIDGETS: dict[str, list[str]] = {
    "": ["Random seed"],
    "forward": ["λ: noise growth rate"],
    "score": ["diffusion time t"],
    "reversal": ["λ, g(t)"],
    "train": ["Diffusion time t", "Sampler steps"],
    "editor": [],
    "samplers": ["Samples per run"],
    "likelihood": [],
    "memorization": ["Memorization radius r"],
    "weighting": [],
    "digits": ["guidance scale w"],
}


PAGES = app_pages()


def test_app_py_lists_pages():
    assert len(PAGES) >= 2, "could not read the pages from app.py"
    assert sum(1 for u, _ in PAGES if u == "") == 1, PAGES
    assert len({u for u, _ in PAGES}) == len(PAGES), PAGES


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def server():
    with AppServer() as srv:
        # Open the home page once, as a teacher does after starting the server (a first visit that
        # is a deep link is test_deep_link_is_first_visit's subject).
        assert run_page(srv.base, "", timeout=TIMEOUT_MS / 1000).ok
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
        self.runs = ScriptRuns(self.page)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"[:500]))

    def _console(self, msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        self.errors.append(f"console error: {msg.text[:300]} ({url})")

    def goto(self, url_path: str, query: str = ""):
        """Open a page as the app's own links do: /?page=<url path>&<query> (the app opens that
        page, and the address bar then shows /<url path>?<query>)."""
        n = self.runs.finished
        params = "&".join(p for p in (f"page={url_path}" if url_path else "", query) if p)
        self.page.goto(f"{self.base}/" + (f"?{params}" if params else ""))
        self.runs.wait_after(self.page, n, TIMEOUT_MS)

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


def _value_of(container, kind: str) -> str:
    if kind == "stSlider":
        return str(slider_state(slider_thumb(container))[0])
    if kind == "stSelectbox":
        return container.locator("input").first.input_value()
    if kind == "stRadio":
        return container.locator("label:has(input:checked)").first.inner_text().strip()
    return container.locator("input").first.input_value()


def _move(w: "Watched", container, kind: str) -> tuple[str, str]:
    """Change the widget in `container` like a user would, wait for the rerun it causes;
    returns its (before, after) values."""
    page = w.page
    before = _value_of(container, kind)
    n = w.runs.finished
    if kind == "stSlider":
        thumb = slider_thumb(container)
        value, _, top = slider_state(thumb)
        thumb.focus()
        thumb.press("ArrowLeft" if value >= top else "ArrowRight")
    elif kind == "stSelectbox":
        container.locator("input").first.click()
        options = page.locator("[role='option']")
        options.first.wait_for()
        texts = [t.strip() for t in options.all_inner_texts()]
        chosen = [options.nth(i).get_attribute("aria-selected") == "true" for i in range(len(texts))]
        other = next((i for i, t in enumerate(texts) if t and t != before and not chosen[i]), None)
        assert other is not None, f"select box with one option: {texts}"
        options.nth(other).click()
    elif kind == "stRadio":
        container.locator("label:has(input:not(:checked))").first.click()
    elif kind == "stNumberInput":
        container.locator("[data-testid='stNumberInputStepUp']").first.click()
    else:
        raise AssertionError(f"cannot move a {kind}")
    w.runs.wait_after(page, n, TIMEOUT_MS)
    return before, _value_of(container, kind)


KINDS = ("stSlider", "stSelectbox", "stRadio", "stNumberInput")
OUTSIDE_FORMS = ":not([data-testid='stForm'] *)"   # a widget in a form reruns only on submit


def move_a_widget(w: "Watched", labels: list[str]) -> str:
    """Move one widget: the first of `labels` present, else the first main-area slider,
    select box, radio or number input outside a form, else the sidebar's seed. Returns what was
    moved, and fails when its value did not change."""
    page = w.page
    # every page has the sidebar's seed: once it is there, the page has been drawn
    page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stNumberInput']", timeout=60_000)
    found = None
    for label in labels:
        for kind in KINDS:
            c = page.locator(f"[data-testid='{kind}']").filter(
                has=page.get_by_test_id("stWidgetLabel").filter(has_text=label))
            if c.count():
                found = (kind, c.first)
                break
        if found:
            break
    for kind in KINDS:
        if found:
            break
        c = page.locator(f"[data-testid='stMain'] [data-testid='{kind}']{OUTSIDE_FORMS}")
        if c.count():
            found = (kind, c.first)
    if not found:
        c = page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput']")
        assert c.count(), "no widget to move on this page (not even the sidebar's seed)"
        found = ("stNumberInput", c.first)
    kind, container = found
    container.scroll_into_view_if_needed()
    label = _label_of(container)
    before, after = _move(w, container, kind)
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
    if url_path == "":      # Home's picture comes with the page's run, not as a later fetch
        shown = watched.page.evaluate("() => [...document.images].filter(i => i.src.startsWith('data:image/png')"
                                      " && i.complete && i.naturalWidth > 1000).length")
        assert shown == 1, "Home's picture was not shown when its run finished"
    assert watched.page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").count(), \
        f"/{url_path}: the shared sidebar settings are missing"
    moved = move_a_widget(watched, WIDGETS.get(url_path, []))
    print(f"/{url_path}: moved {moved}")
    assert not watched.problems(), f"/{url_path} after moving {moved}: {watched.problems()}"
    assert server.alive()


def test_click_through_navigation_keeps_settings(watched):
    """One session: set the seed on the home page, follow every navigation link in turn, and
    find the seed unchanged at the end (sidebar settings apply to every page)."""
    watched.goto("")
    seed = watched.page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput'] input").first
    n = watched.runs.finished
    seed.fill("2022")
    seed.press("Enter")
    watched.runs.wait_after(watched.page, n, TIMEOUT_MS)
    for url_path, title in PAGES[1:] + PAGES[:1]:
        link = watched.page.locator(f"[data-testid='stSidebarNav'] a[href='{watched.base}/{url_path}']")
        n = watched.runs.finished
        link.click()
        watched.page.wait_for_url(lambda u: urlsplit(u).path.strip("/") == url_path)
        watched.runs.wait_after(watched.page, n, TIMEOUT_MS)
        assert not watched.problems(), f"after clicking {title!r}: {watched.problems()}"
        print(f"clicked {title!r}: {watched.page.url}")
    value = watched.page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput'] input").first
    assert value.input_value() == "2022", "the sidebar seed did not survive page switches"


def test_deep_link_is_first_visit(browser):
    """A fresh server whose first visitor opens a link to a page with a setting (a shared link)
    must show that page with the setting, the app's navigation and shared sidebar, and the
    browser console must stay free of errors (no 404 of a probe of the page's path)."""
    with AppServer() as srv:
        w = Watched(browser, srv.base)
        try:
            target = next(u for u, _ in PAGES if u)
            w.goto(target, "seed=7")
            nav = w.page.eval_on_selector_all("[data-testid='stSidebarNav'] a[href]",
                                              "els => els.map(e => e.href)")
            got = sorted(h[len(srv.base):].strip("/") for h in nav)
            assert got == sorted(u for u, _ in PAGES), \
                f"first visit to /{target}: navigation shows {got}, not app.py's pages"
            assert w.page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").count(), \
                f"first visit to /{target}: the shared sidebar settings are missing"
            assert urlsplit(w.page.url).path.strip("/") == target, f"the link opened {w.page.url}"
            assert "seed=7" in w.page.url, f"the link's seed is gone from {w.page.url}"
            seed = w.page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput'] input").first
            assert seed.input_value() == "7", "the link's seed was not applied"
            link = w.page.locator("[data-testid='stSidebar'] [data-testid='stCode']").first.text_content()
            assert f"?page={target}" in link and "seed=7" in link, f"the share box shows {link!r}"
            assert not w.problems(), w.problems()
        finally:
            w.close()
