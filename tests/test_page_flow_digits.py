"""Flow matching: straightness numbers, their gaps and the noise printed with digits that agree."""
import re

import pytest

from dashboard import flow as flowpage


@pytest.mark.parametrize("straight, errors, digits", [
    ({"rectified flow": 0.99776, "VE PF-ODE": 0.99634, "exact flow": 0.772},
     {"rectified flow": 0.0003, "VE PF-ODE": 0.0003, "exact flow": 0.012}, 4),
    ({"learned flow": 0.942, "exact flow": 0.933, "VE PF-ODE": 0.855},
     {"learned flow": 0.002, "exact flow": 0.002, "VE PF-ODE": 0.016}, 3),
    ({"exact flow": 0.772, "VE PF-ODE": 0.992}, {"exact flow": 0.012, "VE PF-ODE": 0.001}, 3)])
def test_straightness_gaps_agree_with_the_values_printed(straight, errors, digits):
    """cross, λ 50, rectify once: "0.998; then VE PF-ODE 0.996, 0.001 apart, beyond the paths' noise 0.001":
    at 3 decimals the gap disagreed with the printed values. Where a neighbouring pair's noise is below
    FINE_NOISE every number of the ranking gets 4 decimals, and every printed gap is the difference of the
    printed values it sits between, to its last digit or one unit of rounding."""
    text = flowpage._straightest_words(straight, errors)
    values = [float(v) for v in re.findall(r"(?:'s \(|then [^\d;]+? )(\d\.\d+)", text)]
    gaps = [float(v) for v in re.findall(r"(\d\.\d+) apart", text)]
    assert len(values) == len(straight) and len(gaps) == len(values) - 1, text
    assert re.search(rf"'s \(\d\.\d{{{digits}}}[;)]", text), text
    for a, b, gap in zip(values, values[1:], gaps):
        assert abs(abs(a - b) - gap) <= 1.01 * 10 ** -digits, (text, a, b, gap)
