"""The settings schema: the one source of every persisted widget's default, range or choices and
label (pages build their widgets from it), and settings as plain data: URL text and JSON files.

A setting is identified by its Session State key ("w_seed", "w_memo_points", ...) and by a short
name used in links and files: the key without its "w_" prefix ("seed", "memo_points"). Each known
setting has a :class:`Field` (kind, default, range or choices) so that values arriving from a URL
or an uploaded file are checked before they reach a widget: a wrong type or an out-of-range value
is refused with a message that names the setting and the rule.

File format (JSON, UTF-8, at most MAX_BYTES):

    {"format": "diffusion-dashboard-settings", "version": 1,
     "settings": {"seed": 7, "mixture": "ring8", ...},
     "custom_mixture": {"means": ..., "covs": ..., "weights": ...}}     # optional
"""
from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, replace
from typing import Any

from diffusion_core.config import TrainConfig

__all__ = ["Field", "SCHEMA", "PREFIX", "FORMAT", "VERSION", "MAX_BYTES", "short_name", "key_of",
           "parse_text", "check_value", "encode_text", "validate_settings", "settings_to_json",
           "settings_from_json", "with_choices", "ListField", "LISTS", "field"]

PREFIX = "w_"
FORMAT = "diffusion-dashboard-settings"
VERSION = 1
MAX_BYTES = 1024 * 1024     # what the upload box states: "Limit 1MB per file"
KINDS = ("int", "float", "bool", "str")
_MAX_STR = 200


@dataclass(frozen=True)
class Field:
    """One setting: kind "int" | "float" | "bool" | "str"; default; inclusive range lo..hi for
    numbers; choices, the only values allowed (None: any string up to 200 characters, any number
    in range); label for messages."""
    kind: str
    default: Any
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None
    label: str = ""
    shared: bool = True     # False: kept across pages, but not carried by links and files

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))

    def rule(self) -> str:
        """The rule a value must follow, in words."""
        if self.kind == "bool":
            return "must be true or false"
        if self.choices is not None:
            return "must be one of " + ", ".join(map(str, self.choices))
        if self.kind == "str":
            return f"must be text of at most {_MAX_STR} characters"
        word = "an integer" if self.kind == "int" else "a number"
        if self.lo is not None and self.hi is not None:
            return f"must be {word} in {_num(self.lo)}..{_num(self.hi)}"
        if self.lo is not None:
            return f"must be {word} >= {_num(self.lo)}"
        if self.hi is not None:
            return f"must be {word} <= {_num(self.hi)}"
        return f"must be {word}"


def _num(v) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def short_name(key: str) -> str:
    """"w_memo_points" -> "memo_points" (the name in links and files)."""
    return key[len(PREFIX):] if key.startswith(PREFIX) else key


def key_of(name: str) -> str:
    """"memo_points" -> "w_memo_points"."""
    return PREFIX + name


# ------------------------------------------------------------------------------------- schema
# Every persisted widget of every page. A value that passes here must be one the widget accepts.
# The samplers and time grids of diffusion_core.sampling (dc.METHODS, dc.GRIDS), spelled out so
# that the schema loads without torch; tests/test_settings_schema.py checks they agree.
SAMPLER_NAMES = ("sde", "ode", "pc", "tutorial", "dpm2m", "dpm2m_sde", "dpm3m_sde", "dpm2m_sa", "unipc",
                 "unipc_shift")
GRID_NAMES = ("karras", "uniform", "exponential", "fitted")

SCHEMA: dict[str, Field] = {
    "w_mixture": Field("str", "tutorial", label="Distribution p₀"),
    "w_device": Field("str", "cpu", label="Device"),
    "w_seed": Field("int", 2021, 0, 2 ** 31 - 1, label="Random seed"),
    # page 8, memorization
    "w_memo_points": Field("int", 5, 2, 50, label="Training points N"),
    "w_memo_steps": Field("int", 1500, 200, 4000, label="Training steps"),
    "w_memo_width": Field("int", 128, choices=(32, 64, 128, 256), label="Network width (hidden units)"),
    "w_memo_radius": Field("float", 0.3, 0.01, 1.0, label="Memorization radius r, × the data's scale"),   # × data_scale
    "w_memo_samples": Field("int", 500, 100, 2000, label="Samples per method"),
    # page 9, loss weighting lab
    "w_weight_net": Field("str", "tutorial", choices=("tutorial", "preconditioned"), label="Network"),
    "w_weight_eps": Field("float", 1e-3, choices=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1),
                          label="ε: smallest training time"),
    "w_weight_stratified": Field("bool", True, label="Stratified t"),
    "w_weight_steps": Field("int", 600, 100, 2000, label="Training steps"),
    "w_weight_view": Field("str", "raw", choices=("raw", "scaled"), label="Show"),
}

_LAMBDA = dict(lo=0.1, hi=50.0)
_RECIPE = TrainConfig()
SCHEMA.update({
    # 1 forward diffusion
    "w_forward_kind": Field("str", "VE", choices=("VE", "VP"), label="Forward process"),
    "w_forward_lam": Field("float", 25.0, **_LAMBDA, label="λ: noise growth rate, g(t) = λᵗ"),
    "w_forward_beta_min": Field("float", 0.1, 0.0, 20.0, label="β(0)"),
    "w_forward_beta_max": Field("float", 20.0, 0.0, 50.0, label="β(1)"),
    "w_forward_n_paths": Field("int", 200, 20, 500, label="paths"),
    "w_forward_density": Field("bool", True, label="exact density pₜ(x)"),
    "w_forward_source": Field("str", "two clusters", choices=("two clusters", "sidebar"), label="Starting cloud"),
    "w_forward_n_points": Field("int", 200, 50, 1000, label="points"),
    "w_forward_axes": Field("str", "follow", choices=("follow", "fixed"), label="Cloud axes"),
    # 2 score field
    "w_score_view": Field("str", "total", choices=("total", "modes", "weighted"), label="View"),
    "w_score_t": Field("float", 0.0, 0.0, 1.0, label="diffusion time t"),
    "w_score_lam": Field("float", 25.0, **_LAMBDA, label="λ of the VE process, g(t) = λᵗ"),
    "w_score_where": Field("str", "samples", choices=("samples", "grid"), label="Arrows at"),
    "w_score_n": Field("int", 200, 20, 1000, label="samples"),
    "w_score_grid": Field("int", 20, 5, 40, label="grid points per side"),
    "w_score_lengths": Field("str", "proportional", choices=("equal", "proportional"), label="Arrow length"),
    "w_score_arrow_scale": Field("str", "fixed", choices=("fixed", "fitted"), label="Arrow scale"),
    # 3 exact-score reversal
    "w_reversal_method": Field("str", "sde", choices=SAMPLER_NAMES, label="Sampler"),
    "w_reversal_steps": Field("int", 200, choices=(1, 2, 3, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300,
                                                   500, 750, 1000), label="Steps"),
    "w_reversal_lam": Field("float", 25.0, **_LAMBDA, label="λ, g(t) = λᵗ"),
    "w_reversal_n": Field("int", 2500, choices=(100, 250, 500, 1000, 2500, 5000, 10_000, 20_000),
                          label="Samples"),
    "w_reversal_grid": Field("str", "karras", choices=GRID_NAMES, label="Time grid"),
    "w_reversal_t_eps": Field("float", 1e-4, choices=(1e-5, 1e-4, 1e-3, 1e-2, 5e-2), label="End time ε"),
    "w_reversal_snr": Field("float", 0.1, 0.01, 0.5, label="PC corrector signal-to-noise"),
    "w_reversal_start": Field("str", "prior", choices=("prior", "p1"), label="Start from"),
    "w_reversal_view": Field("str", "data", choices=("data", "all"), label="Cloud and path views"),
    "w_reversal_n_paths": Field("int", 80, 10, 300, label="Paths drawn"),
    "w_reversal_threshold": Field("float", 0.9, 0.5, 0.99, label="responsibility threshold"),
    # 4 train & sample: the form holds our recipe (TrainConfig()) at lambda 25
    "w_train_recipe": Field("str", "ours", choices=("ours", "tutorial"), label="Recipe"),
    "w_train_steps": Field("int", _RECIPE.steps, 1, 5000, label="Training steps"),
    "w_train_batch": Field("int", _RECIPE.batch_size, 0, 10_000, label="Batch size (0 = all 10,000 points)"),
    "w_train_lr": Field("float", _RECIPE.lr, 0.0, 1.0, label="Learning rate"),
    "w_train_width": Field("int", _RECIPE.width, 1, 128, label="Network width (hidden units)"),
    "w_train_eps": Field("float", _RECIPE.eps, 0.0, 0.5, label="ε: smallest training time"),
    "w_train_lam": Field("float", 25.0, 0.0, 100.0, label="λ: noise growth, g(t) = λᵗ"),
    "w_train_wrongcheck": Field("bool", False,
                                label="Also show the tutorial's check (compares with the clean score: wrong)"),
    "w_train_t": Field("float", 0.1, 0.01, 1.0, label="Diffusion time t"),
    "w_train_errmap": Field("str", "weighted by pₜ", choices=("weighted by pₜ", "plain"), label="Error map"),
    "w_train_method": Field("str", "sde", choices=SAMPLER_NAMES, label="Sampler"),
    "w_train_nsteps": Field("int", 200, 10, 500, label="Sampler steps"),
    "w_train_n": Field("int", 1000, 100, 20_000, label="Samples"),
    # 5 mixture editor (the starting point's first value is the sidebar's mixture)
    "w_editor_source": Field("str", "tutorial", label="Start from", shared=False),
    "w_editor_mode": Field("str", "std_angle", choices=("std_angle", "raw"), label="Covariance as"),
    # 6 sampler lab
    "w_samplers_metric": Field("str", "logp_w1", choices=("logp_w1", "sliced_w2", "loglik_gap"),
                               label="Quality measure"),
    "w_samplers_n": Field("int", 2000, 200, 5000, label="Samples per run"),
    "w_samplers_lam": Field("float", 25.0, 2.0, 50.0, label="λ, g(t) = λᵗ"),
    "w_samplers_grid": Field("str", "recommended", choices=("recommended",) + GRID_NAMES, label="Time grid"),
    "w_samplers_source": Field("str", "exact", choices=("exact", "learned"), label="Score"),
    "w_samplers_recipe": Field("str", "ours", choices=("ours", "tutorial"), label="Network"),
    "w_samplers_t_eps": Field("float", 1e-3, choices=(1e-5, 1e-4, 1e-3, 1e-2), label="stop at t = ε"),
    # 7 likelihood
    "w_likelihood_source": Field("str", "exact", choices=("exact", "learned"), label="Score"),
    "w_likelihood_prior": Field("str", "gaussian", choices=("gaussian", "exact"), label="log p₁ at the end"),
    "w_likelihood_lam": Field("float", 25.0, 2.0, 50.0, label="λ of the VE process"),
    "w_likelihood_t_eps": Field("float", 1e-4, choices=(1e-5, 1e-4, 1e-3, 1e-2), label="start at t = ε"),
    "w_likelihood_steps": Field("int", 100, 10, 200, label="ODE steps"),
    "w_likelihood_solver": Field("str", "heun", choices=("heun", "rk4"), label="Integrator"),
    "w_likelihood_grid": Field("int", 30, 10, 40, label="grid points per side"),
    "w_likelihood_n": Field("int", 400, 100, 1000, label="true samples"),
    # ---- pages 10-12: Guidance, Flow matching, Your data (branch pages11) ----
    "w_guidance_class": Field("int", 0, 0, 11, label="Class y"),
    "w_guidance_w": Field("float", 3.0, 0.0, 10.0, label="guidance scale w"),
    "w_guidance_t": Field("float", 0.3, 0.0, 1.0, label="field at time t"),
    "w_guidance_lam": Field("float", 25.0, 2.0, 50.0, label="λ"),
    "w_guidance_learned": Field("bool", True, label="learned CFG too"),
    "w_flow_lam": Field("float", 25.0, 2.0, 50.0, label="λ of the VE process"),
    "w_flow_paths": Field("int", 60, 10, 200, label="paths drawn"),
    "w_flow_learned": Field("bool", True, label="learned flow too"),
    "w_flow_rectify": Field("bool", False, label="rectify once"),
    "w_yours_source": Field("str", "shape", choices=("draw", "shape", "word", "csv"), label="Source"),
    "w_yours_shape": Field("str", "heart", choices=("swiss roll", "spiral", "smiley", "heart"), label="Shape"),
    "w_yours_n": Field("int", 100, 10, 1000, label="points"),
    "w_yours_word": Field("str", "AI", label="Word"),     # reads at the default points (40 a letter)
    "w_yours_width": Field("float", 1.0, 0.1, 4.0, label="smoothing width h (× nearest-neighbour distance)"),
    # 13 digits (steps: DigitsConfig().train.steps, checked by tests/test_digits.py)
    "w_digits_steps": Field("int", 1500, 20, 5000, label="Training steps"),
    "w_digits_w": Field("float", 1.0, 0.0, 4.0, label="guidance scale w"),
    "w_digits_method": Field("str", "dpm2m_sa", choices=SAMPLER_NAMES, label="Sampler"),
    "w_digits_budget": Field("int", 30, 2, 500, label="Score evaluations per sample (NFE)"),
    "w_digits_class": Field("int", 3, 0, 9, label="Digit in the film"),
})


@dataclass(frozen=True)
class ListField:
    """A multi-select widget's setting: default and choices (tuples). Lists are kept across pages
    but not carried by links and files."""
    default: tuple
    choices: tuple
    label: str = ""


LISTS: dict[str, ListField] = {
    # 6 sampler lab
    "w_samplers_methods": ListField(("tutorial", "sde", "ode", "dpm2m", "dpm2m_sde", "dpm2m_sa", "unipc",
                                     "unipc_shift"),
                                    SAMPLER_NAMES, label="Samplers"),
    "w_samplers_nfe": ListField((5, 8, 10, 15, 20, 30, 50, 100), (4, 5, 6, 8, 10, 15, 20, 30, 50, 100, 200, 500),
                                label="NFE budgets"),
}


def field(key: str) -> Field | ListField:
    """The schema entry of a persisted widget key (KeyError names the key when there is none)."""
    if key in SCHEMA:
        return SCHEMA[key]
    if key in LISTS:
        return LISTS[key]
    raise KeyError(f"{key} is not in the settings schema (dashboard/settings.py)")


def with_choices(schema: dict[str, Field], key: str, choices) -> dict[str, Field]:
    """A copy of schema where `key` accepts exactly `choices` (for choices known at run time)."""
    out = dict(schema)
    if key in out:
        out[key] = replace(out[key], choices=tuple(choices))
    return out


# ------------------------------------------------------------------------------------- values
def _label(key: str, field: Field) -> str:
    return f"{field.label} ({short_name(key)})" if field.label else short_name(key)


def _shown(value, limit: int = 60) -> str:
    """repr(value), shortened to about `limit` characters for a message."""
    try:
        text = repr(value)
    except ValueError:                    # an int too long to print
        return "a number too large"
    return text if len(text) <= limit else text[:limit - 5] + "…" + text[-4:]


def check_value(key: str, field: Field, value):
    """value as the setting's Python type, or ValueError naming the setting and the rule.
    Integers given as 3.0 are accepted; booleans are not numbers; numbers must be finite."""
    bad = ValueError(f"{_label(key, field)} {field.rule()}; got {_shown(value)}")
    if field.kind == "bool":
        if not isinstance(value, bool):
            raise bad
        return value
    if field.kind == "str":
        if not isinstance(value, str) or len(value) > _MAX_STR:
            raise bad
        if field.choices is not None and value not in field.choices:
            raise bad
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise bad
    if isinstance(value, numbers.Integral):      # exact, however large (no float conversion)
        value = int(value)
    elif not math.isfinite(value) or (field.kind == "int" and not float(value).is_integer()):
        raise bad
    if field.kind == "int":
        value = int(value)
    else:
        try:
            value = float(value)
        except OverflowError:
            raise bad from None
    if (field.lo is not None and value < field.lo) or (field.hi is not None and value > field.hi):
        raise bad
    if field.choices is not None and value not in field.choices:
        raise bad
    return value


def parse_text(key: str, field: Field, text: str):
    """A URL parameter's text as the setting's value (then checked), or ValueError."""
    text = str(text).strip()
    value: Any = text
    try:
        if field.kind == "int":
            value = int(text) if text.lstrip("+-").isdigit() else float(text)
        elif field.kind == "float":
            value = float(text)
        elif field.kind == "bool":
            low = text.lower()
            value = True if low in ("true", "1", "yes", "on") else \
                False if low in ("false", "0", "no", "off") else text
    except ValueError:
        value = text
    return check_value(key, field, value)


def encode_text(value) -> str:
    """Short, readable text of a value for a URL: true/false, 0.05, 1500, ring8."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


def validate_settings(raw: dict, schema: dict[str, Field] | None = None):
    """Check a {short name: value} dict against schema. Returns (values {key: value}, errors,
    unknown names): errors are messages for known settings with bad values."""
    schema = SCHEMA if schema is None else schema
    values, errors, unknown = {}, [], []
    for name, v in raw.items():
        key = key_of(str(name))
        if key not in schema:
            unknown.append(str(name))
            continue
        try:
            values[key] = check_value(key, schema[key], v)
        except ValueError as e:
            errors.append(str(e))
    return values, errors, unknown


# ------------------------------------------------------------------------------------- files
def settings_to_json(values: dict, custom_mixture: dict | None = None) -> bytes:
    """The file of {key: value} settings (keys with or without the "w_" prefix)."""
    blob = {"format": FORMAT, "version": VERSION,
            "settings": {short_name(k): v for k, v in sorted(values.items())}}
    if custom_mixture is not None:
        blob["custom_mixture"] = custom_mixture
    return json.dumps(blob, indent=1, allow_nan=False).encode("utf-8")


def _no_constants(name):
    raise ValueError(f"{name} is not a number JSON allows")


def settings_from_json(data: bytes | str, schema: dict[str, Field] | None = None):
    """Read a settings file. Returns (values {key: value}, custom_mixture dict or None, notes):
    notes name settings this version does not know (they are skipped). Anything else wrong
    (too big, not JSON, wrong format or version, a bad value) raises ValueError with every
    problem named, so the caller can apply all of the file or none of it."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ValueError(f"settings file must be at most 1 MB; got {len(data) / 2 ** 20:.1f} MB")
    try:
        blob = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise ValueError("settings file must be UTF-8 text (a .json file)") from None
    except (ValueError, RecursionError) as e:
        raise ValueError(f"settings file is not valid JSON: {e}") from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise ValueError(f"not a settings file: it must be a JSON object with \"format\": \"{FORMAT}\"")
    if blob.get("version") != VERSION:
        raise ValueError(f"settings file version must be {VERSION}; got {blob.get('version')!r}")
    extra = sorted(set(blob) - {"format", "version", "settings", "custom_mixture"})
    if extra:
        raise ValueError(f"settings file has unknown sections: {', '.join(extra)}")
    raw = blob.get("settings", {})
    if not isinstance(raw, dict):
        raise ValueError("settings file: \"settings\" must be an object of name: value")
    values, errors, unknown = validate_settings(raw, schema)
    mix = blob.get("custom_mixture")
    if mix is not None and not isinstance(mix, dict):
        errors.append("custom_mixture must be an object with means, covs and weights")
    if errors:
        raise ValueError("settings file refused, nothing was changed: " + "; ".join(errors))
    notes = [f"unknown setting {n!r} skipped" for n in unknown]
    return values, mix, notes
