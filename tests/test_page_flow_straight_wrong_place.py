"""The Flow matching page's answer to "which is straighter here?" says, in the same breath as the exact
pair's ranking, where the straighter field's samples end in the wrong place by the quality chart's own
rule (sliced W₂ above the sees line by more than its band at the most Heun steps), so that straighter
paths to the wrong place are not read as a merit; elsewhere the ranking stands alone."""

import pytest

import conftest
import diffusion_core as dc
from dashboard import flow as flowpage, state

SEED = state.DEFAULT_SEED
WRONG = ", but they end in the wrong place"


def _answer(name: str, lam: float, extra: dict | None = None) -> tuple[str, dict, dict, bool]:
    """(which_straighter as the page computes it, from its cached functions, with `extra` fields' straightness
    added beside the exact pair; the exact pair's numbers; whether the chart sees the straighter one miss)."""
    gmm = dc.PRESETS[name]
    story = flowpage.path_story(gmm, lam, 200, 100, SEED)
    df, noise = flowpage.quality(gmm, lam, 1000, SEED), flowpage.quality_noise(gmm, 1000, SEED)
    errors = flowpage.straightness_errors(gmm, lam, 200, 100, SEED)
    straight = {"exact flow": story["flow"], "VE PF-ODE": story["ve"], **(extra or {})}
    hi, lo, _ = flowpage.straight_rank(straight, errors, "VE PF-ODE", "exact flow")
    rows = {k: flowpage._method_rows(df, k).iloc[-1] for k in (hi, lo)}
    seen = rows[hi]["sw2"] - flowpage.sees_line(noise) > flowpage.sees_band(noise)
    return flowpage.which_straighter(straight, story, None, errors, df, noise), rows, noise, seen


def test_tutorial_lam_2_says_the_straighter_ve_paths_end_in_the_wrong_place():
    """Tutorial, λ = 2: the VE PF-ODE's paths are straighter (0.949 against 0.772) while its samples score
    sliced W₂ 0.712 against the exact flow's 0.098; the ranking now says so in the same sentence."""
    text, rows, noise, seen = _answer("tutorial", 2.0)
    assert seen
    assert ("The VE PF-ODE's paths are straighter (0.949 against 0.772), but they end in the wrong place: at the "
            "quality chart's 32 Heun steps (64 evaluations) the VE PF-ODE's samples score sliced W₂ 0.712 against "
            "the exact flow's 0.098") in text, text
    assert f"above the line {flowpage.sees_line(noise):.3f}" in text and "no merit" in text, text


@pytest.mark.parametrize("name, lam", [("tutorial", 25.0), ("ring8", 2.0), ("ring8", 10.0), ("tutorial", 2.0)])
def test_wrong_place_follows_the_quality_charts_rule(name, lam):
    """In every state the clause appears exactly where sliced W₂ of the straighter field, at the chart's most
    Heun steps, lies above the sees line by more than its band, with both fields' scores; tutorial λ = 25
    (VE straighter, lands on the data), ring8 λ = 2 (VE straighter, sliced W₂ within its line) and λ = 10
    (the exact flow straighter) keep the plain ranking."""
    text, rows, _, seen = _answer(name, lam)
    assert (WRONG in text) == seen, text
    if seen:
        assert all(f"{float(r['sw2']):.3f}" in text for r in rows.values()), text
    if (name, lam) != ("tutorial", 2.0):
        assert not seen and "wrong place" not in text and "merit" not in text, text


def test_learned_flows_answer_carries_the_clause_in_the_exact_pairs_ranking():
    """With a learned flow drawn beside the exact pair (its straightness given), the sentence "Of the two exact
    ones, …" carries the same clause at tutorial λ = 2, and none at λ = 25."""
    text = _answer("tutorial", 2.0, {"learned flow": 0.9})[0]
    assert "Of the two exact ones, the VE PF-ODE's paths are straighter (0.949 against 0.772)" + WRONG in text, text
    assert "wrong place" not in _answer("tutorial", 25.0, {"learned flow": 0.9})[0]


def test_without_the_quality_chart_the_ranking_stands_alone():
    """Callers without the quality chart's rows get the ranking alone (no clause made up)."""
    gmm = dc.PRESETS["tutorial"]
    story = flowpage.path_story(gmm, 2.0, 200, 100, SEED)
    text = flowpage.which_straighter({"exact flow": story["flow"], "VE PF-ODE": story["ve"]}, story)
    assert text == "**Which is straighter here?** The VE PF-ODE's paths are straighter (0.949 against 0.772)."


def test_page_at_tutorial_lam_2_renders_the_clause():
    """The page itself (tutorial, λ = 2, otherwise default: the learned flow drawn) prints the exact pair's
    ranking with the clause and both fields' sliced W₂."""
    at = conftest.ok(conftest.open_page("views/11_flow.py", w_mixture="tutorial", w_flow_lam=2.0))
    answer = next(m.value for m in at.markdown if m.value.startswith("**Which is straighter here?**"))
    assert ("Of the two exact ones, the VE PF-ODE's paths are straighter (0.949 against 0.772)" + WRONG
            + ": at the quality chart's 32 Heun steps (64 evaluations) the VE PF-ODE's samples score sliced W₂ "
            "0.712 against the exact flow's 0.098") in answer, answer


def test_a_ranking_within_the_paths_noise_adds_the_clause_without_a_second_but():
    """Where the pair lies within the paths' noise ("score straighter …, but only within the paths' noise"),
    the clause joins with "; and", names whose end points miss and calls no straightness a merit."""
    gmm = dc.PRESETS["tutorial"]
    story = flowpage.path_story(gmm, 2.0, 200, 100, SEED)
    df, noise = flowpage.quality(gmm, 2.0, 1000, SEED), flowpage.quality_noise(gmm, 1000, SEED)
    errors = {"exact flow": 0.1, "VE PF-ODE": 0.1}
    text = flowpage.which_straighter({"exact flow": story["flow"], "VE PF-ODE": story["ve"]}, story, None, errors,
                                     df, noise)
    assert "these paths do not rank the two; and the VE PF-ODE's end in the wrong place: " in text, text
    assert "merit" not in text and text.count(", but") == 1, text
