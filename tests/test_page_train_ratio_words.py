"""Train & sample, section 3: the error map's far/near ratio is printed as a plain number, never in
exponent form ("2.94e+04×" was printed for the custom mixture at t = 0.10), in several magnitudes."""
import numpy as np
import pytest

from dashboard import train as tr


@pytest.mark.parametrize("far_err, expected", [(74.0, "29,600×"), (0.0125, "5×"), (2.5, "1,000×")])
def test_far_error_ratio_is_a_plain_number(far_err, expected):
    xs = np.linspace(-6, 6, 60)
    xx, yy = np.meshgrid(xs, xs)
    logp = -0.5 * (xx ** 2 + yy ** 2)
    err = np.where(logp < logp.max() - 12, far_err, 0.0025)       # far: pₜ below e⁻¹² of its peak
    text = tr.error_map_text(logp, err)
    assert f"({expected})" in text and "e+" not in text, text
