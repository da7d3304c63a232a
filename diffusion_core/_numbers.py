"""Reading one number from user input or an argument, with the reason when it is not one."""
from __future__ import annotations

import math


def read_number(v, text: bool = True) -> tuple[float | None, str | None]:
    """(value, problem): v as a finite float and None, or None and why it is not a usable number.

    None, blank text and NaN are empty; bools are not numbers, nor is text when text is False;
    infinities and integers too large for a float are not finite."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None, "is empty: enter a number"
    if isinstance(v, bool) or (not text and isinstance(v, (str, bytes))):
        return None, f"must be a number; got {str(v)[:20]!r}" if isinstance(v, str) else "must be a number"
    try:
        x = float(v)
    except OverflowError:                     # an integer too large for a float
        return None, "must be a finite number (this one is too large)"
    except (TypeError, ValueError):
        return None, f"must be a number; got {str(v)[:20]!r}"
    if math.isnan(x):
        return None, "is empty: enter a number"
    if math.isinf(x):
        return None, "must be a finite number"
    return x, None
