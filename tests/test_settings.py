"""dashboard.settings: the settings schema, and checking settings from links and files."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from dashboard import settings as sio

SEED = sio.Field("int", 2021, 0, 2 ** 31 - 1, label="Random seed")
RADIUS = sio.Field("float", 0.05, 0.005, 0.5, label="Radius")
FLAG = sio.Field("bool", True, label="Flag")
CHOICE = sio.Field("str", "a", choices=("a", "b"), label="Choice")


def test_names():
    assert sio.short_name("w_memo_points") == "memo_points"
    assert sio.key_of("memo_points") == "w_memo_points"
    assert sio.short_name("plain") == "plain"


@pytest.mark.parametrize("field,text,value", [
    (SEED, "7", 7), (SEED, " 42 ", 42), (SEED, "3.0", 3), (RADIUS, "0.1", 0.1), (RADIUS, "5e-3", 0.005),
    (FLAG, "false", False), (FLAG, "1", True), (FLAG, "TRUE", True), (CHOICE, "b", "b")])
def test_parse_text_accepts(field, text, value):
    got = sio.parse_text("w_x", field, text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("field,text,words", [
    (SEED, "abc", "integer in 0..2147483647"), (SEED, "-1", "integer"), (SEED, "2.5", "integer"),
    (SEED, "99999999999", "integer"), (RADIUS, "nan", "number in 0.005..0.5"),
    (RADIUS, "inf", "number"), (RADIUS, "0.6", "0.5"), (RADIUS, "", "number"),
    (FLAG, "maybe", "true or false"), (CHOICE, "c", "one of a, b")])
def test_parse_text_refuses_with_the_name_and_rule(field, text, words):
    with pytest.raises(ValueError) as e:
        sio.parse_text("w_x", field, text)
    msg = str(e.value)
    assert words in msg and "(x)" in msg and field.label in msg


def test_check_value_types():
    assert sio.check_value("w_s", SEED, 5.0) == 5
    for bad in (True, "5", None, [5], 5.5, float("nan")):
        with pytest.raises(ValueError):
            sio.check_value("w_s", SEED, bad)
    with pytest.raises(ValueError):
        sio.check_value("w_f", FLAG, 1)             # a number is not a boolean
    with pytest.raises(ValueError):
        sio.check_value("w_t", sio.Field("str", ""), "x" * 201)


@given(st.one_of(st.integers(-10, 10 ** 12), st.floats(allow_nan=True, allow_infinity=True),
                 st.booleans(), st.text(max_size=20), st.none()))
@settings(max_examples=200, deadline=None)
def test_check_value_never_returns_out_of_range(v):
    for field in (SEED, RADIUS):
        try:
            out = sio.check_value("w_x", field, v)
        except ValueError:
            continue
        assert field.lo <= out <= field.hi
        assert type(out) is (int if field.kind == "int" else float)


@pytest.mark.parametrize("value", [7, 0.05, 1e-4, 0.1 + 0.2, True, False, "ring8", 2 ** 31 - 1])
def test_encode_parse_round_trip(value):
    kind = {bool: "bool", int: "int", float: "float", str: "str"}[type(value)]
    field = sio.Field(kind, value)
    text = sio.encode_text(value)
    assert len(text) <= 12
    back = sio.parse_text("w_x", field, text)
    assert back == pytest.approx(value, rel=1e-9) if kind == "float" else back == value


def test_schema_defaults_pass_their_own_check():
    for key, field in sio.SCHEMA.items():
        assert key.startswith("w_")
        if field.choices is None or field.default in field.choices:
            assert sio.check_value(key, field, field.default) == field.default


def test_with_choices_and_field():
    schema = {"w_m": sio.Field("str", "a")}
    narrowed = sio.with_choices(schema, "w_m", ["a", "b"])
    assert narrowed["w_m"].choices == ("a", "b") and schema["w_m"].choices is None
    assert not hasattr(sio, "register")          # the schema is fixed: no page-time registration
    assert sio.field("w_seed") is sio.SCHEMA["w_seed"]
    assert sio.field("w_samplers_nfe") is sio.LISTS["w_samplers_nfe"]
    with pytest.raises(KeyError, match="w_nothing"):
        sio.field("w_nothing")
    with pytest.raises(ValueError):
        sio.Field("list", [])


SCHEMA = {"w_seed": SEED, "w_radius": RADIUS, "w_flag": FLAG, "w_choice": CHOICE}


def test_file_round_trip():
    values = {"w_seed": 7, "w_radius": 0.25, "w_flag": False, "w_choice": "b"}
    mix = {"means": [[0.0, 0.0]], "covs": [[[1.0, 0.0], [0.0, 1.0]]], "weights": [1.0]}
    data = sio.settings_to_json(values, mix)
    blob = json.loads(data)
    assert blob["format"] == sio.FORMAT and blob["settings"]["seed"] == 7   # short names
    got, got_mix, notes = sio.settings_from_json(data, SCHEMA)
    assert got == values and got_mix == mix and notes == []


def _file(settings, **extra):
    return json.dumps({"format": sio.FORMAT, "version": 1, "settings": settings, **extra})


def test_file_unknown_settings_are_skipped_with_a_note():
    got, _, notes = sio.settings_from_json(_file({"seed": 3, "future_knob": 1}), SCHEMA)
    assert got == {"w_seed": 3}
    assert any("future_knob" in n for n in notes)


@pytest.mark.parametrize("data,words", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "UTF-8"),
    (b"[1, 2]", "format"),
    (json.dumps({"format": "other", "version": 1}), "format"),
    (json.dumps({"format": sio.FORMAT, "version": 2}), "version must be 1"),
    (json.dumps({"format": sio.FORMAT, "version": 1, "settings": [1]}), "\"settings\" must be an object"),
    (json.dumps({"format": sio.FORMAT, "version": 1, "extra": 1}), "unknown sections: extra"),
    (_file({"seed": -5}), "Random seed (seed) must be an integer"),
    (_file({"seed": 5, "radius": 9.0, "flag": "yes"}), "Radius (radius)"),
    (_file({"radius": float("nan")}).replace("NaN", "NaN"), "not a number JSON allows"),
    (_file({"seed": 1}, custom_mixture=[1]), "custom_mixture must be an object"),
    (b" " * (sio.MAX_BYTES + 1), "at most 1 MB"),
])
def test_file_refused_with_a_clear_message(data, words):
    with pytest.raises(ValueError) as e:
        sio.settings_from_json(data, SCHEMA)
    assert words in str(e.value)


def test_file_with_several_bad_values_names_all_of_them():
    with pytest.raises(ValueError) as e:
        sio.settings_from_json(_file({"seed": 5, "radius": 9.0, "flag": "yes"}), SCHEMA)
    msg = str(e.value)
    assert "nothing was changed" in msg and "Radius" in msg and "Flag" in msg and "Random seed" not in msg
