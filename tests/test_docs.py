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


def test_the_lesson_names_samplers_as_the_sampler_box_shows_them():
    """The lesson's "switch the sampler to *X*" names an option of the Sampler box (its label), so
    that a class finds it in the list ("the probability-flow ODE" is listed as "PF ODE (Heun)")."""
    import re

    import diffusion_core as dc
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    lesson = readme.split("Teach with it", 1)[1]
    named = re.findall(r"switch the sampler to \*([^*]+)\*", lesson)
    assert named, "the lesson no longer switches the sampler by name"
    labels = {spec.label for spec in dc.SAMPLERS.values()}
    for name in named:
        assert name in labels, f"{name!r} is not a label of the Sampler box: {sorted(labels)}"
