"""The experiment <-> URL query string: round trips, clean defaults, forgiving reading."""

from __future__ import annotations

import ast
import json
import re
import string
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground import state
from playground.config import (
    DATASETS,
    FEATURES,
    HIDDEN_ACTIVATIONS,
    INITIALIZERS,
    LOSSES,
    LR_RANGE,
    MAX_LAYERS,
    MAX_SAMPLES,
    MAX_UNITS,
    OPTIMIZER_HYPER,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    REG_RANGE,
    SCHEDULES,
    Experiment,
    LayerSpec,
)
from playground.i18n import LANGUAGES
from playground.state import (
    CONTROL_GROUPS,
    FIELD_KEYS,
    HYPER_KEYS,
    RANGES,
    canonical,
    from_query,
    query_string,
    to_query,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = Experiment()
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- strategies


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _ints(name: str) -> st.SearchStrategy[int]:
    lo, hi = RANGES[name]
    return st.integers(int(lo), int(hi))


@st.composite
def _hyper(draw, optimizer: str) -> tuple[tuple[str, float], ...]:
    """Canonical overrides: OPTIMIZER_HYPER order, never equal to the default."""
    out = []
    for name, default in OPTIMIZER_HYPER[optimizer].items():
        if draw(st.booleans()):
            lo, hi = state._hyper_codec(optimizer, name).lo, state._hyper_codec(optimizer, name).hi
            value = draw(_floats(lo, hi).filter(lambda v, d=default: v != d))
            out.append((name, value))
    return tuple(out)


layer_specs = st.builds(LayerSpec, st.integers(1, MAX_UNITS), st.sampled_from(HIDDEN_ACTIVATIONS),
                        st.one_of(st.just(0.0), _floats(*RANGES["dropout"])))


@st.composite
def experiments(draw) -> Experiment:
    """Any experiment the Network page can produce (every value inside its range)."""
    optimizer = draw(st.sampled_from(OPTIMIZERS))
    return Experiment(
        dataset=draw(st.sampled_from(DATASETS)),
        n_samples=draw(_ints("n_samples")),
        noise=draw(_ints("noise")),
        train_pct=draw(_ints("train_pct")),
        data_seed=draw(_ints("data_seed")),
        features=tuple(draw(st.lists(st.sampled_from(FEATURES), min_size=1, unique=True))),
        layers=tuple(draw(st.lists(layer_specs, max_size=MAX_LAYERS))),
        output_activation=draw(st.sampled_from(OUTPUT_ACTIVATIONS)),
        loss=draw(st.sampled_from(LOSSES)),
        initializer=draw(st.sampled_from(INITIALIZERS)),
        seed=draw(_ints("seed")),
        optimizer=optimizer,
        lr=draw(_floats(*LR_RANGE)),
        hyper=draw(_hyper(optimizer)),
        schedule=draw(st.sampled_from(SCHEDULES)),
        batch_size=draw(st.one_of(st.just(0), _ints("batch_size"))),
        l1=draw(_floats(*REG_RANGE)),
        l2=draw(_floats(*REG_RANGE)),
        steps_per_frame=draw(_ints("steps_per_frame")),
        show_test=draw(st.booleans()),
        discretize=draw(st.booleans()),
        hidden=tuple(draw(st.lists(st.sampled_from(CONTROL_GROUPS), unique=True))),
    )


def assert_valid(exp: Experiment) -> None:
    """A valid experiment is one a link reproduces exactly, without a single note."""
    assert isinstance(exp, Experiment)
    again, notes = from_query(to_query(exp))
    assert notes == []
    assert again == canonical(exp) == exp


# --------------------------------------------------------------------------- writing


def test_the_default_experiment_gives_a_clean_url():
    assert to_query(DEFAULT) == {}
    assert query_string(DEFAULT) == ""
    assert from_query({}) == (DEFAULT, [])


def test_a_typical_link_is_short_and_readable():
    exp = DEFAULT.replace(dataset="circle", noise=10, features=("x1", "x2", "x1^2"),
                          layers=(LayerSpec(8, "tanh"), LayerSpec(4, "relu", 0.2)),
                          optimizer="momentum", lr=0.1, hyper=(("momentum", 0.95),),
                          batch_size=0, hidden=("data", "layers"))
    assert to_query(exp) == {"ds": "circle", "noise": "10", "feat": "x1,x2,x1^2",
                             "layers": "8:tanh,4:relu:0.2", "opt": "momentum", "lr": "0.1",
                             "bs": "full", "hide": "data,layers", "mom": "0.95"}
    assert query_string(exp) == ("ds=circle&noise=10&feat=x1,x2,x1^2&layers=8:tanh,4:relu:0.2"
                                 "&opt=momentum&lr=0.1&bs=full&hide=data,layers&mom=0.95")
    assert from_query(to_query(exp)) == (exp, [])


def test_short_spellings_and_no_hidden_layers():
    exp = DEFAULT.replace(dataset="reg_plane", layers=(), output_activation="linear",
                          loss="mean_squared_error", show_test=True)
    assert to_query(exp) == {"ds": "reg_plane", "layers": "none", "out": "linear",
                             "loss": "mse", "test": "1"}
    assert from_query({"loss": "mean_squared_error"})[0].loss == "mean_squared_error"
    assert from_query({"loss": "BCE", "ds": "Two-Moons"}) == (
        DEFAULT.replace(dataset="two_moons"), [])


@pytest.mark.parametrize("value", [0.03, 1e-05, 10.0, 0.1 + 0.2, 1 / 3, 2.5e-4])
def test_floats_are_written_exactly_and_briefly(value):
    text = to_query(DEFAULT.replace(lr=value)).get("lr", "0.03")
    assert float(text) == value
    assert not text.endswith(".0") and len(text) <= 24


@FUZZ
@given(experiments())
def test_every_setting_survives_url_to_state_to_url(exp):
    query = to_query(exp)
    again, notes = from_query(query)
    assert notes == []
    assert again == exp
    assert to_query(again) == query


@settings(max_examples=100, deadline=None)
@given(experiments())
def test_the_encoded_query_string_round_trips_as_a_browser_sends_it(exp):
    parsed = urllib.parse.parse_qs(query_string(exp), keep_blank_values=True)  # lists, as URLs
    assert from_query(parsed) == (exp, [])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(OPTIMIZERS),
       st.lists(st.tuples(st.sampled_from(sorted(state.HYPER_RANGES)), _floats(0.01, 0.99))))
def test_hyper_overrides_have_one_canonical_form(optimizer, pairs):
    exp = DEFAULT.replace(optimizer=optimizer, hyper=tuple(pairs))
    again, notes = from_query(to_query(exp))
    assert notes == []
    assert again == canonical(exp)
    assert again.hyperparameters() == {k: float(v) for k, v in exp.hyperparameters().items()}
    assert canonical(canonical(exp)) == canonical(exp)


def test_overrides_equal_to_the_default_do_not_clutter_the_link():
    exp = DEFAULT.replace(hyper=(("beta2", 0.999), ("beta1", 0.8), ("momentum", 0.5)))
    assert to_query(exp) == {"b1": "0.8"}
    assert canonical(exp).hyper == (("beta1", 0.8),)


# --------------------------------------------------------------------------- reading


def test_a_hand_written_link_is_read():
    exp, notes = from_query({"ds": "xor", "n": "200", "feat": "x1,x2,x1x2", "layers": "4:relu,2",
                             "opt": "adam", "lr": "1e-3", "b1": "0.8", "bs": "32", "l2": "0.001",
                             "init": "he_normal", "hide": "presets", "disc": "true"})
    assert notes == []
    assert exp == DEFAULT.replace(dataset="xor", n_samples=200, features=("x1", "x2", "x1x2"),
                                  layers=(LayerSpec(4, "relu"), LayerSpec(2, "tanh")),
                                  lr=0.001, hyper=(("beta1", 0.8),), batch_size=32, l2=0.001,
                                  initializer="he_normal", hidden=("presets",), discretize=True)


# One malformed value per setting; each must fall back to the default and say so.
MALFORMED = {"ds": "moons!", "n": "many", "noise": "1.5", "train": "half", "dseed": "-x",
             "feat": "x1,x3", "layers": "8:tanhh", "out": "relu", "loss": "hinge",
             "init": "zeros", "seed": "0x10", "opt": "sgdd", "lr": "fast", "sched": "linear",
             "bs": "all", "l1": "nan", "l2": "inf", "spf": "1e3", "test": "maybe",
             "disc": "2", "hide": "data,teacher"}


def test_every_setting_has_a_malformed_example():
    assert set(MALFORMED) == set(FIELD_KEYS.values())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", sorted(MALFORMED))
def test_a_malformed_value_falls_back_to_the_default_with_a_note(key, lang):
    exp, notes = from_query({key: MALFORMED[key]}, lang)
    assert exp == DEFAULT
    assert len(notes) == 1
    field, codec = state._SPEC[key]
    note = notes[0]
    assert f"{key}={MALFORMED[key]}" in note  # names the key and the value
    assert codec.expected(lang) in note  # says what form is expected
    assert codec.encode(getattr(DEFAULT, field)) in note


@pytest.mark.parametrize("query, setting, used", [
    ({"lr": "100"}, "lr", 10.0),
    ({"lr": "0"}, "lr", 1e-05),
    ({"lr": "-3"}, "lr", 1e-05),
    ({"n": "50000"}, "n_samples", MAX_SAMPLES),
    ({"n": "3"}, "n_samples", 10),
    ({"noise": "80"}, "noise", 50),
    ({"train": "95"}, "train_pct", 90),
    ({"train": "5"}, "train_pct", 10),
    ({"l2": "2"}, "l2", 1.0),
    ({"bs": "99999"}, "batch_size", MAX_SAMPLES),
    ({"seed": "-1"}, "seed", 0),
    ({"layers": "100:relu"}, "layers", (LayerSpec(MAX_UNITS, "relu"),)),
    ({"layers": "0:relu"}, "layers", (LayerSpec(1, "relu"),)),
    ({"layers": "8:relu:0.99"}, "layers", (LayerSpec(8, "relu", 0.9),)),
    ({"layers": ",".join(["3:elu"] * 12)}, "layers", (LayerSpec(3, "elu"),) * MAX_LAYERS),
    ({"feat": "x2,x1,x2"}, "features", ("x2", "x1")),
    ({"opt": "nesterov", "mom": "0"}, "hyper", (("momentum", 0.01),)),
])
def test_values_out_of_range_are_clamped_with_a_note(query, setting, used):
    exp, notes = from_query(query)
    assert getattr(exp, setting) == used
    assert len(notes) == 1 and "adjusted" in notes[0]
    assert_valid(exp)


def test_unknown_keys_are_ignored_with_one_note_and_reserved_keys_silently():
    exp, notes = from_query({"zzz": "1", "utm_source": "mail", "lang": "zh", "page": "network",
                             "lr": "0.1"})
    assert exp == DEFAULT.replace(lr=0.1)
    assert len(notes) == 1 and "“zzz”" in notes[0] and "“utm_source”" in notes[0]
    exp, notes = from_query({f"k{i}": "1" for i in range(40)})
    assert exp == DEFAULT and len(notes) == 1 and "35 more" in notes[0]
    assert from_query({"lang": "zh"}, ignore=()) != (DEFAULT, [])


def test_hyper_keys_must_belong_to_the_chosen_optimizer():
    exp, notes = from_query({"opt": "sgd", "b1": "0.5", "lr": "0.1"})
    assert exp == DEFAULT.replace(optimizer="sgd", lr=0.1)
    assert len(notes) == 1 and "b1" in notes[0] and "sgd" in notes[0]
    exp, notes = from_query({"b1": "0.5", "b2": "0.99"})  # the default optimizer is Adam
    assert exp.hyperparameters()["beta1"] == 0.5 and notes == []
    exp, notes = from_query({"opt": "adamw", "wd": "0"})
    assert exp.hyperparameters()["weight_decay"] == 0.0 and notes == []


def test_long_values_are_not_parsed():
    exp, notes = from_query({"lr": "0." + "1" * state.MAX_VALUE_CHARS, "ds": "c" * 10_000})
    assert exp == DEFAULT
    assert len(notes) == 2 and all("too long" in n for n in notes)
    assert all(len(n) < 200 for n in notes)  # the note quotes no part of the value


def test_repeated_keys_use_the_last_value():
    assert from_query({"ds": ["xor", "xor"]}) == (DEFAULT.replace(dataset="xor"), [])
    exp, notes = from_query({"ds": ["xor", "circle"]})
    assert exp.dataset == "circle" and len(notes) == 1
    exp, notes = from_query({"ds": []})
    assert exp == DEFAULT and len(notes) == 1


def test_odd_inputs_never_raise():
    for params in ({"lr": None}, {"lr": 0.5}, {3: "x"}, {"layers": ["8:relu", 7]}, None, 42,
                   {"ds": "\x00\u202e"}, {"feat": ",,,"}, {"layers": "::"},
                   {"lr": "1e99999"}, {"n": "9" * 60}, {"layers": "1:relu:1:1"}):
        exp, notes = from_query(params)  # type: ignore[arg-type]
        assert_valid(exp)
        assert all(isinstance(n, str) and n for n in notes)


def test_notes_are_in_the_requested_language():
    (_, en), (_, zh) = from_query({"lr": "x"}, "en"), from_query({"lr": "x"}, "zh")
    assert "could not be read" in en[0] and "lr=x" in en[0]
    assert re.search(r"[\u4e00-\u9fff]", zh[0]) and "lr=x" in zh[0]


# --------------------------------------------------------------------------- fuzzing

_KEYS = st.sampled_from(sorted(set(FIELD_KEYS.values()) | set(HYPER_KEYS) | {"lang"}))
_CHARS = st.sampled_from(string.printable + "éü中文^,:.-+e∞\u00a0\u202e")
_TEXT = st.one_of(st.text(max_size=30), st.text(_CHARS, max_size=30),
                  st.from_regex(r"[0-9a-z_:,.+-]{0,20}", fullmatch=True))
_VALUES = st.one_of(_TEXT, st.lists(_TEXT, max_size=3))


@FUZZ
@given(st.dictionaries(st.one_of(_KEYS, st.text(max_size=20)), _VALUES, max_size=12),
       st.sampled_from(LANGUAGES))
def test_fuzzed_links_never_raise_and_always_give_a_valid_experiment(params, lang):
    exp, notes = state._from_query(params, lang, state.RESERVED_KEYS)  # unguarded on purpose
    assert_valid(exp)
    assert all(isinstance(n, str) and n for n in notes)


@FUZZ
@given(st.dictionaries(_KEYS, st.one_of(_TEXT, st.text(max_size=300)), max_size=8))
def test_every_value_a_key_can_take_yields_a_valid_experiment_or_a_note(params):
    exp, notes = state._from_query(params, "en", state.RESERVED_KEYS)
    assert_valid(exp)
    if not notes:  # silently accepted: then writing it again must give the same experiment
        assert from_query(to_query(exp))[0] == exp


# --------------------------------------------------------------------------- tables, catalogs


def test_every_experiment_field_has_a_url_key_and_keys_are_unique():
    fields = set(Experiment.__dataclass_fields__)
    assert set(FIELD_KEYS) | {"hyper"} == fields
    assert len(set(FIELD_KEYS.values())) == len(FIELD_KEYS)
    assert not set(FIELD_KEYS.values()) & set(HYPER_KEYS)
    for group in CONTROL_GROUPS:
        assert re.fullmatch(r"[a-z_]+", group)


def _catalog(lang: str, area: str) -> dict[str, str]:
    return json.loads((ROOT / "playground" / "locales" / lang / f"{area}.json").read_text("utf-8"))


def test_both_languages_have_the_same_state_messages_and_placeholders():
    en, zh = _catalog("en", "state"), _catalog("zh", "state")
    assert set(en) == set(zh)
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key
        assert zh[key] != en[key] or key.startswith("state.expect.")
        assert re.search(r"[\u4e00-\u9fff]", zh[key]), key
    assert {f"state.group.{g}" for g in CONTROL_GROUPS} <= set(en)


def test_every_message_key_used_in_state_py_exists():
    source = (ROOT / "playground" / "state.py").read_text("utf-8")
    used = set(re.findall(r'"(state\.[a-z_.]+)"', source))
    assert used and used <= set(_catalog("en", "state"))


def test_state_and_presets_do_not_import_streamlit():
    for name in ("state.py", "presets.py"):
        tree = ast.parse((ROOT / "playground" / name).read_text("utf-8"))
        mods = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        mods |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(m.split(".")[0] == "streamlit" for m in mods), name
