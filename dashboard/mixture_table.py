"""The mixture editor's table: 2D Gaussian mixtures as rows, with messages a student can act on.

A component is one row: its mean (x, y), its covariance and its weight. The covariance is given
in one of two forms:

  "std_angle"  std 1, std 2, angle (degrees): Sigma = R(angle) diag(std1^2, std2^2) R(angle)^T,
               std 1 is the spread along the direction at `angle` from the x axis, std 2 across it
               (their ratio std1/std2 is how elongated the blob is);
  "raw"        the entries var x, cov xy, var y of Sigma = [[var x, cov xy], [cov xy, var y]].

:func:`mixture_from_rows` checks every cell and returns either a mixture or a list of messages
such as "row 2, std 1: must be > 0"; :func:`rows_from_mixture` is its inverse.
"""
from __future__ import annotations

import json
import math

import torch

from diffusion_core._numbers import read_number
from diffusion_core.mixture import GaussianMixture, cov_from_std_angle, std_angle_from_cov

__all__ = ["MODES", "COLUMNS", "MAX_COMPONENTS", "MAX_ABS_MEAN", "STD_RANGE", "MAX_JSON_BYTES",
           "cov_from_std_angle", "std_angle_from_cov", "rows_from_mixture", "mixture_from_rows",
           "apply_table_edits", "table_rows", "table_frame", "mixture_to_json", "mixture_from_json", "blank_row"]

MODES = ("std_angle", "raw")
COLUMNS = {
    "std_angle": ("mean x", "mean y", "std 1", "std 2", "angle (°)", "weight"),
    "raw": ("mean x", "mean y", "var x", "cov xy", "var y", "weight"),
}
MAX_COMPONENTS = 12
MAX_ABS_MEAN = 50.0
STD_RANGE = (0.01, 20.0)          # every principal std of every component
MAX_JSON_BYTES = 1024 * 1024     # what the upload box states: "Limit 1MB per file"
MAX_WEIGHT = 1e6                  # weights are relative: only their ratios matter
_ROUNDING = 1e-9                  # relative slack of the std limits


def blank_row(mode: str) -> dict:
    """The values a new row starts with: a round unit-std component at the origin, weight 1."""
    _check_mode(mode)
    vals = (0.0, 0.0, 1.0, 1.0, 0.0, 1.0) if mode == "std_angle" else (0.0, 0.0, 1.0, 0.0, 1.0, 1.0)
    return dict(zip(COLUMNS[mode], vals))


def rows_from_mixture(gmm: GaussianMixture, mode: str = "std_angle", digits: int | None = 6) -> list[dict]:
    """One row per component in the columns of `mode` (weights as normalized probabilities),
    rounded to `digits` decimals (None: exact)."""
    _check_mode(mode)
    if gmm.dim != 2:
        raise ValueError(f"the editor works on 2D mixtures; this one is {gmm.dim}D")
    rnd = (lambda v: float(v)) if digits is None else (lambda v: round(float(v), digits) + 0.0)
    rows = []
    for mu, cov, w in zip(gmm.means.tolist(), gmm.covs, gmm.weights.tolist()):
        if mode == "std_angle":
            shape = std_angle_from_cov(cov)
        else:
            shape = (cov[0, 0], cov[0, 1], cov[1, 1])
        rows.append(dict(zip(COLUMNS[mode], [rnd(v) for v in (*mu, *shape, w)])))
    return rows


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")


def _records(rows) -> list[dict]:
    """A list of dicts from a list of dicts or a pandas DataFrame."""
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        return rows.to_dict("records")
    return [dict(r) if isinstance(r, dict) else r for r in rows]


def mixture_from_rows(rows, mode: str = "std_angle"):
    """Check a table of components and build the mixture.

    Returns (GaussianMixture, []) when every cell is valid, else (None, messages) with one
    message per problem, naming the row (1-based) and the field: "row 2, std 1: must be > 0".
    Rules: 1 to 12 rows; every cell a finite number; |mean| <= 50; every principal std in
    [0.01, 20] (in "raw" form: var x > 0, var y > 0 and cov xy^2 < var x var y); weights >= 0 with at
    least one > 0 and each <= 1e6 (they are normalized).
    """
    _check_mode(mode)
    cols = COLUMNS[mode]
    try:
        records = _records(rows)
    except (TypeError, ValueError):
        return None, ["table: must be a list of rows"]
    if len(records) == 0:
        return None, ["table: is empty; add at least one component (row)"]
    if len(records) > MAX_COMPONENTS:
        return None, [f"table: at most {MAX_COMPONENTS} components; got {len(records)} rows "
                      "(delete some)"]
    errors, means, covs, weights, all_weights = [], [], [], [], []
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            errors.append(f"row {i}: must be a row of named values")
            continue
        vals, row_ok = {}, True
        for c in cols:
            v, problem = read_number(rec.get(c))
            if problem:
                errors.append(f"row {i}, {c}: {problem}")
                row_ok = False
            vals[c] = v
        for c in ("mean x", "mean y"):
            if vals[c] is not None and abs(vals[c]) > MAX_ABS_MEAN:
                errors.append(f"row {i}, {c}: must be between -{MAX_ABS_MEAN:g} and {MAX_ABS_MEAN:g}")
                row_ok = False
        cov = _row_cov(vals, mode, i, errors)
        w = vals["weight"]
        if w is not None and w < 0:
            errors.append(f"row {i}, weight: must be >= 0")
            row_ok = False
        elif w is not None and w > MAX_WEIGHT:
            errors.append(f"row {i}, weight: must be <= {MAX_WEIGHT:g} (weights are relative)")
            row_ok = False
        elif w is not None:
            all_weights.append(w)
        if cov is None or not row_ok:
            continue
        means.append([vals["mean x"], vals["mean y"]])
        covs.append(cov)
        weights.append(w)
    if len(all_weights) == len(records) and sum(all_weights) <= 0:
        errors.append("weights: at least one must be > 0")
    if errors:
        return None, errors
    try:
        return GaussianMixture(means, torch.stack(covs), weights), []
    except ValueError as e:                  # not expected after the checks above
        return None, [f"table: {e}"]


def _row_cov(vals, mode, i, errors):
    """The covariance of one row, or None after appending messages to `errors` (cells that are
    None were reported already)."""
    lo, hi = STD_RANGE
    # the limits hold up to rounding: a component made at a limit (std 0.01) comes back from its
    # covariance's eigenvalues as 0.00999999... and must still pass (form switch, reload)
    lo_ok, hi_ok = lo * (1 - _ROUNDING), hi * (1 + _ROUNDING)
    ok = all(vals[c] is not None for c in COLUMNS[mode][2:5])
    if mode == "std_angle":
        for c in ("std 1", "std 2"):
            s = vals[c]
            if s is not None and s <= 0:
                errors.append(f"row {i}, {c}: must be > 0")
                ok = False
            elif s is not None and not lo_ok <= s <= hi_ok:
                errors.append(f"row {i}, {c}: must be between {lo:g} and {hi:g}")
                ok = False
        if vals["angle (°)"] is not None and abs(vals["angle (°)"]) > 360:
            errors.append(f"row {i}, angle (°): must be between -360 and 360")
            ok = False
        return cov_from_std_angle(vals["std 1"], vals["std 2"], vals["angle (°)"]) if ok else None
    sxx, sxy, syy = vals["var x"], vals["cov xy"], vals["var y"]
    for c, v in (("var x", sxx), ("var y", syy)):
        if v is not None and v <= 0:
            errors.append(f"row {i}, {c}: must be > 0 (it is a variance)")
            ok = False
        elif v is not None and not lo_ok ** 2 <= v <= hi_ok ** 2:
            errors.append(f"row {i}, {c}: must be between {lo ** 2:g} and {hi ** 2:g} "
                          f"(a std between {lo:g} and {hi:g})")
            ok = False
    if not ok:
        return None
    if sxy * sxy >= sxx * syy:
        errors.append(f"row {i}, cov xy: must satisfy cov xy² < var x·var y, here |cov xy| < "
                      f"{math.sqrt(sxx * syy):.4g} (a covariance is positive definite)")
        return None
    cov = torch.tensor([[sxx, sxy], [sxy, syy]], dtype=torch.float64)
    s1, s2, _ = std_angle_from_cov(cov)
    if s2 < lo_ok:
        errors.append(f"row {i}, cov xy: makes the component too thin (narrowest std {s2:.3g} < {lo:g}); "
                      "make |cov xy| smaller")
        return None
    if s1 > hi_ok:
        errors.append(f"row {i}, cov xy: makes the component too wide (widest std {s1:.3g} > {hi:g}); "
                      "make |cov xy| smaller")
        return None
    return cov


def _cell(v) -> tuple[float | None, str | None]:
    """(value, problem) of one cell for a number column: a finite float, or None (an empty cell).

    A number, or text that reads as one, is kept; None, blank text and NaN are empty; anything
    else (a bool, other text, a list or dict, +-inf, an integer too large for a float) is emptied,
    with the rule it broke."""
    v, problem = read_number(v)
    return v, None if problem is None or problem.startswith("is empty") else problem


def table_rows(rows, columns) -> tuple[list[dict], list[str]]:
    """The rows as a table of number columns shows them, and one message per cell refused.

    Every cell of every row becomes a finite float or None (see _cell): a number column of
    st.data_editor cannot hold a bool, text or a list, so a stored or loaded table is checked
    before the editor sees it. Columns outside `columns` are dropped, missing ones are empty;
    a refused cell is emptied with "row 2, mean x: must be a number; got 'abc' (emptied)"."""
    try:
        records = _records(rows) if isinstance(rows, list) or hasattr(rows, "columns") else None
    except (TypeError, ValueError):
        records = None
    if records is None:
        return [], ["table: was not a list of rows; it was emptied"]
    out, notes = [], []
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            notes.append(f"row {i}: must be a row of named values; got {str(rec)[:20]!r} (emptied)")
            rec = {}
        row = {}
        for c in columns:
            row[c], problem = _cell(rec.get(c))
            if problem:
                notes.append(f"row {i}, {c}: {problem} (emptied)")
        out.append(row)
    return out, notes


def table_frame(rows, columns):
    """(DataFrame, messages): :func:`table_rows` as a float frame indexed by row number from 1."""
    import pandas as pd
    shown, notes = table_rows(rows, columns)
    frame = pd.DataFrame(shown, columns=list(columns), dtype=float,
                         index=pd.RangeIndex(1, len(shown) + 1, name="row"))
    return frame, notes


def apply_table_edits(rows, edits: dict | None, columns) -> list[dict]:
    """Rows after a table editor's changes: edits = {"edited_rows": {index: {column: value}},
    "added_rows": [{column: value}], "deleted_rows": [index]} (indices into `rows`), the format
    of Streamlit's data_editor state. Cells an added row leaves out are None."""
    out = [dict(r) for r in _records(rows)]
    edits = edits or {}
    for idx, change in (edits.get("edited_rows") or {}).items():
        idx = int(idx)
        if 0 <= idx < len(out):
            out[idx].update({k: _cell(v)[0] for k, v in change.items() if k in columns})
    deleted = {int(i) for i in (edits.get("deleted_rows") or [])}
    out = [r for i, r in enumerate(out) if i not in deleted]
    for added in edits.get("added_rows") or []:
        out.append({c: _cell(added.get(c))[0] for c in columns})
    return out


def mixture_to_json(gmm: GaussianMixture) -> str:
    """The mixture as JSON: {"means": [[x, y], ...], "covs": [[[..], [..]], ...], "weights": [..]}."""
    return json.dumps(gmm.to_dict(), indent=2)


def _size(n: int) -> str:
    return f"{n / 2 ** 20:.1f} MB".replace(".0 MB", " MB") if n >= 2 ** 20 else f"{n / 1024:.0f} KB"


def mixture_from_json(data, max_bytes: int = MAX_JSON_BYTES):
    """Parse and check a mixture file (bytes or str) written by :func:`mixture_to_json`.

    Returns (GaussianMixture, []) or (None, messages); never raises on bad input.
    """
    if isinstance(data, (bytes, bytearray)):
        if len(data) > max_bytes:
            return None, [f"file: must be at most {_size(max_bytes)}; got {_size(len(data))}"]
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            return None, ["file: must be UTF-8 text (a .json file)"]
    if not isinstance(data, str):
        return None, ["file: must be text"]
    if len(data.encode("utf-8")) > max_bytes:
        return None, [f"file: must be at most {_size(max_bytes)}"]
    try:
        d = json.loads(data)
    except (json.JSONDecodeError, RecursionError) as e:
        msg = getattr(e, "msg", "too deeply nested")
        line = getattr(e, "lineno", None)
        return None, [f"file: is not valid JSON ({msg}{f', line {line}' if line else ''})"]
    if not isinstance(d, dict) or not {"means", "covs", "weights"} <= set(d):
        return None, ['file: must be a JSON object with "means", "covs" and "weights" lists']
    means, covs, weights = d["means"], d["covs"], d["weights"]
    if not all(isinstance(v, list) for v in (means, covs, weights)):
        return None, ['file: "means", "covs" and "weights" must be lists']
    k = len(means)
    if len(covs) != k or len(weights) != k:
        return None, [f"file: needs one mean, one covariance and one weight per component; got "
                      f"{len(means)} means, {len(covs)} covariances, {len(weights)} weights"]
    if k > MAX_COMPONENTS:
        return None, [f"file: at most {MAX_COMPONENTS} components; got {k}"]
    rows, errors = [], []
    for i, (mu, cov, w) in enumerate(zip(means, covs, weights), start=1):
        if not (isinstance(mu, list) and len(mu) == 2):
            errors.append(f"component {i}, mean: must be a list [x, y]")
            continue
        if not (isinstance(cov, list) and len(cov) == 2 and all(isinstance(r, list) and len(r) == 2
                                                                for r in cov)):
            errors.append(f"component {i}, covariance: must be a 2x2 list [[var x, cov xy], [cov yx, var y]]")
            continue
        (sxx, sxy), (syx, syy) = cov
        a, _ = read_number(sxy)
        b, _ = read_number(syx)
        if a is not None and b is not None and abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)):
            errors.append(f"component {i}, covariance: must be symmetric (cov xy = cov yx); got {a} and {b}")
            continue
        rows.append(dict(zip(COLUMNS["raw"], (mu[0], mu[1], sxx, sxy, syy, w))))
    if errors:
        return None, errors
    gmm, errors = mixture_from_rows(rows, "raw")
    return gmm, [e.replace("row ", "component ", 1) if e.startswith("row ") else e for e in errors]
