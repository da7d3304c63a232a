"""The README's screenshots: one per page of the navigation, each in docs/ and shown in the README
(regenerate them with `python -m tools.screenshots`)."""
import os

from tools.screenshots import ROOT, shot_names


def test_every_page_has_a_screenshot_in_the_readme():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    names = shot_names()
    assert len(names) >= 10
    for url, title, name in names:
        path = os.path.join(ROOT, "docs", name)
        assert os.path.getsize(path) > 20_000, f"docs/{name} ({title}) is missing or empty"
        assert f"(docs/{name})" in readme, f"README.md does not show docs/{name} ({title})"
