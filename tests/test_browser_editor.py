"""The mixture editor's table in a real browser: cell edits typed one after another, without waiting
for the page to finish its run, all reach the mixture (the editor's key changed on every edit, so a
cell edited in the old editor while a run was under way was lost)."""
from __future__ import annotations

import json

import pytest

from test_browser import TIMEOUT_MS, Watched, browser, server  # noqa: E402,F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROW_PX = 35             # the data editor's row height, its header's too
FIRST_COLUMN_PX = 110   # inside "mean x", right of the row selector and the "row" index column
MAIN = "[data-testid='stMain']"
EDITING = "#portal input, #portal textarea"    # the grid's overlay editor of a cell


@pytest.fixture
def w(browser, server):  # noqa: F811
    watched = Watched(browser, server.base)
    yield watched
    watched.close()


def selected(w) -> str | None:
    """The id of the selected cell in the grid's accessibility table: glide-cell-<column>-<row>."""
    cell = w.page.locator(f"{MAIN} [data-testid='stDataFrame'] [role='gridcell'][aria-selected='true']")
    return cell.first.get_attribute("id") if cell.count() else None


def edit_cell(w, row: int, column: int, value: str, key: str = "Enter"):
    """Click row `row` (0 = the first) in the first number column ("mean x", the grid's column 2),
    move right until the cell `column` places further is selected, type the value and commit it
    with `key`."""
    box = w.page.locator(f"{MAIN} [data-testid='stDataFrame']").first.bounding_box()
    w.page.mouse.click(box["x"] + FIRST_COLUMN_PX, box["y"] + ROW_PX * (row + 1) + ROW_PX // 2)
    w.page.wait_for_timeout(300)
    if w.page.locator(EDITING).count():       # a click on the selected cell opens its editor: close it
        w.page.keyboard.press("Escape")
        w.page.wait_for_timeout(150)
    target = f"glide-cell-{2 + column}-{row}"
    for _ in range(40):
        if selected(w) == target:
            break
        if selected(w) is not None and selected(w).startswith("glide-cell-") and \
                int(selected(w).split("-")[2]) < 2 + column:
            w.page.keyboard.press("ArrowRight")
        w.page.wait_for_timeout(150)
    assert selected(w) == target, (selected(w), target)
    w.page.keyboard.type(value)
    w.page.wait_for_timeout(100)
    w.page.keyboard.press(key)


def settle(w, count: int):
    w.runs.wait_after(w.page, count, TIMEOUT_MS)
    w.page.wait_for_timeout(1500)                  # a rerun asked for while the last one ran
    w.page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=TIMEOUT_MS)


def exported(w) -> dict:
    with w.page.expect_download() as download:
        w.page.get_by_role("button", name="Export mixture JSON").click()
    return json.loads(open(download.value.path()).read())


def preview(w) -> str:
    return w.page.locator(f"{MAIN} [data-testid='stImage'] img").first.get_attribute("src")


def test_editor_keeps_every_cell_edit(w):
    """The tutorial table (means (0, 1) and (2, -1), weights 0.5, 0.5). One edit, waited for: the
    mixture and the preview change. Then three edits typed back to back (Enter, Tab, Enter): the
    exported mixture holds all of them."""
    w.goto("editor")
    start = preview(w)
    n = w.runs.finished
    edit_cell(w, 0, 0, "3")                        # row 1, mean x
    settle(w, n)
    assert exported(w)["means"][0] == [3.0, 1.0]
    after_one = preview(w)
    assert after_one != start
    n = w.runs.finished
    edit_cell(w, 1, 5, "0.2", "Tab")               # row 2, weight
    w.page.wait_for_timeout(100)
    edit_cell(w, 1, 1, "4")                        # row 2, mean y
    w.page.wait_for_timeout(100)
    edit_cell(w, 0, 1, "-2")                       # row 1, mean y
    w.page.mouse.click(*(lambda b: (b["x"] + 5, b["y"] + 5))(w.page.locator(f"{MAIN} h1").first.bounding_box()))
    settle(w, n)
    mixture = exported(w)
    assert mixture["means"] == [[3.0, -2.0], [2.0, 4.0]], mixture
    assert mixture["weights"][1] / mixture["weights"][0] == pytest.approx(0.4), mixture
    assert preview(w) != after_one
    box = w.page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    assert "custom" in (box.locator("input").first.input_value() or box.inner_text())
    assert not w.problems(), w.problems()
